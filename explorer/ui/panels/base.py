"""What every bottom panel shares: a title line that says whether its figures are current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ExplorerError
from explorer.present.panels import (
    EXPORT_SIZES,
    LegendEntry,
    export_name,
    export_scale,
    legend_html,
)
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate

# plots on the window's light background, smooth lines
pg.setConfigOptions(background="w", foreground="k", antialias=True)

# the core's export sizes and the panels' titles, for the catalogue
_WORDS = (
    QT_TRANSLATE_NOOP("Panels", "1920x1080 (16:9 slide)..."),
    QT_TRANSLATE_NOOP("Panels", "1280x720 (16:9)..."),
    QT_TRANSLATE_NOOP("Panels", "1024x768 (4:3 slide)..."),
    QT_TRANSLATE_NOOP("Panels", "1920x540 (half a 16:9 slide)..."),
    QT_TRANSLATE_NOOP("Panels", "as shown..."),
)

#: how much of a figure shows while its replacement is computed
DIMMED = 0.35


class Panel(QWidget):
    """A panel shows the session's latest run result; it may ask to select a block."""

    blockChosen = Signal(str)  # noqa: N815 - a block picked in the panel (a bar, a row)

    title = ""
    #: what the panel says before its first figures (a source text of the "Panels" context)
    INTRO = ""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.status = QLabel(self.tr("Open an image to see this panel."))
        self.status.setWordWrap(True)
        self.status.setObjectName("panel_status")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(4, 4, 4, 4)
        # one line: a panel's own controls may go in front of the status, Export at its end
        self.head = QHBoxLayout()
        self.head.addWidget(self.status, 1)
        self.export_btn = QToolButton()
        self.export_btn.setText(self.tr("Export panel..."))
        self.export_btn.setToolTip(
            self.tr("Save this panel's figure as PNG, SVG or PDF, at a size")
        )
        self.export_btn.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_btn)
        for label, size in EXPORT_SIZES:
            menu.addAction(translate("Panels", label), lambda size=size: self._export_dialog(size))
        self.export_btn.setMenu(menu)
        self.head.addWidget(self.export_btn)
        self.box.addLayout(self.head)
        self.stale = True
        self.dimmed = False
        #: the widgets that draw the figures: dimmed (not emptied) while new ones are computed
        self.figures: list[QWidget] = []

    def intro_text(self) -> str:
        """What the panel says before its first figures, in the window's language."""
        return translate("Panels", self.INTRO) if self.INTRO else self.tr("updating...")

    def invalidate(self, why: str = "", keep: bool = True) -> None:
        """The figures shown no longer hold (another image, weights, device ...); the new
        ones follow. ``keep``: the old figures stay, dimmed, under ``why`` (no flash of an
        empty panel on every change); else they go at once (nothing is coming)."""
        why = why or self.tr("updating...")
        if not keep or not self.figures:
            self.clear(why)
            return
        self.stale = True
        self.status.setText(f"<i>{why}</i>")
        self._dim(True)

    def clear(self, why: str) -> None:
        """Show nothing but ``why``: no figure of an older state stays under it."""
        self.stale = True
        self.clear_figures()
        self._dim(False)
        self.status.setText(f"<i>{why}</i>")
        self.setEnabled(True)

    def clear_figures(self) -> None:
        """Empty the panel's tables and plots (each panel clears its own)."""

    def show_result(self, result: Any, session: Any) -> None:
        self.stale = False
        self._dim(False)
        self.update_result(result, session)

    def update_result(self, result: Any, session: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _dim(self, on: bool) -> None:
        if on == self.dimmed:
            return
        self.dimmed = on
        for w in self.figures:
            if on:
                effect = QGraphicsOpacityEffect(w)
                effect.setOpacity(DIMMED)
                w.setGraphicsEffect(effect)
            else:
                w.setGraphicsEffect(None)  # type: ignore[arg-type]

    def framed(self, figure: QWidget) -> QWidget:
        """``figure`` in a plain widget of its own, which "Export panel..." saves (a graphics
        view renders itself only as a scene, not as a widget with its children)."""
        frame = QWidget()
        lay = QVBoxLayout(frame)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(figure)
        self.figure_frame = frame
        return frame

    def export_target(self) -> QWidget:
        """The widget an "Export panel..." saves (its figure, not its buttons)."""
        return getattr(self, "figure_frame", None) or self

    def export(self, path: str, size: tuple[int, int] | None = None) -> None:
        """Save the panel's figure to ``path`` (PNG, SVG or PDF by the suffix), ``size``
        (width, height) pixels or as shown. Raises ``OSError``/``FileError``.

        At a size, the figure is laid out at that size shrunk by :func:`export_scale` and
        drawn scaled up: text and lines grow with the slide instead of staying screen-small.
        """
        from explorer.ui.export import save_widget

        target = self.export_target()
        if size is None or target is self:
            save_widget(target, path, size=size)
            return
        s = export_scale(size)
        index = self.box.indexOf(target)
        stretch = self.box.stretch(index)
        shown = not target.isHidden()
        lo, hi = target.minimumSize(), target.maximumSize()
        # out of the panel's layout while drawn, so that neither constrains the other
        self.box.removeWidget(target)
        target.setParent(None)
        try:
            target.setFixedSize(max(1, round(size[0] / s)), max(1, round(size[1] / s)))
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            save_widget(target, path, size=size)
        finally:
            target.setMinimumSize(lo)
            target.setMaximumSize(hi)
            self.box.insertWidget(index, target, stretch)
            target.setVisible(shown)

    def _export_dialog(self, size: tuple[int, int] | None) -> None:
        name = export_name(self.title, size)
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export {title}").format(title=translate("Panels", self.title)),
            name,
            "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)",
        )
        if not path:
            return
        if "." not in Path(path).name:  # the format chosen in the dialog, as its filter says
            path += "." + (chosen.split("*.")[-1].rstrip(")") if "*." in chosen else "png")
        try:
            self.export(path, size)
        except (OSError, ExplorerError) as exc:
            not_saved = self.tr("not saved: {reason}").format(reason=exc)
            self.status.setText(f"<span style='color:#c0392b'>{not_saved}</span>")
        else:
            self.status.setText(self.tr("saved {path}").format(path=path))


class SideLegend(pg.LabelItem):
    """A legend in a layout cell of its own, beside the plots: it never covers their data
    (pyqtgraph's own legend floats over the view box)."""

    def __init__(self, size: str = "9pt") -> None:
        super().__init__("", justify="left", size=size)
        self.entries: list[LegendEntry] = []
        self.note = ""

    def set_entries(self, entries: list[LegendEntry], note: str = "", warn: bool = False) -> None:
        self.entries, self.note = list(entries), note
        self.setText(legend_html(self.entries, note, "#b9770e" if warn else "#555"))
