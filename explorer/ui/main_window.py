"""The main window: model browser, block graph, inspector; loading off the UI thread."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDockWidget,
    QGraphicsView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.app.session import COLOUR_MODES, Event, Session
from explorer.present.layout import (
    Layout,
    default_expanded,
)
from explorer.ui.browser import ModelBrowser
from explorer.ui.first_launch import RUN_PANELS, HintBar
from explorer.ui.fusion_control import FusionControl
from explorer.ui.graph_control import GraphControl
from explorer.ui.graph_view import GraphView
from explorer.ui.i18n import number
from explorer.ui.inspector import Inspector
from explorer.ui.presentation import Presentation
from explorer.ui.run_control import RunControl
from explorer.ui.window_parts import (
    build_graph_toolbar,
    build_menus,
    build_panels,
    build_run_toolbar,
    build_status,
)
from explorer.ui.workers import qt_jobs


class MainWindow(QMainWindow):
    """One window over one :class:`Session`."""

    graphShown = Signal(str)  # noqa: N815 - emitted once a model's graph is on screen
    # a model's graph first drawn: its stored graph (True) before torch loads, or, when none
    # was stored, the traced one (False; graphShown follows at once)
    graphDrawn = Signal(str, bool)  # noqa: N815
    panelsFilled = Signal(str)  # noqa: N815 - a run's figures are in every run panel
    modelFailed = Signal(str, str)  # noqa: N815

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("cnn-explorer")
        self.settings = settings if settings is not None else self.user_settings()
        self.session = Session()
        # every long task of the window runs here: one place owns generation, cancel and busy
        self.jobs = qt_jobs(self)
        self._loading_name: str | None = None
        self._load_started = 0.0
        self._drawn_stored: str | None = None  # the model whose stored graph is drawn

        self.graph = GraphView(self)
        # the centre: the block graph, or the Compare view (made when first shown)
        self.centre = QStackedWidget()
        self.centre.addWidget(self.graph)
        self.compare_view: Any = None
        self.side_view: Any = None  # the side-by-side view (made when first shown)
        self._docks_shown: dict[str, bool] = {}
        # above it, the first launch's one line of what to try
        self.hint_bar = HintBar()
        self.hint_bar.closed.connect(lambda: self.settings.setValue("hintClosed", True))
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.hint_bar)
        column.addWidget(self.centre, 1)
        self.setCentralWidget(central)
        self.browser = ModelBrowser()
        self.inspector = Inspector()
        self._dock(self.browser, self.tr("Models"), Qt.LeftDockWidgetArea, "models")
        self._dock(self.inspector, self.tr("Inspector"), Qt.RightDockWidgetArea, "inspector")
        build_graph_toolbar(self)
        build_status(self)
        self.run = RunControl(self.session, self.jobs, self.say, self)
        self.addToolBarBreak()
        self.run_toolbar = build_run_toolbar(self.run)
        self.addToolBar(self.run_toolbar)
        self.fusion = FusionControl(self.session, self.jobs, self.graph, self.say, self)
        self.statusBar().addPermanentWidget(self.fusion.label)
        # the fusion's figures beside the graph, a tab behind the inspector until a fusion
        self._dock(self.fusion.panel, self.tr("Fusion"), Qt.RightDockWidgetArea, "fusion")
        self.tabifyDockWidget(self.inspector.parentWidget(), self.fusion.panel.parentWidget())
        self.inspector.parentWidget().raise_()
        build_panels(self)
        build_menus(self)
        self.setAcceptDrops(True)
        # graphics views accept drags for their scenes by default and then refuse the drop;
        # files dropped on the graph or a plot are for the window
        for view in self.findChildren(QGraphicsView):
            view.setAcceptDrops(False)
            view.viewport().setAcceptDrops(False)

        self.browser.modelChosen.connect(self._on_model_chosen)
        self.browser.compareChosen.connect(self.show_compare)
        self.session.connect(Event.MODEL_PREVIEWED, self._on_model_previewed)
        self.session.connect(Event.MODEL_CHANGED, self._on_model_changed)
        self.session.connect(Event.MODEL_FAILED, self._on_model_failed)
        self.graph_control = GraphControl(self.session, self.graph, self.inspector, self.say, self)
        self.graph_control.panelRequested.connect(self.show_panel)
        self.session.connect(
            Event.SELECTION_CHANGED,
            lambda b: self.panels["SE weights"].show_block(b),  # type: ignore[attr-defined]
        )
        self.session.connect(Event.COLOUR_BY_CHANGED, self._on_colour_by_changed)
        self.session.connect(Event.DELETED_CHANGED, self._on_deleted_changed)
        self.session.connect(Event.ANALYSIS_SWAPPED, self._on_analysis_swapped)
        self.run.ran.connect(self.status_bar.show_run)
        self.run.ran.connect(self._on_ran)
        self.presentation = Presentation(self)
        self.presentation.toggled.connect(self._on_presentation_toggled)
        self.run.weightsLoaded.connect(self.status_bar.show_weights)
        self._restore()

    @staticmethod
    def user_settings() -> QSettings:
        """The user's own settings (layout, recent models, language)."""
        return QSettings("cnn-explorer", "cnn-explorer")

    def say(self, text: str) -> None:
        """The status outlet the controllers get: one line in the status bar."""
        self.status_bar.say(text)

    # -- construction ---------------------------------------------------------------------

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea, name: str) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)

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
        for bar in (self.graph_toolbar, self.run_toolbar):  # they act on the block graph
            bar.hide()
        self.centre.setCurrentWidget(self.compare_view)
        self._sync_edit_actions()
        if tab:
            self.compare_view.show_tab(tab)
        return self.compare_view

    def show_side_by_side(self, names: list[str] | None = None, detail: str | None = None) -> Any:
        """Show networks side by side in the centre (the view made on first use); with
        ``names`` (2 or 3, or a preset's) they are traced and shown."""
        if self.side_view is None:
            from explorer.ui.side_by_side.view import SideBySideView

            self.side_view = SideBySideView(self.jobs)
            self.side_view.backRequested.connect(self.show_graph)
            self.side_view.image_source = self._current_image
            self.centre.addWidget(self.side_view)
            if self.presentation.active:  # made in presentation mode: drawn as the graph is
                self.side_view.graph.set_presentation(self.presentation.scale, True)
        if self.centre.currentWidget() is self.graph:
            self._docks_shown = {n: d.isVisible() for n, d in self._side_docks(models=True).items()}
        for d in self._side_docks(models=True).values():  # the panes need the width
            d.hide()
        for bar in (self.graph_toolbar, self.run_toolbar):  # they act on the block graph
            bar.hide()
        self.centre.setCurrentWidget(self.side_view)
        self._sync_edit_actions()
        if names:
            self.side_view.show_names(list(names), detail)
        return self.side_view

    def _current_image(self) -> Any:
        """Image A of the window, if one is open (what the side-by-side view runs)."""
        images, i = self.session.images, self.session.image_index
        return images[i] if 0 <= i < len(images) else None

    def show_graph(self) -> None:
        if self.centre.currentWidget() is not self.graph:
            for name, dock in self._side_docks(models=True).items():
                dock.setVisible(self._docks_shown.get(name, dock.isVisible()))
            for bar in (self.graph_toolbar, self.run_toolbar):
                bar.show()
        self.centre.setCurrentWidget(self.graph)
        self._sync_edit_actions()

    def _side_docks(self, models: bool = False) -> dict[str, QDockWidget]:
        """The docks a view in the centre hides (``models``: the model list too)."""
        names = ("inspector", "panels", "fusion") + (("models",) if models else ())
        return {
            d.objectName(): d for d in self.findChildren(QDockWidget) if d.objectName() in names
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

    # -- first launch, presentation mode ---------------------------------------------------------

    def show_hint(self) -> None:
        """The first launch's one line of what to try (unless it was closed once)."""
        if self.settings.value("hintClosed", False) in (True, "true"):
            return
        self.hint_bar.show()

    def panels_filled(self) -> bool:
        """Every panel a run fills shows the current run's figures."""
        return self.session.result is not None and all(
            t in self.panels
            and not self.panels[t].stale
            and not getattr(self.panels[t], "broken", False)
            for t in RUN_PANELS
        )

    def _on_ran(self, _res: Any) -> None:
        if self.panels_filled():
            self.panelsFilled.emit(self.session.model_name or "")

    def set_presentation(self, on: bool) -> None:
        """Presentation mode (F5, View menu) on or off; off puts the window back as it was."""
        self.presentation.set_active(on)

    def _on_presentation_toggled(self, on: bool) -> None:
        blocker = self.act_presentation.blockSignals(True)
        self.act_presentation.setChecked(on)
        self.act_presentation.blockSignals(blocker)
        if not on and self.centre.currentWidget() is not self.graph:
            for d in self._side_docks().values():  # the Compare view keeps its room
                d.hide()
        if self.centre.currentWidget() is self.graph and self.session.analysis is not None:
            self.graph.fit()

    # -- persistence ----------------------------------------------------------------------

    def _restore(self) -> None:
        geo = self.settings.value("geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(geo)
        else:
            self.resize(1400, 900)
        self.fit_to_screen()
        state = self.settings.value("windowState")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        else:  # first start: the graph keeps most of the height
            self.size_panels()

    def size_panels(self) -> None:
        """The panels take about a third of the window's height (the graph the rest)."""
        dock = self.tabs.parentWidget()
        self.resizeDocks([dock], [max(220, self.height() * 35 // 100)], Qt.Orientation.Vertical)

    def fit_to_screen(self) -> None:
        """Keep the window within the screen's available area (a 1280x720 projector)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        # the frame's own borders and title bar, where the window system says them
        extra_w = max(0, self.frameGeometry().width() - self.width())
        extra_h = max(0, self.frameGeometry().height() - self.height())
        w = min(self.width(), avail.width() - extra_w)
        h = min(self.height(), avail.height() - extra_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(w, h)
        x = min(max(self.x(), avail.left()), avail.right() - w - extra_w + 1)
        y = min(max(self.y(), avail.top()), avail.bottom() - h - extra_h + 1)
        self.move(x, y)

    def recent_models(self) -> list[str]:
        return self.recent.names()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.show_graph()  # the docks as the user left them in the graph view are saved
        self.settings.setValue("geometry", self.saveGeometry())
        # in presentation mode, as they were before it (its fonts and plots are not put
        # back on the way out: restyling the plots while the window closed crashed at exit)
        p = self.presentation
        self.settings.setValue("windowState", p.saved_state if p.active else self.saveState())
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

    def cancel_work(self) -> None:
        """The panels' Cancel: a fusion, the forward pass, the evaluation and any sweep."""
        self.panels_control.cancel_work()

    # -- loading ----------------------------------------------------------------------------

    def load_model(self, name: str, input_size: int | None = None) -> None:
        """Build and trace ``name`` on a worker thread; the window stays usable. A stored
        graph of it (the analysis cache) is drawn first, before torch is imported."""
        from explorer.app.workflows.run import load_model

        self.session.set_input_size(input_size)
        gen = self.session.request_model(name)
        self._loading_name = name
        self._drawn_stored = None
        self._load_started = time.perf_counter()
        self.status_bar.loading(name)
        drawn = threading.Event()
        self.jobs.start(
            "model",
            lambda: load_model(name, input_size, stored=True, drawn=drawn),
            label=self.tr("loading {name}").format(name=name),
            on_progress=lambda p: self._on_load_progress(gen, p, drawn),
            on_done=lambda an: self._on_loaded(gen, an),
            on_error=lambda exc: self.session.fail(name, exc, gen),
        )

    def _on_load_progress(self, gen: int, p: Any, drawn: threading.Event) -> None:
        self.status_bar.load_progress(p)
        if p.partial is not None:  # the stored graph, drawn while the model is built
            try:
                self.session.show_preview(p.partial, gen, default_expanded(p.partial.tree))
            finally:
                drawn.set()  # the load goes on: torch is imported now

    def cancel_loading(self) -> None:
        self.jobs.cancel("model")
        self.session.cancel_request()  # whatever still arrives is stale
        self.status_bar.end_loading(
            self.tr("Cancelled loading {name}").format(name=self._loading_name)
        )

    def _on_loaded(self, gen: int, analysis: Any) -> None:
        expanded = default_expanded(analysis.tree)
        self.session.set_analysis(analysis, gen, expanded)

    def _on_model_previewed(self, analysis: Any) -> None:
        """The stored graph of the model being loaded: drawn, while the model is built."""
        name = analysis.spec.name
        self._drawn_stored = name
        self.model_label.setText(f"  {name}  ")
        self.setWindowTitle(f"cnn-explorer: {name}")
        self.status_bar.show_model(analysis)
        self.browser.mark_current(name)
        self._relayout(fit=True)
        self.graphDrawn.emit(name, True)

    def _on_model_changed(self, analysis: Any) -> None:
        dt = time.perf_counter() - self._load_started
        name = analysis.spec.name
        self.status_bar.end_loading(
            self.tr("{name} loaded in {seconds} s").format(name=name, seconds=number(dt, 1))
        )
        self.model_label.setText(f"  {name}  ")
        self.setWindowTitle(f"cnn-explorer: {name}")
        self.status_bar.show_model(analysis)
        self.browser.mark_current(name)
        self.recent.remember(name)
        # drawn from its stored graph already: the same graph, as the user has zoomed it
        stored, self._drawn_stored = self._drawn_stored == name, None
        self._relayout(fit=not stored)
        if not stored:
            self.graphDrawn.emit(name, False)
        self.graphShown.emit(name)

    def _on_analysis_swapped(self, analysis: Any) -> None:
        """Fused or unfused: the same model drawn from its other analysis."""
        name = analysis.spec.name + (self.tr(" (fused)") if self.session.fused else "")
        self.model_label.setText(f"  {name}  ")
        self.setWindowTitle(f"cnn-explorer: {name}")
        self._sync_edit_actions()  # the status bar and the graph control redraw themselves

    def _on_model_failed(self, name: str, message: str) -> None:
        self.status_bar.end_loading(self.tr("Could not load {name}").format(name=name))
        self.modelFailed.emit(name, message)
        box = QMessageBox(
            QMessageBox.Warning,
            self.tr("Model failed"),
            self.tr("{name} could not be loaded:\n\n{message}").format(name=name, message=message),
            QMessageBox.Ok,
            self,
        )
        box.setModal(False)
        box.show()
        self._last_error_box = box

    # -- graph ------------------------------------------------------------------------------

    # -- the graph: its control ------------------------------------------------------------------

    @property
    def layout_data(self) -> Layout | None:
        return self.graph_control.layout_data

    def _relayout(self, fit: bool = False) -> None:
        self.graph_control.relayout(fit)

    def _on_colour_by_changed(self, mode: str) -> None:
        blocker = self.colour_combo.blockSignals(True)
        self.colour_combo.setCurrentIndex(COLOUR_MODES.index(mode))
        self.colour_combo.blockSignals(blocker)

    def expand_all(self) -> None:
        self.graph_control.expand_all()

    def collapse_to_depth(self) -> None:
        self.graph_control.collapse_to_depth(self.depth_spin.value())

    def default_view(self) -> None:
        self.graph_control.default_view()

    def block_menu(self, unit_id: str) -> QMenu:
        return self.graph_control.block_menu(unit_id)

    def deletion_problem(self, block_id: str) -> str | None:
        return self.graph_control.deletion_problem(block_id)

    def toggle_deleted(self, block_id: str | None = None) -> bool:
        return self.graph_control.toggle_deleted(block_id)

    def select_block(self, block_id: str) -> bool:
        return self.graph_control.select_block(block_id)

    def _on_deleted_changed(self, _deleted: frozenset[str]) -> None:
        self._sync_edit_actions()

    def _sync_edit_actions(self) -> None:
        """Deleting, undo and redo act on the graph: only while it is shown."""
        shown = self.centre.currentWidget() is self.graph
        self.act_delete.setEnabled(shown)
        self.act_undo.setEnabled(shown and self.session.can_undo())
        self.act_redo.setEnabled(shown and self.session.can_redo())
        self.act_restore.setEnabled(shown and bool(self.session.deleted))

    # -- export -----------------------------------------------------------------------------

    def export_dialog(self, fmt: str) -> None:
        """Ctrl+E: the graph as PNG or SVG, or the Compare view's current tab as a PNG."""
        if self.centre.currentWidget() is self.compare_view:
            self.compare_view.export_dialog(self.say)
        elif self.side_view is not None and self.centre.currentWidget() is self.side_view:
            self.side_view.export_dialog(self.say)
        else:
            self.graph_control.export_dialog(fmt)

    def export(self, path: str) -> None:
        self.graph_control.export(path)
