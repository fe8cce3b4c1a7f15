"""One frame of the block graph laid out: its units in layers, top to bottom (pure data).

The units of an open block form a DAG (the graph's edges contracted to them). Each unit goes
to the layer after its latest predecessor (longest path, in execution order); within a layer
units are ordered by the barycentre of their predecessors and placed so that a chain stays in
one column and parallel branches stand side by side. Which units a frame holds, and what
they look like, is :mod:`explorer.present.layout`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

GAP_X = 24.0
GAP_Y = 30.0


class Frame:
    """Layout of one open block's children, in local coordinates."""

    def __init__(self) -> None:
        self.units: list[str] = []
        self.pos: dict[str, tuple[float, float]] = {}
        self.size: dict[str, tuple[float, float]] = {}
        self.w = 0.0
        self.h = 0.0


def place_frame(
    units: list[str],
    sizes: dict[str, tuple[float, float]],
    edges: Iterable[tuple[str, str]],
    order: Callable[[str], int],
    aside: Callable[[list[list[str]], dict[str, float]], None] | None = None,
) -> Frame:
    """Place ``units`` (in execution order, each of ``sizes[u]`` = (w, h)) joined by ``edges``.

    ``aside(rows, cx)`` may move units sideways (their centre ``cx``) before the frame's
    extent is measured.
    """
    fr = Frame()
    fr.units = units
    fr.size = dict(sizes)
    preds: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        preds[b].append(a)
    # layers: longest path in execution order (a topological order of the DAG)
    layer: dict[str, int] = {}
    for u in units:
        layer[u] = max((layer[p] + 1 for p in preds[u] if p in layer), default=0)
    n_layers = max(layer.values(), default=-1) + 1
    rows: list[list[str]] = [[] for _ in range(n_layers)]
    for u in units:
        rows[layer[u]].append(u)
    # x positions: centre under predecessors, then push apart
    cx: dict[str, float] = {}
    for r, row in enumerate(rows):
        want = []
        for u in row:
            ps = [cx[p] for p in preds[u] if p in cx]
            want.append(sum(ps) / len(ps) if ps else 0.0)
        idx = sorted(range(len(row)), key=lambda i: (want[i], order(row[i])))
        row[:] = [row[i] for i in idx]
        want = [want[i] for i in idx]
        widths = [fr.size[u][0] for u in row]
        total = sum(widths) + GAP_X * (len(row) - 1)
        # start from a tight row centred on the mean wish, then honour wishes left to right
        mean_want = sum(want) / len(want) if want else 0.0
        left = mean_want - total / 2
        xs = []
        for w, wx in zip(widths, want, strict=True):
            x = max(left, wx - w / 2) if len(row) == 1 or r > 0 else left
            xs.append(x)
            left = x + w + GAP_X
        # shift back so that the row is centred on its wishes when it overshot
        shift = (sum(x + w / 2 for x, w in zip(xs, widths, strict=True)) / len(xs)) - mean_want
        if shift > 0:
            xs = [x - shift for x in xs]
        for u, x, w in zip(row, xs, widths, strict=True):
            cx[u] = x + w / 2
    if aside is not None:
        aside(rows, cx)
    # y positions by rows
    y = 0.0
    ys: dict[str, float] = {}
    for row in rows:
        hmax = max(fr.size[u][1] for u in row)
        for u in row:
            ys[u] = y
        y += hmax + GAP_Y
    fr.h = max(0.0, y - GAP_Y)
    if units:
        minx = min(cx[u] - fr.size[u][0] / 2 for u in units)
        maxx = max(cx[u] + fr.size[u][0] / 2 for u in units)
    else:
        minx = maxx = 0.0
    fr.w = maxx - minx
    for u in units:
        fr.pos[u] = (cx[u] - fr.size[u][0] / 2 - minx, ys[u])
    return fr
