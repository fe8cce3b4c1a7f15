"""The window's menus, toolbars, panels and status bar, declared in one place.

Each function builds one part of a :class:`~explorer.ui.main_window.MainWindow` and sets the
attributes the window and the tests use (``act_undo``, ``find_edit``, ``panels`` ...).
Controllers only offer their actions and widgets; they are placed here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from explorer.app.events import Event
from explorer.app.state import COLOUR_MODES
from explorer.ui.eval_control import EvalControl
from explorer.ui.executor_setting import add_executor_menu
from explorer.ui.i18n import LANGUAGES, SETTINGS_KEY, saved_language, translate
from explorer.ui.label_words import colour_name
from explorer.ui.panels.accuracy import AccuracyPanel
from explorer.ui.panels.activation_std import ActivationStdPanel
from explorer.ui.panels.base import Panel
from explorer.ui.panels.feature_maps import FeatureMapsPanel
from explorer.ui.panels.field import FieldPanel
from explorer.ui.panels.highway import HighwayPanel
from explorer.ui.panels.landscape import LandscapePanel
from explorer.ui.panels.paths import PathsPanel
from explorer.ui.panels.predictions import PredictionsPanel
from explorer.ui.panels.se_weights import SEWeightsPanel
from explorer.ui.panels.sweeps import SweepsPanel
from explorer.ui.panels_control import PanelsControl
from explorer.ui.run_control import NORMALIZE_ITEMS, WEIGHT_ITEMS
from explorer.ui.status_bar import StatusBar


def build_graph_toolbar(win: Any) -> None:
    """The graph toolbar: the model's name, Find, expansion, colouring, Fit (and, placed by
    :func:`build_menus`, Restore all and Fuse): the first row, short enough to stay whole in a
    1280 px window. Every action here is in a menu too."""
    tb = QToolBar(translate("Window", "Graph"))
    tb.setObjectName("graph_toolbar")
    win.graph_toolbar = tb
    win.addToolBar(tb)
    win.model_label = QLabel("  " + translate("Window", "no model") + "  ")
    win.model_label.setStyleSheet("font-weight: bold;")
    tb.addWidget(win.model_label)
    tb.addSeparator()
    win.find_edit = QLineEdit()
    win.find_edit.setPlaceholderText(translate("Window", "Find block (Ctrl+F)"))
    win.find_edit.setClearButtonEnabled(True)
    win.find_edit.setMaximumWidth(180)
    win.find_edit.returnPressed.connect(lambda: win.graph_control.find(win.find_edit.text()))
    tb.addWidget(win.find_edit)
    tb.addSeparator()
    win.act_expand_all = tb.addAction(translate("Window", "Expand all"), win.expand_all)
    win.act_collapse = QAction(translate("Window", "Collapse to depth"), win)
    win.act_collapse.setIconText(translate("Window", "Collapse to"))
    win.act_collapse.setToolTip(
        translate("Window", "Close every block deeper than the depth beside")
    )
    win.act_collapse.triggered.connect(win.collapse_to_depth)
    tb.addAction(win.act_collapse)
    win.depth_spin = QSpinBox()
    win.depth_spin.setRange(1, 12)
    win.depth_spin.setValue(2)
    win.depth_spin.setToolTip(translate("Window", "The depth 'Collapse to' keeps open"))
    tb.addWidget(win.depth_spin)
    win.act_default = tb.addAction(translate("Window", "Default view"), win.default_view)
    win.act_default.setIconText(translate("Window", "Default"))
    tb.addSeparator()
    tb.addWidget(QLabel(" " + translate("Window", "colour") + " "))
    win.colour_combo = QComboBox()
    win.colour_combo.addItems([colour_name(m) for m in COLOUR_MODES])
    win.colour_combo.currentIndexChanged.connect(
        lambda i: win.session.set_colour_by(COLOUR_MODES[i])
    )
    tb.addWidget(win.colour_combo)
    tb.addSeparator()
    win.act_fit = tb.addAction(translate("Window", "Fit (F)"), win.graph.fit)
    win.act_fit.setShortcut(QKeySequence("F"))


def build_panels(win: Any) -> None:
    """The bottom panels as tabs, the evaluation control, the busy bar and Cancel."""
    win.tabs = QTabWidget()
    win.panels: dict[str, Panel] = {}
    for cls in (
        PredictionsPanel,
        FeatureMapsPanel,
        SEWeightsPanel,
        HighwayPanel,
        ActivationStdPanel,
        FieldPanel,
        AccuracyPanel,
        SweepsPanel,
        LandscapePanel,
        PathsPanel,
    ):
        panel = cls()
        win.panels[cls.title] = panel
        win.tabs.addTab(panel, translate("Panels", cls.title))
        panel.blockChosen.connect(win.select_block)
    field = win.panels[FieldPanel.title]
    field.jobs = win.jobs  # type: ignore[attr-defined]
    # a value clicked on a feature map: the field panel shows what it sees
    win.panels[FeatureMapsPanel.title].positionChosen.connect(field.show_position)  # type: ignore[attr-defined]
    landscape = win.panels[LandscapePanel.title]
    landscape.attach(win.session, win.jobs)  # type: ignore[attr-defined]
    win.session.connect(Event.MODEL_CHANGED, landscape.follow_model)  # type: ignore[attr-defined]
    landscape.follow_model(win.session.analysis)  # type: ignore[attr-defined]
    win.panels[PathsPanel.title].attach(win.session, win.jobs)  # type: ignore[attr-defined]
    win.eval = EvalControl(win.session, win.jobs, win.say, win)
    corner = QWidget()
    row = QHBoxLayout(corner)
    row.setContentsMargins(0, 0, 4, 0)
    win.run_busy = QProgressBar()
    win.run_busy.setRange(0, 0)
    win.run_busy.setMaximumWidth(120)
    win.run_busy.setMaximumHeight(14)
    win.run_cancel = QPushButton(translate("Window", "Cancel"))
    row.addWidget(win.run_busy)
    row.addWidget(win.run_cancel)
    for w in (win.run_busy, win.run_cancel):
        # the tab widget sizes its corner once: hidden parts must keep their room there,
        # else the bar and the button show up later with no size at all
        policy = w.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        w.setSizePolicy(policy)
        w.hide()
    win.tabs.setCornerWidget(corner)
    win._dock(win.tabs, translate("Window", "Panels"), Qt.BottomDockWidgetArea, "panels")
    win.panels_control = PanelsControl(
        win.session,
        win.jobs,
        win.panels,
        (win.run, win.eval, win.fusion),
        (win.run_busy, win.run_cancel),
        win.say,
        win.show_panel,
        win,
    )


def build_menus(win: Any) -> None:
    """Every menu of the window, and the actions controllers offer placed in them."""
    m = win.menuBar().addMenu(translate("Window", "&File"))
    open_act = win.run.act_open  # the toolbar's Open... and Folder..., named in full here
    open_act.setText(translate("Window", "Open images..."))
    open_act.setIconText(translate("Window", "Open..."))
    open_act.setShortcut(QKeySequence.Open)
    m.addAction(open_act)
    win.run.act_folder.setText(translate("Window", "Open a folder of images..."))
    win.run.act_folder.setIconText(translate("Window", "Folder..."))
    m.addAction(win.run.act_folder)
    samples = m.addMenu(translate("Window", "Samples"))
    samples.aboutToShow.connect(lambda: fill_samples_menu(samples, win.run))
    m.addAction(win.run.act_draw)  # the toolbar's draw pad
    paste = QAction(translate("Window", "Paste image"), win)
    paste.setShortcut(QKeySequence.Paste)
    paste.triggered.connect(win.run.paste)
    m.addAction(paste)
    m.addAction(translate("Window", "Load weights from file..."), win.run.choose_weights_file)
    m.addSeparator()
    win.recent_menu = m.addMenu(translate("Window", "Recent models"))
    win.recent = RecentModels(win.settings, win.recent_menu, win.load_model)
    m.addSeparator()
    exp = QAction(translate("Window", "Export graph as PNG..."), win)
    exp.setShortcut(QKeySequence("Ctrl+E"))
    exp.triggered.connect(lambda: win.export_dialog("png"))
    m.addAction(exp)
    m.addAction(translate("Window", "Export graph as SVG..."), lambda: win.export_dialog("svg"))
    m.addSeparator()
    quit_act = QAction(translate("Window", "Quit"), win)
    quit_act.setShortcut(QKeySequence.Quit)
    quit_act.triggered.connect(win.close)
    m.addAction(quit_act)
    e = win.menuBar().addMenu(translate("Window", "&Edit"))
    win.act_delete = QAction(translate("Window", "Delete / restore block"), win)
    win.act_delete.setShortcut(QKeySequence.Delete)
    win.act_delete.triggered.connect(lambda: win.toggle_deleted())
    e.addAction(win.act_delete)
    win.act_undo = QAction(translate("Window", "Undo deletion"), win)
    win.act_undo.setShortcut(QKeySequence.Undo)
    win.act_undo.triggered.connect(win.session.undo)
    win.act_redo = QAction(translate("Window", "Redo deletion"), win)
    win.act_redo.setShortcuts([QKeySequence.Redo, QKeySequence("Ctrl+Shift+Z")])
    win.act_redo.triggered.connect(win.session.redo)
    win.act_restore = QAction(translate("Window", "Restore all blocks"), win)
    win.act_restore.triggered.connect(win.session.restore_all)
    for a in (win.act_undo, win.act_redo, win.act_restore):
        a.setEnabled(False)
        e.addAction(a)
    win.act_restore.setIconText(translate("Window", "Restore all"))
    win.graph_toolbar.addSeparator()
    win.graph_toolbar.addAction(win.act_restore)
    f = win.fusion
    model_menu = win.menuBar().addMenu(translate("Window", "&Model"))
    for a in (f.act_fuse, f.act_fold, f.act_unfuse):
        model_menu.addAction(a)
    model_menu.addSeparator()
    model_menu.addAction(f.act_results)
    model_menu.addAction(f.act_motion)
    model_menu.addAction(f.act_deploy)
    model_menu.addSeparator()
    add_weights_menu(model_menu.addMenu(translate("Window", "Weights")), win.run)
    add_executor_menu(
        model_menu.addMenu(translate("Executor", "Evaluate landscapes and sweeps on")), win
    )
    win.graph_toolbar.addAction(f.act_deploy)
    v = win.menuBar().addMenu(translate("Window", "&View"))
    win.act_compare = QAction(translate("Window", "Compare architectures"), win)
    win.act_compare.setShortcut(QKeySequence("Ctrl+K"))
    win.act_compare.triggered.connect(win.show_compare)
    v.addAction(win.act_compare)
    win.act_side = QAction(translate("Window", "Side by side..."), win)
    win.act_side.setShortcut(QKeySequence("Ctrl+Shift+K"))
    win.act_side.setToolTip(
        translate(
            "Window", "Two or three networks aligned by stage, and what one has that another lacks"
        )
    )
    win.act_side.triggered.connect(lambda: win.show_side_by_side())
    v.addAction(win.act_side)
    win.act_graph = QAction(translate("Window", "Block graph"), win)
    win.act_graph.setShortcut(QKeySequence("Ctrl+G"))
    win.act_graph.triggered.connect(win.show_graph)
    v.addAction(win.act_graph)
    v.addSeparator()
    v.addAction(translate("Window", "Training curves: plain vs residual..."), win.show_curves)
    v.addSeparator()
    v.addAction(win.act_fit)
    v.addAction(win.act_expand_all)
    v.addAction(win.act_collapse)
    v.addAction(win.act_default)
    add_colour_menu(v.addMenu(translate("Window", "Colour blocks by")), win)
    win.act_norm_boxes = QAction(translate("Window", "Norms and activations as boxes"), win)
    win.act_norm_boxes.setCheckable(True)
    win.act_norm_boxes.setToolTip(
        translate(
            "Window",
            "Off (as on a slide): a BN or ReLU right after a conv is a mark in the conv's box",
        )
    )
    win.act_norm_boxes.toggled.connect(lambda on: win.graph_control.set_fold(not on))
    v.addAction(win.act_norm_boxes)
    find = QAction(translate("Window", "Find block"), win)
    find.setShortcut(QKeySequence.Find)
    find.triggered.connect(lambda: (win.find_edit.setFocus(), win.find_edit.selectAll()))
    v.addAction(find)
    v.addSeparator()
    win.act_presentation = QAction(translate("Window", "Presentation mode"), win)
    win.act_presentation.setCheckable(True)
    win.act_presentation.setShortcut(QKeySequence("F5"))
    win.act_presentation.setToolTip(
        translate(
            "Window",
            "Larger fonts and strokes, high contrast, the model list hidden (F5 again: as before)",
        )
    )
    win.act_presentation.toggled.connect(win.set_presentation)
    v.addAction(win.act_presentation)
    v.addSeparator()
    win.language_menu = v.addMenu(translate("Window", "Language"))
    add_language_menu(win.language_menu, win)


def add_language_menu(menu: QMenu, win: Any) -> None:
    """View > Language: the system's or a language of its own, kept in the settings and
    applied at the next start (the window's texts are made once)."""
    group = QActionGroup(menu)
    saved = saved_language(win.settings)
    win.language_actions = {}
    choices = [("", translate("Window", "System language"))] + list(LANGUAGES.items())
    for code, name in choices:
        a = menu.addAction(name)
        a.setCheckable(True)
        a.setChecked(code == saved)
        a.setData(code)
        group.addAction(a)
        a.triggered.connect(lambda _c=False, code=code: set_language(win, code))
        win.language_actions[code] = a


def set_language(win: Any, code: str) -> None:
    """Keep View > Language's choice ("" : the system's); it applies at the next start."""
    if saved_language(win.settings) == code:
        return
    win.settings.setValue(SETTINGS_KEY, code)
    win.settings.sync()
    win.say(translate("Window", "The language changes at the next start"))


def add_colour_menu(menu: QMenu, win: Any) -> None:
    """The toolbar's colour box as a menu of choices that follow it."""
    group = QActionGroup(menu)
    acts = []
    for i, mode in enumerate(COLOUR_MODES):
        a = menu.addAction(colour_name(mode))
        a.setCheckable(True)
        group.addAction(a)
        a.triggered.connect(lambda _c=False, i=i: win.colour_combo.setCurrentIndex(i))
        acts.append(a)
    menu.aboutToShow.connect(lambda: acts[win.colour_combo.currentIndex()].setChecked(True))


def add_weights_menu(menu: QMenu, run: Any) -> None:
    """The toolbar's weights box as a menu (the choice shown is checked)."""
    group = QActionGroup(menu)

    def fill() -> None:
        menu.clear()
        for i in range(run.weights_combo.count()):
            a = menu.addAction(run.weights_combo.itemText(i))
            a.setCheckable(True)
            a.setChecked(i == run.weights_combo.currentIndex())
            group.addAction(a)
            a.triggered.connect(lambda _c=False, i=i: run._on_weights_chosen(i))

    menu.aboutToShow.connect(fill)


def fill_samples_menu(menu: QMenu, run: Any) -> None:
    """File > Samples: the built-in samples for the model shown (as the toolbar's button)."""
    from explorer.runtime.images import sample_names

    menu.clear()
    an = run.session.analysis
    for name in sample_names(an.spec.classes if an is not None else "imagenet"):
        menu.addAction(name, lambda n=name: run.open_sample(n))


def build_status(win: Any) -> None:
    """The status bar: one message line, loading progress, the standing figures."""
    win.status_bar = StatusBar(win.statusBar(), win.session, win.cancel_loading, win)
    sb = win.status_bar
    # the names the window's users (scripts, tests) read
    win.status_label, win.progress, win.cancel_button = sb.label, sb.progress, sb.cancel_button
    win.info_label, win.weights_label, win.deleted_label = (
        sb.info_label,
        sb.weights_label,
        sb.deleted_label,
    )
    win.device_label, win.latency_label = sb.device_label, sb.latency_label


class RecentModels:
    """The File menu's recent models, kept in the settings (the newest first)."""

    MAX = 8

    def __init__(self, settings: Any, menu: Any, open_model: Any) -> None:
        self.settings, self.menu, self.open_model = settings, menu, open_model
        self.fill()

    def names(self) -> list[str]:
        v = self.settings.value("recentModels", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def remember(self, name: str) -> None:
        recent = [name] + [r for r in self.names() if r != name]
        self.settings.setValue("recentModels", recent[: self.MAX])
        self.fill()

    def fill(self) -> None:
        self.menu.clear()
        for name in self.names():
            self.menu.addAction(name, lambda n=name: self.open_model(n))
        self.menu.setEnabled(bool(self.names()))


def compact(combo: QComboBox, chars: int) -> None:
    """A box as wide as ``chars`` characters, whatever its items (the toolbar's row must stay
    within a 1280 px window)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)


def build_run_toolbar(run: Any) -> QToolBar:
    """The run toolbar: weights, images, normalisation, device; its widgets are the run
    control's (``run.weights_combo`` ...)."""
    tb = QToolBar(translate("Window", "Run"))
    tb.setObjectName("run_toolbar")
    tb.addWidget(QLabel(" " + translate("Window", "weights") + " "))
    run.weights_combo = QComboBox()
    for key, text in WEIGHT_ITEMS:
        run.weights_combo.addItem(translate("Window", text), key)
    run.weights_combo.addItem(translate("Window", "from file..."), "file")
    run.weights_combo.setToolTip(
        translate("Window", "Library pretrained weights, random ones, or a checkpoint")
    )
    compact(run.weights_combo, 13)
    run.weights_combo.activated.connect(run._on_weights_chosen)
    tb.addWidget(run.weights_combo)
    run.badge = QLabel(" " + translate("Window", "untrained") + " ")
    run.badge.setStyleSheet(
        "background: #c0392b; color: white; border-radius: 3px; font-weight: bold;"
    )
    run.badge.setToolTip(
        translate("Window", "The model has random weights: its predictions mean nothing")
    )
    run.badge_action = tb.addWidget(run.badge)
    run.badge_action.setVisible(False)
    tb.addSeparator()
    tb.addWidget(QLabel(" " + translate("Window", "image") + " "))
    run.image_combo = QComboBox()
    compact(run.image_combo, 10)
    run.image_combo.activated.connect(lambda i: run.session.set_image(i))
    tb.addWidget(run.image_combo)
    run.act_open = tb.addAction(translate("Window", "Open..."), run.open_dialog)
    run.act_open.setToolTip(translate("Window", "Open image files (Ctrl+O)"))
    run.act_folder = tb.addAction(translate("Window", "Folder..."), run.open_folder_dialog)
    run.samples_btn = QToolButton()
    run.samples_btn.setText(translate("Window", "Samples"))
    run.samples_btn.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    run.samples_menu = QMenu(run.samples_btn)
    run.samples_menu.aboutToShow.connect(run._fill_samples)
    run.samples_btn.setMenu(run.samples_menu)
    tb.addWidget(run.samples_btn)
    tb.addAction(run.act_draw)  # disabled, with the reason as tooltip, for other networks
    tb.addWidget(QLabel(" " + translate("Window", "compare") + " "))
    run.compare_combo = QComboBox()
    run.compare_combo.setToolTip(
        translate("Window", "A second image run beside the first (SE weights panel)")
    )
    compact(run.compare_combo, 6)
    run.compare_combo.activated.connect(lambda i: run.session.set_compare(i - 1))
    tb.addWidget(run.compare_combo)
    tb.addWidget(QLabel(" " + translate("Window", "norm") + " "))
    run.norm_combo = QComboBox()
    run.norm_combo.addItems(
        [translate("Window", "weights' own"), "imagenet", "cifar", translate("Window", "none")]
    )
    run.norm_combo.setToolTip(
        translate(
            "Window",
            "The mean and std the image is normalised with (weights' own: as the weights say)",
        )
    )
    compact(run.norm_combo, 9)
    run.norm_combo.activated.connect(
        lambda i: run.session.set_normalize(NORMALIZE_ITEMS[max(i, 0)])
    )
    tb.addWidget(run.norm_combo)
    tb.addSeparator()
    tb.addWidget(QLabel(" " + translate("Window", "device") + " "))
    run.device_combo = QComboBox()
    run.device_combo.addItem(translate("Window", "auto"), "auto")
    run.device_combo.activated.connect(run._on_device_chosen)
    tb.addWidget(run.device_combo)
    run.precision_combo = QComboBox()
    run.precision_combo.addItems(["fp32", "bf16", "fp16"])
    run.precision_combo.setEnabled(False)
    run.precision_combo.activated.connect(run._on_device_chosen)
    tb.addWidget(run.precision_combo)
    run.toolbar = tb
    return tb
