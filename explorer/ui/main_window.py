"""The main window: model browser, block graph, inspector; loading off the UI thread."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from explorer.app.jobs import Progress
from explorer.app.session import COLOUR_MODES, Event, Session
from explorer.errors import one_line
from explorer.present.layout import (
    GROUP_SEP,
    Layout,
    compute_layout,
    default_expanded,
    expand_all,
)
from explorer.ui.browser import ModelBrowser
from explorer.ui.eval_control import EvalControl
from explorer.ui.export import save_png, save_svg
from explorer.ui.fusion_control import FusionControl
from explorer.ui.graph_view import GraphView
from explorer.ui.inspector import Inspector
from explorer.ui.panels.accuracy import AccuracyPanel
from explorer.ui.panels.activation_std import ActivationStdPanel
from explorer.ui.panels.base import Panel
from explorer.ui.panels.feature_maps import FeatureMapsPanel
from explorer.ui.panels.predictions import PredictionsPanel
from explorer.ui.panels.se_weights import SEWeightsPanel
from explorer.ui.panels.sweeps import SweepsPanel
from explorer.ui.run_control import RunControl
from explorer.ui.workers import qt_jobs

MAX_RECENT = 8


class MainWindow(QMainWindow):
    """One window over one :class:`Session`."""

    graphShown = Signal(str)  # noqa: N815 - emitted once a model's graph is on screen
    modelFailed = Signal(str, str)  # noqa: N815

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("cnn-explorer")
        self.settings = (
            settings if settings is not None else QSettings("cnn-explorer", "cnn-explorer")
        )
        self.session = Session()
        # every long task of the window runs here: one place owns generation, cancel and busy
        self.jobs = qt_jobs(self)
        self.layout_data: Layout | None = None
        self._loading_name: str | None = None
        self._load_started = 0.0
        self._find_hits: list[str] = []
        self._find_pos = 0

        self.graph = GraphView(self)
        # the centre: the block graph, or the Compare view (made when first shown)
        self.centre = QStackedWidget()
        self.centre.addWidget(self.graph)
        self.compare_view: Any = None
        self._docks_shown: dict[str, bool] = {}
        self.setCentralWidget(self.centre)
        self.browser = ModelBrowser()
        self.inspector = Inspector()
        self._dock(self.browser, "Models", Qt.LeftDockWidgetArea, "models")
        self._dock(self.inspector, "Inspector", Qt.RightDockWidgetArea, "inspector")
        self._build_toolbar()
        self._build_status()
        self.run = RunControl(self.session, self.jobs, self.say, self)
        self.addToolBarBreak()
        self.addToolBar(self.run.toolbar)
        self.fusion = FusionControl(self.session, self.jobs, self.graph, self.say, self)
        self.statusBar().addPermanentWidget(self.fusion.label)
        self._build_panels()
        self._build_menus()
        self.setAcceptDrops(True)
        # graphics views accept drags for their scenes by default and then refuse the drop;
        # files dropped on the graph or a plot are for the window
        for view in self.findChildren(QGraphicsView):
            view.setAcceptDrops(False)
            view.viewport().setAcceptDrops(False)

        self.browser.modelChosen.connect(self._on_model_chosen)
        self.browser.compareChosen.connect(self.show_compare)
        self.graph.blockClicked.connect(self._on_block_clicked)
        # queued: expanding rebuilds the scene, which must not happen inside the item's handler
        self.graph.blockDoubleClicked.connect(
            self._on_block_double_clicked, Qt.ConnectionType.QueuedConnection
        )
        self.graph.blockContextMenu.connect(self._on_block_context_menu)
        self.session.connect(Event.MODEL_CHANGED, self._on_model_changed)
        self.session.connect(Event.MODEL_FAILED, self._on_model_failed)
        self.session.connect(Event.SELECTION_CHANGED, self._on_selection_changed)
        self.session.connect(Event.EXPANDED_CHANGED, lambda _e: self._relayout())
        self.session.connect(Event.COLOUR_BY_CHANGED, self._on_colour_by_changed)
        self.session.connect(Event.RESULTS_INVALIDATED, self._on_results_invalidated)
        self.session.connect(Event.RESULTS_CHANGED, self._on_results_changed)
        self.session.connect(Event.RUN_FAILED, self._on_run_failed)
        self.session.connect(Event.DELETED_CHANGED, self._on_deleted_changed)
        self.session.connect(Event.ANALYSIS_SWAPPED, self._on_analysis_swapped)
        self.inspector.deleted_box.toggled.connect(lambda _c: self.toggle_deleted())
        self.run.ran.connect(self._on_ran)
        self.run.weightsLoaded.connect(
            lambda info: self.weights_label.setText(f"weights: {info.label}")
        )
        self.run.cancelled.connect(self._on_run_cancelled)
        self.jobs.on_busy(lambda *_: self._show_busy())
        self._restore()

    def say(self, text: str) -> None:
        """The status outlet the controllers get: one line in the status bar."""
        self.status_label.setText(text)

    # -- construction ---------------------------------------------------------------------

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea, name: str) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Graph")
        tb.setObjectName("graph_toolbar")
        self.addToolBar(tb)
        self.model_label = QLabel("  no model  ")
        self.model_label.setStyleSheet("font-weight: bold;")
        tb.addWidget(self.model_label)
        tb.addSeparator()
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find block (Ctrl+F)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setMaximumWidth(220)
        self.find_edit.returnPressed.connect(self._on_find)
        tb.addWidget(self.find_edit)
        tb.addSeparator()
        self.act_expand_all = tb.addAction("Expand all", self.expand_all)
        tb.addWidget(QLabel(" depth "))
        self.depth_spin = QSpinBox()
        self.depth_spin.setRange(1, 12)
        self.depth_spin.setValue(2)
        tb.addWidget(self.depth_spin)
        self.act_collapse = tb.addAction("Collapse to depth", self.collapse_to_depth)
        self.act_default = tb.addAction("Default view", self.default_view)
        tb.addSeparator()
        tb.addWidget(QLabel(" colour "))
        self.colour_combo = QComboBox()
        self.colour_combo.addItems(["kind", "params", "MACs"])
        self.colour_combo.currentIndexChanged.connect(
            lambda i: self.session.set_colour_by(COLOUR_MODES[i])
        )
        tb.addWidget(self.colour_combo)
        tb.addSeparator()
        fit = tb.addAction("Fit (F)", self.graph.fit)
        fit.setShortcut(QKeySequence("F"))

    def _build_panels(self) -> None:
        self.tabs = QTabWidget()
        self.panels: dict[str, Panel] = {}
        for cls in (
            PredictionsPanel,
            FeatureMapsPanel,
            SEWeightsPanel,
            ActivationStdPanel,
            AccuracyPanel,
            SweepsPanel,
        ):
            panel = cls()
            self.panels[cls.title] = panel
            self.tabs.addTab(panel, cls.title)
            panel.blockChosen.connect(self.select_block)
        self.eval = EvalControl(self.session, self.jobs, self.say, self)
        acc = self.panels["Accuracy"]
        sweeps = self.panels["Sweeps"]
        acc.refChosen.connect(self.eval.set_ref)  # type: ignore[attr-defined]
        acc.limitChosen.connect(self._on_limit_chosen)  # type: ignore[attr-defined]
        self.eval.accuracy.connect(acc.show_accuracy)  # type: ignore[attr-defined]
        self.eval.failed.connect(acc.show_error)  # type: ignore[attr-defined]
        self.eval.failed.connect(lambda m: self.status_label.setText(m))
        sweeps.sweepRequested.connect(self._on_sweep_requested)  # type: ignore[attr-defined]
        self.eval.sweepProgress.connect(sweeps.show_partial)  # type: ignore[attr-defined]
        self.eval.sweepDone.connect(sweeps.show_sweep)  # type: ignore[attr-defined]
        self.eval.busyChanged.connect(self._on_eval_busy)
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 4, 0)
        self.run_busy = QProgressBar()
        self.run_busy.setRange(0, 0)
        self.run_busy.setMaximumWidth(120)
        self.run_busy.setMaximumHeight(14)
        self.run_cancel = QPushButton("Cancel")
        self.run_cancel.clicked.connect(self.cancel_work)
        row.addWidget(self.run_busy)
        row.addWidget(self.run_cancel)
        for w in (self.run_busy, self.run_cancel):
            # the tab widget sizes its corner once: hidden parts must keep their room there,
            # else the bar and the button show up later with no size at all
            policy = w.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            w.setSizePolicy(policy)
            w.hide()
        self.tabs.setCornerWidget(corner)
        self._dock(self.tabs, "Panels", Qt.BottomDockWidgetArea, "panels")

    def show_curves(self) -> Any:
        from explorer.ui.curves_dialog import CurvesDialog

        self._curves = CurvesDialog(self)
        self._curves.show()
        return self._curves

    def show_compare(self, tab: str | None = None) -> Any:
        """Show the Compare view in the centre (made on first use); ``tab`` picks its tab."""
        if self.compare_view is None:
            from explorer.ui.compare.view import CompareView

            self.compare_view = CompareView(self.jobs)
            self.compare_view.modelChosen.connect(self._on_compared_model_chosen)
            self.compare_view.backRequested.connect(self.show_graph)
            self.centre.addWidget(self.compare_view)
        if self.centre.currentWidget() is self.graph:
            # the graph's inspector and panels say nothing of the comparison: room for it
            self._docks_shown = {n: d.isVisible() for n, d in self._side_docks().items()}
            for d in self._side_docks().values():
                d.hide()
        self.centre.setCurrentWidget(self.compare_view)
        self._sync_edit_actions()
        if tab:
            self.compare_view.show_tab(tab)
        return self.compare_view

    def show_graph(self) -> None:
        if self.centre.currentWidget() is not self.graph:
            for name, dock in self._side_docks().items():
                dock.setVisible(self._docks_shown.get(name, True))
        self.centre.setCurrentWidget(self.graph)
        self._sync_edit_actions()

    def _side_docks(self) -> dict[str, QDockWidget]:
        return {
            d.objectName(): d
            for d in self.findChildren(QDockWidget)
            if d.objectName() in ("inspector", "panels")
        }

    def _on_model_chosen(self, name: str) -> None:
        """From the browser: show the graph and (re)load the model."""
        self.show_graph()
        self.load_model(name)

    def _on_compared_model_chosen(self, name: str) -> None:
        """From the Compare view: the graph, with that model (kept as it is if it is shown)."""
        self.show_graph()
        if name != self.session.model_name:
            self.load_model(name)

    def show_panel(self, title: str) -> None:
        self.tabs.setCurrentWidget(self.panels[title])

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        open_act = QAction("Open images...", self)
        open_act.setShortcut(QKeySequence.Open)
        open_act.triggered.connect(self.run.open_dialog)
        m.addAction(open_act)
        m.addAction("Open a folder of images...", self.run.open_folder_dialog)
        paste = QAction("Paste image", self)
        paste.setShortcut(QKeySequence.Paste)
        paste.triggered.connect(self.run.paste)
        m.addAction(paste)
        m.addAction("Load weights from file...", self.run.choose_weights_file)
        m.addSeparator()
        self.recent_menu = m.addMenu("Recent models")
        self._fill_recent()
        m.addSeparator()
        exp = QAction("Export graph as PNG...", self)
        exp.setShortcut(QKeySequence("Ctrl+E"))
        exp.triggered.connect(lambda: self.export_dialog("png"))
        m.addAction(exp)
        m.addAction("Export graph as SVG...", lambda: self.export_dialog("svg"))
        m.addSeparator()
        quit_act = QAction("Quit", self)
        quit_act.setShortcut(QKeySequence.Quit)
        quit_act.triggered.connect(self.close)
        m.addAction(quit_act)
        e = self.menuBar().addMenu("&Edit")
        self.act_delete = QAction("Delete / restore block", self)
        self.act_delete.setShortcut(QKeySequence.Delete)
        self.act_delete.triggered.connect(lambda: self.toggle_deleted())
        e.addAction(self.act_delete)
        self.act_undo = QAction("Undo deletion", self)
        self.act_undo.setShortcut(QKeySequence.Undo)
        self.act_undo.triggered.connect(self.session.undo)
        self.act_redo = QAction("Redo deletion", self)
        self.act_redo.setShortcuts([QKeySequence.Redo, QKeySequence("Ctrl+Shift+Z")])
        self.act_redo.triggered.connect(self.session.redo)
        self.act_restore = QAction("Restore all blocks", self)
        self.act_restore.triggered.connect(self.session.restore_all)
        for a in (self.act_undo, self.act_redo, self.act_restore):
            a.setEnabled(False)
            e.addAction(a)
        self.run.toolbar.addSeparator()
        self.run.toolbar.addAction(self.act_restore)
        f = self.fusion
        model_menu = self.menuBar().addMenu("&Model")
        for a in (f.act_fuse, f.act_fold, f.act_unfuse):
            model_menu.addAction(a)
        model_menu.addSeparator()
        model_menu.addAction(f.act_results)
        self.run.toolbar.addSeparator()
        self.run.toolbar.addAction(f.act_deploy)
        v = self.menuBar().addMenu("&View")
        self.act_compare = QAction("Compare architectures", self)
        self.act_compare.setShortcut(QKeySequence("Ctrl+K"))
        self.act_compare.triggered.connect(self.show_compare)
        v.addAction(self.act_compare)
        self.act_graph = QAction("Block graph", self)
        self.act_graph.setShortcut(QKeySequence("Ctrl+G"))
        self.act_graph.triggered.connect(self.show_graph)
        v.addAction(self.act_graph)
        v.addSeparator()
        v.addAction("Training curves: plain vs residual...", self.show_curves)
        v.addAction("Fit", self.graph.fit)
        v.addAction("Expand all", self.expand_all)
        v.addAction("Default view", self.default_view)
        find = QAction("Find block", self)
        find.setShortcut(QKeySequence.Find)
        find.triggered.connect(lambda: (self.find_edit.setFocus(), self.find_edit.selectAll()))
        v.addAction(find)

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.status_label = QLabel("Ready")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_loading)
        self.info_label = QLabel("")
        self.device_label = QLabel("device: -")
        self.latency_label = QLabel("")
        self.weights_label = QLabel("")
        self.deleted_label = QLabel("")
        self.deleted_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        sb.addWidget(self.status_label, 1)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        for w in (
            self.info_label,
            self.weights_label,
            self.deleted_label,
            self.device_label,
            self.latency_label,
        ):
            sb.addPermanentWidget(w)

    # -- persistence ----------------------------------------------------------------------

    def _restore(self) -> None:
        geo = self.settings.value("geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(geo)
        else:
            self.resize(1400, 900)
        state = self.settings.value("windowState")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        else:  # first start: the graph keeps most of the height
            dock = self.tabs.parentWidget()
            self.resizeDocks([dock], [300], Qt.Orientation.Vertical)

    def recent_models(self) -> list[str]:
        v = self.settings.value("recentModels", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def _remember(self, name: str) -> None:
        recent = [name] + [r for r in self.recent_models() if r != name]
        self.settings.setValue("recentModels", recent[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for name in self.recent_models():
            self.recent_menu.addAction(name, lambda n=name: self.load_model(n))
        self.recent_menu.setEnabled(bool(self.recent_models()))

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.show_graph()  # the docks as the user left them in the graph view are saved
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.settings.sync()
        self.hide()
        self.session.cancel_request()  # a model that still arrives is not installed
        self.run.stop()
        self.jobs.close()  # every job cancelled and waited for; nothing is delivered later
        super().closeEvent(event)

    # -- images dropped on the window --------------------------------------------------------

    def dragEnterEvent(self, event: Any) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.run.open_paths(paths)

    # -- panels ----------------------------------------------------------------------------------

    def _on_results_invalidated(self) -> None:
        for p in self.panels.values():
            p.invalidate()

    def _on_results_changed(self, result: Any) -> None:
        for title, p in self.panels.items():
            try:
                p.show_result(result, self.session)
            except Exception as exc:  # noqa: BLE001 - a panel's bug must not take the window
                p.status.setText(f"this panel failed: {type(exc).__name__}: {exc}")
                print(f"cnn-explorer: panel {title} failed: {exc!r}", file=sys.stderr)

    def _on_run_failed(self, message: str) -> None:
        self.status_label.setText(f"Run failed: {message}")
        for p in self.panels.values():
            p.invalidate(f"the run failed: {message}")

    def cancel_work(self) -> None:
        """The panels' Cancel: a fusion, the forward pass, the evaluation and any sweep."""
        others = self.jobs.busy(("run", "weights", "accuracy", "sweep"))
        fusing = self.fusion.cancel()
        if not fusing or others:
            # a fusion alone: the results shown still hold, keep them
            self.eval.cancel()
            self.run.cancel()

    def _on_limit_chosen(self, n: int) -> None:
        self.eval.limit = n
        self.eval.schedule()

    def _on_sweep_requested(self, kind: str, k_max: int, trials: int) -> None:
        self.show_panel("Sweeps")
        self.eval.start_sweep(kind, k_max, trials)

    def _on_eval_busy(self, busy: bool, what: str) -> None:
        if busy and what == "evaluating":
            self.panels["Accuracy"].status.setText("<i>evaluating...</i>")
        elif what == "cancelled":
            for title in ("Accuracy", "Sweeps"):
                self.panels[title].status.setText(
                    "<i>cancelled: delete a block or run a sweep to start again</i>"
                )

    def _show_busy(self) -> None:
        """The panels' busy bar and Cancel: while a run, an evaluation or a fusion works."""
        busy = self.jobs.busy(("run", "weights", "accuracy", "sweep", "fusion"))
        self.run_busy.setVisible(busy)
        self.run_cancel.setVisible(busy)

    def _on_ran(self, res: Any) -> None:
        self.device_label.setText(f"device {res.device} ({res.precision})")
        self.latency_label.setText(f"last forward {res.latency_ms:.0f} ms")

    def _on_run_cancelled(self) -> None:
        # nothing is coming: "updating..." would wait forever
        self.status_label.setText("Run cancelled")
        for p in self.panels.values():
            p.invalidate("cancelled: change the image, weights or block to run again")

    # -- loading ----------------------------------------------------------------------------

    def load_model(self, name: str, input_size: int | None = None) -> None:
        """Build and trace ``name`` on a worker thread; the window stays usable."""
        from explorer.app.workflows.run import load_model

        self.session.set_input_size(input_size)
        gen = self.session.request_model(name)
        self._loading_name = name
        self._load_started = time.perf_counter()
        self.status_label.setText(f"Loading {name}...")
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.jobs.start(
            "model",
            lambda: load_model(name, input_size),
            label=f"loading {name}",
            on_progress=self._on_load_progress,
            on_done=lambda an: self._on_loaded(gen, an),
            on_error=lambda exc: self.session.fail(name, one_line(exc), gen),
        )

    def cancel_loading(self) -> None:
        self.jobs.cancel("model")
        self.session.cancel_request()  # whatever still arrives is stale
        self._end_busy(f"Cancelled loading {self._loading_name}")

    def _end_busy(self, message: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.status_label.setText(message)

    def _on_load_progress(self, p: Progress) -> None:
        self.progress.setValue(int(100 * (p.fraction or 0.0)))
        self.status_label.setText(p.message)

    def _on_loaded(self, gen: int, analysis: Any) -> None:
        expanded = default_expanded(analysis.tree)
        self.session.set_analysis(analysis, gen, expanded)

    def _on_model_changed(self, analysis: Any) -> None:
        dt = time.perf_counter() - self._load_started
        self._end_busy(f"{analysis.spec.name} loaded in {dt:.1f} s")
        self.model_label.setText(f"  {analysis.spec.name}  ")
        self.setWindowTitle(f"cnn-explorer: {analysis.spec.name}")
        self.info_label.setText(self._info_text(analysis))
        self.browser.mark_current(analysis.spec.name)
        self._remember(analysis.spec.name)
        self._relayout(fit=True)
        self.graphShown.emit(analysis.spec.name)

    def _info_text(self, analysis: Any) -> str:
        mg = analysis.graph
        return (
            f"{mg.total_params:,} params | {mg.total_macs / 1e9:.2f} GMACs | "
            f"input {'x'.join(map(str, mg.input_shape[1:]))} | graph by {mg.method}"
            + (" | fused" if self.session.fused else "")
        )

    def _on_analysis_swapped(self, analysis: Any) -> None:
        """Fused or unfused: the same model drawn from its other analysis."""
        name = analysis.spec.name + (" (fused)" if self.session.fused else "")
        self.model_label.setText(f"  {name}  ")
        self.setWindowTitle(f"cnn-explorer: {name}")
        self.info_label.setText(self._info_text(analysis))
        self._relayout()
        self.inspector.show_block(analysis, self.session.selected)
        self._on_deleted_changed(self.session.deleted)

    def _on_model_failed(self, name: str, message: str) -> None:
        self._end_busy(f"Could not load {name}")
        self.modelFailed.emit(name, message)
        box = QMessageBox(
            QMessageBox.Warning,
            "Model failed",
            f"{name} could not be loaded:\n\n{message}",
            QMessageBox.Ok,
            self,
        )
        box.setModal(False)
        box.show()
        self._last_error_box = box

    # -- graph ------------------------------------------------------------------------------

    def _relayout(self, fit: bool = False) -> None:
        an = self.session.analysis
        if an is None:
            return
        center = self.graph.mapToScene(self.graph.viewport().rect().center())
        transform = self.graph.transform()
        self.layout_data = compute_layout(an.tree, self.session.expanded)
        self.graph.show_layout(self.layout_data, an.tree.blocks, self.session.colour_by)
        self.graph.set_deleted(self.session.deleted)
        sel = self.session.selected
        self.graph.set_selected(self.graph.unit_for_block(sel) if sel is not None else None)
        if fit:
            self.graph.readable_fit()
        else:  # keep the user's zoom and place
            self.graph.setTransform(transform)
            self.graph.centerOn(center)

    def _on_colour_by_changed(self, mode: str) -> None:
        blocker = self.colour_combo.blockSignals(True)
        self.colour_combo.setCurrentIndex(COLOUR_MODES.index(mode))
        self.colour_combo.blockSignals(blocker)
        self._relayout()

    def expand_all(self) -> None:
        an = self.session.analysis
        if an is not None:
            lay = compute_layout(an.tree, expand_all(an.tree))
            groups = {b.id for b in lay.boxes.values() if b.count > 1}
            self.session.set_expanded(expand_all(an.tree) | groups)

    def collapse_to_depth(self) -> None:
        an = self.session.analysis
        if an is None:
            return
        from explorer.present.layout import expand_to_depth

        self.session.set_expanded(expand_to_depth(an.tree, self.depth_spin.value()))

    def default_view(self) -> None:
        an = self.session.analysis
        if an is not None:
            self.session.set_expanded(default_expanded(an.tree))
            self.graph.fit()

    def _on_block_clicked(self, unit_id: str) -> None:
        self.session.select(unit_id or None)

    def _on_block_double_clicked(self, unit_id: str) -> None:
        self.session.toggle_expanded(unit_id)

    def block_menu(self, unit_id: str) -> QMenu:
        """The right-click menu of a drawn box."""
        menu = QMenu(self)
        item = self.graph.boxes.get(unit_id)
        self.session.select(unit_id)
        if item is not None and (item.box.open or item.box.count > 1 or not item.block.is_leaf):
            label = "Collapse" if item.box.open else "Expand"
            menu.addAction(label, lambda: self.session.toggle_expanded(unit_id))
        block_id = item.box.block if item is not None else unit_id
        why = self.deletion_problem(block_id)
        deleted = block_id in self.session.deleted
        act = menu.addAction(
            "Restore block" if deleted else "Delete block",
            lambda: self.toggle_deleted(block_id),
        )
        act.setShortcut(QKeySequence.Delete)
        act.setEnabled(deleted or why is None)
        if why is not None and not deleted:
            act.setText(f"Delete block (not possible: {why.split(': ', 1)[-1]})")
        menu.addAction("Show feature maps", lambda: self.show_panel("Feature maps"))
        menu.addAction("Copy qualname", lambda: QGuiApplication.clipboard().setText(block_id))
        menu.addAction("Fit", self.graph.fit)
        return menu

    # -- deleting blocks -----------------------------------------------------------------------

    def deletion_problem(self, block_id: str) -> str | None:
        """Why ``block_id`` cannot be deleted, or None."""
        an = self.session.analysis
        if an is None:
            return "no model"
        from explorer.studies.lesion.surgery import LesionError, plan_deletion

        try:
            plan_deletion(an, block_id)
        except LesionError as exc:
            return str(exc)
        return None

    def toggle_deleted(self, block_id: str | None = None) -> bool:
        """Delete the block (the selected one by default), or restore it; False if refused."""
        block_id = self.session.selected if block_id is None else block_id
        if block_id is None:
            self.status_label.setText("Select a block to delete it")
            return False
        if block_id not in self.session.deleted:
            why = self.deletion_problem(block_id)
            if why is not None:
                self.status_label.setText(f"Cannot delete: {why}")
                self.inspector.show_deleted(False, False, why)
                return False
        unit = self.graph.unit_for_block(block_id)
        if unit is not None and unit != block_id and GROUP_SEP in unit:
            # a deleted block no longer looks like its neighbours: show it on its own
            self.session.set_expanded(self.session.expanded | {unit})
        self.session.toggle_deleted(block_id)
        return True

    def _on_deleted_changed(self, deleted: frozenset[str]) -> None:
        self.graph.set_deleted(deleted)
        n = len(deleted)
        self.deleted_label.setText(f"{n} block{'s' if n != 1 else ''} deleted" if n else "")
        self._sync_edit_actions()
        self._show_deleted_state(self.session.selected)

    def _sync_edit_actions(self) -> None:
        """Deleting, undo and redo act on the graph: only while it is shown."""
        shown = self.centre.currentWidget() is self.graph
        self.act_delete.setEnabled(shown)
        self.act_undo.setEnabled(shown and self.session.can_undo())
        self.act_redo.setEnabled(shown and self.session.can_redo())
        self.act_restore.setEnabled(shown and bool(self.session.deleted))

    def _show_deleted_state(self, block_id: str | None) -> None:
        if block_id is None or self.session.analysis is None:
            self.inspector.show_deleted(False, False)
            return
        deleted = block_id in self.session.deleted
        why = None if deleted else self.deletion_problem(block_id)
        self.inspector.show_deleted(deleted or why is None, deleted, why or "")

    def _on_block_context_menu(self, unit_id: str, pos: QPoint) -> None:
        self.block_menu(unit_id).popup(pos)

    def _on_selection_changed(self, block_id: str | None) -> None:
        self.inspector.show_block(self.session.analysis, block_id)
        self._show_deleted_state(block_id)
        self.panels["SE weights"].show_block(block_id)  # type: ignore[attr-defined]
        unit = self.graph.unit_for_block(block_id) if block_id is not None else None
        self.graph.set_selected(unit)

    def select_block(self, block_id: str) -> bool:
        """Select a block by qualname, opening what hides it; True if it exists."""
        an = self.session.analysis
        if an is None or block_id not in an.tree.blocks:
            return False
        self.session.reveal(block_id)  # opening its ancestors also breaks up their groups
        self.session.select(block_id)
        unit = self.graph.unit_for_block(block_id)
        if unit is not None:
            self.graph.center_on_unit(unit)
        return True

    def _on_find(self) -> None:
        text = self.find_edit.text().strip()
        if not text:
            return
        hits = list(self.session.find(text))
        if not hits:
            self.status_label.setText(f"No block matches '{text}'")
            return
        if text in hits:  # an exact name first, then the others in order
            hits.remove(text)
            hits.insert(0, text)
        if hits != self._find_hits:
            self._find_hits, self._find_pos = hits, 0
        else:
            self._find_pos = (self._find_pos + 1) % len(hits)
        self.select_block(hits[self._find_pos])
        self.status_label.setText(f"'{text}': match {self._find_pos + 1} of {len(hits)}")

    # -- export -----------------------------------------------------------------------------

    def export_dialog(self, fmt: str) -> None:
        if self.centre.currentWidget() is self.compare_view:
            self._export_compare()
            return
        if self.layout_data is None:
            self.status_label.setText("Nothing to export yet")
            return
        name = self.session.model_name or "graph"
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {fmt.upper()}",
            str(Path.home() / f"{name}.{fmt}"),
            f"{fmt.upper()} (*.{fmt})",
        )
        if path:
            self.export(path)

    def _export_compare(self) -> None:
        """Ctrl+E in the Compare view: its current tab as a PNG."""
        view = self.compare_view
        tab = view.tabs.tabText(view.tabs.currentIndex()).lower()
        path, _ = QFileDialog.getSaveFileName(
            self, "Export PNG", str(Path.home() / f"compare_{tab}.png"), "PNG (*.png)"
        )
        if not path:
            return
        if view.export_png(path):
            self.status_label.setText(f"Saved {path}")
        else:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}")

    def export(self, path: str) -> None:
        an = self.session.analysis
        if an is None or self.layout_data is None:
            raise RuntimeError("no graph to export")
        try:
            if path.lower().endswith(".svg"):
                save_svg(self.layout_data, path, title=an.spec.name)
            else:
                save_png(self.layout_data, an.tree.blocks, path, self.session.colour_by)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}:\n{exc}")
            return
        self.status_label.setText(f"Saved {path}")
