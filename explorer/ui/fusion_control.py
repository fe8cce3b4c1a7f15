"""Fuse for deployment in the window: RepVGG re-parameterisation or conv-BN folding, live.

The work (copy and fuse the model, trace the fused copy, check it against the model on the
current image, time both) runs on a worker thread under the run lock, with a generation
number and Cancel, like every long job of the window. When it arrives the branches that
disappear are animated into their block (:meth:`GraphView.animate_merge`), then the session
swaps the analysis (:meth:`Session.set_fused`): the graph, the inspector, the runs and the
evaluations follow the fused model; weights and images stay. "Unfuse" swaps back.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QAction, QTransform
from PySide6.QtWidgets import QDockWidget, QLabel

from explorer.app.jobs import JobRunner, Progress
from explorer.app.session import Event, Session
from explorer.app.workflows.fuse import KINDS, FuseOutcome, FuseSettings
from explorer.errors import one_line
from explorer.present.fusion_steps import merge_steps
from explorer.ui.control import Control
from explorer.ui.fusion_card import MERGE_ITEMS, FusedBoxItem, KernelCard, TagItem, step_words
from explorer.ui.fusion_results import FusionResults, words
from explorer.ui.label_words import label_text
from explorer.ui.merge_animation import Move, Step

LANE = "fusion"


class FusionControl(Control):
    """The fusion actions and the job that fuses; the window places the actions.

    It gets the session, the job runner, the graph view (for the merge animation) and a status
    outlet, never the window.
    """

    fused = Signal(object)  # a FuseOutcome, once the fused graph is shown
    failed = Signal(str)
    mergeStarted = Signal(str)  # noqa: N815 - the block whose merge is being animated

    def __init__(self, session: Session, jobs: JobRunner, graph: Any, *args: Any) -> None:
        """``graph``: the graph view, where the branches merge; ``args``: status, parent."""
        self.graph = graph
        super().__init__(session, jobs, *args)

    def setup(self) -> None:
        self.settings = FuseSettings()  # the command line's defaults: the same figures
        self.animate_ms = 500  # conv-BN folding: one step
        self.speed = 1.0  # > 1 plays the RepVGG steps faster (tests)
        self.last: FuseOutcome | None = None
        self.panel = FusionResults()  # the window docks it beside the graph
        self.card = KernelCard(self.graph.viewport())
        self._pending: FuseOutcome | None = None  # arrived, being animated
        self._opened: set[str] = set()  # what was opened to show the merge (a block, a group)
        self._view_before: tuple[Any, Any] | None = None  # the view's zoom and centre
        self._can: tuple[Any, bool, bool] = (None, False, False)  # analysis, repvgg, BN
        self._build_actions()
        # the fused state stays in sight (the status line is shared with other work)
        self.label = QLabel("")
        self.label.setStyleSheet("color: #1f5fa8; font-weight: bold;")
        s = self.session
        s.connect(Event.MODEL_LOADING, lambda _n: self.cancel())
        s.connect(Event.WEIGHTS_REQUESTED, lambda _c: self.cancel())
        for ev in (
            Event.MODEL_PREVIEWED,  # a stored graph: nothing to fuse until the model is built
            Event.MODEL_CHANGED,
            Event.WEIGHTS_CHANGED,
            Event.WEIGHTS_FAILED,
        ):
            s.connect(ev, lambda *_: self.update_actions())
        s.connect(Event.FUSED_CHANGED, self._on_fused_changed)
        s.connect(Event.MODEL_CHANGED, lambda *_: self._on_model_changed())
        self.jobs.on_busy(lambda *_: self.update_actions())

    # -- actions ----------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.act_fuse = QAction(self.tr("Fuse RepVGG branches"), self)
        self.act_fuse.setToolTip(self.tr("Re-parameterise every RepVGG block into one 3x3 conv"))
        self.act_fuse.triggered.connect(lambda: self.fuse("repvgg"))
        self.act_fold = QAction(self.tr("Fold BatchNorm into convolutions"), self)
        self.act_fold.setToolTip(self.tr("Fold each BatchNorm that follows a conv into the conv"))
        self.act_fold.triggered.connect(lambda: self.fuse("conv-bn"))
        self.act_unfuse = QAction(self.tr("Unfuse"), self)
        self.act_unfuse.setToolTip(self.tr("Back to the training-time model"))
        self.act_unfuse.triggered.connect(self.unfuse)
        self.act_results = QAction(self.tr("Fusion results"), self)
        self.act_results.setToolTip(self.tr("Show the panel with the last fusion's figures"))
        self.act_results.triggered.connect(self.show_results)
        self.act_motion = QAction(self.tr("Animate the fusion in steps"), self)
        self.act_motion.setCheckable(True)
        self.act_motion.setChecked(True)
        self.act_motion.setToolTip(
            self.tr(
                "Off: the fused graph is shown at once (reduced motion); on: the merge is "
                "played in five captioned steps (about 2 s)"
            )
        )
        # the toolbar's one button: the fusion this model offers, or back
        self.act_deploy = QAction(self.tr("Fuse for deployment"), self)
        self.act_deploy.triggered.connect(self._on_deploy)
        self.update_actions()

    def _offers(self) -> tuple[bool, bool]:
        """(RepVGG blocks, BatchNorms) of the training-time model, found once per model."""
        s = self.session
        an = s.unfused_analysis if s.fused else s.analysis
        if an is None or not an.built:  # a stored graph: the model is still being built
            return False, False
        if self._can[0] is not an:
            from explorer.app.workflows.fuse import offered

            self._can = (an, *offered(an.model))
        return self._can[1], self._can[2]

    @property
    def waiting_for_weights(self) -> bool:
        s = self.session
        return s.analysis is not None and (s.weights_info is None or self.jobs.busy("weights"))

    def _ready(self) -> bool:
        return self.session.analysis is not None and not self.waiting_for_weights and not self.busy

    def update_actions(self) -> None:
        s = self.session
        rep, bn = self._offers()
        ready = self._ready() and not s.fused
        self.act_fuse.setEnabled(ready and rep)
        self.act_fold.setEnabled(ready and bn and not rep)  # RepVGG: its own fusion
        self.act_unfuse.setEnabled(s.fused and not self.busy)
        self.act_results.setEnabled(True)
        self.act_deploy.setText(self.tr("Unfuse") if s.fused else self.tr("Fuse for deployment"))
        self.act_deploy.setEnabled(
            self.act_unfuse.isEnabled()
            or self.act_fuse.isEnabled()
            or self.act_fold.isEnabled()
            or self.animating  # pressed again: the fused graph at once
        )
        self.act_deploy.setToolTip(
            self.tr("Show the fused model now (skip the animation)")
            if self.animating
            else self.tr("Back to the training-time model")
            if s.fused
            else self.act_fuse.toolTip()
            if rep
            else self.act_fold.toolTip()
        )

    def _on_fused_changed(self, fused: bool, report: Any) -> None:
        if fused and report is not None:
            self.label.setText(self.tr("fused: ") + words(report.summary().split("; ")[0]))
            self.label.setToolTip(report.summary())
        else:
            self.label.setText("")
            self.label.setToolTip("")
            if self.panel.outcome is not None:  # the figures stay, said to be of the fusion
                self.panel.show_outcome(self.panel.outcome, fused_now=False)
        self.update_actions()

    def _on_model_changed(self) -> None:
        out = self.last
        if out is not None and self.session.analysis not in (out.before, out.after):
            self.last = None
            self.panel.clear()

    def offered(self) -> str | None:
        """The fusion the current model offers (``repvgg``, ``conv-bn``), or None."""
        rep, bn = self._offers()
        return "repvgg" if rep else "conv-bn" if bn else None

    def _on_deploy(self) -> None:
        if self.animating:
            self.graph.finish_merge()
        elif self.session.fused:
            self.unfuse()
        else:
            self.fuse(self.offered() or "conv-bn")

    @property
    def busy(self) -> bool:
        return self.jobs.busy(LANE) or self._pending is not None

    @property
    def animating(self) -> bool:
        """The fused model has arrived and its merge is being played."""
        return self._pending is not None

    # -- fusing -------------------------------------------------------------------------------

    def fuse(self, kind: str = "repvgg") -> bool:
        """Start fusing the current model (``repvgg`` or ``conv-bn``); False if it cannot."""
        from dataclasses import replace

        s = self.session
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {tuple(KINDS)}")
        if self.animating:  # pressed again while the merge plays: show its end now
            self.graph.finish_merge()
            return False
        if s.fused or not self._ready() or self.jobs.closed:
            why = (
                self.tr("already fused")
                if s.fused
                else self.tr("wait for the model and its weights")
            )
            self.status(self.tr("Cannot fuse now: {why}").format(why=why))
            return False
        an, info = s.analysis, s.weights_info
        settings = replace(self.settings, kinds=(kind,), device=s.device, input_size=s.input_size)

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.app.workflows.fuse import fuse

            return fuse(an.spec, an.model, info, settings, lock=s.lock, analysis=an)

        self.jobs.start(
            LANE,
            steps,
            label=self.tr("fusing"),
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_error=self._on_error,
        )
        self.update_actions()
        return True

    def _on_progress(self, p: Progress) -> None:
        self.status(self.tr("Fusing: {step}...").format(step=p.message))

    def _on_error(self, exc: BaseException) -> None:
        message = one_line(exc)
        self.status(self.tr("Fusion failed: {message}").format(message=message))
        self.failed.emit(message)
        self.session.report_failure("fusion", exc)
        self.update_actions()

    def _on_done(self, out: FuseOutcome) -> None:
        s = self.session
        if s.analysis is not out.before or s.fused:  # the model changed under it
            self.update_actions()
            return
        self._pending = out
        self.status(self.tr("Fusing: merging the branches..."))
        gen = self.jobs.generation(LANE)

        def done() -> None:
            self._on_merged(gen)

        if out.repvgg is None:
            self.graph.animate_merge(self._fold_groups(out), self.animate_ms, done=done)
        elif not self.act_motion.isChecked():
            self.graph.animate_steps([], done)  # reduced motion: the fused graph at once
        else:
            q = self._shown_block(out)
            steps = self._plan(out, q) if q is not None else []
            added = [m.item for st in steps for m in st.moves if isinstance(m.item, MERGE_ITEMS)]
            self.graph.animate_steps(steps, done, self.card, added)
            if steps:
                self._place_card(q, steps)
                self.mergeStarted.emit(q)
        self.update_actions()

    def _fold_groups(self, out: FuseOutcome) -> dict[str, list[str]]:
        """Conv-BN folding: each drawn conv -> the drawn BatchNorms folded into it."""
        groups: dict[str, list[str]] = {}
        for conv, bn in out.report.pairs:
            if conv in self.graph.boxes and bn in self.graph.boxes:
                groups.setdefault(conv, []).append(bn)
        return groups

    def _shown_block(self, out: FuseOutcome) -> str | None:
        """The fused block whose merge is shown, opened for it: the selected one (or the one
        holding the selection), else one with all three branches (drawn open, drawn, or in
        a repeat group, opened), else the first one drawn open, else the first drawn."""
        graph, s = self.graph, self.session
        fused = [q for q in out.report.blocks_fused if q in graph.boxes]
        if not fused:
            return None
        sel = s.selected or ""
        chosen = next((q for q in fused if sel == q or sel.startswith(q + ".")), None)
        if chosen is None:  # one with all three branches shows every step
            whole = [q for q in fused if (k := out.kernels.get(q)) and k.branch("identity")]
            shown = [q for q in fused if graph.boxes[q].box.open]
            chosen = next((q for q in whole if q in shown), whole[0] if whole else None)
            if chosen is None:  # such blocks drawn as a repeat group: open one
                chosen = self._open_from_group(out)
            chosen = chosen or (shown[0] if shown else fused[0])
        if chosen in graph.boxes and not graph.boxes[chosen].box.open:
            self._opened.add(chosen)
            s.set_expanded(s.expanded | {chosen})
        if chosen not in graph.boxes or not graph.boxes[chosen].box.open:
            return None
        seen = graph.mapToScene(graph.viewport().rect()).boundingRect()
        if not seen.contains(graph.boxes[chosen].sceneBoundingRect()):
            graph.center_on_unit(chosen)  # the whole frame in sight where it fits
        return chosen

    def _open_from_group(self, out: FuseOutcome) -> str | None:
        """Draw a repeat group holding a block with all three branches as its blocks; that
        block, or None."""
        for u, item in list(self.graph.boxes.items()):
            if item.box.count < 2 or item.box.open:
                continue
            for b in item.box.members:
                k = out.kernels.get(b)
                if k is not None and k.branch("identity") is not None:
                    self._opened.add(u)
                    self.session.set_expanded(self.session.expanded | {u})
                    return b if b in self.graph.boxes else None
        return None

    def _units(self, frame: str, prefix: str | None = None) -> list[str]:
        """Drawn units inside ``frame`` (and under ``prefix``, a branch's module name)."""
        graph = self.graph
        return [
            u
            for u, item in graph.boxes.items()
            if self._inside(graph, item, frame)
            and (prefix is None or u == prefix or u.startswith(prefix + "."))
            and not graph.boxes[u].box.open
        ]

    def _plan(self, out: FuseOutcome, q: str) -> list[Step]:
        """The five steps over the drawn boxes of block ``q`` (other open fused blocks merge
        in the last step)."""
        graph = self.graph
        boxes = graph.boxes
        k = out.kernels.get(q)
        names = {b.role: f"{q}.{b.name}" for b in k.branches} if k is not None else {}
        if not names:  # no pictures: the branches by their names
            for u in self._units(q):
                tail = u[len(q) + 1 :].split(".")[0]
                role = "1x1" if "1x1" in tail else "identity" if "identity" in tail else None
                role = role or ("kxk" if "conv" in tail or "kxk" in tail else None)
                if role and role not in names:
                    names[role] = f"{q}.{tail}"
        branch_units = {r: self._units(q, p) for r, p in names.items()}
        kxk_units = branch_units.get("kxk", [])
        anchor = next(
            (boxes[u] for u in kxk_units if boxes[u].box.kind == "conv"),
            boxes[kxk_units[0]] if kxk_units else boxes[q],
        )

        def centre_of(item: Any) -> Any:
            return lambda: item.mapToScene(item._rect.center())

        def edges_of(units: list[str]) -> list[Any]:
            us = set(units)
            return [e for e in graph.edges if e.edge.src in us or e.edge.dst in us]

        # 1: each branch's BN into its conv, where a branch is drawn open
        fold: list[Move] = []
        folded: list[str] = []
        for role, units in branch_units.items():
            conv = next((boxes[u] for u in units if boxes[u].box.kind == "conv"), None)
            if conv is None or role == "identity":
                continue
            bns = [u for u in units if boxes[u].box.kind == "norm"]
            folded += bns
            fold += [Move(boxes[u], centre_of(conv), 0.3, 0.0) for u in bns]
        fold += [Move(e, None, None, 0.0) for e in edges_of(folded)]
        # a BatchNorm drawn as its conv's mark: a tag from the box's corner into its middle
        for role, units in branch_units.items():
            for u in units if role != "identity" else []:
                box = boxes[u]
                marks = [m for m in getattr(box.box, "marks", []) if m.startswith("BN")]
                if not marks or box.box.kind == "norm":
                    continue
                r = box.mapRectToScene(box._rect)
                tag = TagItem("BN", QPointF(r.right() - 16, r.bottom() - 4))
                graph.scene().addItem(tag)
                fold.append(Move(tag, centre_of(box), 0.5, 0.0))
        # 2 and 3: the 1x1 and the identity shrink into the centre of the kxk
        one = [u for u in branch_units.get("1x1", []) if u not in folded]
        ident = branch_units.get("identity", [])
        pad = [Move(boxes[u], centre_of(anchor), 0.45, 0.9, 15) for u in one]
        pad += [Move(e, None, None, 0.0) for e in edges_of(one)]
        delta = [Move(boxes[u], centre_of(anchor), 0.35, 0.9, 16) for u in ident]
        delta += [Move(e, None, None, 0.0) for e in edges_of(ident)]
        # 4: the sum nodes go; the two small kernels are part of the kxk now
        inner = self._units(q)
        adds = [u for u in inner if getattr(boxes[u], "merge", None) == "add"]
        total = [Move(boxes[u], None, 0.3, 0.0) for u in adds]
        total += [Move(boxes[u], None, None, 0.0) for u in one + ident]
        total += [Move(e, None, None, 0.0) for e in edges_of(adds)]
        # 5: the rest into the frame's centre, the fused box in its place
        frame = boxes[q]
        centre = frame.mapToScene(frame._rect.center())
        label = k.label() if k is not None else "3x3 conv"
        fused_box = FusedBoxItem(centre, label, max(150.0, anchor._rect.width()))
        graph.scene().addItem(fused_box)
        rest = [u for u in inner if u not in set(folded + one + ident + adds)]
        last = [Move(boxes[u], QPointF(centre), 0.4, 0.0) for u in rest]
        last += [Move(e, None, None, 0.0) for e in edges_of(inner)]
        last.append(Move(fused_box, None, None, 1.0))
        for other in out.report.blocks_fused:  # other blocks drawn open merge as one
            if other != q and other in boxes and boxes[other].box.open:
                o_units = [u for u in self._units(other) if u not in set(inner)]
                c = boxes[other].mapToScene(boxes[other]._rect.center())
                last += [Move(boxes[u], QPointF(c), 0.4, 0.0) for u in o_units]
                last += [Move(e, None, None, 0.0) for e in edges_of(o_units)]
        moves = {"fold": fold, "pad": pad, "identity": delta, "sum": total, "fused": last}
        return [
            Step(c.key, max(1, round(c.duration_ms / max(self.speed, 1e-3))), moves[c.key], c)
            for c in merge_steps(k, label_text(label), tr=step_words)
        ]

    def _place_card(self, q: str, steps: list[Step]) -> None:
        """The card in a corner of the view, and the block's frame beside it: the corner
        where the card (its size fixed at its largest step) hides least of the frame, the
        view zoomed out (to half at most) where the frame would not fit beside it. The view
        is put back as it was once the merge is over (:meth:`_restore_view`)."""
        g, item = self.graph, self.graph.boxes.get(q)
        if item is None:
            return
        vp = g.viewport()
        size = self.card.largest([st.card for st in steps])
        self.card.fixed = size
        legend = g.legend.width() + 16 if g.legend.isVisible() else 8
        scale = g.transform().m11() or 1.0
        self._view_before = (g.transform(), g.mapToScene(vp.rect().center()))
        frame = item.mapRectToScene(item._rect)  # the frame itself, not its arcs' room
        best: tuple[float, float, str, QPointF] | None = None
        for corner in ("top-left", "bottom-left", "bottom-right"):
            card = self.card.rect_at(corner, size)
            if corner.endswith("left"):
                left, right = card.right() + 8, vp.width() - (legend if corner[0] == "t" else 8)
            else:
                left, right = 8, card.left() - 8
            fit = min((right - left - 16) / frame.width(), (vp.height() - 16) / frame.height())
            want_x = (left + right) / 2 if right > left else vp.width() / 2
            for zoom in {scale, max(scale * 0.5, min(scale, fit))}:
                centre = QPointF(
                    frame.center().x() - (want_x - vp.width() / 2) / zoom, frame.center().y()
                )
                g.setTransform(QTransform.fromScale(zoom, zoom))
                g.centerOn(centre)  # the scroll bars may not reach: measure where it landed
                on_screen = g.mapFromScene(frame).boundingRect()
                hit = on_screen.intersected(card)
                seen = on_screen.intersected(vp.rect())
                area = on_screen.width() * on_screen.height()
                hidden = (
                    (hit.width() * hit.height() if hit.isValid() else 0)
                    + area
                    - (seen.width() * seen.height() if seen.isValid() else 0)
                )
                # the share hidden, and zooming out costs too (small text from the back)
                cost = hidden / max(1, area) + 0.6 * (1 - zoom / scale)
                if best is None or (cost, -zoom) < best[:2]:
                    best = (cost, -zoom, corner, centre)
        assert best is not None
        g.setTransform(QTransform.fromScale(-best[1], -best[1]))
        g.centerOn(best[3])
        self.card.place(best[2])

    def _restore_view(self) -> None:
        """The zoom and place the view had before the merge."""
        before, self._view_before = self._view_before, None
        if before is not None:
            self.graph.setTransform(before[0])
            self.graph.centerOn(before[1])

    @staticmethod
    def _inside(graph: Any, item: Any, frame: str) -> bool:
        parent = item.box.parent
        while parent is not None:
            if parent == frame:
                return True
            up = graph.boxes.get(parent)
            parent = up.box.parent if up is not None else None
        return False

    def _on_merged(self, gen: int) -> None:
        out, self._pending = self._pending, None
        if gen != self.jobs.generation(LANE) or out is None or self.jobs.closed:
            return
        opened, self._opened = self._opened, set()
        s = self.session
        if s.analysis is not out.before or s.fused:
            self.update_actions()
            return
        s.set_fused(out.after, out.report)
        if s.expanded & opened:  # a repeat group opened for the merge closes again
            s.set_expanded(s.expanded - opened)
        self._restore_view()
        self.last = out
        self.status(out.status_line())
        self.panel.show_outcome(out)
        self.show_results()
        self.update_actions()
        self.fused.emit(out)

    def show_results(self) -> None:
        """The results panel shown and raised (its dock, where the window placed it)."""
        dock = self.panel.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()

    def unfuse(self) -> None:
        """Back to the training-time model (its graph, its runs)."""
        if not self.session.fused:
            return
        self.cancel()
        self.session.set_unfused()
        self.status(self.tr("Unfused: the training-time model is back"))
        self.update_actions()

    def cancel(self) -> bool:
        """Stop a fusion in flight (the model stays as it is); True if one was."""
        was = self.busy
        self.jobs.cancel(LANE)
        if self._pending is not None:
            self._pending = None
            self.graph.stop_merge()
            self._restore_view()
        if self._opened:
            opened, self._opened = self._opened, set()
            self.session.set_expanded(self.session.expanded - opened)
        if was and not self.jobs.closed:
            self.status(self.tr("Fusion cancelled: the model is as it was"))
        self.update_actions()
        return was
