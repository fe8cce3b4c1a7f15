"""The Landscape tab as data: a grid in progress filled from its coarser level, the values on
a linear or log scale, one colour range for several landscapes, the caption of each, and a
landscape read back from the ``landscape --json`` output."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import ExplorerError

#: the lecture's slide: the same network with and without its skip connections
PRESETS = {
    "resnet56": "plain56",
    "plain56": "resnet56",
    "resnet20": "plain20",
    "plain20": "resnet20",
}


class LandscapeFileError(ExplorerError):
    """A file that is not a landscape written by ``landscape --json``."""


def filled(loss: Any, done: Any) -> np.ndarray:
    """The grid to draw while it is refined: computed points as they are, every other point
    the value of the nearest point of the finest level computed in full (the walk goes coarse
    to fine: :func:`explorer.studies.landscape.grid.index_levels`); NaN before any level."""
    from explorer.studies.landscape.grid import index_levels

    a = np.asarray(loss, dtype=float)
    d = np.asarray(done, dtype=bool)
    if d.all():
        return a.copy()
    ny, nx = a.shape
    ys = index_levels(ny) if ny > 1 else [[0]]
    xs = index_levels(nx)
    best = None
    for k in range(max(len(xs), len(ys))):
        yi = np.array(ys[min(k, len(ys) - 1)])
        xi = np.array(xs[min(k, len(xs) - 1)])
        if d[np.ix_(yi, xi)].all():
            best = (yi, xi)
    out = np.full(a.shape, np.nan)
    if best is not None:
        yi, xi = best
        ny_near = yi[_nearest(yi, np.arange(ny))]
        nx_near = xi[_nearest(xi, np.arange(nx))]
        out = a[np.ix_(ny_near, nx_near)]
    out = np.where(d, a, out)
    return out


def _nearest(sorted_idx: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each value of ``at``, the position in ``sorted_idx`` of the nearest value."""
    pos = np.clip(np.searchsorted(sorted_idx, at), 1, max(len(sorted_idx) - 1, 1))
    if len(sorted_idx) == 1:
        return np.zeros(len(at), dtype=int)
    left = sorted_idx[pos - 1]
    right = sorted_idx[pos]
    return np.where(np.abs(at - left) <= np.abs(right - at), pos - 1, pos)


def shown(values: Any, log: bool) -> np.ndarray:
    """The values as drawn: log10 of the loss when ``log`` (a loss of 0 drawn at the
    smallest positive one), NaN where not finite."""
    a = np.array(values, dtype=float)
    a[~np.isfinite(a)] = np.nan
    if not log:
        return a
    pos = a[a > 0]
    floor = float(pos.min()) if pos.size else 1.0
    with np.errstate(invalid="ignore"):
        return np.log10(np.where(np.isnan(a) | (a > 0), a, floor))


def colour_range(grids: Sequence[Any]) -> tuple[float, float] | None:
    """One (lo, hi) over every finite value of ``grids`` (several landscapes: one scale)."""
    vals = [np.asarray(g, dtype=float) for g in grids]
    finite = [v[np.isfinite(v)] for v in vals]
    allv = np.concatenate(finite) if finite else np.zeros(0)
    if allv.size == 0:
        return None
    lo, hi = float(allv.min()), float(allv.max())
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def contour_levels(lo: float, hi: float, n: int = 12) -> list[float]:
    """``n`` isolines evenly spaced inside (lo, hi)."""
    step = (hi - lo) / (n + 1)
    return [lo + step * (k + 1) for k in range(n)]


def duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{seconds:.1f} s"
    m, s = divmod(s, 60)
    return f"{m} min {s:02d} s" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def caption(ls: Any) -> str:
    """One line: the network, the grid, the data, the time, the trained point, roughness."""
    c = ls.center
    grid = f"{len(ls.x)}x{len(ls.y)}" if ls.y is not None else f"{len(ls.x)} points"
    span = f"[{ls.x[0]:g}, {ls.x[-1]:g}]"
    top1 = "" if c.get("top1") is None else f", top-1 {c['top1']:.1f} %"
    loss = "n/a" if c.get("loss") is None else f"{c['loss']:.4g}"
    parts = [
        f"{ls.model}: {grid} over {span}{'²' if ls.y is not None else ''}",
        f"{ls.n} images of {ls.data}",
        duration(ls.elapsed_s),
        f"trained point: loss {loss}{top1}",
    ]
    if ls.complete:
        r = ls.roughness()
        big = r["max_second_difference"]
        parts.append(
            f"largest second difference {'n/a' if big is None else f'{big:.3g}'}, "
            f"{r['local_minima']} local minim{'um' if r['local_minima'] == 1 else 'a'}"
        )
    else:
        parts.append(f"{int(np.asarray(ls.done).sum())} of {np.asarray(ls.done).size} points")
    return "; ".join(parts)


