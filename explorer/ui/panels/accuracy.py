"""Accuracy: the intact and the lesioned network on an evaluation set, side by side."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
)

from explorer.ui.i18n import QT_TRANSLATE_NOOP, integer, translate
from explorer.ui.panels.base import Panel
from explorer.ui.tables import fill_table


def accuracy_rows(res: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, intact, lesioned, change) rows of an accuracy result."""
    a, m = res["intact"], res.get("modified")

    def f(v: float | None, unit: str = " %") -> str:
        return "-" if v is None else f"{v:.2f}{unit}"

    rows = []
    for label, key, unit in (
        ("top-1", "top1", " %"),
        ("top-5", "top5", " %"),
        (translate("Panels", "loss"), "loss", ""),
    ):
        iv = getattr(a, key)
        mv = getattr(m, key) if m is not None else None
        change = f"{mv - iv:+.2f}" if iv is not None and mv is not None else "-"
        rows.append((label, f(iv, unit), f(mv, unit) if m is not None else translate("Panels", "(nothing deleted)"),
                     change))  # fmt: skip
    if m is not None:
        rows.append((translate("Panels", "agreement with intact"), "100.00 %", f(m.agreement), "-"))
    return rows


class AccuracyPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Accuracy")
    INTRO = QT_TRANSLATE_NOOP(
        "Panels", "Delete blocks (Delete key, right-click, inspector) to see the change."
    )
    refChosen = Signal(object)  # noqa: N815 - None (the model's own set) or a reference
    limitChosen = Signal(int)  # noqa: N815

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("evaluation set")))
        self.set_combo = QComboBox()
        self.set_combo.addItem(self.tr("the model's own (digits test / sample photos)"), None)
        self.set_combo.addItem(self.tr("digits (test split)"), "digits")
        self.set_combo.addItem(self.tr("folder (ImageFolder layout)..."), "folder")
        self.set_combo.addItem(self.tr(".npz file (x, y)..."), "npz")
        self.set_combo.activated.connect(self._on_set_chosen)
        bar.addWidget(self.set_combo)
        bar.addWidget(QLabel(self.tr("at most")))
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(1, 1_000_000)
        self.limit_spin.setValue(1000)
        self.limit_spin.setSuffix(" " + self.tr("images"))
        self.limit_spin.editingFinished.connect(
            lambda: self.limitChosen.emit(self.limit_spin.value())
        )
        bar.addWidget(self.limit_spin)
        bar.addStretch(1)
        self.box.addLayout(bar)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            ["", self.tr("intact"), self.tr("with deletions"), self.tr("change")]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.box.addWidget(self.framed(self.table), 1)
        self.status.setText(self.intro_text())

    def _on_set_chosen(self, i: int) -> None:
        key = self.set_combo.itemData(i)
        if key == "folder":
            path = QFileDialog.getExistingDirectory(
                self, self.tr("Evaluation folder (one sub-folder per class)")
            )
            key = path or None
        elif key == "npz":
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Evaluation .npz"), "", "npz (*.npz)"
            )
            key = path or None
        if key not in (None, "digits"):
            self.set_combo.addItem(key, key)
            self.set_combo.setCurrentIndex(self.set_combo.count() - 1)
        self.refChosen.emit(key)

    def invalidate(self, why: str = "", keep: bool = True) -> None:
        """A new image or run does not change this panel: it follows its own evaluation."""

    def clear_figures(self) -> None:
        self.table.setRowCount(0)

    def update_result(self, result: Any, session: Any) -> None:
        pass  # this panel follows the evaluation, not the single-image run

    def show_accuracy(self, res: dict[str, Any]) -> None:
        self.stale = False
        fill_table(self.table, accuracy_rows(res), right=())
        deleted = res["deleted"]
        what = (
            self.tr("{n} deleted: {blocks}").format(n=len(deleted), blocks=", ".join(deleted[:6]))
            if deleted
            else self.tr("intact")
        )
        images = self.tr("images: {n}").format(n=integer(res["n"]))
        self.status.setText(f"<b>{res['data']}</b>, {images}; {what}")

    def show_error(self, message: str) -> None:
        self.status.setText(f"<span style='color:#c0392b'>{message}</span>")
