"""Export the drawn graph and any widget as figures: PNG (and the other formats Qt writes), SVG
and PDF, at the size asked. Every file is written to a temporary name beside it and renamed
once complete (:func:`explorer.files.atomic_path`): a failure leaves an old file as it was.

The graph is wrapped to the figure's shape (:func:`explorer.present.wrap.wrap_layout`),
fitted below its title and beside its legend (:class:`explorer.present.svg.Figure`); PDF pages
are exactly the size asked, in points (1 px = 1 pt). SVG of the graph comes from the core's
writer; SVG of a widget from QtSvg's generator.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QEvent, QMarginsF, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QImageWriter,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QWidget

from explorer.files import FileError, atomic_path, check_output, write_text
from explorer.graph.blocks import Block
from explorer.present.layout import Layout
from explorer.present.svg import (
    EDGE_STYLE,
    MAX_SIDE,
    Figure,
    figure_layout,
    layout_to_svg,
    legend_rows,
)
from explorer.ui.i18n import translate
from explorer.ui.label_words import kind_meaning, kind_name

DEFAULT_SIZE = (1920, 1080)  # a 16:9 slide
VECTOR_FORMATS = ("svg", "pdf")


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


def _suffix(path: str | os.PathLike[str], fmt: str | None) -> str:
    return (fmt or Path(path).suffix.lstrip(".")).lower()


def _pdf_writer(target: str, size: tuple[int, int]) -> QPdfWriter:
    """A PDF of one page exactly ``size`` points, no margins, 72 dpi (1 px = 1 pt)."""
    writer = QPdfWriter(target)
    writer.setResolution(72)
    page = QPageSize(QSizeF(*size), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    return writer


def _paint_to(path: str | os.PathLike[str], fmt: str, size: tuple[int, int], paint) -> None:  # noqa: ANN001
    """Call ``paint(painter)`` on a ``size`` canvas and save it as ``fmt``, whole or not at all."""
    w, h = size
    if fmt == "pdf":
        with atomic_path(path) as tmp:
            writer = _pdf_writer(str(tmp), size)
            painter = QPainter()
            if not painter.begin(writer):
                raise OSError("Qt could not write the PDF")
            paint(painter)
            painter.end()
            del writer  # the file is complete once the writer is gone
        return
    if fmt == "svg":
        from PySide6.QtSvg import QSvgGenerator

        with atomic_path(path) as tmp:
            gen = QSvgGenerator()
            gen.setFileName(str(tmp))
            gen.setSize(QSize(w, h))
            gen.setViewBox(QRectF(0, 0, w, h))
            painter = QPainter()
            if not painter.begin(gen):
                raise OSError("Qt could not write the SVG")
            paint(painter)
            painter.end()
            _svg_size_in_pixels(Path(tmp), w, h)
        return
    img = QImage(w, h, QImage.Format_ARGB32)
    img.fill(QColor("#ffffff"))
    painter = QPainter(img)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.TextAntialiasing)
    paint(painter)
    painter.end()
    save_image(img, path, fmt.upper())


def _svg_size_in_pixels(path: Path, w: int, h: int) -> None:
    """QSvgGenerator states the size in millimetres; say it in pixels, as the graph's SVG does."""
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("<svg")
    tag, end, tail = rest.partition(">")
    tag = re.sub(r'\swidth="[^"]*"', f' width="{w}"', tag, count=1)
    tag = re.sub(r'\sheight="[^"]*"', f' height="{h}"', tag, count=1)
    path.write_text(head + sep + tag + end + tail, encoding="utf-8")


# -- widgets -----------------------------------------------------------------------------------


def save_widget(
    widget: QWidget,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    size: tuple[int, int] | None = None,
) -> None:
    """Save ``widget`` as drawn on screen: PNG (or any format Qt writes), SVG or PDF by the
    suffix (or ``fmt``). With ``size`` = (width, height) the file is exactly that size: the
    widget is laid out at that size for the picture (its plots and labels re-flow, as on a
    larger screen), then given back its own size."""
    kind = _suffix(path, fmt)
    if size is None and kind not in VECTOR_FORMATS:
        save_image(widget.grab(), path, fmt)
        return
    w, h = size if size is not None else (widget.width(), widget.height())
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise FileError(f"a figure must be between 1x1 and {MAX_SIDE}x{MAX_SIDE}, not {w}x{h}")
    old = widget.size()
    if (w, h) != (old.width(), old.height()):
        widget.resize(w, h)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def paint(painter: QPainter) -> None:
        painter.fillRect(QRectF(0, 0, w, h), QColor("#ffffff"))
        sw, sh = max(widget.width(), 1), max(widget.height(), 1)
        s = min(w / sw, h / sh)  # 1 unless the widget could not take the size (a minimum)
        painter.translate((w - s * sw) / 2, (h - s * sh) / 2)
        painter.scale(s, s)
        widget.render(painter, QPointF(0, 0).toPoint())

    try:
        _paint_to(path, kind, (w, h), paint)
    finally:
        if widget.size() != old:
            widget.resize(old)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def widget_saved(widget: QWidget, path: str | os.PathLike[str], fmt: str | None = None) -> bool:
    """:func:`save_widget`, answering False (not raising) when it cannot be written: for an
    export button, whose caller shows its own message."""
    try:
        save_widget(widget, path, fmt)
    except OSError:
        return False
    return True


