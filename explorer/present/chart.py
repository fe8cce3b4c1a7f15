"""The Compare chart as data (no Qt): one ball per network, its position, size, colour, text.

Top-1 (or top-5) against published GMACs, parameters, or images/s measured here (RepVGG's
Table 5), ball *area* proportional to parameters (Canziani et al. 2017), coloured by family.
One training recipe at a time (:data:`RECIPES`): each network's original recipe, as the
lecture's chart, or its best available weights, with an arrow from its original ball.
The window's chart only draws these points; the tests check them against the sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from explorer.models.published import IMPROVED, ORIGINAL, Figures

X_AXES = {
    "gmacs": "GMACs (published)",
    "params": "parameters (millions)",
    "speed": "images/s measured here",
}
Y_AXES = {"top1": "ImageNet top-1 (%)", "top5": "ImageNet top-5 (%)"}
#: which figures of a network with two recipes the chart shows
RECIPES = {"original": "original recipe", "best": "best available"}
#: the size key's balls (parameters)
SIZE_KEY = (5_000_000, 25_000_000, 100_000_000)
#: the resolution a label does not mention
USUAL_RESOLUTION = 224

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


def size_key(max_params: int, values: Sequence[int] = SIZE_KEY) -> list[tuple[str, float]]:
    """The size key: (text, diameter in pixels) of a ball of each of ``values`` parameters,
    at the chart's scale (the largest network ``max_params``)."""
    return [(f"{v / 1e6:g}M parameters", ball_size(v, max_params)) for v in values]


def pick_recipe(figures: Sequence[Figures], recipe: str = "original") -> list[Figures]:
    """One figure per network, in the order of ``figures``.

    ``"original"``: the network's original recipe, or its only figure where it has no other;
    ``"best"``: its highest top-1 (the improved recipe's where both tie).
    """
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r} (one of {', '.join(RECIPES)})")
    groups: dict[str, list[Figures]] = {}
    for f in figures:
        groups.setdefault(f.name, []).append(f)
    out = []
    for group in groups.values():
        if recipe == "original":
            out.append(next((f for f in group if f.recipe == ORIGINAL), group[0]))
        else:
            out.append(max(group, key=lambda f: (f.top1, f.recipe == IMPROVED)))
    return out


def _other(f: Figures, figures: Sequence[Figures]) -> Figures | None:
    return next((o for o in figures if o.name == f.name and o != f), None)


@dataclass(frozen=True)
class Point:
    """One ball of the chart: ``label`` names the network (or the measured run), ``text``
    is what is written beside the ball (the label, and the resolution where it is not 224)."""

    name: str
    label: str
    family: str
    x: float
    y: float
    size: float
    colour: tuple[int, int, int]
    params: int
    tooltip: str
    recipe: str = ORIGINAL
    weights: str = ""
    resolution: int = USUAL_RESOLUTION
    text: str = ""


def tooltip(
    f: Figures, measured: Any = None, peak: Any = None, other: Figures | None = None
) -> str:
    """What hovering a ball says: the figures, their recipe and resolution, where each comes
    from, and the network's figures under its other recipe (``other``)."""
    name = measured.label if measured is not None else f.name
    lines = [f"{name}  ({f.family}, {f.year})", f"top-1 {f.top1:.2f} %"]
    if f.top5 is not None:
        lines[-1] += f"   top-5 {f.top5:.2f} %"
    lines += [
        f"{f.recipe_text}",
        f"parameters {f.params:,}",
        f"{f.gmacs:.3g} GMACs at {f.resolution} px",
        f"source: {f.source}",
    ]
    if f.note:
        lines.append(f.note)
    if other is not None:
        lines.append(
            f"{other.recipe} recipe ({other.weights}): top-1 {other.top1:.2f} % at "
            f"{other.resolution} px ({other.top1 - f.top1:+.2f} points)"
        )
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
    figures: Sequence[Figures],
    x: str = "gmacs",
    y: str = "top1",
    speed: Any = None,
    recipe: str = "original",
) -> tuple[list[Point], list[str]]:
    """The balls for axes ``x`` (see :data:`X_AXES`) and ``y`` (:data:`Y_AXES`), one per
    network, of the figures that ``recipe`` picks (:func:`pick_recipe`).

    ``speed`` is a :class:`~explorer.studies.speed.rounds.SpeedReport`; with ``x="speed"`` only the
    measured networks have a ball (a fused RepVGG network gets its own, at the same accuracy).
    Returns the points and the names left off, with why.
    """
    if x not in X_AXES or y not in Y_AXES:
        raise ValueError(f"unknown axes {x!r}, {y!r}")
    everything = list(figures)
    figures = pick_recipe(everything, recipe)
    families = [f.family for f in everything]
    max_params = max((f.params for f in everything), default=0)
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
                    tooltip=tooltip(f, run, peak, _other(f, everything)),
                    recipe=f.recipe,
                    weights=f.weights,
                    resolution=f.resolution,
                    text=label + (f" {f.resolution}px" if f.resolution != USUAL_RESOLUTION else ""),
                )
            )
    return points, left_off


