"""Fuse for deployment in the window: RepVGG re-parameterisation or conv-BN folding, live.

The work (copy and fuse the model, trace the fused copy, check it against the model on the
current image, time both) runs on a worker thread under the run lock, with a generation
number and Cancel, like every long job of the window. When it arrives the branches that
disappear are animated into their block (:meth:`GraphView.animate_merge`), then the session
swaps the analysis (:meth:`Session.set_fused`): the graph, the inspector, the runs and the
evaluations follow the fused model; weights and images stay. "Unfuse" swaps back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QTableWidget,
    QVBoxLayout,
)

from explorer.present.layout import GROUP_SEP
from explorer.ui.tables import fill_table
from explorer.ui.workers import WorkerPool

KINDS = {"repvgg": "RepVGG re-parameterisation", "conv-bn": "conv-BN folding"}


@dataclass
class FusionOutcome:
    """What one fusion gave: the fused analysis, its report, the check and the timing."""

    kind: str  # "repvgg" or "conv-bn"
    before: Any  # the training-time Analysis
    after: Any  # the fused Analysis
    report: Any  # explorer.studies.fusion.repvgg.FusionReport
    diff: dict[str, float]  # max_abs_diff, max_rel_diff
    latency_ms: dict[str, float]  # before, after
    device: str
    on: str  # what the check ran on: the image's name, or "random input"
    repeats: int = 0
    notes: list[str] = field(default_factory=list)

    def status_line(self) -> str:
        lb, la = self.latency_ms["before"], self.latency_ms["after"]
        return (
            f"Fused: {self.report.summary()}; max rel. diff {self.diff['max_rel_diff']:.2g}; "
            f"{lb:.1f} -> {la:.1f} ms on {self.device}"
        )


def outcome_rows(out: FusionOutcome) -> list[tuple[str, str, str, str]]:
    """(quantity, before, after, change) rows of the results table (plain data, no Qt)."""
    rep, gb, ga = out.report, out.before.graph, out.after.graph

    def row(name: str, a: float, b: float, fmt: str = "{:,}") -> tuple[str, str, str, str]:
        change = f"{b - a:+,}" if isinstance(a, int) and isinstance(b, int) else ""
        return name, fmt.format(a), fmt.format(b), change

    lb, la = out.latency_ms["before"], out.latency_ms["after"]
    return [
        row("parameters", int(rep.params_before), int(rep.params_after)),
        row("MACs", int(gb.total_macs), int(ga.total_macs)),
        row("graph nodes", int(gb.g.number_of_nodes()), int(ga.g.number_of_nodes())),
        row("convolutions", int(rep.convs_before), int(rep.convs_after)),
        row("BatchNorms", int(rep.bn_before), int(rep.bn_after)),
        (
            f"latency ({out.device}, median of {out.repeats})",
            f"{lb:.2f} ms",
            f"{la:.2f} ms",
            f"x{lb / la:.2f}" if la > 0 else "",
        ),
        ("max |difference|", "", f"{out.diff['max_abs_diff']:.3g}", f"on {out.on}"),
        ("max relative difference", "", f"{out.diff['max_rel_diff']:.3g}", "of the output scale"),
        (
            "blocks fused" if out.kind == "repvgg" else "BatchNorms folded",
            "",
            str(len(rep.blocks_fused)),
            f"{len(rep.skipped)} left as they were" if rep.skipped else "",
        ),
    ]


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

    def show_outcome(self, out: FusionOutcome) -> None:
        notes = "".join(f"<br><i>{n}</i>" for n in out.notes)
        self.title.setText(
            f"<b>{out.before.spec.name}</b>: {KINDS[out.kind]}<br>{out.report.summary()}{notes}"
        )
        fill_table(self.table, outcome_rows(out), right=(1, 2))
        self.table.resizeColumnsToContents()

    def rows(self) -> list[list[str]]:
        t = self.table
        return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


class FusionControl(QObject):
    """The Model menu's fusion actions and the worker that fuses."""

    fused = Signal(object)  # a FusionOutcome, once the fused graph is shown
    busyChanged = Signal(bool, str)  # noqa: N815
    failed = Signal(str)

    def __init__(self, window: Any):
        super().__init__(window)
        self.win = window
        self.session = window.session
        self.pool = WorkerPool(self)
        self.repeats, self.warmup = 5, 1  # latency: a few interleaved passes each
        self.animate_ms = 500
        self.last: FusionOutcome | None = None
        self.dialog: FusionDialog | None = None
        self._gen = 0
        self._working = False  # a fusion is on the worker thread
        self._pending: FusionOutcome | None = None  # arrived, being animated
        self._opened: str | None = None  # a block opened to show the merge
        self._can: tuple[Any, bool, bool] = (None, False, False)  # analysis, repvgg, BN
        self._weights_pending = False  # weights asked for, not in yet: a copy would be stale
        self._closed = False
        self._build_actions()
        # the fused state stays in sight (the status line is shared with other work)
        self.label = QLabel("")
        self.label.setStyleSheet("color: #1f5fa8; font-weight: bold;")
        window.statusBar().addPermanentWidget(self.label)
        s = self.session
        s.connect("model_loading", lambda _n: self.cancel())
        s.connect("weights_requested", self._on_weights_requested)
        for ev in ("model_changed", "weights_changed", "weights_failed"):
            s.connect(ev, self._on_weights_settled)
        s.connect("fused_changed", self._on_fused_changed)
        window.run.busyChanged.connect(self._on_run_busy)

    # -- actions ----------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        w = self.win
        self.act_fuse = QAction("Fuse RepVGG branches", w)
        self.act_fuse.setToolTip("Re-parameterise every RepVGG block into one 3x3 conv")
        self.act_fuse.triggered.connect(lambda: self.fuse("repvgg"))
        self.act_fold = QAction("Fold BatchNorm into convolutions", w)
        self.act_fold.setToolTip("Fold each BatchNorm that follows a conv into the conv")
        self.act_fold.triggered.connect(lambda: self.fuse("conv-bn"))
        self.act_unfuse = QAction("Unfuse", w)
        self.act_unfuse.setToolTip("Back to the training-time model")
        self.act_unfuse.triggered.connect(self.unfuse)
        self.act_results = QAction("Fusion results...", w)
        self.act_results.triggered.connect(self.show_dialog)
        # the toolbar's one button: the fusion this model offers, or back
        self.act_deploy = QAction("Fuse for deployment", w)
        self.act_deploy.triggered.connect(self._on_deploy)
        menu = QMenu("&Model", w)
        for a in (self.act_fuse, self.act_fold, self.act_unfuse):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.act_results)
        bar = w.menuBar()
        view = next((a for a in bar.actions() if a.text() == "&View"), None)
        if view is not None:
            bar.insertMenu(view, menu)
        else:
            bar.addMenu(menu)
        self.menu = menu
        w.run.toolbar.addSeparator()
        w.run.toolbar.addAction(self.act_deploy)
        self.update_actions()

    def _offers(self) -> tuple[bool, bool]:
        """(RepVGG blocks, BatchNorms) of the training-time model, found once per model."""
        s = self.session
        an = s.unfused_analysis if s.fused else s.analysis
        if an is None:
            return False, False
        if self._can[0] is not an:
            from torch.nn.modules.batchnorm import _BatchNorm

            from explorer.studies.fusion.repvgg import find_repvgg_blocks

            rep = any(not done for done in find_repvgg_blocks(an.model).values())
            bn = any(isinstance(m, _BatchNorm) for m in an.model.modules())
            self._can = (an, rep, bn)
        return self._can[1], self._can[2]

    def _ready(self) -> bool:
        s = self.session
        return (
            s.analysis is not None
            and s.weights_info is not None
            and not self._weights_pending
            and not self.busy
        )

    def _on_weights_requested(self, _choice: str) -> None:
        self._weights_pending = True
        self.cancel()  # a fusion in flight copies the weights that are being replaced

    def _on_weights_settled(self, *_: Any) -> None:
        self._weights_pending = False
        self.update_actions()

    def _on_run_busy(self, _busy: bool, what: str) -> None:
        if what == "cancelled":  # a weights load cancelled: nothing is coming
            self._weights_pending = False
        self.update_actions()

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

    @property
    def waiting_for_weights(self) -> bool:
        s = self.session
        return s.analysis is not None and (s.weights_info is None or self._weights_pending)

    def _on_deploy(self) -> None:
        if self.session.fused:
            self.unfuse()
        else:
            self.fuse(self.offered() or "conv-bn")

    @property
    def busy(self) -> bool:
        return self._working or self._pending is not None

    # -- fusing -------------------------------------------------------------------------------

    def fuse(self, kind: str = "repvgg") -> bool:
        """Start fusing the current model (``repvgg`` or ``conv-bn``); False if it cannot."""

        s, run = self.session, self.win.run
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {tuple(KINDS)}")
        if s.fused or not self._ready() or self._closed:
            why = "already fused" if s.fused else "wait for the model and its weights"
            self.win.status_label.setText(f"Cannot fuse now: {why}")
            return False
        an, info = s.analysis, s.weights_info
        try:
            prep = run.preprocessing()
        except ValueError:
            prep = None  # the check runs on a random input instead
        image = s.image
        input_size, device, lock = run._input_size, s.device, run.lock
        notes = (
            []
            if info.trained
            else [
                "untrained weights: their BatchNorms are close to the identity, so the "
                "check says less than it would for trained ones (the command line's "
                "'cnn-explorer fuse' calibrates them first)"
            ]
        )
        repeats, warmup = self.repeats, self.warmup

        def steps():  # noqa: ANN202 - on the worker thread
            import torch

            from explorer.graph.analysis import analyze, input_shape_for
            from explorer.runtime.images import to_batch
            from explorer.runtime.inference import resolve_device
            from explorer.studies.fusion import repvgg as fusion

            yield 0.05, "fusing a copy of the model"
            with lock:  # no pass may use the model while it is copied
                model = an.model
                rep = fusion.fuse_repvgg(model) if kind == "repvgg" else fusion.fold_conv_bn(model)
            yield 0.35, "tracing the fused model"
            # traced on the CPU, as every model is when it loads (the copy is where the model
            # last ran); the check below moves it to the device
            after = analyze(an.spec, input_size, model=rep.model.cpu())
            yield 0.55, "checking the fused model against the model"
            if image is not None and prep is not None:
                x, on = to_batch([image], prep), image.name
            else:
                gen = torch.Generator().manual_seed(0)
                x, on = torch.randn(input_shape_for(an.spec, input_size), generator=gen), "noise"
            dev = resolve_device(device)
            x = x.to(dev)
            with lock:
                model.to(dev)
                rep.model.to(dev)
                diff = fusion.check_equivalence(model, rep.model, x)
            yield 0.75, f"timing both on {dev}"
            with lock:
                lat = fusion.compare_latency(
                    {"before": model, "after": rep.model}, x, repeats, warmup
                )
            return FusionOutcome(kind, an, after, rep, diff, lat, str(dev), on, repeats, notes)

        self._gen += 1
        self._working = True
        self.busyChanged.emit(True, "fusing")
        self.pool.start(
            steps,
            self._gen,
            on_yield=self._on_progress,
            on_done=self._on_done,
            on_error=self._on_error,
        )
        self.update_actions()
        return True

    def _on_progress(self, gen: int, value: Any) -> None:
        if gen == self._gen and not self._closed:
            self.win.status_label.setText(f"Fusing: {value[1]}...")

    def _on_error(self, gen: int, message: str) -> None:
        if gen != self._gen or self._closed:
            return
        self._working = False
        self.busyChanged.emit(False, "")
        self.win.status_label.setText(f"Fusion failed: {message}")
        self.failed.emit(message)
        self.update_actions()

    def _on_done(self, gen: int, out: FusionOutcome) -> None:
        if gen != self._gen or self._closed:
            return
        self._working = False
        s = self.session
        if s.analysis is not out.before or s.fused:  # the model changed under it
            self.busyChanged.emit(False, "")
            self.update_actions()
            return
        self._pending = out
        self.win.status_label.setText("Fusing: merging the branches...")
        groups = self._merge_groups(out)
        self.win.graph.animate_merge(groups, self.animate_ms, done=lambda: self._on_merged(gen))

    def _merge_groups(self, out: FusionOutcome) -> dict[str, list[str]]:
        """Drawn box -> the drawn boxes that merge into it (what the fusion removes)."""
        graph = self.win.graph
        if out.kind == "conv-bn":
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
        if gen != self._gen or out is None or self._closed:
            return
        self._opened = None
        s = self.session
        if s.analysis is not out.before or s.fused:
            self.busyChanged.emit(False, "")
            self.update_actions()
            return
        s.set_fused(out.after, out.report)
        self.last = out
        self.busyChanged.emit(False, "")
        self.win.status_label.setText(out.status_line())
        self.show_dialog()
        self.update_actions()
        self.fused.emit(out)

    def show_dialog(self) -> None:
        if self.last is None:
            return
        if self.dialog is None:
            self.dialog = FusionDialog(self.win)
        self.dialog.show_outcome(self.last)
        self.dialog.show()
        self.dialog.raise_()

    def unfuse(self) -> None:
        """Back to the training-time model (its graph, its runs)."""
        if not self.session.fused:
            return
        self.cancel()
        self.session.set_unfused()
        self.win.status_label.setText("Unfused: the training-time model is back")
        self.update_actions()

    def cancel(self) -> bool:
        """Stop a fusion in flight (the model stays as it is); True if one was."""
        was = self.busy
        self._gen += 1
        self._working = False
        self.pool.cancel_all()
        if self._pending is not None:
            self._pending = None
            self.win.graph.stop_merge()
        if self._opened is not None:
            opened, self._opened = self._opened, None
            self.session.set_expanded(self.session.expanded - {opened})
        if was and not self._closed:
            self.busyChanged.emit(False, "cancelled")
            self.win.status_label.setText("Fusion cancelled: the model is as it was")
        self.update_actions()
        return was

    def wait_all(self) -> None:
        """The window closes: stop and wait for the worker; nothing is shown afterwards."""
        self._closed = True
        self._pending = None
        self.pool.wait_all()
