"""Images for the digits networks: photos told apart from digits, paper turned into ink on black,
and a drawing made into the kind of digit the networks were trained on (Qt-free).

The digits networks read scikit-learn's 8x8 digits: white strokes on a black ground, values
0..16 counting the ink pixels of each 4x4 block of a 32x32 bitmap of the digit, scaled to fill
the bitmap. Anything else (a photo, a digit drawn black on white paper) is answered with the
same confidence, and that answer means nothing. :func:`adapt_for_digits` says so for a photo
and inverts a light-background digit; :func:`digit_from_drawing` makes a drawing on a pad into
an 8x8 digit the way the data set was made, and :func:`digit_image` makes the 8x8 digit into the
network's picture as the built-in samples are made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from explorer.runtime.images import LoadedImage

#: said of a photo given to a digits network
PHOTO_WARNING = "this network was trained on 8x8 digits, white on black; this looks like a photo"
#: said of a light-background digit that was inverted
BLANK_WARNING = "this image is blank (one grey level): there is no digit in it to read"
INVERTED_NOTE = "light background: inverted to white on black as the network was trained"
#: said of a light-background digit left as it is (the user turned inversion off)
NOT_INVERTED_NOTE = (
    "light background left as it is (inversion off): the network was trained on white on black"
)

#: the side (in pixels) of the copy the checks look at: enough for a stroke, cheap for a photo
_LOOK = 64
#: the stroke width of scikit-learn's digits in their 32x32 bitmaps (ink area over skeleton
#: length, median of the data set)
DIGIT_STROKE = 7.0


@dataclass(frozen=True)
class Look:
    """What the checks found in an image (the figures behind :attr:`photo` and :attr:`light`).

    Grey values are scaled to the image's own range (1st to 99th percentile) and turned so
    that the background is dark ("ink" is what differs from the background).
    """

    background: float  # median grey of the border, 0..1, in the image's own range
    raw_background: float  # median grey of the border, 0..1, as stored
    flat: float  # share of pixels near the background
    midtones: float  # share of pixels half-way between background and ink
    edges: float  # share of pixels on a strong edge (texture)
    blobs: int  # separate ink shapes of at least 1 % of the image
    specks: int  # separate ink shapes of any size
    coloured: float  # share of strongly coloured pixels
    contrast: float  # the range of grey values used (99th - 1st percentile), 0..1

    @property
    def photo(self) -> bool:
        """Not a digit: colour all over, a middle-grey background, texture, many tones,
        many separate shapes or only specks. A digit is a mostly uniform ground (dark or light) with a
        stroke or two on it."""
        if self.coloured > 0.25:
            return True
        if self.contrast < 0.05:  # a blank page: nothing to call a photo
            return False
        digit_like = (
            min(self.background, 1.0 - self.background) <= 0.2
            and self.flat >= 0.3
            and self.midtones <= 0.45
            and self.edges <= 0.55
            and 1 <= self.blobs <= 4
            and self.specks <= 12
        )
        return not digit_like

    @property
    def light(self) -> bool:
        """Dark strokes on a light ground (the border mostly bright)."""
        return self.raw_background >= 0.5


def look(image: LoadedImage | Image.Image) -> Look:
    """The figures :class:`Look` judges an image by, from a copy at most 64 px a side."""
    im = image.image if isinstance(image, LoadedImage) else image
    small = im.copy()
    small.thumbnail((_LOOK, _LOOK), Image.Resampling.BOX)
    if min(small.size) < 8:  # a 1x1 or thin image: enough pixels for a border and gradients
        small = small.resize((max(8, small.width), max(8, small.height)), Image.Resampling.NEAREST)
    rgb = np.asarray(small.convert("RGB"), np.float32) / 255.0
    g = np.asarray(small.convert("L"), np.float32) / 255.0
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    raw_bg = float(np.median(border))
    lo, hi = (float(v) for v in np.percentile(g, [1, 99]))
    n = np.clip((g - lo) / max(hi - lo, 1e-3), 0.0, 1.0)
    bg = float(np.median(np.concatenate([n[0], n[-1], n[:, 0], n[:, -1]])))
    ink = n if bg < 0.5 else 1.0 - n  # the background dark, what differs from it bright
    gy, gx = np.gradient(ink)
    sizes = _component_sizes(ink > 0.5)
    return Look(
        background=bg,
        raw_background=raw_bg,
        flat=float(np.mean(ink < 0.15)),
        midtones=float(np.mean((ink > 0.25) & (ink < 0.75))),
        edges=float(np.mean(np.hypot(gx, gy) > 0.1)),
        blobs=sum(1 for n in sizes if n >= 0.01 * ink.size),
        specks=len(sizes),
        coloured=float(np.mean(chroma > 0.25)),
        contrast=hi - lo,
    )


def _component_sizes(mask: np.ndarray) -> list[int]:
    """The pixel counts of the 8-connected shapes of ``mask`` (at most 64x64 here: a plain
    search, so that the first run of the window does not wait for SciPy's import)."""
    h, w = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    sizes = []
    for y0, x0 in zip(*np.nonzero(mask), strict=True):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        stack, n = [(int(y0), int(x0))], 0
        while stack:
            y, x = stack.pop()
            n += 1
            for yy in range(max(y - 1, 0), min(y + 2, h)):
                for xx in range(max(x - 1, 0), min(x + 2, w)):
                    if mask[yy, xx] and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack.append((yy, xx))
        sizes.append(n)
    return sizes


def inverted(image: LoadedImage, note: str = INVERTED_NOTE) -> LoadedImage:
    """``image`` with its grey values turned (255 - v), the note added."""
    return LoadedImage(image.name, image.source, ImageOps.invert(image.image), [*image.notes, note])


def adapt_for_digits(image: LoadedImage, invert: bool = True) -> tuple[LoadedImage, list[str]]:
    """An image as a digits network should see it, and what to tell the user.

    A photo is left as it is with :data:`PHOTO_WARNING`, a blank image with
    :data:`BLANK_WARNING`; a light-background digit is
    inverted with :data:`INVERTED_NOTE` (or, with ``invert=False``, left as it is with
    :data:`NOT_INVERTED_NOTE`); a white-on-black digit passes unchanged with no note.
    """
    seen = look(image)
    if seen.photo:
        return image, [PHOTO_WARNING]
    if seen.contrast < 0.05:  # white, black or grey all over: whatever it answers is noise
        return image, [BLANK_WARNING]
    if seen.light:
        if invert:
            return inverted(image), [INVERTED_NOTE]
        return image, [NOT_INVERTED_NOTE]
    return image, []


# --- a drawing as a digit -------------------------------------------------------------------------


def digit_from_drawing(drawing: np.ndarray, stroke: float | None = DIGIT_STROKE) -> np.ndarray:
    """A drawing (white ink on black, any size) as scikit-learn's digits are made: 8x8, 0..16.

    As the NIST preprocessing did for the data set, the ink (pixels above half the range) is
    cut to its bounding box, scaled to fit a 32x32 bitmap with its aspect kept and centred,
    and each 4x4 block's ink pixels are counted. A pen's line is thinner, for the size of
    the digit, than the data set's: the ink is first thickened to ``stroke`` pixels of the
    32x32 bitmap (its width measured as ink area over skeleton length; None keeps it).
    An empty drawing gives zeros.
    """
    from scipy import ndimage

    a = np.asarray(drawing)
    if a.ndim == 3:
        a = a.mean(axis=2)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"a drawing is a 2-D image, not an array of shape {a.shape}")
    a = a.astype(np.float64)
    full = 255.0 if a.max(initial=0.0) > 1.0 else 1.0
    ink = a > full / 2
    if not ink.any():
        return np.zeros((8, 8), np.uint8)
    ink = _crop(ink)
    if stroke is not None:
        side = max(ink.shape)
        target = stroke * side / 32.0  # the data set's stroke, at this drawing's scale
        width = _stroke_width(ink)
        r = int(round((target - width) / 2.0))
        if r >= 1:
            ink = np.pad(ink, r)
            yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
            ink = _crop(ndimage.binary_dilation(ink, structure=yy * yy + xx * xx <= r * r))
    h, w = ink.shape
    scale = 32.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    box = Image.fromarray(ink.astype(np.uint8) * 255).resize((nw, nh), Image.Resampling.BOX)
    bitmap = np.zeros((32, 32), bool)
    top, left = (32 - nh) // 2, (32 - nw) // 2
    bitmap[top : top + nh, left : left + nw] = np.asarray(box) >= 128
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(np.uint8)


def _crop(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _stroke_width(ink: np.ndarray) -> float:
    """Ink area over skeleton length: the mean width of a stroke, in pixels."""
    from skimage.morphology import skeletonize

    length = int(skeletonize(ink).sum())
    return float(ink.sum()) / max(length, 1)


def digit_image(digit: np.ndarray, size: int = 32) -> Image.Image:
    """An 8x8 digit (0..16) as the network's picture, as the built-in samples are made:
    scaled to 0..255 and resized to ``size`` (bilinear)."""
    d = np.asarray(digit, np.float64)
    if d.shape != (8, 8):
        raise ValueError(f"a digit is 8x8, not {d.shape}")
    u8 = np.rint(d * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    return Image.fromarray(u8).resize((size, size), Image.Resampling.BILINEAR)


def drawn_image(drawing: np.ndarray, name: str = "drawn digit") -> LoadedImage:
    """A drawing as an image for a digits network: :func:`digit_from_drawing`, then
    :func:`digit_image`; its source is ``draw:pad`` (one drawing at a time)."""
    digit = digit_from_drawing(drawing)
    return LoadedImage(
        name, "draw:pad", digit_image(digit), ["drawing made into an 8x8 digit (0-16), as the data"]
    )
