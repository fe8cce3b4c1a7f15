"""Networks side by side, aligned by stage, in one layout (pure data, no Qt).

The ResNet paper's Fig. 3 sets VGG-19, a 34-layer plain net and ResNet-34 side by side,
stage against stage. Here each network (a *pane*) is laid out as the graph view lays it out
(:func:`explorer.present.layout.compute_layout`), then stretched vertically so that each of
its stages (:mod:`explorer.graph.stages`) starts on its row: a row per downsampling step
(:func:`explorer.graph.diff.align`), as high as the tallest network's stage, headed by each
network's parameters and MACs in it. The rows may then be set in several groups side by
side (like the columns of :mod:`explorer.present.wrap`) to fill a wide view; an edge from one
group to the next is drawn as two stubs (leaving down, entering from above).

Every pane is drawn at the same level of detail: its plain containers open, its blocks
closed (``detail="blocks"``), or every block open down to its layers (``"layers"``). Box
ids of pane *i* start with ``"i/"``; :func:`split_id` takes them apart.

The blocks carrying an add-on that another pane lacks in the same row (a skip connection,
a projection shortcut, an SE gate, a RepVGG branch ...) are *marked* (:attr:`SideBySide.marks`)
from :func:`explorer.graph.diff.features`, the counts ``diff`` prints.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.errors import ExplorerError
from explorer.graph.blocks import Block
from explorer.graph.diff import ADDONS, align, features
from explorer.graph.ops import INPUT_ID
from explorer.graph.stages import Stages, resolution_value, stage_dict, stages
from explorer.present.layout import Box, Layout, LayoutEdge, compute_layout, expand_all
from explorer.present.wrap import PIECE_SEP, Band, bounds

#: the lecture's comparisons (View > Side by side)
PRESETS: dict[str, tuple[str, ...]] = {
    "ResNet Fig. 3": ("vgg19", "plain34", "resnet34"),
    "plain vs residual, CIFAR": ("plain56", "resnet56"),
    "SE": ("resnet50", "seresnet50"),
    "RepVGG train vs deploy": ("repvgg_a0", "repvgg_a0+fused"),
    "Inception v1 vs v3": ("googlenet", "inception_v3"),
}
MAX_PANES = 3
DETAILS = ("blocks", "layers")

PANE_GAP = 90.0  # between two panes of a group
GROUP_GAP = 160.0  # between two groups of rows
ROW_HEAD = 52.0  # a row's header: each pane's stage, then its parameters and MACs
ROW_GAP = 26.0  # between a row's last box and the next row's header
TITLE_H = 56.0  # the panes' names above the first row
STUB = 22.0  # the two stubs of an edge from one group to the next
HEAD_PX = 14.0  # a row header's font (scene units): two lines
MIN_PANE_W = 230.0  # a pane's slot is never narrower: its row headers fit in it
TITLE_PX = 26.0  # a pane's title font (scene units)


class SideBySideError(ExplorerError, ValueError):
    """Too few or too many networks, or an unknown level of detail."""


def split_id(box_id: str) -> tuple[int, str]:
    """(pane, the id in that pane's own layout) of a side-by-side box id."""
    pane, _, rest = box_id.partition("/")
    return int(pane), rest


def pane_prefix(i: int) -> str:
    return f"{i}/"


def pane_expanded(tree: Any, detail: str = "blocks") -> set[str]:
    """What is open in a pane: plain containers (``blocks``), or everything (``layers``)."""
    if detail not in DETAILS:
        raise SideBySideError(f"detail must be one of {DETAILS}; got {detail!r}")
    if detail == "layers":
        return expand_all(tree)
    from explorer.graph.stages import PLAIN_CONTAINERS

    return {""} | {
        b.id
        for b in tree.blocks.values()
        if not b.is_leaf and b.executed and b.kind == "sequential" and b.type in PLAIN_CONTAINERS
    }


@dataclass
class Text:
    """A text the view writes: where (scene units, top-left), what, how large."""

    x: float
    y: float
    text: str
    px: float
    pane: int | None = None
    bold: bool = False


@dataclass
class Pane:
    name: str  # as given ("repvgg_a0+fused")
    title: str
    analysis: Any
    stages: Stages
    box_row: dict[str, int]  # own box id (closed boxes) -> row
    x: dict[int, float] = field(default_factory=dict)  # group -> left edge of this pane
    width: float = 0.0


@dataclass
class Row:
    """One row: a downsampling step, with each pane's stages in it (indices) and counts."""

    index: int
    stages: list[list[int]]  # per pane
    cells: list[dict[str, Any]]  # per pane: resolutions, blocks, params, macs, kinds
    group: int = 0
    y: float = 0.0  # top of its header, in its group
    h: float = 0.0  # header + content

    def label(self) -> str:
        res = {r for c in self.cells for r in c["resolutions"]}
        if len(res) == 1:
            (r,) = res
            return f"{r}x{r}" if isinstance(r, int) else str(r)
        return " | ".join(", ".join(map(str, c["resolutions"])) or "-" for c in self.cells)


@dataclass
class SideBySide:
    layout: Layout  # every pane's boxes, edges and bands, ids prefixed "i/"
    blocks: dict[str, Block]  # prefixed block id -> Block (what the view's boxes show)
    panes: list[Pane]
    rows: list[Row]
    texts: list[Text]
    marks: dict[str, list[str]]  # prefixed box id -> the add-ons only it has in its row
    groups: int
    detail: str = "blocks"
    text_scale: float = 1.0

    def row_of(self, box_id: str) -> int | None:
        pane, own = split_id(box_id)
        own = own.partition(PIECE_SEP)[0]
        return self.panes[pane].box_row.get(own)

    def counterparts(self, box_id: str) -> dict[int, str]:
        """For a selected box, the box of each other pane at the same place of the same row
        (the k-th of n closed boxes faces the round(k (m-1)/(n-1))-th of m)."""
        pane, own = split_id(box_id)
        row = self.row_of(box_id)
        if row is None:
            return {}
        mine = self._row_boxes(pane, row)
        if own not in mine:
            return {}
        k, n = mine.index(own), len(mine)
        out: dict[int, str] = {}
        for j in range(len(self.panes)):
            if j == pane:
                continue
            theirs = self._row_boxes(j, row)
            if not theirs:
                continue
            m = len(theirs)
            t = 0 if n == 1 else round(k * (m - 1) / (n - 1))
            out[j] = pane_prefix(j) + theirs[t]
        return out

    def _row_boxes(self, pane: int, row: int) -> list[str]:
        p = self.panes[pane]
        ids = [b for b, r in p.box_row.items() if r == row]
        lay = self.layout.boxes
        return sorted(
            ids, key=lambda b: (lay[pane_prefix(pane) + b].y, lay[pane_prefix(pane) + b].x)
        )


def _prefixed(box: Box, pre: str) -> Box:
    return replace(
        box,
        id=pre + box.id,
        block=pre + box.block,
        parent=None if box.parent is None else pre + box.parent,
        members=[pre + m for m in box.members],
    )


def _warp(breaks: list[tuple[float, float]]) -> Any:
    """A monotone piecewise-linear map of y through (old, new) breakpoints; a constant shift
    before the first and after the last."""
    xs = [b[0] for b in breaks]
    ys = [b[1] for b in breaks]

    def f(y: float) -> float:
        if not xs:
            return y
        if y <= xs[0]:
            return y + ys[0] - xs[0]
        if y >= xs[-1]:
            return y + ys[-1] - xs[-1]
        i = bisect.bisect_right(xs, y) - 1
        x0, x1, y0, y1 = xs[i], xs[i + 1], ys[i], ys[i + 1]
        if x1 - x0 < 1e-9:
            return y1
        return y0 + (y - x0) * (y1 - y0) / (x1 - x0)

    return f


def side_by_side(
    named: list[tuple[str, Any]],
    detail: str = "blocks",
    aspect: float | None = None,
    groups: int | None = None,
    text_scale: float = 1.0,
) -> SideBySide:
    """Lay out the networks of ``named`` ((name, Analysis) pairs, 2 or 3) side by side.

    ``aspect`` (the view's width / height) chooses how many groups of rows fill it best;
    ``groups`` sets it. ``text_scale`` (presentation mode) makes the titles and row headings
    larger, and their room with them. Raises :class:`SideBySideError` for a wrong count or detail.
    """
    if not 2 <= len(named) <= MAX_PANES:
        raise SideBySideError(f"side by side takes 2 or 3 networks; got {len(named)}")
    head = ROW_HEAD + (text_scale - 1) * 2 * HEAD_PX * 1.3  # two lines of the heading
    title_h = TITLE_H + (text_scale - 1) * TITLE_PX * 1.3
    panes: list[Pane] = []
    lays: list[Layout] = []
    for name, an in named:
        lay = compute_layout(an.tree, pane_expanded(an.tree, detail), fold=True)
        st = stages(an.tree)
        title = name if getattr(an, "variant", None) is None else name.replace("+", " ")
        panes.append(Pane(name, title, an, st, {}))
        lays.append(lay)
    rows_idx = align([(p.stages, int(p.analysis.input_shape[-2])) for p in panes])
    rows: list[Row] = []
    for r, per in enumerate(rows_idx):
        cells = []
        for p, idx in zip(panes, per, strict=True):
            cell: dict[str, Any] = {"resolutions": [], "blocks": 0, "params": 0, "macs": 0}
            for i in idx:
                d = stage_dict(p.analysis.tree, p.stages.stages[i])
                cell["resolutions"].append(resolution_value(p.stages.stages[i].resolution))
                for k in ("blocks", "params", "macs"):
                    cell[k] += d[k]
            cells.append(cell)
        rows.append(Row(r, per, cells))

    # each closed box's row, and each pane's extent of each row
    extents: list[dict[int, tuple[float, float]]] = []
    for p, lay, per_rows in zip(panes, lays, zip(*rows_idx, strict=True), strict=True):
        stage_row = {i: r for r, idx in enumerate(per_rows) for i in idx}
        ext: dict[int, tuple[float, float]] = {}
        tree = p.analysis.tree
        for b in lay.boxes.values():
            if b.open:
                continue
            s = p.stages.stage_of(tree, b.block)
            # the input stands on the first row, the output on the last
            r = stage_row[s] if s is not None else (0 if b.block == INPUT_ID else len(rows) - 1)
            p.box_row[b.id] = r
            lo, hi = ext.get(r, (b.y, b.bottom))
            ext[r] = (min(lo, b.y), max(hi, b.bottom))
        for b in lay.boxes.values():  # a frame within one row: its header in that row too
            if not b.open:
                continue
            inside = {
                p.box_row[c.id]
                for c in lay.boxes.values()
                if not c.open and c.id in p.box_row and b.contains_point(c.cx, c.y + c.h / 2)
            }
            if len(inside) == 1:
                (r,) = inside
                lo, hi = ext[r]
                ext[r] = (min(lo, b.y), max(hi, b.bottom))
            elif inside:  # a frame over several rows: its header in the first, under its head
                r = min(inside)
                lo, hi = ext[r]
                ext[r] = (min(lo, b.y), hi)
        last = None  # rows in order down the pane: a row never starts above the last one's end
        for r in sorted(ext):
            lo, hi = ext[r]
            if last is not None and lo < last:
                lo, hi = last, max(hi, last)
            ext[r] = (lo, hi)
            last = hi
        extents.append(ext)
    content = [
        max((e[r][1] - e[r][0] for e in extents if r in e), default=0.0) for r in range(len(rows))
    ]
    for r, row in enumerate(rows):
        row.h = head + content[r] + ROW_GAP

    widths = []  # each pane's slot: its layout, centred, or the room a row header needs
    for lay in lays:
        x0, _, x1, _ = bounds(lay)
        widths.append(max(x1 - x0, MIN_PANE_W))
    band_w = sum(widths) + PANE_GAP * (len(panes) - 1)
    n_groups = groups or _choose_groups([row.h for row in rows], band_w, aspect, title_h)
    starts = _partition([row.h for row in rows], n_groups)
    n_groups = len(starts)
    for g, (a, b) in enumerate(zip(starts, [*starts[1:], len(rows)], strict=True)):
        y = title_h
        for row in rows[a:b]:
            row.group = g
            row.y = y
            y += row.h
    spans = [
        (
            min(row.y for row in rows if row.group == g),
            max(row.y + row.h for row in rows if row.group == g),
        )
        for g in range(n_groups)
    ]
    group_x = [g * (band_w + GROUP_GAP) for g in range(n_groups)]

    def where(y: float) -> tuple[int, float]:
        """(group, y in it) of a stacked y (group g's rows at g * STACK + row.y)."""
        g = min(max(int(y // STACK), 0), n_groups - 1)
        return g, y - g * STACK

    boxes: dict[str, Box] = {}
    edges: list[LayoutEdge] = []
    bands: list[Band] = []
    blocks: dict[str, Block] = {}
    unit_of_node: dict[str, str] = {}
    texts: list[Text] = []
    left = 0.0
    for i, (p, lay, ext) in enumerate(zip(panes, lays, extents, strict=True)):
        pre = pane_prefix(i)
        lx0, _, lx1, _ = bounds(lay)
        x0 = lx0 - (widths[i] - (lx1 - lx0)) / 2  # centred in its slot
        p.width = widths[i]
        breaks: list[tuple[float, float]] = []
        for r in sorted(ext):
            lo, hi = ext[r]
            top = rows[r].group * STACK + rows[r].y + head
            breaks.append((lo, top))
            breaks.append((hi, top + (hi - lo)))
        f = _warp(breaks)
        for g in range(n_groups):
            p.x[g] = group_x[g] + left
        for b in lay.boxes.values():
            nb = _prefixed(b, pre)
            if not b.open:
                g, y = where(f(b.y))
                boxes[nb.id] = replace(nb, x=b.x - x0 + p.x[g], y=y)
                continue
            pieces = _pieces(spans, f(b.y), f(b.bottom))
            for n, (g, y0, y1) in enumerate(pieces):
                pid = nb.id if n == 0 else f"{nb.id}{PIECE_SEP}{n + 1}"
                boxes[pid] = replace(nb, id=pid, x=b.x - x0 + p.x[g], y=y0, h=y1 - y0)
        for e in lay.edges:
            pts = [where(f(y)) + (x,) for x, y in e.points]
            ne = replace(e, src=pre + e.src, dst=pre + e.dst)
            if len({g for g, _, _ in pts}) == 1:
                g = pts[0][0]
                edges.append(replace(ne, points=[(x - x0 + p.x[g], y) for _, y, x in pts]))
                continue
            s, t = boxes[pre + e.src], boxes[pre + e.dst]
            edges.append(replace(ne, points=[(s.cx, s.bottom), (s.cx, s.bottom + STUB)]))
            edges.append(replace(ne, points=[(t.cx, t.y - STUB), (t.cx, t.y)]))
        for node, unit in lay.unit_of_node.items():
            unit_of_node[pre + node] = pre + unit
        for bid, blk in p.analysis.tree.blocks.items():
            blocks[pre + bid] = blk
        for row in rows:
            cell = row.cells[i]
            bx = p.x[row.group] - PANE_GAP / 4
            bands.append(
                Band(bx, row.y, p.width + PANE_GAP / 2, row.h - ROW_GAP / 2, "", row.index, i)
            )
            texts.append(Text(bx + 6, row.y + 8, _cell_text(cell), HEAD_PX * text_scale, i))
        for g in range(n_groups):
            texts.append(Text(p.x[g], 8, p.title, TITLE_PX * text_scale, i, bold=True))
        left += widths[i] + PANE_GAP

    lay = Layout(
        boxes=boxes, edges=edges, width=0.0, height=0.0, unit_of_node=unit_of_node, bands=bands
    )
    bx0, by0, bx1, by1 = bounds(lay)
    lay.width, lay.height = bx1 - bx0, by1 - by0
    out = SideBySide(lay, blocks, panes, rows, texts, {}, n_groups, detail, text_scale)
    out.marks = _marks(out)
    return out


STACK = 1_000_000.0  # groups stacked in one y while the panes are stretched


def _cell_text(cell: dict[str, Any]) -> str:
    if not cell["resolutions"]:
        return "(no stage at this size)"
    res = ", ".join(f"{r}x{r}" if isinstance(r, int) else str(r) for r in cell["resolutions"])
    return f"{res}\n{_m(cell['params'])} params · {_g(cell['macs'])} MACs"


def _pieces(
    spans: list[tuple[float, float]], top: float, bottom: float
) -> list[tuple[int, float, float]]:
    """A frame running from ``top`` to ``bottom`` (stacked y) cut at the groups' ends:
    (group, y0, y1) per piece."""
    out = []
    last = len(spans) - 1
    for g, (lo, hi) in enumerate(spans):
        base = g * STACK
        lo = -STACK / 2 if g == 0 else lo  # the input above the first row
        hi = STACK / 2 if g == last else hi  # a frame's margin below the last
        a, b = max(top, base + lo), min(bottom, base + hi)
        if b - a > 1.0:
            out.append((g, a - base, b - base))
    if not out:
        g = min(max(int(top // STACK), 0), len(spans) - 1)
        out.append((g, top - g * STACK, bottom - g * STACK))
    return out


def _partition(heights: list[float], k: int) -> list[int]:
    """Start indices of ``k`` (or fewer) contiguous groups of rows with the tallest as short
    as it can be."""
    k = max(1, min(k, len(heights)))
    if k == 1:
        return [0]
    lo, hi = max(heights), sum(heights)
    best = [0]
    for _ in range(50):
        mid = (lo + hi) / 2
        starts, acc = [0], 0.0
        for i, h in enumerate(heights):
            if acc + h > mid and acc > 0:
                starts.append(i)
                acc = 0.0
            acc += h
        if len(starts) <= k:
            best, hi = starts, mid
        else:
            lo = mid
    return best


def _choose_groups(
    heights: list[float], band_w: float, aspect: float | None, title_h: float = TITLE_H
) -> int:
    """The number of groups that makes the whole largest in a view of ``aspect``."""
    if aspect is None:
        return 1
    best, best_scale = 1, 0.0
    for k in range(1, min(4, len(heights)) + 1):
        starts = _partition(heights, k)
        spans = zip(starts, [*starts[1:], len(heights)], strict=True)
        tall = max(sum(heights[a:b]) for a, b in spans) + title_h
        wide = len(starts) * band_w + (len(starts) - 1) * GROUP_GAP
        scale = min(aspect / wide, 1.0 / tall)
        if scale > best_scale * 1.05:
            best, best_scale = k, scale
    return best


def _marks(sbs: SideBySide) -> dict[str, list[str]]:
    """Per box, the add-ons it carries that not every pane has as many of in that row."""
    feats = [features(p.analysis.tree, p.stages) for p in sbs.panes]
    out: dict[str, list[str]] = {}
    for row in sbs.rows:
        per_pane = []
        for f, idx in zip(feats, row.stages, strict=True):
            merged: dict[str, list[str]] = {}
            for i in idx:
                for k, ids in f.per_stage.get(i, {}).items():
                    if k in ADDONS:
                        merged.setdefault(k, []).extend(ids)
            per_pane.append(merged)
        kinds = {k for m in per_pane for k in m}
        for k in kinds:
            least = min(len(m.get(k, [])) for m in per_pane)
            for i, m in enumerate(per_pane):
                ids = m.get(k, [])
                extra = ids[least:] if least else ids
                for bid in extra:
                    box = _box_showing(sbs, i, bid)
                    if box is not None and k not in out.setdefault(box, []):
                        out[box].append(k)
    return out


def _box_showing(sbs: SideBySide, pane: int, block_id: str) -> str | None:
    """The closed box of ``pane`` that shows ``block_id`` (itself, a group holding it, the
    box of a block it is inside, or, drawn open, its first closed box)."""
    pre = pane_prefix(pane)
    boxes = sbs.layout.boxes
    best = None
    for bid, box in boxes.items():
        if not bid.startswith(pre) or box.open:
            continue
        own = box.block[len(pre) :]
        members = [m[len(pre) :] for m in box.members] or [own]
        for m in members:
            if block_id == m or block_id.startswith(m + ".") or block_id.startswith(m + ":"):
                return bid
            if best is None and (m.startswith(block_id + ".") or m.startswith(block_id + ":")):
                best = bid
    return best


def _m(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 10_000 else f"{n:,}"


def _g(n: int) -> str:
    return f"{n / 1e9:.2f}G" if n >= 10_000_000 else f"{n / 1e6:.1f}M"


def rows_table(sbs: SideBySide) -> list[dict[str, Any]]:
    """The rows as data (the view's per-stage table and the tests): resolution label and each
    pane's counts."""
    return [
        {"label": row.label(), **{p.name: c for p, c in zip(sbs.panes, row.cells, strict=True)}}
        for row in sbs.rows
    ]


def stage_sums(sbs: SideBySide) -> list[tuple[int, int]]:
    """(parameters, MACs) summed over the rows, per pane."""
    return [
        (
            sum(row.cells[i]["params"] for row in sbs.rows),
            sum(row.cells[i]["macs"] for row in sbs.rows),
        )
        for i in range(len(sbs.panes))
    ]


def row_at(sbs: SideBySide, x: float, y: float) -> int | None:
    """The row under scene point (x, y): inside a group's panes, between a row's top and
    the next's."""
    if not sbs.panes:
        return None
    for row in sbs.rows:
        g = row.group
        left = sbs.panes[0].x[g] - PANE_GAP / 2
        last = sbs.panes[-1]
        right = last.x[g] + last.width + PANE_GAP / 2
        if left <= x <= right and row.y <= y < row.y + row.h:
            return row.index
    return None


def box_line(sbs: SideBySide, box_id: str) -> str:
    """What a pane's inspector line says of one of its boxes: its layer, output, parameters,
    MACs and receptive field, and the add-ons only it has in its row."""
    from explorer.graph.labels import block_label

    pane, own = split_id(box_id)
    p = sbs.panes[pane]
    box = sbs.layout.boxes.get(box_id)
    if box is None:
        return ""
    block_id = box.block[len(pane_prefix(pane)) :]
    tree = p.analysis.tree
    b = tree.blocks[block_id]
    n = box.count
    label = block_label(tree, block_id) if b.executed else b.label
    parts = [f"{block_id or '(model)'}: {label}" + (f" (x{n})" if n > 1 else "")]
    if b.out_shape:
        parts.append("out " + "x".join(map(str, b.out_shape[1:])))
    parts.append(f"{b.params * n:,} params")
    parts.append(f"{_g(b.macs * n)} MACs")
    if b.rf is not None:
        parts.append(f"RF {b.rf} px")
    marks = sbs.marks.get(box_id)
    if marks:
        parts.append("only here in this stage: " + ", ".join(marks))
    return "  ·  ".join(parts)


def row_line(sbs: SideBySide, row: int, pane: int) -> str:
    """A pane's inspector line for a selected row (stage)."""
    r = sbs.rows[row]
    cell = r.cells[pane]
    if not cell["resolutions"]:
        return f"no stage at this step ({r.label()})"
    return f"stage {_cell_text(cell).replace(chr(10), ': ')}  ·  {cell['blocks']} blocks"


def describe(sbs: SideBySide) -> str:
    """One line: the panes and rows (the status bar)."""
    names = ", ".join(p.title for p in sbs.panes)
    return f"{names}: {len(sbs.rows)} stages, aligned by downsampling step"


__all__ = [
    "PRESETS",
    "MAX_PANES",
    "SideBySide",
    "SideBySideError",
    "side_by_side",
    "split_id",
    "rows_table",
    "stage_sums",
]
