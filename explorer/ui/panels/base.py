"""What every bottom panel shares: a title line that says whether its figures are current."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsOpacityEffect, QLabel, QVBoxLayout, QWidget

from explorer.present.panels import LegendEntry, legend_html

# plots on the window's light background, smooth lines
pg.setConfigOptions(background="w", foreground="k", antialias=True)

#: how much of a figure shows while its replacement is computed
DIMMED = 0.35


class Panel(QWidget):
    """A panel shows the session's latest run result; it may ask to select a block."""

    blockChosen = Signal(str)  # noqa: N815 - a block picked in the panel (a bar, a row)

    title = ""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.status = QLabel("Open an image to see this panel.")
        self.status.setWordWrap(True)
        self.status.setObjectName("panel_status")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(4, 4, 4, 4)
        self.box.addWidget(self.status)
        self.stale = True
        self.dimmed = False
        #: the widgets that draw the figures: dimmed (not emptied) while new ones are computed
        self.figures: list[QWidget] = []

    def invalidate(self, why: str = "updating...", keep: bool = True) -> None:
        """The figures shown no longer hold (another image, weights, device ...); the new
        ones follow. ``keep``: the old figures stay, dimmed, under ``why`` (no flash of an
        empty panel on every change); else they go at once (nothing is coming)."""
        if not keep or not self.figures:
            self.clear(why)
            return
        self.stale = True
        self.status.setText(f"<i>{why}</i>")
        self._dim(True)

    def clear(self, why: str) -> None:
        """Show nothing but ``why``: no figure of an older state stays under it."""
        self.stale = True
        self.clear_figures()
        self._dim(False)
        self.status.setText(f"<i>{why}</i>")
        self.setEnabled(True)

    def clear_figures(self) -> None:
        """Empty the panel's tables and plots (each panel clears its own)."""

    def show_result(self, result: Any, session: Any) -> None:
        self.stale = False
        self._dim(False)
        self.update_result(result, session)

    def update_result(self, result: Any, session: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _dim(self, on: bool) -> None:
        if on == self.dimmed:
            return
        self.dimmed = on
        for w in self.figures:
            if on:
                effect = QGraphicsOpacityEffect(w)
                effect.setOpacity(DIMMED)
                w.setGraphicsEffect(effect)
            else:
                w.setGraphicsEffect(None)  # type: ignore[arg-type]

    def export_target(self) -> QWidget | None:
        """The widget an "Export panel..." saves (its figures, not its buttons)."""
        return self.figures[0] if self.figures else None


class SideLegend(pg.LabelItem):
    """A legend in a layout cell of its own, beside the plots: it never covers their data
    (pyqtgraph's own legend floats over the view box)."""

    def __init__(self, size: str = "9pt") -> None:
        super().__init__("", justify="left", size=size)
        self.entries: list[LegendEntry] = []
        self.note = ""

    def set_entries(self, entries: list[LegendEntry], note: str = "", warn: bool = False) -> None:
        self.entries, self.note = list(entries), note
        self.setText(legend_html(self.entries, note, "#b9770e" if warn else "#555"))
