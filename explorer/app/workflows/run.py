"""Images through the network: preprocessing, deleted blocks, the probed forward pass."""

from __future__ import annotations

import threading
from collections.abc import Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress, scaled

#: how long a load waits for its stored graph to be drawn before it imports torch
DRAW_WAIT_S = 2.0

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis
    from explorer.runtime.inference import RunResult


def run_images(
    an: Analysis,
    images: Sequence[Any],
    prep: Any,
    device: Any,  # a name ("auto", "cuda:0") or a torch.device
    precision: str,
    categories: Sequence[str] | None,
    feature: str | None = None,
    deleted: Sequence[str] = (),
    *,
    lock: AbstractContextManager[Any] | None = None,
    invert: bool = True,
) -> Generator[Progress, None, RunResult]:
    """Run ``images`` (LoadedImage) through ``an``'s model (lesioned by ``deleted``) with the
    probes on; ``feature`` is the block whose feature maps are kept.

    For a digits network the images are checked first (:func:`digit_inputs`: a photo is
    warned about, a light-background digit inverted unless ``invert`` is False); what was
    found is in the result's ``notes``."""
    from explorer.runtime.inference import run
    from explorer.runtime.preprocess import to_batch
    from explorer.runtime.probe_plan import plan_for
    from explorer.studies.lesion.surgery import lesioned_model

    yield Progress(0.2, "preprocessing")
    plan = plan_for(an)  # once per model, on the worker rather than the UI thread
    images, notes = digit_inputs(an.spec, images, invert)
    x = to_batch(list(images), prep)
    net: Any = an.model
    deleted = sorted(deleted)
    if deleted:  # the network with the deleted blocks, sharing the model's weights
        yield Progress(0.3, f"{len(deleted)} block(s) deleted")
        net = lesioned_model(an, deleted)[0]
    if not deleted and tuple(x.shape) == tuple(an.graph.input_shape):
        from explorer.runtime.inference import known_activation_peak

        # the traced graph holds every output's shape for this very input
        known_activation_peak(net, x.shape, 4 * graph_peak(an.graph.g))
    yield Progress(0.4, "forward pass")
    with lock or nullcontext():
        res = run(net, x, device, precision, categories, plan, feature)
    res.input, res.preprocess, res.plan = x, prep, plan
    res.deleted = deleted
    # what the images' check found comes first: it says what the answer is worth
    named = len(images) > 1
    res.notes[:0] = [
        f"{img.name}: {n}" if named else n
        for img, ns in zip(images, notes, strict=True)
        for n in ns
    ]
    return res


def digit_inputs(
    spec: Any, images: Sequence[Any], invert: bool = True
) -> tuple[list[Any], list[list[str]]]:
    """The images as the model ``spec`` should see them, and per image what to tell the user.

    For a network trained on digits (``spec.classes == "digits"``) each image goes through
    :func:`~explorer.runtime.digit_input.adapt_for_digits` (a photo warned about, a
    light-background digit inverted unless ``invert`` is False). Other networks get the images as they are, with no notes. The
    command line and the window both call this, so both say the same."""
    if getattr(spec, "classes", None) != "digits":
        return list(images), [[] for _ in images]
    from explorer.runtime.digit_input import adapt_for_digits

    out, notes = [], []
    for img in images:
        adapted, said = adapt_for_digits(img, invert)
        out.append(adapted)
        notes.append(said)
    return out, notes


def graph_peak(g: Any) -> int:
    """Elements of the largest output of any node of a traced graph (``out_shape``)."""

    def numel(shape: Any) -> int:
        if not isinstance(shape, list | tuple) or not shape:
            return 0
        if all(isinstance(d, int) for d in shape):
            n = 1
            for d in shape:
                n *= d
            return n
        return max(numel(s) for s in shape)  # a tuple of outputs: its largest

    return max((numel(d.get("out_shape")) for _n, d in g.nodes(data=True)), default=0)


def load_weights(
    an: Analysis, choice: str, fresh: bool, *, lock: AbstractContextManager[Any] | None = None
) -> Generator[Progress, None, Any]:
    """Put weights into ``an``'s model: ``auto``, ``bundled``, ``pretrained``, ``random`` or a
    checkpoint file; returns the WeightsInfo."""
    from pathlib import Path

    from explorer.runtime.pipeline import apply_weights

    what = Path(choice).name if Path(choice).suffix else choice
    yield Progress(0.1, f"loading weights: {what}")
    with lock or nullcontext():
        return apply_weights(an.spec, an.model, choice, fresh=fresh)


def load_model(
    name: str,
    input_size: int | None = None,
    *,
    stored: bool = False,
    drawn: threading.Event | None = None,
) -> Generator[Progress, None, Analysis]:
    """Build, trace and group the model ``name`` (the first step imports torch and timm).

    With ``stored``, the analysis cache (:mod:`explorer.graph.cache`) is read first: a stored
    analysis of ``name`` is yielded as a partial result (its model not built) before torch is
    imported, and the freshly traced one is kept for the next start. ``drawn``: torch's import
    waits (up to :data:`DRAW_WAIT_S`) until the caller sets it, so that drawing the stored
    graph does not share the interpreter with the import."""
    from explorer.graph.analysis import analyze_steps

    lo = 0.0
    if stored:
        from explorer.graph import cache
        from explorer.graph.analysis import input_shape_for
        from explorer.models.registry import get

        yield Progress(0.0, f"reading the stored graph of {name}")
        spec = get(name)
        shown = cache.load(spec, input_shape_for(spec, input_size))
        if shown is not None:
            lo = 0.05
            yield Progress(lo, f"{name}: the stored graph; importing torch", shown)
            if drawn is not None:
                drawn.wait(DRAW_WAIT_S)
    an = yield from scaled(analyze_steps(name, input_size), lo, 1.0)
    if stored:
        cache.store(an)
    return an
