"""The panels under the side-by-side panes: one image through every network, shown together.

Predictions (a column per network), the activation std of every network on one plot (one
curve each, as the ResNet paper's Fig. 7) and the SE gates of each network that has SE blocks.
It only draws: :func:`explorer.present.across.across_data` computes what it shows from the
results of :func:`explorer.app.workflows.across.run_across`, which the view runs on a worker.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.present.across import (
    FIG7_LEVEL,
    LEVEL_NAMES,
    AcrossData,
    across_data,
    random_weights_line,
    short_weights,
)
from explorer.present.panels import LegendEntry, legend_html, wrapped
from explorer.runtime.probe_curves import STD_LEVELS
from explorer.ui.i18n import translate
from explorer.ui.panels.activation_std import PALETTE
from explorer.ui.panels.base import SideLegend
from explorer.ui.panels.predictions import RED, probability_text
from explorer.ui.panels.se_weights import heat_rgba

MIN_FIGURE_HEIGHT = 120  # px: a bottom dock of ~250 px leaves this much under the controls
LEGEND_WIDTH = 230  # px: the legend column beside the std plot
ROW_HEIGHT = 22  # px: five ranks and a two-line header fit a short dock


def colour(i: int) -> str:
    """The colour of pane ``i``'s network, the same in every figure."""
    return PALETTE[i % len(PALETTE)]


