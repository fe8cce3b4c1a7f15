"""The loss landscape around a trained network (Li et al. 2018): the one workflow behind
``cnn-explorer landscape`` and the window's Landscape tab.

The evaluation images are read once and kept; the weights are moved in place to each grid
point (theta + x dx + y dy), evaluated in eval mode (BatchNorm with its running statistics),
and put back bit for bit at the end, also when the run is cancelled or fails.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis

#: what the output says of BatchNorm during the walk
BATCHNORM = "eval mode: running statistics of the trained network"
#: the BatchNorm statement when the buffers are interpolated with the weights (--to)
BATCHNORM_TO = (
    "eval mode: running statistics interpolated with the weights (variances kept >= 0 past "
    "the ends)"
)


@dataclass(frozen=True)
class LandscapeSettings:
    """One landscape: ``dims`` 1 or 2, ``grid`` points per axis over ``span`` (A, B) in units
    of the directions; random filter-normalised directions from ``seed``, or read from
    ``directions`` (a file), or the line to the checkpoint ``to`` (1-D interpolation,
    theta(a) = (1 - a) theta0 + a theta1)."""

    dims: int = 2
    grid: int = 21
    span: tuple[float, float] = (-1.0, 1.0)
    seed: int = 0
    directions: str | None = None
    save_directions: str | None = None
    to: str | None = None
    #: walk a copy of the model (the window: the shown model stays usable meanwhile)
    copy_model: bool = False


@dataclass
class Landscape:
    """A landscape, complete or (as a partial result) in progress: ``loss[i][j]`` is the loss
    at ``(x[j], y[i])`` (1-D: one row), NaN where not computed yet or not finite; ``done``
    says which points are computed."""

    model: str
    weights: str
    data: str
    n: int
    dims: int
    x: list[float]
    y: list[float] | None
    loss: Any  # numpy [ny, nx]
    top1: Any  # numpy [ny, nx]
    done: Any  # numpy bool [ny, nx]
    center: dict[str, float | None]
    seed: int | None
    source: str  # "random", "file NAME", "interpolation to NAME"
    batchnorm: str
    elapsed_s: float = 0.0
    workers: int = 1
    level: int = 0
    levels: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    nonfinite: int = 0

    @property
    def complete(self) -> bool:
        return bool(self.done.all())

    def snapshot(self) -> Landscape:
        """A copy the UI thread may keep while the walk goes on."""
        from dataclasses import replace

        return replace(self, loss=self.loss.copy(), top1=self.top1.copy(), done=self.done.copy())

    def roughness(self) -> dict[str, Any]:
        from explorer.studies.landscape.grid import roughness

        return roughness(self.loss if self.dims == 2 else self.loss[0])

    def as_json(self) -> dict[str, Any]:
        """The ``landscape --json`` object (non-finite losses as null)."""
        import math

        def plain(a: Any) -> Any:
            rows = [[None if not math.isfinite(v) else float(v) for v in row] for row in a]
            return rows if self.dims == 2 else rows[0]

        data: dict[str, Any] = {"name": self.data, "n": self.n}
        if self.skipped:
            data["skipped"] = list(self.skipped)
        return {
            "model": self.model,
            "weights": self.weights,
            "data": data,
            "dims": self.dims,
            "x": list(self.x),
            "y": list(self.y) if self.y is not None else None,
            "loss": plain(self.loss),
            "top1": plain(self.top1),
            "center": dict(self.center),
            "seed": self.seed,
            "directions": self.source,
            "normalization": "filter" if self.source == "random" else None,
            "ignored": "biasbn" if self.source == "random" else None,
            "batchnorm": self.batchnorm,
            "roughness": self.roughness(),
            "nonfinite": self.nonfinite,
            "elapsed_s": round(self.elapsed_s, 3),
            "workers": self.workers,
        }


def check_settings(s: LandscapeSettings) -> tuple[list[float], list[float] | None]:
    """The grid's axes, or the one-line LandscapeError of settings that do not go together
    (before any work)."""
    from explorer.studies.landscape.directions import LandscapeError
    from explorer.studies.landscape.grid import axis

    if s.dims not in (1, 2):
        raise LandscapeError(f"--dims {s.dims}: a landscape has 1 or 2 dimensions")
    if s.to is not None:
        if s.dims != 1:
            raise LandscapeError("--to draws the 1-D line between two checkpoints: use --dims 1")
        if s.directions is not None:
            raise LandscapeError("--to and --directions go separately (--to is the direction)")
        if s.save_directions is not None:
            raise LandscapeError(
                "--save-directions saves random directions; with --to the direction is the "
                "difference of the checkpoints"
            )
    xs = axis(s.span[0], s.span[1], s.grid)
    return xs, (list(xs) if s.dims == 2 else None)


def landscape(
    an: Analysis,
    prep: Any,
    categories: Sequence[str] | None,
    settings: LandscapeSettings,
    eval_settings: Any,  # explorer.app.workflows.lesion.EvalSettings
    device: Any,
    *,
    weights: str = "",
    lock: AbstractContextManager[Any] | None = None,
    executor: Any = None,
) -> Generator[Progress, None, Landscape]:
    """Walk the landscape; every level of refinement (and every row) rides on the progress
    as a :class:`Landscape` snapshot. Raises LandscapeError, DataError, ModelError and the
    checkpoint's WeightsError for the user to read."""
    import copy

    import numpy as np
    import torch

    from explorer.app.workflows.lesion import EvalData
    from explorer.runtime.executor import InProcess, Work, check_data_fits
    from explorer.studies.landscape import directions as dirs_mod
    from explorer.studies.landscape.grid import (
        Walk,
        progressive_order,
        walk_point,
        walk_setup,
        walk_teardown,
    )

    xs, ys = check_settings(settings)
    start = time.perf_counter()
    with lock or nullcontext():  # the files first: a bad one is the one line the user sees
        dx, dy, source, seed = _directions(an.model, settings)
    dirs_mod.check_moves(dx, dy)
    data = EvalData(an, prep, categories, eval_settings, device)
    dev = data.device
    ex = executor if executor is not None else InProcess(dev)
    away = not isinstance(ex, InProcess)  # the workers get copies, not this model
    check_data_fits(ex, data.n, tuple(an.graph.input_shape[1:]))  # before they are read
    batches = kept_batches(data, an)
    yield Progress(0.0, data.opened)
    with lock or nullcontext():
        model = copy.deepcopy(an.model) if settings.copy_model or away else an.model
    if away:
        model = model.cpu()
        batches = [(x.cpu(), y.cpu()) for x, y in batches]
    hold = nullcontext() if settings.copy_model or away else (lock or nullcontext())
    with hold:
        if settings.save_directions is not None:
            saved = {"x": dx} if dy is None else {"x": dx, "y": dy}
            dirs_mod.save_directions(settings.save_directions, saved)
        ny = len(ys) if ys is not None else 1
        nan = np.full((ny, len(xs)), np.nan)
        ls = Landscape(
            model=an.spec.name,
            weights=weights,
            data=data.name,
            n=sum(int(x.shape[0]) for x, _y in batches),  # read, not planned
            dims=settings.dims,
            x=xs,
            y=ys,
            loss=nan.copy(),
            top1=nan.copy(),
            done=np.zeros((ny, len(xs)), dtype=bool),
            center={"loss": None, "top1": None},
            seed=seed,
            source=source,
            batchnorm=BATCHNORM_TO if settings.to else BATCHNORM,
            skipped=data.skipped,
            workers=ex.workers,
        )
        levels = progressive_order(len(xs), len(ys) if ys is not None else None)
        ls.levels = len(levels)
        total = sum(len(lv) for lv in levels) + 1
        # the units: the trained point, then the grid level by level (a grid point at the
        # trained point is that one's evaluation, not evaluated again)
        units: list[tuple[float, float]] = [(0.0, 0.0)]
        where: list[tuple[int, int]] = [(-1, -1)]
        unit_level = [0]
        origin: dict[int, list[tuple[int, int]]] = {}  # level -> its cells at the trained point
        for k, level in enumerate(levels):
            for i, j in level:
                yv = ys[i] if ys is not None else 0.0
                if xs[j] == 0.0 and yv == 0.0:
                    origin.setdefault(k + 1, []).append((i, j))
                    continue
                units.append((xs[j], yv))
                where.append((i, j))
                unit_level.append(k + 1)
        left = [0, *(len(lv) for lv in levels)]
        count = 0
        center: Any = None
        reached = 0  # the highest level a result has come from

        def fill(cells: list[tuple[int, int]], p: Any, k: int) -> None:
            nonlocal count
            for i, j in cells:
                ls.loss[i, j] = np.nan if p.loss is None else p.loss
                ls.top1[i, j] = np.nan if p.top1 is None else p.top1
                ls.nonfinite += p.loss is None
                ls.done[i, j] = True
                left[k] -= 1
                count += 1

        def fill_origin(upto: int) -> None:
            # a grid point at the trained point is that one's evaluation, filled with its level
            for k in [k for k in origin if k <= upto]:
                fill(origin.pop(k), center, k)

        work = Work(walk_setup, walk_point, Walk(model, dx, dy, batches), walk_teardown)
        for u, p in ex.map(work, units):
            ls.elapsed_s = time.perf_counter() - start
            if u == 0:
                center = p
                ls.center = {"loss": p.loss, "top1": p.top1}
                count += 1
                fill_origin(reached)
                yield Progress(count / total, "evaluated the trained point", ls.snapshot())
                continue
            k = unit_level[u]
            reached = max(reached, k)
            fill([where[u]], p, k)
            if center is not None:
                fill_origin(reached)
            ls.level = k
            shown = (len(levels[k - 1]) - left[k]) % len(xs) == 0 or left[k] == 0
            yield Progress(
                count / total,
                f"level {k} of {len(levels)}: {count - 1} of {total - 1} points",
                ls.snapshot() if shown else None,
            )
        if center is not None:
            fill_origin(len(levels))
        ls.workers = ex.took_part
        del batches
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    ls.elapsed_s = time.perf_counter() - start
    return ls


