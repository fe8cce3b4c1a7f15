"""Coordinates for the block graph: pure data, testable without a screen.

The layout is compound and recursive. An *open* block is drawn as a frame holding
the layout of its children; a *closed* block (or a leaf) is one box. Inside each
frame the children form a DAG (graph edges contracted to the visible units), laid
out top to bottom in layers (longest path), ordered within a layer by the
barycentre of their predecessors, and placed so that a chain stays in one column
and parallel branches stand side by side (:mod:`explorer.present.frames`). Runs of
identical sibling blocks (same type, kind, parameters and shapes, each feeding the next)
are drawn as one "xN" box until the group is opened.

Coordinates are in scene units, y growing downwards; every box is an axis-aligned
rectangle ``(x, y, w, h)`` with (x, y) its top-left corner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from explorer.graph.blocks import Block, BlockTree
from explorer.graph.labels import (
    FOLD_KINDS,
    block_label,
    block_marks,
    group_label,
    is_hidden,
    leaf_label,
    mark_label,
    single_layer,
)
from explorer.graph.motifs import EDGE_RANK
from explorer.graph.ops import MERGE_OPS, paused_gc
from explorer.present.frames import GAP_X, GAP_Y, Frame, place_frame

BOX_H = 36.0
BOX_MIN_W = 110.0
CHAR_W = 7.0
PAD = 14.0
HEADER = 22.0
GROUP_SEP = ".."


@dataclass
class Box:
    """A drawn rectangle: one block (or a group of repeated blocks)."""

    id: str
    x: float
    y: float
    w: float
    h: float
    kind: str
    label: str
    block: str  # the block id (first member for a group)
    parent: str | None  # the frame holding it (None for the root frame)
    open: bool = False  # drawn as a frame with its children inside
    count: int = 1  # > 1 for an "xN" group
    members: list[str] = field(default_factory=list)
    shortcut: str | None = None
    name: str = ""  # the module's qualified name (tooltip, inspector); label is slide-style
    marks: list[str] = field(default_factory=list)  # folded layers drawn as a small mark

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains_point(self, px: float, py: float, tol: float = 1e-6) -> bool:
        return (
            self.x - tol <= px <= self.x + self.w + tol
            and self.y - tol <= py <= self.y + self.h + tol
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@dataclass
class LayoutEdge:
    src: str
    dst: str
    kind: str
    shape: list[int] | None
    points: list[tuple[float, float]]
    count: int = 1  # graph edges it stands for


@dataclass
class Layout:
    boxes: dict[str, Box]
    edges: list[LayoutEdge]
    width: float
    height: float
    unit_of_node: dict[str, str]  # graph node id -> the box that shows it
    bands: list[Any] = field(default_factory=list)  # stage bands (present.wrap.Band), if wrapped

    def units(self) -> list[Box]:
        """Boxes drawn closed (leaves, closed blocks, groups)."""
        return [b for b in self.boxes.values() if not b.open]


def signature(b: Block) -> tuple[Any, ...]:
    return (
        b.type,
        b.kind,
        b.params,
        b.macs,
        tuple(map(tuple, b.in_shapes)),
        tuple(b.out_shape or ()),
        len(b.nodes),
    )


def default_expanded(tree: BlockTree, max_units: int = 120) -> set[str]:
    """The view a model opens with: the root and its plain stages open, blocks closed.

    Opens plain ``sequential`` containers level by level, breadth first, while the
    number of visible units stays under ``max_units``.
    """
    expanded = {""}
    frontier = [""]
    visible = len(tree.root.children)
    while frontier:
        nxt = []
        for bid in frontier:
            for c in tree.blocks[bid].children:
                cb = tree.blocks[c]
                if cb.is_leaf or not cb.executed or cb.kind != "sequential":
                    continue
                if single_layer(tree, c) is not None:  # conv + BN + ReLU: one box
                    continue
                extra = len(cb.children) - 1
                if visible + extra > max_units:
                    continue
                expanded.add(c)
                visible += extra
                nxt.append(c)
        frontier = nxt
    return expanded


def opening(tree: BlockTree, bid: str) -> set[str]:
    """What opening ``bid`` opens: the block, and for a block of parallel branches
    (inception, Inception-ResNet) the plain branches inside it, so that each branch reads as
    a column of layers ("1x1 conv, 96" over "3x3 conv, 128") as on the paper's figure."""
    b = tree.blocks.get(bid)
    if b is None or b.is_leaf:
        return {bid}
    out = {bid}
    has_cat = any(tree.blocks[c].is_leaf and merge_op(tree.blocks[c]) == "cat" for c in b.children)
    if b.kind == "inception" or has_cat:
        for c in b.children:
            cb = tree.blocks[c]
            if not cb.is_leaf and cb.executed and cb.kind == "sequential":
                if single_layer(tree, c) is None:
                    out.add(c)
    return out


