"""One job runner for every long task: generation, cancel, busy, typed progress, close.

A *job* is a generator (a workflow) run to its end on a worker thread. Each job runs in a
*lane* (``"model"``, ``"weights"``, ``"run"``, ``"accuracy"``, ``"sweep"``, ``"fusion"`` ...):
starting a job supersedes the one running in its lane, whose later progress and result are
dropped (they carry an older generation number). A job is cancelled between two yields.
The runner is Qt-free: results are handed to ``post``, which the window sets to a function
that runs a callable on its UI thread (:class:`explorer.ui.workers.QtPost`); without one
(the command line, tests) callbacks run on the worker thread.

Busy state is kept per lane and changes only for the lane's *current* job, so a stale job
that ends late never hides the busy bar of the newer one running in its lane.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any

from explorer.errors import log_unexpected


@dataclass(frozen=True)
class Progress:
    """A job's progress: fraction done (None: unknown), what is happening, a partial result."""

    fraction: float | None
    message: str = ""
    partial: Any = None

    @staticmethod
    def of(value: Any) -> Progress:
        """A yielded value as a Progress (workflows yield Progress; older code yields tuples)."""
        if isinstance(value, Progress):
            return value
        if isinstance(value, tuple) and value:
            frac = None if value[0] is None else float(value[0])
            msg = str(value[1]) if len(value) > 1 else ""
            return Progress(frac, msg, value[2] if len(value) > 2 else None)
        return Progress(None, str(value))

    def scaled(self, lo: float, hi: float) -> Progress:
        """This progress mapped into [lo, hi] of a larger job."""
        frac = None if self.fraction is None else lo + (hi - lo) * self.fraction
        return Progress(frac, self.message, self.partial)


def scaled(gen: Generator[Any, None, Any], lo: float, hi: float) -> Generator[Progress, None, Any]:
    """Pass on a sub-workflow's progress mapped into [lo, hi]; return its value."""
    try:
        while True:
            yield Progress.of(next(gen)).scaled(lo, hi)
    except StopIteration as stop:
        return stop.value


Factory = Callable[[], Generator[Any, None, Any]]
Post = Callable[[Callable[[], None]], None]


class Job:
    """One started job: its lane, generation, and a cancel flag read between yields."""

    def __init__(self, lane: str, generation: int, label: str) -> None:
        self.lane = lane
        self.generation = generation
        self.label = label
        self.cancelled = threading.Event()
        self.thread: threading.Thread | None = None

    def cancel(self) -> None:
        self.cancelled.set()

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


@dataclass
class _Callbacks:
    progress: Callable[[Progress], None] | None = None
    done: Callable[[Any], None] | None = None
    error: Callable[[BaseException], None] | None = None
    cancelled: Callable[[], None] | None = None