def _directions(model: Any, s: LandscapeSettings) -> tuple[Any, Any, str, int | None]:
    """(dx, dy or None, where they come from, the seed or None)."""
    from pathlib import Path

    from explorer.models.checkpoint import read_state_dict
    from explorer.models.checkpoint_bounds import state_bytes
    from explorer.studies.landscape import directions as d

    if s.to is not None:
        target = read_state_dict(s.to, model_bytes=state_bytes(model), model_name="the network")
        return d.difference(model, target), None, f"interpolation to {Path(s.to).name}", None
    if s.directions is not None:
        loaded = d.load_directions(s.directions, model)
        name = Path(s.directions).name
        d.check_directions(model, loaded, s.dims, name)
        return loaded["x"], loaded.get("y") if s.dims == 2 else None, f"file {name}", None
    made = d.random_directions(model, s.seed, s.dims)
    return made["x"], made.get("y"), "random", s.seed


def kept_batches(data: Any, an: Analysis) -> list[tuple[Any, Any]]:
    """The evaluation images read once and kept (every grid point sees the same ones), their
    size checked first; LandscapeError when they carry no labels."""
    from explorer.limits import check_bytes, tensor_bytes
    from explorer.studies.landscape.directions import LandscapeError

    shape = tuple(an.graph.input_shape[1:])
    check_bytes(tensor_bytes((data.n, *shape)), f"{data.n} evaluation images of {shape}")
    kept = []
    for x, y in data.batches():
        if y is None:
            raise LandscapeError(
                f"the loss needs labelled images; {data.name} has none (give --data digits, "
                "a folder of class folders, FILE.npz with labels, cifar10 ...)"
            )
        kept.append((x, y))
    if not kept:
        from explorer.runtime.evalset import DataError

        raise DataError(f"no image in {data.name}")
    return kept


