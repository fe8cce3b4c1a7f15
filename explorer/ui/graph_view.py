"""The block graph: a QGraphicsView that draws a core :class:`Layout`.

Drawing only: positions come from :mod:`explorer.present.layout`. Items are painted at
the detail the zoom needs (far: boxes; nearer: names; close: shapes on edges), and
QGraphicsView's index culls what is off screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QStyleOptionGraphicsItem,
    QWidget,
)

from explorer.graph.blocks import Block
from explorer.graph.kinds import colour, kind_table
from explorer.graph.ops import paused_gc
from explorer.present.layout import Layout
from explorer.present.wrap import SCENE_MARGIN, bounds, has_text, label_px
from explorer.ui.graph_items import (
    OVERVIEW_ITEMS,
    OVERVIEW_LOD,
    BandItem,
    BoxItem,
    EdgeItem,
    OverviewItem,
    Style,
    heat_colour,
)
from explorer.ui.i18n import integer, translate
from explorer.ui.label_words import colour_name, kind_name
from explorer.ui.merge_animation import MergeAnimation


class GraphView(QGraphicsView):
    """Shows a layout; emits clicks, double-clicks and context requests on blocks."""

    blockClicked = Signal(str)  # noqa: N815 - Qt signal naming
    blockDoubleClicked = Signal(str)  # noqa: N815
    blockContextMenu = Signal(str, QPoint)  # noqa: N815
    mergeFinished = Signal()  # noqa: N815 - an animate_merge ran to its end
    viewResized = Signal()  # noqa: N815 - the viewport's size settled after a resize
    RESIZE_SETTLE_MS = 200

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.Antialiasing, True)
        self.setRenderHint(QPainter.TextAntialiasing, True)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState)
        self.setBackgroundBrush(QBrush(QColor("#fbfbfc")))
        # a graph smaller than the view stands on the left, clear of the legend on the right
        self.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.boxes: dict[str, BoxItem] = {}
        self.edges: list[EdgeItem] = []
        self.bands: list[BandItem] = []
        self.layout_data: Layout | None = None
        self.style = Style()
        self._shown: tuple[Layout, dict[str, Block], str] | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.RESIZE_SETTLE_MS)
        self._settle.timeout.connect(self._on_resize_settled)
        self._settled_size = QSize()
        self.legend = QLabel(self.viewport())
        self.legend.setStyleSheet(
            "QLabel { background: rgba(255,255,255,225); border: 1px solid #ccc; "
            "border-radius: 4px; padding: 4px; font-size: 11px; }"
        )
        self.legend.setTextFormat(Qt.RichText)
        self._selected: str | None = None
        self.overview: OverviewItem | None = None  # a large graph far away (show_layout)
        self._overview_on = False
        self._merge = MergeAnimation(self)
        self._merge.finished.connect(self.mergeFinished)

    # -- content ---------------------------------------------------------------------------

    def show_layout(self, lay: Layout, blocks: dict[str, Block], colour_by: str = "kind") -> None:
        with paused_gc():  # thousands of items made: a collection would scan the model too
            self._show_layout(lay, blocks, colour_by)

    def _show_layout(self, lay: Layout, blocks: dict[str, Block], colour_by: str) -> None:
        self._merge.end()  # the scene it moves goes: a merge under way ends here
        scene = self.scene()
        scene.clear()
        self.boxes = {}
        self.edges = []
        self.bands = []
        self.layout_data = lay
        self._shown = (lay, blocks, colour_by)
        st = self.style
        self.setBackgroundBrush(QBrush(QColor("#ffffff" if st.high_contrast else "#fbfbfc")))
        vmax = 0.0
        if colour_by in ("params", "macs"):
            vmax = max(
                (
                    getattr(blocks[b.block], colour_by) * b.count
                    for b in lay.boxes.values()
                    if not b.open
                ),
                default=0.0,
            )
        for band in lay.bands:
            band_item = BandItem(band, st)
            scene.addItem(band_item)
            self.bands.append(band_item)
        for box in lay.boxes.values():
            blk = blocks[box.block]
            if colour_by in ("params", "macs") and not box.open:
                fill = heat_colour(getattr(blk, colour_by) * box.count, vmax)
            else:
                fill = QColor(colour(box.kind))
            item = BoxItem(box, blk, fill, st)
            scene.addItem(item)
            self.boxes[box.id] = item
        for e in lay.edges:
            # a shortcut that starts inside the block's frame runs through a projection
            src, dst = lay.boxes[e.src], lay.boxes[e.dst]
            proj = e.kind == "skip" and src.parent == dst.parent and dst.parent is not None
            edge_item = EdgeItem(e, projection=proj, style=st)
            scene.addItem(edge_item)
            self.edges.append(edge_item)
        self.overview: OverviewItem | None = None
        self._overview_on = False
        if len(self.boxes) + len(self.edges) >= OVERVIEW_ITEMS:  # far away: one item, not all
            self.overview = OverviewItem(list(self.boxes.values()), self.edges, st)
            self.overview.setVisible(False)
            scene.addItem(self.overview)
        # the layout's own extent (not the items', whose shape labels reach further): Fit then
        # shows what explorer.present.wrap.min_text_px computes
        x0, y0, x1, y1 = bounds(lay)
        m = SCENE_MARGIN
        scene.setSceneRect(QRectF(x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m))
        self._update_legend(lay, colour_by, vmax)
        if self._selected in self.boxes:
            self.boxes[self._selected].selected = True

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        # before Qt gathers the items to draw: a change in drawBackground comes a frame late
        self._sync_overview(QStyleOptionGraphicsItem.levelOfDetailFromTransform(self.transform()))
        super().paintEvent(event)

    def render(self, painter: QPainter, *args: Any, **kwargs: Any) -> None:
        """As QGraphicsView's, the overview or the items chosen for the zoom drawn at."""
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(
            self.transform() * painter.worldTransform()
        )
        self._sync_overview(lod)
        super().render(painter, *args, **kwargs)

    def _sync_overview(self, lod: float) -> None:
        """A large graph seen from far away is drawn by its overview, its items not painted
        (a selected or deleted box is, to show its state)."""
        on = self.overview is not None and lod < OVERVIEW_LOD
        if on == self._overview_on:
            return
        self._overview_on = on
        if self.overview is not None:
            self.overview.setVisible(on)
        no_contents = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
        for item in self.boxes.values():  # not painted, not hidden: a click still selects
            item.setFlag(no_contents, on and not (item.selected or item.deleted))
        for edge in self.edges:
            edge.setVisible(not on)

    def _overview_changed(self) -> None:
        """A box was selected or deleted: the items back, the next frame decides again (the
        selected or deleted box then stays drawn over the overview)."""
        if self._overview_on:
            self._overview_on = False
            if self.overview is not None:
                self.overview.setVisible(False)
            for item in self.boxes.values():
                item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, False)
            for edge in self.edges:
                edge.setVisible(True)

    def set_presentation(self, scale: float = 1.0, high_contrast: bool = False) -> None:
        """Draw fonts and strokes ``scale`` times larger (a label never outgrows its box: it
        shrinks to fit) and, with ``high_contrast``, in black and saturated colours."""
        self.style = Style(max(0.5, min(scale, 4.0)), high_contrast)
        if self._shown is not None:
            selected = self._selected
            deleted = {i.box.block for i in self.boxes.values() if i.deleted}
            self.show_layout(*self._shown)
            self.set_deleted(deleted)
            self.set_selected(selected)
        else:
            self._update_legend_font()

    def label_px_on_screen(self) -> float:
        """The smallest label's height in pixels at the current zoom (0 without a layout)."""
        if self.layout_data is None:
            return 0.0
        sizes = [
            label_px(b, self.style.font_px())
            for b in self.layout_data.boxes.values()
            if has_text(b)
        ]
        return min(sizes, default=0.0) * self.transform().m11()

    def _update_legend(self, lay: Layout, colour_by: str, vmax: float) -> None:
        if colour_by in ("params", "macs"):
            stops = "".join(
                f'<span style="background:{heat_colour(vmax ** (i / 4), vmax).name()}">'
                "&nbsp;&nbsp;&nbsp;</span>"
                for i in range(5)
            )
            self.legend.setText(
                f"<b>{colour_name(colour_by)}</b> "
                + translate("Graph", "(log scale)")
                + f"<br>{stops}<br>0 &nbsp;&rarr;&nbsp; {integer(round(vmax))}"
            )
        else:
            kinds = sorted(
                {b.kind for b in lay.boxes.values() if not b.open}
                | {b.kind for b in lay.boxes.values() if b.open and b.kind != "sequential"}
            )
            rows = "".join(
                f'<tr><td style="background:{colour(k)}">&nbsp;&nbsp;&nbsp;</td>'
                f"<td>&nbsp;{kind_name(k)}</td></tr>"
                for k in kinds
                if k in kind_table()
            )
            edges = "".join(
                f'<tr><td style="color:{self.style.edge_colour(k).name()}"><b>'
                f"&#9472;&#9472;</b></td><td>&nbsp;{kind_name(k)}</td></tr>"
                for k in ("data", "skip", "branch", "gate")
            )
            self.legend.setText(f"<table>{rows}{edges}</table>")
        self._update_legend_font()

    def _update_legend_font(self) -> None:
        px = round(11 * min(self.style.scale, 1.4))  # larger, but not at the graph's expense
        border = "#000" if self.style.high_contrast else "#ccc"
        self.legend.setStyleSheet(
            "QLabel { background: rgba(255,255,255,225); "
            f"border: 1px solid {border}; border-radius: 4px; padding: 4px; font-size: {px}px; }}"
        )
        self.legend.adjustSize()
        self._place_legend()

    def _place_legend(self) -> None:
        vp = self.viewport()
        self.legend.move(vp.width() - self.legend.width() - 8, 8)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_legend()
        self._settle.start()  # a drag of the window's edge re-wraps once, when it stops

    def _on_resize_settled(self) -> None:
        if self._merge.running:  # a merge under way keeps its scene: re-wrap after it
            self._settle.start()
            return
        size = self.maximumViewportSize()  # scroll bars shown or hidden by a zoom do not count
        if size != self._settled_size:
            self._settled_size = size
            self.viewResized.emit()

    def laid_out_for_this_size(self) -> None:
        """The layout about to be shown was wrapped for the viewport as it is now: a resize
        that settles at this size has nothing to re-wrap."""
        self._settled_size = self.maximumViewportSize()

    def set_deleted(self, deleted: frozenset[str] | set[str]) -> None:
        """Draw these blocks (and any group holding one) struck out."""
        for item in self.boxes.values():
            now = item.box.block in deleted or any(m in deleted for m in item.box.members)
            if now != item.deleted:
                item.deleted = now
                item.setToolTip(
                    item._tooltip()
                    + ("<br><b>" + translate("Graph", "deleted") + "</b>" if now else "")
                )
                item.update()
        self._overview_changed()

    def set_selected(self, unit_id: str | None) -> None:
        if self._selected in self.boxes:
            self.boxes[self._selected].selected = False
            self.boxes[self._selected].update()
        self._selected = unit_id
        if unit_id in self.boxes:
            self.boxes[unit_id].selected = True
            self.boxes[unit_id].update()
        self._overview_changed()

    def unit_for_block(self, block_id: str) -> str | None:
        """The drawn box that shows ``block_id`` (itself, or the group holding it)."""
        if block_id in self.boxes:
            return block_id
        for item in self.boxes.values():
            if block_id in item.box.members:
                return item.box.id
        # a layer drawn as a mark of another box (a BN folded into its conv's box)
        lay = self.layout_data
        unit = lay.unit_of_node.get(block_id) if lay is not None else None
        return unit if unit in self.boxes else None

    def center_on_unit(self, unit_id: str) -> None:
        if unit_id in self.boxes:
            self.centerOn(self.boxes[unit_id].sceneBoundingRect().center())

    def zoom_to_unit(self, unit_id: str, text_px: float = 18.0) -> None:
        """Centre the box of ``unit_id`` and zoom so that its label is about ``text_px`` pixels
        high (never so far that the box leaves the view, never out from a closer zoom that
        shows it whole)."""
        item = self.boxes.get(unit_id)
        if item is None:
            return
        box = item.box
        vp = self.viewport()
        fits = min(0.9 * vp.width() / max(box.w, 1.0), 0.8 * vp.height() / max(box.h, 1.0))
        want = text_px / label_px(box, self.style.font_px()) if has_text(box) else 1.0
        cur = self.transform().m11()
        scale = min(fits, max(want, cur) if cur <= fits else want)
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(QPointF(box.x + box.w / 2, box.y + box.h / 2))

    def unit_visible(self, unit_id: str) -> bool:
        """Whether the box of ``unit_id`` is (partly) inside the viewport."""
        item = self.boxes.get(unit_id)
        if item is None:
            return False
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        return seen.intersects(item.sceneBoundingRect())

    # -- fusion ------------------------------------------------------------------------------

    def animate_merge(
        self,
        groups: dict[str, list[str]],
        duration_ms: int = 500,
        done: Callable[[], None] | None = None,
    ) -> bool:
        """Move the boxes of each group into the centre of its target box, fading them out.

        ``groups`` maps a drawn box (an open RepVGG block's frame, a conv) to the drawn boxes
        that merge into it (its branches and sum nodes, a folded BatchNorm); the edges that
        touch them fade too. ``done`` is called, and :attr:`mergeFinished` emitted, once
        the animation ends, or at once (from the event loop) when nothing listed is drawn;
        a new layout shown meanwhile ends it early. Returns whether something moves.
        """
        moves: list[tuple[BoxItem, QPointF]] = []
        for target, units in groups.items():
            frame = self.boxes.get(target)
            if frame is None:
                continue
            centre = frame.sceneBoundingRect().center()
            moves += [(self.boxes[u], centre) for u in units if u in self.boxes and u != target]
        members = {item.box.id for item, _ in moves}
        fades = [e for e in self.edges if e.edge.src in members or e.edge.dst in members]
        return self._merge.start(moves, fades, duration_ms, done)

    @property
    def merging(self) -> bool:
        return self._merge.running

    def stop_merge(self) -> None:
        """Stop a merge animation and put its boxes back; ``done`` is not called."""
        self._merge.stop()

    def animate_steps(
        self, steps: list[Any], done: Callable[[], None] | None = None, card: Any = None,
        added: Any = (),
    ) -> bool:  # fmt: skip
        """Play a merge in captioned steps (:meth:`MergeAnimation.start_steps`): the fusion
        control plans them over :attr:`boxes` and :attr:`edges`; ends like :meth:`animate_merge`."""
        return self._merge.start_steps(steps, done, card, added)

    def finish_merge(self) -> None:
        """End a merge animation now, its boxes where they are; ``done`` follows."""
        self._merge.end()

    @property
    def merger(self) -> MergeAnimation:
        """The merge animation (its ``stepStarted`` signal)."""
        return self._merge

    # -- navigation --------------------------------------------------------------------------

    def graph_area(self) -> tuple[int, int]:
        """The viewport's size in pixels less the legend's column on its right: where a fitted
        graph is drawn (what the wrap into columns is made for)."""
        vp = self.viewport()
        room = self.legend.width() + 16 if not self.legend.isHidden() and self.legend.text() else 0
        return max(vp.width() - room, 50), max(vp.height(), 50)

    def fit(self, min_scale: float = 0.0) -> None:
        """Show the whole graph left of the legend; with ``min_scale``, never zoom out below
        it (the top first)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        w, h = self.graph_area()
        s = min((w - 4) / rect.width(), (h - 4) / rect.height())
        self.resetTransform()
        if s < min_scale:
            self.scale(min_scale, min_scale)
            top = QPointF(rect.center().x(), rect.top())
            self.centerOn(top.x(), top.y() + self.viewport().height() / (2 * min_scale))
            return
        self.scale(s, s)
        self.centerOn(rect.center())

    def readable_fit(self, min_text_px: float = 5.0) -> None:
        """Fit, but never so far out that labels fall under ``min_text_px`` pixels (a huge
        graph then shows its top at that size)."""
        lay = self.layout_data
        sizes = (
            [label_px(b, self.style.font_px()) for b in lay.boxes.values() if has_text(b)]
            if lay
            else []
        )
        self.fit(min_scale=min_text_px / min(sizes) if sizes else 0.0)

    def zoom(self, factor: float) -> None:
        cur = self.transform().m11()
        factor = max(0.02 / cur, min(factor, 8.0 / cur))
        self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        self.zoom(1.0015 ** event.angleDelta().y())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key_F and not event.modifiers():
            self.fit()
            return
        if event.key() in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom(1.25)
            return
        if event.key() == Qt.Key_Minus:
            self.zoom(0.8)
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.itemAt(event.position().toPoint()) is None and event.button() == Qt.LeftButton:
            self.blockClicked.emit("")
        super().mousePressEvent(event)
