"""Deleting blocks and measuring the accuracy; lesion sweeps (Veit et al. 2016).

The one workflow behind ``cnn-explorer lesion`` and the window's Accuracy and Sweeps panels:
the same default evaluation set, the same sweep definitions, the same evaluation.
"""

from __future__ import annotations

from collections.abc import Generator, MutableMapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress, scaled

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis
    from explorer.runtime.datasets import EvalSet

#: the built-in sample photos: no labels, so the agreement with the intact network only
PHOTOS = "photos"
SWEEPS = ("single", "random", "reorder")


@dataclass(frozen=True)
class EvalSettings:
    """Which images, how many, in batches of what size."""

    ref: str | None = None  # None: the model's own set (default_ref)
    limit: int | None = None  # the first N images (None: all)
    batch_size: int = 64
    download: bool = False  # let torchvision data sets download


@dataclass(frozen=True)
class SweepSettings:
    """A sweep: ``single`` (each block alone, Fig. 3), ``random`` (k = 1..K, Fig. 5a) or
    ``reorder`` (blocks of equal shapes permuted, Fig. 5b)."""

    kind: str
    k_max: int = 8
    trials: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in SWEEPS:
            raise ValueError(f"a sweep is one of {SWEEPS}; got {self.kind!r}")


def default_ref(spec: Any) -> str:
    """The model's own evaluation set: what it declares, digits for the digits networks, else
    the sample photos (unlabelled: agreement only)."""
    declared = spec.extra.get("eval_data") if spec.extra else None
    if declared:
        return str(declared)
    return "digits" if spec.classes == "digits" else PHOTOS


def photo_set(prep: Any) -> EvalSet:
    """scikit-image's photos that ship with it, as an unlabelled evaluation set."""
    from explorer.runtime.datasets import EvalSet
    from explorer.runtime.images import load_sample, sample_names
    from explorer.runtime.preprocess import to_batch

    names = [n for n in sample_names("imagenet") if not n.startswith("digits")]
    images = [load_sample(n) for n in names]

    def load(start: int, stop: int) -> tuple[Any, None]:
        return to_batch(images[start:stop], prep), None

    return EvalSet(
        name=f"{len(images)} sample photos (no labels)",
        n=len(images),
        classes=None,
        labels=None,
        load=load,
    )


def num_outputs(an: Analysis) -> int | None:
    """The model's number of classes, from its traced output ``[1, classes]``; None when the
    trace gives no such shape (the evaluation then says what the model returns instead)."""
    shape = an.graph.g.nodes["@output"].get("out_shape")
    if isinstance(shape, list | tuple) and len(shape) == 2 and isinstance(shape[-1], int):
        return int(shape[-1])
    return None


def open_set(
    an: Analysis, prep: Any, categories: Sequence[str] | None, settings: EvalSettings
) -> tuple[EvalSet, str]:
    """(the evaluation set, its reference); DataError when it cannot be used."""
    from explorer.runtime.datasets import check_fits, open_eval_set

    ref = settings.ref or default_ref(an.spec)
    if ref == PHOTOS:
        return photo_set(prep), ref
    outputs = num_outputs(an)
    es = open_eval_set(
        ref, an.spec, prep, outputs, categories, settings.download, limit=settings.limit
    )
    if outputs is not None:
        check_fits(es, outputs)
    return es, ref


class EvalData:
    """The evaluation set opened (before any progress line: a bad one is the one line the
    user sees), its first ``limit`` images in batches, and the device.

    One image is read at once, so that a folder where no image can be read is that one line
    too (:class:`~explorer.runtime.evalset.DataError`, "no readable image in FOLDER: ...").
    """

    def __init__(
        self,
        an: Analysis,
        prep: Any,
        categories: Sequence[str] | None,
        settings: EvalSettings,
        device: Any,
    ) -> None:
        from explorer.runtime.evaluate import first_images
        from explorer.runtime.inference import resolve_device

        es, ref = open_set(an, prep, categories, settings)
        probe = es.batches(1, limit=1)
        next(probe, None)
        probe.close()
        self.es = es
        self.batches, self.n = first_images(es, settings.limit, settings.batch_size)
        self.opened = f"opened {ref}: {es.n} images"
        self.name = es.name + (f" (first {self.n})" if self.n < es.n else "")
        self.device = resolve_device(device) if isinstance(device, str) else device
        if self.device.type == "cpu":  # a batch whose layers would not fit: refused first
            from explorer.runtime.inference import check_activations

            shape = an.graph.input_shape
            batch = max(1, min(settings.batch_size, self.n))
            check_activations(an.model, (batch, *tuple(shape[1:])))  # on a meta copy

    @property
    def skipped(self) -> dict[str, str]:
        """The files skipped as unreadable (relative to the folder) -> why; not counted."""
        return dict(self.es.skipped_files)


