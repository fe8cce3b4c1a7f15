"""The Compare view's Density tab: achieved GFLOP/s of each measured network against the peak.

It draws what :mod:`explorer.studies.speed.density` computes from the Speed tab's report: one
horizontal bar per network with the device's peak as a dashed line, and, for the network
chosen below, one bar per layer kind (its GFLOP/s, its share of the time in the label).
Clicking a network's bar asks the window to open it (:attr:`DensityTab.modelChosen`).
"""

from __future__ import annotations

import csv
import zlib
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.files import atomic_path
from explorer.studies.speed.density import (
    DensityRow,
    KindShare,
    kind_label,
    kind_rows,
    model_rows,
    model_table,
    number,
    peak_label,
    percent,
)
from explorer.ui.export import widget_saved
from explorer.ui.i18n import QT_TRANSLATE_NOOP
from explorer.ui.panels import base as _base  # noqa: F401 - pyqtgraph's light background

EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "DensityTab", "Measure some networks in the Speed tab to see their compute density."
)
NO_KINDS_TEXT = QT_TRANSLATE_NOOP(
    "DensityTab",
    "No layer kinds were timed: tick <b>layer kinds</b> in the Speed tab and measure again "
    "to see where each network spends its time.",
)
BAR = "#2e86c1"
PEAK = "#c0392b"

# the same kind has the same colour in every network (and in the Kernels tab)
KIND_COLOURS = {
    "conv 1x1": "#2e86c1",
    "conv 3x3": "#1e8449",
    "conv 5x5": "#b7950b",
    "conv 7x7": "#935116",
    "linear": "#7d3c98",
    "norm": "#85929e",
    "act": "#aab7b8",
    "pool": "#5d6d7e",
    "other operations": "#566573",
    "other layers": "#717d7e",
}
FAMILY_COLOURS = {"depthwise": "#d68910", "grouped conv": "#ca6f1e", "conv": "#148f77"}
SPARE = ("#17a589", "#884ea0", "#2874a6", "#cb4335", "#b7950b", "#616a6b", "#1abc9c", "#6c3483")


def kind_colour(kind: str) -> str:
    """A fixed colour for a layer kind (``conv 3x3``, ``depthwise 3x3``, ``norm`` ...)."""
    if kind in KIND_COLOURS:
        return KIND_COLOURS[kind]
    for family in ("depthwise", "grouped conv", "conv"):
        if kind.startswith(family + " "):
            return FAMILY_COLOURS[family]
    return SPARE[zlib.crc32(kind.encode()) % len(SPARE)]


def _peak_pen() -> Any:
    return pg.mkPen(PEAK, width=2, style=Qt.PenStyle.DashLine)


