"""Fuse for deployment: RepVGG re-parameterisation and/or conv-BN folding, checked and timed.

The one workflow behind ``cnn-explorer fuse`` and the window's Model > Fuse: both get the same
BatchNorm calibration for random weights, the same seeded noise batch for the check, and the
same interleaved timing rounds with warm-up on the chosen device, so their figures agree.
"""

from __future__ import annotations

import copy
from collections.abc import Generator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress

if TYPE_CHECKING:
    from torch import nn

    from explorer.graph.analysis import Analysis
    from explorer.models.registry import ModelSpec
    from explorer.models.weights import WeightsInfo
    from explorer.studies.fusion.bn import FusionReport
    from explorer.studies.fusion.pictures import BlockKernels

KINDS = {"repvgg": "RepVGG re-parameterisation", "conv-bn": "conv-BN folding"}


@dataclass(frozen=True)
class FuseSettings:
    """What to fuse and how to check and time it (the command line's options and defaults)."""

    kinds: tuple[str, ...] | None = None  # None: RepVGG blocks if any, else conv-BN folding
    fold_bn: bool = False  # with kinds None: fold conv-BN pairs after the RepVGG blocks too
    device: str = "cpu"
    batch_size: int = 1
    repeats: int = 10
    warmup: int = 2
    input_size: int | None = None


@dataclass
class FuseOutcome:
    """What one fusion gave: the reports, the counts, the check and the timing."""

    spec: Any  # ModelSpec
    weights: str  # the weights' label
    device: str
    input_shape: list[int]
    calibrated: bool  # random weights: BatchNorm statistics calibrated on noise first
    repvgg: FusionReport | None
    folded: FusionReport | None
    counts_before: tuple[int, int, int]  # parameters, convs, BatchNorms
    counts_after: tuple[int, int, int]
    diff: dict[str, float]  # max_abs_diff, max_rel_diff
    latency_ms: dict[str, float]  # before, after
    repeats: int
    fused_model: Any = field(default=None, repr=False)  # with the caller's weights
    before: Any = field(default=None, repr=False)  # the caller's Analysis, when traced
    after: Any = field(default=None, repr=False)  # the fused model's Analysis, when traced
    # each RepVGG block's branch kernels for channels (0, 0), from the caller's own weights:
    # what the window's merge animation draws
    kernels: dict[str, BlockKernels] = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        return "+".join(k for k, r in (("repvgg", self.repvgg), ("conv-bn", self.folded)) if r)

    @property
    def report(self) -> FusionReport:
        """The report of the fusion the window shows (RepVGG's when both ran)."""
        rep = self.repvgg or self.folded
        assert rep is not None
        return rep

    @property
    def speedup(self) -> float | None:
        lb, la = self.latency_ms["before"], self.latency_ms["after"]
        return lb / la if la > 0 else None

    def as_dict(self, export: str | None = None) -> dict[str, Any]:
        """The ``fuse --json`` object."""
        rep, folded = self.repvgg, self.folded
        b, a = self.counts_before, self.counts_after
        return {
            "model": self.spec.name,
            "weights": self.weights,
            "device": self.device,
            "input_shape": self.input_shape,
            "kind": self.kind,
            "params_before": b[0],
            "params_after": a[0],
            "convs_before": b[1],
            "convs_after": a[1],
            "bn_before": b[2],
            "bn_after": a[2],
            "blocks_fused": len(rep.blocks_fused) if rep else 0,
            "bn_folded": len(folded.pairs) if folded else 0,
            "skipped": (len(rep.skipped) if rep else 0) + (len(folded.skipped) if folded else 0),
            "max_abs_diff": self.diff["max_abs_diff"],
            "max_rel_diff": self.diff["max_rel_diff"],
            "latency_ms_before": round(self.latency_ms["before"], 3),
            "latency_ms_after": round(self.latency_ms["after"], 3),
            "calibrated": self.calibrated,
            "export": export,
        }

    def latency_line(self) -> str:
        lb, la = self.latency_ms["before"], self.latency_ms["after"]
        x = f"x{self.speedup:.2f}; " if self.speedup else ""
        return (
            f"{lb:.2f} ms -> {la:.2f} ms ({x}batch {self.input_shape[0]}, {self.device}, "
            f"median of {self.repeats})"
        )

    def status_line(self) -> str:
        return (
            f"Fused: {self.report.summary()}; max rel. diff {self.diff['max_rel_diff']:.2g}; "
            f"{self.latency_line()}"
        )

    def notes(self) -> list[str]:
        if not self.calibrated:
            return []
        return [
            "untrained weights: the check and the timing ran on a copy whose BatchNorm "
            "statistics were calibrated on noise (as 'cnn-explorer fuse' does), so that the "
            "check means something; the model shown keeps its own weights"
        ]

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(quantity, before, after, change) rows of the window's results table."""
        rep = self.report
        b, a = self.counts_before, self.counts_after

        def row(name: str, x: int, y: int) -> tuple[str, str, str, str]:
            return name, f"{x:,}", f"{y:,}", f"{y - x:+,}"

        out = [row("parameters", b[0], a[0])]
        if self.before is not None and self.after is not None:
            gb, ga = self.before.graph, self.after.graph
            out += [
                row("MACs", int(gb.total_macs), int(ga.total_macs)),
                row("graph nodes", gb.g.number_of_nodes(), ga.g.number_of_nodes()),
            ]
        lb, la = self.latency_ms["before"], self.latency_ms["after"]
        out += [
            row("convolutions", b[1], a[1]),
            row("BatchNorms", b[2], a[2]),
            (
                f"latency ({self.device}, batch {self.input_shape[0]}, median of {self.repeats})",
                f"{lb:.2f} ms",
                f"{la:.2f} ms",
                f"x{self.speedup:.2f}" if self.speedup else "",
            ),
            ("max |difference|", "", f"{self.diff['max_abs_diff']:.3g}", "on seeded noise"),
            (
                "max relative difference",
                "",
                f"{self.diff['max_rel_diff']:.3g}",
                "of the output scale",
            ),
            (
                "blocks fused" if rep.kind == "repvgg" else "BatchNorms folded",
                "",
                str(len(rep.blocks_fused)),
                f"{len(rep.skipped)} left as they were" if rep.skipped else "",
            ),
        ]
        return out


