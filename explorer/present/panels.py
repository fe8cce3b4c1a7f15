"""What the panels draw, computed without a screen: feature-map pages, overlays, tables,
legends, notes and axis ranges."""

from __future__ import annotations

import html
import math
import textwrap
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


# -- legends, notes and axis ranges of the plotted panels -----------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend drawn beside a plot (never over its data)."""

    label: str
    colour: str
    dashed: bool = False


def legend_html(
    entries: list[LegendEntry], note: str = "", note_colour: str = "#555", width: int = 44
) -> str:
    """Rich text of a legend placed in a cell of its own beside the plots: a line sample in
    each entry's colour, then its label (wrapped at ``width`` characters); ``note`` (already
    wrapped) below the entries."""
    lines = []
    for e in entries:
        sample = "\u2012 \u2012 \u2012" if e.dashed else "\u2501\u2501\u2501"
        label = "<br>&nbsp;&nbsp;&nbsp;&nbsp;".join(
            html.escape(part, quote=False) for part in textwrap.wrap(e.label, width) or [""]
        )
        lines.append(
            f"<span style='color:{e.colour}; font-weight:bold'>{sample}</span>&nbsp;{label}"
        )
    if note:
        lines.append(f"<span style='color:{note_colour}'><i>{note}</i></span>")
    return "<br>".join(lines)


def legend_inline(entries: list[LegendEntry]) -> str:
    """A one-line legend of filled squares (for bars), for a plot's title line."""
    return "&nbsp;&nbsp;".join(
        f"<span style='color:{e.colour}'>\u25a0</span>&nbsp;{html.escape(e.label)}" for e in entries
    )


def wrapped(text: str, width: int = 44) -> str:
    """``text`` escaped for rich text and broken into lines of at most ``width`` characters
    (a legend column has a fixed width: a long note must not widen it)."""
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(text, width))


#: said on the activation-std panel when the model holds random weights
RANDOM_STD_NOTE = (
    "random weights: at initialisation the residual sum grows with depth; "
    "the ResNet paper's Fig. 7 is about trained networks"
)
RANDOM_STD_NOTE_PLAIN = (
    "random weights: these are responses at initialisation; "
    "the ResNet paper's Fig. 7 is about trained networks"
)


def weights_note(trained: bool | None, label: str, residual: bool = True) -> tuple[str, bool]:
    """(note, warn): which weights the activation-std curve was measured with.

    Random weights are said with a warning: at initialisation a residual network's std grows
    along the depth (each block adds to the sum) while a plain one's stays flat, the opposite
    of the trained networks of the ResNet paper's Fig. 7. ``trained`` None: nothing is known.
    """
    if trained is None:
        return "", False
    if not trained:
        return (RANDOM_STD_NOTE if residual else RANDOM_STD_NOTE_PLAIN), True
    return f"trained weights: {label}", False


@dataclass(frozen=True)
class ScoreRange:
    """The y range of a sweep's scores (in %), and what its axis label must add."""

    lo: float
    hi: float

    @property
    def from_zero(self) -> bool:
        return self.lo <= 0.0

    @property
    def note(self) -> str:
        """Said beside the axis when it does not start at 0 (bars look shorter than they are)."""
        return "" if self.from_zero else f"axis from {self.lo:g} %, not 0"