class _BarChart(pg.PlotWidget):
    """Horizontal bars, their names on the left axis, a value beside each, a peak line."""

    def __init__(self, bottom: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.showGrid(x=True, alpha=0.2)
        self.setLabel("bottom", bottom)
        self.setMouseEnabled(x=False, y=False)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.getAxis("bottom").enableAutoSIPrefix(False)
        self.getPlotItem().invertY(True)  # the first bar on top
        self.bars: pg.BarGraphItem | None = None
        self.peak_line: pg.InfiniteLine | None = None
        self.texts: list[pg.TextItem] = []
        self.values = np.zeros(0)
        self.names: list[str] = []
        self._notes: list[str] = []
        self._peak = 0.0
        self.getViewBox().sigResized.connect(self._on_view_resized)

    def reset(self) -> None:
        """Nothing drawn."""
        self.clear()
        self.bars, self.peak_line = None, None
        self.texts, self.names, self._notes = [], [], []
        self.values = np.zeros(0)
        self._peak = 0.0
        self.getAxis("left").setTicks([[], []])

    def draw(
        self,
        names: list[str],
        values: list[float | None],
        notes: list[str],
        brushes: list[str],
        peak: Any,
    ) -> None:
        """``values`` None: no bar, only the note (a kind without MACs)."""
        self.clear()
        self.texts = []
        self.names = list(names)
        self._notes = notes
        self.values = np.array([v if v is not None else 0.0 for v in values], dtype=float)
        y = np.arange(len(names), dtype=float)
        self.bars = pg.BarGraphItem(
            x0=np.zeros(len(names)),
            y=y,
            width=self.values,
            height=0.7,
            brushes=brushes,
            pen=None,
        )
        self.addItem(self.bars)
        for i, note in enumerate(notes):
            text = pg.TextItem(note, color="#333", anchor=(0, 0.5), fill=(255, 255, 255, 190))
            text.setPos(self.values[i], i)
            text.setZValue(20)  # over the peak line
            self.addItem(text)
            self.texts.append(text)
        self.peak_line = None
        self._peak = 0.0
        if peak is not None and peak.gflops > 0:
            self._peak = peak.gflops
            self.peak_line = pg.InfiniteLine(
                pos=peak.gflops,
                angle=90,
                pen=_peak_pen(),
                label=peak_label(peak),
                labelOpts={"position": 0.0, "color": PEAK, "anchors": [(1, 0), (1, 0)]},
            )
            self.addItem(self.peak_line)
        self.getAxis("left").setTicks([[(i, n) for i, n in enumerate(names)], []])
        # a band above the first bar for the peak's label
        self.setYRange(-1.1, max(len(names), 1) - 0.4, padding=0)
        self._fit_x()

    def _on_view_resized(self) -> None:
        self._fit_x()

    def _fit_x(self) -> None:
        """Room on the right for the text beside each bar, whatever the plot's width."""
        px = max(self.getViewBox().width(), 1.0)
        fm = QFontMetrics(self.font())
        need = max([float(self.values.max()) if len(self.values) else 0.0, self._peak, 1e-9])
        for v, note in zip(self.values, self._notes, strict=True):
            frac = (fm.horizontalAdvance(note) + 12) / px
            need = max(need, v / (1 - frac) if frac < 0.7 else 3 * v)
        self.setXRange(0, need * 1.02, padding=0)

    def left_width(self, names: list[str]) -> int:
        fm = QFontMetrics(self.getAxis("left").font())
        return max([fm.horizontalAdvance(n) for n in names] + [40]) + 16


class DensityTab(QWidget):
    """Achieved GFLOP/s per network and per layer kind, against the measured peak."""

    modelChosen = Signal(str)  # noqa: N815 - a network's registry name, its bar clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.report: Any = None
        self.rows: list[DensityRow] = []
        self.shares: list[KindShare] = []
        self._with_kinds: list[Any] = []  # the results whose layer kinds were timed

        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.csv_btn = QPushButton(self.tr("Export CSV..."))
        self.png_btn = QPushButton(self.tr("Export PNG..."))
        self.csv_btn.clicked.connect(self._on_export_csv)
        self.png_btn.clicked.connect(self._on_export_png)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.csv_btn)
        top.addWidget(self.png_btn)

        self.empty = QLabel(self.tr(EMPTY_TEXT))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #666; font-size: 14px;")

        self.models_plot = _BarChart(self.tr("achieved GFLOP/s (click a bar to open the network)"))
        self.kinds_plot = _BarChart(
            self.tr("achieved GFLOP/s by layer kind (time share in brackets)")
        )
        self.kind_combo = QComboBox()
        self.kind_combo.setMinimumContentsLength(24)
        self.kind_combo.setToolTip(self.tr("The network whose layer kinds are shown"))
        self.kind_combo.currentIndexChanged.connect(self._on_kind_network_changed)
        self.kind_caption = QLabel()
        self.kind_caption.setWordWrap(True)
        self.no_kinds = QLabel(self.tr(NO_KINDS_TEXT))
        self.no_kinds.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_kinds.setWordWrap(True)
        self.no_kinds.setStyleSheet("color: #666;")
        self.kinds_stack = QStackedWidget()
        self.kinds_stack.addWidget(self.no_kinds)
        self.kinds_stack.addWidget(self.kinds_plot)
        pick = QHBoxLayout()
        pick.addWidget(QLabel(self.tr("Layer kinds of")))
        pick.addWidget(self.kind_combo)
        pick.addWidget(self.kind_caption, 1)
        lower = QWidget()
        lower_box = QVBoxLayout(lower)
        lower_box.setContentsMargins(0, 0, 0, 0)
        lower_box.addLayout(pick)
        lower_box.addWidget(self.kinds_stack, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.models_plot)
        self.split.addWidget(lower)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.split)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(top)
        box.addWidget(self.stack, 1)
        self.show_report(None)

    # -- showing a report ---------------------------------------------------------------------

    def show_report(self, report: Any) -> None:
        """Show a :class:`~explorer.studies.speed.rounds.SpeedReport` (partial or final); None clears."""
        self.report = report
        self.rows = model_rows(report)
        has = bool(self.rows)
        self.csv_btn.setEnabled(has)
        self.png_btn.setEnabled(has)
        if not has:
            self.stack.setCurrentWidget(self.empty)
            self.caption.setText("")
            self.models_plot.reset()
            self.kinds_plot.reset()
            self._set_kind_choices([])
            return
        self.stack.setCurrentWidget(self.split)
        stopped = getattr(report, "stopped", "")
        so_far = (
            ""
            if report.complete
            else " <i>"
            + self.tr("({how}: the figures measured before)").format(
                how=self.tr("cancelled") if stopped == "cancelled" else self.tr("failed")
            )
            + "</i>"
            if stopped
            else " <i>" + self.tr("(measuring: the figures so far)") + "</i>"
        )
        failed = "; ".join(n for n, _ in getattr(report, "failed", []))
        not_measured = self.tr("not measured: {names}").format(names=failed)
        failed = f"<br><span style='color:{PEAK}'>{not_measured}</span>" if failed else ""
        self.caption.setText(
            self.tr(
                "Achieved GFLOP/s = 2 x MACs x images/s on <b>{device}</b>; peak measured in "
                "the same run."
            ).format(device=report.device)
            + f"{so_far}{failed}"
        )
        self._draw_models()
        self._set_kind_choices([r for r in report.results if r.kinds])

    def _draw_models(self) -> None:
        rows, peak = self.rows, self.report.peak
        notes = [
            f"{number(r.gflops)} GFLOP/s"
            + (
                self.tr(", {share} of peak").format(share=percent(r.fraction))
                if r.fraction is not None
                else ""
            )
            + self.tr(" ({n} images/s)").format(n=number(r.images_per_s))
            for r in rows
        ]
        names = [r.label for r in rows]
        self.models_plot.draw(names, [r.gflops for r in rows], notes, [BAR] * len(rows), peak)
        self.models_plot.bars.mouseClickEvent = self._on_bar_click  # type: ignore[method-assign]
        self.models_plot.setMinimumHeight(min(90 + 24 * len(rows), 300))
        self._align_axes()

    def _set_kind_choices(self, results: list[Any]) -> None:
        """Fill the combo with the networks that have layer kinds, keeping the one chosen."""
        keep = self.kind_combo.currentText()
        self._with_kinds = results
        labels = [r.label for r in results]
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        self.kind_combo.addItems(labels)
        if keep in labels:
            self.kind_combo.setCurrentIndex(labels.index(keep))
        self.kind_combo.blockSignals(False)
        self.kind_combo.setEnabled(bool(labels))
        self._draw_kinds()

    def _on_kind_network_changed(self, _index: int) -> None:
        self._draw_kinds()

    def _draw_kinds(self) -> None:
        i = self.kind_combo.currentIndex()
        if not self._with_kinds or i < 0:
            self.shares = []
            self.kinds_plot.reset()
            self.kind_caption.setText("")
            self.kinds_stack.setCurrentWidget(self.no_kinds)
            return
        result = self._with_kinds[i]
        self.shares = kind_rows(result)
        notes = []
        for s in self.shares:
            layers = (self.tr("{n} layer") if s.layers == 1 else self.tr("{n} layers")).format(
                n=s.layers
            )
            if s.gflops is None:
                notes.append(self.tr("no MACs, {layers}").format(layers=layers))
            else:
                macs = (
                    self.tr(", {share} of MACs").format(share=percent(s.mac_share))
                    if s.mac_share is not None
                    else ""
                )
                notes.append(f"{number(s.gflops)} GFLOP/s{macs}, {layers}")
        self.kinds_plot.draw(
            [kind_label(s) for s in self.shares],
            [s.gflops for s in self.shares],
            notes,
            [kind_colour(s.kind) for s in self.shares],
            self.report.peak,
        )
        self.kind_caption.setText(
            self.tr(
                "{gflops} GFLOP/s in all; each layer timed alone (synchronised hooks), the rest "
                "in <i>other operations</i>"
            ).format(gflops=number(result.gflops))
        )
        self.kinds_plot.setMinimumHeight(min(90 + 22 * len(self.shares), 300))
        self.kinds_stack.setCurrentWidget(self.kinds_plot)
        self._align_axes()

    def _align_axes(self) -> None:
        """The same left-axis width in both charts, so that their bars start together."""
        names = [r.label for r in self.rows] + [kind_label(s) for s in self.shares]
        w = self.models_plot.left_width(names)
        self.models_plot.getAxis("left").setWidth(w)
        self.kinds_plot.getAxis("left").setWidth(w)

    # -- choosing a network -------------------------------------------------------------------

    def bar_clicked(self, index: int) -> None:
        """The top chart's bar ``index`` was clicked: emit :attr:`modelChosen` with its name."""
        if 0 <= index < len(self.rows):
            self.modelChosen.emit(self.rows[index].name)

    def _on_bar_click(self, ev: Any) -> None:
        i = int(round(ev.pos().y()))
        if 0 <= i < len(self.rows):
            ev.accept()
            self.bar_clicked(i)

    # -- export -------------------------------------------------------------------------------

    def export_csv(self, path: str) -> None:
        """Every network's figures, then its layer kinds (:func:`model_table`)."""
        header, rows = model_table(self.report)
        with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    def export_png(self, path: str) -> bool:
        return widget_saved(self.split, path)

    def _on_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export CSV"), "density.csv", "CSV (*.csv)"
        )
        if path:
            try:
                self.export_csv(path)
            except OSError as exc:
                QMessageBox.warning(
                    self,
                    self.tr("Export failed"),
                    self.tr("Could not write {path}:\n{error}").format(path=path, error=exc),
                )

    def _on_export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export PNG"), "density.png", "PNG (*.png)"
        )
        if path and not self.export_png(path):
            QMessageBox.warning(
                self, self.tr("Export failed"), self.tr("Could not write {path}").format(path=path)
            )
