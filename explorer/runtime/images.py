"""Images in: user files, pasted images, arrays and the built-in samples, decoded and checked.

Whatever a user points at goes through :func:`load_image` (or :func:`load_image_bytes`): it gives
an 8-bit "RGB" or "L" image with a note per conversion, or raises :class:`ImageError` with one
line to show. Making a model's input of it is :mod:`explorer.runtime.preprocess`.
"""

from __future__ import annotations

import functools
import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from explorer.errors import ExplorerError, first_line
from explorer.limits import LimitError, check_bytes

if TYPE_CHECKING:
    pass

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm",
)  # fmt: skip

#: scikit-image photos bundled in its wheel (no download needed)
_PHOTOS = (
    "chelsea", "coffee", "astronaut", "rocket", "hubble_deep_field", "immunohistochemistry",
    "camera", "coins",
)  # fmt: skip
_DIGITS = tuple(f"digits-{k}" for k in range(10))
_EXIF_ORIENTATION = 0x0112


class ImageError(ExplorerError, ValueError):
    """A file that cannot be used as an image; ``str(exc)`` is one line naming the file."""


class ImageTooLarge(ImageError, LimitError):
    """An image whose file or decoded pixels would take more than the memory limit: an image
    that cannot be used (a folder skips it) and a refusal with the figure and the limit."""


def _check_image_bytes(nbytes: int, what: str) -> None:
    try:
        check_bytes(nbytes, what)
    except LimitError as exc:
        raise ImageTooLarge(str(exc.args[0]), hint=exc.hint) from None


@dataclass
class LoadedImage:
    """An 8-bit image ready for preprocessing, with what was done to get it there."""

    name: str  # display name: the file name, or the sample's name
    source: str  # the path as given, or "sample:NAME"
    image: Image.Image  # "RGB" or "L", EXIF orientation applied, pixels loaded
    notes: list[str] = field(default_factory=list)  # one short sentence per conversion


def load_image(path: str | os.PathLike[str]) -> LoadedImage:
    """Load an image file as 8-bit "RGB" or "L", with a note for each conversion.

    Raises
    ------
    ImageError
        For anything that makes the file unusable (missing, a folder, unreadable, empty,
        not an image, truncated, too large); the message is one line naming the file.
    """
    p = Path(path)
    name = p.name or str(p)
    try:
        if p.is_dir():
            raise ImageError(f"{name}: is a folder (open it as a folder)")
        if p.exists() and not p.is_file():
            raise ImageError(f"{name}: not a regular file")
        _check_image_bytes(p.stat().st_size, f"{name}: reading the file")
        data = p.read_bytes()
    except OSError as exc:
        raise _os_error(name, exc, "no such file") from exc
    if not data:
        raise ImageError(f"{name}: empty file")
    return _decode(data, name, os.fspath(path))


def load_image_bytes(data: bytes, name: str = "pasted image") -> LoadedImage:
    """Load an encoded image held in memory (a paste), with the checks of :func:`load_image`.

    ``name`` is both the display name and the source; errors are as :func:`load_image`'s.
    """
    if not data:
        raise ImageError(f"{name}: empty (no data)")
    return _decode(bytes(data), name, name)


def from_array(arr: np.ndarray, name: str, source: str) -> LoadedImage:
    """Wrap an HxW or HxWx1/3/4 array (uint8; other types are scaled by their range).

    Raises ImageError for a shape that is not an image, or an empty array.
    """
    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise ImageError(f"{name}: not an image (array of shape {a.shape})")
    if a.size == 0:
        raise ImageError(f"{name}: empty image (array of shape {a.shape})")
    notes: list[str] = []
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif a.dtype != np.uint8:
        full = float(np.iinfo(a.dtype).max) if a.dtype.kind in "iu" else 1.0
        a, note = _scale_to_uint8(a, f"{a.dtype} values", full)
        notes.append(note)
    im = _to_rgb_or_l(Image.fromarray(np.ascontiguousarray(a)), notes)
    return LoadedImage(name, source, _finish(im, notes), notes)