class JobRunner:
    """Starts jobs on worker threads and delivers only the current job's news of each lane."""

    def __init__(self, post: Post | None = None) -> None:
        self._post: Post = post or (lambda fn: fn())
        self._generation: dict[str, int] = {}
        self._jobs: list[Job] = []
        self._current: dict[str, Job] = {}
        self._busy: dict[str, str] = {}  # lane -> label, for the current jobs still running
        self._listeners: list[Callable[[bool, str], None]] = []
        self._lock = threading.Lock()
        self.closed = False

    # -- busy -------------------------------------------------------------------------------

    def on_busy(self, listener: Callable[[bool, str], None]) -> None:
        """``listener(busy, label)`` after each change: busy while any lane's job runs."""
        self._listeners.append(listener)

    def busy(self, lanes: str | Iterable[str] | None = None) -> bool:
        """Whether a current job runs (in ``lanes``, or in any lane)."""
        if lanes is None:
            return bool(self._busy)
        names = {lanes} if isinstance(lanes, str) else set(lanes)
        return bool(names & set(self._busy))

    def busy_label(self) -> str:
        """What the most recently started running job is doing ("" when idle)."""
        return next(reversed(self._busy.values()), "")

    def _set_busy(self, lane: str, label: str | None) -> None:
        if label is None:
            self._busy.pop(lane, None)
        else:
            self._busy.pop(lane, None)
            self._busy[lane] = label
        busy, text = bool(self._busy), self.busy_label()
        for fn in list(self._listeners):
            fn(busy, text)

    # -- starting and stopping --------------------------------------------------------------

    def generation(self, lane: str) -> int:
        return self._generation.get(lane, 0)

    def is_current(self, job: Job) -> bool:
        return not self.closed and self._generation.get(job.lane, 0) == job.generation

    def start(
        self,
        lane: str,
        factory: Factory,
        *,
        label: str = "",
        on_progress: Callable[[Progress], None] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Job | None:
        """Run ``factory()`` in ``lane``, superseding the lane's running job; None once closed."""
        if self.closed:
            return None
        self._supersede(lane)
        gen = self._generation[lane]
        job = Job(lane, gen, label or lane)
        cbs = _Callbacks(on_progress, on_done, on_error, on_cancelled)
        job.thread = threading.Thread(
            target=self._drive, args=(job, factory, cbs), name=f"job-{lane}-{gen}", daemon=True
        )
        with self._lock:
            self._jobs = [j for j in self._jobs if j.alive]
            self._jobs.append(job)
        self._current[lane] = job
        self._set_busy(lane, job.label)
        job.thread.start()
        return job

    def _supersede(self, lane: str) -> bool:
        """Bump the lane's generation and cancel its job; True if one was running."""
        self._generation[lane] = self._generation.get(lane, 0) + 1
        old = self._current.pop(lane, None)
        if old is not None:
            old.cancel()
        return old is not None and lane in self._busy

    def cancel(self, lanes: str | Iterable[str] | None = None) -> bool:
        """Cancel the running jobs (of ``lanes``, or all); True if any was running."""
        if lanes is None:
            names = set(self._current) | set(self._generation)
        else:
            names = {lanes} if isinstance(lanes, str) else set(lanes)
        was = False
        for lane in names:
            if self._supersede(lane):
                was = True
                self._set_busy(lane, None)
        return was

    def request_cancel(self, lane: str) -> bool:
        """Ask the lane's job to stop at its next yield and *say so*: unlike :meth:`cancel`, it
        stays current (busy) until it stops, then its ``on_cancelled`` runs (also when it ended
        before it saw the request). Its progress is no longer delivered. True if one runs."""
        job = self._current.get(lane)
        if job is None:
            return False
        job.cancel()
        return True

    def wait(self, timeout: float | None = 30.0) -> bool:
        """Wait for every started job's thread (tests, the command line); True if all ended."""
        with self._lock:
            jobs = list(self._jobs)
        for j in jobs:
            if j.thread is not None:
                j.thread.join(timeout)
        return not any(j.alive for j in jobs)

    def close(self, timeout: float | None = None) -> None:
        """Cancel every job and wait for its thread; nothing is delivered afterwards.

        A job stops at its next yield; work between two yields (a forward pass) is waited for.
        """
        self.closed = True
        for lane in list(self._current):
            self._supersede(lane)
        self._busy.clear()
        self.wait(timeout)

    # -- the worker thread ------------------------------------------------------------------

    def _drive(self, job: Job, factory: Factory, cbs: _Callbacks) -> None:
        try:
            it = factory()
            while True:
                if job.cancelled.is_set():
                    it.close()
                    self._deliver(job, "cancelled", None, cbs)
                    return
                try:
                    value = next(it)
                except StopIteration as stop:
                    self._deliver(job, "done", stop.value, cbs)
                    return
                self._deliver(job, "progress", Progress.of(value), cbs)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - reported to the user, never raised
            # a user's model may raise SystemExit or another BaseException in forward()
            log_unexpected(exc, f"job {job.lane}")
            self._deliver(job, "error", exc, cbs)

    def _deliver(self, job: Job, kind: str, payload: Any, cbs: _Callbacks) -> None:
        def on_ui() -> None:
            if not self.is_current(job):
                return  # superseded, cancelled or closed: dropped
            asked_to_stop = job.cancelled.is_set()
            if kind == "progress":
                if cbs.progress is not None and not asked_to_stop:
                    cbs.progress(payload)
                return
            self._current.pop(job.lane, None)
            self._set_busy(job.lane, None)
            # a job that ended before it saw the request: the user asked to stop
            what = "cancelled" if kind == "done" and asked_to_stop else kind
            if what == "done" and cbs.done is not None:
                cbs.done(payload)
            elif what == "error" and cbs.error is not None:
                cbs.error(payload)
            elif what == "cancelled" and cbs.cancelled is not None:
                cbs.cancelled()

        self._post(on_ui)
