"""Compute density: achieved GFLOP/s against the device's peak, per network and per layer kind.

What the Compare view's Density and Kernels tabs show, as plain data (no Qt). Achieved
GFLOP/s = 2 x MACs x images/s (one multiply-accumulate is two floating-point operations);
the peak is a large matrix product measured in the same run (:mod:`explorer.studies.speed.rounds`).
A network far below the peak spends its time in layers that do little arithmetic per byte
moved (depthwise convolutions, normalisation, activations), which the per-kind rows show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: the Kernels table's columns, in the order of :func:`kernel_rows`
KERNEL_HEADER = ("kernel", "GFLOP", "ms", "spread", "TFLOP/s", "of peak")

#: the columns of :func:`model_table` (the Density tab's CSV export)
MODEL_HEADER = (
    "label",
    "name",
    "gflops",
    "fraction_of_peak",
    "images_per_s",
    "kind",
    "layers",
    "kind_gflops",
    "time_share",
    "mac_share",
)


@dataclass(frozen=True)
class DensityRow:
    """One measured network: its achieved GFLOP/s and how close that is to the peak."""

    label: str  # as measured, e.g. "repvgg_a0 (fused)"
    name: str  # the registry name
    gflops: float
    fraction: float | None  # of the peak's GFLOP/s; None while no peak has been measured
    images_per_s: float


@dataclass(frozen=True)
class KindShare:
    """One layer kind of one network: its throughput and its shares of time and MACs."""

    kind: str
    layers: int
    gflops: float | None  # None for kinds without MACs (norm, activations, pooling ...)
    time_share: float | None  # of the kinds' total time; None when no time was recorded
    mac_share: float | None  # of the kinds' total MACs; None when the network has none


def model_rows(report: Any) -> list[DensityRow]:
    """One row per measured network of a :class:`~explorer.studies.speed.rounds.SpeedReport`.

    Parameters
    ----------
    report
        A (possibly partial) speed report; ``None`` gives no rows.

    Returns
    -------
    list of DensityRow
        In the order the networks were measured; ``fraction`` is None while the report has
        no peak (or a peak of zero).
    """
    if report is None:
        return []
    peak = report.peak.gflops if report.peak is not None else 0.0
    return [
        DensityRow(
            r.label,
            r.name,
            r.gflops,
            r.gflops / peak if peak > 0 else None,
            r.images_per_s,
        )
        for r in report.results
    ]


def kind_rows(result: Any) -> list[KindShare]:
    """The layer kinds of one :class:`~explorer.studies.speed.rounds.SpeedResult`, as shares.

    Parameters
    ----------
    result
        A measured network; its ``kinds`` are empty unless layer kinds were timed.

    Returns
    -------
    list of KindShare
        In the result's order (most time first). The time shares sum to 1 when any time
        was recorded, the MAC shares when the network has any MACs; otherwise they are None.
    """
    kinds = list(result.kinds)
    seconds = sum(max(0.0, k.seconds) for k in kinds)
    macs = sum(k.macs for k in kinds)
    return [
        KindShare(
            k.kind,
            k.layers,
            k.gflops,
            max(0.0, k.seconds) / seconds if seconds > 0 else None,
            k.macs / macs if macs > 0 else None,
        )
        for k in kinds
    ]


def kind_label(share: KindShare) -> str:
    """``conv 3x3 (70 % of time)``: a kind's name with its share of the time."""
    if share.time_share is None:
        return share.kind
    return f"{share.kind} ({percent(share.time_share)} of time)"


def peak_label(peak: Any, unit: str = "GFLOP/s") -> str:
    """``peak 195 GFLOP/s (2048x2048 matmul)``; ``unit`` is ``GFLOP/s`` or ``TFLOP/s``."""
    value = peak.gflops / 1e3 if unit == "TFLOP/s" else peak.gflops
    return f"peak {number(value)} {unit} ({peak.n}x{peak.n} matmul)"


def model_table(report: Any) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the Density tab's CSV: every network, then its layer kinds.

    A network's own row leaves the kind columns empty; each of its kinds follows on a row
    of its own that repeats the network's label and name.
    """
    rows: list[list[Any]] = []
    if report is not None:
        by_label = {r.label: r for r in report.results}
        for d in model_rows(report):
            rows.append([d.label, d.name, d.gflops, d.fraction, d.images_per_s] + [""] * 5)
            for s in kind_rows(by_label[d.label]):
                rows.append(
                    [d.label, d.name, "", "", "", s.kind, s.layers]
                    + [s.gflops, s.time_share, s.mac_share]
                )
    return list(MODEL_HEADER), rows


def kernel_rows(kernel_report: Any) -> list[tuple[str, ...]]:
    """The Kernels table's text cells, one row per kernel size (see :data:`KERNEL_HEADER`).

    Parameters
    ----------
    kernel_report
        A (possibly partial) :class:`~explorer.studies.speed.kernels.KernelReport`, or None.

    Returns
    -------
    list of tuple of str
        ``("3x3", GFLOP, ms, spread %, TFLOP/s, % of peak)``; the last cell is empty while
        no peak has been measured.
    """
    if kernel_report is None:
        return []
    peak = kernel_report.peak
    out = []
    for r in kernel_report.rows:
        t = r.timing
        of_peak = "" if peak is None or peak.gflops <= 0 else percent(r.tflops * 1e3 / peak.gflops)
        out.append(
            (
                f"{r.k}x{r.k}",
                number(r.gflop),
                number(t.median * 1e3),
                percent(t.spread) if t.median > 0 else "",
                number(r.tflops),
                of_peak,
            )
        )
    return out


def number(x: float) -> str:
    """Three significant figures without an exponent where that reads well."""
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    if a >= 0.01 or a == 0:
        return f"{x:.3f}"
    return f"{x:.2e}"


def percent(fraction: float) -> str:
    """``70 %``; below 10 % with one decimal (``4.2 %``), ``<0.1 %`` for a trace."""
    p = 100.0 * fraction
    if 0 < p < 0.05:
        return "<0.1 %"
    return f"{p:.1f} %" if abs(p) < 10 else f"{p:.0f} %"