def from_json(obj: Any, name: str = "the file") -> Any:
    """A :class:`~explorer.app.workflows.landscape.Landscape`-like object from the
    ``landscape --json`` output (its own keys checked: a file of another kind, or a grid
    the program would not write, is one line)."""
    try:
        return _from_json(obj, name)
    except LandscapeFileError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError, OverflowError):
        raise LandscapeFileError(
            f"{name}: not a landscape as landscape --json writes it (a field of another kind)"
        ) from None


def _from_json(obj: Any, name: str) -> Any:
    from types import SimpleNamespace

    from explorer.studies.landscape.grid import MAX_GRID, roughness

    if not isinstance(obj, dict):
        raise LandscapeFileError(f"{name}: not a landscape (the output of landscape --json)")
    need = ("model", "dims", "x", "y", "loss", "top1", "center", "data")
    missing = [k for k in need if k not in obj]
    if missing:
        raise LandscapeFileError(
            f"{name}: not a landscape (no {', '.join(missing)}; landscape --json writes one)"
        )

    def axis_of(v: Any, what: str) -> list[float]:
        if not isinstance(v, list) or not all(_number(t) for t in v):
            raise LandscapeFileError(f"{name}: {what} is not a list of numbers")
        if not 2 <= len(v) <= MAX_GRID:
            raise LandscapeFileError(
                f"{name}: {what} has {len(v)} points; landscapes have 2 to {MAX_GRID}"
            )
        out = [float(t) for t in v]
        if not all(math.isfinite(t) for t in out) or any(
            b <= a for a, b in zip(out, out[1:], strict=False)
        ):
            raise LandscapeFileError(f"{name}: {what} is not increasing finite numbers")
        return out

    xs = axis_of(obj["x"], "x")
    ys = None if obj["y"] is None else axis_of(obj["y"], "y")
    dims = 2 if ys is not None else 1
    if obj["dims"] != dims:
        raise LandscapeFileError(f"{name}: dims says {obj['dims']}, its axes say {dims}")

    def grid_of(v: Any, what: str) -> np.ndarray:
        rows = v if ys is not None else [v]
        ny = len(ys) if ys is not None else 1
        if not isinstance(rows, list) or len(rows) != ny:
            raise LandscapeFileError(f"{name}: {what} is not {ny} rows")
        out = np.full((ny, len(xs)), np.nan)
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(xs):
                raise LandscapeFileError(f"{name}: {what}'s row {i} is not {len(xs)} values")
            for j, t in enumerate(row):
                if t is not None:
                    if not _number(t):
                        raise LandscapeFileError(f"{name}: {what} holds {type(t).__name__}")
                    out[i, j] = float(t)
        return out

    loss, top1 = grid_of(obj["loss"], "loss"), grid_of(obj["top1"], "top1")
    data = obj["data"] if isinstance(obj["data"], dict) else {}
    centre = obj["center"] if isinstance(obj["center"], dict) else {}
    center = {k: (float(centre[k]) if _number(centre.get(k)) else None) for k in ("loss", "top1")}
    n = data.get("n")
    ns = SimpleNamespace(
        model=str(obj["model"])[:120],
        weights=str(obj.get("weights", ""))[:200],
        data=str(data.get("name", ""))[:200],
        n=int(n) if isinstance(n, int) and not isinstance(n, bool) else 0,
        dims=dims,
        x=xs,
        y=ys,
        loss=loss,
        top1=top1,
        done=np.ones(loss.shape, dtype=bool),
        center=center,
        seed=obj.get("seed") if isinstance(obj.get("seed"), int) else None,
        source=str(obj.get("directions", ""))[:200],
        elapsed_s=float(obj["elapsed_s"]) if _number(obj.get("elapsed_s")) else 0.0,
        workers=int(obj["workers"]) if isinstance(obj.get("workers"), int) else 1,
        complete=True,
    )
    ns.roughness = lambda: roughness(loss if ys is not None else loss[0])
    return ns


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def same_kind(results: Sequence[Any], names: Sequence[str]) -> None:
    """Landscapes shown together must have the same dimension."""
    dims = {r.dims for r in results}
    if len(dims) > 1:
        said = ", ".join(f"{n} is {r.dims}-D" for n, r in zip(names, results, strict=True))
        raise LandscapeFileError(f"{said}: open landscapes of one dimension together")


def read(path: str | Path) -> Any:
    """:func:`from_json` of a file (bounded: a landscape of 201x201 points is ~2 MB)."""
    from explorer.files import FileError, regular_input

    try:
        p = regular_input(path, "landscape file")
    except FileError as exc:
        raise LandscapeFileError(str(exc)) from None
    if p.stat().st_size > 16 << 20:  # a 201x201 landscape is ~2 MB
        raise LandscapeFileError(f"{p.name}: {p.stat().st_size:,} bytes, too large for a landscape")
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except RecursionError:
        raise LandscapeFileError(f"{p.name}: nested too deeply to be a landscape") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LandscapeFileError(f"{p.name}: not JSON ({exc})".splitlines()[0]) from None
    return from_json(obj, p.name)
