"""The block graph: a QGraphicsView that draws a core :class:`Layout`.

Drawing only: positions come from :mod:`explorer.present.layout`. Items are painted at
the detail the zoom needs (far: boxes; nearer: names; close: shapes on edges), and
QGraphicsView's index culls what is off screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QWidget,
)

from explorer.graph.blocks import Block
from explorer.graph.kinds import colour, kind_table
from explorer.present.layout import Layout
from explorer.ui.graph_items import EDGE_COLOURS, BoxItem, EdgeItem, heat_colour
from explorer.ui.merge_animation import MergeAnimation


class GraphView(QGraphicsView):
    """Shows a layout; emits clicks, double-clicks and context requests on blocks."""

    blockClicked = Signal(str)  # noqa: N815 - Qt signal naming
    blockDoubleClicked = Signal(str)  # noqa: N815
    blockContextMenu = Signal(str, QPoint)  # noqa: N815
    mergeFinished = Signal()  # noqa: N815 - an animate_merge ran to its end

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
        self.boxes: dict[str, BoxItem] = {}
        self.edges: list[EdgeItem] = []
        self.layout_data: Layout | None = None
        self.legend = QLabel(self.viewport())
        self.legend.setStyleSheet(
            "QLabel { background: rgba(255,255,255,225); border: 1px solid #ccc; "
            "border-radius: 4px; padding: 4px; font-size: 11px; }"
        )
        self.legend.setTextFormat(Qt.RichText)
        self._selected: str | None = None
        self._merge = MergeAnimation(self)
        self._merge.finished.connect(self.mergeFinished)

    # -- content ---------------------------------------------------------------------------

    def show_layout(self, lay: Layout, blocks: dict[str, Block], colour_by: str = "kind") -> None:
        self._merge.end()  # the scene it moves goes: a merge under way ends here
        scene = self.scene()
        scene.clear()
        self.boxes = {}
        self.edges = []
        self.layout_data = lay
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
        for box in lay.boxes.values():
            blk = blocks[box.block]
            if colour_by in ("params", "macs") and not box.open:
                fill = heat_colour(getattr(blk, colour_by) * box.count, vmax)
            else:
                fill = QColor(colour(box.kind))
            item = BoxItem(box, blk, fill)
            scene.addItem(item)
            self.boxes[box.id] = item
        for e in lay.edges:
            # a shortcut that starts inside the block's frame runs through a projection
            src, dst = lay.boxes[e.src], lay.boxes[e.dst]
            proj = e.kind == "skip" and src.parent == dst.parent and dst.parent is not None
            item = EdgeItem(e, projection=proj)
            scene.addItem(item)
            self.edges.append(item)
        rect = scene.itemsBoundingRect().adjusted(-60, -60, 60, 60)
        scene.setSceneRect(rect)
        self._update_legend(lay, colour_by, vmax)
        if self._selected in self.boxes:
            self.boxes[self._selected].selected = True

    def _update_legend(self, lay: Layout, colour_by: str, vmax: float) -> None:
        if colour_by in ("params", "macs"):
            stops = "".join(
                f'<span style="background:{heat_colour(vmax ** (i / 4), vmax).name()}">'
                "&nbsp;&nbsp;&nbsp;</span>"
                for i in range(5)
            )
            self.legend.setText(
                f"<b>{colour_by}</b> (log scale)<br>{stops}<br>0 &nbsp;&rarr;&nbsp; {vmax:,.0f}"
            )
        else:
            kinds = sorted(
                {b.kind for b in lay.boxes.values() if not b.open}
                | {b.kind for b in lay.boxes.values() if b.open and b.kind != "sequential"}
            )
            rows = "".join(
                f'<tr><td style="background:{colour(k)}">&nbsp;&nbsp;&nbsp;</td>'
                f"<td>&nbsp;{k}</td></tr>"
                for k in kinds
                if k in kind_table()
            )
            edges = "".join(
                f'<tr><td style="color:{c}">&#9472;&#9472;</td><td>&nbsp;{k}</td></tr>'
                for k, c in EDGE_COLOURS.items()
            )
            self.legend.setText(f"<table>{rows}{edges}</table>")
        self.legend.adjustSize()
        self._place_legend()

    def _place_legend(self) -> None:
        vp = self.viewport()
        self.legend.move(vp.width() - self.legend.width() - 8, 8)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_legend()

    def set_deleted(self, deleted: frozenset[str] | set[str]) -> None:
        """Draw these blocks (and any group holding one) struck out."""
        for item in self.boxes.values():
            now = item.box.block in deleted or any(m in deleted for m in item.box.members)
            if now != item.deleted:
                item.deleted = now
                item.setToolTip(item._tooltip() + ("<br><b>deleted</b>" if now else ""))
                item.update()

    def set_selected(self, unit_id: str | None) -> None:
        if self._selected in self.boxes:
            self.boxes[self._selected].selected = False
            self.boxes[self._selected].update()
        self._selected = unit_id
        if unit_id in self.boxes:
            self.boxes[unit_id].selected = True
            self.boxes[unit_id].update()

    def unit_for_block(self, block_id: str) -> str | None:
        """The drawn box that shows ``block_id`` (itself, or the group holding it)."""
        if block_id in self.boxes:
            return block_id
        for item in self.boxes.values():
            if block_id in item.box.members:
                return item.box.id
        return None

    def center_on_unit(self, unit_id: str) -> None:
        if unit_id in self.boxes:
            self.centerOn(self.boxes[unit_id].sceneBoundingRect().center())

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

    def fit(self, min_scale: float = 0.0) -> None:
        """Show the whole graph; with ``min_scale``, never zoom out below it (top first)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.transform().m11() < min_scale:
            self.resetTransform()
            self.scale(min_scale, min_scale)
            top = QPointF(rect.center().x(), rect.top())
            self.centerOn(top.x(), top.y() + self.viewport().height() / (2 * min_scale))

    def readable_fit(self) -> None:
        """Fit, but keep names legible on tall graphs."""
        self.fit(min_scale=0.6)

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
