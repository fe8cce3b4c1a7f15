"""The Paths tab as data: the unraveled view of a residual network's first blocks (Veit et
al. 2016, Fig. 1b), the three curves of their Fig. 6 (paths, gradient and total by length),
the effective range, and the captions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Veit et al. 2016, Fig. 6: ResNet-110 on CIFAR-10, 54 blocks, effective paths 5-17 long
PAPER = {"model": "ResNet-110", "n_blocks": 54, "effective": (5, 17)}
#: blocks drawn unraveled (2^3 = 8 paths, as the paper's Fig. 1b)
UNRAVELED = 3
#: the colour of each path length 0 .. 3 in the unraveled view
LENGTH_COLOURS = ("#868e96", "#1971c2", "#e8590c", "#c2255c")


@dataclass(frozen=True)
class Node:
    """A node of the unraveled view at (x, y) in units (x: block column, y: path row)."""

    x: float
    y: float
    kind: str  # input, split, branch (a residual function f_i), sum, output
    label: str = ""


@dataclass(frozen=True)
class Edge:
    x0: float
    y0: float
    x1: float
    y1: float
    kind: str  # skip (past a block), branch (into f_i), path (a path's last stretch)
    length: int = -1  # for a path's last stretch: its length


@dataclass(frozen=True)
class Unraveled:
    """Fig. 1(b): the ``n`` first blocks unraveled into 2^n paths from the input (x = 0) to
    one sum (x = n + 1): a path takes block i's residual function f_i (a box) or skips it (a
    plain line). ``rows`` is 2^n; ``names`` are the blocks' ids; ``lengths`` counts the paths
    of each length (1, 3, 3, 1 for three blocks)."""

    n: int
    nodes: list[Node]
    edges: list[Edge]
    names: list[str]
    rows: int
    lengths: list[int]


def unraveled(names: list[str], n: int = UNRAVELED) -> Unraveled:
    """The unraveled view of the first ``n`` blocks named in ``names`` (all where fewer).

    Paths are the rows 0 .. 2^n - 1, ordered by the blocks they take (bit i: block i + 1's
    function); a node after i blocks sits at the mean row of the paths that go through it,
    so the view is a binary tree opening to the right, closed by the sum of the paths."""
    n = max(0, min(n, len(names)))
    rows = 2**n
    nodes: list[Node] = []
    edges: list[Edge] = []

    def row_of(prefix: tuple[int, ...]) -> float:
        d = len(prefix)
        first = sum(b << (n - 1 - i) for i, b in enumerate(prefix))
        return first + (2 ** (n - d) - 1) / 2

    nodes.append(Node(0.0, row_of(()), "input", "input"))
    level: list[tuple[int, ...]] = [()]
    for i in range(n):
        nxt: list[tuple[int, ...]] = []
        for p in level:
            x0, y0 = float(i), row_of(p)
            for b in (0, 1):
                q = (*p, b)
                x1, y1 = float(i + 1), row_of(q)
                if b:
                    nodes.append(Node(x1, y1, "branch", f"f{i + 1}"))
                    edges.append(Edge(x0, y0, x1, y1, "branch"))
                else:
                    nodes.append(Node(x1, y1, "split"))
                    edges.append(Edge(x0, y0, x1, y1, "skip"))
                nxt.append(q)
        level = nxt
    total = (rows - 1) / 2
    sum_x = float(n + 1)
    for p in level:
        edges.append(Edge(float(n), row_of(p), sum_x, total, "path", sum(p)))
    nodes.append(Node(sum_x, total, "sum", "+"))
    nodes.append(Node(sum_x + 0.6, total, "output", "output"))
    counts = [math.comb(n, k) for k in range(n + 1)]
    return Unraveled(n, nodes, edges, list(names[:n]), rows, counts)


@dataclass
class Curves:
    """Fig. 6 of a result: per length (``x``), the number of paths, the mean gradient norm at
    the input (NaN: not measured yet) and the total (paths x norm); the effective range."""

    x: np.ndarray
    num_paths: np.ndarray
    grad_norm: np.ndarray
    contribution: np.ndarray
    effective: tuple[int, int] | None
    share: np.ndarray  # the total as a fraction of its sum (for a plot on one scale)


def curves(result: Any) -> Curves:
    """The three curves of ``result`` (a :class:`~explorer.studies.paths.lengths.PathLengths`)."""

    def arr(v: list[Any]) -> np.ndarray:
        return np.array([np.nan if a is None else float(a) for a in v], dtype=float)

    g = arr(result.grad_norm)
    c = arr(result.contribution)
    total = np.nansum(c)
    share = c / total if total > 0 else np.full_like(c, np.nan)
    return Curves(
        x=np.arange(result.n_blocks + 1, dtype=float),
        num_paths=np.array(result.num_paths, dtype=float),
        grad_norm=g,
        contribution=c,
        effective=result.effective,
        share=share,
    )


def log_values(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, log10 v) of the finite, positive values of ``v`` (a log plot has no room for
    zeros: a gradient that underflowed to 0 is left out)."""
    keep = np.isfinite(v) & (v > 0)
    return np.flatnonzero(keep).astype(float), np.log10(v[keep])


def decade_ticks(logs: np.ndarray) -> list[list[tuple[float, str]]]:
    """Ticks of a log10 axis over the values ``logs`` (as pyqtgraph's ``setTicks`` takes
    them): the decades (1e-6 ...), every second or more where there are many; within less
    than two decades, 2 and 5 times them too, then every digit, so that at least three
    ticks fall inside the values' range."""
    if not len(logs):
        return [[]]
    a, b = float(np.min(logs)), float(np.max(logs))
    lo, hi = math.floor(a), math.ceil(b)
    tol = 0.05 * max(b - a, 0.1)

    def inside(v: float) -> bool:
        return a - tol <= v <= b + tol

    for digits in ((1,), (1, 2, 5), tuple(range(1, 10))):
        ticks = [
            (e + math.log10(m), f"{m}e{e}")
            for e in range(lo, hi + 1)
            for m in digits
            if inside(e + math.log10(m))
        ]
        if len(ticks) >= 3:
            break
    if len(ticks) > 8:
        step = math.ceil(len(ticks) / 7)
        ticks = ticks[::step]
    return [ticks]


def duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"


def caption(result: Any) -> str:
    """One line: the network, its paths, the effective range beside the paper's, how it was
    measured."""
    n = result.n_blocks
    eff = result.effective
    p = PAPER
    where = (
        f"effective paths {eff[0]}-{eff[1]} of {n} (90 % of the total gradient)"
        if eff is not None
        else "effective paths: not yet"
    )
    return (
        f"{result.model} ({result.weights}): {n} residual blocks, 2^{n} = {2**n:,} paths; "
        f"{where}; {p['model']} in the paper: {p['effective'][0]}-{p['effective'][1]} of "
        f"{p['n_blocks']}. {result.images_done or result.n_images} images of {result.data}, "
        f"up to {result.samples_per_length} paths per length, seed {result.seed}, "
        f"{duration(result.elapsed_s)}"
    )


def block_legend(names: list[str]) -> str:
    """``f1 = layer1.0, f2 = layer1.1, f3 = layer1.2``."""
    return ", ".join(f"f{i + 1} = {b}" for i, b in enumerate(names))
