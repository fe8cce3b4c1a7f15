"""Presentation mode (F5 / View menu): larger fonts, high contrast, the model list hidden;
leaving it puts the window back exactly as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget


def docks(win) -> dict[str, tuple[bool, tuple[int, int, int, int]]]:
    out = {}
    for d in win.findChildren(QDockWidget):
        g = d.geometry()
        out[d.objectName()] = (d.isVisible(), (g.x(), g.y(), g.width(), g.height()))
    return out


def look(win) -> dict:
    """What presentation mode changes, as numbers."""
    return {
        "docks": docks(win),
        "tabs_pt": win.tabs.font().pointSizeF(),
        "inspector_pt": win.inspector.font().pointSizeF(),
        "status_pt": win.statusBar().font().pointSizeF(),
        "footer": win.inspector.footer.isVisible(),
        "device_label": win.device_label.isVisible(),
        "text": win.palette().color(QPalette.ColorRole.WindowText).name(),
        "explicit_font": win.tabs.testAttribute(Qt.WidgetAttribute.WA_SetFont),
        "hint": win.hint_bar.isVisible(),
        "axes": [
            (
                ax.style["tickFont"].pointSizeF() if ax.style["tickFont"] is not None else None,
                dict(ax.labelStyle),
            )
            for ax in win.presentation._axes_items()
        ],
    }


def settle(qapp) -> None:
    """Let the layout of a window just shown settle (its docks move by a pixel at first)."""
    for _ in range(5):
        qapp.processEvents()


def test_f5_enters_and_leaves_presentation_mode(qtbot, qapp, window) -> None:
    calls: list[tuple[float, bool]] = []
    if not hasattr(type(window.graph), "set_presentation"):  # the graph's API, when it lands
        window.graph.set_presentation = lambda s, hc: calls.append((s, hc))
    else:
        real = window.graph.set_presentation
        window.graph.set_presentation = lambda s, hc: (calls.append((s, hc)), real(s, hc))
    window.show_hint()
    qtbot.waitExposed(window)
    settle(qapp)
    before, state = look(window), window.saveState()
    assert before["docks"]["models"][0] and before["footer"]

    QTest.keyClick(window, Qt.Key_F5)
    qtbot.waitUntil(lambda: window.presentation.active)
    during = look(window)
    assert window.act_presentation.isChecked()
    assert not during["docks"]["models"][0]  # the model list hidden
    assert during["docks"]["inspector"][0] and not during["footer"]  # the inspector compact
    assert during["docks"]["inspector"][1][2] <= before["docks"]["inspector"][1][2]
    for key in ("tabs_pt", "inspector_pt", "status_pt"):
        assert during[key] >= 1.5 * before[key], key
    assert not during["device_label"] and before["hint"] and not during["hint"]
    assert before["axes"], "no plot axes found in the panels"
    for (tick0, style0), (tick1, style1) in zip(before["axes"], during["axes"], strict=True):
        # the axes' text too (an axis without a font of its own had the panels' font)
        assert tick1 is not None and tick1 >= 1.5 * (tick0 or before["tabs_pt"])
        assert float(style1["font-size"].removesuffix("pt")) >= 1.5 * before["tabs_pt"]
        assert "font-size" not in style0
    assert during["text"] == "#000000"
    assert calls == [(1.6, True)]

    window.act_presentation.trigger()  # the View menu's entry leaves it
    qtbot.waitUntil(lambda: not window.presentation.active)
    settle(qapp)
    after = look(window)
    assert after == before
    assert window.saveState() == state
    assert calls == [(1.6, True), (1.0, False)]
    assert not window.act_presentation.isChecked()


def test_presentation_entry_in_view_menu(window) -> None:
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert window.act_presentation in view.actions()
    assert window.act_presentation.shortcut().toString() == "F5"
    # F5 is the presentation key alone
    keys = [
        a.shortcut().toString()
        for a in window.findChildren(type(window.act_presentation))
        if a is not window.act_presentation
    ]
    assert "F5" not in keys


def test_closing_in_presentation_mode_saves_the_layout_from_before(qtbot, qapp, settings):
    from explorer.ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    settle(qapp)
    state = w.saveState()
    w.set_presentation(True)
    settle(qapp)
    assert w.saveState() != state  # the model list is hidden
    w.close()
    assert bytes(settings.value("windowState")) == bytes(state)


def test_presentation_keeps_disabled_controls_grey(window) -> None:
    """Black text for everything made 'Restore all' (nothing to restore) look clickable."""
    from PySide6.QtGui import QPalette

    window.act_presentation.setChecked(True)
    pal = window.palette()
    G, R = QPalette.ColorGroup, QPalette.ColorRole
    assert pal.color(G.Active, R.ButtonText).name() == "#000000"
    assert pal.color(G.Disabled, R.ButtonText).name() != "#000000"
    assert pal.color(G.Disabled, R.WindowText).name() != "#000000"
    window.act_presentation.setChecked(False)


def test_the_image_shrinks_rather_than_run_under_its_caption(qtbot, window) -> None:
    """In presentation mode at 1280x720 the caption was drawn over the image ("2x32 as the")."""
    from test_run_panels import load

    window.resize(1280, 720)
    load(qtbot, window, "resnet20")
    panel = window.panels["Predictions"]
    window.show_panel("Predictions")
    qtbot.waitUntil(lambda: bool(panel.view_caption.text()), timeout=60_000)
    window.act_presentation.setChecked(True)
    qtbot.wait(200)
    view, caption = panel.view.geometry(), panel.view_caption.geometry()
    assert view.bottom() < caption.top(), (view, caption)
    pm = panel.view.pixmap()
    assert not pm.isNull() and pm.width() <= view.width() and pm.height() <= view.height()
    window.act_presentation.setChecked(False)
