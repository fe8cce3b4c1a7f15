"""Training curves of the built-in plain and residual networks (He et al. 2015, Fig. 6)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from explorer.studies.training.curves import PLAIN_VS_RESIDUAL, bundled_curve, error_series
from explorer.ui.panels import base as _plot_theme  # noqa: F401 - the panels' light plots

STYLE = {
    "plain20": ("#e67e22", Qt.PenStyle.DashLine),
    "plain56": ("#c0392b", Qt.PenStyle.DashLine),
    "resnet20": ("#5dade2", Qt.PenStyle.SolidLine),
    "resnet56": ("#1b4f72", Qt.PenStyle.SolidLine),
}


class CurvesDialog(QDialog):
    """Training and test error per epoch of plain20/56 and resnet20/56 on digits."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Training curves: plain vs residual (digits)")
        self.resize(1100, 480)
        lay = QVBoxLayout(self)
        note = QLabel(
            "The built-in networks as 'cnn-explorer train' trained them on scikit-learn's digits "
            "(same seed and schedule for all four). As in He et al. 2015, the deeper plain "
            "network trains worse (a higher training error), the deeper residual one does not."
        )
        note.setWordWrap(True)
        lay.addWidget(note)
        canvas = pg.GraphicsLayoutWidget()
        lay.addWidget(canvas, 1)
        self.plots = {}
        for col, which in enumerate(("train", "test")):
            p = canvas.addPlot(row=0, col=col, title=f"{which} error")
            p.setLabel("bottom", "epoch")
            p.setLabel("left", f"{which} error %")
            p.setLogMode(y=True)
            p.showGrid(y=True, alpha=0.3)
            p.addLegend(offset=(-5, 5))
            self.plots[which] = p
        self.names: list[str] = []
        for name in PLAIN_VS_RESIDUAL:
            curve = bundled_curve(name)
            if curve is None:
                continue
            self.names.append(name)
            colour, style = STYLE.get(name, ("#333333", Qt.PenStyle.SolidLine))
            for which, p in self.plots.items():
                x, err = error_series(curve, which)
                # a log axis cannot show 0 %: the floor is a tenth of a percent
                p.plot(x, [max(e, 0.1) for e in err], pen=pg.mkPen(colour, width=2, style=style),
                       name=name)  # fmt: skip
