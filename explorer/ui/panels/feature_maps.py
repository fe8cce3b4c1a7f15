"""Feature maps: the selected block's channels, most active first, paged; click to enlarge.

A click on a value of a map (a tile or the enlarged map) also says which output value it is
(``positionChosen``): the Receptive field panel shows what that value sees."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton

from explorer.present.panels import FeaturePage, feature_page, normalise, overlay
from explorer.ui.i18n import QT_TRANSLATE_NOOP, number
from explorer.ui.panels.base import Panel

COLORMAPS = ("viridis", "inferno", "magma", "CET-L1", "turbo")
PER_PAGE = 32


def lut(name: str) -> np.ndarray:
    return pg.colormap.get(name).getLookupTable(nPts=256)


class FeatureMapsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Feature maps")

    #: a value of a map clicked: (block, row, column) in the block's output
    positionChosen = Signal(str, int, int)  # noqa: N815

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        bar = QHBoxLayout()
        self.prev_btn = QPushButton("<")
        self.next_btn = QPushButton(">")
        for b in (self.prev_btn, self.next_btn):
            b.setFixedWidth(28)
        self.page_label = QLabel(self.tr("page {page}/{pages}").format(page=1, pages=1))
        self.cmap_combo = QComboBox()
        self.cmap_combo.addItems(COLORMAPS)
        self.overlay_box = QCheckBox(self.tr("overlay on input"))
        self.image_combo = QComboBox()
        self.image_combo.addItems([self.tr("image A")])
        bar.addWidget(self.prev_btn)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_btn)
        bar.addWidget(QLabel(self.tr("colormap")))
        bar.addWidget(self.cmap_combo)
        bar.addWidget(self.overlay_box)
        bar.addWidget(self.image_combo)
        bar.addStretch(1)
        self.box.addLayout(bar)
        self.canvas = pg.GraphicsLayoutWidget()
        self.grid_view = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.grid_item = pg.ImageItem(axisOrder="row-major")
        self.grid_view.addItem(self.grid_item)
        self.big_view = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.big_item = pg.ImageItem(axisOrder="row-major")
        self.big_view.addItem(self.big_item)
        self.canvas.ci.layout.setColumnStretchFactor(0, 3)
        self.canvas.ci.layout.setColumnStretchFactor(1, 2)
        self.box.addWidget(self.framed(self.canvas), 1)
        self.figures = [self.canvas]
        self.page = 0
        self.channel: int | None = None
        self.current: FeaturePage | None = None
        self._result: Any = None
        self._block_shown: str | None = None  # whose maps are paged (a new block: page 1)
        self.prev_btn.clicked.connect(lambda: self.set_page(self.page - 1))
        self.next_btn.clicked.connect(lambda: self.set_page(self.page + 1))
        self.cmap_combo.currentIndexChanged.connect(lambda _i: self._draw())
        self.overlay_box.toggled.connect(lambda _b: self._draw_big())
        self.image_combo.currentIndexChanged.connect(lambda _i: self._draw())
        self.grid_item.mouseClickEvent = self._on_grid_click
        self.big_item.mouseClickEvent = self._on_big_click
        self._big_shown: tuple[int, int] | None = None  # (h, w) of the enlarged image

    def clear_figures(self) -> None:
        self._result = None
        self.current = None
        self.grid_item.clear()
        self.big_item.clear()

    def update_result(self, result: Any, session: Any) -> None:
        pr = result.probes
        block = self._block(result)
        if pr is None or block != self._block_shown:
            self.page, self.channel = 0, None
        self._block_shown = block
        self._result = result
        n = result.probes.batch if pr is not None else 1
        blocker = self.image_combo.blockSignals(True)
        keep = min(self.image_combo.currentIndex(), n - 1)
        self.image_combo.clear()
        self.image_combo.addItems([self.tr("image A"), self.tr("image B")][:n])
        self.image_combo.setCurrentIndex(max(keep, 0))
        self.image_combo.blockSignals(blocker)
        self._draw()

    @staticmethod
    def _block(result: Any) -> str | None:
        return result.probes.feature_block if result.probes is not None else None

    def _image(self) -> int:
        return max(self.image_combo.currentIndex(), 0)

    def set_page(self, page: int) -> None:
        self.page = page
        self._draw()

    def _draw(self) -> None:
        r = self._result
        if r is None:  # cleared: the panel says why, nothing to draw
            self.clear_figures()
            return
        pr = r.probes
        if pr is None or pr.features is None:
            self.grid_item.clear()
            self.big_item.clear()
            self.current = None
            what = pr.feature_block if pr is not None else None
            self.status.setText(
                self.tr("Select a block in the graph to see its feature maps.")
                if what is None
                else self.tr(
                    "{block}: its output is not a module's output; no feature maps"
                ).format(block=what)
            )
            return
        i = self._image()
        order = pr.channel_order(i)
        self.current = page = feature_page(pr.features[i], order, self.page, PER_PAGE)
        self.page = page.page
        self.grid_item.setImage(np.nan_to_num(page.image, nan=0.0), levels=(0, 1))
        self.grid_item.setLookupTable(lut(self.cmap_combo.currentText()))
        self.grid_view.autoRange(padding=0.01)
        self.page_label.setText(
            self.tr("page {page}/{pages}").format(page=page.page + 1, pages=page.pages)
        )
        if self.channel is None or self.channel not in range(pr.features.shape[1]):
            self.channel = page.channels[0] if page.channels else None
        c = pr.features.shape[1]
        shape = "x".join(str(s) for s in pr.features.shape[1:])
        self.status.setText(
            f"<b>{pr.feature_block}</b>: "
            + self.tr(
                "{shape}; {c} channels ordered by mean activation, {per_page} a page. Click a "
                "tile to enlarge it."
            ).format(shape=shape, c=c, per_page=PER_PAGE)
        )
        self._draw_big()

    def _draw_big(self) -> None:
        r = self._result
        if r is None or r.probes is None or r.probes.features is None or self.channel is None:
            self.big_item.clear()
            return
        pr = r.probes
        i = self._image()
        fm = pr.features[i].numpy()
        m = fm[self.channel] if fm.ndim == 3 else fm.reshape(fm.shape[0], 1, -1)[self.channel]
        table = lut(self.cmap_combo.currentText())
        if self.overlay_box.isChecked() and r.input is not None and r.preprocess is not None:
            from explorer.runtime.preprocess import model_view

            rgb = overlay(m, model_view(r.input[i], r.preprocess), table, alpha=0.55)
            self.big_item.setLookupTable(None)
            self.big_item.setImage(rgb, levels=(0, 255))
            self._big_shown = (int(rgb.shape[0]), int(rgb.shape[1]))
        else:
            self.big_item.setImage(normalise(m), levels=(0, 1))
            self.big_item.setLookupTable(table)
            self._big_shown = (int(m.shape[0]), int(m.shape[1]))
        self.big_view.autoRange(padding=0.01)
        mean = pr.channel_mean[i, self.channel] if pr.channel_mean is not None else float("nan")
        std = pr.channel_std[i, self.channel] if pr.channel_std is not None else float("nan")
        stats = self.tr("mean {mean}, std {std}").format(mean=number(mean, 3), std=number(std, 3))
        self.big_view.setToolTip(
            self.tr("channel {c}: {stats}").format(c=self.channel, stats=stats)
        )
        self.status.setText(
            self.status.text().split(" | ")[0]
            + " | "
            + self.tr("enlarged: channel {c} ({stats})").format(c=self.channel, stats=stats)
        )

    def choose_tile(self, x: float, y: float) -> int | None:
        """Enlarge the channel under grid pixel (x, y) and say which output value it is
        (``positionChosen``); returns the channel."""
        from explorer.present.field import tile_position

        if self.current is None:
            return None
        hit = tile_position(self.current, x, y)
        if hit is None:
            return None
        self.channel, row, col = hit
        self._draw_big()
        self._chose(row, col)
        return self.channel

    def choose_value(self, x: float, y: float) -> tuple[int, int] | None:
        """The output value under pixel (x, y) of the enlarged map (drawn alone or stretched
        over the input image): said by ``positionChosen``; returns (row, column)."""
        from explorer.present.field import map_position

        pr = self._result.probes if self._result is not None else None
        if pr is None or pr.features is None or pr.features.dim() != 4 or not self._big_shown:
            return None
        hit = map_position(tuple(pr.features.shape[2:]), self._big_shown, x, y)
        if hit is not None:
            self._chose(*hit)
        return hit

    def _chose(self, row: int, col: int) -> None:
        pr = self._result.probes if self._result is not None else None
        if pr is None or pr.features is None or pr.features.dim() != 4:
            return  # a vector: no position to see the field of
        self.status.setText(
            self.status.text().split(" | ")[0]
            + " | "
            + self.tr(
                "enlarged: channel {c}; value ({row}, {col}): its field in the Receptive field tab"
            ).format(c=self.channel, row=row, col=col)
        )
        self.positionChosen.emit(pr.feature_block, row, col)

    def _on_grid_click(self, ev: Any) -> None:
        p = ev.pos()
        if self.choose_tile(p.x(), p.y()) is not None:
            ev.accept()

    def _on_big_click(self, ev: Any) -> None:
        p = ev.pos()
        if self.choose_value(p.x(), p.y()) is not None:
            ev.accept()
