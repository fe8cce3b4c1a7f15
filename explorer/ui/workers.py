"""Run a core generator on a worker thread; its yields and result come back as signals.

Every run carries a generation number: a result from an older generation is
dropped by the receiver. A run can be cancelled between yields.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot


class GeneratorWorker(QObject):
    """Drives ``factory()`` (a generator) to its end on the thread it lives in."""

    yielded = Signal(int, object)
    finished = Signal(int, object)
    errored = Signal(int, str)
    cancelled = Signal(int)

    def __init__(self, factory: Callable[[], Generator[Any, None, Any]], generation: int):
        super().__init__()
        self._factory = factory
        self.generation = generation
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    @Slot()
    def run(self) -> None:
        gen = self.generation
        try:
            it = self._factory()
            while True:
                if self._cancel:
                    it.close()
                    self.cancelled.emit(gen)
                    return
                try:
                    value = next(it)
                except StopIteration as stop:
                    self.finished.emit(gen, stop.value)
                    return
                self.yielded.emit(gen, value)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported, never raised
            self.errored.emit(gen, error_message(exc))


def error_message(exc: BaseException) -> str:
    """One line for the user: our own errors speak for themselves, others get their type."""
    from explorer.graph.trace import TraceError
    from explorer.models.registry import RegistryError
    from explorer.models.weights import WeightsError
    from explorer.runtime.datasets import DataError
    from explorer.runtime.images import ImageError
    from explorer.runtime.inference import DeviceError
    from explorer.studies.lesion.surgery import LesionError

    text = str(exc).strip() or type(exc).__name__
    # the program's own errors already say, in one line, what is wrong
    if isinstance(
        exc,
        RegistryError
        | TraceError
        | WeightsError
        | ImageError
        | LesionError
        | DataError
        | DeviceError,
    ):
        return text.splitlines()[0]
    return f"{type(exc).__name__}: {text}"


class WorkerPool(QObject):
    """Keeps running workers and their threads alive until they end."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running: list[tuple[QThread, GeneratorWorker]] = []

    def start(
        self,
        factory: Callable[[], Generator[Any, None, Any]],
        generation: int,
        on_yield: Callable[[int, object], None] | None = None,
        on_done: Callable[[int, object], None] | None = None,
        on_error: Callable[[int, str], None] | None = None,
    ) -> GeneratorWorker:
        thread = QThread()
        worker = GeneratorWorker(factory, generation)
        worker.moveToThread(thread)
        if on_yield is not None:
            worker.yielded.connect(on_yield)
        if on_done is not None:
            worker.finished.connect(on_done)
        if on_error is not None:
            worker.errored.connect(on_error)
        for sig in (worker.finished, worker.errored, worker.cancelled):
            sig.connect(thread.quit)
        thread.started.connect(worker.run)
        thread.finished.connect(lambda t=thread, w=worker: self._forget(t, w))
        self._running.append((thread, worker))
        thread.start()
        return worker

    def _forget(self, thread: QThread, worker: GeneratorWorker) -> None:
        self._running = [(t, w) for t, w in self._running if t is not thread]
        worker.deleteLater()
        thread.deleteLater()

    def cancel_all(self) -> None:
        for _, w in self._running:
            w.cancel()

    def wait_all(self) -> None:
        """Cancel every run and wait for its thread: a running QThread must not be destroyed.

        A run stops at its next yield; a build between two yields is waited for.
        """
        for _, w in self._running:
            w.cancel()
        for t, _ in list(self._running):
            t.quit()
            t.wait()

    @property
    def busy(self) -> bool:
        return bool(self._running)


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
