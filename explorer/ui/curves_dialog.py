"""Training curves of the built-in plain and residual networks (He et al. 2015, Fig. 6)."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from explorer.present.panels import LegendEntry
from explorer.studies.training.curves import (
    ERROR_FLOOR,
    PLAIN_VS_RESIDUAL,
    bundled_curve,
    error_series,
    floor_note,
    floored,
    log_ticks,
)
from explorer.ui.panels.base import SideLegend

STYLE = {
    "plain20": ("#e67e22", Qt.PenStyle.DashLine),
    "plain56": ("#c0392b", Qt.PenStyle.DashLine),
    "resnet20": ("#5dade2", Qt.PenStyle.SolidLine),
    "resnet56": ("#1b4f72", Qt.PenStyle.SolidLine),
}


class CurvesDialog(QDialog):
    """Training and test error per epoch of plain20/56 and resnet20/56 on digits."""

    def _error_title(self, which: str) -> str:
        return self.tr("train error") if which == "train" else self.tr("test error")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Training curves: plain vs residual (digits)"))
        self.resize(1100, 480)
        lay = QVBoxLayout(self)
        note = QLabel(
            self.tr(
                "The built-in networks as 'cnn-explorer train' trained them on scikit-learn's "
                "digits (same seed and schedule for all four). As in He et al. 2015, the deeper "
                "plain network trains worse (a higher training error), the deeper residual one "
                "does not."
            )
        )
        note.setWordWrap(True)
        lay.addWidget(note)
        self.canvas = canvas = pg.GraphicsLayoutWidget()
        lay.addWidget(canvas, 1)
        self.plots = {}
        for col, which in enumerate(("train", "test")):
            p = canvas.addPlot(row=0, col=col, title=self._error_title(which))
            p.setLabel("bottom", self.tr("epoch"))
            p.setLabel("left", self._error_title(which) + " %")
            p.setLogMode(y=True)
            p.showGrid(y=True, alpha=0.3)
            self.plots[which] = p
        # the key beside the plots, not over the curves
        self.legend = SideLegend(size="11pt")
        canvas.addItem(self.legend, row=0, col=2)
        self.names: list[str] = []
        self.floored: dict[str, int] = {}  # plot -> points drawn at the floor
        lo, hi = 100.0, ERROR_FLOOR
        entries = []
        for name in PLAIN_VS_RESIDUAL:
            curve = bundled_curve(name)
            if curve is None:
                continue
            self.names.append(name)
            colour, style = STYLE.get(name, ("#333333", Qt.PenStyle.SolidLine))
            entries.append(LegendEntry(name, colour, dashed=style == Qt.PenStyle.DashLine))
            for which, p in self.plots.items():
                x, err = error_series(curve, which)
                shown, n_floor = floored(err)
                self.floored[which] = self.floored.get(which, 0) + n_floor
                if shown:
                    lo, hi = min(lo, *shown), max(hi, *shown)
                p.plot(x, shown, pen=pg.mkPen(colour, width=2, style=style), name=name)
        self.legend.set_entries(entries)
        lo, hi = min(lo, ERROR_FLOOR), max(hi, 100.0)  # the whole scale: 0.1 to 100 %
        ticks = log_ticks(lo, hi)
        for which, p in self.plots.items():
            p.getAxis("left").setTicks(ticks)  # "0.1", "1", "10", not "9x10^1"
            p.setYRange(math.log10(lo), math.log10(hi), padding=0.03)
            note = floor_note(self.floored.get(which, 0))
            if note:  # said on the plot: a flat line at the floor is no error at all
                p.setTitle(
                    f"{self._error_title(which)}&nbsp;&nbsp;<span style='color:#666; font-size:10pt'>"
                    f"<i>{note}</i></span>"
                )