@dataclass
class Accuracy:
    """The intact network's and (with deleted blocks) the lesioned network's evaluation.

    ``n`` is the number of images evaluated; ``skipped``: the files of the set that could not
    be read (a folder's, relative to it: ``cat/broken.png``) -> why, in order; not counted.
    """

    intact: Any  # explorer.runtime.evaluate.EvalResult
    modified: Any  # EvalResult, or None when nothing is deleted
    deleted: list[str]
    data: str
    n: int
    skipped: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The fields by name (not copied: the results stay the objects they are)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def accuracy(
    an: Analysis,
    prep: Any,
    categories: Sequence[str] | None,
    deleted: Sequence[str],
    settings: EvalSettings,
    device: Any,
    *,
    lock: AbstractContextManager[Any] | None = None,
    cache: MutableMapping[Any, Any] | None = None,
    cache_key: Any = None,
) -> Generator[Progress, None, Accuracy]:
    """Evaluate the intact network (from ``cache`` when there) and with ``deleted`` blocks."""
    from explorer.runtime.evaluate import evaluate
    from explorer.studies.lesion.surgery import chain_for, plan_deletion

    plans = [plan_deletion(an, b) for b in deleted]  # LesionError before any work
    data = EvalData(an, prep, categories, settings, device)
    yield Progress(0.0, data.opened)
    batches, n, dev = data.batches, data.n, data.device
    with lock or nullcontext():
        an.model.eval().to(dev)
        chain = chain_for(an)
        intact = cache.get(cache_key) if cache is not None else None
        if intact is None:
            intact = yield from scaled(evaluate(chain.lesioned([]), batches, n, dev), 0.0, 0.5)
            intact.skipped = data.skipped
            if cache is not None:
                cache[cache_key] = intact
        modified = None
        if plans:
            net = chain.lesioned(plans)
            modified = yield from scaled(
                evaluate(net, batches, n, dev, list(deleted), intact.preds), 0.5, 1.0
            )
    skipped = {**intact.skipped, **data.skipped}  # the cached evaluation's, and this one's
    return Accuracy(intact, modified, list(deleted), data.name, intact.n, skipped)


@dataclass
class Sweep:
    """A sweep's result: ``intact`` and the runs (single: one per block; random: by k;
    reorder: (Kendall's tau, run) pairs). ``n`` and ``skipped`` as :class:`Accuracy`'s."""

    kind: str
    intact: Any
    runs: Any
    data: str
    n: int
    skipped: dict[str, str] = field(default_factory=dict)
    #: how many workers took part (1 in this process)
    workers: int = 1

    @property
    def result(self) -> tuple[Any, Any]:
        return self.intact, self.runs


def sweep(
    an: Analysis,
    prep: Any,
    categories: Sequence[str] | None,
    sweep_settings: SweepSettings,
    settings: EvalSettings,
    device: Any,
    *,
    lock: AbstractContextManager[Any] | None = None,
    executor: Any = None,
) -> Generator[Progress, None, Sweep]:
    """Run a lesion sweep on the evaluation set; partial results ride on the progress.

    ``executor`` (:mod:`explorer.runtime.executor`): in this process on ``device`` when None;
    on Ray workers the evaluation images are read once and kept (their size checked first)
    and go to every worker with the network."""
    from explorer.runtime.executor import InProcess, check_data_fits
    from explorer.studies.lesion import sweeps

    sw = sweep_settings
    data = EvalData(an, prep, categories, settings, device)
    yield Progress(0.0, data.opened)
    batches, n, dev = data.batches, data.n, data.device
    ex = executor if executor is not None else InProcess(dev)
    check_data_fits(ex, n, tuple(an.graph.input_shape[1:]))
    with lock or nullcontext():
        if isinstance(ex, InProcess):
            an.model.eval().to(dev)
        kw = {"device": dev, "executor": ex}
        if sw.kind == "single":
            gen = sweeps.single_sweep(an, batches, n, **kw)
        elif sw.kind == "random":
            gen = sweeps.random_sweep(an, batches, n, sw.k_max, sw.trials, sw.seed, **kw)
        else:
            gen = sweeps.reorder_sweep(an, batches, n, sw.trials, sw.seed, **kw)
        intact, runs = yield from scaled(_model_errors(gen), 0.0, 1.0)
    return Sweep(sw.kind, intact, runs, data.name, intact.n, data.skipped, ex.took_part)


def _model_errors(gen: Generator[Any, None, Any]) -> Generator[Any, None, Any]:
    """``gen``, where an error raised by the network (a user's model) is the one line
    "the forward pass failed: ..." (its traceback logged), as :func:`evaluate` says it."""
    from explorer.errors import ExplorerError
    from explorer.runtime.evaluate import forward_failed

    try:
        return (yield from gen)
    except (ExplorerError, GeneratorExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: BLE001 - a user's model can raise anything
        raise forward_failed(exc) from None
