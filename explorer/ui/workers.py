"""The window's side of the job runner: results of worker threads delivered on the UI thread.

:class:`explorer.app.jobs.JobRunner` (Qt-free) owns generation, cancel, busy and progress;
:class:`QtPost` gives it a ``post`` that runs a callable on the UI thread through a queued
signal, so every callback of a job runs where widgets may be touched.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from explorer.app.jobs import JobRunner


class QtPost(QObject):
    """``post(fn)`` from any thread runs ``fn()`` on the thread this object lives in."""

    _call = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._call.connect(self._on_call, Qt.ConnectionType.QueuedConnection)

    def post(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)

    @Slot(object)
    def _on_call(self, fn: Callable[[], None]) -> None:
        fn()


def qt_jobs(parent: QObject) -> JobRunner:
    """A job runner whose callbacks run on ``parent``'s (the UI) thread."""
    return JobRunner(QtPost(parent).post)


class Throttle:
    """``ready()`` is True at most once every ``interval`` seconds (the first call: True).

    Partial results of a timing run are drawn through it: drawing takes the CPU the timing
    measures, so the views are redrawn seldom while it runs and fully at its end.
    """

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self._last: float | None = None

    def reset(self) -> None:
        self._last = None

    def ready(self) -> bool:
        import time

        now = time.perf_counter()
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return True
