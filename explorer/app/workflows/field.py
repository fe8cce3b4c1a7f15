"""A block's field: the theoretical box one output value sees, and its effective field over a
set of images (the ``rf`` command; the window's field overlay), alone or compared across
networks: trained against random weights, residual against plain."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from explorer.app.jobs import Progress
from explorer.errors import ExplorerError

#: ``compare`` entry for the same network with random weights
RANDOM = "random"


class CompareError(ExplorerError):
    """A network to compare with that cannot be compared (another input, no such block, an
    output of another shape)."""


def effective_field(
    an: Any,
    prep: Any,
    categories: Sequence[str] | None,
    device: Any,
    block_id: str,
    position: tuple[int, int],
    settings: Any,  # explorer.app.workflows.lesion.EvalSettings
) -> Generator[Progress, None, tuple[dict[str, Any], Any]]:
    """The effective field of ``block_id``'s value at ``position`` averaged over the images
    of ``settings`` (the model's own evaluation set by default): (its statistics, with the
    share of the theoretical field on the image that holds 95 % of it; the normalised map).

    Raises the data set's DataError and :class:`~explorer.studies.field.effective.
    EffectiveFieldError` for the user to read.
    """
    import torch

    from explorer.graph.receptive import block_field
    from explorer.runtime.inference import resolve_device
    from explorer.studies.field.effective import hookable

    field = block_field(an.tree, block_id, position)  # FieldError first: nothing is loaded
    hookable(an.model, block_id)
    batches, name, want = _open_images(an, prep, categories, settings)
    yield Progress(0.0, f"opened {name}")  # after: a bad data set is the one line shown
    dev = device if isinstance(device, torch.device) else resolve_device(device)
    model = an.model.to(dev).eval()
    total, n = yield from _summed(model, block_id, field, batches, dev, want, 0.0, 1.0, "")
    stats = _stats(total, n, field)
    stats["data"] = name
    return stats, (total / total.sum()).to(torch.float32)


def compare_effective(
    an: Any,
    block_id: str,
    position: tuple[int, int] | None,
    compare: Sequence[str],
    *,
    images: Any = None,
    data: tuple[Any, Sequence[str] | None, Any] | None = None,
    device: Any = None,
    seed: int = 0,
    weights: str = "as loaded",
    lock: AbstractContextManager[Any] | None = None,
) -> Generator[Progress, None, dict[str, Any]]:
    """The effective field of ``block_id``'s value at ``position`` in ``an``'s network and in
    each network of ``compare``, over the same images.

    ``compare``: :data:`RANDOM` (the same network with random weights drawn from ``seed``, see
    :func:`~explorer.studies.field.effective.random_copy`) or a model's name (that network
    with its own weights, the bundled or library ones: it must take the same input and have
    a block of that id with an output of the same shape, e.g. ``plain56`` for ``resnet56``).
    The images: ``images`` (a ``[N, C, H, W]`` tensor as the model takes it: the window's
    current image) or ``data`` = (preprocessing, categories, EvalSettings) for the model's
    evaluation set. ``weights`` names what ``an``'s model holds; ``lock`` guards its use on a
    worker thread. Every model runs on ``device`` (default: where ``an``'s model is), in eval
    mode.

    Returns ``{"block", "position", "images", "data", "nets": [...]}``, one entry a network,
    ``an``'s first: ``{"model", "weights", "rf", "stride", "box", "inside", "std_px",
    "centre_px", "mass95_px", "mass95_share", "images", "map"}`` (and ``init``, how they were
    drawn, for the random weights), where ``map`` is the ``[H, W]`` float32 numpy map
    normalised to sum 1 and the statistics are
    :func:`~explorer.studies.field.effective.spread`'s of it.

    Raises FieldError, EffectiveFieldError, :class:`CompareError` and the data set's
    DataError, each before any gradient is taken.
    """
    import torch

    from explorer.graph.receptive import block_field
    from explorer.runtime.inference import resolve_device
    from explorer.studies.field.effective import hookable, random_copy

    if not compare:
        raise CompareError("nothing to compare with: give random or a network's name")
    field = block_field(an.tree, block_id, position)
    hookable(an.model, block_id)
    pos = (int(field["position"][0]), int(field["position"][1]))
    guard = lock or nullcontext()
    if device is None:
        p = next(an.model.parameters(), None)
        dev = p.device if p is not None else torch.device("cpu")
    else:
        dev = device if isinstance(device, torch.device) else resolve_device(device)
    # (label, weights, how random ones were drawn, model, its field, the lock its use needs)
    nets: list[tuple[str, str, str | None, Any, dict[str, Any], AbstractContextManager[Any]]]
    nets = [(an.spec.name, weights, None, an.model, field, guard)]
    # every network and the images made ready before the first progress: a mistake is the
    # one thing said
    for other in dict.fromkeys(compare):
        if other == RANDOM:
            with guard:
                model, how = random_copy(an.model, an.spec.build, seed)
            nets.append((an.spec.name, f"random, seed {seed}", how, model, field, nullcontext()))
        else:
            model, info, f = _other_network(an, other, block_id, pos, field)
            nets.append((other, info, None, model, f, nullcontext()))
    if images is not None:
        x = images.detach().float().cpu()
        batches, name, want = (lambda: iter([x])), "this image", int(x.shape[0])
    elif data is not None:
        batches, name, want = _open_images(an, data[0], data[1], data[2])
    else:
        raise CompareError("no images: give the current image or an evaluation set")
    yield Progress(0.0, f"{len(nets)} networks ready")
    out = []
    share = 1.0 / len(nets)
    for k, (label, what, how, model, f, use) in enumerate(nets):
        lo = k * share
        with use:
            if model is not an.model:
                model.to(dev).eval()
            total, n = yield from _summed(
                model, block_id, f, batches, dev, want, lo, lo + share, f"{label}, {what}: "
            )
        stats = _stats(total, n, f)
        entry = {"model": label, "weights": what, **{k: f[k] for k in _FIELD_KEYS}, **stats}
        if how is not None:
            entry["init"] = how
        entry["map"] = (total / total.sum()).to(torch.float32).numpy()
        out.append(entry)
    return {
        "block": block_id,
        "position": list(pos),
        "images": out[0]["images"],
        "data": name,
        "nets": out,
    }


_FIELD_KEYS = ("rf", "stride", "box", "inside")


def _other_network(
    an: Any, name: str, block_id: str, pos: tuple[int, int], field: dict[str, Any]
) -> tuple[Any, str, dict[str, Any]]:
    """Network ``name`` with its own weights, its WeightsInfo's label and the field of its
    ``block_id`` at ``pos``; CompareError where it cannot stand beside ``an``'s."""
    from explorer.graph.analysis import analyze
    from explorer.graph.receptive import FieldError, block_field
    from explorer.models.registry import get
    from explorer.runtime.pipeline import apply_weights
    from explorer.studies.field.effective import hookable

    spec = get(name)
    mine = an.spec
    if spec.input_size[0] != mine.input_size[0] or (spec.mean, spec.std) != (mine.mean, mine.std):
        raise CompareError(
            f"{name} takes other images than {mine.name} ({spec.input_size[0]} channels, mean "
            f"{spec.mean}, std {spec.std}; against {mine.input_size[0]}, {mine.mean}, "
            f"{mine.std}): compare networks that read the same input"
        )
    h = int(field["input"][0])
    other = analyze(spec, input_size=None if h == spec.input_size[1] else h)
    try:
        f = block_field(other.tree, block_id, pos)
    except FieldError as exc:
        raise CompareError(f"{name}: {exc}") from None
    if f["output"] != field["output"]:
        raise CompareError(
            f"{name}'s {block_id} gives {f['output'][0]}x{f['output'][1]} maps, "
            f"{mine.name}'s {field['output'][0]}x{field['output'][1]}: no value to match"
        )
    hookable(other.model, block_id)
    info = apply_weights(spec, other.model, "auto")
    return other.model, info.label, f


def _open_images(
    an: Any, prep: Any, categories: Sequence[str] | None, settings: Any
) -> tuple[Callable[[], Iterator[Any]], str, int]:
    """(the batches of the evaluation set, read anew at each call; its name; how many
    images)."""
    from explorer.app.workflows.lesion import open_set

    es, _ref = open_set(an, prep, categories, settings)
    want = min(es.n, settings.limit or es.n)
    # a batch whose layers would not fit in memory is refused before any work (the gradient
    # keeps them all): the forward peak, on a meta copy, against the memory limit
    from explorer.runtime.inference import check_activations

    batch = max(1, min(settings.batch_size, want))
    check_activations(an.model, (batch, *tuple(an.graph.input_shape[1:])))

    def batches() -> Iterator[Any]:
        return (x for x, _y in es.batches(settings.batch_size, settings.limit))

    return batches, es.name, want


def _summed(
    model: Any,
    block_id: str,
    field: dict[str, Any],
    batches: Callable[[], Iterator[Any]],
    dev: Any,
    want: int,
    lo: float,
    hi: float,
    what: str,
) -> Generator[Progress, None, tuple[Any, int]]:
    """The gradient maps of every batch summed, and the number of images."""
    from explorer.studies.field.effective import gradient_map

    total = None
    n = 0
    pos = (int(field["position"][0]), int(field["position"][1]))
    for x in batches():
        m = gradient_map(model, block_id, x.to(dev), pos)
        total = m if total is None else total + m
        n += int(x.shape[0])
        frac = lo + (hi - lo) * min(n / max(want, 1), 1.0)
        yield Progress(frac, f"{what}gradients of {n} of {want} images")
    if total is None:
        from explorer.runtime.evalset import DataError

        raise DataError("no image to take the gradient of")
    return total, n


def _stats(total: Any, n: int, field: dict[str, Any]) -> dict[str, Any]:
    """:func:`spread`, with the share of the field on the image that holds 95 % of it."""
    from explorer.studies.field.effective import spread

    stats = spread(total, n)
    i0, j0, i1, j1 = field["inside"]
    stats["mass95_share"] = round(stats["mass95_px"] / ((i1 - i0 + 1) * (j1 - j0 + 1)), 4)
    return stats
