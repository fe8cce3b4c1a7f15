"""Sweeps: each block deleted alone, k random blocks, or blocks reordered (Veit et al. 2016)."""

from __future__ import annotations

import csv
import re
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox

from explorer.files import atomic_path
from explorer.present.panels import (
    ScoreRange,
    score_range,
    sparse_ticks,
    sweep_title,
)
from explorer.ui.export import widget_saved
from explorer.ui.i18n import QT_TRANSLATE_NOOP, integer, number
from explorer.ui.panels.base import Panel

MIN_PLOT_HEIGHT = 150  # px
INTACT = "#c0392b"


def sweep_table(kind: str, result: Any) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a sweep's result (what the CSV export writes)."""
    intact, runs = result
    if kind == "single":
        return (
            ["deleted", "top1", "top5", "agreement", "loss", "intact_top1"],
            [[r.deleted[0], r.top1, r.top5, r.agreement, r.loss, intact.top1] for r in runs],
        )
    if kind == "random":
        rows = [
            [k, i, ";".join(r.deleted), r.top1, r.top5, r.agreement, r.loss]
            for k in sorted(runs)
            for i, r in enumerate(runs[k])
        ]
        return ["k", "trial", "deleted", "top1", "top5", "agreement", "loss"], rows
    rows = [[tau, r.top1, r.top5, r.agreement, r.loss] for tau, r in runs]
    return ["kendall_tau", "top1", "top5", "agreement", "loss"], rows


def _score(r: Any) -> float:
    """Top-1 where there are labels, else agreement with the intact network."""
    return r.top1 if r.top1 is not None else (r.agreement or 0.0)


class SweepsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Sweeps")
    INTRO = QT_TRANSLATE_NOOP(
        "Panels", "No sweep yet: the buttons below start one (what each shows is said beneath)."
    )
    sweepRequested = Signal(str, int, int)  # noqa: N815 - kind, k_max, trials

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        bar = QHBoxLayout()
        self.single_btn = QPushButton(self.tr("Each block alone"))
        self.random_btn = QPushButton(self.tr("k random blocks"))
        self.reorder_btn = QPushButton(self.tr("Reorder blocks"))
        bar.addWidget(self.single_btn)
        bar.addWidget(self.random_btn)
        bar.addWidget(QLabel(self.tr("k up to")))
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 100)
        self.k_spin.setValue(8)
        bar.addWidget(self.k_spin)
        bar.addWidget(self.reorder_btn)
        bar.addWidget(QLabel(self.tr("trials")))
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(1, 100)
        self.trials_spin.setValue(5)
        bar.addWidget(self.trials_spin)
        bar.addStretch(1)
        self.csv_btn = QPushButton(self.tr("Export CSV..."))
        bar.addWidget(self.csv_btn)
        self.box.addLayout(bar)
        self.plot = pg.PlotWidget()
        self.plot.showGrid(y=True, alpha=0.3)
        self.plot.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.box.addWidget(self.framed(self.plot), 1)
        # until the first sweep: what the tab will show and how to start it, not bare axes
        self.intro = QLabel(
            self.tr(
                "<b>Sweeps</b> delete blocks and measure the network again on the Accuracy tab's set "
                "(Veit et al. 2016, residual networks behave like ensembles of shallow ones):<br>"
                "&nbsp;&bull; <b>Each block alone</b>: one bar per block, the top-1 accuracy with that "
                "block deleted (their Fig. 3);<br>"
                "&nbsp;&bull; <b>k random blocks</b>: accuracy as more blocks go at random, mean &plusmn; "
                "std over the trials (Fig. 5a);<br>"
                "&nbsp;&bull; <b>Reorder blocks</b>: blocks of a stage shuffled; accuracy against how "
                "far the order moved (Kendall tau, Fig. 5b).<br>"
                "Press one of the buttons above to start; the intact network is marked by a dashed line."
            )
        )
        self.intro.setWordWrap(True)
        self.intro.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.intro.setStyleSheet("background: white; padding: 8px;")
        self.box.addWidget(self.intro, 1)
        self.figure_frame.hide()
        self.figures = [self.plot]
        self.y_range: ScoreRange | None = None
        self.kind = ""
        self.result: Any = None
        self.ids: list[str] = []
        self.single_btn.clicked.connect(lambda: self._request("single"))
        self.random_btn.clicked.connect(lambda: self._request("random"))
        self.reorder_btn.clicked.connect(lambda: self._request("reorder"))
        self.csv_btn.clicked.connect(self._export_csv_dialog)
        self.partial = False  # the plot shows a running sweep's bars, not a result
        self.status.setText(self.intro_text())

    def _request(self, kind: str) -> None:
        self.sweepRequested.emit(kind, self.k_spin.value(), self.trials_spin.value())

    def invalidate(self, why: str = "", keep: bool = True) -> None:
        """A new image or run does not change this panel: it follows its own evaluation."""

    def clear_figures(self) -> None:
        """Nothing drawn, nothing to export (the sweep was another model's, or cut short)."""
        self.plot.clear()
        self.plot.setTitle(None)
        self.figure_frame.hide()
        self.intro.show()
        self.y_range = None
        self.ids = []
        self.kind, self.result, self.partial = "", None, False

    def cancelled(self, why: str) -> None:
        """The sweep was stopped: its partial bars go; a finished sweep's figure stays."""
        if self.partial:
            self.clear(why)
        else:
            self.status.setText(f"<i>{why}</i>")

    def update_result(self, result: Any, session: Any) -> None:
        pass  # sweeps run on request

    def show_partial(self, kind: str, value: Any) -> None:
        frac, partial = value
        if kind == "single" and partial:
            self._draw_single(None, partial)
            self.partial = True
            self.status.setText(
                self.tr("each block alone: {percent} % of the images so far").format(
                    percent=number(100 * frac, 0)
                )
            )

    def show_sweep(self, kind: str, res: dict[str, Any]) -> None:
        self.stale, self.partial = False, False
        self.kind, self.result = kind, res["result"]
        intact, runs = self.result
        if kind == "single":
            self._draw_single(intact, runs)
        elif kind == "random":
            self._draw_random(intact, runs)
        else:
            self._draw_reorder(intact, runs)
        base = (
            f"{number(intact.top1, 2)} %"
            if intact.top1 is not None
            else self.tr("(no labels: agreement)")
        )
        names = {
            "single": self.tr("Each block alone"),
            "random": self.tr("k random blocks"),
            "reorder": self.tr("Reorder blocks"),
        }
        self.status.setText(
            self.tr("{sweep} on {data} ({n} images); intact {base}").format(
                sweep=names.get(kind, kind), data=res["data"], n=integer(res["n"]), base=base
            )
        )

    def _begin(self) -> None:
        self.intro.hide()
        self.figure_frame.show()
        self.plot.clear()

    def _set_y(self, scores: Any, intact: Any, what: str) -> None:
        """A y range that shows the differences, the intact network marked inside it, and
        the axis label saying where it starts when that is not 0."""
        base = _score(intact) if intact is not None else None
        if intact is not None and intact.top1 is None:
            what = self.tr("agreement with the intact network %")
        self.y_range = r = score_range(scores, base)
        self.plot.setYRange(r.lo, r.hi, padding=0)
        self.plot.setLabel("left", what)
        # the key and the axis's start in the title line, outside the data
        title = sweep_title(base, r, intact=self.tr("intact network"))
        title = re.sub(  # the core's note that the axis does not start at 0
            r"y axis from (\S+) %, not 0",
            lambda m: self.tr("y axis from {lo} %, not 0").format(lo=m.group(1)),
            title,
        )
        self.plot.setTitle(title, size="10pt")
        if base is not None:
            self.plot.addLine(y=base, pen=pg.mkPen(INTACT, width=2, style=Qt.PenStyle.DashLine))

    def _draw_single(self, intact: Any, runs: list[Any]) -> None:
        self._begin()
        self.ids = [r.deleted[0] for r in runs]
        y = np.array([_score(r) for r in runs], dtype=float)
        x = np.arange(len(y))
        bars = pg.BarGraphItem(x=x, height=y, width=0.8, brush="#2e86c1", pen=None)
        self.plot.addItem(bars)
        self.plot.getAxis("bottom").setTicks([sparse_ticks(self.ids)])
        self.plot.setLabel("bottom", self.tr("deleted block (click a bar to select it)"))
        self.plot.setXRange(-0.6, max(len(y), 1) - 0.4, padding=0)
        self._set_y(y, intact, "top-1 %")
        bars.mouseClickEvent = self._on_bar_click  # type: ignore[method-assign]

    def _draw_random(self, intact: Any, runs: dict[int, list[Any]]) -> None:
        self._begin()
        ks = sorted(runs)
        mean = np.array([np.mean([_score(r) for r in runs[k]]) for k in ks])
        std = np.array([np.std([_score(r) for r in runs[k]]) for k in ks])
        self.plot.plot(ks, mean, pen=pg.mkPen("#2e86c1", width=2), symbol="o")
        self.plot.addItem(pg.ErrorBarItem(x=np.array(ks), y=mean, height=2 * std, beam=0.2))
        self.plot.getAxis("bottom").setTicks(None)
        self.plot.setLabel("bottom", self.tr("k blocks deleted at random (mean ± std)"))
        self._set_y(np.concatenate([mean - std, mean + std]), intact, "top-1 %")

    def _draw_reorder(self, intact: Any, runs: list[tuple[float, Any]]) -> None:
        self._begin()
        taus = np.array([t for t, _ in runs])
        y = np.array([_score(r) for _, r in runs])
        self.plot.plot(taus, y, pen=None, symbol="o", symbolBrush="#2e86c1")
        self.plot.getAxis("bottom").setTicks(None)
        self.plot.setLabel("bottom", self.tr("Kendall tau of the block order (1: unchanged)"))
        self._set_y(y, intact, "top-1 %")

    def _on_bar_click(self, ev: Any) -> None:
        i = int(round(ev.pos().x()))
        if 0 <= i < len(self.ids):
            ev.accept()
            self.blockChosen.emit(self.ids[i])

    def export_csv(self, path: str) -> None:
        header, rows = sweep_table(self.kind, self.result)
        with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    def export_png(self, path: str) -> bool:
        return widget_saved(self.plot, path)

    def _export_csv_dialog(self) -> None:
        if self.result is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export CSV"), f"{self.kind}_sweep.csv", "CSV (*.csv)"
        )
        if path:
            self.export_csv(path)