def expand_to_depth(tree: BlockTree, depth: int) -> set[str]:
    """Every executed container up to ``depth`` open (root is depth 0); a container that
    computes one layer (conv + BN + ReLU) stays one box, its norm and activation as marks."""
    return {
        b.id
        for b in tree.blocks.values()
        if not b.is_leaf and b.executed and b.depth < depth and single_layer(tree, b.id) is None
    } | {""}


def expand_all(tree: BlockTree) -> set[str]:
    """Every executed container open but those that compute one layer (see above)."""
    return {
        b.id
        for b in tree.blocks.values()
        if not b.is_leaf and b.executed and single_layer(tree, b.id) is None
    }


def _label(b: Block) -> str:
    """The header of an open frame: the module's own (short) name, with its parent's where
    that name is an index ("stages.1", not "1")."""
    if b.id == "":
        return "model"
    if b.label.isdigit():
        return ".".join(b.id.split(".")[-2:])
    return b.label


def _box_w(label: str) -> float:
    return max(BOX_MIN_W, CHAR_W * len(label) + 2 * PAD)


MERGE_SIZE = 26.0  # a sum or product is drawn as a small circle
CONCAT_SIZE = (120.0, 20.0)  # a concatenation as a bar reading "concat"


def merge_op(b: Block) -> str | None:
    """ "add", "mul" or "cat" for a leaf that merges tensors, else None."""
    if not b.is_leaf or b.op is None or ":" not in b.id:
        return None
    return MERGE_OPS.get(b.op.strip("_"))


def _leaf_size(b: Block) -> tuple[float, float]:
    m = merge_op(b)
    if m == "cat":
        return CONCAT_SIZE
    if m in ("add", "mul"):
        return MERGE_SIZE, MERGE_SIZE
    return _box_w(leaf_label(b)), BOX_H


def compute_layout(
    tree: BlockTree,
    expanded: Iterable[str] | None = None,
    collapse_repeats: bool = True,
    fold: bool = True,
) -> Layout:
    """Lay out ``tree`` with the blocks in ``expanded`` open (root always open).

    ``expanded`` may also name a repeat group (``first..last``) to show its members.
    Boxes carry slide-style labels (:mod:`explorer.graph.labels`); do-nothing layers are
    not drawn; with ``fold`` a norm, activation or dropout right after a conv or FC is a
    mark inside that box rather than a box of its own.
    """
    with paused_gc():
        return _compute_layout(tree, expanded, collapse_repeats, fold)


def _fold(g: Any, blocks: dict[str, Block], units: list[str]) -> dict[str, list[str]]:
    """Units of a frame folded into the conv or FC before them: head unit -> folded units.

    A leaf norm/act/dropout folds when its only input is the previous unit's output and that
    output goes nowhere else (conv -> BN -> ReLU: one box marked ``BN, ReLU``).
    """
    folded: dict[str, list[str]] = {}
    head: str | None = None
    tail: str | None = None
    for u in units:
        b = blocks.get(u)
        if b is None or not b.is_leaf:
            head = tail = None
            continue
        if b.kind in ("conv", "linear") and len(b.nodes) == 1:
            head, tail = u, b.nodes[0]
            continue
        if (
            head is not None
            and tail is not None
            and b.kind in FOLD_KINDS
            and len(b.nodes) == 1
            and _only_input(g, blocks, b.nodes[0]) == tail
        ):
            folded.setdefault(head, []).append(u)
            tail = b.nodes[0]
            continue
        head = tail = None
    return folded


