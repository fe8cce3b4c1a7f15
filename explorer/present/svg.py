"""Write a layout as SVG (Qt-free): one ``<g class="block">`` per drawn box.

The same drawing rules as the window: kind colours and a legend, stage bands behind the
boxes, skip arcs on the right (solid for identity, dashed for a projection), gates in orange,
branch edges into their merge, light text on dark boxes. With a ``size`` the drawing is a
figure for a slide: exactly that many pixels wide and high, the title on top, the legend on
the right and the graph fitted (and, by the caller, wrapped) into the rest
(:class:`Figure`, shared with the Qt renderer of :mod:`explorer.ui.export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from explorer.graph.kinds import colour, kind_table
from explorer.present.layout import Box, Layout
from explorer.present.wrap import (
    BAND_INSET,
    BAND_PX,
    LABEL_PX,
    PIECE_SEP,
    TEXT_PAD,
    bounds,
    has_text,
    header_text,
    label_px,
    wrap_layout,
)

MARGIN = 40.0
LEGEND_W = 190.0
EDGE_STYLE = {
    "data": ("#7d8590", "1.6", ""),
    "skip": ("#2f8f4e", "3.5", ""),
    "branch": ("#3b7dd8", "2.2", ""),
    "gate": ("#d9822b", "3", "6,4"),
}
BAND_TINTS = ("#eef2f8", "#f7f3ea")
MAX_SIDE = 8192  # a figure's width or height at most (as the window's --size)


@dataclass
class Figure:
    """Where a figure of ``width`` x ``height`` pixels puts its title, graph and legend."""

    width: int
    height: int
    title: bool = True
    legend: bool = True

    @property
    def pad(self) -> float:
        return max(8.0, round(0.02 * min(self.width, self.height)))

    @property
    def title_px(self) -> float:
        return max(12.0, min(48.0, 0.032 * self.height)) if self.title else 0.0

    @property
    def legend_px(self) -> float:
        return max(9.0, min(24.0, 0.015 * self.height))

    @property
    def legend_w(self) -> float:
        if not self.legend or self.width < 480:
            return 0.0
        return max(130.0, min(0.2 * self.width, 22.0 * self.legend_px))

    def graph_rect(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) of the area the graph is fitted into."""
        p = self.pad
        top = p + (self.title_px * 1.6 if self.title else 0.0)
        w = self.width - 2 * p - (self.legend_w + p if self.legend_w else 0.0)
        return p, top, max(w, 1.0), max(self.height - top - p, 1.0)

    def legend_origin(self) -> tuple[float, float]:
        _x, y, _w, _h = self.graph_rect()
        return self.width - self.pad - self.legend_w, y

    def fit(self, lay: Layout) -> tuple[float, float, float]:
        """(scale, dx, dy): scene point (x, y) is drawn at (dx + scale x, dy + scale y)."""
        x0, y0, x1, y1 = bounds(lay)
        gx, gy, gw, gh = self.graph_rect()
        s = min(gw / max(x1 - x0, 1.0), gh / max(y1 - y0, 1.0))
        dx = gx + (gw - s * (x1 - x0)) / 2 - s * x0
        dy = gy + (gh - s * (y1 - y0)) / 2 - s * y0
        return s, dx, dy


def figure_layout(lay: Layout, size: tuple[int, int], title: str = "") -> Layout:
    """``lay`` wrapped for the graph area of a ``size`` figure (title on top, legend right)."""
    _x, _y, gw, gh = Figure(*size, title=bool(title)).graph_rect()
    return wrap_layout(lay, gw / gh, view_px=(gw, gh))


def legend_rows(lay: Layout) -> list[tuple[str, str, str]]:
    """(kind, colour, what it means) for every kind drawn, closed boxes first."""
    kinds = sorted(
        {b.kind for b in lay.boxes.values() if not b.open}
        | {b.kind for b in lay.boxes.values() if b.open and b.kind != "sequential"}
    )
    table = kind_table()
    rows = []
    for k in kinds:
        if k in table:
            meaning = table[k].get("meaning", "").split(" (")[0].split(", ")[0].strip()
            rows.append((k, colour(k), meaning if len(meaning) <= 30 else meaning[:29] + "…"))
    return rows


