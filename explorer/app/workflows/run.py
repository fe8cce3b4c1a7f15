"""Images through the network: preprocessing, deleted blocks, the probed forward pass."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress, scaled

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
) -> Generator[Progress, None, RunResult]:
    """Run ``images`` (LoadedImage) through ``an``'s model (lesioned by ``deleted``) with the
    probes on; ``feature`` is the block whose feature maps are kept."""
    from explorer.runtime.inference import run
    from explorer.runtime.preprocess import to_batch
    from explorer.runtime.probe_plan import plan_for
    from explorer.studies.lesion.surgery import lesioned_model

    yield Progress(0.2, "preprocessing")
    plan = plan_for(an)  # once per model, on the worker rather than the UI thread
    x = to_batch(list(images), prep)
    net: Any = an.model
    deleted = sorted(deleted)
    if deleted:  # the network with the deleted blocks, sharing the model's weights
        yield Progress(0.3, f"{len(deleted)} block(s) deleted")
        net = lesioned_model(an, deleted)[0]
    yield Progress(0.4, "forward pass")
    with lock or nullcontext():
        res = run(net, x, device, precision, categories, plan, feature)
    res.input, res.preprocess, res.plan = x, prep, plan
    res.deleted = deleted
    return res


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


def load_model(name: str, input_size: int | None = None) -> Generator[Progress, None, Analysis]:
    """Build, trace and group the model ``name`` (the first step imports torch and timm)."""
    from explorer.graph.analysis import analyze_steps

    return (yield from scaled(analyze_steps(name, input_size), 0.0, 1.0))
