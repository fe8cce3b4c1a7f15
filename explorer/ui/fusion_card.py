"""What the fusion's merge animation draws over the graph: the step's card and the fused box.

Drawing only. The card (a widget over the graph view's viewport, mouse-transparent) shows
the step's number and caption and its kernel pictures in a row, coloured on one diverging
scale (blue negative, red positive) with their values; the data comes from
:func:`explorer.present.fusion_steps.merge_steps`. The fused box is a scene item drawn
where the block's frame is, labelled as the block will be once fused.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QWidget

from explorer.graph.kinds import colour
from explorer.present.fusion_steps import TOTAL_MS, MergeStep, Picture, cell_text, value_scale
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate

STEPS = 5
MARGIN = 12


def value_colour(v: float, vmax: float) -> QColor:
    """White at zero, red for positive, blue for negative values (``vmax``: full colour)."""
    t = 0.0 if vmax <= 0 else max(-1.0, min(1.0, v / vmax))
    base = QColor("#c0392b") if t > 0 else QColor("#2e6fbf")
    a = abs(t)
    return QColor(
        round(255 + (base.red() - 255) * a),
        round(255 + (base.green() - 255) * a),
        round(255 + (base.blue() - 255) * a),
    )


class KernelCard(QWidget):
    """The current step's caption and kernel pictures, over the graph."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.step: MergeStep | None = None
        self.corner = "top-left"
        self.fixed: QSize | None = None  # one size for every step (set by whoever places it)
        parent.installEventFilter(self)  # a scroll bar coming or going: placed again
        self.hide()

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.place()
        return False

    # -- sizes -------------------------------------------------------------------------------

    def _px(self) -> int:
        """The caption's pixel size: at least 15 px, more on a larger view (up to 20 px on a
        1920x1080 screen) or with a larger window font (presentation mode)."""
        f = self.font()
        size = f.pixelSize() if f.pixelSize() > 0 else round(f.pointSizeF() * 96 / 72)
        vp = self.parentWidget()
        by_view = min(20, round(vp.width() / 68)) if vp is not None else 15
        return max(15, round(size * 1.25), by_view)

    def _cell(self) -> int:
        return max(30, round(self._px() * 2.2))

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        caption, small, cell = QFont(self.font()), QFont(self.font()), QFont(self.font())
        caption.setPixelSize(self._px())
        caption.setBold(True)
        small.setPixelSize(max(12, round(self._px() * 0.8)))
        cell.setPixelSize(max(10, round(self._cell() * 0.36)))
        return caption, small, cell

    def _picture_width(self, p: Picture, small: QFont) -> int:
        cols = len(p.values[0]) if p.values else 1
        fm = QFontMetrics(small)
        return max(cols * self._cell(), fm.horizontalAdvance(p.title), fm.horizontalAdvance(p.note))

    def _row_width(self, step: MergeStep, small: QFont) -> int:
        gap = round(self._px() * 1.6)
        widths = [self._picture_width(p, small) for p in step.pictures]
        return sum(widths) + gap * max(0, len(widths) - 1)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        step = self.step
        caption, small, _ = self._fonts()
        limit = max(240, (self.parentWidget().width() if self.parentWidget() else 800) - 16)
        row = self._row_width(step, small) if step and step.pictures else 0
        width = min(limit, max(row + 2 * MARGIN, 420))
        fm = QFontMetrics(caption)
        text = step.caption if step else ""
        text_h = fm.boundingRect(
            QRect(0, 0, width - 2 * MARGIN, 2000), Qt.TextFlag.TextWordWrap, text
        ).height()
        h = MARGIN + QFontMetrics(small).height() + 4 + text_h + MARGIN
        if step and step.pictures:
            rows = max(len(p.values) for p in step.pictures)
            sh = QFontMetrics(small).height()
            h += sh + 4 + rows * self._cell() + 4 + sh + MARGIN // 2
        return QSize(width, h)

    # -- showing -----------------------------------------------------------------------------

    def show_step(self, step: MergeStep | None) -> None:
        if step is None:
            self.hide()
            return
        self.step = step
        self.place()  # its height changes by step, the viewport with a scroll bar
        self.show()
        self.raise_()
        self.update()

    def largest(self, steps: list[MergeStep | None]) -> QSize:
        """The size the card takes at its largest step (for placing it once)."""
        keep, out = self.step, QSize()
        for st in steps:
            if st is not None:
                self.step = st
                out = out.expandedTo(self.sizeHint())
        self.step = keep
        return out

    def rect_at(self, corner: str, size: QSize | None = None) -> QRect:
        """Where the card sits at ``corner`` (``top-left``, ``bottom-left``, ``bottom-right``;
        the top right is the legend's) of its viewport."""
        vp = self.parentWidget()
        size = size or self.size()
        w, h = size.width(), size.height()
        W, H = (vp.width(), vp.height()) if vp is not None else (w + 16, h + 16)  # noqa: N806
        x = 8 if corner.endswith("left") else W - w - 8
        y = 8 if corner.startswith("top") else H - h - 8
        return QRect(max(0, x), max(0, y), w, h)

    def place(self, corner: str | None = None) -> None:
        """At ``corner`` (else the one chosen before), fitted to the card's present size."""
        self.corner = corner or self.corner
        self.resize(self.sizeHint().expandedTo(self.fixed or QSize()))
        self.move(self.rect_at(self.corner).topLeft())

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        step = self.step
        if step is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        caption, small, cell_font = self._fonts()
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(QPen(QColor("#1f5fa8"), 2))
        p.setBrush(QColor(255, 255, 255, 240))
        p.drawRoundedRect(r, 8, 8)
        x0, y = MARGIN, MARGIN
        inner = self.width() - 2 * MARGIN
        p.setFont(small)
        p.setPen(QColor("#555555"))
        sh = QFontMetrics(small).height()
        head = self.tr("Fusing a RepVGG block: step {n} of {total}").format(
            n=step.number, total=STEPS
        )
        note = value_scale(step.vmax)[1] if step.pictures else ""
        note = note.replace("values", self.tr("values"))
        head += f"  ({note})" if note else ""
        p.drawText(QRect(x0, y, inner, sh), Qt.AlignmentFlag.AlignLeft, head)
        y += sh + 4
        p.setFont(caption)
        p.setPen(QColor("#111111"))
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        text_r = QFontMetrics(caption).boundingRect(QRect(0, 0, inner, 2000), flags, step.caption)
        p.drawText(QRect(x0, y, inner, text_r.height()), flags, step.caption)
        y += text_r.height() + MARGIN
        if step.pictures:
            self._paint_row(p, step, x0, y, small, cell_font)
        p.end()

    def _paint_row(
        self, p: QPainter, step: MergeStep, x: int, y: int, small: QFont, cell_font: QFont
    ) -> None:
        c = self._cell()
        gap = round(self._px() * 1.6)
        sh = QFontMetrics(small).height()
        rows = max(len(pic.values) for pic in step.pictures)
        factor = value_scale(step.vmax)[0]
        for n, pic in enumerate(step.pictures):
            w = self._picture_width(pic, small)
            p.setFont(small)
            p.setPen(QColor("#333333"))
            p.drawText(QRect(x, y, w, sh), Qt.AlignmentFlag.AlignHCenter, pic.title)
            nr, nc = len(pic.values), len(pic.values[0]) if pic.values else 0
            gx = x + (w - nc * c) // 2
            gy = y + sh + 4 + (rows - nr) * c // 2
            p.setFont(cell_font)
            for i, row in enumerate(pic.values):
                for j, v in enumerate(row):
                    cell = QRect(gx + j * c, gy + i * c, c, c)
                    p.fillRect(cell, value_colour(v, step.vmax))
                    p.setPen(QPen(QColor("#8a8a8a"), 1))
                    p.drawRect(cell)
                    p.setPen(QColor("#111111"))
                    p.drawText(cell, Qt.AlignmentFlag.AlignCenter, cell_text(v, factor))
            for i, j in pic.highlight:
                p.setPen(QPen(QColor("#111111"), 3))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRect(gx + j * c, gy + i * c, c, c))
            p.setFont(small)
            p.setPen(QColor("#444444"))
            p.drawText(
                QRect(x, y + sh + 4 + rows * c + 4, w, sh), Qt.AlignmentFlag.AlignHCenter, pic.note
            )
            x += w
            if n < len(step.ops):
                big = QFont(small)
                big.setPixelSize(round(self._px() * 1.4))
                big.setBold(True)
                p.setFont(big)
                p.setPen(QColor("#111111"))
                p.drawText(
                    QRect(x, y + sh + 4, gap, rows * c), Qt.AlignmentFlag.AlignCenter, step.ops[n]
                )
            x += gap


