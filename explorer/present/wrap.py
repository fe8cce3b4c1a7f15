"""Wrap a tall block graph into columns that fill a view, and mark its stages (pure data).

:func:`explorer.present.layout.compute_layout` stacks a network top to bottom: resnet50 is a
column some ten times taller than wide, and fitted into a wide window its text is a few
pixels high. :func:`wrap_layout` cuts that column where the graph is a chain (a horizontal
line crossing no box and at most one edge: no skip arc nor parallel branch spans it) and sets
the pieces side by side, choosing the number of columns that makes the text largest once the
whole graph is fitted into a view of the given aspect. A frame (an open block) that a cut
passes through is drawn as several pieces, the first keeping its id and the others named
``frame#2``, ``frame#3``... (:data:`PIECE_SEP`). The one edge crossing a column break leaves
the bottom of its column, climbs the gutter and enters the next column from the top.

Stages: wherever the spatial size of the tensor flowing down the chain changes (a
downsampling), a new stage begins; :func:`stage_bands` returns one :class:`Band` per stage and
column ("56x56, 256 ch") that the views draw as faint background bands.

The text size a view shows at Fit is computed here too (:func:`min_text_px`), from the label
font's size in scene units (:func:`label_px`) and the fit scale, so that tests can check it
without a screen.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass, replace

from explorer.graph.ops import paused_gc
from explorer.present.layout import BOX_H, HEADER, PAD, Box, Layout, LayoutEdge

PIECE_SEP = "#"  # "features#2": the second piece of the frame "features", in another column
LABEL_PX = 14.0  # a box label's font size (pixel size, in scene units at zoom 1)
MIN_LABEL_PX = 8.0  # a long label shrinks to fit its box, never below this
CHAR_EM = 0.6  # a sans-serif character's mean advance, in ems (the views elide what overflows)
TEXT_PAD = 4.0  # scene units kept free on each side of a label
BAND_PX = 11.0  # a stage band's label (it stands in the 15-unit half gap under a stage)
SCENE_MARGIN = 24.0  # the views keep this much around the layout when fitting it
COL_GAP = 40.0  # between columns: room for skip arcs and the climbing break edge
BREAK_Y = 6.0  # a break edge runs this far below its column's last gap, above the next's first
BAND_INSET = COL_GAP / 4 + 8.0  # a band's label starts this far inside it (inside its column)
BAND_TAIL = 16.0  # the last band reaches this far below the last box
MAX_COLUMNS = 16
#: pieces between cuts the column search weighs at most (evenly spread by height)
MAX_PIECES = 240
LEVEL_PENALTY = 0.03  # a wrap that cuts through frames must be this much better per cost point


@dataclass
class Band:
    """A stage's background in one column: its rectangle and a label such as "56x56, 256 ch"."""

    x: float
    y: float
    w: float
    h: float
    label: str
    stage: int  # 0, 1, 2 ... down the network (the views alternate two tints)
    column: int


@dataclass
class Cut:
    """A horizontal line through a gap of the layout that crosses at most one edge (or one
    edge and a shortcut from the same tensor)."""

    y: float  # the middle of the gap
    edge: int | None  # index in ``Layout.edges`` of the edge crossing it, if any
    cost: int = 0  # frames it cuts through: 1 for a plain container, 3 for a block
    #: a shortcut leaving the same tensor as ``edge`` that crosses too: the gap between two
    #: open residual units (the sum of one feeds the next unit and its shortcut)
    skip: int | None = None

    def edges(self) -> set[int]:
        return {i for i in (self.edge, self.skip) if i is not None}


# -- text size ---------------------------------------------------------------------------------


def has_text(box: Box) -> bool:
    """Whether the views write a label in ``box`` (merge circles and concat bars have none)."""
    return box.open or box.h >= BOX_H - 1e-6


