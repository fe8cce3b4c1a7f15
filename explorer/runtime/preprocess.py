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

from explorer.limits import check_bytes, tensor_bytes
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
#: how far (in source pixels, at a scale of 1) each filter reaches from a sample's centre
_SUPPORT = {"bilinear": 1.0, "bicubic": 2.0, "nearest": 0.5}
#: a resized image with more than this many times the crop's pixels is cropped first (a thin
#: image: 1 x 40000 resized to 224 on its shorter side would be 224 x 8,960,000)
_CROP_FIRST = 16


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
        _check_values(tuple(self.mean), "mean")
        check_normalised(self.mean, self.std)
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
    _check_values(vals, what)  # each value given, before a grey model averages them
    if channels == 1 and len(vals) == 3:
        vals = (sum(vals) / 3.0,)  # an RGB preset applied to grey: the grey of the mean colour
    if len(vals) != channels:
        raise ValueError(f"{what} needs {channels} value(s) for this model, got {len(vals)}")
    _check_values(vals, what)
    return vals


def _check_values(vals: tuple[float, ...], what: str) -> None:
    """Mean or std values as :func:`to_tensor` uses them: finite, also in float32, and a std
    above 0, also in float32 (1e-300 is 0 there)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        f32 = np.asarray(vals, dtype=np.float64).astype(np.float32)
    if not all(math.isfinite(v) for v in vals):
        raise ValueError(f"{what} values must be finite, got {_fmt(vals)}")
    if not np.all(np.isfinite(f32)):
        raise ValueError(f"{what} values must be finite in float32, got {_fmt(vals)}")
    if what != "std":
        return
    if not all(v > 0 for v in vals):
        raise ValueError(f"std values must be > 0, got {_fmt(vals)}")
    if not np.all(f32 > 0):
        zero = next(v for v, f in zip(vals, f32, strict=True) if not f > 0)
        raise ValueError(f"std must be > 0 in float32: {zero:.4g} becomes 0, in {_fmt(vals)}")


def check_normalised(mean: Sequence[float], std: Sequence[float]) -> None:
    """Refuse (ValueError) a mean and std with which a pixel's normalised value (0..1, less the
    mean, over the std) would overflow float32."""
    m = np.asarray(mean, np.float32)
    s = np.asarray(std, np.float32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ends = np.stack([(np.float32(0) - m) / s, (np.float32(1) - m) / s])
    if not np.all(np.isfinite(ends)):
        raise ValueError(
            f"mean {_fmt(tuple(mean))} and std {_fmt(tuple(std))} would make the normalised "
            "values overflow float32"
        )


def check_input(channels: int, size: int, batch: int = 1) -> None:
    """Refuse (:class:`~explorer.limits.LimitError`) a batch of ``batch`` preprocessed inputs
    of ``channels`` x ``size`` x ``size`` float32 that would not fit the memory limit.

    Called before anything is allocated: by :func:`to_tensor` and :func:`to_batch`, and by the
    commands before a model is traced at that size.
    """
    shape = (batch, channels, size, size)
    check_bytes(
        tensor_bytes(shape, 4), f"a {'x'.join(map(str, shape))} float32 input (input size {size})"
    )


def _resized_size(w: int, h: int, resize: int) -> tuple[int, int]:
    # torchvision's Resize(int): the shorter side exact, the longer one truncated
    if w <= h:
        return resize, max(1, int(resize * h / w))
    return max(1, int(resize * w / h)), resize


def _prepared(img: LoadedImage | Image.Image, prep: Preprocess) -> np.ndarray:
    """Resized and centre-cropped pixels, HxWxC uint8, following torchvision's arithmetic.

    The shorter side is resized to ``prep.resize`` and the centre ``prep.size`` square cut
    out, exactly as torchvision does, where the resized image is at most
    :data:`_CROP_FIRST` times the crop. A thinner image is first cut (in whole source pixels)
    to the part the crop comes from, with the filter's reach around it, and only that part is
    resized (nearly the same pixels: PIL places the box in float32). Either way the bytes are
    checked against the memory limit before anything is allocated.
    """
    im = img.image if isinstance(img, LoadedImage) else img
    mode = "L" if prep.channels == 1 else "RGB"
    c = prep.channels
    px = 4 if c == 3 else 1  # PIL keeps an RGB pixel in 4 bytes
    w, h = im.size
    size = prep.size
    convert = 0 if im.mode == mode else px
    if min(w, h) == prep.resize:
        nw, nh = w, h
    else:
        nw, nh = _resized_size(w, h, prep.resize)
    left = int(round((nw - size) / 2.0))
    top = int(round((nh - size) / 2.0))
    what = f"resizing a {w} x {h} image to {nw} x {nh}"
    if (nw, nh) == (w, h):
        check_bytes(w * h * convert + size * size * c, what)
        im = im.convert(mode) if convert else im
        a = np.asarray(im.crop((left, top, left + size, top + size)), dtype=np.uint8)
    elif nw * nh <= _CROP_FIRST * size * size:
        # PIL's first (horizontal) pass keeps nw x h pixels
        check_bytes(w * h * convert + (nw * h + nw * nh) * px + size * size * c, what)
        im = im.convert(mode) if convert else im
        im = im.resize((nw, nh), _RESAMPLE[prep.interpolation])
        a = np.asarray(im.crop((left, top, left + size, top + size)), dtype=np.uint8)
    else:
        a = _crop_then_resize(im, mode, prep, (nw, nh), (left, top), what)
    return a[:, :, None] if a.ndim == 2 else a


def _crop_then_resize(
    im: Image.Image,
    mode: str,
    prep: Preprocess,
    resized: tuple[int, int],
    corner: tuple[int, int],
    what: str,
) -> np.ndarray:
    """The crop of an image resized to ``resized`` at ``corner``, made from the source pixels
    it needs: those under the crop and within the filter's reach of it."""
    w, h = im.size
    nw, nh = resized
    left, top = corner
    size = prep.size
    sx, sy = w / nw, h / nh
    x0, x1, y0, y1 = left * sx, (left + size) * sx, top * sy, (top + size) * sy
    reach = _SUPPORT[prep.interpolation]
    mx, my = reach * max(sx, 1.0) + 2, reach * max(sy, 1.0) + 2
    c0, c1 = max(0, math.floor(x0 - mx)), min(w, math.ceil(x1 + mx))
    r0, r1 = max(0, math.floor(y0 - my)), min(h, math.ceil(y1 + my))
    px = 4 if prep.channels == 3 else 1
    # the cut, converted, PIL's first pass (size x rows) and the result
    check_bytes(((c1 - c0) * (r1 - r0) * 2 + size * (r1 - r0) + size * size) * px, what)
    part = im.crop((c0, r0, c1, r1))
    if part.mode != mode:
        part = part.convert(mode)
    box = (x0 - c0, y0 - r0, x1 - c0, y1 - r0)
    out = part.resize((size, size), _RESAMPLE[prep.interpolation], box=box)
    return np.asarray(out, dtype=np.uint8)