class FusedBoxItem(QGraphicsItem):
    """The fused block as it will be drawn: one conv box, labelled, at ``centre``."""

    def __init__(self, centre: QPointF, label: str, width: float = 150.0) -> None:
        super().__init__()
        self.label = label
        f = QFont()
        f.setPointSizeF(11)
        f.setBold(True)
        self._font = f
        w = max(width, QFontMetrics(f).horizontalAdvance(label) + 24.0)
        self._rect = QRectF(0, 0, w, 44.0)
        self.setPos(centre - self._rect.center())
        self.setZValue(20)
        self.setOpacity(0.0)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, _option: Any, _widget: Any = None) -> None:
        painter.setPen(QPen(QColor("#1f5fa8"), 2.5))
        painter.setBrush(QColor(colour("conv")))
        painter.drawRoundedRect(self._rect, 7, 7)
        painter.setFont(self._font)
        painter.setPen(QColor("#111111"))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.label)


class TagItem(QGraphicsItem):
    """A folded layer's tag (``BN``) over a box, for the merge to move into the box."""

    def __init__(self, text: str, centre: QPointF) -> None:
        super().__init__()
        self.text = text
        f = QFont()
        f.setPointSizeF(9)
        f.setBold(True)
        self._font = f
        self._rect = QRectF(0, 0, QFontMetrics(f).horizontalAdvance(text) + 12.0, 20.0)
        self.setPos(centre - self._rect.center())
        self.setZValue(18)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, _option: Any, _widget: Any = None) -> None:
        painter.setPen(QPen(QColor("#1f5fa8"), 1.5))
        painter.setBrush(QColor(colour("norm")))
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setFont(self._font)
        painter.setPen(QColor("#111111"))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