def _pre_fold(g: Any, blocks: dict[str, Block], units: list[str]) -> dict[str, list[str]]:
    """In a pre-activation frame, the norms and activations folded into the conv or FC after
    them: head unit -> folded units, in order (BN -> ReLU -> conv: one box ``BN → ReLU →
    3x3 conv, 64``).

    A frame is pre-activation when a norm or activation comes before its first conv or FC
    (He et al. 2016's units, DenseNet's layers); elsewhere (conv -> BN -> ReLU) nothing folds
    forward, so a post-activation block never reads as a pre-activation one. A run folds when
    each of its layers takes only the previous one's output, and the conv only the last's.
    """
    layers = [blocks[u] for u in units if u in blocks and blocks[u].is_leaf]
    first = next((b for b in layers if b.kind in FOLD_KINDS | {"conv", "linear"}), None)
    if first is None or first.kind not in ("norm", "act"):
        return {}
    folded: dict[str, list[str]] = {}
    run: list[str] = []
    for u in units:
        b = blocks.get(u)
        if b is None or not b.is_leaf or len(b.nodes) != 1:
            run = []
            continue
        node = b.nodes[0]
        joined = bool(run) and _only_input(g, blocks, node) == blocks[run[-1]].nodes[0]
        if b.kind in ("conv", "linear"):
            if joined:
                folded[u] = run
            run = []
        elif b.kind in FOLD_KINDS:
            run = [*run, u] if joined else [u]
        else:
            run = []
    return folded


def _only_input(g: Any, blocks: dict[str, Block], node: str) -> str | None:
    """The node whose output is ``node``'s only input, looking through layers that are not
    drawn (timm's Identity ``bn`` between an SE block's conv and its ReLU), provided that
    output goes nowhere else; None otherwise."""
    preds = list(g.predecessors(node))
    while len(preds) == 1:
        p = preds[0]
        if g.out_degree(p) != 1:
            return None
        pb = blocks.get(p)
        if pb is None or not is_hidden(pb):
            return p
        preds = list(g.predecessors(p))
    return None