def offered(model: nn.Module) -> tuple[bool, bool]:
    """(unfused RepVGG blocks, BatchNorms) of ``model``: which fusions it offers."""
    from torch.nn.modules.batchnorm import _BatchNorm

    from explorer.studies.fusion.repvgg import find_repvgg_blocks

    rep = any(not done for done in find_repvgg_blocks(model).values())
    bn = any(isinstance(m, _BatchNorm) for m in model.modules())
    return rep, bn


def _kinds(model: nn.Module, settings: FuseSettings) -> tuple[str, ...]:
    from explorer.studies.fusion.repvgg import find_repvgg_blocks

    if settings.kinds is not None:
        bad = [k for k in settings.kinds if k not in KINDS]
        if bad or not settings.kinds:
            raise ValueError(f"fusion kinds must be among {tuple(KINDS)}; got {bad}")
        return settings.kinds
    if not find_repvgg_blocks(model):
        return ("conv-bn",)
    return ("repvgg", "conv-bn") if settings.fold_bn else ("repvgg",)


def _apply(model: nn.Module, kinds: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """(fused copy, RepVGG report, folding report); ``model`` itself is left as it is."""
    from explorer.studies.fusion.repvgg import fold_conv_bn, fuse_repvgg

    rep = fuse_repvgg(model) if "repvgg" in kinds else None
    fused = model if rep is None else rep.model
    folded = None
    if "conv-bn" in kinds or (rep is not None and not rep.blocks_fused):
        folded = fold_conv_bn(fused, inplace=rep is not None)
        fused = folded.model
    return fused, rep, folded


def _pictured(model: nn.Module) -> dict[str, BlockKernels]:
    """The kernels of each unfused RepVGG block of ``model``, for channels (0, 0)."""
    from explorer.studies.fusion.pictures import model_kernels
    from explorer.studies.fusion.repvgg import find_repvgg_blocks

    todo = [q for q, done in find_repvgg_blocks(model).items() if not done]
    return model_kernels(model, todo)


def fuse(
    spec: ModelSpec,
    model: nn.Module,
    weights: WeightsInfo,
    settings: FuseSettings = FuseSettings(),
    *,
    own_model: bool = False,
    lock: AbstractContextManager[Any] | None = None,
    analysis: Analysis | None = None,
) -> Generator[Progress, None, FuseOutcome]:
    """Fuse ``model`` as ``settings`` say; check the fused model against it and time both.

    Parameters
    ----------
    own_model
        The caller gives the model away (the command line): it is calibrated in place (it is
        never fused in place: the check needs it as it was). Otherwise (the window) it is copied under ``lock`` and left as it is, and the
        returned ``fused_model`` carries the caller's own weights (for random weights the check
        and the timing ran on a calibrated copy).
    analysis
        The caller's analysis of ``model``: the fused model is then traced as well
        (``outcome.after``), for the window's graph.
    """
    import torch

    from explorer.graph.analysis import analyze
    from explorer.runtime.inference import resolve_device
    from explorer.studies.fusion.bn import model_counts
    from explorer.studies.fusion.repvgg import calibrate_bn, check_equivalence, compare_latency

    lock = lock or nullcontext()
    yield Progress(0.0, "preparing the model")
    device = resolve_device(settings.device)
    with lock:  # no pass may use the model while it is copied
        kinds = _kinds(model, settings)
        base = model if own_model else copy.deepcopy(model)
        kernels = _pictured(model) if "repvgg" in kinds else {}
    c, h, w = spec.input_size
    if settings.input_size:
        h = w = settings.input_size
    if torch.device(device).type == "cpu":  # the checking pass's layers, before any is made
        from explorer.runtime.inference import check_activations

        check_activations(
            base, (max(settings.batch_size, 8 if not weights.trained else 1), c, h, w)
        )
    base = base.to(device).eval()
    calibrated = not weights.trained
    if calibrated:
        yield Progress(0.1, "calibrating BatchNorm statistics (random weights)")
        calibrate_bn(base, n_batches=2, batch=8, size=(h, w), channels=c)
    before = model_counts(base)
    yield Progress(0.2, "fusing")
    fused, rep, folded = _apply(base, kinds)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(settings.batch_size, c, h, w, generator=gen).to(device)
    yield Progress(0.35, "checking the fused model against the model")
    diff = check_equivalence(base, fused, x)
    yield Progress(0.45, f"timing both on {device}")
    lat = compare_latency({"before": base, "after": fused}, x, settings.repeats, settings.warmup)
    out = FuseOutcome(
        spec=spec,
        weights=weights.label,
        device=str(device),
        input_shape=list(x.shape),
        calibrated=calibrated,
        repvgg=rep,
        folded=folded,
        counts_before=before,
        counts_after=model_counts(fused),
        diff=diff,
        latency_ms=lat,
        repeats=settings.repeats,
        fused_model=fused,
        kernels=kernels,
    )
    if calibrated and not own_model:
        yield Progress(0.85, "fusing the model's own weights")
        with lock:
            out.fused_model = _apply(model, kinds)[0]
    if analysis is not None:
        yield Progress(0.9, "tracing the fused model")
        # traced on the CPU, as every model is when it loads
        out.before = analysis
        out.after = analyze(spec, settings.input_size, model=out.fused_model.cpu())
    yield Progress(1.0, "fused")
    return out