def is_dark(hex_colour: str) -> bool:
    """Whether a "#rrggbb" fill needs light text (the input and output boxes)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (max(r, g, b) + min(r, g, b)) / 2 < 0.45


def layout_to_svg(
    lay: Layout,
    title: str = "",
    legend: bool = True,
    size: tuple[int, int] | None = None,
) -> str:
    """SVG text for ``lay``: at its natural size (scene units = SVG user units), or, with
    ``size``, exactly ``size`` = (width, height) pixels with the graph fitted into it."""
    if size is not None:
        return _xml_chars(_figure_svg(lay, title, legend, size))
    x0, y0, x1, y1 = bounds(lay)
    ox = MARGIN - x0
    oy = MARGIN + (24.0 if title else 0.0) - y0
    width = x1 - x0 + 2 * MARGIN + (LEGEND_W if legend else 0.0)
    height = max(y1 - y0 + 2 * MARGIN + (24.0 if title else 0.0), 420.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="sans-serif">',
        f'<rect width="{width:.1f}" height="{height:.1f}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text x="{MARGIN}" y="{MARGIN - 8}" font-size="18">{escape(title)}</text>')
    out.append(f'<g transform="translate({ox:.1f},{oy:.1f})">')
    out += _graph(lay)
    out.append("</g>")
    if legend:
        out += _legend(lay, width - LEGEND_W + 10, MARGIN, 11.0)
    out.append("</svg>")
    return _xml_chars("\n".join(out))


#: characters XML 1.0 does not allow (a module name may hold them)
_NOT_XML = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _xml_chars(text: str) -> str:
    return text.translate(_NOT_XML)


def _figure_svg(lay: Layout, title: str, legend: bool, size: tuple[int, int]) -> str:
    w, h = size
    fig = Figure(w, h, title=bool(title), legend=legend)
    s, dx, dy = fig.fit(lay)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif">',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text class="title" x="{fig.pad:.1f}" y="{fig.pad + fig.title_px:.1f}" '
            f'font-size="{fig.title_px:.1f}" font-weight="bold">{escape(title)}</text>'
        )
    out.append(f'<g class="graph" transform="translate({dx:.2f},{dy:.2f}) scale({s:.5f})">')
    out += _graph(lay, stroke_scale=1.0 / max(s, 1e-6))
    out.append("</g>")
    if fig.legend_w:
        lx, ly = fig.legend_origin()
        out += _legend(lay, lx, ly + fig.legend_px, fig.legend_px)
    out.append("</svg>")
    return "\n".join(out)


def _graph(lay: Layout, stroke_scale: float = 1.0) -> list[str]:
    """Bands, frames, edges and boxes in scene coordinates. ``stroke_scale``: edge widths are
    pixels of the final picture (as the window's cosmetic pens), whatever the scale."""
    out = []
    for band in lay.bands:
        out.append(
            f'<g class="band"><rect x="{band.x:.1f}" y="{band.y:.1f}" width="{band.w:.1f}" '
            f'height="{band.h:.1f}" fill="{BAND_TINTS[band.stage % 2]}"/>'
            f'<text x="{band.x + BAND_INSET:.1f}" y="{band.y + band.h - 3:.1f}" '
            f'font-size="{BAND_PX}" '
            f'fill="#5a6270">{escape(band.label)}</text></g>'
        )
    boxes = lay.boxes.values()
    # frames first, then edges, then closed boxes on top
    for b in sorted((b for b in boxes if b.open), key=lambda b: b.w * b.h, reverse=True):
        c = colour(b.kind)
        piece = PIECE_SEP in b.id
        dash = ' stroke-dasharray="6,4"' if piece else ""
        text = ""
        if not piece:
            px = label_px(b)
            text = (
                f'<text x="{b.x + TEXT_PAD + 4:.1f}" y="{b.y + 2 + px:.1f}" font-size="{px:.1f}" '
                f'fill="#333">{escape(header_text(b))}</text>'
            )
        out.append(
            f'<g class="frame" data-id={quoteattr(b.id)} data-kind="{b.kind}">'
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
            f'rx="8" fill="{c}" fill-opacity="0.08" stroke="{c}" '
            f'stroke-width="{1.4 * stroke_scale:.2f}"{dash}/>{text}</g>'
        )
    for e in lay.edges:
        stroke, width_s, dash = EDGE_STYLE.get(e.kind, EDGE_STYLE["data"])
        src = lay.boxes[e.src]
        if e.kind == "skip" and src.shortcut == "projection":
            dash = "6,4"
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline class="edge" data-kind="{e.kind}" points="{pts}" fill="none" '
            f'stroke="{stroke}" stroke-width="{float(width_s) * stroke_scale:.2f}"{dash_attr}/>'
        )
    for b in boxes:
        if not b.open:
            out.append(_box(b, stroke_scale))
    return out


