"""The Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` for each void call made
from Python (an overridden ``paint``, ``QPainter.drawRect`` ...); after some thousands
of frames ``None`` is deallocated and the interpreter aborts. pyproject.toml excludes it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView


class _Item(QGraphicsItem):
    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(0, 0, 10, 10)

    def paint(self, painter, option, widget=None) -> None:
        painter.drawRect(QRectF(0, 0, 10, 10))


def test_painting_keeps_none_refcount(qapp) -> None:
    scene = QGraphicsScene()
    for i in range(50):
        it = _Item()
        it.setPos(12 * i, 0)
        scene.addItem(it)
    view = QGraphicsView(scene)
    view.resize(700, 60)
    img = QImage(700, 60, QImage.Format_ARGB32)
    before = sys.getrefcount(None)
    for _ in range(20):
        p = QPainter(img)
        view.render(p)
        p.end()
    # 1,000 paint() calls and 1,000 drawRect() calls: a leak shows as about -2,000
    assert sys.getrefcount(None) - before > -200