def _nice_step(span: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about 5 ticks over ``span``."""
    raw = max(span, 1e-9) / 5
    p = 10 ** math.floor(math.log10(raw))
    return next(m * p for m in (1, 2, 5, 10) if m * p >= raw)


def score_range(
    values: Any, baseline: float | None = None, top: float = 100.0, min_span: float = 1.0
) -> ScoreRange:
    """A y range that shows how the scores differ, the baseline (the intact network) inside it.

    A 0-100 axis hides 97 against 99.7 %: the range is fitted to the scores and the
    baseline with a margin, on round numbers, within [0, ``top``]. It starts at 0 when the
    scores themselves go near 0 (then nothing needs saying).
    """
    v = [float(x) for x in np.ravel(np.asarray(values, dtype=float)) if math.isfinite(x)]
    if baseline is not None and math.isfinite(baseline):
        v.append(float(baseline))
    if not v:
        return ScoreRange(0.0, top)
    lo, hi = min(v), max(v)
    span = max(hi - lo, min_span)
    step = _nice_step(span * 1.3)
    lo2 = math.floor((lo - 0.15 * span) / step) * step
    hi2 = math.ceil((hi + 0.15 * span) / step) * step
    lo2, hi2 = max(0.0, lo2), min(top, hi2)
    if hi2 - lo2 < min_span:  # clamped at the top: the room goes below instead
        lo2 = max(0.0, math.floor((hi2 - min_span) / step) * step)
    if lo2 < 0.3 * hi2:  # the scores reach low: the whole axis says it best
        lo2 = 0.0
    return ScoreRange(round(lo2, 6), round(hi2, 6))


def sweep_title(
    baseline: float | None, r: ScoreRange, colour: str = "#c0392b", intact: str = "intact network"
) -> str:
    """The title line of a sweep's plot: the dashed line's key (``intact``: its words, in the
    window's language) and, when the y axis does not start at 0, that it does not."""
    parts = []
    if baseline is not None:
        parts.append(
            f"<span style='color:{colour}; font-weight:bold'>\u2012 \u2012 \u2012</span>"
            f"&nbsp;{intact} {baseline:.2f} %"
        )
    if r.note:
        parts.append(f"<i>y {html.escape(r.note)}</i>")
    return "&nbsp;&nbsp;&nbsp;&middot;&nbsp;&nbsp;&nbsp;".join(parts)


def sparse_ticks(ids: list[str], most: int = 30) -> list[tuple[int, str]]:
    """(index, label) ticks for bars named by block ids: at most ``most`` of them, evenly
    spaced, "layer" shortened to "L"."""
    step = max(1, math.ceil(len(ids) / max(most, 1)))
    return [(i, ids[i].replace("layer", "L")) for i in range(0, len(ids), step)]


def highway_bars(res: Any) -> tuple[list[str], np.ndarray]:
    """The mean transform gate T of every highway block: (block ids in depth order,
    ``[batch, blocks]`` values). T near 1: the block transforms; near 0: it carries its
    input on ((1 - T) * x)."""
    gates = getattr(res, "highway_gates", None) or {}
    order = {b: i for i, b in enumerate(getattr(res, "block_ids", []))}
    ids = sorted(gates, key=lambda b: order.get(b, len(order)))
    if not ids:
        return [], np.zeros((0, 0))
    return ids, np.stack([np.asarray(gates[b], dtype=float).reshape(-1) for b in ids], axis=1)


#: the sizes a panel is exported at: (menu label, (width, height) or None for as shown)
EXPORT_SIZES: tuple[tuple[str, tuple[int, int] | None], ...] = (
    ("1920x1080 (16:9 slide)...", (1920, 1080)),
    ("1280x720 (16:9)...", (1280, 720)),
    ("1024x768 (4:3 slide)...", (1024, 768)),
    ("1920x540 (half a 16:9 slide)...", (1920, 540)),
    ("as shown...", None),
)


def export_name(title: str, size: tuple[int, int] | None, suffix: str = "png") -> str:
    """A file name for a panel's figure: "activation_std_1920x1080.png"."""
    stem = "_".join(title.lower().replace("-", " ").split())
    return f"{stem}_{size[0]}x{size[1]}.{suffix}" if size else f"{stem}.{suffix}"


#: the size a panel is laid out at for a 16:9 slide before it is scaled up to the file's size
SLIDE_LAYOUT = (960, 540)


def export_scale(size: tuple[int, int]) -> float:
    """How much a panel's figure is scaled up when saved at ``size``: it is laid out at about
    960x540 (a laptop's panel) and drawn larger, so that its text grows with the slide
    (1920x1080: 2x). Never below 1: a small file is laid out at its own size."""
    w, h = size
    return max(1.0, min(w / SLIDE_LAYOUT[0], h / SLIDE_LAYOUT[1]))
