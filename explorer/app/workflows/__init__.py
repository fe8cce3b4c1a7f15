"""The workflows: one generator per study, called by the command line and the window alike.

Each yields :class:`explorer.app.jobs.Progress` records and returns its result; the window runs
it through :class:`explorer.app.jobs.JobRunner` on a worker thread, the command line drives it
to its end in the foreground (:func:`explorer.app.workflows.drive`). Neither has a copy of a
study's logic, so their figures cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

from explorer.app.jobs import Progress

T = TypeVar("T")


def drive(gen: Generator[Any, None, T], on_progress: Callable[[Progress], None] | None = None) -> T:
    """Run a workflow to its end in the foreground (the command line); return its value."""
    try:
        while True:
            step = next(gen)
            if on_progress is not None:
                on_progress(Progress.of(step))
    except StopIteration as stop:
        return stop.value
