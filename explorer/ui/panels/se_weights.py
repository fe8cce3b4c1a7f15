"""SE channel weights: one block's gate per channel, two images side by side, and a heat map."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from explorer.present.panels import LegendEntry, legend_inline
from explorer.runtime.probe_curves import se_matrix
from explorer.ui.i18n import QT_TRANSLATE_NOOP
from explorer.ui.panels.base import Panel

COLOURS = ("#2e86c1", "#e67e22")
MIN_PLOT_HEIGHT = 150  # px: below this the bars cannot be told apart


class SEWeightsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "SE weights")

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("SE block")))
        self.block_combo = QComboBox()
        self.block_combo.setMinimumWidth(160)
        bar.addWidget(self.block_combo)
        # one line with the status: the plots keep the height
        self.head.insertLayout(0, bar)
        # said until a second image runs beside the first
        self.hint = QLabel(self.tr("image B: the toolbar's 'compare' box"))
        self.hint.setToolTip(self.tr("Choose image B there to set two images' gates side by side"))
        self.head.insertWidget(2, self.hint)  # after the status, before Export
        self.canvas = pg.GraphicsLayoutWidget()
        self.bars = self.canvas.addPlot(title=self.tr("gate per channel"))
        self.bars.setLabel("bottom", self.tr("channel"))
        self.bars.setLabel("left", self.tr("gate (sigmoid)"))
        self.bars.setYRange(0, 1)
        self.heat = self.canvas.addPlot(
            title=self.tr(
                "SE blocks x channels, image A (dark 0, yellow 1; blank: no such channel)"
            )
        )
        self.heat.setLabel("bottom", self.tr("channel"))
        self.heat.setLabel("left", self.tr("SE block (click a row)"))
        self.heat.invertY(True)
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat.addItem(self.heat_item)
        self.lut = pg.colormap.get("viridis").getLookupTable(nPts=256)
        self.canvas.ci.layout.setColumnStretchFactor(0, 3)
        self.canvas.ci.layout.setColumnStretchFactor(1, 2)
        self.canvas.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.box.addWidget(self.framed(self.canvas), 1)
        self.figures = [self.canvas]
        self.heat_ids: list[str] = []
        self._result: Any = None
        self.block_combo.currentIndexChanged.connect(lambda _i: self._draw_bars())
        self.heat_item.mouseClickEvent = self._on_heat_click

    def clear_figures(self) -> None:
        self._result = None
        self.bars.clear()
        self.heat_item.clear()

    def update_result(self, result: Any, session: Any) -> None:
        self._result = result
        pr = result.probes
        gates = pr.se_gates if pr is not None else {}
        # image B is chosen (two images ran), or there is nothing to compare
        self.hint.setHidden(not gates or pr.batch > 1)
        if not gates:
            self.status.setText(self.tr("This model has no squeeze-and-excitation blocks."))
            self.block_combo.clear()
            self.bars.clear()
            self.heat_item.clear()
            return
        names = [im.name for im in (session.image, session.compare_image) if im is not None]
        self.names = names
        want = session.selected if session.selected in gates else self.block_combo.currentText()
        blocker = self.block_combo.blockSignals(True)
        self.block_combo.clear()
        self.block_combo.addItems(list(gates))
        self.block_combo.setCurrentIndex(max(list(gates).index(want) if want in gates else 0, 0))
        self.block_combo.blockSignals(blocker)
        self.heat_ids, m = se_matrix(pr, image=0)
        self.heat_item.setImage(heat_rgba(m, self.lut), levels=(0, 255))
        self.status.setText(
            self.tr("{n} SE blocks; gates of {images} (0 = channel suppressed, 1 = kept).").format(
                n=len(gates), images=self.tr(" and ").join(names)
            )
        )
        self._draw_bars()

    def show_block(self, block_id: str | None) -> None:
        """Follow the graph's selection when it is an SE block."""
        i = self.block_combo.findText(block_id or "")
        if i >= 0:
            self.block_combo.setCurrentIndex(i)

    def _draw_bars(self) -> None:
        self.bars.clear()
        r = self._result
        block = self.block_combo.currentText()
        if r is None or r.probes is None or block not in r.probes.se_gates:
            return
        g = r.probes.se_gates[block]
        n = g.shape[1]
        k = g.shape[0]
        width = 0.8 / k
        entries = []
        for i in range(k):
            x = np.arange(n) + (i - (k - 1) / 2) * width
            name = self.names[i] if i < len(self.names) else self.tr("image {i}").format(i=i)
            self.bars.addItem(
                pg.BarGraphItem(
                    x=x, height=g[i], width=width, brush=COLOURS[i % 2], pen=None, name=name
                )
            )
            entries.append(LegendEntry(name, COLOURS[i % 2]))
        # the key in the title line: a legend in the view box covered bar 0
        self.bars.setTitle(
            self.tr("{block}: gate per channel ({n} channels)").format(block=block, n=n)
            + f"&nbsp;&nbsp;&nbsp;{legend_inline(entries)}"
        )
        self.bars.setXRange(-1, n)

    def block_at_row(self, y: float) -> str | None:
        row = int(y)
        return self.heat_ids[row] if 0 <= row < len(self.heat_ids) else None

    def _on_heat_click(self, ev: Any) -> None:
        b = self.block_at_row(ev.pos().y())
        if b is not None:
            ev.accept()
            self.blockChosen.emit(b)


def heat_rgba(m: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Values in [0, 1] coloured by ``lut``; NaN (a block narrower than the widest) clear."""
    idx = np.clip(np.nan_to_num(m, nan=0.0) * 255, 0, 255).astype(np.uint8)
    rgba = np.zeros(m.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = lut[idx][..., :3]
    rgba[..., 3] = np.where(np.isnan(m), 0, 255)
    return rgba
