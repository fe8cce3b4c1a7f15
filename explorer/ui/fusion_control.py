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

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QVBoxLayout

from explorer.app.jobs import JobRunner, Progress
from explorer.app.session import Event, Session
from explorer.app.workflows.fuse import KINDS, FuseOutcome, FuseSettings
from explorer.errors import one_line
from explorer.present.layout import GROUP_SEP
from explorer.ui.control import Control
from explorer.ui.tables import fill_table

LANE = "fusion"


class FusionDialog(QDialog):
    """The figures of the last fusion, before and after (non-modal)."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.setWindowTitle("Fused for deployment")
        self.setModal(False)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["", "before", "after", "change"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.resize(620, 380)

    def show_outcome(self, out: FuseOutcome) -> None:
        notes = "".join(f"<br><i>{n}</i>" for n in out.notes())
        kind = " + ".join(KINDS[k] for k in out.kind.split("+"))
        self.title.setText(f"<b>{out.spec.name}</b>: {kind}<br>{out.report.summary()}{notes}")
        fill_table(self.table, out.rows(), right=(1, 2))
        self.table.resizeColumnsToContents()

    def rows(self) -> list[list[str]]:
        t = self.table
        return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


class FusionControl(Control):
    """The fusion actions and the job that fuses; the window places the actions.

    It gets the session, the job runner, the graph view (for the merge animation) and a status
    outlet, never the window.
    """

    fused = Signal(object)  # a FuseOutcome, once the fused graph is shown
    failed = Signal(str)

    def __init__(self, session: Session, jobs: JobRunner, graph: Any, *args: Any) -> None:
        """``graph``: the graph view, where the branches merge; ``args``: status, parent."""
        self.graph = graph
        super().__init__(session, jobs, *args)

    def setup(self) -> None:
        self.settings = FuseSettings()  # the command line's defaults: the same figures
        self.animate_ms = 500
        self.last: FuseOutcome | None = None
        self.dialog: FusionDialog | None = None
        self._pending: FuseOutcome | None = None  # arrived, being animated
        self._opened: str | None = None  # a block opened to show the merge
        self._can: tuple[Any, bool, bool] = (None, False, False)  # analysis, repvgg, BN
        self._build_actions()
        # the fused state stays in sight (the status line is shared with other work)
        self.label = QLabel("")
        self.label.setStyleSheet("color: #1f5fa8; font-weight: bold;")
        s = self.session
        s.connect(Event.MODEL_LOADING, lambda _n: self.cancel())
        s.connect(Event.WEIGHTS_REQUESTED, lambda _c: self.cancel())
        for ev in (Event.MODEL_CHANGED, Event.WEIGHTS_CHANGED, Event.WEIGHTS_FAILED):
            s.connect(ev, lambda *_: self.update_actions())
        s.connect(Event.FUSED_CHANGED, self._on_fused_changed)
        self.jobs.on_busy(lambda *_: self.update_actions())

    # -- actions ----------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.act_fuse = QAction("Fuse RepVGG branches", self)
        self.act_fuse.setToolTip("Re-parameterise every RepVGG block into one 3x3 conv")
        self.act_fuse.triggered.connect(lambda: self.fuse("repvgg"))
        self.act_fold = QAction("Fold BatchNorm into convolutions", self)
        self.act_fold.setToolTip("Fold each BatchNorm that follows a conv into the conv")
        self.act_fold.triggered.connect(lambda: self.fuse("conv-bn"))
        self.act_unfuse = QAction("Unfuse", self)
        self.act_unfuse.setToolTip("Back to the training-time model")
        self.act_unfuse.triggered.connect(self.unfuse)
        self.act_results = QAction("Fusion results...", self)
        self.act_results.triggered.connect(self.show_dialog)
        # the toolbar's one button: the fusion this model offers, or back
        self.act_deploy = QAction("Fuse for deployment", self)
        self.act_deploy.triggered.connect(self._on_deploy)
        self.update_actions()

    def _offers(self) -> tuple[bool, bool]:
        """(RepVGG blocks, BatchNorms) of the training-time model, found once per model."""
        s = self.session
        an = s.unfused_analysis if s.fused else s.analysis
        if an is None:
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
        self.act_results.setEnabled(self.last is not None)
        self.act_deploy.setText("Unfuse" if s.fused else "Fuse for deployment")
        self.act_deploy.setEnabled(
            self.act_unfuse.isEnabled() or self.act_fuse.isEnabled() or self.act_fold.isEnabled()
        )
        self.act_deploy.setToolTip(
            "Back to the training-time model"
            if s.fused
            else self.act_fuse.toolTip()
            if rep
            else self.act_fold.toolTip()
        )

    def _on_fused_changed(self, fused: bool, report: Any) -> None:
        if fused and report is not None:
            self.label.setText("fused: " + report.summary().split("; ")[0])
            self.label.setToolTip(report.summary())
        else:
            self.label.setText("")
            self.label.setToolTip("")
        self.update_actions()

    def offered(self) -> str | None:
        """The fusion the current model offers (``repvgg``, ``conv-bn``), or None."""
        rep, bn = self._offers()
        return "repvgg" if rep else "conv-bn" if bn else None

    def _on_deploy(self) -> None:
        if self.session.fused:
            self.unfuse()
        else:
            self.fuse(self.offered() or "conv-bn")

    @property
    def busy(self) -> bool:
        return self.jobs.busy(LANE) or self._pending is not None

    # -- fusing -------------------------------------------------------------------------------

    def fuse(self, kind: str = "repvgg") -> bool:
        """Start fusing the current model (``repvgg`` or ``conv-bn``); False if it cannot."""
        from dataclasses import replace

        s = self.session
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {tuple(KINDS)}")
        if s.fused or not self._ready() or self.jobs.closed:
            why = "already fused" if s.fused else "wait for the model and its weights"
            self.status(f"Cannot fuse now: {why}")
            return False
        an, info = s.analysis, s.weights_info
        settings = replace(self.settings, kinds=(kind,), device=s.device, input_size=s.input_size)

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.app.workflows.fuse import fuse

            return fuse(an.spec, an.model, info, settings, lock=s.lock, analysis=an)

        self.jobs.start(
            LANE,
            steps,
            label="fusing",
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_error=self._on_error,
        )
        self.update_actions()
        return True

    def _on_progress(self, p: Progress) -> None:
        self.status(f"Fusing: {p.message}...")

    def _on_error(self, exc: BaseException) -> None:
        message = one_line(exc)
        self.status(f"Fusion failed: {message}")
        self.failed.emit(message)
        self.session.report_failure("fusion", exc)
        self.update_actions()

    def _on_done(self, out: FuseOutcome) -> None:
        s = self.session
        if s.analysis is not out.before or s.fused:  # the model changed under it
            self.update_actions()
            return
        self._pending = out
        self.status("Fusing: merging the branches...")
        groups = self._merge_groups(out)
        gen = self.jobs.generation(LANE)
        self.graph.animate_merge(groups, self.animate_ms, done=lambda: self._on_merged(gen))
        self.update_actions()

    def _merge_groups(self, out: FuseOutcome) -> dict[str, list[str]]:
        """Drawn box -> the drawn boxes that merge into it (what the fusion removes)."""
        graph = self.graph
        if out.repvgg is None:
            groups: dict[str, list[str]] = {}
            for conv, bn in out.report.pairs:
                if conv in graph.boxes and bn in graph.boxes:
                    groups.setdefault(conv, []).append(bn)
            return groups
        fused = [q for q in out.report.blocks_fused if q in graph.boxes]
        if fused and not any(graph.boxes[q].box.open for q in fused):
            # show the merge where it can be seen: open the first fused block that is drawn
            self._opened = fused[0]
            self.session.set_expanded(self.session.expanded | {fused[0]})
        open_blocks = [q for q in fused if q in graph.boxes and graph.boxes[q].box.open]
        if open_blocks and not any(graph.unit_visible(q) for q in open_blocks):
            graph.center_on_unit(open_blocks[0])
        gone = out.after.tree.blocks
        groups = {}
        for q in open_blocks:
            units = [
                u
                for u, item in graph.boxes.items()
                if self._inside(graph, item, q) and u.split(GROUP_SEP)[0] not in gone
            ]
            groups[q] = units
        return groups

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
        self._opened = None
        s = self.session
        if s.analysis is not out.before or s.fused:
            self.update_actions()
            return
        s.set_fused(out.after, out.report)
        self.last = out
        self.status(out.status_line())
        self.show_dialog()
        self.update_actions()
        self.fused.emit(out)

    def show_dialog(self) -> None:
        if self.last is None:
            return
        if self.dialog is None:
            self.dialog = FusionDialog(self.graph.window())
        self.dialog.show_outcome(self.last)
        self.dialog.show()
        self.dialog.raise_()

    def unfuse(self) -> None:
        """Back to the training-time model (its graph, its runs)."""
        if not self.session.fused:
            return
        self.cancel()
        self.session.set_unfused()
        self.status("Unfused: the training-time model is back")
        self.update_actions()

    def cancel(self) -> bool:
        """Stop a fusion in flight (the model stays as it is); True if one was."""
        was = self.busy
        self.jobs.cancel(LANE)
        if self._pending is not None:
            self._pending = None
            self.graph.stop_merge()
        if self._opened is not None:
            opened, self._opened = self._opened, None
            self.session.set_expanded(self.session.expanded - {opened})
        if was and not self.jobs.closed:
            self.status("Fusion cancelled: the model is as it was")
        self.update_actions()
        return was