MERGE_ITEMS = (FusedBoxItem, TagItem)  # the items a merge adds to the scene (and removes)

#: the texts of the fusion's steps (explorer.present.fusion_steps), for the catalogue
STEP_TEXTS = (
    QT_TRANSLATE_NOOP("FusionSteps", " (weights of output channel {out}, input {inp})"),
    QT_TRANSLATE_NOOP(
        "FusionSteps",
        "Fold each branch's BatchNorm into its conv: W' = s·W, b' = β − s·μ with s = γ/σ",
    ),
    QT_TRANSLATE_NOOP("FusionSteps", "Pad the 1x1 kernel with zeros into the centre of a {kk}"),
    QT_TRANSLATE_NOOP(
        "FusionSteps",
        "Write the identity branch as a {kk} delta kernel (its BN scale folded in)",
    ),
    QT_TRANSLATE_NOOP("FusionSteps", "Sum the three {kk} kernels and their biases"),
    QT_TRANSLATE_NOOP("FusionSteps", "One block: {label} (with bias)"),
    QT_TRANSLATE_NOOP(
        "FusionSteps",
        "No identity branch in this block (its stride or width changes): nothing to add",
    ),
    QT_TRANSLATE_NOOP("FusionSteps", "identity · s"),
    QT_TRANSLATE_NOOP("FusionSteps", "zeros around"),
    QT_TRANSLATE_NOOP("FusionSteps", "delta"),
    QT_TRANSLATE_NOOP("FusionSteps", "zero: another channel"),
    QT_TRANSLATE_NOOP("FusionSteps", "identity → {kk}"),
    QT_TRANSLATE_NOOP("FusionSteps", "still 1x1"),
    QT_TRANSLATE_NOOP("FusionSteps", "identity"),
    QT_TRANSLATE_NOOP("FusionSteps", "fused"),
    QT_TRANSLATE_NOOP("FusionSteps", "bias {b}"),
)


def step_words(text: str) -> str:
    """A text of the fusion's steps in the window's language (``merge_steps``'s ``tr``)."""
    return translate("FusionSteps", text)


__all__ = [
    "STEP_TEXTS",
    "step_words",
    "MERGE_ITEMS",
    "FusedBoxItem",
    "KernelCard",
    "TOTAL_MS",
    "TagItem",
    "value_colour",
]
