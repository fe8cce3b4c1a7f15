"""What is done to an image before a model sees it: resize, centre-crop, normalise.

:class:`Preprocess` holds the choices (the weights' own, the registry's, or the user's
overrides: :func:`preprocess_for`); :func:`to_tensor` and :func:`to_batch` apply them with
torchvision's arithmetic, and :func:`model_view` undoes the normalisation for display.
Loading and decoding the images is :mod:`explorer.runtime.images`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from explorer.models.registry import IMAGENET_MEAN, IMAGENET_STD
from explorer.runtime.images import LoadedImage

if TYPE_CHECKING:
    import torch

    from explorer.models.registry import ModelSpec

NORMALIZE: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "imagenet": (IMAGENET_MEAN, IMAGENET_STD),
    "cifar": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "none": ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),
}

_RESAMPLE = {k: Image.Resampling[k.upper()] for k in ("bilinear", "bicubic", "nearest")}


@dataclass(frozen=True)
class Preprocess:
    """What is done to an image before a model sees it.

    The shorter side is resized to ``resize``, the centre ``size`` x ``size`` is cropped,
    values are scaled to [0, 1] and normalised per channel with ``mean`` and ``std``.
    """

    size: int
    resize: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    channels: int
    interpolation: str = "bilinear"

    def __post_init__(self) -> None:
        # checked once here so that every way of making one (not only preprocess_for) is sound
        n = self.channels
        if n not in (1, 3) or not 0 < self.size <= self.resize or len(self.mean) != n:
            raise ValueError(f"bad preprocessing for {n} channel(s): {self.describe()}")
        _per_channel(self.std, n, "std")  # length and std > 0
        if self.interpolation not in _RESAMPLE:
            raise ValueError(
                f"unknown interpolation '{self.interpolation}'; choose from {', '.join(_RESAMPLE)}"
            )

    def describe(self) -> str:
        """One line, e.g. ``resize 256, centre-crop 224, mean (...), std (...), RGB, bilinear``."""
        colour = "RGB" if self.channels == 3 else "grey"
        return (
            f"resize {self.resize}, centre-crop {self.size}, mean {_fmt(self.mean)}, "
            f"std {_fmt(self.std)}, {colour}, {self.interpolation}"
        )


def _fmt(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in values) + ")"


def parse_triple(text: str) -> tuple[float, float, float]:
    """Parse three numbers such as ``"0.5,0.5,0.5"`` (brackets and spaces are allowed).

    Raises ValueError with a message for the user: wrong count, or not finite numbers.
    """
    parts = [p for p in re.split(r"[,\s;]+", text.strip().strip("()[]").strip()) if p]
    if len(parts) != 3:
        raise ValueError(f"expected three numbers separated by commas, got {len(parts)}: '{text}'")
    values: list[float] = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise ValueError(f"'{p}' is not a number (in '{text}')") from None
        if not math.isfinite(v):
            raise ValueError(f"'{p}' is not a finite number (in '{text}')")
        values.append(v)
    return values[0], values[1], values[2]


def preprocess_for(
    spec: ModelSpec,
    input_size: int | None = None,
    normalize: str | None = None,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    transforms: dict[str, Any] | None = None,
) -> Preprocess:
    """The preprocessing for ``spec``, with the user's overrides applied.

    Parameters
    ----------
    spec
        The model's registry entry (its ``input_size``, ``mean`` and ``std``).
    input_size
        Crop size the user asked for; keeps the weights' resize/crop ratio when
        ``transforms`` is given, else resize = crop = ``input_size``.
    normalize
        A :data:`NORMALIZE` preset, overriding the spec's and the weights' mean/std.
    mean, std
        Explicit values (both or neither), overriding everything else.
    transforms
        The weights' own preprocessing: ``{"resize", "crop", "mean", "std", "interpolation"}``.

    Three mean/std values are averaged for a 1-channel model. Raises ValueError for an
    unknown preset, only one of mean/std, a wrong number of values, std <= 0 or a bad size.
    """
    channels = int(spec.input_size[0])
    m: Sequence[float] = spec.mean
    s: Sequence[float] = spec.std
    interpolation = "bilinear"
    if input_size is not None and (isinstance(input_size, bool) or int(input_size) <= 0):
        raise ValueError(f"input size must be a positive integer, not {input_size}")
    if transforms:
        crop = _first_int(transforms.get("crop", spec.input_size[1]))
        resize = _first_int(transforms.get("resize", crop))
        size = crop if input_size is None else int(input_size)
        resize = resize if input_size is None else round(size * resize / crop)
        m, s = transforms.get("mean", m), transforms.get("std", s)
        interp = transforms.get("interpolation", interpolation)
        interpolation = str(getattr(interp, "value", interp)).lower()
    else:
        size = resize = int(input_size) if input_size is not None else int(spec.input_size[1])
    if normalize is not None:
        if normalize not in NORMALIZE:
            raise ValueError(
                f"unknown normalisation '{normalize}'; choose from {', '.join(NORMALIZE)}"
            )
        m, s = NORMALIZE[normalize]
    if (mean is None) != (std is None):
        raise ValueError("give both mean and std, or neither")
    if mean is not None and std is not None:
        m, s = mean, std
    return Preprocess(
        size=size,
        resize=resize,
        mean=_per_channel(m, channels, "mean"),
        std=_per_channel(s, channels, "std"),
        channels=channels,
        interpolation=interpolation,
    )


def _first_int(v: Any) -> int:
    # torchvision's transforms give sizes as int or as a one-element list
    return int(v[0] if isinstance(v, Sequence) else v)


def _per_channel(values: Sequence[float], channels: int, what: str) -> tuple[float, ...]:
    vals = tuple(float(v) for v in values)
    if channels == 1 and len(vals) == 3:
        vals = (sum(vals) / 3.0,)  # an RGB preset applied to grey: the grey of the mean colour
    if len(vals) != channels:
        raise ValueError(f"{what} needs {channels} value(s) for this model, got {len(vals)}")
    if what == "std" and not all(math.isfinite(v) and v > 0 for v in vals):
        raise ValueError(f"std values must be > 0, got {_fmt(vals)}")
    return vals


def _prepared(img: LoadedImage | Image.Image, prep: Preprocess) -> np.ndarray:
    """Resized and centre-cropped pixels, HxWxC uint8, following torchvision's arithmetic."""
    im = img.image if isinstance(img, LoadedImage) else img
    mode = "L" if prep.channels == 1 else "RGB"
    if im.mode != mode:
        im = im.convert(mode)
    w, h = im.size
    if min(w, h) != prep.resize:
        # torchvision's Resize(int): the shorter side exact, the longer one truncated
        if w <= h:
            new = (prep.resize, max(1, int(prep.resize * h / w)))
        else:
            new = (max(1, int(prep.resize * w / h)), prep.resize)
        im = im.resize(new, _RESAMPLE[prep.interpolation])
        w, h = new
    left = int(round((w - prep.size) / 2.0))
    top = int(round((h - prep.size) / 2.0))
    a = np.asarray(im.crop((left, top, left + prep.size, top + prep.size)), dtype=np.uint8)
    return a[:, :, None] if a.ndim == 2 else a