def image_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Supported image files directly in ``folder``, in natural name order (img2 before img10).

    Hidden files (a leading dot) and sub-folders are left out; the suffix test ignores case.
    Raises ImageError when ``folder`` is missing, not a folder, unreadable or has no image.
    """
    p = Path(folder)
    name = p.name or str(p)
    try:
        entries = list(p.iterdir())
    except NotADirectoryError as exc:
        raise ImageError(f"{name}: not a folder") from exc
    except OSError as exc:
        raise _os_error(name, exc, "no such folder") from exc
    files = [e for e in entries if is_image_file(e)]
    if not files:
        raise ImageError(f"{name}: no image files ({' '.join(SUPPORTED_SUFFIXES)})")
    return sorted(files, key=lambda f: _natural_key(f.name))


def is_image_file(path: Path) -> bool:
    """A regular file, not hidden (no leading dot), with a supported suffix (in any case)."""
    return (
        path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith(".")
        and path.is_file()
    )


def _natural_key(s: str) -> list[Any]:
    # (0, n) / (1, text) keeps numbers and text comparable without a TypeError
    return [(0, int(t), t) if t.isdigit() else (1, t.lower(), t) for t in re.split(r"(\d+)", s)]


def _os_error(name: str, exc: OSError, missing: str) -> ImageError:
    if isinstance(exc, FileNotFoundError):
        return ImageError(f"{name}: {missing}")
    if isinstance(exc, PermissionError):
        return ImageError(f"{name}: cannot read (permission denied)")
    return ImageError(f"{name}: cannot read ({exc.strerror or first_line(exc, 120)})")


def _decode(data: bytes, name: str, source: str) -> LoadedImage:
    limit = Image.MAX_IMAGE_PIXELS
    # Pillow only warns between 1x and 2x its limit; such an image is as dangerous to decode,
    # so the warning is made an error here (locally: the global filters are restored on exit).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large(name, data, limit) from exc
        except UnidentifiedImageError as exc:
            raise ImageError(f"{name}: not an image (cannot identify the file format)") from exc
        except Exception as exc:  # a malformed header can raise nearly anything inside Pillow
            raise ImageError(f"{name}: not an image ({first_line(exc, 120)})") from exc
    # Also checked here, in case another thread reset the warning filters meanwhile.
    if limit is not None and im.width * im.height > limit:
        raise _too_large(name, data, limit)
    _check_image_bytes(
        decoded_bytes(im.mode, im.width, im.height),
        f"{name}: decoding a {im.width} x {im.height} image ({im.mode})",
    )
    notes: list[str] = []
    try:
        im.load()
        if ImageFile.LOAD_TRUNCATED_IMAGES:
            _check_complete(data, im.format)
        frames = getattr(im, "n_frames", 1)
        if frames > 1:
            notes.append(f"first of {frames} frames used")
        im = _orient(im, notes)
    except ImageError:
        raise
    except Exception as exc:  # plugins raise OSError, SyntaxError, struct.error, IndexError ...
        raise ImageError(f"{name}: truncated or damaged image ({first_line(exc, 120)})") from exc
    try:
        im = _to_rgb_or_l(im, notes)
    except (OSError, ValueError) as exc:
        raise ImageError(
            f"{name}: unsupported colour mode {im.mode} ({first_line(exc, 120)})"
        ) from exc
    return LoadedImage(name, source, _finish(im, notes), notes)


def decoded_bytes(mode: str, width: int, height: int) -> int:
    """The most decoding an image of ``mode`` and size takes at once, made 8-bit "RGB" or "L":
    Pillow keeps a pixel of a multi-band mode in 4 bytes; a conversion or an alpha composite
    keeps two or three such images at once; 16-bit, 32-bit and float images are scaled in
    float64 (several copies)."""
    px = width * height
    if mode in ("L", "P", "1"):
        return px * (1 + (4 if mode == "P" else 1))
    if mode.startswith("I;16"):
        return px * (2 + 4 * 8)
    if mode in ("I", "F") or mode.startswith("I;"):
        return px * (4 + 4 * 8)
    if mode == "RGB":
        return px * 4
    return px * 4 * 3


def _too_large(name: str, data: bytes, limit: int | None) -> ImageError:
    size = _claimed_size(data)
    dims = f"{size[0]} x {size[1]} pixels, " if size else ""
    return ImageError(f"{name}: image too large ({dims}over Pillow's limit of {limit})")


def _claimed_size(data: bytes) -> tuple[int, int] | None:
    """The size a header claims, read without Pillow's bomb check (which hides it)."""
    # Image.open raises before returning the image, so the plugins' openers (the public
    # registry Image.OPEN, in Image.ID's order) are called directly; they read the header only.
    Image.init()
    for fmt in Image.ID:
        factory, accept = Image.OPEN[fmt]
        try:
            ok = accept is None or accept(data[:16])
            if ok is True or (ok and not isinstance(ok, str)):
                return factory(io.BytesIO(data), "").size
        except Exception:  # not this format: try the next one
            continue
    return None


def _check_complete(data: bytes, fmt: str | None) -> None:
    """Refuse a truncated PNG or JPEG even when some code set LOAD_TRUNCATED_IMAGES."""
    if fmt == "PNG":
        Image.open(io.BytesIO(data)).verify()  # reads every chunk and checks its CRC
    elif fmt in ("JPEG", "MPO"):
        # An end-of-image marker must follow the last start-of-scan (an EXIF thumbnail has
        # its own EOI earlier, and 0xFF is byte-stuffed inside entropy-coded data).
        if data.find(b"\xff\xd9", data.rfind(b"\xff\xda")) < 0:
            raise OSError("image file is truncated (no end-of-image marker)")


