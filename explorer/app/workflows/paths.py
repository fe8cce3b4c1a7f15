"""Residual networks as ensembles of paths (Veit et al. 2016, Fig. 6): the one workflow
behind ``cnn-explorer paths`` and the window's Paths tab.

The network is copied (the one shown stays usable meanwhile) and traced with its residual
sums routing the gradient; the evaluation images go forward once per batch, and each
measured path is one backward pass to the input.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis
    from explorer.studies.paths.lengths import PathLengths

#: the defaults: resnet56 on 16 digits takes about a minute on two CPU cores
DEFAULT_SAMPLES = 6
DEFAULT_IMAGES = 16


@dataclass(frozen=True)
class PathSettings:
    """``samples`` paths measured per length (all of them where a length has no more),
    drawn from ``seed``."""

    samples: int = DEFAULT_SAMPLES
    seed: int = 0


def check_settings(s: PathSettings) -> None:
    """The one-line PathsError of settings out of bounds (before any work)."""
    from explorer.studies.paths.lengths import MAX_SAMPLES
    from explorer.studies.paths.routing import PathsError

    if not 1 <= s.samples <= MAX_SAMPLES:
        raise PathsError(f"--samples {s.samples}: give 1 to {MAX_SAMPLES:,} paths per length")


def blocks_of(an: Analysis) -> list[Any]:
    """The residual blocks along the main path (PathsError for a network without any)."""
    from explorer.studies.paths.routing import residual_units

    return residual_units(an)


def paths(
    an: Analysis,
    prep: Any,
    categories: Sequence[str] | None,
    settings: PathSettings,
    eval_settings: Any,  # explorer.app.workflows.lesion.EvalSettings
    device: Any,
    *,
    weights: str = "",
    lock: AbstractContextManager[Any] | None = None,
) -> Generator[Progress, None, PathLengths]:
    """Measure the gradient per path length; a snapshot of the result rides on the progress
    after every length. Raises PathsError, DataError and ModelError for the user to read."""
    import torch

    from explorer.app.workflows.lesion import EvalData
    from explorer.runtime.evaluate import class_scores
    from explorer.studies.paths import lengths
    from explorer.studies.paths.routing import Router

    check_settings(settings)
    start = time.perf_counter()
    units = blocks_of(an)  # before the data: a plain network is the one line the user sees
    data = EvalData(an, prep, categories, eval_settings, device)
    yield Progress(0.0, data.opened)
    with lock or nullcontext():
        router = Router(an, units, copy_model=True)
    dev = data.device
    router.root.eval()
    router.module.eval().to(dev)
    result = lengths.empty(
        an.spec.name,
        weights,
        data.name,
        data.n,
        [u.id for u in units],
        [u.shortcut for u in units],
        settings.samples,
        settings.seed,
    )
    result.skipped = data.skipped

    def on_device() -> Any:
        for x, y in data.batches():
            yield x.to(dev), (y.to(dev) if y is not None else None)

    walk = lengths.sample(router, on_device(), result, scores=class_scores)
    try:
        while True:
            frac, msg, snap = _step(walk)
            if snap is not None:
                snap.elapsed_s = time.perf_counter() - start
            yield Progress(frac, msg, snap)
    except StopIteration:
        pass
    finally:
        walk.close()
        del router
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    # the files found unreadable while reading, and the images that were read (not those
    # planned): as lesion counts them
    result.skipped = data.skipped
    result.n_images = min(result.n_images, result.images_done)
    result.elapsed_s = time.perf_counter() - start
    return result


def _step(walk: Generator[Any, None, Any]) -> Any:
    """The walk's next step; an error raised by the network (a user's model) is the one
    line "the forward pass failed: ..."."""
    from explorer.errors import ExplorerError
    from explorer.runtime.evaluate import forward_failed

    try:
        return next(walk)
    except (ExplorerError, StopIteration, GeneratorExit, KeyboardInterrupt, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - a user's model can raise anything
        raise forward_failed(exc) from None
