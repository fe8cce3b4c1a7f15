"""Boxes of the block graph merging into one (a RepVGG block fused, a BatchNorm folded).

Drawing only, driven by :meth:`explorer.ui.graph_view.GraphView.animate_merge` (one step:
each box slides into its target while it shrinks and fades) and
:meth:`~explorer.ui.graph_view.GraphView.animate_steps` (a RepVGG fusion in captioned steps,
:mod:`explorer.present.fusion_steps`): each step moves, scales and fades boxes of the scene
and shows its caption and kernel pictures on a card over the view. One clock runs the
whole sequence; a step starts from where the previous one left its boxes.

It ends cleanly however it is interrupted: :meth:`stop` puts every box back, :meth:`end`
(a new layout about to replace the scene) leaves them; either way the card is hidden and
the items it added are removed, and no box already deleted is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QEasingCurve, QObject, QPointF, QTimer, QVariantAnimation, Signal
from PySide6.QtWidgets import QGraphicsItem

#: a target: a scene point, or a function giving it when the step starts
Target = QPointF | Callable[[], QPointF]


@dataclass
class Move:
    """A box (an item with a ``_rect``) going to ``target`` (its centre), at ``scale`` and
    ``opacity`` by the end of its step; ``target`` None: it stays where it is."""

    item: Any
    target: Target | None = None
    scale: float | None = None
    opacity: float | None = None
    z: float | None = None  # drawn above the others while it moves (a kernel going into one)


@dataclass
class Step:
    """One step of a merge: what moves, and what the card shows (None: no card)."""

    key: str
    duration_ms: int
    moves: list[Move] = field(default_factory=list)
    card: Any = None  # an explorer.present.fusion_steps.MergeStep


@dataclass
class _Live:
    move: Move
    pos: QPointF
    offset: QPointF
    scale: float
    opacity: float


class MergeAnimation(QObject):
    """One merge at a time over a scene's items; ``finished`` once it has run to its end."""

    finished = Signal()
    stepStarted = Signal(int, str)  # noqa: N815 - index, key

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._anim: QVariantAnimation | None = None
        self._steps: list[Step] = []
        self._starts: list[int] = []  # each step's start, ms
        self._index = -1
        self._live: list[_Live] = []
        # every item touched, as it was: (pos, opacity, scale, z), for stop()
        self._orig: dict[int, tuple[Any, QPointF, float, float, float]] = {}
        self._added: list[QGraphicsItem] = []  # items the caller added for the merge
        self._card: Any = None
        self._done: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._anim is not None

    @property
    def step_index(self) -> int:
        """The step being played (-1 when none)."""
        return self._index if self.running else -1

    # -- starting ------------------------------------------------------------------------------

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
        step = [Move(item, centre, 0.4, 0.0) for item, centre in moves]
        if not step:
            self.stop()
            QTimer.singleShot(0, self, lambda: self._finish(done))
            return False
        step += [Move(e, None, None, 0.0) for e in fades]
        return self.start_steps([Step("merge", duration_ms, step)], done)

    def start_steps(
        self,
        steps: list[Step],
        done: Callable[[], None] | None,
        card: Any = None,
        added: Iterable[QGraphicsItem] = (),
    ) -> bool:
        """Play ``steps`` in order, showing each step's ``card`` data on ``card`` (a widget
        with ``show_step``); ``added``: items put in the scene for the merge, removed at its
        end. ``done`` afterwards (from the event loop). Returns whether anything plays."""
        self.stop()
        self._added = list(added)
        total = sum(max(0, int(s.duration_ms)) for s in steps)
        if not steps or total <= 0:
            self._clear_extras()
            QTimer.singleShot(0, self, lambda: self._finish(done))
            return False
        self._steps, self._done, self._card = steps, done, card
        self._starts, t = [], 0
        for s in steps:
            self._starts.append(t)
            t += max(0, int(s.duration_ms))
        self._index = -1
        anim = QVariantAnimation(self)
        anim.setStartValue(0.0)
        anim.setEndValue(float(total))
        anim.setDuration(total)
        anim.valueChanged.connect(self._on_tick)
        anim.finished.connect(self._on_anim_finished)
        self._anim = anim
        self._enter(0)
        anim.start()
        return True

    # -- playing ---------------------------------------------------------------------------------

    def _enter(self, index: int) -> None:
        """Start step ``index`` from where the boxes are now."""
        self._index = index
        step = self._steps[index]
        self._live = []
        for m in step.moves:
            item = m.item
            if not shiboken6.isValid(item):
                continue
            key = id(item)
            if key not in self._orig:
                self._orig[key] = (
                    item, QPointF(item.pos()), item.opacity(), item.scale(), item.zValue()
                )  # fmt: skip
            if m.z is not None:
                item.setZValue(m.z)
            offset = QPointF()
            rect = getattr(item, "_rect", None)
            if m.target is not None and rect is not None:
                item.setTransformOriginPoint(rect.center())
                target = m.target() if callable(m.target) else m.target
                offset = target - item.mapToScene(rect.center())
            self._live.append(_Live(m, QPointF(item.pos()), offset, item.scale(), item.opacity()))
        if self._card is not None and shiboken6.isValid(self._card):
            self._card.show_step(step.card)
        self.stepStarted.emit(index, step.key)

    def _apply(self, t: float) -> None:
        e = QEasingCurve(QEasingCurve.Type.InOutCubic).valueForProgress(min(max(t, 0.0), 1.0))
        for lv in self._live:
            item, m = lv.move.item, lv.move
            if not shiboken6.isValid(item):
                continue
            if m.target is not None:
                item.setPos(lv.pos + lv.offset * e)
            if m.scale is not None:
                item.setScale(lv.scale + (m.scale - lv.scale) * e)
            if m.opacity is not None:
                item.setOpacity(lv.opacity + (m.opacity - lv.opacity) * e)

    def _on_tick(self, value: Any) -> None:
        if self._anim is None:
            return
        now = float(value)
        while self._index + 1 < len(self._steps) and now >= self._starts[self._index + 1]:
            self._apply(1.0)  # the step that ends is left exactly at its end
            self._enter(self._index + 1)
        start = self._starts[self._index]
        length = max(1, int(self._steps[self._index].duration_ms))
        self._apply((now - start) / length)

    def _on_anim_finished(self) -> None:
        if self._anim is None:
            return
        while self._index + 1 < len(self._steps):  # a clock that jumped: no step skipped
            self._apply(1.0)
            self._enter(self._index + 1)
        self._apply(1.0)
        self.end()

    # -- ending ----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop without calling ``done``; the items are put back, the card hidden."""
        was = self._anim is not None
        self._halt()
        if was:
            for item, pos, opacity, scale, z in self._orig.values():
                if shiboken6.isValid(item):
                    item.setPos(pos)
                    item.setOpacity(opacity)
                    item.setScale(scale)
                    item.setZValue(z)
        self._clear_extras()
        self._done = None

    def end(self) -> None:
        """End now, items left as they are (they may be about to be deleted); ``done`` follows
        from the event loop: it may lay the graph out again, which must not happen inside the
        caller (a scene being rebuilt) or inside the animation's own signal."""
        if self._anim is None:
            return
        self._halt()
        self._clear_extras()
        done, self._done = self._done, None
        QTimer.singleShot(0, self, lambda: self._finish(done))

    def _halt(self) -> None:
        anim, self._anim = self._anim, None
        if anim is not None:
            anim.valueChanged.disconnect(self._on_tick)
            anim.finished.disconnect(self._on_anim_finished)
            anim.stop()
            anim.deleteLater()
        self._index = -1

    def _clear_extras(self) -> None:
        """The card hidden, the added items out of their scene, nothing held."""
        for item in self._added:
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self._added, self._live, self._orig, self._steps = [], [], {}, []
        if self._card is not None and shiboken6.isValid(self._card):
            self._card.hide()
        self._card = None

    def _finish(self, done: Callable[[], None] | None) -> None:
        self.finished.emit()
        if done is not None:
            done()
