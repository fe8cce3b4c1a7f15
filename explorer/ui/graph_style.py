"""How the block graph is drawn: colours, stroke widths and fonts, scaled for a lecture hall
(:meth:`explorer.ui.graph_view.GraphView.set_presentation`) or in high contrast."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

from explorer.present.wrap import LABEL_PX, MIN_LABEL_PX

EDGE_COLOURS = {"data": "#7d8590", "skip": "#2f8f4e", "branch": "#3b7dd8", "gate": "#d9822b"}
CONTRAST_EDGE_COLOURS = {
    "data": "#30343a",
    "skip": "#00702e",
    "branch": "#0b4fb3",
    "gate": "#b35300",
}
# cosmetic widths in pixels, whatever the zoom: a skip arc or a gate must be seen from the back
EDGE_WIDTHS = {"data": 1.6, "skip": 3.5, "branch": 2.2, "gate": 3.0}
BAND_TINTS = ("#eef2f8", "#f7f3ea")


class Style:
    """How the graph is drawn: the presentation scale (fonts and strokes) and the contrast."""

    def __init__(self, scale: float = 1.0, high_contrast: bool = False):
        self.scale = scale
        self.high_contrast = high_contrast

    def font_px(self, base: float = LABEL_PX) -> float:
        return base * self.scale

    def edge_colour(self, kind: str) -> QColor:
        table = CONTRAST_EDGE_COLOURS if self.high_contrast else EDGE_COLOURS
        return QColor(table.get(kind, table["data"]))

    def edge_pen(self, kind: str, dashed: bool = False) -> QPen:
        pen = QPen(self.edge_colour(kind), EDGE_WIDTHS.get(kind, 1.6) * self.scale)
        pen.setCosmetic(True)
        if dashed:
            pen.setStyle(Qt.DashLine)
        return pen

    @property
    def outline(self) -> QColor:
        return QColor("#000000" if self.high_contrast else "#2b2b2b")

    @property
    def outline_px(self) -> float:
        return (1.6 if self.high_contrast else 1.0) * self.scale


DEFAULT_STYLE = Style()


def text_colour(fill: QColor, high_contrast: bool = False) -> QColor:
    """Dark text on a light fill, light text on a dark one (the input and output boxes)."""
    if fill.lightnessF() < 0.45:
        return QColor("#ffffff")
    return QColor("#000000" if high_contrast else "#111111")


def fitted_font(
    text: str, width: float, px: float, floor: float = MIN_LABEL_PX
) -> tuple[QFont, str]:
    """A font of about ``px`` pixels (smaller if ``text`` is wider than ``width``, never below
    ``floor``, :data:`MIN_LABEL_PX` by default) and the text, elided if it still does not fit."""
    f = QFont()
    f.setPixelSize(max(1, round(px)))
    w = QFontMetricsF(f).horizontalAdvance(text)
    if w > width > 0 and px > floor:
        f.setPixelSize(max(round(floor), int(px * width / w)))
    return f, QFontMetricsF(f).elidedText(text, Qt.ElideRight, max(width, 1.0))