def _compute_layout(
    tree: BlockTree, expanded: Iterable[str] | None, collapse_repeats: bool, fold: bool = True
) -> Layout:
    g = tree.graph.g
    blocks = tree.blocks
    open_set = set(default_expanded(tree) if expanded is None else expanded) | {""}

    # 1. which unit shows each graph node
    unit_of: dict[str, str] = {}
    groups: dict[str, list[str]] = {}  # group id -> member block ids
    member_group: dict[str, str] = {}

    hidden_nodes: list[str] = []
    folded_into: dict[str, list[str]] = {}  # head unit -> leaf units drawn as its marks
    pre_folded: dict[str, list[str]] = {}  # head unit -> leaf units named before it, in order

    def children_units(bid: str) -> list[str]:
        kids = []
        for c in blocks[bid].children:
            if not blocks[c].executed:
                continue
            if is_hidden(blocks[c]):
                hidden_nodes.extend(blocks[c].nodes)
                continue
            kids.append(c)
        units = _group_units(bid, kids)
        if fold:
            pre = _pre_fold(g, blocks, units)
            pre_folded.update(pre)
            gone = {v for vs in pre.values() for v in vs}
            units = [u for u in units if u not in gone]
            heads = _fold(g, blocks, units)
            folded_into.update(heads)
            gone = {v for vs in heads.values() for v in vs}
            units = [u for u in units if u not in gone]
        return units

    # the groups the user opened, by first member (once: a frame per unit of a thousand-layer
    # graph each scanning every opened group took seconds)
    opened_groups: dict[str, list[str]] = defaultdict(list)
    for gid in open_set:
        if GROUP_SEP in gid:
            first, _, last = gid.partition(GROUP_SEP)
            opened_groups[first].append(last)

    def _group_units(bid: str, kids: list[str]) -> list[str]:
        if not collapse_repeats:
            return kids
        # members of a group the user opened stay ungrouped, even once a member is opened
        opened: set[str] = set()
        at = {k: i for i, k in enumerate(kids)}
        for first in at.keys() & opened_groups.keys():
            for last in opened_groups[first]:
                i0 = at[first]
                stem = first.rpartition(".")[0]
                last_id = f"{stem}.{last}" if stem else last
                i1 = at.get(last_id, i0)
                opened.update(kids[i0 : i1 + 1])
        out: list[str] = []
        i = 0
        while i < len(kids):
            j = i + 1
            bi = blocks[kids[i]]
            if not bi.is_leaf and kids[i] not in open_set and kids[i] not in opened:
                sig = signature(bi)  # an open block, or one of an opened group, stays alone
                while (
                    j < len(kids)
                    and not blocks[kids[j]].is_leaf
                    and kids[j] not in open_set
                    and kids[j] not in opened
                    and signature(blocks[kids[j]]) == sig
                    and _feeds(g, blocks[kids[j - 1]], blocks[kids[j]])
                ):
                    j += 1
            if j - i >= 2:
                # never an opened group: its members are in ``opened``, so none forms
                gid = kids[i] + GROUP_SEP + kids[j - 1].rpartition(".")[2]
                groups[gid] = kids[i:j]
                for m in kids[i:j]:
                    member_group[m] = gid
                out.append(gid)
            else:
                out.extend(kids[i:j])
            i = j
        return out

    frame_units: dict[str, list[str]] = {}

    def assign(bid: str) -> None:
        units = children_units(bid)
        frame_units[bid] = units
        for u in units:
            if u in groups:
                for m in groups[u]:
                    for n in blocks[m].nodes:
                        unit_of[n] = u
            elif u in open_set and not blocks[u].is_leaf:
                assign(u)
            else:
                for n in blocks[u].nodes:
                    unit_of[n] = u
                for v in (*pre_folded.get(u, ()), *folded_into.get(u, ())):
                    for n in blocks[v].nodes:
                        unit_of[n] = u

    assign("")
    # a layer that is not drawn shows as its input's unit: its edges join what it joins
    for n in sorted(hidden_nodes, key=lambda n: g.nodes[n]["order"]):
        preds = [unit_of[p] for p in g.predecessors(n) if p in unit_of]
        if preds:
            unit_of[n] = preds[0]

    # 2. contracted edges per frame (between units of the same frame)
    def frame_of(unit: str) -> str:
        first = groups[unit][0] if unit in groups else unit
        p = blocks[first].parent
        return p if p is not None else ""

    unit_parent: dict[str, str] = {}
    for f, units in frame_units.items():
        for u in units:
            unit_parent[u] = f

    def lift(u: str, frame: str) -> str | None:
        """The child of ``frame`` (a unit or an open child frame) that holds unit u."""
        cur = u
        while True:
            p = unit_parent.get(cur)
            if p is None:
                return None
            if p == frame:
                return cur
            cur = p

    frame_edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for a, b in g.edges():
        ua, ub = unit_of.get(a), unit_of.get(b)
        if ua is None or ub is None or ua == ub:
            continue
        # lowest common frame
        anc_a = [ua]
        while anc_a[-1] in unit_parent:
            anc_a.append(unit_parent[anc_a[-1]])
        set_a = set(anc_a)
        cur = ub
        while cur not in set_a and cur in unit_parent:
            cur = unit_parent[cur]
        common = cur if cur in set_a else ""
        if common in frame_units:
            la, lb = lift(ua, common), lift(ub, common)
            if la is not None and lb is not None and la != lb:
                frame_edges[common].add((la, lb))

    # 3. recursive placement, bottom-up
    frames: dict[str, Frame] = {}
    order_of = {bid: blocks[bid].order for bid in blocks}

    def unit_order(u: str) -> int:
        return order_of[groups[u][0]] if u in groups else order_of[u]

    def unit_size(u: str) -> tuple[float, float]:
        if u in frame_units:
            fr = place(u)
            w = max(fr.w + 2 * PAD, _box_w(_label(blocks[u])))
            return w, fr.h + HEADER + PAD
        if u in groups:
            return _box_w(group_label(tree, groups[u])), BOX_H
        if not blocks[u].is_leaf:
            return _box_w(block_label(tree, u)), BOX_H
        if u in pre_folded:
            return _box_w(pre_label(u)), BOX_H
        return _leaf_size(blocks[u])

    def pre_label(u: str) -> str:
        """``BN → ReLU → 3x3 conv, 64``: a conv with the pre-activation folded into it."""
        return " → ".join([*(mark_label(blocks[v]) for v in pre_folded[u]), leaf_label(blocks[u])])

    def place(bid: str) -> Frame:
        if bid not in frames:
            units = sorted(frame_units[bid], key=unit_order)
            sizes = {u: unit_size(u) for u in units}

            def aside(rows: list[list[str]], cx: dict[str, float]) -> None:
                _gate_aside(tree, bid, rows, cx, sizes, units)

            frames[bid] = place_frame(units, sizes, frame_edges.get(bid, ()), unit_order, aside)
        return frames[bid]

    root = place("")

    # 4. absolute boxes
    boxes: dict[str, Box] = {}

    def emit(bid: str, ox: float, oy: float) -> None:
        fr = frames[bid]
        frame: str | None = bid or None
        for u in fr.units:
            lx, ly = fr.pos[u]
            w, h = fr.size[u]
            x, y = ox + lx, oy + ly
            if u in groups:
                m = groups[u]
                b0 = blocks[m[0]]
                boxes[u] = Box(
                    u,
                    x,
                    y,
                    w,
                    h,
                    b0.kind,
                    group_label(tree, m),
                    m[0],
                    frame,
                    count=len(m),
                    members=list(m),
                    shortcut=b0.motif.shortcut if b0.motif else None,
                    name=f"{m[0]} .. {m[-1]}",
                    marks=block_marks(tree, m[0]),
                )
            else:
                b = blocks[u]
                is_open = u in frame_units
                if is_open:
                    marks: list[str] = []
                elif b.is_leaf:
                    marks = [mark_label(blocks[v]) for v in folded_into.get(u, ())]
                else:
                    marks = block_marks(tree, u)
                one = None if is_open or b.is_leaf else single_layer(tree, u)
                boxes[u] = Box(
                    u,
                    x,
                    y,
                    w,
                    h,
                    one.kind if one is not None else b.kind,  # a fused RepVGG block: conv
                    _label(b)
                    if is_open
                    else pre_label(u)
                    if u in pre_folded
                    else block_label(tree, u),
                    u,
                    frame,
                    open=is_open,
                    shortcut=b.motif.shortcut if b.motif else None,
                    name=u or "model",
                    marks=marks,
                )
                if is_open:
                    inner = frames[u]
                    emit(u, x + (w - inner.w) / 2, y + HEADER)

    emit("", 0.0, 0.0)

    # 5. edges between units, routed
    agg: dict[tuple[str, str], LayoutEdge] = {}
    for a, b, d in g.edges(data=True):
        ua, ub = unit_of.get(a), unit_of.get(b)
        if ua is None or ub is None or ua == ub:
            continue
        key = (ua, ub)
        kind = d.get("kind", "data")
        if kind != "data" and ub != b:
            # the merge this edge feeds is inside a closed box, which draws its own glyph
            kind = "data"
        e = agg.get(key)
        if e is None:
            agg[key] = LayoutEdge(ua, ub, kind, d.get("shape"), [])
        else:
            e.count += 1
            if EDGE_RANK[kind] > EDGE_RANK[e.kind]:
                e.kind = kind
    edges = list(agg.values())
    for e in edges:
        e.points = _route(boxes[e.src], boxes[e.dst], e.kind)
    return Layout(boxes=boxes, edges=edges, width=root.w, height=root.h, unit_of_node=unit_of)


