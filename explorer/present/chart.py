"""The Compare chart as data (no Qt): one ball per network, its position, size, colour, text.

Top-1 (or top-5) against published GMACs, parameters, or images/s measured here (RepVGG's
Table 5), ball *area* proportional to parameters (Canziani et al. 2017), coloured by family.
The window's chart only draws these points; the tests check them against the sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from explorer.models.published import Figures

X_AXES = {
    "gmacs": "GMACs (published)",
    "params": "parameters (millions)",
    "speed": "images/s measured here",
}
Y_AXES = {"top1": "ImageNet top-1 (%)", "top5": "ImageNet top-5 (%)"}

#: fixed colours of the lecture's families (others get one of :data:`EXTRA_COLOURS`)
FAMILY_COLOURS: dict[str, tuple[int, int, int]] = {
    "AlexNet": (120, 120, 120),
    "VGG": (31, 119, 180),
    "Inception": (44, 160, 44),
    "ResNet": (214, 39, 40),
    "Inception-ResNet": (23, 190, 207),
    "Xception": (148, 103, 189),
    "SENet": (255, 127, 14),
    "RepVGG": (227, 119, 194),
    "Highway": (140, 86, 75),
}
EXTRA_COLOURS: tuple[tuple[int, int, int], ...] = (
    (188, 189, 34),
    (57, 59, 121),
    (99, 121, 57),
    (140, 109, 49),
    (132, 60, 57),
    (123, 65, 115),
    (82, 84, 163),
    (181, 207, 107),
    (231, 186, 82),
    (214, 97, 107),
    (206, 109, 189),
    (107, 110, 207),
)

MIN_SIZE = 7.0
MAX_SIZE = 56.0


def family_colour(family: str, families: Sequence[str] = ()) -> tuple[int, int, int]:
    """The family's fixed colour, or a stable one from the extra palette by its place in
    ``families`` (sorted), else by a checksum of its name."""
    if family in FAMILY_COLOURS:
        return FAMILY_COLOURS[family]
    others = sorted(f for f in set(families) if f not in FAMILY_COLOURS)
    i = others.index(family) if family in others else sum(map(ord, family))
    return EXTRA_COLOURS[i % len(EXTRA_COLOURS)]


def ball_size(params: int, max_params: int) -> float:
    """Diameter in pixels: area proportional to parameters, never below :data:`MIN_SIZE`."""
    if max_params <= 0:
        return MIN_SIZE
    return max(MIN_SIZE, MAX_SIZE * math.sqrt(params / max_params))


@dataclass(frozen=True)
class Point:
    """One ball of the chart."""

    name: str
    label: str
    family: str
    x: float
    y: float
    size: float
    colour: tuple[int, int, int]
    params: int
    tooltip: str


def tooltip(f: Figures, measured: Any = None, peak: Any = None) -> str:
    """What hovering a ball says: the figures and where each comes from."""
    name = measured.label if measured is not None else f.name
    lines = [f"{name}  ({f.family}, {f.year})", f"top-1 {f.top1:.2f} %"]
    if f.top5 is not None:
        lines[-1] += f"   top-5 {f.top5:.2f} %"
    lines += [
        f"parameters {f.params:,}",
        f"{f.gmacs:.3g} GMACs at {f.resolution} px",
        f"source: {f.source}",
    ]
    if f.note:
        lines.append(f.note)
    if measured is not None and measured.fused:
        lines.append(
            f"fused here: {measured.params:,} parameters, {measured.macs / 1e9:.3g} GMACs at "
            f"{measured.resolution} px (the published figures are the training-time form's; "
            "fusing leaves the outputs unchanged)"
        )
    if measured is not None:
        lo, hi = measured.images_per_s_range
        lines.append(
            f"measured: {measured.images_per_s:,.1f} images/s ({lo:,.1f}-{hi:,.1f}), "
            f"batch {measured.batch}, {measured.resolution} px, {measured.gflops:,.1f} GFLOP/s"
            + (f" = {measured.gflops / peak.gflops:.0%} of peak" if peak is not None else "")
        )
    return "\n".join(lines)


def chart_points(
    figures: Sequence[Figures], x: str = "gmacs", y: str = "top1", speed: Any = None
) -> tuple[list[Point], list[str]]:
    """The balls for axes ``x`` (see :data:`X_AXES`) and ``y`` (:data:`Y_AXES`).

    ``speed`` is a :class:`~explorer.studies.speed.rounds.SpeedReport`; with ``x="speed"`` only the
    measured networks have a ball (a fused RepVGG network gets its own, at the same accuracy).
    Returns the points and the names left off, with why.
    """
    if x not in X_AXES or y not in Y_AXES:
        raise ValueError(f"unknown axes {x!r}, {y!r}")
    families = [f.family for f in figures]
    max_params = max((f.params for f in figures), default=0)
    measured: dict[str, list[Any]] = {}
    for r in speed.results if speed is not None else []:
        measured.setdefault(r.name, []).append(r)
    peak = speed.peak if speed is not None else None
    points: list[Point] = []
    left_off: list[str] = []
    for f in figures:
        yv = f.top1 if y == "top1" else f.top5
        if yv is None:
            left_off.append(f"{f.name}: no published top-5")
            continue
        runs = measured.get(f.name, [])
        if x == "speed":
            if not runs:
                left_off.append(f"{f.name}: not measured")
                continue
            pairs = [(r.label, r.images_per_s, r) for r in runs]
        else:
            xv = f.gmacs if x == "gmacs" else f.params / 1e6
            pairs = [(f.name, xv, runs[0] if runs else None)]
        for label, xv, run in pairs:
            points.append(
                Point(
                    name=f.name,
                    label=label,
                    family=f.family,
                    x=float(xv),
                    y=float(yv),
                    size=ball_size(
                        run.params if run is not None and run.fused else f.params, max_params
                    ),
                    colour=family_colour(f.family, families),
                    params=f.params,
                    tooltip=tooltip(f, run, peak),
                )
            )
    return points, left_off


SPEED_HEADER = (
    "network",
    "px",
    "batch",
    "images/s",
    "min-max",
    "spread",
    "GMACs",
    "GFLOP/s",
    "of peak",
)


def speed_table(report: Any) -> list[tuple[str, ...]]:
    """The Speed tab's rows (text cells, see :data:`SPEED_HEADER`) of a SpeedReport."""
    peak = report.peak
    rows = []
    for r in report.results:
        lo, hi = r.images_per_s_range
        rows.append(
            (
                r.label,
                str(r.resolution),
                str(r.batch),
                f"{r.images_per_s:,.1f}",
                f"{lo:,.1f}-{hi:,.1f}",
                f"{r.timing.spread:.1%}",
                f"{r.macs / 1e9:.2f}",
                f"{r.gflops:,.1f}",
                f"{r.gflops / peak.gflops:.0%}" if peak is not None else "-",
            )
        )
    return rows