def _orient(im: Image.Image, notes: list[str]) -> Image.Image:
    try:
        tag = int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # broken EXIF: the pixels are still good
        notes.append("EXIF unreadable: orientation ignored")
        return im
    if tag not in (2, 3, 4, 5, 6, 7, 8):
        return im
    out = ImageOps.exif_transpose(im)
    how = "rotated" if tag in (3, 6, 8) else "mirrored" if tag in (2, 4) else "rotated and mirrored"
    notes.append(f"{how} per EXIF orientation ({tag})")
    return out


def _to_rgb_or_l(im: Image.Image, notes: list[str]) -> Image.Image:
    mode = im.mode
    if mode in ("RGB", "L"):
        return im
    if mode == "1":
        notes.append("bilevel (1-bit) converted to grayscale")
        return im.convert("L")
    if mode in ("P", "PA"):
        notes.append("palette converted to RGB")
        if mode == "PA" or "transparency" in im.info:
            return _composite(im.convert("RGBA"), notes)
        return im.convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La"):
        return _composite(im, notes)
    if mode.startswith("I") or mode == "F":
        bits = "16-bit" if mode.startswith("I;16") else "32-bit integer" if mode == "I" else "float"
        full = 65535.0 if mode != "F" else 1.0
        a, note = _scale_to_uint8(np.asarray(im), bits, full)
        notes.append(note)
        return Image.fromarray(a)
    notes.append(f"{mode} converted to RGB")
    return im.convert("RGB")


def _composite(im: Image.Image, notes: list[str]) -> Image.Image:
    # A model sees no alpha; white is how a viewer shows transparency on a page.
    grey = im.mode in ("LA", "La")
    rgba = im.convert("RGBA")
    out = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    notes.append("alpha composited on white")
    return out.convert("L" if grey else "RGB")


def _scale_to_uint8(a: np.ndarray, what: str, full: float) -> tuple[np.ndarray, str]:
    # Scaled by the values actually present, not clipped: a 12-bit scan in a 16-bit file
    # (0..4095) would otherwise come out all white.
    f = np.asarray(a, dtype=np.float64)
    finite = np.isfinite(f)
    if not finite.any():
        return np.zeros(f.shape, np.uint8), f"{what} with no finite values shown as black"
    lo, hi = float(f[finite].min()), float(f[finite].max())
    f = np.where(finite, f, lo)
    if hi > lo:
        out = (f - lo) * (255.0 / (hi - lo))
        note = f"{what} scaled to 8-bit (values {lo:g}..{hi:g} mapped to 0..255)"
    else:  # a flat image has no range: place it on the type's nominal scale instead
        out = np.full(f.shape, lo * 255.0 / full)
        note = f"{what} scaled to 8-bit (flat image, value {lo:g})"
    return np.clip(np.rint(out), 0, 255).astype(np.uint8), note


def _finish(im: Image.Image, notes: list[str]) -> Image.Image:
    if im.size == (1, 1):
        notes.append("1x1 px: upscaling gives a flat image")
    im.load()
    return im


def sample_names(classes: str = "imagenet") -> list[str]:
    """Names of the built-in samples for a model whose classes are ``classes``.

    The scikit-image photos, after ten scikit-learn digits (``digits-0`` ... ``digits-9``)
    when ``classes`` is ``"digits"``.
    """
    return [*_DIGITS, *_PHOTOS] if classes == "digits" else list(_PHOTOS)


def load_sample(name: str) -> LoadedImage:
    """Load a built-in sample (see :func:`sample_names`), offline.

    Raises ImageError for an unknown name, listing the known ones.
    """
    source = f"sample:{name}"
    if name in _DIGITS:
        digit = int(name.rsplit("-", 1)[1])
        im = Image.fromarray(_digit_images()[digit])
        im = im.resize((32, 32), Image.Resampling.BILINEAR)
        return LoadedImage(name, source, im, ["8x8 digit upscaled to 32x32"])
    if name in _PHOTOS:
        import skimage.data

        return from_array(getattr(skimage.data, name)(), name, source)
    known = ", ".join([*_PHOTOS, *_DIGITS])
    raise ImageError(f"{name}: unknown sample; known samples: {known}")


@functools.cache
def _digit_images() -> tuple[np.ndarray, ...]:
    """The first 8x8 image of each class of scikit-learn's digits, scaled 0..16 -> 0..255."""
    from explorer.runtime.digits_file import load_digits_arrays

    images, target = load_digits_arrays()
    first = [int(np.flatnonzero(target == k)[0]) for k in range(10)]
    return tuple(np.rint(images[i] * (255.0 / 16.0)).clip(0, 255).astype(np.uint8) for i in first)