def header_text(box: Box) -> str:
    """What a frame's header says: its label, and its kind unless a plain container's."""
    if box.kind in ("sequential", "other") or box.kind in box.label.lower():
        return box.label
    return f"{box.label}  ({box.kind})"


def label_px(box: Box, font_px: float = LABEL_PX) -> float:
    """The font size (scene units) of ``box``'s label: ``font_px``, smaller when the label would
    overflow the box's width (a frame's label stands in its header)."""
    if box.open:
        text = header_text(box)
        room = max(box.w - 2 * TEXT_PAD, 1.0)
        cap = min(font_px, HEADER - 6.0)
    else:
        text = box.label
        room = max(box.w - 2 * TEXT_PAD, 1.0)
        cap = min(font_px, box.h * 0.5)
    if not text:
        return cap
    return max(MIN_LABEL_PX, min(cap, room / (CHAR_EM * len(text))))


def bounds(lay: Layout) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) around every box, edge point and band."""
    xs0 = [b.x for b in lay.boxes.values()] + [b.x for b in lay.bands]
    ys0 = [b.y for b in lay.boxes.values()] + [b.y for b in lay.bands]
    xs1 = [b.x + b.w for b in lay.boxes.values()] + [b.x + b.w for b in lay.bands]
    ys1 = [b.y + b.h for b in lay.boxes.values()] + [b.y + b.h for b in lay.bands]
    for e in lay.edges:
        for x, y in e.points:
            xs0.append(x)
            xs1.append(x)
            ys0.append(y)
            ys1.append(y)
    if not xs0:
        return 0.0, 0.0, 0.0, 0.0
    return min(xs0), min(ys0), max(xs1), max(ys1)


def fit_scale(lay: Layout, view_w: float, view_h: float, margin: float = SCENE_MARGIN) -> float:
    """The zoom at which the whole of ``lay`` (plus ``margin`` around it) fits the view."""
    x0, y0, x1, y1 = bounds(lay)
    return min(view_w / (x1 - x0 + 2 * margin), view_h / (y1 - y0 + 2 * margin))


def min_text_px(
    lay: Layout,
    view_w: float,
    view_h: float,
    font_px: float = LABEL_PX,
    margin: float = SCENE_MARGIN,
) -> float:
    """The smallest label's height on screen, in pixels, when ``lay`` is fitted into a view of
    ``view_w`` x ``view_h`` pixels: the label font's size in scene units times the fit scale.

    Every label is counted (closed boxes and frame headers), each at the size
    :func:`label_px` gives it; merge glyphs carry no text.
    """
    sizes = [label_px(b, font_px) for b in lay.boxes.values() if has_text(b)]
    if not sizes:
        return 0.0
    return min(sizes) * fit_scale(lay, view_w, view_h, margin)


# -- cuts and stages ---------------------------------------------------------------------------


def chain_cuts(lay: Layout) -> list[Cut]:
    """Where the layout can be cut: the middle of each vertical gap between rows (no box
    crosses it; an open frame only by its sides) that at most one edge crosses, top to bottom."""
    spans: list[tuple[float, float]] = []
    for b in lay.boxes.values():
        if b.open:  # a frame occupies its header and its bottom margin; a cut may pass between
            spans.append((b.y, b.y + HEADER))
            spans.append((b.bottom - PAD, b.bottom))
        else:
            spans.append((b.y, b.bottom))
    if not spans:
        return []
    spans.sort()
    gaps: list[tuple[float, float]] = []
    end = spans[0][1]
    for y0, y1 in spans[1:]:
        if y0 > end + 1.0:
            gaps.append((end, y0))
        end = max(end, y1)
    ext = [(min(y for _, y in e.points), max(y for _, y in e.points)) for e in lay.edges]
    by_top = sorted(range(len(ext)), key=lambda i: ext[i][0])
    active: list[tuple[float, int]] = []  # (bottom, edge) of the edges begun above the gap
    k = 0
    cuts: list[Cut] = []
    for g0, g1 in gaps:  # top to bottom: one sweep, not a pass over the edges for each gap
        c = (g0 + g1) / 2
        while k < len(by_top) and ext[by_top[k]][0] < c:
            heapq.heappush(active, (ext[by_top[k]][1], by_top[k]))
            k += 1
        while active and active[0][0] <= c:
            heapq.heappop(active)
        if len(active) > 2:
            continue
        crossing = sorted(i for _, i in active)
        edge = skip = None
        if len(crossing) == 2:  # one tensor into the next unit and into its shortcut: a cut too
            ea, eb = (lay.edges[i] for i in crossing)
            if ea.src != eb.src or sorted((ea.kind, eb.kind)) != ["data", "skip"]:
                continue
            edge, skip = crossing if ea.kind == "data" else crossing[::-1]
            # above the open block the shortcut belongs to, never through it
            frame = lay.boxes.get(lay.boxes[lay.edges[skip].dst].parent or "")
            if frame is not None and frame.y < c:
                continue
        elif crossing:
            edge = crossing[0]
        cuts.append(Cut(c, edge, skip=skip))
    # the frames a cut passes through: those that start above it less those that end above it
    frames = [b for b in lay.boxes.values() if b.open]
    for kinds, weight in ((True, 1), (False, 3)):
        group = [f for f in frames if (f.kind == "sequential") == kinds]
        tops = sorted(f.y for f in group)
        ends = sorted(f.bottom for f in group)
        for cut in cuts:
            inside = bisect.bisect_left(tops, cut.y) - bisect.bisect_right(ends, cut.y)
            cut.cost += weight * inside
    return cuts


def _stage_key(shape: list[int] | None) -> tuple[int, ...] | None:
    if not shape:
        return None
    if len(shape) >= 4:
        return tuple(shape[2:])
    return (-1,)  # a vector: every flat tensor is one stage


def stage_label(shape: list[int] | None) -> str:
    """ "56x56, 256 ch" for a batch of feature maps, "vector, 1000" for a flat tensor."""
    if not shape:
        return ""
    if len(shape) >= 4:
        return f"{'x'.join(str(s) for s in shape[2:])}, {shape[1]} ch"
    return f"vector, {shape[-1]}"


def _atom_shapes(lay: Layout, cuts: list[Cut]) -> list[list[int] | None]:
    """The tensor leaving each piece between cuts: the edge crossing the cut below it (the
    last piece: the edge entering it)."""
    shapes: list[list[int] | None] = []
    for cut in cuts:
        shapes.append(lay.edges[cut.edge].shape if cut.edge is not None else None)
    shapes.append(shapes[-1] if shapes else None)
    for i in range(1, len(shapes)):  # a cut no edge crosses keeps the stage it is in
        if shapes[i] is None:
            shapes[i] = shapes[i - 1]
    for i in range(len(shapes) - 2, -1, -1):
        if shapes[i] is None:
            shapes[i] = shapes[i + 1]
    return shapes


def stages(lay: Layout, cuts: list[Cut] | None = None) -> list[tuple[float, float, str]]:
    """The stages down the layout's column: (y from, y to, label), cut where a downsampling
    (a change of the spatial size of the tensor carried down the chain) happens."""
    cuts = chain_cuts(lay) if cuts is None else cuts
    _x0, y0, _x1, y1 = bounds(replace(lay, bands=[]))
    ys = [y0] + [c.y for c in cuts] + [y1 + BAND_TAIL]
    shapes = _atom_shapes(lay, cuts)
    out: list[tuple[float, float, str]] = []
    start = 0
    for i in range(1, len(shapes) + 1):
        if i == len(shapes) or _stage_key(shapes[i]) != _stage_key(shapes[start]):
            out.append((ys[start], ys[i], stage_label(shapes[i - 1])))
            start = i
    return out


# -- wrapping ----------------------------------------------------------------------------------


@dataclass
class _Column:
    top: float  # y range in the unwrapped layout
    bottom: float
    x0: float  # x extent of its contents in the unwrapped layout
    x1: float
    dx: float = 0.0  # where it moves
    dy: float = 0.0


def _extent(lay: Layout, top: float, bottom: float, skip: set[int]) -> tuple[float, float]:
    x0, x1 = math.inf, -math.inf
    for b in lay.boxes.values():
        if b.y < bottom and b.bottom > top:
            x0, x1 = min(x0, b.x), max(x1, b.x + b.w)
    for i, e in enumerate(lay.edges):
        if i in skip:
            continue
        for x, y in e.points:
            if top <= y <= bottom:
                x0, x1 = min(x0, x), max(x1, x)
    return (x0, x1) if x0 <= x1 else (0.0, 0.0)


def _extents(lay: Layout, ys: list[float], skip: set[int]) -> list[tuple[float, float]]:
    """:func:`_extent` of every range ``ys[a]``..``ys[a + 1]`` in one pass (a thousand-layer
    graph has hundreds of ranges: one pass over its boxes each took seconds)."""
    n = len(ys) - 1
    x0 = [math.inf] * n
    x1 = [-math.inf] * n
    spans: list[tuple[int, int, float, float]] = []
    for bx in lay.boxes.values():
        # the ranges it overlaps: ys[k] < bottom and ys[k + 1] > y
        a = bisect.bisect_right(ys, bx.y) - 1
        b = bisect.bisect_left(ys, bx.bottom) - 1
        spans.append((a, b, bx.x, bx.x + bx.w))
    for i, e in enumerate(lay.edges):
        if i in skip:
            continue
        for x, y in e.points:
            # ranges holding y, ends included: ys[k] <= y <= ys[k + 1]
            spans.append((bisect.bisect_left(ys, y) - 1, bisect.bisect_right(ys, y) - 1, x, x))
    for a, b, lo, hi in spans:
        for k in range(max(a, 0), min(b, n - 1) + 1):
            if lo < x0[k]:
                x0[k] = lo
            if hi > x1[k]:
                x1[k] = hi
    return [(lo, hi) if lo <= hi else (0.0, 0.0) for lo, hi in zip(x0, x1, strict=True)]


def _partition(heights: list[float], k: int) -> list[int]:
    """Indices where columns 2..k start, so that the tallest column is as short as can be."""
    lo, hi = max(heights), sum(heights)

    def greedy(limit: float) -> list[int]:
        starts, acc = [], 0.0
        for i, h in enumerate(heights):
            if acc + h > limit + 1e-6 and acc > 0:
                starts.append(i)
                acc = 0.0
            acc += h
        return starts

    for _ in range(40):
        mid = (lo + hi) / 2
        if len(greedy(mid)) + 1 <= k:
            hi = mid
        else:
            lo = mid
    return greedy(hi)


def _columns(lay: Layout, cuts: list[Cut], starts: list[int]) -> list[_Column]:
    _x0, y0, _x1, y1 = bounds(replace(lay, bands=[]))
    ys = [y0] + [c.y for c in cuts] + [y1]
    idx = [0, *starts, len(ys) - 1]
    crossing = {i for s in starts for i in cuts[s - 1].edges()}
    tops = [ys[a] for a in idx]
    ext = _extents(lay, tops, crossing)
    return [_Column(tops[k], tops[k + 1], *ext[k]) for k in range(len(ext))]


def _place(cols: list[_Column]) -> tuple[float, float]:
    """Set each column's offset; the wrapped layout's (width, height)."""
    x = 0.0
    for c in cols:
        c.dx = x - c.x0
        c.dy = -c.top
        x += c.x1 - c.x0 + COL_GAP
    return x - COL_GAP, max(c.bottom - c.top for c in cols) + (BREAK_Y if len(cols) > 1 else 0.0)


def choose_columns(
    lay: Layout,
    aspect: float,
    cuts: list[Cut] | None = None,
    max_columns: int = MAX_COLUMNS,
    view_px: tuple[float, float] | None = None,
    enough_px: float | None = None,
) -> list[int]:
    """The cut indices (into ``cuts``) after which a new column starts: the wrap whose fit scale
    in a view of ``aspect`` (width / height), or of ``view_px`` pixels, is largest, cuts
    through frames weighed against (:data:`LEVEL_PENALTY`). The fewest columns within 2 % of
    the best are taken, and with ``view_px`` and ``enough_px`` the fewest whose labels reach
    ``enough_px`` pixels at Fit."""
    cuts = chain_cuts(lay) if cuts is None else cuts
    if not lay.boxes:
        return []
    vw, vh = view_px if view_px is not None else (aspect * 1000.0, 1000.0)
    # a cut through frames costs: a block split between columns is harder to read (each
    # frame cut through counts 1 for a plain container, 3 for a block, at 3 % a point)
    levels = sorted({c.cost for c in cuts} | {0})
    per_level = [_wraps(lay, cuts, level, max_columns, vw, vh) for level in levels]
    value = [
        max(score for _, score in tried) * max(0.5, 1.0 - LEVEL_PENALTY * level)
        for level, tried in zip(levels, per_level, strict=True)
    ]
    tried = per_level[value.index(max(value))]
    level_best = max(score for _, score in tried)
    target = 0.98 * level_best  # the fewest columns within 2 % of the best
    if view_px is not None and enough_px is not None:
        font = min((label_px(b) for b in lay.boxes.values() if has_text(b)), default=LABEL_PX)
        target = min(target, enough_px / font)
    return next(st for st, score in tried if score >= target)


def _wraps(
    lay: Layout, cuts: list[Cut], level: int, max_columns: int, vw: float, vh: float
) -> list[tuple[list[int], float]]:
    """Cutting only where a cut's cost is at most ``level``: for each number of columns the
    best wrap found, as the cut indices that start columns 2, 3 ... and its fit scale in a
    ``vw`` x ``vh`` view, fewest columns first.

    Candidates: for each height limit, the columns no taller than it whose widths add up
    least (a dynamic programme over the pieces between cuts), so that wide stages share a
    column and narrow ones another. The limits tried are every piece-run height when there
    are few pieces, else those of height-balanced wraps and a few above them.
    """
    usable = [i for i, c in enumerate(cuts) if c.cost <= level]
    _x0, y0, _x1, y1 = bounds(replace(lay, bands=[]))
    if len(usable) > MAX_PIECES:  # thousands of units: every cut a candidate took minutes
        step, thinned = (y1 - y0) / MAX_PIECES, []
        nxt = y0 + step
        for i in usable:
            if cuts[i].y >= nxt:
                thinned.append(i)
                nxt = cuts[i].y + step
        usable = thinned
    ys = [y0] + [cuts[i].y for i in usable] + [y1]
    n = len(ys) - 1
    crossing = {e for i in usable for e in cuts[i].edges()}
    ext = _extents(lay, ys, crossing)
    heights = [ys[a + 1] - ys[a] for a in range(n)]
    if n <= 30:
        limits = sorted({ys[j] - ys[i] for i in range(n) for j in range(i + 1, n + 1)})
    else:
        base = [
            max(
                (ys[b] - ys[a] for a, b in _runs(_partition(heights, k), n)),
                default=ys[n] - ys[0],
            )
            for k in range(1, min(max_columns, n) + 1)
        ]
        # a thousand-layer graph (hundreds of pieces): fewer limits, each a pass of seconds
        factors = (1.0, 1.1, 1.25, 1.5) if n <= 100 else (1.0, 1.25)
        limits = sorted({t * f for t in base for f in factors})
    best: dict[int, tuple[list[int], float]] = {}
    seen: set[tuple[int, ...]] = set()
    for limit in limits:
        starts = _narrowest(ys, ext, limit)
        if starts is None or len(starts) + 1 > max_columns or tuple(starts) in seen:
            continue
        seen.add(tuple(starts))
        chosen = [usable[s - 1] for s in starts]
        if n <= 30:
            w, h = _place(_columns(lay, cuts, [i + 1 for i in chosen]))
        else:  # from the pieces' extents: a pass over the layout per candidate took seconds
            w, h = _size(ys, ext, starts)
        score = min(vw / (w + 2 * SCENE_MARGIN), vh / (h + 2 * SCENE_MARGIN + BAND_TAIL))
        k = len(chosen) + 1
        if k not in best or score > best[k][1]:
            best[k] = (chosen, score)
    return [best[k] for k in sorted(best)]


def _size(
    ys: list[float], ext: list[tuple[float, float]], starts: list[int]
) -> tuple[float, float]:
    """What :func:`_place` gives for the columns ``starts`` begins, from the extents of the
    pieces (each without the edges that cross a usable cut: a shortcut's route beside the
    boxes may be left out, a few units of width)."""
    runs = _runs(starts, len(ext))
    width = sum(
        max(ext[k][1] for k in range(a, b)) - min(ext[k][0] for k in range(a, b)) for a, b in runs
    )
    height = max(ys[b] - ys[a] for a, b in runs)
    return width + COL_GAP * (len(runs) - 1), height + (BREAK_Y if len(runs) > 1 else 0.0)


def _runs(starts: list[int], n: int) -> list[tuple[int, int]]:
    """The (first, end) piece indices of the columns that ``starts`` begins."""
    idx = [0, *starts, n]
    return list(zip(idx, idx[1:], strict=False))


def _narrowest(ys: list[float], ext: list[tuple[float, float]], limit: float) -> list[int] | None:
    """The column starts (piece indices) whose columns are at most ``limit`` high and whose
    widths plus gaps add up least; None if a piece alone is higher."""
    n = len(ext)
    inf = math.inf
    cost = [0.0] + [inf] * n
    back = [0] * (n + 1)
    lim = limit + 1e-6
    for j in range(1, n + 1):  # plain comparisons: hundreds of pieces, dozens of limits
        x0, x1 = inf, -inf
        yj = ys[j]
        best, bi = inf, 0
        i = j - 1
        while i >= 0 and yj - ys[i] <= lim:  # the column holds pieces i .. j-1
            e0, e1 = ext[i]
            if e0 < x0:
                x0 = e0
            if e1 > x1:
                x1 = e1
            c = cost[i] + (x1 - x0) + (COL_GAP if i else 0.0)
            if c < best:
                best, bi = c, i
            i -= 1
        cost[j], back[j] = best, bi
    if cost[n] == inf:
        return None
    starts, j = [], n
    while j > 0:
        j = back[j]
        if j:
            starts.append(j)
    return starts[::-1]


def wrap_layout(
    lay: Layout,
    aspect: float,
    *,
    view_px: tuple[float, float] | None = None,
    max_columns: int = MAX_COLUMNS,
    enough_px: float | None = None,
    bands: bool = True,
) -> Layout:
    """``lay`` cut into columns set side by side to fill a view ``aspect`` wide (width /
    height), or exactly ``view_px`` = (width, height) pixels; with ``bands``, the stages drawn
    as :class:`Band`\\ s. The input is left as it was.

    ``enough_px``: with ``view_px``, stop adding columns once labels are this many pixels
    high at Fit (a short network is then not spread over the whole screen).
    """
    with paused_gc():  # thousands of boxes replaced: a collection would scan the model too
        return _wrap_layout(lay, aspect, view_px, max_columns, enough_px, bands)


def _wrap_layout(
    lay: Layout,
    aspect: float,
    view_px: tuple[float, float] | None,
    max_columns: int,
    enough_px: float | None,
    bands: bool,
) -> Layout:
    if view_px is not None:
        aspect = view_px[0] / max(view_px[1], 1.0)
    cuts = chain_cuts(lay)
    starts = [i + 1 for i in choose_columns(lay, aspect, cuts, max_columns, view_px, enough_px)]
    cols = _columns(lay, cuts, starts) if lay.boxes else []
    if not cols:
        return lay
    width, height = _place(cols)
    tops = [c.top for c in cols]

    def col_of(y: float) -> int:
        return max(0, bisect.bisect_right(tops, y) - 1)

    boxes: dict[str, Box] = {}
    for b in lay.boxes.values():
        if not b.open:
            c = cols[col_of(b.y + b.h / 2)]
            boxes[b.id] = replace(b, x=b.x + c.dx, y=b.y + c.dy)
            continue
        pieces = [
            (j, max(b.y, c.top), min(b.bottom, c.bottom))
            for j, c in enumerate(cols)
            if b.y < c.bottom and b.bottom > c.top
        ]
        pieces = [p for p in pieces if p[2] - p[1] > 1.0] or pieces[:1]
        for n, (j, y0, y1) in enumerate(pieces):
            c = cols[j]
            pid = b.id if n == 0 else f"{b.id}{PIECE_SEP}{n + 1}"
            boxes[pid] = replace(b, id=pid, x=b.x + c.dx, y=y0 + c.dy, h=y1 - y0)
    edges: list[LayoutEdge] = []
    for e in lay.edges:
        s, t = lay.boxes[e.src], lay.boxes[e.dst]
        cs, ct = col_of(s.y + s.h / 2), col_of(t.y + t.h / 2)
        if cs == ct:
            c = cols[cs]
            pts = [(x + c.dx, y + c.dy) for x, y in e.points]
        else:
            pts = _break_route(boxes[e.src], boxes[e.dst], cols, cs, ct)
        edges.append(replace(e, points=pts))
    out = Layout(
        boxes=boxes,
        edges=edges,
        width=width,
        height=height,
        unit_of_node=lay.unit_of_node,
    )
    if bands:
        out.bands = _bands(lay, cuts, cols)
    x0, y0, x1, y1 = bounds(out)
    out.width, out.height = x1 - x0, y1 - y0
    return out


def _break_route(
    s: Box, t: Box, cols: list[_Column], cs: int, ct: int
) -> list[tuple[float, float]]:
    """From the bottom of the source's column, up the gutter, into the target from above."""
    lo, hi = min(cs, ct), max(cs, ct)
    below = max(c.bottom + c.dy for c in cols[lo:hi]) + BREAK_Y
    gutter = cols[ct].x0 + cols[ct].dx - COL_GAP / 2 if ct > cs else s.x + s.w + COL_GAP / 2
    above = min(cols[ct].top + cols[ct].dy + BREAK_Y, t.y - BREAK_Y)
    return [
        (s.cx, s.bottom),
        (s.cx, below),
        (gutter, below),
        (gutter, above),
        (t.cx, above),
        (t.cx, t.y),
    ]


def _bands(lay: Layout, cuts: list[Cut], cols: list[_Column]) -> list[Band]:
    out: list[Band] = []
    last = len(cols) - 1
    for n, (y0, y1, label) in enumerate(stages(lay, cuts)):
        for j, c in enumerate(cols):
            bottom = c.bottom + (BAND_TAIL if j == last else 0.0)
            a, b = max(y0, c.top), min(y1, bottom)
            if b - a <= 1.0:
                continue
            pad = COL_GAP / 4
            out.append(Band(c.x0 + c.dx - pad, a + c.dy, c.x1 - c.x0 + 2 * pad, b - a, label, n, j))
    return out


def unpiece(box_id: str) -> str:
    """The frame a piece belongs to (``features#2`` -> ``features``); other ids unchanged."""
    return box_id.partition(PIECE_SEP)[0]
