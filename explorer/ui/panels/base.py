"""What every bottom panel shares: a title line that says whether its figures are current."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

# plots on the window's light background, smooth lines
pg.setConfigOptions(background="w", foreground="k", antialias=True)


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

    def invalidate(self, why: str = "updating...") -> None:
        """The figures shown no longer hold (another image, weights, device ...): they go at
        once and the panel says why; the new ones follow."""
        self.clear(why)

    def clear(self, why: str) -> None:
        """Show nothing but ``why``: no figure of an older state stays under it."""
        self.stale = True
        self.clear_figures()
        self.status.setText(f"<i>{why}</i>")
        self.setEnabled(True)

    def clear_figures(self) -> None:
        """Empty the panel's tables and plots (each panel clears its own)."""

    def show_result(self, result: Any, session: Any) -> None:
        self.stale = False
        self.update_result(result, session)

    def update_result(self, result: Any, session: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
