"""A thousand-layer graph seen from far away: drawn by one overview item, its items not
painted (still clickable), and back to the items when zoomed in."""

from __future__ import annotations

from _models import analysis
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from explorer.graph.kinds import colour
from explorer.present.layout import compute_layout, expand_all
from explorer.present.wrap import wrap_layout
from explorer.ui.graph_items import OVERVIEW_LOD, BoxItem
from explorer.ui.graph_view import GraphView

NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def _view(qtbot, name: str, every_unit: bool = True) -> GraphView:
    an = analysis(name)
    view = GraphView()
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    lay = compute_layout(an.tree, expand_all(an.tree), collapse_repeats=not every_unit)
    w, h = view.graph_area()
    view.show_layout(wrap_layout(lay, w / h, view_px=(w, h)), an.tree.blocks)
    view.fit()
    return view


def _frame(view: GraphView) -> QImage:
    img = QImage(view.viewport().size(), QImage.Format_ARGB32_Premultiplied)
    painter = QPainter(img)
    view.render(painter)
    painter.end()
    return img


def test_far_away_one_overview_draws_every_box(qtbot) -> None:
    view = _view(qtbot, "preact_resnet1001")
    assert view.overview is not None and view.transform().m11() < OVERVIEW_LOD
    img = _frame(view)
    assert view.overview.isVisible()
    boxes = list(view.boxes.values())
    assert all(b.flags() & NO_CONTENTS for b in boxes) and not any(
        e.isVisible() for e in view.edges
    )
    # what the frame shows is what the layout says: each closed box's centre in its colour
    convs = [b for b in boxes if not b.box.open and b.box.kind == "conv" and b.box.w > 100]
    assert len(convs) > 900
    want = QColor(colour("conv"))
    seen = 0
    for b in convs[::50]:
        p = view.mapFromScene(QPointF(b.box.x + b.box.w / 2, b.box.y + b.box.h / 2))
        got = QColor(img.pixel(p.x(), p.y()))
        seen += max(abs(got.red() - want.red()), abs(got.green() - want.green())) <= 40
    assert seen >= 0.8 * len(convs[::50])
    # a box still takes a click: the item under the pointer is the box, not the overview
    b = convs[10]
    p = view.mapFromScene(QPointF(b.box.x + b.box.w / 2, b.box.y + b.box.h / 2))
    assert isinstance(view.itemAt(p), BoxItem) and view.itemAt(p).box.id == b.box.id


def test_near_the_items_draw_themselves(qtbot) -> None:
    view = _view(qtbot, "preact_resnet1001")
    _frame(view)
    view.resetTransform()  # 1:1, labels legible
    _frame(view)
    assert not view.overview.isVisible()
    assert not any(b.flags() & NO_CONTENTS for b in view.boxes.values())
    assert all(e.isVisible() for e in view.edges)


def test_the_selected_box_stays_drawn_over_the_overview(qtbot) -> None:
    view = _view(qtbot, "preact_resnet1001")
    _frame(view)
    unit = "layer2.7"
    view.set_selected(unit)
    _frame(view)
    assert view.overview.isVisible()
    assert not view.boxes[unit].flags() & NO_CONTENTS
    assert sum(not b.flags() & NO_CONTENTS for b in view.boxes.values()) == 1


def test_a_small_graph_has_no_overview(qtbot) -> None:
    view = _view(qtbot, "resnet56", every_unit=False)
    view.scale(0.1, 0.1)
    _frame(view)
    assert view.overview is None
    assert not any(b.flags() & NO_CONTENTS or not b.isVisible() for b in view.boxes.values())
