"""A 1280x720 projector: the window fits the screen, and every toolbar entry is on screen
(or, for an action, in a menu too): computed from the widgets' geometry, not the overflow."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QToolBar

LOAD_TIMEOUT = 120_000


def menu_actions(win) -> set[QAction]:
    out: set[QAction] = set()

    def walk(menu: QMenu) -> None:
        for a in menu.actions():
            if a.menu() is not None:
                walk(a.menu())
            out.add(a)

    for top in win.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu())
    return out


def on_screen(tb: QToolBar, a: QAction) -> bool:
    """The entry's button or widget is shown inside its toolbar (not behind ">>")."""
    w = tb.widgetForAction(a)
    return (
        w is not None
        and w.isVisible()
        and w.geometry().right() <= tb.rect().right()
        and w.geometry().bottom() <= tb.rect().bottom()
        and w.mapTo(tb.window(), w.rect().topRight()).x() <= tb.window().width()
    )


def entries(win) -> list[tuple[QToolBar, QAction]]:
    return [
        (tb, a)
        for tb in win.findChildren(QToolBar)
        if tb.isVisible()
        for a in tb.actions()
        if a.isVisible() and not a.isSeparator()
    ]


@pytest.mark.parametrize("random_weights", [False, True])
def test_every_toolbar_entry_reachable_at_1280x720(qtbot, qapp, window, random_weights) -> None:
    with qtbot.waitSignal(window.run.weightsLoaded, timeout=LOAD_TIMEOUT):
        window.load_model("resnet56")
    if random_weights:  # the red "untrained" badge takes its room too
        window.run.badge_action.setVisible(True)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    for _ in range(5):
        qapp.processEvents()
    menus = menu_actions(window)
    missing = []
    for tb, a in entries(window):
        shown = on_screen(tb, a)
        widget_entry = type(a).__name__ == "QWidgetAction"  # a box or a label: no menu twin
        if not shown and (widget_entry or a not in menus):
            missing.append(a.text() or type(tb.widgetForAction(a)).__name__)
    assert missing == [], missing
    # the important ones are on screen, not only in a menu
    graph_tb = window.graph_toolbar
    for a in (window.act_fit, window.act_restore, window.fusion.act_deploy):
        assert on_screen(graph_tb, a), a.text()
    for w in (window.find_edit, window.model_label):
        assert w.isVisible() and w.mapTo(window, w.rect().topRight()).x() <= 1280


def test_every_toolbar_action_also_in_a_menu(window) -> None:
    menus = menu_actions(window)
    plain = [
        a
        for tb, a in entries(window)
        if type(a).__name__ == "QAction" and a is not window.run.badge_action
    ]
    assert plain, "no toolbar actions found"
    assert [a.text() for a in plain if a not in menus] == []


def test_window_fits_the_screen(qtbot, settings) -> None:
    from PySide6.QtCore import QByteArray

    from explorer.ui.main_window import MainWindow

    avail = QGuiApplication.primaryScreen().availableGeometry()
    w = MainWindow(settings=settings)  # first start: no saved geometry
    qtbot.addWidget(w)
    assert w.width() <= avail.width() and w.height() <= avail.height()
    assert avail.contains(w.frameGeometry().topLeft())
    # a geometry saved on a larger screen is brought within this one
    big = MainWindow(settings=settings)
    qtbot.addWidget(big)
    big.resize(avail.width() + 600, avail.height() + 400)
    settings.setValue("geometry", QByteArray(big.saveGeometry()))
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.width() <= avail.width() and again.height() <= avail.height()
