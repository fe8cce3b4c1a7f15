"""A block's field: the theoretical box one output value sees, and its effective field over a
set of images (the ``rf`` command; the window's field overlay)."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

from explorer.app.jobs import Progress


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

    from explorer.app.workflows.lesion import open_set
    from explorer.graph.receptive import block_field
    from explorer.runtime.inference import resolve_device
    from explorer.studies.field.effective import gradient_map, hookable, spread

    field = block_field(an.tree, block_id, position)  # FieldError first: nothing is loaded
    hookable(an.model, block_id)
    yield Progress(0.0, "opening the images")
    es, _ref = open_set(an, prep, categories, settings)
    dev = device if isinstance(device, torch.device) else resolve_device(device)
    model = an.model.to(dev).eval()
    total = None
    n = 0
    want = min(es.n, settings.limit or es.n)
    for x, _y in es.batches(settings.batch_size, settings.limit):
        m = gradient_map(model, block_id, x.to(dev), tuple(field["position"]))
        total = m if total is None else total + m
        n += int(x.shape[0])
        yield Progress(min(n / max(want, 1), 1.0), f"gradients of {n} of {want} images")
    if total is None:
        from explorer.runtime.evalset import DataError

        raise DataError(f"no image in {es.name}")
    stats = spread(total, n)
    i0, j0, i1, j1 = field["inside"]
    stats["mass95_share"] = round(stats["mass95_px"] / ((i1 - i0 + 1) * (j1 - j0 + 1)), 4)
    stats["data"] = es.name
    return stats, (total / total.sum()).to(torch.float32)
