"""The one job runner: stale results dropped, cancel, busy, typed progress, close while running."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import pytest

from explorer.app.jobs import JobRunner, Progress, scaled
from explorer.errors import ExplorerError


class UiThread:
    """Stands in for the window's UI thread: posted callables run when the test pumps them."""

    def __init__(self) -> None:
        self.q: queue.Queue[Callable[[], None]] = queue.Queue()

    def post(self, fn: Callable[[], None]) -> None:
        self.q.put(fn)

    def pump(self, timeout: float = 5.0) -> None:
        """Run what was posted until the queue stays empty for a moment."""
        while True:
            try:
                fn = self.q.get(timeout=timeout)
            except queue.Empty:
                return
            fn()
            timeout = 0.2


def gated(gate: threading.Event, value: object, steps: int = 1):
    def factory():
        for i in range(steps):
            yield Progress(i / steps, f"step {i}")
        gate.wait(10)
        return value

    return factory


def test_a_job_reports_progress_and_its_result() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    got: list[object] = []
    gate = threading.Event()
    gate.set()
    jobs.start("run", gated(gate, 42, steps=2), on_progress=got.append, on_done=got.append)
    assert jobs.wait()
    ui.pump()
    assert got == [Progress(0.0, "step 0"), Progress(0.5, "step 1"), 42]
    assert not jobs.busy()


def test_a_superseded_job_is_dropped_and_leaves_busy_to_the_newer_one() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    states: list[tuple[bool, str]] = []
    jobs.on_busy(lambda b, what: states.append((b, what)))
    first, second = threading.Event(), threading.Event()
    done: list[object] = []
    jobs.start("weights", gated(first, "old"), label="old load", on_done=done.append)
    jobs.start("weights", gated(second, "new"), label="new load", on_done=done.append)
    first.set()  # the stale one ends first ...
    ui.pump(timeout=0.5)
    assert jobs.busy("weights")  # ... and does not switch busy off under the newer one
    assert done == []
    second.set()
    jobs.wait()
    ui.pump()
    assert done == ["new"]
    assert not jobs.busy()
    assert states[-1] == (False, "")
    assert (True, "new load") in states


def test_lanes_are_independent() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    a, b = threading.Event(), threading.Event()
    done: list[object] = []
    jobs.start("accuracy", gated(a, "acc"), on_done=done.append)
    jobs.start("sweep", gated(b, "sweep"), on_done=done.append)
    assert jobs.busy("accuracy") and jobs.busy("sweep")
    a.set()
    b.set()
    jobs.wait()
    ui.pump()
    assert sorted(done) == ["acc", "sweep"]


def test_cancel_stops_between_yields_and_drops_the_result() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    reached = threading.Event()
    release = threading.Event()
    after: list[int] = []

    def factory():
        yield Progress(0.0, "started")
        reached.set()
        release.wait(10)
        yield Progress(0.5, "half")
        after.append(1)  # never: the job is cancelled at the yield above
        return "done"

    done: list[object] = []
    jobs.start("sweep", factory, on_done=done.append)
    assert reached.wait(5)
    assert jobs.cancel("sweep") is True
    assert not jobs.busy()
    release.set()
    jobs.wait()
    ui.pump(timeout=0.5)
    assert done == [] and after == []
    assert jobs.cancel("sweep") is False  # nothing left to cancel


def test_errors_travel_as_the_exception_object() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    errors: list[BaseException] = []

    def factory():
        yield Progress(0.0, "")
        raise ExplorerError("no such block 'x'")

    jobs.start("run", factory, on_error=errors.append)
    jobs.wait()
    ui.pump()
    assert len(errors) == 1 and isinstance(errors[0], ExplorerError)
    assert str(errors[0]) == "no such block 'x'"


def test_a_users_system_exit_is_reported_not_obeyed(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CNN_EXPLORER_CACHE", str(tmp_path))
    ui = UiThread()
    jobs = JobRunner(ui.post)
    errors: list[BaseException] = []

    def factory():
        yield Progress(0.0, "")
        raise SystemExit(3)

    jobs.start("run", factory, on_error=errors.append)
    jobs.wait()
    ui.pump()
    assert isinstance(errors[0], SystemExit)


def test_close_while_running_waits_and_delivers_nothing() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    reached, release = threading.Event(), threading.Event()
    done: list[object] = []

    def factory():
        yield Progress(0.0, "")
        reached.set()
        release.wait(10)
        return "late"

    jobs.start("model", factory, on_done=done.append)
    assert reached.wait(5)
    threading.Timer(0.2, release.set).start()
    jobs.close(timeout=10)
    ui.pump(timeout=0.5)
    assert done == []
    assert not jobs.busy()
    assert jobs.start("model", factory) is None  # nothing starts once closed


def test_progress_of_tuples_and_scaling() -> None:
    assert Progress.of((0.5, "half")) == Progress(0.5, "half")
    assert Progress.of((0.5, "half", [1])) == Progress(0.5, "half", [1])

    def sub():
        yield Progress(0.0, "a")
        yield Progress(1.0, "b")
        return 7

    def outer():
        v = yield from scaled(sub(), 0.5, 1.0)
        return v

    g = outer()
    assert next(g) == Progress(0.5, "a")
    assert next(g) == Progress(1.0, "b")
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == 7


def test_request_cancel_keeps_the_job_busy_until_it_says_it_stopped() -> None:
    ui = UiThread()
    jobs = JobRunner(ui.post)
    reached, release = threading.Event(), threading.Event()
    seen: list[str] = []

    def factory():
        yield Progress(0.0, "")
        reached.set()
        release.wait(10)
        yield Progress(0.5, "never delivered")
        return "done"

    jobs.start(
        "speed",
        factory,
        on_progress=lambda p: seen.append(p.message),
        on_done=lambda v: seen.append("done"),
        on_cancelled=lambda: seen.append("cancelled"),
    )
    assert reached.wait(5)
    ui.pump(timeout=0.3)
    assert jobs.request_cancel("speed")
    assert jobs.busy("speed")
    release.set()
    jobs.wait()
    ui.pump()
    assert seen == ["", "cancelled"]
    assert not jobs.busy()
