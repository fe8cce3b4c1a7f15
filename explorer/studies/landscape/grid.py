"""The grid of a landscape: its axes, the order in which its points are computed (coarse
first, then refined), the weights moved in place to each point, one point's evaluation, and
how rough the surface is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from explorer.studies.landscape.directions import Direction, LandscapeError

MIN_GRID = 2
MAX_GRID = 201
#: the farthest a grid reaches, in units of the direction
MAX_RANGE = 1e6


def axis(lo: float, hi: float, n: int) -> list[float]:
    """``n`` evenly spaced values from ``lo`` to ``hi``; a value within round-off of 0 is 0
    exactly (the trained point is on the grid whenever the range puts it there)."""
    if not MIN_GRID <= n <= MAX_GRID:
        raise LandscapeError(
            f"a grid of {n} point{'s' if n != 1 else ''} per axis: give {MIN_GRID} to {MAX_GRID}"
        )
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        raise LandscapeError(f"the range {lo:g},{hi:g}: give A,B with A < B, both finite")
    if max(abs(lo), abs(hi)) > MAX_RANGE:
        raise LandscapeError(
            f"the range {lo:g},{hi:g}: give A,B within -{MAX_RANGE:g}..{MAX_RANGE:g} (units of "
            "the direction: 1 moves each filter by its own norm)"
        )
    vals = np.linspace(lo, hi, n)
    tol = 1e-9 * (hi - lo)
    return [0.0 if abs(v) <= tol else float(v) for v in vals]


def index_levels(n: int) -> list[list[int]]:
    """Nested sets of indices of an axis of ``n`` points, coarse to fine: the ends and the
    middle first, then every s-th index counted from the middle, s halving down to 1. The
    last set is every index."""
    mid = n // 2
    sets = [sorted({0, mid, n - 1})]
    s = 1
    while s * 2 < n:
        s *= 2
    while s >= 1:
        new = sorted(set(sets[-1]) | set(range(mid % s, n, s)))
        if new != sets[-1]:
            sets.append(new)
        s //= 2
    if sets[-1] != list(range(n)):
        sets.append(list(range(n)))
    return sets


def progressive_order(nx: int, ny: int | None) -> list[list[tuple[int, int]]]:
    """The grid's points ``(i, j)`` (row of y, column of x; 1-D: i = 0) level by level: each
    level adds the points of a finer sub-grid, so the whole grid is sketched early and
    refined while it is watched. Every point appears exactly once."""
    xs = index_levels(nx)
    ys = index_levels(ny) if ny is not None else [[0]]
    depth = max(len(xs), len(ys))
    done: set[tuple[int, int]] = set()
    levels: list[list[tuple[int, int]]] = []
    for k in range(depth):
        xi = xs[min(k, len(xs) - 1)]
        yi = ys[min(k, len(ys) - 1)]
        level = [(i, j) for i in yi for j in xi if (i, j) not in done]
        done.update(level)
        if level:
            levels.append(level)
    return levels


class Moved:
    """A model's parameters (and with :meth:`set_buffers` directions, floating buffers) moved
    in place to theta + x dx + y dy: one copy of theta and the directions are kept, the model
    is never rebuilt. :meth:`restore` (also on leaving a ``with`` block) puts theta back bit
    for bit."""

    def __init__(self, model: nn.Module, dx: Direction, dy: Direction | None = None) -> None:
        state = dict(model.named_parameters())
        state.update({k: b for k, b in model.named_buffers() if b.is_floating_point()})
        names = [k for k in dx if _moves(dx[k]) or (dy is not None and _moves(dy.get(k)))]
        self.targets = {k: state[k] for k in names}
        with torch.no_grad():
            self.theta = {k: t.detach().clone() for k, t in self.targets.items()}
            self.dx = {k: dx[k].to(t.device, t.dtype) for k, t in self.targets.items()}
            self.dy = (
                {k: dy[k].to(t.device, t.dtype) for k, t in self.targets.items() if k in dy}
                if dy is not None
                else {}
            )
        self.at = (0.0, 0.0)
        #: BatchNorm's running variances (moved along a --to line past its ends, they would
        #: turn negative: a variance is kept at 0 or above)
        self.variances = {k for k in self.targets if k.endswith("running_var")}

    def set(self, x: float, y: float = 0.0) -> None:
        with torch.no_grad():
            for k, t in self.targets.items():
                t.copy_(self.theta[k])
                if x:
                    t.add_(self.dx[k], alpha=x)
                if y and k in self.dy:
                    t.add_(self.dy[k], alpha=y)
                if k in self.variances:
                    t.clamp_(min=0.0)
        self.at = (x, y)

    def restore(self) -> None:
        with torch.no_grad():
            for k, t in self.targets.items():
                t.copy_(self.theta[k])
        self.at = (0.0, 0.0)

    def __enter__(self) -> Moved:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()


def _moves(t: torch.Tensor | None) -> bool:
    return isinstance(t, torch.Tensor) and bool(t.any())


@dataclass
class Point:
    """One grid point's evaluation: mean cross-entropy and top-1 (%) over the images; None
    for both where the outputs were not finite (the weights there overflow)."""

    loss: float | None
    top1: float | None
    n: int


def evaluate_point(model: nn.Module, batches: Sequence[tuple[Any, Any]]) -> Point:
    """The model's mean cross-entropy and top-1 over ``batches`` (labelled, on the model's
    device), counted as :class:`explorer.runtime.evaluate.Tally` counts them (the ``lesion``
    command's figures); the model runs as it is (eval mode: BatchNorm's running
    statistics)."""
    from explorer.runtime.evaluate import Tally, class_scores, forward_failed

    tally = Tally()
    with torch.inference_mode():
        for x, y in batches:
            try:
                out = model(x)
            except Exception as exc:  # noqa: BLE001 - a user's model can raise anything
                raise forward_failed(exc) from None
            logits = class_scores(out, x.shape[0])
            if not bool(torch.isfinite(logits).all()):
                return Point(None, None, sum(int(b[0].shape[0]) for b in batches))
            tally.add(logits, y)
    r = tally.result()
    if r.loss is None or not math.isfinite(r.loss):  # finite scores, infinite cross-entropy
        return Point(None, r.top1, r.n)
    return Point(r.loss, r.top1, r.n)


@dataclass
class Walk:
    """What every worker of a landscape needs once: the network (on the CPU, or as it is in
    this process), the directions and the kept evaluation batches."""

    model: nn.Module
    dx: Direction
    dy: Direction | None
    batches: list[tuple[Any, Any]]


def walk_setup(walk: Walk, device: Any) -> tuple[nn.Module, Moved, list[tuple[Any, Any]]]:
    """A worker's state: the network on ``device`` in eval mode, its weights ready to move, the
    batches on ``device`` (:class:`explorer.runtime.executor.Work`'s ``setup``)."""
    model = walk.model.eval().to(device)
    batches = [(x.to(device), y.to(device)) for x, y in walk.batches]
    return model, Moved(model, walk.dx, walk.dy), batches


def walk_point(state: tuple[nn.Module, Moved, list[tuple[Any, Any]]], at: Any) -> Point:
    """One grid point ``at = (x, y)`` evaluated."""
    model, moved, batches = state
    moved.set(float(at[0]), float(at[1]))
    return evaluate_point(model, batches)


def walk_teardown(state: tuple[nn.Module, Moved, list[tuple[Any, Any]]]) -> None:
    """The weights put back bit for bit."""
    state[1].restore()


def roughness(loss: Any) -> dict[str, Any]:
    """How rough a landscape is, from its grid of losses (NaN where not finite):

    - ``max_second_difference``: the largest |L[k+1] - 2 L[k] + L[k-1]| between neighbours
      along either axis (loss units; a smooth bowl has small ones, a chaotic surface large);
    - ``local_minima``: points lower than every neighbour (8 in 2-D, 2 in 1-D) on the grid;
      a convex surface has one.
    """
    with np.errstate(all="ignore"):  # inf - inf where losses overflow: not a number, skipped
        return _roughness(np.asarray(loss, dtype=float))


def _roughness(a: np.ndarray) -> dict[str, Any]:
    if a.ndim == 1:
        a = a[None, :]
    diffs = []
    if a.shape[1] >= 3:
        diffs.append(np.abs(a[:, 2:] - 2 * a[:, 1:-1] + a[:, :-2]))
    if a.shape[0] >= 3:
        diffs.append(np.abs(a[2:, :] - 2 * a[1:-1, :] + a[:-2, :]))
    finite = [d[np.isfinite(d)] for d in diffs]
    vals = np.concatenate(finite) if finite else np.zeros(0)
    biggest = float(vals.max()) if vals.size else None
    pad = np.pad(a, 1, constant_values=np.inf)
    pad[~np.isfinite(pad)] = np.inf
    centre = pad[1:-1, 1:-1]
    lower = np.isfinite(centre)
    h, w = a.shape
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if (di, dj) == (0, 0) or (h == 1 and di != 0):
                continue
            lower &= centre < pad[1 + di : 1 + di + h, 1 + dj : 1 + dj + w]
    return {"max_second_difference": biggest, "local_minima": int(lower.sum())}
