"""Predictions: the top-5 classes, and the image as the model sees it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.present.panels import prediction_rows
from explorer.ui import core_words
from explorer.ui.i18n import QT_TRANSLATE_NOOP, number
from explorer.ui.panels.base import Panel


def to_pixmap(rgb: np.ndarray) -> QPixmap:
    """An HxWx3 uint8 array as a pixmap (copied: the array may go away)."""
    a = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    h, w = a.shape[:2]
    img = QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(img.copy())


RED = "#c0392b"


def probability_text(p: float) -> str:
    """A probability as the table shows it: a percentage, or what it is when not a number."""
    if math.isnan(p):
        return "NaN"
    if math.isinf(p):
        return "inf" if p > 0 else "-inf"
    return f"{p:.2%}"


class FittedImage(QLabel):
    """An image scaled to the label's size (aspect kept, pixels kept sharp), so that the label
    can shrink where the panel is short instead of running under its caption."""

    def __init__(self) -> None:
        super().__init__()
        self._source: QPixmap | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(180, 180)

    def set_image(self, pm: QPixmap) -> None:
        self._source = pm
        self._fit()

    def clear(self) -> None:
        self._source = None
        super().clear()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._source is not None:
            side = min(self.width(), self.height())
            self.setPixmap(
                self._source.scaled(
                    QSize(side, side),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )


class PredictionsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Predictions")

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        row = QHBoxLayout()
        self.view = FittedImage()
        self.view.setMinimumSize(64, 64)  # smaller where the panel is short (presentation)
        self.view.setMaximumSize(180, 180)
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setToolTip(
            self.tr("The input as the model sees it (after resize, crop and scaling)")
        )
        self.view.setStyleSheet("background: #222;")
        col = QVBoxLayout()
        col.addWidget(self.view)
        self.view_caption = QLabel("")
        self.view_caption.setWordWrap(True)
        self.view_caption.setMaximumWidth(180)
        col.addWidget(self.view_caption)
        col.addStretch(1)
        row.addLayout(col)
        self.table = QTableWidget(5, 3)
        self.table.setHorizontalHeaderLabels(["#", self.tr("class"), self.tr("probability")])
        self.table.verticalHeader().hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(2, 220)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        row.addWidget(self.table, 1)
        frame = QWidget()
        frame.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.figure_frame = frame
        self.box.addWidget(frame, 1)
        self.figures = [self.view, self.table]

    def rows(self) -> list[tuple[str, str, str]]:
        """What the table shows (rank, class, probability text)."""
        out = []
        for r in range(self.table.rowCount()):
            items = [self.table.item(r, c) for c in range(2)]
            bar = self.table.cellWidget(r, 2)
            if items[0] is None or not isinstance(bar, QProgressBar):
                continue
            out.append((items[0].text(), items[1].text(), bar.format()))
        return out

    def clear_figures(self) -> None:
        self.table.setRowCount(0)
        self.view.clear()
        self.view_caption.setText("")

    def _describe(self, prep: Any) -> str:
        """The preprocessing in one line (``Preprocess.describe``), in the window's language."""

        def triple(values: Any) -> str:
            return "(" + ", ".join(f"{v:.4g}" for v in values) + ")"

        return self.tr(
            "resize {resize}, centre-crop {size}, mean {mean}, std {std}, {colour}, {how}"
        ).format(
            resize=prep.resize,
            size=prep.size,
            mean=triple(prep.mean),
            std=triple(prep.std),
            colour="RGB" if prep.channels == 3 else self.tr("grey"),
            how=prep.interpolation,
        )

    def update_result(self, result: Any, session: Any) -> None:
        from explorer.runtime.preprocess import model_view

        top = result.top[0]
        self.table.setRowCount(len(top))
        for r, (rank, label, p) in enumerate(prediction_rows(top)):
            self.table.setItem(r, 0, QTableWidgetItem(rank))
            self.table.setItem(r, 1, QTableWidgetItem(label))
            bar = QProgressBar()
            bar.setRange(0, 1000)
            if math.isfinite(p):
                bar.setValue(min(max(round(p * 1000), 0), 1000))
            else:  # an empty bar, and the value said as it is
                bar.setValue(0)
                bar.setStyleSheet(f"QProgressBar {{ color: {RED}; font-weight: bold; }}")
            bar.setFormat(probability_text(p))
            self.table.setCellWidget(r, 2, bar)
        # outputs that are NaN or infinite are never passed off as probabilities
        nonfinite = getattr(result, "nonfinite", 0) > 0 or any(
            not math.isfinite(t.prob) for t in top
        )
        x = getattr(result, "input", None)
        prep = getattr(result, "preprocess", None)
        if x is not None and prep is not None:
            self.view.set_image(to_pixmap(model_view(x[0], prep)))
            self.view_caption.setText(
                self.tr("{w}x{h} as the model sees it").format(w=prep.size, h=prep.size)
            )
        img = session.image
        info = session.weights_info
        parts = [f"<b>{img.name if img else '?'}</b>"]
        if info is not None:
            parts.append(
                self.tr("weights: {label}").format(label=core_words.weights_label(info.label))
            )
        parts.append(
            self.tr("{ms} ms on {device}").format(
                ms=number(result.latency_ms, 1), device=result.device
            )
        )
        if prep is not None:
            parts.append(self._describe(prep))
        if img is not None and img.notes:
            notes = "; ".join(core_words.message(n) for n in img.notes)
            parts.append(self.tr("image: {notes}").format(notes=notes))
        if nonfinite:
            parts.append(
                f"<span style='color:{RED}'>"
                + self.tr(
                    "<b>not numbers</b>: the model's outputs hold NaN or infinity, so these "
                    "probabilities are not numbers (NaN or infinite weights, or values that "
                    "overflow)"
                )
                + "</span>"
            )
            # the run's own note says the same
            parts += [n for n in result.notes if "not finite" not in n]
        else:
            parts += [_warned(n) for n in result.notes]
        if info is not None and not info.trained:
            parts.append(
                "<span style='color:#c0392b'>"
                + self.tr("<b>untrained weights</b>: these probabilities mean nothing")
                + "</span>"
            )
        self.status.setText(" | ".join(parts))


def _warned(note: str) -> str:
    """A note that says the answer means nothing (a photo given to a digits network) in red."""
    from html import escape

    from explorer.runtime.digit_input import BLANK_WARNING, PHOTO_WARNING

    if PHOTO_WARNING in note or BLANK_WARNING in note:
        return f"<span style='color:{RED}'><b>{escape(note)}</b></span>"
    return note
