"""The block graph: a QGraphicsView that draws a core :class:`Layout`.

Drawing only: positions come from :mod:`explorer.present.layout`. Items are painted at
the detail the zoom needs (far: boxes; nearer: names; close: shapes on edges), and
QGraphicsView's index culls what is off screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
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
from explorer.present.layout import Box, Layout, LayoutEdge, merge_op
from explorer.ui.merge_animation import MergeAnimation

EDGE_COLOURS = {"data": "#7d8590", "skip": "#2f8f4e", "branch": "#3b7dd8", "gate": "#d9822b"}
SHAPE_LOD = 1.1  # zoom above which edges carry tensor shapes
NAME_LOD = 0.35  # zoom above which boxes carry names
DETAIL_LOD = 0.8  # zoom above which boxes carry their output shape
FAR_LOD = 0.2  # zoom below which boxes are plain patches


def fmt_shape(shape: list[int] | None) -> str:
    if not shape:
        return ""
    return "x".join(str(s) for s in shape[1:]) if len(shape) > 1 else str(shape[0])


def heat_colour(value: float, vmax: float) -> QColor:
    """Blue (small) to red (large), on a log scale."""
    t = 0.0 if vmax <= 0 else math.log10(1 + max(value, 0)) / math.log10(1 + vmax)
    return QColor.fromHsvF((1 - t) * 0.66, 0.7, 0.95)


def _lod(painter: QPainter, option: QStyleOptionGraphicsItem) -> float:
    return option.levelOfDetailFromTransform(painter.worldTransform())


class BoxItem(QGraphicsItem):
    """One box of the layout: a closed block, a repeat group, a merge node or a frame."""

    ARC = 16.0

    def __init__(self, box: Box, block: Block, fill: QColor):
        super().__init__()
        self.box = box
        self.block = block
        self.fill = fill
        self.selected = False
        self.deleted = False
        self.merge = merge_op(block) if block.is_leaf else None
        self._rect = QRectF(0, 0, box.w, box.h)
        self.setPos(box.x, box.y)
        self.setZValue(-10 + 0.1 * box.id.count(".") if box.open else 5)
        self.setAcceptHoverEvents(True)
        self.setToolTip(self._tooltip())

    def _tooltip(self) -> str:
        b, box = self.block, self.box
        lines = [f"<b>{box.id or 'model'}</b> ({b.type})", f"kind: {b.kind}"]
        if box.count > 1:
            lines.append(f"{box.count} identical blocks (double-click to show them)")
        if b.out_shape:
            lines.append(f"out: {fmt_shape(b.out_shape)}")
        lines.append(f"params: {b.params * box.count:,}")
        lines.append(f"MACs: {b.macs * box.count:,}")
        return "<br>".join(lines)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        extra = self.ARC + 4 if self._has_side_glyph() else 2
        return self._rect.adjusted(-2, -2, extra, 2)

    def _has_side_glyph(self) -> bool:
        return not self.box.open and self.box.kind in ("residual", "se", "highway")

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        self._paint_box(painter, option)
        if self.deleted:
            self._paint_deleted(painter)

    def _paint_deleted(self, painter: QPainter) -> None:
        """Greyed and struck out; a residual block's shortcut, which still carries data, bold."""
        r = self._rect
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(240, 240, 240, 190))
        painter.drawRoundedRect(r, 6, 6)
        painter.setPen(QPen(QColor("#c0392b"), 2.2))
        painter.drawLine(QPointF(r.left() + 3, r.bottom() - 3), QPointF(r.right() - 3, r.top() + 3))
        painter.drawLine(
            QPointF(r.left() + 3, r.center().y()), QPointF(r.right() - 3, r.center().y())
        )
        if self.box.kind == "residual" and not self.box.open:
            pen = QPen(QColor("#1e8449"), 4.0)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(self._skip_arc())

    def _skip_arc(self) -> QPainterPath:
        """A closed residual block's shortcut, on the box's right."""
        r = self._rect
        path = QPainterPath(QPointF(r.right(), r.top() + 5))
        path.cubicTo(
            QPointF(r.right() + self.ARC, r.top() + 5),
            QPointF(r.right() + self.ARC, r.bottom() - 5),
            QPointF(r.right(), r.bottom() - 5),
        )
        return path

    def _paint_box(self, painter: QPainter, option: QStyleOptionGraphicsItem) -> None:
        lod = _lod(painter, option)
        r = self._rect
        kind = self.box.kind
        if lod < FAR_LOD:  # far away: a plain patch is all the eye can see
            if self.box.open:
                painter.setPen(QPen(QColor(colour(kind)), 0))
                painter.setBrush(Qt.NoBrush)
                painter.drawRect(r)
            else:
                painter.fillRect(r, QColor("#ffb000") if self.selected else self.fill)
            return
        sel_pen = QPen(QColor("#ffb000"), 3.0)
        if self.box.open:
            c = QColor(colour(kind))
            fill = QColor(c)
            fill.setAlphaF(0.07)
            painter.setPen(sel_pen if self.selected else QPen(c, 1.2))
            painter.setBrush(fill)
            painter.drawRoundedRect(r, 8, 8)
            if lod > NAME_LOD:
                painter.setPen(QColor("#333333"))
                f = QFont()
                f.setPointSizeF(8.5)
                painter.setFont(f)
                painter.drawText(
                    r.adjusted(8, 3, -4, 0),
                    Qt.AlignLeft | Qt.AlignTop,
                    f"{self.box.label}  ({kind})",
                )
            return
        if self.merge in ("add", "mul"):
            painter.setPen(sel_pen if self.selected else QPen(QColor("#333333"), 1.2))
            painter.setBrush(QColor("#ffffff"))
            painter.drawEllipse(r)
            painter.setPen(QPen(QColor("#333333"), 1.6))
            c = r.center()
            d = r.width() * 0.25
            if self.merge == "add":
                painter.drawLine(QPointF(c.x() - d, c.y()), QPointF(c.x() + d, c.y()))
                painter.drawLine(QPointF(c.x(), c.y() - d), QPointF(c.x(), c.y() + d))
            else:
                painter.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
                painter.drawLine(QPointF(c.x() - d, c.y() + d), QPointF(c.x() + d, c.y() - d))
            return
        if self.merge == "cat":
            painter.setPen(sel_pen if self.selected else Qt.NoPen)
            painter.setBrush(QColor("#3b7dd8"))
            painter.drawRoundedRect(r, 3, 3)
            return
        # a stack of boxes for a repeat group
        if self.box.count > 1:
            painter.setPen(QPen(QColor("#555555"), 0.8))
            painter.setBrush(self.fill.darker(115))
            painter.drawRoundedRect(r.translated(5, 5), 6, 6)
            painter.drawRoundedRect(r.translated(2.5, 2.5), 6, 6)
        painter.setPen(sel_pen if self.selected else QPen(QColor("#2b2b2b"), 0.8))
        painter.setBrush(self.fill)
        painter.drawRoundedRect(r, 6, 6)
        self._paint_glyph(painter, lod)
        if lod > NAME_LOD:
            painter.setPen(QColor("#111111"))
            f = QFont()
            f.setPointSizeF(9)
            painter.setFont(f)
            if lod > DETAIL_LOD and self.block.out_shape:
                painter.drawText(
                    r.adjusted(4, 2, -4, -r.height() / 2 + 2), Qt.AlignCenter, self.box.label
                )
                f.setPointSizeF(7.5)
                painter.setFont(f)
                painter.setPen(QColor("#333333"))
                painter.drawText(
                    r.adjusted(4, r.height() / 2 - 2, -4, -2),
                    Qt.AlignCenter,
                    fmt_shape(self.block.out_shape),
                )
            else:
                painter.drawText(r.adjusted(4, 0, -4, 0), Qt.AlignCenter, self.box.label)

    def _paint_glyph(self, painter: QPainter, lod: float) -> None:
        """The family's mark on a closed block: skip arc, gate, branches, halves."""
        r = self._rect
        kind = self.box.kind
        if kind == "residual":
            proj = self.box.shortcut == "projection"
            pen = QPen(QColor(EDGE_COLOURS["skip"]), 2.0)
            if proj:
                pen.setStyle(Qt.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(self._skip_arc())
            if proj:
                painter.setPen(QPen(QColor(EDGE_COLOURS["skip"]), 1.2))
                painter.setBrush(QColor("#ffffff"))
                painter.drawRect(QRectF(r.right() + self.ARC * 0.75 - 4, r.center().y() - 4, 8, 8))
        elif kind in ("se", "highway"):
            pen = QPen(QColor(EDGE_COLOURS["gate"]), 1.6, Qt.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            x = r.right() + self.ARC * 0.6
            painter.drawLine(QPointF(r.right(), r.top() + 6), QPointF(x, r.top() + 6))
            painter.drawLine(QPointF(x, r.top() + 6), QPointF(x, r.center().y() - 5))
            painter.setPen(QPen(QColor(EDGE_COLOURS["gate"]), 1.4))
            painter.setBrush(QColor("#ffffff"))
            painter.drawEllipse(QPointF(x, r.center().y()), 5, 5)
        elif kind in ("repvgg", "inception") and lod > 0.5:
            n = max(2, min(self.block.branches, 6))
            painter.setPen(QPen(QColor(255, 255, 255, 200), 1.4))
            for i in range(n):
                x = r.left() + 6 + i * 4
                painter.drawLine(QPointF(x, r.top() + 6), QPointF(x, r.bottom() - 6))
        elif kind == "separable" and lod > 0.5:
            painter.setPen(QPen(QColor(255, 255, 255, 220), 1.2, Qt.DashLine))
            painter.drawLine(
                QPointF(r.left() + 14, r.top() + 4), QPointF(r.left() + 14, r.bottom() - 4)
            )

    # selection and expansion go through the view, which owns the session link
    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None and event.button() == Qt.LeftButton:
            view.blockClicked.emit(self.box.id)
        event.accept()

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None:
            view.blockDoubleClicked.emit(self.box.id)
        event.accept()

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None:
            view.blockContextMenu.emit(self.box.id, event.screenPos())
        event.accept()


class EdgeItem(QGraphicsItem):
    """A routed edge with an arrow head; its tensor shape shows when zoomed in."""

    def __init__(self, edge: LayoutEdge, projection: bool):
        super().__init__()
        self.edge = edge
        pts = [QPointF(x, y) for x, y in edge.points]
        self.path = QPainterPath(pts[0])
        for p in pts[1:]:
            self.path.lineTo(p)
        self.pen = QPen(
            QColor(EDGE_COLOURS.get(edge.kind, "#7d8590")),
            {"skip": 2.2, "branch": 1.6, "gate": 1.8}.get(edge.kind, 1.2),
        )
        if edge.kind == "gate" or (edge.kind == "skip" and projection):
            self.pen.setStyle(Qt.DashLine)
        self.label = fmt_shape(edge.shape)
        self.setZValue(1)
        a, b = pts[-2], pts[-1]
        ang = math.atan2(b.y() - a.y(), b.x() - a.x())
        s = 6.0
        self.head = QPolygonF(
            [
                b,
                QPointF(b.x() - s * math.cos(ang - 0.4), b.y() - s * math.sin(ang - 0.4)),
                QPointF(b.x() - s * math.cos(ang + 0.4), b.y() - s * math.sin(ang + 0.4)),
            ]
        )
        self._bounds = self.path.boundingRect().adjusted(-8, -8, 90, 8)
        self.setAcceptedMouseButtons(Qt.NoButton)  # clicks go to the boxes below

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never the target of a click or hover

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        lod = _lod(painter, option)
        painter.setBrush(Qt.NoBrush)
        if lod < FAR_LOD:
            painter.setPen(QPen(self.pen.color(), 0))  # cosmetic: one pixel, fastest
            painter.drawPath(self.path)
            return
        painter.setPen(self.pen)
        painter.drawPath(self.path)
        if lod > 0.3:
            painter.setPen(Qt.NoPen)
            painter.setBrush(self.pen.color())
            painter.drawPolygon(self.head)
        if lod > SHAPE_LOD and self.label:
            pts = self.edge.points
            x, y = pts[0]
            f = QFont()
            f.setPointSizeF(7)
            painter.setFont(f)
            painter.setPen(QColor("#555555"))
            painter.drawText(QPointF(x + 4, y + 11), self.label)


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
