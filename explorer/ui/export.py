"""Export the drawn graph, and save any image the window makes: PNG through Qt's renderer,
SVG from the core's layout. Every file is written to a temporary name beside it and renamed
once complete (:func:`explorer.files.atomic_path`): a failure leaves an old file as it was."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from explorer.files import FileError, atomic_path, check_output, write_text
from explorer.graph.blocks import Block
from explorer.present.layout import Layout
from explorer.present.svg import layout_to_svg

MAX_PNG_SIDE = 16_000  # Qt images beyond ~32k pixels a side fail; keep well under


def image_formats() -> list[str]:
    """The suffixes (lower case, no dot) Qt can write here: png, jpg, bmp ..."""
    return sorted({bytes(f.data()).decode().lower() for f in QImageWriter.supportedImageFormats()})


def check_image_output(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Check, before any work, that an image can be saved at ``path``: a suffix Qt writes, and
    :func:`explorer.files.check_output` (an existing file only with ``force``; the folder
    must exist). Raises a one-line :class:`explorer.files.FileError`."""
    p = Path(path)
    formats = image_formats()
    if p.suffix.lower().lstrip(".") not in formats:
        known = ", ".join(f".{f}" for f in formats)
        raise FileError(f"'{p}': not an image format Qt writes here ({known})")
    return check_output(p, force=force, make_folder=False)


def save_image(
    image: QImage | QPixmap, path: str | os.PathLike[str], fmt: str | None = None
) -> None:
    """Save ``image`` to ``path`` whole or not at all; the format from the suffix unless ``fmt``.

    Raises ``OSError`` where it cannot be written (Qt gives no reason).
    """
    with atomic_path(path) as tmp:  # the temporary name keeps the suffix Qt reads the format from
        if not image.save(str(tmp), fmt):
            raise OSError("Qt could not save it")


def save_widget(widget: QWidget, path: str | os.PathLike[str], fmt: str | None = None) -> None:
    """A screenshot of ``widget`` (``widget.grab()``), saved as :func:`save_image` does."""
    save_image(widget.grab(), path, fmt)


def widget_saved(widget: QWidget, path: str | os.PathLike[str], fmt: str | None = None) -> bool:
    """:func:`save_widget`, answering False (not raising) when it cannot be written: for an
    export button, whose caller shows its own message."""
    try:
        save_widget(widget, path, fmt)
    except OSError:
        return False
    return True


def save_svg(lay: Layout, path: str | os.PathLike[str], title: str = "") -> None:
    write_text(path, layout_to_svg(lay, title=title))


def save_png(
    lay: Layout,
    blocks: dict[str, Block],
    path: str | os.PathLike[str],
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
    save_image(img, path, "PNG")
    # no deleteLater(): the parentless view belongs to Python and goes with this frame
