"""One image through several networks side by side, with the probes on (Qt-free).

The side-by-side view and any command that compares networks call :func:`run_across`: each
network gets the image with its *own* preprocessing (its weights' resize, crop and mean/std;
a digits network's check of the image, :func:`~explorer.app.workflows.run.digit_inputs`) and
its own class names, exactly as the single-model run of the window and ``predict`` give them,
since it is :func:`~explorer.app.workflows.run.run_images` that runs each one. A network that
fails says why in its own result; the others keep theirs.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress, scaled
from explorer.app.variants import variant_name
from explorer.errors import log_unexpected, one_line

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis
    from explorer.models.checkpoint import WeightsInfo
    from explorer.runtime.inference import RunResult


@dataclass
class AcrossResult:
    """One network's answer on the image: its run, or why there is none."""

    name: str  # the network's registered name (the pane's title)
    image: str  # the image's display name
    result: RunResult | None = None
    weights: WeightsInfo | None = None
    error: str | None = None  # one line, when the network gave no result
    classes: str = ""  # the spec's classes ("imagenet", "digits" ...)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


def run_across(
    analyses: Sequence[Analysis],
    image: Any,  # a LoadedImage
    device: Any = "auto",
    precision: str = "fp32",
    weights: Sequence[Any] | Any = "auto",
    *,
    normalize: str | None = None,
    invert: bool = True,
    lock: AbstractContextManager[Any] | None = None,
) -> Generator[Progress, None, list[AcrossResult]]:
    """Run ``image`` through each network of ``analyses`` (in order) with the probes on.

    Parameters
    ----------
    analyses
        The networks, one per pane (up to three in the side-by-side view; any number here).
    image
        The one image (a :class:`~explorer.runtime.images.LoadedImage`) every network sees.
    device, precision
        As for the window's run (``"auto"``, ``"cpu"``, ``"cuda:0"`` ...; ``"fp32"`` ...).
    weights
        Per network (a sequence as long as ``analyses``) or for all: a WeightsInfo says the
        model already holds those weights (nothing is loaded; its transforms and class names
        are used), a string is a weights choice loaded into the model first (``"auto"``: the
        bundled weights, else library pretrained ones, else random, as the window's first
        run), None means ``"auto"``.
    normalize
        The user's normalisation preset for every network (None: each one's weights say).
    invert
        For a digits network: invert a digit drawn dark on light paper (as the window's
        toggle).
    lock
        Held while a model's weights load and while it runs (the window's model lock).

    Yields
    ------
    Progress
        Fractions scaled across the networks (network ``i`` of ``n`` in ``[i/n, (i+1)/n]``),
        each message prefixed by the network's name; ``partial`` is the list of the results so
        far after each network. A job runner cancels the run between two yields, so at the
        latest between two networks.

    Returns
    -------
    list of AcrossResult
        One per network, in the order of ``analyses``: its RunResult, or the one-line error
        of a network that failed (its weights, its preprocessing or its forward pass).
    """
    nets = list(analyses)
    choices = _per_network(weights, len(nets))
    out: list[AcrossResult] = []
    n = max(len(nets), 1)
    for i, (an, choice) in enumerate(zip(nets, choices, strict=True)):
        lo, hi = i / n, (i + 1) / n
        name = variant_name(an)
        yield Progress(lo, f"{name}: starting ({i + 1} of {len(nets)})", list(out))
        entry = AcrossResult(name, image.name, classes=str(getattr(an.spec, "classes", "")))
        try:
            res = yield from _named(
                name, scaled(one_network(an, image, device, precision, choice, entry,
                                         normalize=normalize, invert=invert, lock=lock),
                             lo, hi)
            )  # fmt: skip
            entry.result = res
            entry.notes = list(res.notes)
        except (GeneratorExit, KeyboardInterrupt):
            raise  # cancelled, or the user pressed Ctrl+C: nothing more runs
        except BaseException as exc:  # noqa: BLE001 - a user's model may raise SystemExit
            log_unexpected(exc, f"side by side: {name}")  # a user's mistake is not logged
            entry.error = one_line(exc)
        out.append(entry)
    yield Progress(1.0, _summary(out), list(out))
    return out


def one_network(
    an: Analysis,
    image: Any,
    device: Any,
    precision: str,
    choice: Any,
    entry: AcrossResult,
    *,
    normalize: str | None = None,
    invert: bool = True,
    lock: AbstractContextManager[Any] | None = None,
) -> Generator[Progress, None, RunResult]:
    """One network's part of :func:`run_across`: its weights (unless held), its
    preprocessing and :func:`~explorer.app.workflows.run.run_images`; ``entry.weights`` is
    set as soon as they are known."""
    from explorer.app.workflows.run import run_images
    from explorer.runtime.pipeline import apply_weights, preprocess

    if isinstance(choice, str) or choice is None:
        choice = choice or "auto"
        yield Progress(0.05, f"loading weights: {choice}")
        if an.variant == "fused":
            info = yield from _fused_weights(an, choice, lock)
        else:
            with lock or nullcontext():
                # fresh=False: the model may hold other weights, which must not leak through
                info = apply_weights(an.spec, an.model, choice, fresh=False)
    else:
        info = choice
    entry.weights = info
    prep = preprocess(an.spec, info, _traced_size(an), normalize)
    return (
        yield from scaled(
            run_images(an, [image], prep, device, precision, info.categories,
                       lock=lock, invert=invert),
            0.2, 1.0,
        )
    )  # fmt: skip


def _fused_weights(
    an: Analysis, choice: str, lock: AbstractContextManager[Any] | None
) -> Generator[Progress, None, Any]:
    """A deploy-form pane (``repvgg_a0+fused``): the weights go into the network as trained,
    which is then fused, and the fused weights into the pane's model (its state dict has the
    fused layout: the trained weights cannot be loaded into it directly)."""
    from explorer.runtime.pipeline import apply_weights
    from explorer.studies.fusion.repvgg import fuse_repvgg

    base = an.spec.build()
    info = apply_weights(an.spec, base, choice, fresh=False)
    yield Progress(0.12, "fusing the weights as trained into the deploy form")
    fused = fuse_repvgg(base, inplace=True).model
    with lock or nullcontext():
        an.model.load_state_dict(fused.state_dict())
        an.model.eval()
    return info


def _named(name: str, gen: Generator[Progress, None, Any]) -> Generator[Progress, None, Any]:
    """Pass on ``gen``'s progress with each message said of the network ``name``."""
    try:
        while True:
            p = Progress.of(next(gen))
            yield Progress(p.fraction, f"{name}: {p.message}" if p.message else name, p.partial)
    except StopIteration as stop:
        return stop.value


def _traced_size(an: Analysis) -> int | None:
    """The input size the network was traced at, where it is not its spec's own (a pane
    opened at another size runs at that size, as the window's run does)."""
    shape = tuple(an.input_shape)
    own = tuple(an.spec.input_size)
    return int(shape[-1]) if len(shape) == 4 and shape[-2:] != own[-2:] else None


def _per_network(weights: Any, n: int) -> list[Any]:
    if isinstance(weights, str) or weights is None or not isinstance(weights, Sequence):
        return [weights] * n
    if len(weights) != n:
        raise ValueError(f"weights for {len(weights)} network(s), but {n} network(s) to run")
    return list(weights)


def _summary(results: Sequence[AcrossResult]) -> str:
    failed = [r.name for r in results if not r.ok]
    done = f"{len(results) - len(failed)} of {len(results)} network(s) ran"
    return done + (f"; failed: {', '.join(failed)}" if failed else "")