def _normalised(a: np.ndarray, prep: Preprocess, out: np.ndarray | None = None) -> np.ndarray:
    """HxWxC uint8 -> CxHxW float32, scaled to [0, 1] and normalised, in place in ``out``
    (a new array without it): no other float copy is made."""
    x = np.empty((a.shape[2], a.shape[0], a.shape[1]), np.float32) if out is None else out
    np.copyto(x, a.transpose(2, 0, 1), casting="unsafe")
    mean = np.asarray(prep.mean, np.float32)[:, None, None]
    std = np.asarray(prep.std, np.float32)[:, None, None]
    np.divide(x, np.float32(255.0), out=x)
    np.subtract(x, mean, out=x)
    np.divide(x, std, out=x)
    return x


def to_tensor(img: LoadedImage | Image.Image, prep: Preprocess) -> torch.Tensor:
    """The image as the model's input: float32 ``[C, size, size]``, normalised.

    ``img`` may be any PIL image; it is converted to "L" or "RGB" as ``prep.channels`` needs.
    Raises :class:`~explorer.limits.LimitError` before allocating when the input, or resizing
    the image, would take more than the memory limit.
    """
    import torch

    check_input(prep.channels, prep.size, 1)
    return torch.from_numpy(_normalised(_prepared(img, prep), prep))


def to_batch(images: Sequence[LoadedImage], prep: Preprocess) -> torch.Tensor:
    """Stack images into one float32 batch ``[B, C, size, size]`` (ValueError when empty).

    The batch is checked against the memory limit first (:func:`check_input`), and filled
    image by image in place: no second copy of it is made.
    """
    import torch

    if not images:
        raise ValueError("no images to batch")
    check_input(prep.channels, prep.size, len(images))
    out = torch.empty(len(images), prep.channels, prep.size, prep.size)
    dst = out.numpy()  # shares the tensor's memory
    for i, im in enumerate(images):
        _normalised(_prepared(im, prep), prep, out=dst[i])
    return out


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
