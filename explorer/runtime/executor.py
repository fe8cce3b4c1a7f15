"""Independent evaluations (a landscape's grid points, a sweep's deletion sets or data shards)
handed to an executor: in this process (the default) or on a Ray cluster.

A :class:`Work` is what every worker needs once (``payload``: the network, its directions, the
evaluation images), how a worker turns it into its state (``setup``, once per worker: the
network built and kept) and how one unit is evaluated with that state (``run``). An executor's
:meth:`map` gives ``(index, result)`` pairs in any order, each unit exactly once; closing the
iterator (a Cancel) stops the units not yet done.

With Ray the payload goes into the object store once (``ray.put``); each worker is an actor that
builds its state from it once; a worker that dies has its unit run again on a fresh one (at most
:data:`TRIES` times per unit), a result is taken once per unit, never twice.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from explorer.errors import ExplorerError

#: how many times a unit is tried on a worker that dies under it before the run fails
TRIES = 3
INSTALL = 'Ray is not installed: pip install "cnn-explorer[distributed]" (or pip install ray)'


class ExecutorError(ExplorerError):
    """Ray missing, a cluster that cannot be reached, workers that keep dying."""


@dataclass(frozen=True)
class Work:
    """``setup(payload, device) -> state`` once per worker; ``run(state, unit) -> result`` per
    unit; ``teardown(state)`` at the end in this process (the network's weights put back)."""

    setup: Callable[[Any, Any], Any]
    run: Callable[[Any, Any], Any]
    payload: Any
    teardown: Callable[[Any], None] | None = None


class InProcess:
    """The units one after the other in this process, on ``device``."""

    name = "in-process"

    def __init__(self, device: Any = "cpu") -> None:
        self.device = device
        self.workers = 1
        self.took_part = 1

    def map(self, work: Work, units: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        state = work.setup(work.payload, self.device)
        try:
            for i, unit in enumerate(units):
                yield i, work.run(state, unit)
        finally:
            if work.teardown is not None:
                work.teardown(state)

    def copies(self) -> int:
        """How many copies of the evaluation images this machine holds: the one read."""
        return 1

    def close(self) -> None:
        """Nothing to give back."""


def ray_module() -> Any:
    """``ray``, or the one line that says how to install it."""
    try:
        import ray
    except ImportError:
        raise ExecutorError(INSTALL) from None
    return ray


def check_address(address: str) -> str:
    """``local``, ``auto``, ``ray://HOST:PORT`` or ``HOST:PORT``; else the one line."""
    a = address.strip()
    if a in ("local", "auto") or _host_port(a.removeprefix("ray://")):
        return a
    raise ExecutorError(
        f"--ray {address!r}: give local (a Ray instance on this machine), auto (the cluster "
        "this machine belongs to) or a cluster's address (ray://HOST:10001 or HOST:6379)"
    )


def check_workers(address: str, workers: int | None) -> None:
    """1 or more; on a local instance no more than the cores (each is a process holding the
    network and the images)."""
    if workers is None:
        return
    if workers < 1:
        raise ExecutorError(f"--workers {workers}: give 1 or more")
    cores = os.cpu_count() or 1
    if address == "local" and workers > cores:
        raise ExecutorError(
            f"--workers {workers}: this machine has {cores} cores (a local Ray instance "
            "runs one worker per core at most; a cluster gives more)"
        )


def reachable(address: str, timeout: float = 5.0) -> None:
    """Something listens at the address's HOST:PORT, else the one line (Ray itself would
    retry for minutes, Ctrl-C included)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ExecutorError(
            f"Ray at {address}: nothing answers at {host}:{port} ({exc.strerror or exc}); is a "
            "Ray head running there (ray start --head)?"
        ) from None


@contextmanager
def _ray_starting() -> Iterator[None]:
    """Ray started without its notices (token authentication on, as it should be; no SIGTERM
    handler off the main thread) and without taking over SIGTERM: a job scheduler's SIGTERM
    stops the program as it does without Ray."""
    import signal
    import threading

    names = ("ray._private.authentication", "ray._private.worker", "ray")
    levels = [logging.getLogger(n).level for n in names]
    for n in names:
        logging.getLogger(n).setLevel(logging.ERROR)
    main = threading.current_thread() is threading.main_thread()
    term = signal.getsignal(signal.SIGTERM) if main else None
    try:
        yield
    finally:
        for n, level in zip(names, levels, strict=True):
            logging.getLogger(n).setLevel(level)
        if main:
            signal.signal(signal.SIGTERM, term if term is not None else signal.SIG_DFL)


def _raylet_lines_to_stderr() -> None:
    """Ray prints a worker's death ("A worker died or was killed ...") on standard output, where
    ``--json`` goes: said on standard error instead, its first sentence."""
    import sys

    try:
        import ray._private.worker as rw
    except ImportError:
        return
    original = rw.print_to_stdstream
    if getattr(original, "_to_stderr", False):
        return

    def to_stderr(data: Any, *args: Any, **kwargs: Any) -> Any:
        if data.get("pid") != "raylet":
            return original(data, *args, **kwargs)
        text = " ".join(str(line) for line in data.get("lines", []))
        print(f"  ray: {text.split('. ')[0].strip()[:200]}", file=sys.stderr, flush=True)
        return None

    to_stderr._to_stderr = True  # type: ignore[attr-defined]
    rw.print_to_stdstream = to_stderr


def _user_modules_by_value(ray: Any) -> None:
    """A user's model file is imported under a name no worker can import: its code goes with
    the network (cloudpickle by value)."""
    import sys

    from explorer.models.registry import USER_MODULE_PREFIX

    for name, module in list(sys.modules.items()):
        if name.startswith(USER_MODULE_PREFIX) and module is not None:
            ray.cloudpickle.register_pickle_by_value(module)


def _init_failed(exc: BaseException) -> str:
    """A worker that could not even start its state (its arguments did not unpickle): the
    cause's last line."""
    text = str(getattr(exc, "error_msg", "") or exc).strip().splitlines()
    return f"a Ray worker could not start: {text[-1].strip() if text else type(exc).__name__}"


@contextmanager
def _stderr_quiet() -> Iterator[None]:
    """The process's standard error (fd 2, where Ray's C++ core writes) sent nowhere."""
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no fd 2 to quiet
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _host_port(a: str) -> bool:
    host, _, port = a.rpartition(":")
    return bool(host.strip("[]")) and "/" not in host and port.isdigit() and 0 < int(port) < 65536


class _Worker:
    """A Ray actor's body: the state built once from the payload, then unit after unit."""

    def __init__(self, setup: Callable[[Any, Any], Any], payload: Any, threads: int) -> None:
        import torch

        if threads > 0:
            torch.set_num_threads(threads)
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.error: BaseException | None = None
        try:
            self.state = setup(payload, self.device)
        except Exception as exc:  # noqa: BLE001 - said by the first unit, as its own error
            self.state, self.error = None, exc

    def ready(self) -> bool:
        return self.error is None

    def run(self, run: Callable[[Any, Any], Any], unit: Any) -> tuple[float, Any]:
        """(seconds the unit took here, its result)"""
        if self.error is not None:  # the network could not be built here: the user's line
            raise self.error
        start = time.perf_counter()
        result = run(self.state, unit)
        return time.perf_counter() - start, result


class RayExecutor:
    """Units spread over Ray workers: ``address`` ``local`` starts a Ray instance on this
    machine with ``workers`` CPUs (default: one per core); any other address joins that
    cluster (``auto``, ``ray://...``). ``threads``: torch threads per worker."""

    name = "ray"

    def __init__(self, address: str = "local", workers: int | None = None, threads: int = 1):
        ray = ray_module()
        self.address = check_address(address)
        check_workers(self.address, workers)
        cores = os.cpu_count() or 1
        self.threads = threads
        self.started = False
        if not ray.is_initialized():
            if self.address not in ("local", "auto"):
                reachable(self.address)  # nobody there: one line now, not Ray's minutes
            opts: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "configure_logging": False,
            }
            try:
                with _ray_starting():
                    if self.address == "local":  # a new instance ($RAY_ADDRESS or not)
                        ray.init(address="local", num_cpus=workers or cores, **opts)
                    else:
                        with _stderr_quiet():  # a cluster not there: a warning a second
                            ray.init(address=self.address, **opts)
            except Exception as exc:  # noqa: BLE001 - Ray's many ways of failing to connect
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ExecutorError(f"Ray at {self.address}: {first.rstrip(':')}") from None
            self.started = True
            _raylet_lines_to_stderr()
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, min(workers or cpus, cpus))
        self.gpus = float(ray.cluster_resources().get("GPU", 0.0))
        #: how many workers gave results in the last map
        self.took_part = 0
        self.start_s = 0.0
        #: seconds the workers spent on the last map's units (their own clocks)
        self.busy_s = 0.0

    def map(self, work: Work, units: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        ray = ray_module()
        from ray.exceptions import RayActorError, RayTaskError, WorkerCrashedError

        todo = list(units)
        if not todo:
            return
        n = min(self.workers, len(todo))
        gpu = min(1.0, self.gpus / n) if self.gpus else 0.0
        actor_cls = ray.remote(num_cpus=1, num_gpus=gpu)(_Worker)
        _user_modules_by_value(ray)
        try:
            payload = ray.put(work.payload)  # once: every worker reads the same object
        except Exception as exc:  # noqa: BLE001 - what cannot be pickled: said in one line
            raise ExecutorError(f"the network cannot be sent to Ray workers: {exc}") from None
        refs = [ray.put(u) for u in todo]  # a unit tried again is not put again
        start = time.perf_counter()
        actors = [actor_cls.remote(work.setup, payload, self.threads) for _ in range(n)]
        idle = deque(actors)  # ``actors``: every one made, killed at the end whatever happens
        # a worker's place: a worker that replaces a dead one takes its place (not counted)
        slot = {a._actor_id.hex(): k for k, a in enumerate(actors)}
        pending: deque[tuple[int, int]] = deque((i, 0) for i in range(len(todo)))
        running: dict[Any, tuple[Any, int, int]] = {}
        done: set[int] = set()
        gave: set[int] = set()
        self.took_part = 0
        self.busy_s = 0.0
        try:
            try:  # every worker started and its state built (a dead one is dealt with below)
                ray.get([a.ready.remote() for a in actors])
            except RayActorError as exc:
                if getattr(exc, "actor_init_failed", False):  # its arguments did not unpickle
                    raise ExecutorError(_init_failed(exc)) from None
            except WorkerCrashedError:
                pass
            #: seconds until the workers of the last map were ready (started, state built)
            self.start_s = time.perf_counter() - start
            while pending or running:
                while pending and idle:
                    actor = idle.popleft()
                    i, tries = pending.popleft()
                    running[actor.run.remote(work.run, refs[i])] = (actor, i, tries)
                ready, _ = ray.wait(list(running), num_returns=1)
                ref = ready[0]
                actor, i, tries = running.pop(ref)
                try:
                    took, result = ray.get(ref)
                except (RayActorError, WorkerCrashedError) as exc:
                    if getattr(exc, "actor_init_failed", False):
                        raise ExecutorError(_init_failed(exc)) from None
                    if tries + 1 >= TRIES:
                        raise ExecutorError(
                            f"a Ray worker died {TRIES} times on unit {i + 1} of {len(todo)}"
                        ) from None
                    pending.appendleft((i, tries + 1))
                    ray.kill(actor, no_restart=True)
                    actors.append(actor_cls.remote(work.setup, payload, self.threads))
                    slot[actors[-1]._actor_id.hex()] = slot[actor._actor_id.hex()]
                    idle.append(actors[-1])
                    continue
                except RayTaskError as exc:  # the unit's own error: the one line it says
                    cause = getattr(exc, "cause", None)
                    raise (cause if isinstance(cause, BaseException) else exc) from None
                idle.append(actor)
                if i in done:  # never counted twice
                    continue
                done.add(i)
                self.busy_s += took
                gave.add(slot[actor._actor_id.hex()])
                self.took_part = len(gave)
                yield i, result
        finally:  # done, failed or cancelled: the workers go (a unit under way stops with its)
            for actor in actors:
                ray.kill(actor, no_restart=True)

    def copies(self) -> int:
        """How many copies of the evaluation images this machine holds: the one read, the
        object store's and, on a local instance, each worker's."""
        return 2 + (self.workers if self.address == "local" else 0)

    def close(self) -> None:
        """Stop the Ray instance this executor started (a joined cluster goes on)."""
        if self.started:
            ray_module().shutdown()
            self.started = False


def check_request(ray: str | None, workers: int | None) -> str | None:
    """``--ray``/``--workers`` as asked, checked before any work (Ray missing included):
    the address (None: this process), else ExecutorError's one line."""
    if ray is None:
        if workers is not None:
            raise ExecutorError("--workers goes with --ray (local or a cluster's address)")
        return None
    address = check_address(ray)
    check_workers(address, workers)
    ray_module()
    return address


def starting_line(ray: str) -> str:
    """What the user reads while Ray starts or is joined (seconds)."""
    return (
        "starting a local Ray instance" if ray == "local" else f"joining the Ray cluster at {ray}"
    )


def check_data_fits(ex: Any, n: int, shape: tuple[int, ...]) -> None:
    """``n`` evaluation images of ``shape``, as many times as ``ex`` holds them on this
    machine, within the memory limit (explorer.limits); in this process: nothing to add."""
    if isinstance(ex, InProcess):
        return
    from explorer.limits import check_bytes, tensor_bytes

    k = ex.copies()
    check_bytes(
        k * tensor_bytes((n, *shape)), f"{n} evaluation images of {shape} ({k} copies on Ray)"
    )


def executor_for(ray: str | None, workers: int | None, device: Any) -> InProcess | RayExecutor:
    """In-process on ``device`` (``ray`` None), else Ray at that address."""
    if check_request(ray, workers) is None:
        return InProcess(device)
    return RayExecutor(ray, workers)
