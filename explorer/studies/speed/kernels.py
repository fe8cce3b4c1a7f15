"""RepVGG's Table 1 on this machine: one convolution of kernel size 1, 3, 5 and 7 (no Qt).

The same convolution (``channels`` in and out, stride 1, "same" padding) at equal batch and
resolution for each kernel size: its theoretical operations, its measured time and the
TFLOP/s it achieves, beside the device's peak measured in the same run (a large matrix
product, see :mod:`explorer.studies.speed.rounds`). RepVGG's point: the operations grow with k^2,
but a 3x3 convolution reaches the highest throughput (Winograd and tuned kernels), so a plain
stack of 3x3 convolutions runs closest to the hardware's peak.

The RepVGG paper ran it with batch 32, 2048 channels and 56x56 on a GTX 1080 Ti; that is the
default on a CUDA GPU. On a CPU the default is batch 1 and 256 channels, which takes seconds.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

    from explorer.studies.speed.rounds import Peak, Progress, Timing

# torch is imported by the functions that run the experiment, so that the window's Kernels
# tab (its defaults, its parsing of the sizes) loads without torch

#: (batch, channels, size) by device type; RepVGG's own setting on a CUDA GPU
DEFAULTS = {"cuda": (32, 2048, 56), "mps": (8, 512, 56), "cpu": (1, 256, 56)}


def parse_kernels(text: str) -> list[int]:
    """Kernel sizes from ``"1,3,5,7"`` (commas or spaces); duplicates are dropped.

    Raises
    ------
    ValueError
        With a one-line message, for an empty list, a word that is not a whole number, or
        a size that is not odd and positive (a "same" padded convolution needs an odd one).
    """
    words = [w for w in text.replace(",", " ").split() if w]
    if not words:
        raise ValueError("kernel sizes: give at least one, e.g. 1,3,5,7")
    sizes: list[int] = []
    for w in words:
        try:
            k = int(w)
        except ValueError:
            raise ValueError(f"kernel sizes: '{w}' is not a whole number (e.g. 1,3,5,7)") from None
        if k < 1 or k % 2 == 0:
            raise ValueError(f"kernel sizes: {k} is not odd and positive (e.g. 1,3,5,7)")
        if k not in sizes:
            sizes.append(k)
    return sizes


@dataclass
class KernelRow:
    """One kernel size: the conv's operations and its measured time."""

    k: int
    macs: int
    timing: Timing

    @property
    def gflop(self) -> float:
        """Theoretical GFLOP of one pass (2 per multiply-accumulate)."""
        return 2.0 * self.macs / 1e9

    @property
    def tflops(self) -> float:
        """Achieved TFLOP/s at the median time."""
        return 2.0 * self.macs / self.timing.median / 1e12

    def as_dict(self, peak: Peak | None = None) -> dict[str, Any]:
        return {
            "kernel": f"{self.k}x{self.k}",
            "macs": self.macs,
            "gflop": self.gflop,
            "ms": self.timing.median * 1e3,
            "tflops": self.tflops,
            "fraction_of_peak": None if peak is None else self.tflops * 1e3 / peak.gflops,
            "timing": self.timing.as_dict(),
        }


@dataclass
class KernelReport:
    device: str
    precision: str
    batch: int
    channels: int
    size: int
    repeats: int
    rows: list[KernelRow] = field(default_factory=list)
    peak: Peak | None = None
    complete: bool = False
    #: kernel sizes (or "peak") that failed, e.g. out of memory: (name, the error in one line)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def snapshot(self) -> KernelReport:
        """A copy that later runs do not change (what a viewer on another thread gets)."""
        return copy.deepcopy(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "precision": self.precision,
            "batch": self.batch,
            "channels": self.channels,
            "size": self.size,
            "repeats": self.repeats,
            "torch": _torch_version(),
            "peak": None if self.peak is None else self.peak.as_dict(),
            "rows": [r.as_dict(self.peak) for r in self.rows],
            "failed": [{"name": n, "error": e} for n, e in self.failed],
        }


def conv_macs(batch: int, channels: int, size: int, k: int) -> int:
    """MACs of a stride-1, same-padded k x k convolution, ``channels`` in and out."""
    return batch * channels * channels * size * size * k * k


def kernel_experiment(
    device: str = "auto",
    batch: int | None = None,
    channels: int | None = None,
    size: int | None = None,
    kernels: Sequence[int] = (1, 3, 5, 7),
    repeats: int = 7,
    warmup: int = 2,
    precision: str = "fp32",
    peak_n: int | None = None,
) -> Progress:
    """Generator: time one conv per kernel size, interleaved with the peak; returns a KernelReport."""
    import torch
    from torch import nn

    from explorer.runtime.inference import autocast, check_precision, device_label, resolve_device
    from explorer.studies.speed.rounds import Tf32Like, interleaved, matmul_task

    if not kernels or any(int(k) <= 0 or int(k) % 2 == 0 for k in kernels):
        # an even kernel with padding k // 2 changes the output size: not the same conv
        raise ValueError(f"kernel sizes must be odd and positive, got {list(kernels)}")
    dev = resolve_device(device)
    precision = check_precision(precision, dev)
    d_batch, d_channels, d_size = DEFAULTS.get(dev.type, DEFAULTS["cpu"])
    batch, channels, size = batch or d_batch, channels or d_channels, size or d_size
    report = KernelReport(device_label(dev, precision), precision, batch, channels, size, repeats)
    from explorer.limits import check_bytes, tensor_bytes

    # the input and one conv's output held at once, and the largest kernel's weights
    need = 2 * tensor_bytes((batch, channels, size, size)) + tensor_bytes(
        (channels, channels, max(kernels), max(kernels))
    )
    check_bytes(need, f"a {batch}x{channels}x{size}x{size} input and its conv output")
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(batch, channels, size, size, generator=gen).to(dev)
    convs = {}
    for k in kernels:
        conv = nn.Conv2d(channels, channels, k, padding=k // 2, bias=False).to(dev).eval()
        convs[k] = conv

    def call(conv: nn.Module) -> Any:
        def run() -> Any:
            with autocast(dev, precision):
                return conv(x)

        return run

    n, mm = matmul_task(dev, precision, peak_n)
    tasks = [("peak", mm)] + [(f"{k}x{k}", call(c)) for k, c in convs.items()]
    old_bench = torch.backends.cudnn.benchmark
    try:
        torch.backends.cudnn.benchmark = True
        with torch.inference_mode(), Tf32Like(dev, precision):
            failed: dict[str, str] = {}
            for frac, msg, timings in interleaved(
                tasks, dev, repeats, warmup, "kernel sizes", failed
            ):
                _fill(report, convs, timings, n)
                report.failed = list(failed.items())
                yield frac, msg, report.snapshot()
    finally:
        torch.backends.cudnn.benchmark = old_bench
    report.complete = True
    return report


def _fill(
    report: KernelReport, convs: dict[int, nn.Module], timings: dict[str, Timing], n: int
) -> None:
    from explorer.studies.speed.rounds import Peak

    peak = timings["peak"]
    report.peak = Peak(n, report.precision, peak) if peak.seconds else None
    report.rows = [
        KernelRow(k, conv_macs(report.batch, report.channels, report.size, k), timings[f"{k}x{k}"])
        for k in convs
        if timings[f"{k}x{k}"].seconds
    ]


def _torch_version() -> str:
    import torch

    return torch.__version__