@dataclass(frozen=True)
class Arrow:
    """The recipe gain of one network: from its original ball to its improved one."""

    start: Point
    end: Point


def recipe_arrows(
    figures: Sequence[Figures], x: str = "gmacs", y: str = "top1", speed: Any = None
) -> list[Arrow]:
    """One arrow per ball of the best available weights that is not the original recipe's,
    from the original recipe's ball (same axes) to it."""
    start, _ = chart_points(figures, x, y, speed, "original")
    end, _ = chart_points(figures, x, y, speed, "best")
    before = {p.label: p for p in start}
    return [
        Arrow(before[p.label], p)
        for p in end
        if p.label in before and before[p.label].weights != p.weights
    ]


def recipe_note(figures: Sequence[Figures], recipe: str) -> str:
    """The chart's sentence on the recipe it shows, with the networks that differ."""
    improved = sorted({f.name for f in figures if f.recipe == IMPROVED})
    both = [n for n in improved if any(f.name == n and f.recipe == ORIGINAL for f in figures)]
    only = [n for n in improved if n not in both]
    if recipe == "original":
        text = (
            "Recipe: each network's original (torchvision's IMAGENET1K_V1 weights, or the "
            "authors' own)"
        )
        if both:
            text += f"; {len(both)} networks have improved weights too: see 'best available'"
    else:
        text = (
            f"Recipe: the best available weights; {len(both)} networks gain from a later "
            "recipe (arrow from the faint ring, their original)"
        )
    if only:
        text += f". Only an improved recipe published for {', '.join(only)} (dark ring)"
    return text + "."


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
Ball = tuple[float, float, float]  # centre x, centre y, radius (pixels)
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1 (pixels)


@dataclass(frozen=True)
class LabelSpot:
    """Where a ball's name goes: its centre, and a leader line (from the ball's edge to the
    label) when the label had to move away from its ball."""

    x: float
    y: float
    leader: Segment | None = None
    covers: bool = False  # over another ball (a crowded place): drawn on a background


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _box_distance(box: Box, px: float, py: float) -> tuple[float, float, float]:
    """Distance from a point to a box, and the box's nearest point."""
    nx, ny = min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3])
    return math.hypot(nx - px, ny - py), nx, ny


def _hits_ball(box: Box, ball: Ball) -> bool:
    return _box_distance(box, ball[0], ball[1])[0] < ball[2]


def _segment_hits_ball(seg: Segment, ball: Ball) -> bool:
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    n = dx * dx + dy * dy
    t = 0.0 if n == 0 else min(1.0, max(0.0, ((ball[0] - x0) * dx + (ball[1] - y0) * dy) / n))
    return math.hypot(x0 + t * dx - ball[0], y0 + t * dy - ball[1]) < ball[2]


def _segment_hits_box(seg: Segment, box: Box, steps: int = 24) -> bool:
    x0, y0, x1, y1 = seg
    for k in range(steps + 1):
        t = k / steps
        px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        if box[0] < px < box[2] and box[1] < py < box[3]:
            return True
    return False


def _inside(box: Box, bounds: Box | None) -> bool:
    return bounds is None or (
        bounds[0] <= box[0] and box[2] <= bounds[2] and bounds[1] <= box[1] and box[3] <= bounds[3]
    )


