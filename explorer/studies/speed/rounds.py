"""Measured speed on this machine: images/s, the device's peak, and achieved GFLOP/s (no Qt).

The measurement the Compare view and ``cnn-explorer compare --measure`` show: every chosen
network is built (and, for RepVGG networks, optionally fused), warmed up, then timed in
rounds; each round runs every network once and a large matrix product once, in an order
reversed every other round, so that noise from other processes falls on all of them alike
and the peak is measured in the same run. A figure is the median of the rounds, with the
spread (min and max) beside it.

Achieved GFLOP/s = 2 x MACs x images/s (one multiply-accumulate is two floating-point
operations), against the peak of the same device in the same precision. Long work is a
generator yielding ``(fraction, message, partial report)``; it can be cancelled between yields.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from explorer.errors import one_line
from explorer.runtime.inference import autocast, check_precision, device_label, timed
from explorer.runtime.inference import resolve_device as _resolve_device
from explorer.studies.speed.layer_kinds import KindRow, kind_profile

Progress = Generator[tuple[float, str, Any], None, Any]


@dataclass
class Timing:
    """Seconds of each timed run."""

    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def worst(self) -> float:
        return max(self.seconds)

    @property
    def spread(self) -> float:
        """(max - min) / median: how far apart the runs lie."""
        return (self.worst - self.best) / self.median

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_s": self.median,
            "min_s": self.best,
            "max_s": self.worst,
            "spread": self.spread,
            "runs": len(self.seconds),
        }


PEAK_SIZE = {"cuda": 8192, "mps": 4096, "cpu": 2048}
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass
class Peak:
    """The device's peak, measured as an n x n by n x n matrix product (2 n^3 FLOPs)."""

    n: int
    dtype: str
    timing: Timing

    @property
    def flops(self) -> float:
        return 2.0 * self.n**3

    @property
    def gflops(self) -> float:
        """At the median time."""
        return self.flops / self.timing.median / 1e9

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "dtype": self.dtype, "gflops": self.gflops, **self.timing.as_dict()}


def matmul_task(
    device: torch.device, precision: str, n: int | None = None
) -> tuple[int, Callable[[], Any]]:
    """A large matrix product on ``device`` in the precision's dtype: (n, the call)."""
    n = n or PEAK_SIZE.get(device.type, 2048)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=gen).to(device=device, dtype=DTYPES[precision])
    b = torch.randn(n, n, generator=gen).to(device=device, dtype=DTYPES[precision])
    return n, lambda: torch.mm(a, b)


class Tf32Like:
    """fp32 matrix products may use TF32 exactly when cuDNN's convolutions may.

    torch allows TF32 in convolutions by default but not in matrix products; a peak measured
    without it would sit below what the convolutions reach.
    """

    def __init__(self, device: torch.device, precision: str) -> None:
        self.active = device.type == "cuda" and precision == "fp32"

    def __enter__(self) -> None:
        if self.active:
            self.old = torch.backends.cuda.matmul.allow_tf32
            torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32

    def __exit__(self, *exc: object) -> None:
        if self.active:
            torch.backends.cuda.matmul.allow_tf32 = self.old


def interleaved(
    tasks: Sequence[tuple[str, Callable[[], Any]]],
    device: torch.device,
    repeats: int,
    warmup: int,
    what: str = "timing",
    failed: dict[str, str] | None = None,
) -> Generator[tuple[float, str, dict[str, Timing]], None, dict[str, Timing]]:
    """Time every task ``repeats`` times in rounds (order reversed every other round).

    Yields after every timed call ``(fraction, message, timings so far)``. A task that raises
    is named in a ``RuntimeError``; with ``failed`` it is instead recorded there (name -> the
    error in one line), dropped from the rounds, and the others go on.
    """
    timings = {name: Timing() for name, _ in tasks}
    active = list(tasks)
    total = max(1, (warmup + repeats) * len(tasks))
    done = 0

    def run(name: str, fn: Callable[[], Any]) -> float | None:
        try:
            return timed(fn, device)
        except Exception as exc:  # noqa: BLE001 - e.g. out of memory: say which run failed
            if failed is None:
                raise RuntimeError(f"{name}: {one_line(exc)}") from exc
            failed[name] = one_line(exc)
            active[:] = [t for t in active if t[0] != name]
            timings[name].seconds.clear()
            return None

    for w in range(warmup):
        for name, fn in list(active):
            run(name, fn)
            done += 1
            yield min(1.0, done / total), f"warming up {name} ({w + 1}/{warmup})", timings
    for r in range(repeats):
        for name, fn in list(active) if r % 2 == 0 else list(active)[::-1]:
            t = run(name, fn)
            if t is not None:
                timings[name].seconds.append(t)
            done += 1
            yield min(1.0, done / total), f"{what}: round {r + 1}/{repeats}, {name}", timings
    return timings


