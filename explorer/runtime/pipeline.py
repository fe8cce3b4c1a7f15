"""From a user's choices to a model ready to run: weights, preprocessing (Qt-free).

The command line and the window make the same choices the same way, so that
``predict`` gives the same top-5 in both.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from explorer.models.checkpoint import WeightsError, WeightsInfo, load_checkpoint
from explorer.models.weights import (
    WeightsUnavailable,
    bundled_weights,
    library_weights,
    load_bundled,
    load_pretrained,
    random_weights,
)
from explorer.runtime.preprocess import Preprocess, preprocess_for

if TYPE_CHECKING:
    from torch import nn

    from explorer.models.registry import ModelSpec

#: weights choices besides a file path
WEIGHT_CHOICES = ("auto", "bundled", "pretrained", "random")

#: set to 1 to never contact a server for weights (the cache is still used)
OFFLINE_ENV = "CNN_EXPLORER_OFFLINE"


def offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def reset_random(spec: ModelSpec, model: nn.Module) -> None:
    """Give ``model`` a fresh random initialisation (the same modules, new values)."""
    fresh = spec.build()
    model.load_state_dict(fresh.state_dict())
    if hasattr(model, "transform_input"):
        model.transform_input = fresh.transform_input  # type: ignore[attr-defined]


def apply_weights(
    spec: ModelSpec, model: nn.Module, choice: str | None = "auto", fresh: bool = True
) -> WeightsInfo:
    """:func:`_apply_weights`, with a user model's own ``class_names`` where no names are known."""
    info = _apply_weights(spec, model, choice, fresh)
    names = getattr(model, "class_names", None)
    if info.categories is None and isinstance(names, list | tuple):
        if names and all(isinstance(n, str) for n in names):
            info.categories = list(names)
    return info


def _apply_weights(
    spec: ModelSpec, model: nn.Module, choice: str | None, fresh: bool
) -> WeightsInfo:
    """Put the chosen weights into ``model`` and say what it now holds.

    ``choice``: ``"auto"`` (the weights the program ships for the model, else library
    pretrained weights when cached or downloadable, else random with the reason in
    ``message``), ``"bundled"`` (the shipped ones, or an error), ``"pretrained"`` (the
    library's, or an error), ``"random"``, or the path of a checkpoint file. ``fresh``
    says the model was just built; otherwise it is re-initialised first so that nothing of
    earlier weights stays (a file is checked before that, so a refused file leaves the
    model as it was; bundled weights replace every tensor).

    Raises
    ------
    WeightsError
        ``"pretrained"`` without library weights or offline, ``"bundled"`` without bundled
        weights, or a file that cannot be used.
    """
    choice = choice or "auto"
    if choice == "random":
        if not fresh:
            reset_random(spec, model)
        return random_weights(spec)
    bundled = bundled_weights(spec) if choice in ("auto", "bundled") else None
    if choice == "bundled" and bundled is None:
        raise WeightsError(f"{spec.name}: has no bundled weights")
    if bundled is not None:
        return load_bundled(spec, model)  # all tensors or none: no reset needed
    if choice in ("auto", "pretrained"):
        if library_weights(spec) is None:
            if choice == "pretrained":
                raise WeightsError(f"{spec.name}: has no library pretrained weights")
            info = random_weights(spec)
            if not fresh:
                reset_random(spec, model)
            return info
        try:
            # every tensor or none: it raises before touching the model, so no reset first
            return load_pretrained(spec, model, timeout=0.0 if offline() else 3.0)
        except WeightsError as exc:
            if not fresh:
                reset_random(spec, model)
            if choice == "pretrained" or not isinstance(exc, WeightsUnavailable):
                raise
            info = random_weights(spec)
            info.message = f"{exc}; using random weights"
            return info
    # a file: read and check it against a fresh copy when the model holds other weights
    if not fresh:
        probe = spec.build()
        info = load_checkpoint(
            probe, choice, model_name=spec.name
        )  # raises before the model is touched
        model.load_state_dict(probe.state_dict())
    else:
        info = load_checkpoint(model, choice, model_name=spec.name)
    base = random_weights(spec)
    info.transforms, info.categories = base.transforms, base.categories
    return info


def preprocess(
    spec: ModelSpec,
    info: WeightsInfo | None,
    input_size: int | None = None,
    normalize: str | None = None,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
) -> Preprocess:
    """The preprocessing for ``spec`` with these weights and the user's overrides."""
    transforms = info.transforms if info is not None else None
    return preprocess_for(spec, input_size, normalize, mean, std, transforms)
