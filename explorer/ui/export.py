"""Export the drawn graph: PNG through Qt's renderer, SVG from the core's layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from explorer.graph.blocks import Block
from explorer.present.layout import Layout
from explorer.present.svg import layout_to_svg

MAX_PNG_SIDE = 16_000  # Qt images beyond ~32k pixels a side fail; keep well under


def save_svg(lay: Layout, path: str | Path, title: str = "") -> None:
    Path(path).write_text(layout_to_svg(lay, title=title), encoding="utf-8")


def save_png(
    lay: Layout,
    blocks: dict[str, Block],
    path: str | Path,
    colour_by: str = "kind",
    scale: float = 1.5,
) -> None:
    """Render the whole graph (not just the visible part) to a PNG file."""
    from explorer.ui.graph_view import GraphView

    view = GraphView()
    view.show_layout(lay, blocks, colour_by)
    scene = view.scene()
    rect = scene.sceneRect()
    s = min(scale, MAX_PNG_SIDE / max(rect.width(), 1), MAX_PNG_SIDE / max(rect.height(), 1))
    img = QImage(
        max(1, int(rect.width() * s)), max(1, int(rect.height() * s)), QImage.Format_ARGB32
    )
    img.fill(QColor("#ffffff"))
    painter = QPainter(img)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, img.width(), img.height()), rect, Qt.KeepAspectRatio)
    painter.end()
    if not img.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    # no deleteLater(): the parentless view belongs to Python and goes with this frame
