"""The items of the block graph: a block's box (with its glyphs, skip arc and deleted look) and
an edge, each painted at the detail the zoom needs."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
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
from explorer.present.wrap import (
    BAND_INSET,
    BAND_PX,
    LABEL_PX,
    MIN_LABEL_PX,
    PIECE_SEP,
    TEXT_PAD,
    Band,
    has_text,
    header_text,
    label_px,
    unpiece,
)
from explorer.ui.graph_style import (
    BAND_TINTS,
    DEFAULT_STYLE,
    EDGE_COLOURS,
    Style,
    fitted_font,
    text_colour,
)
from explorer.ui.i18n import integer, translate
from explorer.ui.label_words import kind_name, label_text

__all__ = [
    "EDGE_COLOURS",
    "OVERVIEW_ITEMS",
    "OVERVIEW_LOD",
    "BandItem",
    "BoxItem",
    "EdgeItem",
    "OverviewItem",
    "Style",
    "fmt_shape",
    "heat_colour",
]

SHAPE_LOD = 2.2  # zoom above which edges carry tensor shapes (boxes show theirs from ~0.6)
FAR_LOD = 0.12  # zoom below which boxes are plain patches (text would be under 2 px)


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


#: the smallest font of a translated label (the core sizes boxes by its English words)
TRANSLATED_MIN_PX = 0.85 * MIN_LABEL_PX


def _header(box: Box) -> str:
    """A frame's header (its label, and its kind unless a plain container's), translated."""
    if header_text(box) == box.label:
        return label_text(box.label)
    return f"{label_text(box.label)}  ({kind_name(box.kind)})"


class BoxItem(QGraphicsItem):
    """One box of the layout: a closed block, a repeat group, a merge node or a frame (or one
    piece of a frame that the wrap split between columns)."""

    ARC = 16.0

    def __init__(self, box: Box, block: Block, fill: QColor, style: Style = DEFAULT_STYLE):
        super().__init__()
        self.box = box
        self.block = block
        self.fill = fill
        self.style = style
        self.selected = False
        self.deleted = False
        self.merge = merge_op(block) if block.is_leaf else None
        self.unit = unpiece(box.id)  # what a click on this box (or piece) names
        self.piece = PIECE_SEP in box.id
        self._rect = QRectF(0, 0, box.w, box.h)
        self.setPos(box.x, box.y)
        self.setZValue(-10 + 0.1 * box.id.count(".") if box.open else 5)
        self.setAcceptHoverEvents(True)
        self.setToolTip(self._tooltip())
        self._prepare_text()

    def _prepare_text(self) -> None:
        """Fonts and texts once, not at every paint: sized to the box, elided if too long."""
        r, st = self._rect, self.style
        self.text_pen = text_colour(self.fill, st.high_contrast)
        self.label_font, self.label_text = QFont(), ""
        self.small_font, self.marks_text = QFont(), ""
        if not has_text(self.box) or self.piece:
            return
        room = r.width() - 2 * TEXT_PAD
        if self.box.open:
            px = label_px(self.box, st.font_px())
            self.label_font, self.label_text = fitted_font(_header(self.box), room, px)
            return
        self.small_font = QFont()
        self.small_font.setPixelSize(
            round(max(MIN_LABEL_PX, label_px(self.box, st.font_px()) * 0.72))
        )
        self.marks_text = " · ".join(label_text(m) for m in self.box.marks)
        text = label_text(self.box.label)
        # the boxes are sized for the core's English; a translation a little longer may
        # shrink a little further before it is cut
        floor = MIN_LABEL_PX if text == self.box.label else TRANSLATED_MIN_PX
        self.label_font, self.label_text = fitted_font(
            text, room, label_px(self.box, st.font_px()), floor
        )

    def _tooltip(self) -> str:
        b, box = self.block, self.box
        name = box.name or box.block or translate("Graph", "model")
        lines = [f"<b>{name}</b> ({b.type})"]
        if box.label and box.label != name:
            lines.append(label_text(box.label))
        lines.append(translate("Graph", "kind: {kind}").format(kind=kind_name(b.kind)))
        if box.marks:
            marks = ", ".join(label_text(m) for m in box.marks)
            lines.append(translate("Graph", "folded: {marks}").format(marks=marks))
        if box.count > 1:
            lines.append(
                translate("Graph", "{n} identical blocks (double-click to show them)").format(
                    n=box.count
                )
            )
        if b.out_shape:
            lines.append(translate("Graph", "out: {shape}").format(shape=fmt_shape(b.out_shape)))
        lines.append(translate("Graph", "params: {n}").format(n=integer(b.params * box.count)))
        lines.append(translate("Graph", "MACs: {n}").format(n=integer(b.macs * box.count)))
        return "<br>".join(lines)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        extra = self.ARC + 10 if self._has_side_glyph() else 4
        return self._rect.adjusted(-4, -4, extra, 4)

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
        pen = QPen(QColor("#c0392b"), 2.5 * self.style.scale)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawLine(QPointF(r.left() + 3, r.bottom() - 3), QPointF(r.right() - 3, r.top() + 3))
        painter.drawLine(
            QPointF(r.left() + 3, r.center().y()), QPointF(r.right() - 3, r.center().y())
        )
        if self.box.kind == "residual" and not self.box.open:
            pen = QPen(QColor("#1e8449"), 5.0 * self.style.scale)
            pen.setCosmetic(True)
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

    def _outline(self, selected_px: float = 3.0) -> QPen:
        st = self.style
        pen = (
            QPen(QColor("#ffb000"), selected_px * st.scale)
            if self.selected
            else QPen(st.outline, st.outline_px)
        )
        pen.setCosmetic(True)
        return pen

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
        if self.box.open:
            self._paint_frame(painter, lod)
            return
        if self.merge in ("add", "mul"):
            painter.setPen(self._outline())
            painter.setBrush(QColor("#ffffff"))
            painter.drawEllipse(r)
            pen = QPen(self.style.outline, 2.0 * self.style.scale)
            pen.setCosmetic(True)
            painter.setPen(pen)
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
            painter.setPen(self._outline() if self.selected else Qt.NoPen)
            painter.setBrush(QColor("#3b7dd8"))
            painter.drawRoundedRect(r, 3, 3)
            px = max(round(r.height() * 0.7), 1)  # as large as the bar holds
            if lod * px >= 5:
                f = QFont(self.small_font)
                f.setPixelSize(px)
                painter.setPen(QColor("#ffffff"))
                painter.setFont(f)
                painter.drawText(r, Qt.AlignCenter, label_text(self.box.label))  # "concat"
            return
        # a stack of boxes for a repeat group
        if self.box.count > 1:
            painter.setPen(QPen(QColor("#555555"), 0.8))
            painter.setBrush(self.fill.darker(115))
            painter.drawRoundedRect(r.translated(5, 5), 6, 6)
            painter.drawRoundedRect(r.translated(2.5, 2.5), 6, 6)
        painter.setPen(self._outline())
        painter.setBrush(self.fill)
        painter.drawRoundedRect(r, 6, 6)
        self._paint_glyph(painter, lod)
        if lod * self.label_font.pixelSize() < 4:  # under 4 px on screen text is noise
            return
        self._paint_label(painter, lod)

    def _paint_frame(self, painter: QPainter, lod: float) -> None:
        r = self._rect
        c = QColor(colour(self.box.kind))
        fill = QColor(c)
        fill.setAlphaF(0.07)
        pen = self._outline() if self.selected else QPen(c, 1.4 * self.style.scale)
        pen.setCosmetic(True)
        if self.piece:  # the rest of a frame cut by a column break
            pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(r, 8, 8)
        if self.label_text and lod * self.label_font.pixelSize() >= 4:
            painter.setPen(QColor("#000000" if self.style.high_contrast else "#333333"))
            painter.setFont(self.label_font)
            painter.drawText(
                r.adjusted(TEXT_PAD + 4, 2, -TEXT_PAD, 0),
                Qt.AlignLeft | Qt.AlignTop,
                self.label_text,
            )

    def _paint_label(self, painter: QPainter, lod: float) -> None:
        """The label; below it, when legible, the output shape and the folded layers' tag."""
        r = self._rect
        inner = r.adjusted(TEXT_PAD, 0, -TEXT_PAD, 0)
        small_px = self.small_font.pixelSize() * lod
        show_shape = small_px >= 8 and bool(self.block.out_shape) and r.height() >= 34
        show_tag = bool(self.marks_text) and small_px >= 5
        painter.setPen(self.text_pen)
        painter.setFont(self.label_font)
        if not (show_shape or show_tag):
            painter.drawText(inner, Qt.AlignCenter, self.label_text)
            return
        painter.drawText(
            inner.adjusted(0, 1, 0, -r.height() * 0.42), Qt.AlignCenter, self.label_text
        )
        row = inner.adjusted(0, r.height() * 0.55, 0, -1)
        if show_tag:
            fm = QFontMetricsF(self.small_font)
            tw = fm.horizontalAdvance(self.marks_text) + 6
            tag = QRectF(r.right() - tw - 3, r.bottom() - fm.height() - 3, tw, fm.height() + 1)
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(255, 255, 255, 170))
            painter.drawRoundedRect(tag, 3, 3)
            painter.setPen(QColor("#222222"))
            painter.setFont(self.small_font)
            painter.drawText(tag, Qt.AlignCenter, self.marks_text)
            row = row.adjusted(0, 0, -tw - 2, 0)
        if show_shape:
            painter.setPen(self.text_pen)
            painter.setFont(self.small_font)
            shape = QFontMetricsF(self.small_font).elidedText(
                fmt_shape(self.block.out_shape), Qt.ElideRight, max(row.width(), 1.0)
            )
            painter.drawText(row, Qt.AlignCenter, shape)

    def _paint_glyph(self, painter: QPainter, lod: float) -> None:
        """The family's mark on a closed block: skip arc, gate, branches, halves."""
        r = self._rect
        kind = self.box.kind
        st = self.style
        if kind == "residual":
            proj = self.box.shortcut == "projection"
            painter.setPen(st.edge_pen("skip", dashed=proj))
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(self._skip_arc())
            if proj:
                pen = QPen(st.edge_colour("skip"), 1.6 * st.scale)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(QColor("#ffffff"))
                painter.drawRect(QRectF(r.right() + self.ARC * 0.75 - 4, r.center().y() - 4, 8, 8))
        elif kind in ("se", "highway"):
            painter.setPen(st.edge_pen("gate", dashed=True))
            painter.setBrush(Qt.NoBrush)
            x = r.right() + self.ARC * 0.6
            painter.drawLine(QPointF(r.right(), r.top() + 6), QPointF(x, r.top() + 6))
            painter.drawLine(QPointF(x, r.top() + 6), QPointF(x, r.center().y() - 5))
            pen = QPen(st.edge_colour("gate"), 2.0 * st.scale)
            pen.setCosmetic(True)
            painter.setPen(pen)
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

    # selection and expansion go through the view, which owns the session link; a piece of a
    # frame stands for its frame
    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None and event.button() == Qt.LeftButton:
            view.blockClicked.emit(self.unit)
        event.accept()

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None:
            view.blockDoubleClicked.emit(self.unit)
        event.accept()

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802
        view = self.scene().views()[0] if self.scene() and self.scene().views() else None
        if view is not None:
            view.blockContextMenu.emit(self.unit, event.screenPos())
        event.accept()


