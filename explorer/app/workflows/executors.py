"""A study's evaluations on the executor the user chose (this process or Ray), started on the
worker thread and closed with the study, whatever ends it (done, failed, cancelled)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from explorer.app.jobs import Progress


def on_executor(
    ray: str | None, device: Any, study: Callable[[Any], Generator[Progress, None, Any]]
) -> Generator[Progress, None, Any]:
    """``study(executor)`` with the executor ``ray`` names: None runs it in this process
    (``study(None)``); "local" or an address starts or joins Ray first (a few seconds, said on
    the progress). ExecutorError when Ray is missing or the cluster cannot be reached."""
    if ray is None:
        return (yield from study(None))
    from explorer.runtime.executor import executor_for, starting_line

    yield Progress(None, starting_line(ray))
    ex = executor_for(ray, None, device)
    try:
        return (yield from study(ex))
    finally:
        ex.close()
