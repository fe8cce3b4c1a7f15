"""The receptive field on the image: the box one output value of a layer sees, walked through
the network with a depth slider, and its effective field (Luo et al. 2016) as a heat map.

Everything drawn is computed in :mod:`explorer.graph.receptive`, :mod:`explorer.present.field`
and :mod:`explorer.studies.field.effective`; the panel wires and draws.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QHBoxLayout, QLabel, QPushButton, QSlider

from explorer.errors import one_line
from explorer.ui.panels.base import Panel

LANE = "field"


class FieldPanel(Panel):
    title = "Receptive field"
    INTRO = (
        "Run an image, then pick a layer with the slider (or select a block) and click the image."
    )

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.jobs: Any = None  # the window's job runner (set by the window)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("depth"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(0)
        self.slider.setMaximum(0)
        self.slider.setToolTip("Walk the field through the network, layer by layer")
        bar.addWidget(self.slider, 1)
        self.effective_btn = QPushButton("Effective field")
        self.effective_btn.setToolTip(
            "The gradient of this output value on the image (Luo et al. 2016): where the "
            "field really looks"
        )
        bar.addWidget(self.effective_btn)
        self.head.insertLayout(0, bar, 2)
        self.canvas = pg.GraphicsLayoutWidget()
        self.view = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item.setOpacity(0.6)
        self.heat_item.setZValue(5)
        self.view.addItem(self.image_item)
        self.view.addItem(self.heat_item)
        self.box_item = QGraphicsRectItem()
        self.box_item.setPen(QPen(QColor("#e8590c"), 0, Qt.PenStyle.DashLine))
        self.inside_item = QGraphicsRectItem()
        pen = QPen(QColor("#e8590c"), 0)
        pen.setWidthF(2.5)
        pen.setCosmetic(True)
        self.inside_item.setPen(pen)
        for it in (self.box_item, self.inside_item):
            it.setZValue(10)
            self.view.addItem(it)
        self.grid_item = pg.ScatterPlotItem(size=6, brush=pg.mkBrush("#1864ab"), pen=None)
        self.grid_item.setZValue(11)
        self.view.addItem(self.grid_item)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.box.addWidget(self.framed(self.canvas), 1)
        self.box.addWidget(self.info)
        self.figures = [self.canvas]
        self._an: Any = None
        self._session: Any = None
        self._input: Any = None  # [C, H, W] as the model saw it
        self.links: list[str] = []
        self.position: tuple[int, int] | None = None
        self.field: dict[str, Any] | None = None
        self.effective: dict[str, Any] | None = None
        self.slider.valueChanged.connect(self._on_slider)
        self.effective_btn.clicked.connect(lambda: self.compute_effective())
        self.image_item.mouseClickEvent = self._on_click

    # -- data --------------------------------------------------------------------------------

    def clear_figures(self) -> None:
        self._input = None
        self.field = None
        self.effective = None
        self.image_item.clear()
        self.heat_item.clear()
        self.grid_item.clear()
        for it in (self.box_item, self.inside_item):
            it.setRect(QRectF())
        self.info.setText("")

    def update_result(self, result: Any, session: Any) -> None:
        from explorer.present.field import chain, nearest_in_chain

        self._session = session
        an = session.analysis
        if result.input is None or an is None:
            self.clear(self.INTRO)
            return
        new_model = an is not self._an
        self._an = an
        self._input = result.input[0].detach().float().cpu()
        if new_model:
            self.links = chain(an.tree)
            self.position = None
            blocker = self.slider.blockSignals(True)
            self.slider.setMaximum(max(len(self.links) - 1, 0))
            self.slider.setValue(nearest_in_chain(an.tree, self.links, session.selected))
            self.slider.blockSignals(blocker)
        self.effective = None
        self._draw_image()
        self.draw()

    def follow_selection(self, block_id: str | None) -> None:
        """A block selected in the graph: the slider goes to its last layer."""
        from explorer.present.field import nearest_in_chain

        if self._an is None or not self.links or not block_id:
            return
        self.slider.setValue(nearest_in_chain(self._an.tree, self.links, block_id))

    @property
    def block(self) -> str | None:
        if not self.links:
            return None
        return self.links[min(self.slider.value(), len(self.links) - 1)]

    def set_block(self, block_id: str) -> None:
        """Show ``block_id``'s field (a layer of the slider's chain)."""
        self.slider.setValue(self.links.index(block_id))

    def set_position(self, position: tuple[int, int] | None) -> None:
        self.position = position
        self.effective = None
        self.draw()

    def _on_slider(self, _value: int) -> None:
        self.position = None  # the centre of the next layer's output
        self.effective = None
        self.draw()

    def _on_click(self, ev: Any) -> None:
        from explorer.present.field import position_at

        if self.field is None:
            return
        p = ev.pos()
        self.set_position(position_at(self.field, (p.y(), p.x())))
        ev.accept()

    # -- drawing -----------------------------------------------------------------------------

    def _draw_image(self) -> None:
        x = self._input.numpy()
        img = x[0] if x.shape[0] == 1 else np.transpose(x[:3], (1, 2, 0))
        lo, hi = float(np.nanmin(img)), float(np.nanmax(img))
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        self.image_item.setImage(np.nan_to_num(img), levels=(0, 1))
        self.view.autoRange(padding=0.02)

    def draw(self) -> None:
        from explorer.graph.receptive import FieldError, block_field
        from explorer.present.field import cascade_text, neighbour_centres

        if self._an is None or self._input is None or self.block is None:
            return
        tree = self._an.tree
        try:
            f = block_field(tree, self.block, self.position)
        except FieldError as exc:
            self.status.setText(str(exc))
            return
        self.field = f
        y0, x0, y1, x1 = f["box"]
        i0, j0, i1, j1 = f["inside"]
        # pixels are unit squares: pixel (y, x) covers [x, x+1) x [y, y+1)
        self.box_item.setRect(QRectF(x0, y0, x1 - x0 + 1, y1 - y0 + 1))
        self.inside_item.setRect(QRectF(j0, i0, j1 - j0 + 1, i1 - i0 + 1))
        centres = neighbour_centres(f)
        self.grid_item.setData([c[1] + 0.5 for c in centres], [c[0] + 0.5 for c in centres])
        if self.effective is not None:
            self.heat_item.setImage(self.effective["map"], levels=(0, self.effective["map"].max()))
            self.heat_item.setLookupTable(pg.colormap.get("inferno").getLookupTable())
        else:
            self.heat_item.clear()
        rf = f["rf"] if isinstance(f["rf"], int) else f"{f['rf'][0]}x{f['rf'][1]}"
        st = f["stride"] if isinstance(f["stride"], int) else f"{f['stride'][0]}x{f['stride'][1]}"
        padded = (i0, j0, i1, j1) != (y0, x0, y1, x1)
        self.status.setText(
            f"<b>{self.block}</b> (layer {self.slider.value() + 1} of {len(self.links)}): "
            f"output ({f['position'][0]}, {f['position'][1]}) of {f['output'][0]}x"
            f"{f['output'][1]} sees {rf} px, stride {st}"
            + (" (dashed: past the image, the padding)" if padded else "")
            + ". Click the image to move it."
        )
        lines = []
        b = tree.blocks[self.block]
        k = b.hparams.get("kernel_size")
        stack = self._threes()
        if stack >= 2 and b.kind == "conv" and k in ([3, 3], 3):
            lines.append(cascade_text(stack, int(b.hparams.get("out_channels", 1))))
        if self.effective is not None:
            e = self.effective
            lines.append(
                f"Effective field (heat map, this image): std {e['std_px'][0]:.1f} px (rows), "
                f"{e['std_px'][1]:.1f} px (columns); 95 % of it in {e['mass95_px']:,} px, "
                f"{e['mass95_share']:.0%} of the field on the image"
            )
        self.info.setText("<br>".join(lines))

    def _threes(self) -> int:
        """How many 3x3 stride-1 convs end the chain at the slider (VGG's cascade)."""
        n = 0
        for bid in reversed(self.links[: self.slider.value() + 1]):
            b = self._an.tree.blocks[bid]
            if b.kind != "conv" or b.hparams.get("kernel_size") not in ([3, 3], 3):
                break
            if b.hparams.get("stride", [1, 1]) not in ([1, 1], 1):
                break
            n += 1
        return n

    # -- the effective field -----------------------------------------------------------------

    def compute_effective(self) -> bool:
        """The effective field of the shown output value on this image, on a worker."""
        if self.jobs is None or self.field is None or self._an is None:
            return False
        an, block, pos = self._an, self.block, tuple(self.field["position"])
        x = self._input.unsqueeze(0)
        lock = getattr(self._session, "lock", None) or nullcontext()

        def work() -> Any:
            yield 0.0, "the gradient of the value on the image"
            from explorer.studies.field.effective import gradient_map, spread

            with lock:
                m = gradient_map(an.model, block, x, pos)
            stats = spread(m, 1)
            i0, j0, i1, j1 = self.field["inside"] if self.field else (0, 0, 0, 0)
            stats["mass95_share"] = stats["mass95_px"] / ((i1 - i0 + 1) * (j1 - j0 + 1))
            stats["map"] = (m / m.sum()).numpy().astype(np.float32)
            return stats

        self.effective_btn.setEnabled(False)
        self.jobs.start(LANE, work, on_done=self._on_effective, on_error=self._on_error)
        return True

    def _on_effective(self, stats: Any) -> None:
        self.effective_btn.setEnabled(True)
        self.effective = stats
        self.draw()

    def _on_error(self, exc: BaseException) -> None:
        self.effective_btn.setEnabled(True)
        self.info.setText(f"<span style='color:#b00'>{one_line(exc)}</span>")
