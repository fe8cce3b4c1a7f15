"""Boxes of the block graph merging into one (a RepVGG block fused, a BatchNorm folded).

Drawing only, driven by :meth:`explorer.ui.graph_view.GraphView.animate_merge`: each moving
box slides to the centre of its target box while it shrinks and fades; the edges that touch
a moving box fade where they are. About half a second, eased at both ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QEasingCurve, QObject, QPointF, QTimer, QVariantAnimation, Signal
from PySide6.QtWidgets import QGraphicsItem


class MergeAnimation(QObject):
    """One merge at a time over a scene's items; ``finished`` once it has run to its end."""

    finished = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._anim: QVariantAnimation | None = None
        # (item, start position, offset to the target's centre, shrinks)
        self._items: list[tuple[QGraphicsItem, QPointF, QPointF, bool]] = []
        self._done: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._anim is not None

    def start(
        self,
        moves: Iterable[tuple[Any, QPointF]],
        fades: Iterable[QGraphicsItem],
        duration_ms: int,
        done: Callable[[], None] | None,
    ) -> bool:
        """Move each box of ``moves`` (item with a ``_rect``, target centre in scene units) and
        fade the items of ``fades``; ``done`` afterwards. Nothing to move: ``done`` is called
        from the event loop at once. Returns whether something moves."""
        self.stop()
        items: list[tuple[QGraphicsItem, QPointF, QPointF, bool]] = []
        for item, centre in moves:
            item.setTransformOriginPoint(item._rect.center())
            items.append((item, item.pos(), centre - item.mapToScene(item._rect.center()), True))
        if not items:
            QTimer.singleShot(0, self, lambda: self._finish(done))
            return False
        items += [(e, e.pos(), QPointF(), False) for e in fades]
        self._items, self._done = items, done
        anim = QVariantAnimation(self)
        anim.setStartValue(0.0)
        anim.setEndValue(1.0)
        anim.setDuration(max(1, int(duration_ms)))
        anim.setEasingCurve(QEasingCurve.Type.InOutCubic)
        anim.valueChanged.connect(self._on_step)
        anim.finished.connect(self.end)
        self._anim = anim
        anim.start()
        return True

    def _on_step(self, value: Any) -> None:
        t = float(value)
        for item, start, offset, shrinks in self._items:
            item.setPos(start + offset * t)
            item.setOpacity(1.0 - t)
            if shrinks:
                item.setScale(1.0 - 0.6 * t)

    def stop(self) -> None:
        """Stop without calling ``done``; the items are put back."""
        if self._anim is not None:
            self._halt()
            for item, start, _, _ in self._items:
                item.setPos(start)
                item.setOpacity(1.0)
                item.setScale(1.0)
        self._items, self._done = [], None

    def end(self) -> None:
        """End now, items left as they are (they may be about to be deleted); ``done`` follows
        from the event loop: it may lay the graph out again, which must not happen inside the
        caller (a scene being rebuilt) or inside the animation's own signal."""
        if self._anim is None:
            return
        self._halt()
        done, self._items, self._done = self._done, [], None
        QTimer.singleShot(0, self, lambda: self._finish(done))

    def _halt(self) -> None:
        anim, self._anim = self._anim, None
        if anim is not None:
            anim.valueChanged.disconnect(self._on_step)
            anim.stop()
            anim.deleteLater()

    def _finish(self, done: Callable[[], None] | None) -> None:
        self.finished.emit()
        if done is not None:
            done()