class BandItem(QGraphicsItem):
    """A stage's faint background band with its resolution ("56x56, 256 ch")."""

    def __init__(self, band: Band, style: Style = DEFAULT_STYLE):
        super().__init__()
        self.band = band
        self._rect = QRectF(0, 0, band.w, band.h)
        self.setPos(band.x, band.y)
        self.setZValue(-100)
        self.setAcceptedMouseButtons(Qt.NoButton)
        tint = QColor(BAND_TINTS[band.stage % 2])
        self.brush = tint.darker(106) if style.high_contrast else tint
        self.font = QFont()
        # not scaled with the presentation: the label stands in the half gap under a stage
        self.font.setPixelSize(round(BAND_PX))
        self.text_pen = QColor("#222222" if style.high_contrast else "#5a6270")

    def shape(self) -> QPainterPath:
        return QPainterPath()  # clicks go through to the view

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        painter.fillRect(self._rect, self.brush)
        if _lod(painter, option) * self.font.pixelSize() < 5 or not self.band.label:
            return
        painter.setPen(self.text_pen)
        painter.setFont(self.font)
        # bottom left, inside the column: the half gap under a stage's last box is free
        painter.drawText(
            self._rect.adjusted(BAND_INSET, 0, -4, -1),
            Qt.AlignLeft | Qt.AlignBottom,
            label_text(self.band.label),
        )


