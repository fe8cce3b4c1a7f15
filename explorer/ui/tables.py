"""What the window's tables and combo boxes share: text rows in, numbers to the right."""

from __future__ import annotations

from collections.abc import Container, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableWidget, QTableWidgetItem


def fill_table(
    table: QTableWidget, rows: Sequence[Sequence[str]], right: Container[int] | None = None
) -> None:
    """Put ``rows`` (text cells) into ``table``; the columns in ``right`` (default: every one
    but the first) are right-aligned."""
    table.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            item = QTableWidgetItem(cell)
            if (j > 0) if right is None else (j in right):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, j, item)


def set_combo_items(combo: QComboBox, items: Sequence[str]) -> None:
    """Replace ``combo``'s entries, keeping the current one where it is still offered."""
    current = combo.currentText()
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(list(items))
    combo.setCurrentIndex(max(0, combo.findText(current)))
    combo.blockSignals(False)