def edge_segment(a: Ball, b: Ball, gap: float = 1.0) -> Segment | None:
    """The segment from ball ``a``'s edge to ball ``b``'s edge along their centres (an
    arrow between them); None when the balls overlap and leave no room."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy)
    if d <= a[2] + b[2] + 2 * gap:
        return None
    ux, uy = dx / d, dy / d
    return (
        a[0] + ux * (a[2] + gap),
        a[1] + uy * (a[2] + gap),
        b[0] - ux * (b[2] + gap),
        b[1] - uy * (b[2] + gap),
    )


#: a label beside its ball must be this much (pixels) nearer to it than to any other ball
AMBIGUOUS = 4.0
#: how far (pixels, beyond the ball's edge) a label may move, with a leader line, in steps
LEADER_REACH = tuple(float(r) for r in range(12, 320, 14))
_ANGLES = [math.radians(a) for a in range(-90, 270, 10)]


def _leader_spot(
    i: int,
    balls: Sequence[Ball],
    sizes: Sequence[tuple[float, float]],
    every: Sequence[Ball],
    placed: list[Box],
    leaders: list[Segment],
    free: Any,
    cross: bool,
    cover: bool,
    reach_max: float,
    through: bool = False,
) -> LabelSpot | None:
    """The nearest free place for label ``i`` away from its ball (at most ``reach_max``
    beyond its edge), with its leader line, which crosses another ball only with ``cross``
    and another label only with ``through``; the label covers another ball (never its own) only with ``cover``. The
    place is taken (appended to ``placed`` and ``leaders``)."""
    x, y, r = balls[i]
    w, h = sizes[i]
    for reach in LEADER_REACH:
        if reach > reach_max:
            break
        for a in _ANGLES:
            ux, uy = math.cos(a), math.sin(a)
            cx = x + ux * (r + reach + w / 2 * abs(ux))
            cy = y + uy * (r + reach + h / 2 * abs(uy))
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            covers = False
            if not free(box, i):
                if (
                    not cover
                    or not free(box, i, balls=False)
                    or _hits_ball(box, balls[i])
                    or any(_hits_ball(box, (b[0], b[1], b[2] * 0.4)) for b in every)
                ):
                    continue  # covering its own ball, or another's middle: never
                covers = True
            _, nx, ny = _box_distance(box, x, y)
            dist = math.hypot(nx - x, ny - y) or 1.0
            seg = (x + (nx - x) / dist * r, y + (ny - y) / dist * r, nx, ny)
            if not cross and any(_segment_hits_ball(seg, b) for j, b in enumerate(every) if j != i):
                continue
            if not through and any(_segment_hits_box(seg, b) for b in placed):
                continue
            placed.append(box)
            leaders.append(seg)
            return LabelSpot(cx, cy, seg, covers)
    return None


def place_labels(
    balls: Sequence[Ball],
    sizes: Sequence[tuple[float, float]],
    gap: float = 2.0,
    bounds: Box | None = None,
    obstacles: Sequence[Ball] = (),
    priority: Sequence[int] = (),
) -> list[LabelSpot | None]:
    """Where (pixels, y downwards) each ball's name goes: next to its own ball, or joined to
    it by a leader line; no two labels overlap.

    ``balls`` are (x, y, radius), ``sizes`` the labels' (width, height); ``obstacles`` are
    other balls to keep clear (e.g. the faint rings of the original recipe). Labels of a lower
    ``priority`` (default all 0) go first, and among equals, big balls'. A label first tries
    beside its ball (above, below, right, left, the four corners) where it covers no ball and
    is nearer to its own ball than to any other (so it reads as that ball's name). Else it
    moves out, in rings of :data:`LEADER_REACH`, to the nearest place that covers no ball and
    whose leader line (ball edge to label) crosses no label: first within 60 px and crossing no
    ball, then farther and across balls; in a crowd, over another ball's rim, never its middle
    (``covers``: the window draws it on a background); last, with a leader across other labels.
    A label never covers its own ball. One with no room at all gets ``None`` (hovering still
    names the ball). With ``bounds`` (the plot's box in pixels) a label lies inside it.
    """
    rank = list(priority) or [0] * len(balls)
    order = sorted(range(len(balls)), key=lambda i: (rank[i], -balls[i][2]))
    every = list(balls) + list(obstacles)
    placed: list[Box] = []
    leaders: list[Segment] = []
    out: list[LabelSpot | None] = [None] * len(balls)

    def free(box: Box, i: int, balls: bool = True) -> bool:
        return (
            _inside(box, bounds)
            and not any(_overlaps(box, b) for b in placed)
            and not (balls and any(_hits_ball(box, b) for b in every))
            and not any(_segment_hits_box(seg, box) for seg in leaders)
        )

    for i in order:  # beside the ball, unambiguous
        x, y, r = balls[i]
        w, h = sizes[i]
        d = r + gap
        for cx, cy in (
            (x, y - d - h / 2),
            (x, y + d + h / 2),
            (x + d + w / 2, y),
            (x - d - w / 2, y),
            (x + d * 0.7 + w / 2, y - d * 0.7 - h / 2),
            (x + d * 0.7 + w / 2, y + d * 0.7 + h / 2),
            (x - d * 0.7 - w / 2, y - d * 0.7 - h / 2),
            (x - d * 0.7 - w / 2, y + d * 0.7 + h / 2),
        ):
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if not free(box, i):
                continue
            own = _box_distance(box, x, y)[0] - r
            if any(
                _box_distance(box, b[0], b[1])[0] - b[2] < own + AMBIGUOUS
                for j, b in enumerate(every)
                if j != i
            ):
                continue  # as near to another ball: it would read as that ball's name
            placed.append(box)
            out[i] = LabelSpot(cx, cy)
            break
    # moved out, with a leader line: near and crossing no ball if it can, then crossing
    # balls, then (a crowded place) over another ball, on a background
    tiers = ((False, False, 60.0, False), (True, False, 1e9, False), (True, True, 1e9, False))
    for cross, cover, reach_max, through in (*tiers, (True, True, 1e9, True)):
        for i in order:
            if out[i] is None:
                out[i] = _leader_spot(
                    i, balls, sizes, every, placed, leaders, free, cross, cover, reach_max, through
                )
    return out


#: the lecture's networks, labelled first where the chart is crowded (RepVGG has ten variants)
LECTURE_FAMILIES = (
    "AlexNet",
    "VGG",
    "Inception",
    "ResNet",
    "Inception-ResNet",
    "Xception",
    "SENet",
)


def label_priority(point: Point) -> int:
    """0 for the lecture's networks (:data:`LECTURE_FAMILIES`), 1 for RepVGG, 2 for others."""
    if point.family in LECTURE_FAMILIES:
        return 0
    return 1 if point.family == "RepVGG" else 2


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