class EdgeItem(QGraphicsItem):
    """A routed edge with an arrow head; its tensor shape shows when zoomed in."""

    def __init__(self, edge: LayoutEdge, projection: bool, style: Style = DEFAULT_STYLE):
        super().__init__()
        self.edge = edge
        self.style = style
        pts = [QPointF(x, y) for x, y in edge.points]
        self.path = QPainterPath(pts[0])
        for p in pts[1:]:
            self.path.lineTo(p)
        dashed = edge.kind == "gate" or (edge.kind == "skip" and projection)
        self.pen = style.edge_pen(edge.kind, dashed)
        self.label = fmt_shape(edge.shape)
        self.setZValue(1)
        a, b = pts[-2], pts[-1]
        ang = math.atan2(b.y() - a.y(), b.x() - a.x())
        s = 7.0 * style.scale
        self.head = QPolygonF(
            [
                b,
                QPointF(b.x() - s * math.cos(ang - 0.4), b.y() - s * math.sin(ang - 0.4)),
                QPointF(b.x() - s * math.cos(ang + 0.4), b.y() - s * math.sin(ang + 0.4)),
            ]
        )
        self.font = QFont()
        self.font.setPixelSize(round(LABEL_PX * 0.7 * style.scale))
        self._bounds = self.path.boundingRect().adjusted(-10, -10, 110, 10)
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
        if lod < FAR_LOD and self.edge.kind == "data":
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
            x, y = self.edge.points[0]
            painter.setFont(self.font)
            painter.setPen(QColor("#555555"))
            painter.drawText(QPointF(x + 5, y + self.font.pixelSize()), self.label)