class AcrossPanels(QWidget):
    """Predictions, activation std and SE gates of several networks on one image."""

    #: (pane index, block id): a point of a curve or a row of an SE heat map was clicked
    blockChosen = Signal(int, str)  # noqa: N815
    #: the Cancel button of the busy line was pressed
    cancelRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 2)
        box.setSpacing(2)
        # one line: what the figures are of (or what runs), the controls of the std plot
        head = QHBoxLayout()
        self.status = QLabel(self.tr("Run an image to see the networks side by side."))
        self.status.setObjectName("panel_status")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        head.addWidget(self.progress)
        self.cancel_btn = QToolButton()
        self.cancel_btn.setText(self.tr("Cancel"))
        self.cancel_btn.setToolTip(self.tr("Stop the run (after the network running now)"))
        self.cancel_btn.hide()
        self.cancel_btn.clicked.connect(self.cancelRequested)
        head.addWidget(self.cancel_btn)
        head.addWidget(QLabel(self.tr("std of")))
        self.level_combo = QComboBox()
        # the same words as the activation-std panel's box
        self.level_combo.addItems(
            [translate("ActivationStdPanel", LEVEL_NAMES[lv]) for lv in STD_LEVELS]
        )
        self.level_combo.setCurrentIndex(STD_LEVELS.index(FIG7_LEVEL))
        self.level_combo.setToolTip(
            self.tr(
                "Which outputs the std is measured at: the ResNet paper's Fig. 7 plots the "
                "normalisation outputs (after BN, before the ReLU)"
            )
        )
        head.addWidget(self.level_combo)
        self.sorted_box = QCheckBox(self.tr("sorted"))
        self.sorted_box.setToolTip(
            self.tr("Sorted by magnitude, largest first (Fig. 7, lower plot)")
        )
        self.log_box = QCheckBox(self.tr("log"))
        self.log_box.setToolTip(self.tr("Logarithmic std axis"))
        head.addWidget(self.sorted_box)
        head.addWidget(self.log_box)
        box.addLayout(head)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        box.addWidget(self.split, 1)

        # predictions: a column per network, a row per rank
        self.table = QTableWidget(5, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        vh = self.table.verticalHeader()
        vh.setDefaultSectionSize(ROW_HEIGHT)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setVerticalHeaderLabels([str(i) for i in range(1, 6)])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(MIN_FIGURE_HEIGHT)
        self.warnings = QLabel("")
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.hide()
        pred = QWidget()
        pl = QVBoxLayout(pred)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(1)
        pl.addWidget(self.table, 1)
        pl.addWidget(self.warnings)
        self.split.addWidget(pred)

        # activation std: one plot, one curve per network, the legend in a cell beside it
        self.std_canvas = pg.GraphicsLayoutWidget()
        self.std_canvas.setMinimumHeight(MIN_FIGURE_HEIGHT)
        self.plot = self.std_canvas.addPlot(row=0, col=0, axisItems={"left": _StdAxis("left")})
        self.plot.setLabel("left", self.tr("std"))
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.legend = _Legend()
        self.legend.setMaximumWidth(LEGEND_WIDTH)
        self.std_canvas.addItem(self.legend, row=0, col=1)
        self.std_canvas.ci.layout.setColumnStretchFactor(0, 3)
        self.split.addWidget(self.std_canvas)

        # SE gates: a heat map per SE network, and the line naming those without
        se = QWidget()
        sl = QVBoxLayout(se)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(1)
        self.se_label = QLabel("")
        self.se_label.setWordWrap(True)
        self.se_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        sl.addWidget(self.se_label)
        self.se_canvas = pg.GraphicsLayoutWidget()
        self.se_canvas.setMinimumHeight(MIN_FIGURE_HEIGHT - 20)
        sl.addWidget(self.se_canvas, 1)
        self.se_box = se
        self.split.addWidget(se)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 4)
        self.split.setStretchFactor(2, 2)
        self.split.setSizes([440, 510, 330])

        self.lut = pg.colormap.get("viridis").getLookupTable(nPts=256)
        self.data: AcrossData | None = None
        self.results: list[Any] = []
        self.names: list[str] = []  # the networks, in the panes' order
        self.heat_plots: list[Any] = []
        self._partial = -1  # how many networks the partial results shown held
        self.level_combo.currentIndexChanged.connect(self._on_level_changed)
        self.sorted_box.toggled.connect(lambda _on: self._draw_std())
        self.log_box.toggled.connect(self._on_log_toggled)

    # -- what the view calls ----------------------------------------------------------------

    @property
    def level(self) -> str:
        return STD_LEVELS[self.level_combo.currentIndex()]

    def show_results(self, results: Sequence[Any]) -> None:
        """Show the per-network results (:class:`~explorer.app.workflows.across.AcrossResult`,
        in the panes' order); the busy line goes."""
        self._set_busy(False)
        self._partial = -1
        self._show(list(results))
        self.status.setText(self._source_text())

    def show_progress(self, progress: Any) -> None:
        """A :class:`~explorer.app.jobs.Progress` of the run: the busy line, and the
        networks done so far (its ``partial``) as soon as each one is done."""
        self._set_busy(True, progress.message, progress.fraction)
        part = progress.partial
        if isinstance(part, list) and part and len(part) != self._partial:
            self._partial = len(part)
            self._show(part)

    def set_busy(self, message: str = "running...", fraction: float | None = None) -> None:
        """Say that a run is under way (the figures shown stay until its results come)."""
        self._set_busy(True, message, fraction)

    def clear(self, why: str = "") -> None:
        """Show nothing (but ``why``): no figure of older results stays."""
        self._set_busy(False)
        self._partial = -1
        self.data, self.results, self.names = None, [], []
        self.table.clearContents()
        self.table.setColumnCount(0)
        self.warnings.hide()
        self.plot.clear()
        self.legend.set_entries([])
        self._clear_se()
        self.se_label.setText("")
        self.status.setText(f"<i>{html.escape(why)}</i>" if why else "")

    # -- drawing ----------------------------------------------------------------------------

    def _show(self, results: list[Any]) -> None:
        self.results = results
        self.names = [r.name for r in results]
        self.data = across_data(results, self.level)
        self._draw_predictions()
        self._draw_std()
        self._draw_se()

    def _source_text(self) -> str:
        d = self.data
        if d is None:
            return ""
        failed = [p.name for p in d.predictions if p.error]
        text = html.escape(d.source)
        if failed:
            failed_line = self.tr("failed: {names}").format(names=", ".join(failed))
            text += f" | <span style='color:{RED}'>{html.escape(failed_line)}</span>"
        return text

    def _set_busy(self, on: bool, message: str = "", fraction: float | None = None) -> None:
        self.progress.setVisible(on)
        self.cancel_btn.setVisible(on)
        if not on:
            return
        if fraction is None:
            self.progress.setRange(0, 0)  # unknown: the busy animation
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(min(max(fraction, 0.0), 1.0) * 1000))
        self.status.setText(f"<i>{html.escape(message or self.tr('running...'))}</i>")

    def _draw_predictions(self) -> None:
        assert self.data is not None
        cols = self.data.predictions
        self.table.clearSpans()
        self.table.clearContents()
        self.table.setColumnCount(len(cols))
        warn: list[str] = []
        untrained: list[str] = []
        for c, col in enumerate(cols):
            head = QTableWidgetItem(f"{col.name}\n{short_weights(col.weights)}")
            head.setForeground(QBrush(QColor(colour(col.pane))))
            head.setToolTip(f"{col.name}: weights {col.weights or '?'}")
            font = QFont()
            font.setBold(True)
            head.setFont(font)
            self.table.setHorizontalHeaderItem(c, head)
            if col.error is not None:
                item = QTableWidgetItem(self.tr("failed: {names}").format(names=col.error))
                item.setForeground(QBrush(QColor(RED)))
                item.setToolTip(col.error)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.table.setItem(0, c, item)
                self.table.setSpan(0, c, 5, 1)
                continue
            for r, (_rank, label, p) in enumerate(col.rows[:5]):
                # the class index only in the tooltip: a third of 1280 px holds three columns
                item = QTableWidgetItem(f"{probability_text(p):>7}  {_name_only(label)}")
                item.setToolTip(f"{col.name}: #{r + 1} {label}, {probability_text(p)}")
                if col.trained is False or not math.isfinite(p):
                    item.setForeground(QBrush(QColor("#888")))
                self.table.setItem(r, c, item)
            if col.trained is False:
                untrained.append(col.name)
            warn += [f"{col.name}: {n}" for n in col.notes if _alarming(n)]
        self.table.horizontalHeader().setMinimumHeight(2 * ROW_HEIGHT + 4)
        if untrained:
            warn.insert(
                0,
                self.tr("untrained weights, probabilities mean nothing: {names}").format(
                    names=", ".join(untrained)
                ),
            )
        # one line under the table (the rows keep the height); every word in its tooltip
        self.warnings.setVisible(bool(warn))
        self.warnings.setText(
            f"<span style='color:{RED}'>{html.escape(_clip(' | '.join(warn), 90))}</span>"
        )
        self.warnings.setToolTip("\n".join(warn))

    def _on_level_changed(self, _i: int) -> None:
        if self.results:
            self._show(self.results)
            self.status.setText(self._source_text())

    def _on_log_toggled(self, on: bool) -> None:
        self.plot.setLogMode(y=on)

    def _draw_std(self) -> None:
        self.plot.clear()
        d = self.data
        if d is None:
            self.legend.set_entries([])
            return
        sort = self.sorted_box.isChecked()
        self.plot.setLabel(
            "bottom",
            self.tr("rank, sorted by magnitude")
            if sort
            else self.tr("layer index, in order of depth"),
        )
        entries = []
        for curve in d.curves:
            i = curve.pane
            c = colour(i)
            y = curve.y(sort)
            self.plot.plot(curve.x, y, pen=pg.mkPen(c, width=2), name=curve.name)
            if not sort:  # a point per output: hover names it, a click selects its block
                pts = pg.ScatterPlotItem(
                    x=curve.x,
                    y=y,
                    data=[(i, b) for b in curve.ids],
                    size=5,
                    brush=c,
                    pen=None,
                    hoverable=True,
                    tip=lambda x, y, data: f"{data[1]}: std {y:.4f}",
                )
                pts.sigClicked.connect(self._on_points_clicked)
                self.plot.addItem(pts)
            entries.append(LegendEntry(curve.label, c))
        note = "; ".join(
            t for t in (random_weights_line(d.curves), "; ".join(d.missing_curves)) if t
        )
        self.legend.set_entries(entries, wrapped(note, 30), bool(note))

    def _on_points_clicked(self, _item: Any, points: Any, *_: Any) -> None:
        if len(points):
            pane, block = points[0].data()
            self.blockChosen.emit(int(pane), str(block))

    def _clear_se(self) -> None:
        self.se_canvas.clear()
        self.heat_plots = []

    def _draw_se(self) -> None:
        self._clear_se()
        d = self.data
        if d is None:
            return
        key = self.tr(" Gate per SE block and channel: 0 dark, 1 yellow.") if d.se else ""
        self.se_label.setText(d.se_line + key)
        self.se_canvas.setVisible(bool(d.se))
        for col, g in enumerate(d.se):
            i = g.pane
            p = self.se_canvas.addPlot(row=0, col=col)
            untrained = " <i>" + self.tr("(random weights)") + "</i>" if g.trained is False else ""
            p.setTitle(
                f"<span style='color:{colour(i)}'><b>{html.escape(g.name)}</b></span>{untrained}",
                size="9pt",
            )
            p.setLabel("bottom", self.tr("channel"))
            p.setLabel("left", self.tr("SE block"))
            p.invertY(True)
            item = pg.ImageItem(axisOrder="row-major")
            item.setImage(heat_rgba(g.matrix, self.lut), levels=(0, 255))
            p.addItem(item)
            item.mouseClickEvent = lambda ev, pane=i, ids=g.ids: self._on_heat_click(ev, pane, ids)
            self.heat_plots.append(p)

    def _on_heat_click(self, ev: Any, pane: int, ids: list[str]) -> None:
        row = int(ev.pos().y())
        if 0 <= row < len(ids):
            ev.accept()
            self.blockChosen.emit(pane, ids[row])

    # -- what tests and screenshots read ----------------------------------------------------

    def curve_names(self) -> list[str]:
        """The networks with a curve on the std plot, in drawing order."""
        return [c.name() for c in self.plot.listDataItems() if c.name()]

    def curve_lengths(self) -> dict[str, int]:
        """Points of each network's curve on the plot."""
        out = {}
        for c in self.plot.listDataItems():
            if c.name():
                x, _y = c.getData()
                out[c.name()] = 0 if x is None else len(x)
        return out

    def column_names(self) -> list[str]:
        """The networks heading the predictions' columns."""
        out = []
        for c in range(self.table.columnCount()):
            h = self.table.horizontalHeaderItem(c)
            out.append(h.text().split("\n")[0] if h is not None else "")
        return out

    def column(self, c: int) -> list[str]:
        """The texts of the predictions' column ``c``, rank 1 first."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, c)
            if item is not None:
                out.append(item.text())
        return out


def _name_only(label: str) -> str:
    """``"sea snake (65)"`` -> ``"sea snake"``."""
    head, sep, tail = label.rpartition(" (")
    return head if sep and tail.rstrip(")").isdigit() else label


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


class _StdAxis(pg.AxisItem):
    """The std axis: on a log scale, only 1, 2 and 5 of each decade are labelled (a plot of
    ~150 px has no room for the labels of 2, 3, ... 9), the other ticks drawn unlabelled."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.setStyle(maxTextLevel=0)

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: Any) -> Any:  # noqa: N802, N803 - pyqtgraph API
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        if not ticks or ticks[-1][0] is not None:
            return ticks
        minor = list(ticks[-1][1])
        lead = [v for v in minor if round(10 ** (v - math.floor(v + 1e-9))) in (1, 2, 5)]
        if len(lead) < 2:  # less than a decade: every tick keeps its label
            return ticks
        rest = [v for v in minor if v not in lead]
        return [*ticks[:-1], (None, lead), (None, rest)]


class _Legend(SideLegend):
    """The side legend, wrapped narrower: the dock gives the plot a third of 1280 px."""

    def set_entries(self, entries: list[LegendEntry], note: str = "", warn: bool = False) -> None:
        self.entries, self.note = list(entries), note
        self.setText(legend_html(self.entries, note, "#b9770e" if warn else "#555", width=30))


def _alarming(note: str) -> bool:
    """A note saying the answer means nothing (a photo given to a digits network, a blank)."""
    from explorer.runtime.digit_input import BLANK_WARNING, PHOTO_WARNING

    return PHOTO_WARNING in note or BLANK_WARNING in note


__all__ = ["AcrossPanels", "colour"]
