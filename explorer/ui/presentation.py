"""Presentation mode (F5): the window as a lecture hall needs it, and back exactly as it was.

Entering it: the graph's fonts and strokes scaled and its colours in high contrast (the
graph view's own ``set_presentation``), the model list hidden, the inspector narrower without
its footnote, the first launch's hint hidden, the panels' and the inspector's fonts larger
(the plots' axes too), black text on white, and the status bar's figures large and few. Leaving it puts back the dock layout
(``saveState``/``restoreState``), every font, palette and axis style that was changed, and
the status bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QDockWidget, QWidget

#: fonts and strokes are scaled by this much
SCALE = 1.6

#: black on white, a strong selection colour: what a projector keeps readable
HIGH_CONTRAST = {
    QPalette.ColorRole.Window: "#ffffff",
    QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#eeeeee",
    QPalette.ColorRole.Text: "#000000",
    QPalette.ColorRole.ButtonText: "#000000",
    QPalette.ColorRole.Highlight: "#0a3d91",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}


def scaled_font(font: QFont, scale: float) -> QFont:
    f = QFont(font)
    if f.pointSizeF() > 0:
        f.setPointSizeF(f.pointSizeF() * scale)
    else:
        f.setPixelSize(max(1, round(f.pixelSize() * scale)))
    return f


class Presentation(QObject):
    """Enters and leaves presentation mode for one main window."""

    toggled = Signal(bool)

    def __init__(self, win: Any, scale: float = SCALE) -> None:
        super().__init__(win)
        self.win, self.scale = win, scale
        self.active = False
        self._state = QByteArray()
        self._fonts: list[tuple[QWidget, QFont | None]] = []
        self._palette: QPalette | None = None
        self._axes: list[tuple[Any, Any, dict[str, str]]] = []
        self._footer = True
        self._hint = False

    # -- the parts it changes -------------------------------------------------------------------

    def _dock(self, name: str) -> QDockWidget | None:
        for d in self.win.findChildren(QDockWidget):
            if d.objectName() == name:
                return d
        return None

    def _font_targets(self) -> list[QWidget]:
        win = self.win
        return [win.tabs, win.inspector, win.statusBar()]

    def _axes_items(self) -> list[Any]:
        """The plots' axes in the panels (pyqtgraph's AxisItem), reached through the plots
        (listing a scene's items makes wrappers of Qt's own items, which crashed at exit)."""
        try:
            import pyqtgraph as pg
        except ImportError:  # pragma: no cover - a dependency of the panels
            return []
        plots: list[Any] = []
        for view in self.win.tabs.findChildren(pg.GraphicsView):
            if isinstance(view, pg.PlotWidget):
                plots.append(view.getPlotItem())
            elif isinstance(view, pg.GraphicsLayoutWidget):
                plots += [it for it in list(view.ci.items) if isinstance(it, pg.PlotItem)]
        return [p.getAxis(side) for p in plots for side in ("left", "bottom", "right", "top")]

    @property
    def saved_state(self) -> QByteArray:
        """The window's dock state from before presentation mode."""
        return self._state

    # -- entering and leaving -------------------------------------------------------------------

    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        if on:
            self._enter()
        else:
            self._leave()
        self.active = on
        self.toggled.emit(on)

    def _enter(self) -> None:
        win, k = self.win, self.scale
        self._state = win.saveState()
        # fonts: the ones set on purpose are kept to put back; the others inherited
        self._fonts = [
            (w, QFont(w.font()) if w.testAttribute(Qt.WidgetAttribute.WA_SetFont) else None)
            for w in self._font_targets()
        ]
        self._palette = (
            QPalette(win.palette()) if win.testAttribute(Qt.WidgetAttribute.WA_SetPalette) else None
        )
        browser = self._dock("models")
        if browser is not None:
            browser.hide()
        inspector = self._dock("inspector")
        footer = getattr(win.inspector, "footer", None)
        self._footer = footer is not None and not footer.isHidden()
        if footer is not None:
            footer.hide()
        self._hint = not win.hint_bar.isHidden()  # the lecturer knows what to try
        win.hint_bar.hide()
        for w, _old in self._fonts:
            w.setFont(scaled_font(w.font(), k))
        self._axes = []
        for ax in self._axes_items():
            old_tick = ax.style.get("tickFont")
            old_style = dict(ax.labelStyle)
            self._axes.append((ax, old_tick, old_style))
            base = old_tick if isinstance(old_tick, QFont) else QFont(win.tabs.font())
            ax.setStyle(tickFont=scaled_font(base, 1.0 if old_tick is None else k))
            # the axis title is HTML with a CSS style (setting its item's font crashed at exit)
            ax.labelStyle = {**old_style, "font-size": f"{win.tabs.font().pointSizeF():.1f}pt"}
            ax._updateLabel()
        pal = QPalette(win.palette())
        for role, colour in HIGH_CONTRAST.items():  # disabled controls stay grey
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                pal.setColor(group, role, QColor(colour))
        win.setPalette(pal)
        win.status_bar.set_presentation(True)
        if hasattr(win.graph, "set_presentation"):
            win.graph.set_presentation(k, True)
        if getattr(win, "side_view", None) is not None:  # the side-by-side view's scene too
            win.side_view.graph.set_presentation(k, True)
        if inspector is not None and inspector.isVisible():
            win.resizeDocks([inspector], [260], Qt.Orientation.Horizontal)

    def _leave(self) -> None:
        win = self.win
        if hasattr(win.graph, "set_presentation"):
            win.graph.set_presentation(1.0, False)
        if getattr(win, "side_view", None) is not None:
            win.side_view.graph.set_presentation(1.0, False)
        win.status_bar.set_presentation(False)
        win.setPalette(self._palette if self._palette is not None else QPalette())
        if self._palette is None:
            win.setAttribute(Qt.WidgetAttribute.WA_SetPalette, False)
        for ax, old_tick, old_style in self._axes:
            ax.setStyle(tickFont=old_tick)
            ax.labelStyle = old_style
            ax._updateLabel()
        self._axes = []
        for w, old in self._fonts:
            if old is None:  # it inherited its font: it does again
                w.setFont(QFont())
                w.setAttribute(Qt.WidgetAttribute.WA_SetFont, False)
            else:
                w.setFont(old)
        self._fonts = []
        footer = getattr(win.inspector, "footer", None)
        if footer is not None:
            footer.setVisible(self._footer)
        win.hint_bar.setVisible(self._hint)
        win.restoreState(self._state)