#: zoom below which a large graph is drawn by one :class:`OverviewItem` instead of its items
#: (no label is legible there: a label is drawn from 4 px, and the largest is ~14 px at 1.0)
OVERVIEW_LOD = 0.25
#: boxes and edges from which a graph gets an overview (a smaller one draws fast item by item)
OVERVIEW_ITEMS = 1500


class OverviewItem(QGraphicsItem):
    """A large graph seen from far away, in one item: its boxes as patches of their colour,
    frames as outlines, edges and skip arcs as paths, each set drawn with one call.

    Painting 15,000 items one by one costs a Python call each (~0.4 s a frame); these few
    paths cost milliseconds. The view shows it, and hides the items, below
    :data:`OVERVIEW_LOD` (:meth:`GraphView.drawBackground`).
    """

    def __init__(self, boxes: list[BoxItem], edges: list[EdgeItem], style: Style = DEFAULT_STYLE):
        super().__init__()
        self.style = style
        fills: dict[int, tuple[QColor, QPainterPath]] = {}
        frames: dict[int, tuple[QColor, QPainterPath]] = {}
        arcs = {False: QPainterPath(), True: QPainterPath()}  # by projection
        bounds = QRectF()
        for it in boxes:
            b = it.box
            r = QRectF(b.x, b.y, b.w, b.h)
            bounds = bounds.united(r)
            if b.open:
                c = QColor(colour(b.kind))
                frames.setdefault(c.rgba(), (c, QPainterPath()))[1].addRect(r)
                continue
            fills.setdefault(it.fill.rgba(), (it.fill, QPainterPath()))[1].addRect(r)
            if b.kind == "residual":
                arcs[b.shortcut == "projection"].addPath(it._skip_arc().translated(b.x, b.y))
        paths: dict[tuple[str, bool], QPainterPath] = {}
        for e in edges:
            dashed = e.pen.style() == Qt.DashLine
            paths.setdefault((e.edge.kind, dashed), QPainterPath()).addPath(e.path)
            bounds = bounds.united(e.path.boundingRect())
        self.fills = list(fills.values())
        self.frames = list(frames.values())
        self.arcs = arcs
        self.edge_paths = paths
        self._bounds = bounds.adjusted(-4, -4, BoxItem.ARC + 10, 4)
        self.setZValue(-20)
        self.setAcceptedMouseButtons(Qt.NoButton)  # clicks go to the boxes

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never the target of a click or hover

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        st = self.style
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setBrush(Qt.NoBrush)
        for c, path in self.frames:
            # outlines only: the frames' 7 % tint, blended through every nesting level, cost
            # 16 of 44 ms a frame for preact_resnet1001, for a tint the eye barely sees here
            painter.setPen(QPen(c, 0))
            painter.drawPath(path)
        for (kind, dashed), path in self.edge_paths.items():
            # data edges one pixel wide (as the far items draw them), the others as near
            pen = QPen(st.edge_colour(kind), 0) if kind == "data" else st.edge_pen(kind, dashed)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(path)
        painter.setPen(Qt.NoPen)
        for c, path in self.fills:
            painter.setBrush(c)
            painter.drawPath(path)
        painter.setBrush(Qt.NoBrush)
        for proj, path in self.arcs.items():
            if not path.isEmpty():
                painter.setPen(st.edge_pen("skip", dashed=proj))
                painter.drawPath(path)
