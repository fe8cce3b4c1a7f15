"""Activation std by layer: in order along the depth and sorted (the ResNet paper's Fig. 7)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton

from explorer.present.panels import LegendEntry, weights_note, wrapped
from explorer.runtime.probe_curves import STD_LEVELS, sorted_descending, std_by_layer
from explorer.ui import core_words
from explorer.ui.i18n import QT_TRANSLATE_NOOP
from explorer.ui.panels.base import Panel, SideLegend

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
MIN_PLOT_HEIGHT = 150  # px: below this the curve's steps cannot be read
LEGEND_WIDTH = 300  # px: the legend column beside the plots


class ActivationStdPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Activation std")

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("layers")))
        self.level_combo = QComboBox()
        self.level_combo.addItems(
            [self.tr("every layer"), self.tr("norm outputs (Fig. 7)"), self.tr("blocks")]
        )
        self.level_combo.setCurrentIndex(1)
        bar.addWidget(self.level_combo)
        self.keep_btn = QPushButton(self.tr("Keep curve"))
        self.keep_btn.setToolTip(
            self.tr("Keep this curve on the plot to compare with other models")
        )
        self.clear_btn = QPushButton(self.tr("Clear kept"))
        self.log_box = QCheckBox(self.tr("log scale"))
        bar.addWidget(self.keep_btn)
        bar.addWidget(self.clear_btn)
        bar.addWidget(self.log_box)
        # the controls in the status's line, not above it: the plots keep the height
        self.head.insertLayout(0, bar)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumHeight(MIN_PLOT_HEIGHT)
        # side by side, titles in the axis labels: at 1280x720 the panels get ~250 px
        self.ordered = self.canvas.addPlot(row=0, col=0)
        self.ordered.setLabel("bottom", self.tr("layer, in order of depth"))
        self.ordered.setLabel("left", self.tr("std"))
        self.sorted = self.canvas.addPlot(row=0, col=1)
        self.sorted.setLabel("bottom", self.tr("rank, sorted by magnitude"))
        for p in (self.ordered, self.sorted):
            p.getAxis("left").enableAutoSIPrefix(False)  # "(x0.001)" only confuses
        self.legend = SideLegend()
        self.canvas.addItem(self.legend, row=0, col=2)
        self.canvas.ci.layout.setColumnStretchFactor(0, 3)
        self.canvas.ci.layout.setColumnStretchFactor(1, 2)
        self.legend.setMaximumWidth(LEGEND_WIDTH)
        self.box.addWidget(self.framed(self.canvas), 1)
        self.figures = [self.canvas]
        self.note = ""
        self.note_warns = False
        self.kept: list[tuple[str, str, np.ndarray]] = []  # (label, level, values)
        self.ids: list[str] = []
        self.values = np.zeros(0)
        self.label = ""
        self._result: Any = None
        self._plan: Any = None
        self.level_combo.currentIndexChanged.connect(lambda _i: self._draw())
        self.keep_btn.clicked.connect(self.keep)
        self.clear_btn.clicked.connect(self.clear_kept)
        self.log_box.toggled.connect(self._on_log_toggled)

    def _on_log_toggled(self, on: bool) -> None:
        for p in (self.ordered, self.sorted):
            p.setLogMode(y=on)

    @property
    def level(self) -> str:
        return STD_LEVELS[self.level_combo.currentIndex()]

    def clear_figures(self) -> None:
        """The current curve goes (kept ones come back with the next result)."""
        self._result = None
        self.ids, self.values = [], np.zeros(0)
        for p in (self.ordered, self.sorted):
            p.clear()
        self.legend.set_entries([])

    def update_result(self, result: Any, session: Any) -> None:
        an = session.analysis
        self._plan = result.plan  # built once per model by the run, on its worker thread
        self._result = result
        info = session.weights_info
        img = session.image
        self.label = self.tr("{model} ({weights}) on {image}").format(
            model=an.spec.name,
            weights=core_words.weights_label(info.label) if info else "?",
            image=img.name if img else "?",
        )
        residual = an.tree.count("residual") > 0 or an.tree.count("residual", trait=True) > 0
        self.note, self.note_warns = weights_note(
            info.trained if info else None,
            core_words.weights_label(info.label) if info else "",
            residual,
        )
        self.note = core_words.message(self.note)
        self._draw()

    def keep(self) -> None:
        if len(self.values):
            self.kept.append((self.label, self.level, self.values.copy()))
            self._draw()

    def clear_kept(self) -> None:
        self.kept.clear()
        self._draw()

    def _draw(self) -> None:
        for p in (self.ordered, self.sorted):
            p.clear()
        r = self._result
        if r is None or r.probes is None:
            self.legend.set_entries([])
            return
        self.ids, self.values = std_by_layer(r.probes, self._plan, self.level)
        curves = [k for k in self.kept if k[1] == self.level] + [
            (self.tr("{label} (now)").format(label=self.label), self.level, self.values)
        ]
        entries = []
        for n, (label, _lvl, v) in enumerate(curves):
            colour = PALETTE[n % len(PALETTE)]
            pen = pg.mkPen(colour, width=2 if n == len(curves) - 1 else 1.5)
            self.ordered.plot(np.arange(1, len(v) + 1), v, pen=pen, name=label)
            self.sorted.plot(np.arange(1, len(v) + 1), sorted_descending(v), pen=pen, name=label)
            entries.append(LegendEntry(label, colour))
        self.legend.set_entries(entries, wrapped(self.note), self.note_warns)
        pts = pg.ScatterPlotItem(
            x=np.arange(1, len(self.values) + 1),
            y=self.values,
            data=self.ids,
            size=6,
            brush=PALETTE[(len(curves) - 1) % len(PALETTE)],
            hoverable=True,
            tip=lambda x, y, data: f"{data}: std {y:.4f}",
        )
        pts.sigClicked.connect(self._on_points_clicked)
        self.ordered.addItem(pts)
        kept = self.tr("; kept curves: {n}").format(n=len(self.kept)) if self.kept else ""
        self.status.setText(
            self.tr("{n} outputs ({level}){kept}. Click a point to select its block.").format(
                n=len(self.ids), level=self.level_combo.currentText(), kept=kept
            )
        )

    def _on_points_clicked(self, _item: Any, points: Any, *_: Any) -> None:
        if len(points):
            self.blockChosen.emit(str(points[0].data()))
