"""Draw a digit: a square pad drawn white on black with a thick round pen (mouse, pen or touch),
for the networks trained on digits.

The pad only draws and says what was drawn (:attr:`DrawPad.drawn`, an HxW uint8 array, white on
black, while drawing at most every ``interval`` ms and at once when the pen lifts); making a
digit of it is :func:`explorer.runtime.digit_input.drawn_image` (Qt-free, tested), and running
it is the run control's, as for any image.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

#: the pad's own pixels (the drawing's resolution, whatever the widget's size)
SIDE = 256
#: the pen: about a ninth of the pad, so that a digit drawn to fill it has strokes about as
#: thick, for its size, as the data set's
PEN = SIDE / 9


class DrawCanvas(QWidget):
    """The square the digit is drawn in: an 8-bit grey image, scaled to the widget."""

    changed = Signal()  # ink added, or cleared
    released = Signal()  # the pen lifted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage(SIDE, SIDE, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self._last: QPointF | None = None
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Draw a digit with the mouse, a pen or a finger; fill the square"))

    # -- the drawing --------------------------------------------------------------------------

    def array(self) -> np.ndarray:
        """The drawing, SIDE x SIDE uint8, white ink on black."""
        img = self.image
        bpl = img.bytesPerLine()
        buf = np.frombuffer(img.constBits(), np.uint8, count=bpl * img.height())
        return buf.reshape(img.height(), bpl)[:, : img.width()].copy()

    def is_empty(self) -> bool:
        return not self.array().any()

    def clear(self) -> None:
        self.image.fill(0)
        self.update()
        self.changed.emit()

    def stroke(self, a: QPointF, b: QPointF) -> None:
        """A line of the pen from ``a`` to ``b`` (pad pixels)."""
        p = QPainter(self.image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), PEN)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.drawLine(a, b)
        p.end()
        self.update()
        self.changed.emit()

    # -- where the pad is on screen ----------------------------------------------------------------

    def square(self) -> QRectF:
        """The widget's largest centred square: where the pad is drawn."""
        side = float(min(self.width(), self.height()))
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_pad(self, pos: QPointF) -> QPointF:
        sq = self.square()
        k = SIDE / max(sq.width(), 1.0)
        return QPointF((pos.x() - sq.left()) * k, (pos.y() - sq.top()) * k)

    # -- events -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = self.to_pad(event.position())
            self.stroke(self._last, self._last)  # a dot
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is not None and event.buttons() & Qt.MouseButton.LeftButton:
            p = self.to_pad(event.position())
            self.stroke(self._last, p)
            self._last = p

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is not None and event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self.released.emit()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(60, 60, 60))
        sq = self.square()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(sq, self.image)
        p.setPen(QPen(QColor(120, 120, 120), 1))
        p.drawRect(sq.adjusted(0, 0, -1, -1))
        if self.is_empty():
            p.setPen(QColor(150, 150, 150))
            p.drawText(sq, Qt.AlignmentFlag.AlignCenter, self.tr("draw a digit here"))
        p.end()


class DrawPad(QWidget):
    """The pad, a Clear button, and what the network gets (the 8x8 digit made of it)."""

    drawn = Signal(object)  # np.ndarray SIDE x SIDE uint8, white on black
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None, interval: int = 150) -> None:
        super().__init__(parent)
        self.canvas = DrawCanvas()
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Wipe the pad"))
        self.clear_button.clicked.connect(self.canvas.clear)
        self.preview = QLabel()
        self.preview.setFixedSize(64, 64)
        self.preview.setStyleSheet("background: black; border: 1px solid #777;")
        self.preview.setToolTip(
            self.tr(
                "What the network gets: the drawing cut to its box, scaled to 32x32, counted in "
                "4x4 blocks (8x8, 0-16) as scikit-learn's digits were made"
            )
        )
        self.hint = QLabel(self.tr("White on black, as the digits the network was trained on."))
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addStretch(1)
        row.addWidget(QLabel(self.tr("network sees")))
        row.addWidget(self.preview)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.canvas, 1)
        lay.addLayout(row)
        lay.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval)
        self._timer.timeout.connect(self._on_due)
        self.canvas.changed.connect(self._on_changed)
        self.canvas.released.connect(self._on_released)

    def _on_changed(self) -> None:
        # at most one drawing per interval while the pen moves: the panels follow the pen
        if not self._timer.isActive():
            self._timer.start()

    def _on_released(self) -> None:
        self._timer.stop()
        self._on_due()

    def _on_due(self) -> None:
        a = self.canvas.array()
        if not a.any():
            self.show_digit(None)
            self.cleared.emit()
            return
        self.drawn.emit(a)

    def show_digit(self, image: Any) -> None:
        """Show what the network gets (a PIL "L" image), or nothing."""
        if image is None:
            self.preview.clear()
            return
        a = np.ascontiguousarray(np.asarray(image.convert("L"), np.uint8))
        q = QImage(a.data, a.shape[1], a.shape[0], a.shape[1], QImage.Format.Format_Grayscale8)
        self.preview.setPixmap(
            QPixmap.fromImage(q.copy()).scaled(
                self.preview.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )

    def set_usable(self, usable: bool, why: str = "") -> None:
        """Draw only for a network trained on digits; ``why`` says why not."""
        self.canvas.setEnabled(usable)
        self.clear_button.setEnabled(usable)
        self.hint.setText(
            self.tr("White on black, as the digits the network was trained on.") if usable else why
        )


#: a "3" drawn as a hand would, in fractions of the pad (for ``--draw-pad`` and demos)
DEMO_THREE = (
    ((0.30, 0.22), (0.45, 0.14), (0.62, 0.16), (0.68, 0.28), (0.60, 0.42), (0.46, 0.48)),
    ((0.46, 0.48), (0.62, 0.54), (0.70, 0.68), (0.62, 0.82), (0.45, 0.86), (0.28, 0.78)),
)


def draw_strokes(pad: DrawPad, strokes: Any = DEMO_THREE) -> None:
    """Draw ``strokes`` (lists of points as fractions of the pad) and hand the drawing on, as
    the pen lifting would."""
    for line in strokes:
        pts = [QPointF(x * SIDE, y * SIDE) for x, y in line]
        for a, b in zip(pts, pts[1:], strict=False):
            pad.canvas.stroke(a, b)
    pad.canvas.released.emit()
