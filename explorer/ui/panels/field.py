"""The receptive field on the image: the box one output value of a layer sees, walked through
the network with a depth slider, and its effective field (Luo et al. 2016) as a heat map,
alone or compared with the same network's random weights and with its plain (or residual)
twin, side by side on one colour scale.

Everything drawn is computed in :mod:`explorer.graph.receptive`, :mod:`explorer.present.field`
and :mod:`explorer.studies.field.effective`; the panel wires and draws.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QWidget,
)

from explorer.errors import one_line
from explorer.ui import core_words
from explorer.ui.i18n import QT_TRANSLATE_NOOP, integer, number
from explorer.ui.panels.base import Panel

LANE = "field"
COMPARE_LANE = "field-compare"
#: the evaluation images a comparison averages over (as ``rf --effective`` does by default)
COMPARE_IMAGES = 16
OVER = ("evaluation images", "this image")
ORANGE = "#e8590c"


def _box_pen(style: Qt.PenStyle = Qt.PenStyle.SolidLine, width: float = 2.0) -> QPen:
    pen = QPen(QColor(ORANGE), 0, style)
    pen.setWidthF(width)
    pen.setCosmetic(True)
    return pen


class FieldPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Receptive field")
    INTRO = QT_TRANSLATE_NOOP(
        "Panels",
        "Run an image, then pick a layer with the slider (or select a block) and click the image.",
    )

    #: a comparison of effective fields is drawn (its result)
    compared = Signal(object)
    #: a comparison failed (its one line)
    compareFailed = Signal(str)  # noqa: N815

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.jobs: Any = None  # the window's job runner (set by the window)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("depth")))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(0)
        self.slider.setMaximum(0)
        self.slider.setToolTip(self.tr("Walk the field through the network, layer by layer"))
        bar.addWidget(self.slider, 1)
        self.effective_btn = QPushButton(self.tr("Effective field"))
        self.effective_btn.setToolTip(
            self.tr(
                "The gradient of this output value on the image (Luo et al. 2016): where the "
                "field really looks"
            )
        )
        bar.addWidget(self.effective_btn)
        self.head.insertLayout(0, bar, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Effective field compared")))
        self.compare_combo = QComboBox()
        self.compare_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.compare_combo.setToolTip(
            self.tr(
                "The same output value in the same network with random weights, and in the "
                "network that differs by its skip connections alone"
            )
        )
        row.addWidget(self.compare_combo)
        row.addWidget(QLabel(self.tr("over")))
        self.over_combo = QComboBox()
        self.over_combo.addItems(
            [
                self.tr("evaluation images (up to {n})").format(n=COMPARE_IMAGES),
                self.tr("this image"),
            ]
        )
        row.addWidget(self.over_combo)
        self.compare_btn = QPushButton(self.tr("Compare"))
        self.compare_btn.setToolTip(
            self.tr("Compute the effective fields on a worker, side by side")
        )
        row.addWidget(self.compare_btn)
        self.compare_bar = QProgressBar()
        self.compare_bar.setRange(0, 100)
        self.compare_bar.setMaximumWidth(160)
        self.compare_cancel = QPushButton(self.tr("Cancel"))
        self.compare_note = QLabel("")
        for w in (self.compare_bar, self.compare_cancel):
            w.hide()
        row.addWidget(self.compare_bar)
        row.addWidget(self.compare_cancel)
        row.addWidget(self.compare_note, 1)
        self.box.addLayout(row)
        self.canvas = pg.GraphicsLayoutWidget()
        self.view = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item.setOpacity(0.6)
        self.heat_item.setZValue(5)
        self.view.addItem(self.image_item)
        self.view.addItem(self.heat_item)
        self.box_item = QGraphicsRectItem()
        self.box_item.setPen(QPen(QColor(ORANGE), 0, Qt.PenStyle.DashLine))
        self.inside_item = QGraphicsRectItem()
        self.inside_item.setPen(_box_pen(width=2.5))
        for it in (self.box_item, self.inside_item):
            it.setZValue(10)
            self.view.addItem(it)
        self.grid_item = pg.ScatterPlotItem(size=6, brush=pg.mkBrush("#1864ab"), pen=None)
        self.grid_item.setZValue(11)
        self.view.addItem(self.grid_item)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        # the compared maps, beside the image (shown once a comparison is in)
        self.compare_canvas = pg.GraphicsLayoutWidget()
        self.compare_canvas.hide()
        self.compare_views: list[Any] = []
        self.compare_items: list[Any] = []
        self.compare_titles: list[Any] = []
        self.compare_colorbar: Any = None
        figures = QHBoxLayout()
        figures.setContentsMargins(0, 0, 0, 0)
        figures.addWidget(self.canvas, 1)
        figures.addWidget(self.compare_canvas, 4)
        holder = QWidget()
        holder.setLayout(figures)
        self.box.addWidget(self.framed(holder), 1)
        self.box.addWidget(self.info)
        self.figures = [self.canvas, self.compare_canvas]
        self._an: Any = None
        self._session: Any = None
        self._input: Any = None  # [C, H, W] as the model saw it
        self.links: list[str] = []
        self.position: tuple[int, int] | None = None
        self.field: dict[str, Any] | None = None
        self.effective: dict[str, Any] | None = None
        self.comparison: dict[str, Any] | None = None  # compare_effective's result, shown
        self._compare_key: tuple[Any, ...] | None = None  # what the comparison is for
        self._chosen: str | None = None  # a block off the slider's chain (a stage's output)
        self._choices: list[tuple[str, list[str]]] = []  # the comparison box's items
        self.slider.valueChanged.connect(self._on_slider)
        self.effective_btn.clicked.connect(lambda: self.compute_effective())
        self.compare_btn.clicked.connect(lambda: self.compare())
        self.compare_cancel.clicked.connect(self.cancel_compare)
        self.image_item.mouseClickEvent = self._on_click

    # -- data --------------------------------------------------------------------------------

    def clear_figures(self) -> None:
        # the model or the run is gone: what is computed for it is stale
        if self.jobs is not None:
            self.jobs.cancel((LANE, COMPARE_LANE))
        self._compare_idle()
        self.effective_btn.setEnabled(True)
        self._input = None
        self.field = None
        self.effective = None
        self._drop_comparison()
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
            self.clear(self.intro_text())
            return
        new_model = an is not self._an
        self._an = an
        image = result.input[0].detach().float().cpu()
        same_image = (
            not new_model
            and self._input is not None
            and self._input.shape == image.shape
            and bool((self._input == image).all())
        )
        self._input = image
        if new_model:
            self.links = chain(an.tree)
            self.position = None
            blocker = self.slider.blockSignals(True)
            self.slider.setMaximum(max(len(self.links) - 1, 0))
            self.slider.setValue(nearest_in_chain(an.tree, self.links, session.selected))
            self.slider.blockSignals(blocker)
            self._chosen = self._off_chain(session.selected)
            self._fill_comparisons()
        if self._compare_key is not None and self._compare_key != self._key(
            self._compare_key[2] is not None
        ):
            # another model, other weights, or (over this image) another image: stale
            if self.jobs is not None:
                self.jobs.cancel(COMPARE_LANE)
            self._compare_idle()
            self._drop_comparison()
        if not same_image:  # the effective field computed or under way was of another image
            if self.jobs is not None:
                self.jobs.cancel(LANE)
            self.effective_btn.setEnabled(True)
            self.effective = None
        self._draw_image()
        self.draw()

    def follow_selection(self, block_id: str | None) -> None:
        """A block selected in the graph: its field (a stage or a block: its output's), the
        slider at its last layer."""
        if self._an is None or not self.links or not block_id:
            return
        self._choose(block_id)
        self.position = None
        self.effective = None
        self.draw()

    @property
    def block(self) -> str | None:
        if not self.links:
            return None
        return self._chosen or self.links[min(self.slider.value(), len(self.links) - 1)]

    def set_block(self, block_id: str) -> None:
        """Show ``block_id``'s field (a layer of the slider's chain, or any block with a
        spatial output)."""
        self.follow_selection(block_id)

    def show_position(self, block_id: str, row: int, col: int) -> None:
        """The field of ``block_id``'s output value at (row, col): a click on a feature map."""
        if self._an is None or not self.links:
            return
        self._choose(block_id)
        self.set_position((row, col))

    def _choose(self, block_id: str) -> None:
        """``block_id``'s field from now on: the slider at its last layer (signals held)."""
        from explorer.present.field import nearest_in_chain

        self._chosen = self._off_chain(block_id)
        blocker = self.slider.blockSignals(True)
        self.slider.setValue(nearest_in_chain(self._an.tree, self.links, block_id))
        self.slider.blockSignals(blocker)

    def _off_chain(self, block_id: str | None) -> str | None:
        """``block_id`` when it is not a layer of the slider's chain but has a field."""
        from explorer.graph.receptive import FieldError, block_field

        if self._an is None or not block_id or block_id in self.links:
            return None
        try:
            block_field(self._an.tree, block_id)
        except FieldError:
            return None
        return block_id

    def set_position(self, position: tuple[int, int] | None) -> None:
        self.position = position
        self.effective = None
        self.draw()

    def _on_slider(self, _value: int) -> None:
        self._chosen = None  # the slider's layer from now on
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
        v = self.slider.value()
        where = self.tr("layer {i} of {n}").format(i=v + 1, n=len(self.links))
        if self._chosen:
            where = self.tr("its output; the slider at its last layer, {layer}, {where}").format(
                layer=self.links[v], where=where
            )
        sees = self.tr("output ({row}, {col}) of {h}x{w} sees {rf} px, stride {stride}").format(
            row=f["position"][0],
            col=f["position"][1],
            h=f["output"][0],
            w=f["output"][1],
            rf=rf,
            stride=st,
        )
        self.status.setText(
            f"<b>{self.block}</b> ({where}): "
            + sees
            + (self.tr(" (dashed: past the image, the padding)") if padded else "")
            + self.tr(". Click the image to move it.")
        )
        lines = []
        b = tree.blocks[self.block]
        k = b.hparams.get("kernel_size")
        stack = self._threes()
        if stack >= 2 and b.kind == "conv" and k in ([3, 3], 3):
            lines.append(
                core_words.caption(cascade_text(stack, int(b.hparams.get("out_channels", 1))))
            )
        if self.effective is not None:
            e = self.effective
            lines.append(
                self.tr(
                    "Effective field (heat map, this image): std {rows} px (rows), {cols} px "
                    "(columns); 95 % of it in {px} px, {share} % of the field on the image"
                ).format(
                    rows=number(e["std_px"][0], 1),
                    cols=number(e["std_px"][1], 1),
                    px=integer(e["mass95_px"]),
                    share=number(100 * e["mass95_share"], 0),
                )
            )
        if self.comparison is not None:
            from explorer.present.field import compare_caption

            lines.append(core_words.caption(compare_caption(self.comparison)))
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
        i0, j0, i1, j1 = self.field["inside"]
        key = self._effective_key()
        x = self._input.unsqueeze(0)
        lock = getattr(self._session, "lock", None) or nullcontext()
        p = next(an.model.parameters(), None)
        if p is not None:
            x = x.to(p.device)

        def work() -> Any:
            yield 0.0, self.tr("the gradient of the value on the image")
            from explorer.studies.field.effective import gradient_map, spread

            with lock:
                m = gradient_map(an.model, block, x, pos)
            stats = spread(m, 1)
            stats["mass95_share"] = stats["mass95_px"] / ((i1 - i0 + 1) * (j1 - j0 + 1))
            stats["map"] = (m / m.sum()).numpy().astype(np.float32)
            return stats

        self.effective_btn.setEnabled(False)
        self.jobs.start(
            LANE,
            work,
            on_done=lambda stats: self._on_effective(stats, key),
            on_error=self._on_error,
        )
        return True

    def _effective_key(self) -> tuple[Any, ...]:
        """What an effective field is of: the network, the block, the output value."""
        pos = tuple(self.field["position"]) if self.field is not None else None
        return (id(self._an), self.block, pos)

    def _on_effective(self, stats: Any, key: tuple[Any, ...]) -> None:
        self.effective_btn.setEnabled(True)
        if key != self._effective_key():  # another block or value was chosen meanwhile
            return
        self.effective = stats
        self.draw()

    def _on_error(self, exc: BaseException) -> None:
        self.effective_btn.setEnabled(True)
        self.info.setText(f"<span style='color:#b00'>{one_line(exc)}</span>")

    # -- effective fields compared -----------------------------------------------------------

    def _comparison_words(self, text: str) -> str:
        """The core's name of a comparison (``with random weights and plain56``) translated."""
        m = re.fullmatch(r"with random weights and (\S+)", text)
        if m:
            return self.tr("with random weights and {twin}").format(twin=m.group(1))
        if text == "with random weights":
            return self.tr("with random weights")
        m = re.fullmatch(r"with (\S+)", text)
        return self.tr("with {twin}").format(twin=m.group(1)) if m else text

    def _fill_comparisons(self) -> None:
        from explorer.present.field import comparisons

        self._choices = comparisons(self._an.spec.name) if self._an is not None else []
        blocker = self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        for text, _what in self._choices:
            self.compare_combo.addItem(self._comparison_words(text))
        self.compare_combo.setCurrentIndex(len(self._choices) - 1)  # all it can be compared with
        self.compare_combo.blockSignals(blocker)

    def _key(self, over_image: bool) -> tuple[Any, ...]:
        """What a comparison holds for: the model, its weights, the image it ran on."""
        s = self._session
        weights = getattr(getattr(s, "weights", None), "loads", None)
        image = id(getattr(s, "image", None)) if over_image else None
        return (id(self._an), weights, image)

    def compare(self, what: list[str] | None = None, over_image: bool | None = None) -> bool:
        """Compare the effective field of the value shown with ``what`` (``random`` and/or a
        network's name; default: the comparison box's choice), over the evaluation images or
        this image (default: the box's choice), on a worker with progress and Cancel."""
        from explorer.app.workflows.field import compare_effective
        from explorer.app.workflows.lesion import EvalSettings

        s = self._session
        if self.jobs is None or self.field is None or self._an is None or s is None:
            return False
        if what is None:
            i = self.compare_combo.currentIndex()
            if not 0 <= i < len(self._choices):
                return False
            what = list(self._choices[i][1])
        if over_image is None:
            over_image = self.over_combo.currentIndex() == 1
        an, block, pos = self._an, self.block, tuple(self.field["position"])
        info = s.weights_info
        weights = info.label if info is not None else "as loaded"
        images = self._input.unsqueeze(0) if over_image else None
        data = None
        if not over_image:
            try:
                prep = s.preprocessing()
            except ValueError as exc:
                self._on_compare_error(exc)
                return False
            cats = info.categories if info is not None else None
            data = (prep, cats, EvalSettings(None, COMPARE_IMAGES, 8))
        lock = getattr(s, "lock", None)

        def work() -> Any:
            return compare_effective(
                an, block, pos, what, images=images, data=data, weights=weights, lock=lock
            )

        self._compare_key = self._key(over_image)
        self.compare_btn.setEnabled(False)
        self.compare_bar.setValue(0)
        self.compare_bar.show()
        self.compare_cancel.show()
        self.compare_note.setText(
            self.tr("comparing {block} with {what}...").format(block=block, what=", ".join(what))
        )
        self.jobs.start(
            COMPARE_LANE,
            work,
            label=self.tr("comparing effective fields"),
            on_progress=self._on_compare_progress,
            on_done=self._on_compared,
            on_error=self._on_compare_error,
        )
        return True

    def cancel_compare(self) -> None:
        if self.jobs is not None and self.jobs.cancel(COMPARE_LANE):
            self.compare_note.setText(self.tr("comparison cancelled"))
        self._compare_idle()

    def _compare_idle(self) -> None:
        self.compare_btn.setEnabled(True)
        self.compare_bar.hide()
        self.compare_cancel.hide()

    def _on_compare_progress(self, p: Any) -> None:
        if p.fraction is not None:
            self.compare_bar.setValue(round(100 * p.fraction))
        self.compare_note.setText(p.message)

    def _on_compared(self, res: dict[str, Any]) -> None:
        self._compare_idle()
        self.compare_note.setText("")
        self.comparison = res
        self._draw_comparison()
        self.draw()
        self.compared.emit(res)

    def _on_compare_error(self, exc: BaseException) -> None:
        self._compare_idle()
        text = one_line(exc)
        self.compare_note.setText(f"<span style='color:#b00'>{text}</span>")
        self.compareFailed.emit(text)

    def _drop_comparison(self) -> None:
        self.comparison = None
        self._compare_key = None
        self.compare_canvas.clear()
        self.compare_views, self.compare_items, self.compare_titles = [], [], []
        self.compare_colorbar = None
        self.compare_canvas.hide()

    def _draw_comparison(self) -> None:
        """The compared maps side by side, one colour scale, each with its theoretical field
        (dashed past the image) and its spread in its heading."""
        from explorer.present.field import net_title, shared_top

        res = self.comparison
        self.compare_canvas.clear()
        self.compare_views, self.compare_items, self.compare_titles = [], [], []
        if res is None:
            return
        nets = res["nets"]
        top = shared_top(nets)
        cmap = pg.colormap.get("inferno")
        for k, net in enumerate(nets):
            title = pg.LabelItem(core_words.caption(net_title(net)), size="9pt")
            self.compare_canvas.addItem(title, row=0, col=k)
            view = self.compare_canvas.addViewBox(
                row=1, col=k, lockAspect=True, invertY=True, enableMouse=False
            )
            item = pg.ImageItem(net["map"], axisOrder="row-major")
            item.setLookupTable(cmap.getLookupTable())
            item.setLevels((0, top))
            view.addItem(item)
            y0, x0, y1, x1 = net["box"]
            i0, j0, i1, j1 = net["inside"]
            dashed = QGraphicsRectItem(QRectF(x0, y0, x1 - x0 + 1, y1 - y0 + 1))
            dashed.setPen(_box_pen(Qt.PenStyle.DashLine, 1.5))
            solid = QGraphicsRectItem(QRectF(j0, i0, j1 - j0 + 1, i1 - i0 + 1))
            solid.setPen(_box_pen(width=2.0))
            for it in (dashed, solid):
                it.setZValue(10)
                view.addItem(it)
            h, w = net["map"].shape
            # the theoretical field in full where it reaches a little past the image
            view.setRange(
                xRange=(max(min(x0, 0), -w // 4), min(max(x1 + 1, w), w + w // 4)),
                yRange=(max(min(y0, 0), -h // 4), min(max(y1 + 1, h), h + h // 4)),
                padding=0.02,
            )
            self.compare_views.append(view)
            self.compare_items.append(item)
            self.compare_titles.append(title)
        bar = pg.ColorBarItem(
            values=(0, top),
            colorMap=cmap,
            interactive=False,
            label=self.tr("share of the map per px"),
        )
        bar.setImageItem(self.compare_items)
        self.compare_canvas.addItem(bar, row=1, col=len(nets))
        grid = self.compare_canvas.ci.layout
        for k in range(len(nets)):  # the maps share the width; the scale keeps its own
            grid.setColumnStretchFactor(k, 1)
        grid.setColumnStretchFactor(len(nets), 0)
        self.compare_colorbar = bar
        self.compare_canvas.show()
