"""What the panels draw, computed without a screen: feature-map pages, overlays, tables."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class FeaturePage:
    """One page of a block's channels laid out as a grid of tiles in one image.

    ``image`` is ``[rows * (h + gap) - gap, cols * (w + gap) - gap]``, each tile scaled to
    [0, 1] by its own range; NaN between tiles. ``channels[i]`` is the channel in tile ``i``
    (row-major).
    """

    image: np.ndarray
    channels: list[int]
    tile: tuple[int, int]
    cols: int
    gap: int
    page: int
    pages: int

    def tile_at(self, x: float, y: float) -> int | None:
        """The channel under image pixel (x, y), or ``None`` (a gap or past the last tile)."""
        h, w = self.tile
        if x < 0 or y < 0:
            return None
        c, cx = divmod(int(x), w + self.gap)
        r, cy = divmod(int(y), h + self.gap)
        if cx >= w or cy >= h or c >= self.cols:
            return None
        i = r * self.cols + c
        return self.channels[i] if i < len(self.channels) else None


def _maps(features: Any) -> np.ndarray:
    """[C, H, W] float array from a [C, H, W] / [C] tensor or array (vectors as 1x1 maps)."""
    a = features.numpy() if hasattr(features, "numpy") else np.asarray(features)
    a = a.astype(np.float32, copy=False)
    if a.ndim == 1:
        a = a[:, None, None]
    elif a.ndim == 2:  # [C, L]: a sequence per channel
        a = a[:, None, :]
    elif a.ndim > 3:
        a = a.reshape(a.shape[0], a.shape[1], -1)
    return a


def normalise(m: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the map's own range (a flat map becomes 0.5)."""
    lo, hi = float(np.nanmin(m)), float(np.nanmax(m))
    if not math.isfinite(lo) or hi - lo < 1e-12:
        return np.full_like(m, 0.5, dtype=np.float32)
    return ((m - lo) / (hi - lo)).astype(np.float32)


def page_count(channels: int, per_page: int) -> int:
    return max(1, math.ceil(channels / per_page))


def feature_page(
    features: Any, order: np.ndarray | None = None, page: int = 0, per_page: int = 32, gap: int = 1
) -> FeaturePage:
    """Page ``page`` of the channels of one image's feature maps, in ``order``."""
    maps = _maps(features)
    n = maps.shape[0]
    order = np.arange(n) if order is None else np.asarray(order)
    pages = page_count(n, per_page)
    page = min(max(page, 0), pages - 1)
    chans = [int(c) for c in order[page * per_page : (page + 1) * per_page]]
    cols = max(1, min(len(chans), math.ceil(math.sqrt(per_page * 2))))
    rows = max(1, math.ceil(len(chans) / cols))
    h, w = maps.shape[1], maps.shape[2]
    img = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i, c in enumerate(chans):
        r, q = divmod(i, cols)
        y, x = r * (h + gap), q * (w + gap)
        img[y : y + h, x : x + w] = normalise(maps[c])
    return FeaturePage(img, chans, (h, w), cols, gap, page, pages)


def resize_map(m: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a 2-D map to (height, width)."""
    from PIL import Image

    im = Image.fromarray(np.asarray(m, dtype=np.float32), mode="F")
    return np.asarray(im.resize((size[1], size[0]), Image.Resampling.BILINEAR), dtype=np.float32)


def overlay(
    channel: np.ndarray, image: np.ndarray, lut: np.ndarray, alpha: float = 0.5
) -> np.ndarray:
    """A channel's map coloured by ``lut`` ([256, 3] uint8) and blended onto an RGB image.

    The map is scaled to [0, 1] by its own range and stretched over the image (the model's
    view of the input, so that both cover the same pixels).
    """
    h, w = image.shape[:2]
    m = normalise(resize_map(channel, (h, w)))
    coloured = lut[np.clip((m * 255).round().astype(int), 0, 255)][..., :3].astype(np.float32)
    out = (1 - alpha) * image.astype(np.float32) + alpha * coloured
    return np.clip(out.round(), 0, 255).astype(np.uint8)


def prediction_rows(top: list[Any]) -> list[tuple[str, str, float]]:
    """(rank, "label (index)", probability) rows of a top-k list."""
    return [(str(i + 1), f"{t.label} ({t.index})", float(t.prob)) for i, t in enumerate(top)]