def default_batch(device: torch.device) -> int:
    return 64 if device.type == "cuda" else 8


# ---------------------------------------------------------------------------------------------
# networks


@dataclass
class SpeedResult:
    """One network measured: images/s with its spread, MACs, achieved GFLOP/s."""

    name: str
    label: str
    family: str
    fused: bool
    batch: int
    resolution: int
    macs: int
    params: int
    timing: Timing
    kinds: list[KindRow] = field(default_factory=list)

    @property
    def images_per_s(self) -> float:
        return self.batch / self.timing.median

    @property
    def images_per_s_range(self) -> tuple[float, float]:
        return self.batch / self.timing.worst, self.batch / self.timing.best

    @property
    def gflops(self) -> float:
        return 2.0 * self.macs * self.images_per_s / 1e9

    def as_dict(self, peak: Peak | None = None) -> dict[str, Any]:
        lo, hi = self.images_per_s_range
        return {
            "name": self.name,
            "label": self.label,
            "family": self.family,
            "fused": self.fused,
            "batch": self.batch,
            "resolution": self.resolution,
            "macs_per_image": self.macs,
            "params": self.params,
            "images_per_s": self.images_per_s,
            "images_per_s_min": lo,
            "images_per_s_max": hi,
            "ms_per_batch": self.timing.median * 1e3,
            "gflops": self.gflops,
            "fraction_of_peak": None if peak is None else self.gflops / peak.gflops,
            "timing": self.timing.as_dict(),
            "kinds": [k.as_dict() for k in self.kinds],
        }


