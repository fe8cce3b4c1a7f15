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


_collector: object = None


def collect_garbage_on_the_ui_thread() -> None:
    """Python's cyclic garbage collector, run on the UI thread only (from now on).

    Jobs run on Python threads; a collection that starts on one of them can destroy a Qt
    object (a menu, an action in a reference cycle) off the UI thread, and the two threads
    then wait on each other's lock for ever (seen in the window tests). pyqtgraph's
    ``GarbageCollector`` turns automatic collection off and collects on a timer of the UI
    thread instead. Called once, from the UI thread.
    """
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=0.5)


def qt_jobs(parent: QObject) -> JobRunner:
    """A job runner whose callbacks run on ``parent``'s (the UI) thread."""
    collect_garbage_on_the_ui_thread()
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