Box = tuple[float, float, float, float]  # left, top, right, bottom (pixels)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _hits_ball(box: Box, ball: tuple[float, float, float]) -> bool:
    cx, cy, r = ball
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r


def place_labels(
    balls: Sequence[tuple[float, float, float]],
    sizes: Sequence[tuple[float, float]],
    gap: float = 2.0,
    bounds: Box | None = None,
) -> list[tuple[float, float] | None]:
    """Centres (pixels) for the balls' name labels so that no two labels overlap.

    ``balls`` are (x, y, radius) in pixels (y downwards), ``sizes`` the labels' (width,
    height). Big balls are labelled first; each label tries above, below, right, left and
    the four corners of its ball, first where it covers neither a label nor a ball, then
    where it covers no label. A label with no room gets ``None`` (hovering still names it).
    With ``bounds`` (the plot's box in pixels) a label must lie inside it.
    """
    order = sorted(range(len(balls)), key=lambda i: -balls[i][2])
    placed: list[Box] = []
    out: list[tuple[float, float] | None] = [None] * len(balls)
    for strict in (True, False):
        for i in order:
            if out[i] is not None:
                continue
            x, y, r = balls[i]
            w, h = sizes[i]
            d = r + gap
            candidates = [
                (x, y - d - h / 2),
                (x, y + d + h / 2),
                (x + d + w / 2, y),
                (x - d - w / 2, y),
                (x + d * 0.7 + w / 2, y - d * 0.7 - h / 2),
                (x + d * 0.7 + w / 2, y + d * 0.7 + h / 2),
                (x - d * 0.7 - w / 2, y - d * 0.7 - h / 2),
                (x - d * 0.7 - w / 2, y + d * 0.7 + h / 2),
            ]
            for cx, cy in candidates:
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if bounds is not None and not (
                    bounds[0] <= box[0]
                    and box[2] <= bounds[2]
                    and bounds[1] <= box[1]
                    and box[3] <= bounds[3]
                ):
                    continue
                if any(_overlaps(box, b) for b in placed):
                    continue
                if strict and any(_hits_ball(box, b) for j, b in enumerate(balls) if j != i):
                    continue
                placed.append(box)
                out[i] = (cx, cy)
                break
    return out


def nice_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 values from ``lo`` to ``hi`` (both > 0), the ticks of a log axis."""
    if lo <= 0 or hi <= lo:
        return []
    out = []
    e = math.floor(math.log10(lo))
    while 10**e <= hi * 10:
        for m in (1, 2, 5):
            v = m * 10**e
            if lo <= v <= hi:
                out.append(float(f"{v:.6g}"))
        e += 1
    if len(out) > 12:  # a wide range: powers of ten only
        out = [v for v in out if f"{v:.6g}".lstrip("0.").startswith("1")]
    return out