# -- the graph ---------------------------------------------------------------------------------


def save_graph(
    lay: Layout,
    blocks: dict[str, Block],
    path: str | os.PathLike[str],
    size: tuple[int, int] = DEFAULT_SIZE,
    title: str = "",
    colour_by: str = "kind",
) -> Layout:
    """Save the graph of ``lay`` (unwrapped, as computed) as a figure of exactly ``size``
    pixels: wrapped to the figure's shape, fitted, with ``title`` and a legend. PNG (or any
    format Qt writes), SVG or PDF by the suffix. Returns the wrapped layout drawn."""
    fig_lay = figure_layout(lay, size, title)
    kind = _suffix(path, None)
    if kind == "svg":
        write_text(path, layout_to_svg(fig_lay, title=title, size=size))
        return fig_lay
    from explorer.ui.graph_view import GraphView

    view = GraphView()
    view.show_layout(fig_lay, blocks, colour_by)
    fig = Figure(*size, title=bool(title))

    def paint(painter: QPainter) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.fillRect(QRectF(0, 0, *size), QColor("#ffffff"))
        _paint_title(painter, fig, title)
        s, dx, dy = fig.fit(fig_lay)
        scene = view.scene()
        src = scene.sceneRect()
        # the scene rect has a margin around the layout: draw it whole at the same scale
        target = QRectF(dx + s * src.x(), dy + s * src.y(), s * src.width(), s * src.height())
        scene.render(painter, target, src, Qt.IgnoreAspectRatio)
        _paint_legend(painter, fig, fig_lay)

    _paint_to(path, kind, size, paint)
    # no deleteLater(): the parentless view belongs to Python and goes with this frame
    return fig_lay


def _meaning(kind: str, short: str) -> str:
    """A kind's meaning in the legend (``short``, the core's first clause of it) in the
    window's language: the translated meaning, cut as the core cuts it."""
    from explorer.graph.kinds import kind_table

    full = kind_table().get(kind, {}).get("meaning", "")
    said = kind_meaning(full) if full else ""
    if not said or said == full:
        return short
    said = said.split(" (")[0].split(", ")[0].strip()
    return said if len(said) <= 30 else said[:29] + "…"


def _paint_title(painter: QPainter, fig: Figure, title: str) -> None:
    if not title:
        return
    f = QFont()
    f.setPixelSize(round(fig.title_px))
    f.setBold(True)
    painter.setFont(f)
    painter.setPen(QColor("#111111"))
    painter.drawText(QPointF(fig.pad, fig.pad + fig.title_px), title)


def _paint_legend(painter: QPainter, fig: Figure, lay: Layout) -> None:
    if not fig.legend_w:
        return
    px = fig.legend_px
    lx, ly = fig.legend_origin()
    f = QFont()
    f.setPixelSize(round(px * 1.15))
    f.setBold(True)
    painter.setFont(f)
    painter.setPen(QColor("#111111"))
    painter.drawText(QPointF(lx, ly + px), translate("Export", "Kinds"))
    f.setBold(False)
    f.setPixelSize(round(px))
    painter.setFont(f)
    step = px * 1.6
    rows = legend_rows(lay)
    for i, (kind, colour, meaning) in enumerate(rows):
        y = ly + px + step * (i + 0.6)
        painter.fillRect(QRectF(lx, y, px * 1.3, px), QColor(colour))
        painter.setPen(QColor("#111111"))
        meaning = _meaning(kind, meaning)
        text = QFontMetricsF(f).elidedText(
            f"{kind_name(kind)}: {meaning}", Qt.ElideRight, fig.width - lx - px * 1.8 - 4
        )
        painter.drawText(QPointF(lx + px * 1.8, y + px * 0.9), text)
    y0 = ly + px + step * (len(rows) + 1.4)
    for j, (kind, (stroke, width, dash)) in enumerate(EDGE_STYLE.items()):
        y = y0 + step * j
        pen = QPen(QColor(stroke), float(width))
        if dash:
            pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(lx, y), QPointF(lx + px * 2.2, y))
        painter.setPen(QColor("#111111"))
        painter.drawText(
            QPointF(lx + px * 2.8, y + px * 0.35),
            translate("Export", "{kind} edge").format(kind=kind_name(kind)),
        )
    if lay.bands:
        y = y0 + step * (len(EDGE_STYLE) + 0.4)
        painter.setPen(QColor("#c8ccd4"))
        painter.setBrush(QColor("#eef2f8"))
        painter.drawRect(QRectF(lx, y - px * 0.6, px * 2.2, px * 1.2))
        painter.setPen(QColor("#111111"))
        painter.drawText(
            QPointF(lx + px * 2.8, y + px * 0.35), translate("Export", "stage (size, channels)")
        )