def prepared(name: str) -> tuple[Any, Any, Any, str]:
    """(analysis, preprocessing, categories, weights label) of a registered network with the
    weights it ships (else the library's, else random): the window's second landscape."""
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get
    from explorer.runtime.pipeline import apply_weights, preprocess

    spec = get(name)
    an = analyze(spec)
    info = apply_weights(spec, an.model, "auto")
    prep = preprocess(spec, info, None, None, None, None)
    return an, prep, info.categories, info.label


def landscapes(
    first: tuple[Any, Any, Any, str],
    others: Sequence[str],
    settings: LandscapeSettings,
    eval_settings: Any,
    device: Any,
    *,
    lock: AbstractContextManager[Any] | None = None,
    executor: Any = None,
) -> Generator[Progress, None, list[Landscape]]:
    """The landscape of ``first`` (analysis, preprocessing, categories, weights label: the
    shown network, walked on a copy so that it stays usable) and of each network named in
    ``others`` (built here with its own weights), with the same settings and seed, one after
    the other. Partial results ride on the progress as ``(index, snapshot)``."""
    from dataclasses import replace

    out: list[Landscape] = []
    count = 1 + len(others)
    for k, item in enumerate([first, *others]):
        lo, hi = k / count, (k + 1) / count
        if isinstance(item, str):
            yield Progress(lo, f"building {item}")
            an, prep, cats, label = prepared(item)
            walk = landscape(
                an, prep, cats, settings, eval_settings, device, weights=label, executor=executor
            )
        else:
            an, prep, cats, label = item
            mine = replace(settings, copy_model=True)
            walk = landscape(
                an,
                prep,
                cats,
                mine,
                eval_settings,
                device,
                weights=label,
                lock=lock,
                executor=executor,
            )
        try:
            while True:
                step = next(walk)
                partial = None if step.partial is None else (k, step.partial)
                name = an.spec.name
                yield Progress(
                    None if step.fraction is None else lo + (hi - lo) * step.fraction,
                    f"{name}: {step.message}",
                    partial,
                )
        except StopIteration as stop:
            out.append(stop.value)
        finally:
            walk.close()
    return out