def _gate_aside(
    tree: BlockTree,
    bid: str,
    rows: list[list[str]],
    cx: dict[str, float],
    sizes: dict[str, tuple[float, float]],
    units: list[str],
) -> None:
    """In an open SE block, move the gate path beside the straight data path into the product."""
    b = tree.blocks.get(bid)
    if b is None or b.motif is None or b.kind != "se":
        return
    gate_nodes = set(b.motif.branches[1])
    gate_units = {u for u in units if u in tree.blocks and set(tree.blocks[u].nodes) & gate_nodes}
    if not gate_units:
        return
    for row in rows:  # only when no other unit shares a row with the gate path
        if any(u in gate_units for u in row) and any(u not in gate_units for u in row):
            return
    shift = max(sizes[u][0] for u in gate_units) / 2 + GAP_X
    for u in gate_units:
        cx[u] += shift


def _feeds(g: Any, a: Block, b: Block) -> bool:
    """True when everything entering ``b`` comes from ``a``."""
    inside_b = set(b.nodes)
    inside_a = set(a.nodes)
    for n in b.nodes:
        for p in g.predecessors(n):
            if p not in inside_b and p not in inside_a:
                return False
    return True


def _route(s: Box, t: Box, kind: str) -> list[tuple[float, float]]:
    """A polyline from the source box's boundary to the target box's boundary."""
    if kind == "skip":
        # beside the stack: out of the source's right side, down, into the target's right side
        xr = max(s.x + s.w, t.x + t.w) + GAP_X / 2
        sy = s.y + s.h / 2
        ty = t.y + t.h / 2
        return [(s.x + s.w, sy), (xr, sy), (xr, ty), (t.x + t.w, ty)]
    if t.y >= s.bottom:
        sy, ty = s.bottom, t.y
        if abs(s.cx - t.cx) < 1e-6:
            return [(s.cx, sy), (t.cx, ty)]
        mid = ty - GAP_Y / 2
        return [(s.cx, sy), (s.cx, mid), (t.cx, mid), (t.cx, ty)]
    # backwards or sideways (rare): leave from the side
    return [(s.x + s.w, s.y + s.h / 2), (t.x, t.y + t.h / 2)]
