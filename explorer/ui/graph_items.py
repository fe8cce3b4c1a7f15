"""The items of the block graph: a block's box (with its glyphs, skip arc and deleted look) and
an edge, each painted at the detail the zoom needs."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QStyleOptionGraphicsItem,
)

from explorer.graph.blocks import Block
from explorer.graph.kinds import colour
from explorer.present.layout import Box, LayoutEdge, merge_op

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