def to_tensor(img: LoadedImage | Image.Image, prep: Preprocess) -> torch.Tensor:
    """The image as the model's input: float32 ``[C, size, size]``, normalised.

    ``img`` may be any PIL image; it is converted to "L" or "RGB" as ``prep.channels`` needs.
    """
    import torch

    a = _prepared(img, prep).astype(np.float32) / np.float32(255.0)
    mean = np.asarray(prep.mean, np.float32)
    std = np.asarray(prep.std, np.float32)
    a = (a - mean) / std
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def to_batch(images: Sequence[LoadedImage], prep: Preprocess) -> torch.Tensor:
    """Stack images into one float32 batch ``[B, C, size, size]`` (ValueError when empty)."""
    import torch

    if not images:
        raise ValueError("no images to batch")
    return torch.stack([to_tensor(im, prep) for im in images])


def model_view(t: torch.Tensor, prep: Preprocess) -> np.ndarray:
    """The tensor as the model sees it, for display: uint8 ``HxWx3`` (grey repeated).

    ``t`` is ``[C, H, W]`` or ``[1, C, H, W]``, normalised with ``prep`` (which is undone).
    """
    a = t.detach().to("cpu").float().numpy()
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.ndim != 3:
        raise ValueError(f"expected a [C, H, W] tensor, got shape {tuple(t.shape)}")
    mean = np.asarray(prep.mean, np.float32)[:, None, None]
    std = np.asarray(prep.std, np.float32)[:, None, None]
    x = np.clip(a * std + mean, 0.0, 1.0).transpose(1, 2, 0)
    u8 = np.rint(x * 255.0).astype(np.uint8)
    return np.repeat(u8, 3, axis=2) if u8.shape[2] == 1 else u8
