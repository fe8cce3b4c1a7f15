"""Highway gates: the mean transform gate T of every highway block, like the SE panel's
channel gates (Srivastava et al. 2015: y = T*H(x) + (1-T)*x)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from explorer.present.panels import LegendEntry, highway_bars, legend_inline, sparse_ticks
from explorer.ui.i18n import QT_TRANSLATE_NOOP
from explorer.ui.panels.base import Panel

COLOURS = ("#2e86c1", "#e67e22")
SELECTED_PEN = pg.mkPen("#c0392b", width=3)
MIN_PLOT_HEIGHT = 150  # px
Y_RANGE = (-0.03, 1.12)  # a gate is in [0, 1]; room for the values above the bars
MOST_VALUE_LABELS = 24  # blocks; more and the values above the bars overlap


class HighwayPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Highway gates")

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hint = QLabel(self.tr("image B: the toolbar's 'compare' box"))
        self.hint.setToolTip(self.tr("Choose image B there to set two images' gates side by side"))
        self.head.insertWidget(1, self.hint)  # after the status, before Export
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.plot = self.canvas.addPlot()
        self.plot.setLabel("left", self.tr("mean gate T"))
        self.plot.setLabel(
            "bottom", self.tr("highway block, in order of depth (click a bar to select it)")
        )
        self.plot.setYRange(*Y_RANGE, padding=0)
        self.plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.showGrid(y=True, alpha=0.3)
        self.box.addWidget(self.framed(self.canvas), 1)
        self.figures = [self.canvas]
        self.ids: list[str] = []
        self.values = np.zeros((0, 0))  # [images, blocks]
        self.names: list[str] = []
        self.selected: str | None = None
        self.bar_items: list[pg.BarGraphItem] = []

    def applies(self, analysis: Any) -> bool:
        """Shown for models with highway blocks only."""
        return analysis is not None and analysis.tree.count("highway") > 0

    def clear_figures(self) -> None:
        self.ids, self.values, self.bar_items = [], np.zeros((0, 0)), []
        self.plot.clear()
        self.plot.setTitle(None)

    def update_result(self, result: Any, session: Any) -> None:
        pr = result.probes
        self.ids, self.values = highway_bars(pr) if pr is not None else ([], np.zeros((0, 0)))
        self.hint.setHidden(not self.ids or self.values.shape[0] > 1)
        self.names = [im.name for im in (session.image, session.compare_image) if im is not None]
        self.selected = session.selected
        if not self.ids:
            self.clear_figures()
            self.status.setText(self.tr("This model has no highway blocks."))
            return
        self.status.setText(
            self.tr(
                "{n} highway blocks: y = T\u00b7H(x) + (1\u2212T)\u00b7x. T near 1: the block "
                "transforms its input; near 0: it carries it on unchanged."
            ).format(n=len(self.ids))
        )
        self._draw()

    def follow_selection(self, block_id: str | None) -> None:
        """The graph's selection: its bar is outlined."""
        self.selected = block_id
        if self.ids:
            self._draw()

    def _draw(self) -> None:
        self.plot.clear()
        self.bar_items = []
        k, n = self.values.shape
        width = 0.8 / max(k, 1)
        entries = []
        for i in range(k):
            x = np.arange(n) + (i - (k - 1) / 2) * width
            name = self.names[i] if i < len(self.names) else self.tr("image {i}").format(i=i)
            pens = [SELECTED_PEN if b == self.selected else None for b in self.ids]
            item = pg.BarGraphItem(
                x=x, height=self.values[i], width=width, brush=COLOURS[i % 2], pens=pens,
                name=name,
            )  # fmt: skip
            item.mouseClickEvent = self._on_bar_click  # type: ignore[method-assign]
            self.plot.addItem(item)
            self.bar_items.append(item)
            entries.append(LegendEntry(self.tr("T of {name}").format(name=name), COLOURS[i % 2]))
            if n <= MOST_VALUE_LABELS:
                for xi, v in zip(x, self.values[i], strict=True):
                    t = pg.TextItem(f"{v:.2f}", color="#222", anchor=(0.5, 1.0))
                    t.setPos(float(xi), float(v))
                    self.plot.addItem(t)
        self.plot.addLine(y=0.5, pen=pg.mkPen("#888", width=1, style=Qt.PenStyle.DashLine))
        self.plot.setTitle(
            f"{legend_inline(entries)}&nbsp;&nbsp;&nbsp;<span style='color:#666'>"
            + self.tr("dashed: T = 0.5, as much carried as transformed")
            + "</span>"
        )
        self.plot.getAxis("bottom").setTicks([sparse_ticks(self.ids)])
        self.plot.setXRange(-0.6, n - 0.4, padding=0)
        self.plot.setYRange(*Y_RANGE, padding=0)

    def block_at(self, x: float) -> str | None:
        i = int(round(x))
        return self.ids[i] if 0 <= i < len(self.ids) else None

    def _on_bar_click(self, ev: Any) -> None:
        b = self.block_at(ev.pos().x())
        if b is not None:
            ev.accept()
            self.blockChosen.emit(b)