def _box(b: Box, stroke_scale: float) -> str:
    fill = colour(b.kind)
    parts = [
        f'<g class="block" data-id={quoteattr(b.id)} data-kind="{b.kind}">'
        f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
        f'rx="6" fill="{fill}" fill-opacity="0.9" stroke="#2b2b2b" '
        f'stroke-width="{0.9 * stroke_scale:.2f}"/>'
    ]
    if b.kind == "residual":  # the closed block's shortcut, on its right
        dash = ' stroke-dasharray="6,4"' if b.shortcut == "projection" else ""
        r, t, btm = b.x + b.w, b.y + 5, b.bottom - 5
        parts.append(
            f'<path d="M{r:.1f},{t:.1f} C{r + 16:.1f},{t:.1f} {r + 16:.1f},{btm:.1f} '
            f'{r:.1f},{btm:.1f}" fill="none" stroke="{EDGE_STYLE["skip"][0]}" '
            f'stroke-width="{3.5 * stroke_scale:.2f}"{dash}/>'
        )
    if not has_text(b) and b.label in ("concat", "+", "×", "−"):  # merges say what they do
        ink = "#ffffff" if b.label == "concat" else "#111"
        parts.append(
            f'<text x="{b.x + b.w / 2:.1f}" y="{b.y + b.h * 0.72:.1f}" '
            f'font-size="{b.h * 0.7:.1f}" text-anchor="middle" fill="{ink}">{b.label}</text>'
        )
    if has_text(b):
        px = label_px(b)
        ink = "#ffffff" if is_dark(fill) else "#111"
        cx = b.x + b.w / 2
        cy = b.y + b.h / 2
        if b.marks:  # the folded layers' tag in the bottom right, the label above it
            small = px * 0.72
            parts.append(
                f'<text class="marks" x="{b.x + b.w - TEXT_PAD:.1f}" y="{b.bottom - 4:.1f}" '
                f'font-size="{small:.1f}" text-anchor="end" fill="{ink}" '
                f'fill-opacity="0.8">{escape(" · ".join(b.marks))}</text>'
            )
            cy = b.y + b.h * 0.36
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + px * 0.35:.1f}" font-size="{px:.1f}" '
            f'text-anchor="middle" fill="{ink}">{escape(b.label)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _legend(lay: Layout, lx: float, ly: float, px: float) -> list[str]:
    out = [
        f'<g class="legend"><text x="{lx:.1f}" y="{ly:.1f}" font-size="{px * 1.15:.1f}" '
        'font-weight="bold">Kinds</text>'
    ]
    rows = legend_rows(lay)
    step = px * 1.6
    for i, (k, c, meaning) in enumerate(rows):
        y = ly + step * (i + 0.6)
        out.append(
            f'<rect x="{lx:.1f}" y="{y:.1f}" width="{px * 1.3:.1f}" height="{px:.1f}" '
            f'fill="{c}"/><text x="{lx + px * 1.8:.1f}" y="{y + px * 0.9:.1f}" '
            f'font-size="{px:.1f}">{escape(k)}: {escape(meaning)}</text>'
        )
    y0 = ly + step * (len(rows) + 1.4)
    for j, (k, (stroke, w, dash)) in enumerate(EDGE_STYLE.items()):
        y = y0 + step * j
        d = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{lx:.1f}" y1="{y:.1f}" x2="{lx + px * 2.2:.1f}" y2="{y:.1f}" '
            f'stroke="{stroke}" stroke-width="{w}"{d}/><text x="{lx + px * 2.8:.1f}" '
            f'y="{y + px * 0.35:.1f}" font-size="{px:.1f}">{k} edge</text>'
        )
    if lay.bands:
        y = y0 + step * (len(EDGE_STYLE) + 0.4)
        out.append(
            f'<rect x="{lx:.1f}" y="{y - px * 0.6:.1f}" width="{px * 2.2:.1f}" '
            f'height="{px * 1.2:.1f}" fill="{BAND_TINTS[0]}" stroke="#c8ccd4"/>'
            f'<text x="{lx + px * 2.8:.1f}" y="{y + px * 0.35:.1f}" font-size="{px:.1f}">'
            "stage (size, channels)</text>"
        )
    out.append("</g>")
    return out


__all__ = [
    "Figure",
    "LABEL_PX",
    "MAX_SIDE",
    "figure_layout",
    "is_dark",
    "layout_to_svg",
    "legend_rows",
]