@dataclass
class SpeedReport:
    """A whole measurement: the device, its peak, every network's result."""

    device: str
    precision: str
    batch: int
    repeats: int
    warmup: int
    peak: Peak | None = None
    results: list[SpeedResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = False
    #: set by a viewer when the run ended early: "cancelled" or "failed"
    stopped: str = ""

    def snapshot(self) -> SpeedReport:
        """A copy that later rounds do not change (what a viewer on another thread gets)."""
        return copy.deepcopy(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "precision": self.precision,
            "batch": self.batch,
            "repeats": self.repeats,
            "warmup": self.warmup,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "peak": None if self.peak is None else self.peak.as_dict(),
            "results": [r.as_dict(self.peak) for r in self.results],
            "failed": [{"name": n, "error": e} for n, e in self.failed],
        }


def can_fuse(model: nn.Module) -> bool:
    """Whether ``model`` has RepVGG blocks whose branches can be fused."""
    from explorer.studies.fusion.repvgg import find_repvgg_blocks

    return any(not fused for fused in find_repvgg_blocks(model).values())


def free_memory(device: torch.device) -> int | None:
    """Bytes free for weights on ``device`` (CUDA: the GPU's; CPU: MemAvailable), or None."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    if device.type == "cpu":
        from explorer.limits import available_memory

        return available_memory()
    return None


def check_memory(names: Sequence[str], fuse: bool, free: int | None) -> None:
    """Refuse a measurement whose networks' weights would not fit in half of ``free`` bytes.

    Every chosen network is held at once (the rounds interleave them), in fp32, and a fused
    RepVGG network a second time. Networks without a known parameter count are not counted.
    """
    from explorer.models.registry import RegistryError, get

    if free is None:
        return
    need = 0
    for name in names:
        try:
            spec = get(name)
        except RegistryError:  # reported with the others that cannot be built
            continue
        params = spec.reference_params() or 0
        need += params * 4 * (2 if fuse and spec.family == "RepVGG" else 1)
    if need > free / 2:
        raise MemoryError(
            f"the {len(names)} networks hold {need / 2**30:.1f} GiB of weights, more than half "
            f"of the {free / 2**30:.1f} GiB free here: measure fewer at once"
        )


def _prepare(
    name: str, resolution: int | None, fuse: bool
) -> list[tuple[str, bool, nn.Module, int, int, int, Any]]:
    """Build a network (and its fused form): [(label, fused, model, resolution, MACs, params, graph)]."""
    from explorer.graph.counting import count_params
    from explorer.graph.trace import build_graph
    from explorer.models.registry import get
    from explorer.studies.fusion.repvgg import fuse_repvgg

    spec = get(name)
    model = spec.build()
    c, h, _ = spec.input_size
    res = resolution or h
    variants = [(spec.name, False, model)]
    if fuse and can_fuse(model):
        variants.append((spec.name + " (fused)", True, fuse_repvgg(model).model))
    out = []
    for label, fused, m in variants:
        graph = build_graph(m, (1, c, res, res))
        params = count_params(m)
        out.append((label, fused, m.eval(), res, graph.total_macs, params, graph))
    return out


def measure_speed(
    names: Sequence[str],
    device: str = "auto",
    batch: int | None = None,
    resolution: int | None = None,
    repeats: int = 10,
    warmup: int = 3,
    precision: str = "fp32",
    fuse: bool = False,
    kinds: bool = False,
    peak_n: int | None = None,
) -> Progress:
    """Generator: measure ``names`` on ``device``; returns a :class:`SpeedReport`.

    Parameters
    ----------
    batch
        Images per forward pass (default 64 on a CUDA GPU, 8 elsewhere).
    resolution
        Input height = width for every network (default: each network's own).
    fuse
        Also measure the deploy form (branches fused into one conv) of RepVGG networks.
    kinds
        Also time each layer kind (an extra, instrumented pass per network).

    A network that cannot be built or run is reported in ``failed`` and the others go on.
    """
    names = list(dict.fromkeys(names))  # a network named twice is measured once
    dev = _resolve_device(device)
    precision = check_precision(precision, dev)
    batch = batch or default_batch(dev)
    check_memory(names, fuse, free_memory(dev))  # all are held at once: refuse before building
    report = SpeedReport(device_label(dev, precision), precision, batch, repeats, warmup)
    entries: list[tuple[SpeedResult, nn.Module, torch.Tensor, Any]] = []
    from explorer.limits import check_bytes, tensor_bytes
    from explorer.models.registry import get
    from explorer.runtime.inference import check_activations

    for i, name in enumerate(names):
        yield 0.2 * i / max(1, len(names)), f"building {name}", report.snapshot()
        try:
            spec = get(name)
            for label, fused, m, res, macs, params, graph in _prepare(name, resolution, fuse):
                shape = (batch, spec.input_size[0], res, res)
                check_bytes(tensor_bytes(shape), f"a {'x'.join(map(str, shape))} float32 input")
                if dev.type == "cpu":  # the layers' outputs, before any is made
                    check_activations(m, shape)
                m.to(dev)
                gen = torch.Generator().manual_seed(0)
                x = torch.randn(*shape, generator=gen).to(dev)
                with torch.inference_mode(), autocast(dev, precision):
                    m(x)  # a network that fails to run is reported here, before the timing
                result = SpeedResult(
                    name, label, spec.family, fused, batch, res, macs, params, Timing()
                )
                entries.append((result, m, x, graph))
        except Exception as exc:  # noqa: BLE001 - one network's failure is reported, not fatal
            report.failed.append((name, one_line(exc)))
            if dev.type == "cuda":
                torch.cuda.empty_cache()

    def forward(m: nn.Module, x: torch.Tensor) -> Callable[[], Any]:
        def run() -> Any:
            with autocast(dev, precision):
                return m(x)

        return run

    n, mm = matmul_task(dev, precision, peak_n)
    tasks: list[tuple[str, Callable[[], Any]]] = [("peak", mm)]
    tasks += [(r.label, forward(m, x)) for r, m, x, _ in entries]
    built_failed = list(report.failed)
    failed: dict[str, str] = {}
    old_bench = torch.backends.cudnn.benchmark
    try:
        torch.backends.cudnn.benchmark = True
        # the layer kinds are timed in the same maths modes as the rounds
        with torch.inference_mode(), Tf32Like(dev, precision):
            for frac, msg, timings in interleaved(tasks, dev, repeats, warmup, failed=failed):
                _fill(report, entries, timings, n, precision, built_failed, failed)
                yield 0.2 + 0.7 * frac, msg, report.snapshot()
            measured = [e for e in entries if any(e[0] is r for r in report.results)]
            for i, (r, m, x, graph) in enumerate(measured if kinds else []):
                yield (
                    0.9 + 0.1 * i / max(1, len(measured)),
                    f"timing layer kinds of {r.label}",
                    report.snapshot(),
                )
                try:
                    r.kinds = kind_profile(
                        m, graph, x, precision=precision, plain_seconds=r.timing.median
                    )
                except Exception as exc:  # noqa: BLE001 - its speed stands; say what failed
                    report.failed.append((r.label, f"layer kinds: {one_line(exc)}"))
    finally:
        torch.backends.cudnn.benchmark = old_bench
    report.complete = True
    return report


def _fill(
    report: SpeedReport,
    entries: list,
    timings: dict[str, Timing],
    n: int,
    precision: str,
    built_failed: list[tuple[str, str]],
    failed: dict[str, str],
) -> None:
    """The report from the rounds so far; a network that failed in them is not in it."""
    peak = timings.get("peak")
    report.peak = Peak(n, precision, peak) if peak is not None and peak.seconds else None
    report.results = []
    for r, _, _, _ in entries:
        t = timings.get(r.label)
        if r.label not in failed and t is not None and t.seconds:
            r.timing = t
            report.results.append(r)
    report.failed = built_failed + [(name, err) for name, err in failed.items()]
