"""Residual networks as ensembles of paths (Veit et al. 2016): the unraveled view of the first
three blocks (Fig. 1b), and the three curves of Fig. 6 (paths by length; the gradient one path
of each length carries to the input, log scale; the total by length, the effective range
shaded), sampled on a worker with progress and Cancel.

Everything drawn is computed in :mod:`explorer.app.workflows.paths` and
:mod:`explorer.present.paths`; the panel wires and draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
)

from explorer.errors import one_line
from explorer.ui import core_words
from explorer.ui.i18n import QT_TRANSLATE_NOOP, integer
from explorer.ui.panels.base import Panel

LANE = "paths"
CURVE = "#1864ab"
SHADE = (250, 176, 5, 70)
#: the network compared with the shown one: its curves and its effective range
OTHER = "#c92a2a"
OTHER_SHADE = (201, 42, 42, 40)
NONE = "(none)"
UNIT_X, UNIT_Y = 78.0, 34.0  # scene pixels per block column, per path row


class PathsPanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Paths")
    INTRO = QT_TRANSLATE_NOOP(
        "Panels",
        "A residual network of n blocks is 2^n paths, C(n, k) of them through k residual "
        "branches (Veit et al. 2016). Press Compute to measure the gradient each path length "
        "carries to the input.",
    )
    finished = Signal()  # a result was drawn in full
    failed = Signal(str)  # the sampling could not start or failed: its one line
    #: computed on request, for the network: a new image or a cancelled run leaves it be
    own_work = True

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        from explorer.app.workflows.paths import DEFAULT_IMAGES, DEFAULT_SAMPLES

        self.jobs: Any = None  # set by attach
        self.session: Any = None
        bar = QHBoxLayout()
        self.limit = QSpinBox()
        self.limit.setRange(1, 100_000)
        self.limit.setValue(DEFAULT_IMAGES)
        self.limit.setToolTip(self.tr("the first N images of the model's evaluation set"))
        self.samples = QSpinBox()
        self.samples.setRange(1, 100_000)
        self.samples.setValue(DEFAULT_SAMPLES)
        self.samples.setToolTip(
            self.tr(
                "paths measured per length (every one where a length has no more; the paper: "
                "1,000); the time grows with images x paths"
            )
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(self.tr("seed of the paths drawn"))
        self.versus = QComboBox()
        self.versus.setToolTip(
            self.tr("a second network, sampled with the same settings and drawn on the same axes")
        )
        self.run_btn = QPushButton(self.tr("Compute"))
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.setEnabled(False)
        for label, w in ((self.tr("images"), self.limit),
                         (self.tr("paths per length"), self.samples),
                         (self.tr("seed"), self.seed), (self.tr("vs"), self.versus)):  # fmt: skip
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addWidget(self.run_btn)
        bar.addWidget(self.cancel_btn)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        bar.addWidget(self.progress, 1)
        bar.addStretch(0)
        self.box.addLayout(bar)
        self.scene = QGraphicsScene()
        self.view = _FitView(self.scene)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumWidth(300)
        self.view.setToolTip(
            self.tr("the first three blocks unraveled into 8 paths (Veit et al., Fig. 1b)")
        )
        self.canvas = pg.GraphicsLayoutWidget()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.canvas)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 7)
        split.setSizes([300, 700])
        self.split = split
        self.box.addWidget(self.framed(split), 1)
        self.captions = QLabel("")
        self.captions.setWordWrap(True)
        self.box.addWidget(self.captions)
        self.figures = [self.canvas, self.view]
        self.result: Any = None
        #: the compared network's result (None: none compared, or not yet)
        self.other: Any = None
        self.names: list[str] = []
        self.plots: list[Any] = []
        self.region: Any = None
        self.run_btn.clicked.connect(lambda: self.compute())
        self.cancel_btn.clicked.connect(self.cancel)
        self.status.setText(self.intro_text())
        self._make_plots()

    # -- the panel's life ---------------------------------------------------------------------

    def attach(self, session: Any, jobs: Any) -> None:
        """The session whose network is sampled and the job runner; other weights, another
        network or a fused one drop what was measured."""
        from explorer.app.events import Event

        self.session, self.jobs = session, jobs
        for ev in (Event.WEIGHTS_CHANGED, Event.ANALYSIS_SWAPPED):
            session.connect(ev, lambda *_: self.clear(self.intro_text()))
        session.connect(Event.MODEL_CHANGED, self.follow_model)
        self.follow_model(session.analysis)

    def applies(self, analysis: Any) -> bool:
        """Shown for networks with residual blocks along the main path."""
        return bool(self._blocks(analysis))

    @staticmethod
    def _blocks(analysis: Any) -> list[str]:
        if analysis is None:
            return []
        from explorer.app.workflows.paths import blocks_of
        from explorer.studies.paths.routing import PathsError

        try:
            return [u.id for u in blocks_of(analysis)]
        except PathsError:
            return []

    def follow_model(self, analysis: Any) -> None:
        """Another network: its first blocks unraveled, nothing measured yet."""
        if self.jobs is not None:
            self.jobs.cancel(LANE)
        self._idle()
        self.names = self._blocks(analysis)
        self.result = self.other = None
        self._fill_versus(analysis)
        self._draw_curves()
        self._draw_unraveled()
        self.captions.setText("")

    def _fill_versus(self, analysis: Any) -> None:
        """The networks that read the same input with the same classes (resnet20 beside
        resnet56); one without residual blocks is said in one line when computed."""
        from explorer.models.registry import list_models

        blocker = self.versus.blockSignals(True)
        self.versus.clear()
        self.versus.addItem(self.tr("(none)"))
        if analysis is not None:
            me = analysis.spec
            self.versus.addItems(
                [
                    m.name
                    for m in list_models()
                    if m.name != me.name
                    and tuple(m.input_size) == tuple(me.input_size)
                    and m.classes == me.classes
                    and not m.name.startswith("plain")
                ]
            )
        self.versus.setCurrentIndex(0)
        self.versus.blockSignals(blocker)

    def invalidate(self, why: str = "", keep: bool = True) -> None:
        """A new image changes nothing here: the paths are the network's."""

    def update_result(self, result: Any, session: Any) -> None:
        pass  # computed on request

    def clear(self, why: str) -> None:
        if self.jobs is not None:
            self.jobs.cancel(LANE)
        self._idle()
        super().clear(why)

    def clear_figures(self) -> None:
        self.result = self.other = None
        self._draw_curves()
        self.captions.setText("")

    # -- computing ----------------------------------------------------------------------------

    def compute(self) -> bool:
        """Sample the shown network's paths on a worker; False (and the reason shown) when it
        cannot start."""
        s = self.session
        if self.jobs is None or s is None or s.analysis is None or s.weights_info is None:
            self.status.setText("<i>" + self.tr("Load a network first.") + "</i>")
            return False
        if not self.names:
            self.status.setText(
                "<i>"
                + self.tr("{model} has no residual blocks.").format(model=s.analysis.spec.name)
                + "</i>"
            )
            return False
        from explorer.app.workflows.lesion import EvalSettings
        from explorer.app.workflows.paths import PathSettings, check_settings, paths

        settings = PathSettings(samples=self.samples.value(), seed=self.seed.value())
        try:
            check_settings(settings)
            prep = s.preprocessing()
        except Exception as exc:  # noqa: BLE001 - said in one line
            self._fail(exc)
            return False
        an, info = s.analysis, s.weights_info
        ev = EvalSettings(None, self.limit.value(), 64)
        device, lock = s.device, s.lock

        other = self.versus.currentText()
        other = None if other in ("", NONE, self.tr("(none)")) else other

        def work() -> Any:
            first = yield from _tagged(
                paths(an, prep, info.categories, settings, ev, device, weights=info.label,
                      lock=lock),
                0, 0.0, 0.5 if other else 1.0,
            )  # fmt: skip
            if other is None:
                return first, None
            from explorer.app.workflows.landscape import prepared

            yield 0.5, self.tr("building {model}").format(model=other)
            an2, prep2, cats2, label2 = prepared(other)
            second = yield from _tagged(
                paths(an2, prep2, cats2, settings, ev, device, weights=label2), 1, 0.5, 1.0
            )
            return first, second

        self.result = self.other = None
        self._draw_curves()
        self.captions.setText("")
        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("<i>" + self.tr("starting...") + "</i>")
        self.jobs.start(
            LANE,
            work,
            label="paths",
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_error=self._fail,
            on_cancelled=self._on_cancelled,
        )
        return True

    def cancel(self) -> None:
        if self.jobs is not None and self.jobs.request_cancel(LANE):
            self.status.setText("<i>" + self.tr("cancelling after this length...") + "</i>")

    def _on_progress(self, p: Any) -> None:
        if p.fraction is not None:
            self.progress.setValue(int(1000 * p.fraction))
        self.status.setText(p.message)
        if p.partial is not None:
            k, snap = p.partial
            if k == 0:
                self.result = snap
            else:
                self.other = snap
            self._draw_curves()

    def _on_done(self, results: Any) -> None:
        self._idle()
        first, second = results
        self.other = second
        self.show_paths(first)
        self.finished.emit()

    def _on_cancelled(self) -> None:
        self._idle()
        self.result = self.other = None
        self._draw_curves()
        self.captions.setText("")
        self.status.setText("<i>" + self.tr("cancelled; the partial curves are cleared") + "</i>")

    def _fail(self, exc: BaseException) -> None:
        self._idle()
        self.status.setText(f"<span style='color:#b00'>{one_line(exc)}</span>")
        self.failed.emit(one_line(exc))
        if self.session is not None and self.jobs is not None and not isinstance(exc, ValueError):
            self.session.report_failure(LANE, exc)

    def _idle(self) -> None:
        self.run_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        self.progress.hide()

    # -- drawing ------------------------------------------------------------------------------

    def show_paths(self, result: Any) -> None:
        from explorer.present.paths import caption

        self.stale = False
        self._dim(False)
        self.result = result
        self._draw_curves()
        lines = [core_words.caption(caption(result))] + (
            [core_words.caption(caption(self.other))] if self.other is not None else []
        )
        self.captions.setText("\n".join(lines))
        eff = result.effective
        where = (
            self.tr("effective paths {lo}-{hi} of {n}").format(
                lo=eff[0], hi=eff[1], n=result.n_blocks
            )
            if eff
            else ""
        )
        said = f"<b>{result.model}</b>: " + self.tr("an ensemble of {n} paths; {where}").format(
            n=integer(2**result.n_blocks), where=where
        )
        o = self.other
        if o is not None:
            oe = o.effective
            said += (
                f"; <b style='color:{OTHER}'>{o.model}</b> "
                + self.tr("(red): {n} paths").format(n=integer(2**o.n_blocks))
                + (
                    self.tr(", effective {lo}-{hi} of {n}").format(lo=oe[0], hi=oe[1], n=o.n_blocks)
                    if oe
                    else ""
                )
            )
        self.status.setText(said)

    def _make_plots(self) -> None:
        titles = (
            (self.tr("a: paths by length"), self.tr("paths")),
            (self.tr("b: |gradient| at the input, one path"), self.tr("norm (log scale)")),
            (self.tr("c: total by length"), self.tr("paths × norm")),
        )
        self.plots = []
        for col, (title, left) in enumerate(titles):
            plot = self.canvas.addPlot(row=0, col=col)
            plot.setTitle(title, size="10pt")
            plot.setLabel("bottom", self.tr("path length k"))
            plot.setLabel("left", left)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            self.plots.append(plot)
        for plot in self.plots[1:]:
            plot.getAxis("left").enableAutoSIPrefix(False)

    def _draw_curves(self) -> None:
        from explorer.present.paths import curves, decade_ticks, log_values

        for plot in self.plots:
            plot.clear()
        self.plots[2].setTitle(self.tr("c: total by length"), size="10pt")
        self.region = None
        r = self.result
        n = len(self.names)
        if r is None:
            if n:
                from explorer.studies.paths.lengths import num_paths

                self._bars(self.plots[0], np.arange(n + 1), np.array(num_paths(n), float))
            return
        c = curves(r)
        self._bars(self.plots[0], c.x, c.num_paths)
        xs, logs = log_values(c.grad_norm)
        if len(xs):
            self.plots[1].plot(
                xs, logs, pen=pg.mkPen(CURVE, width=2), symbol="o", symbolSize=5,
                symbolBrush=CURVE,
            )  # fmt: skip
            self.plots[1].getAxis("left").setTicks(decade_ticks(logs))
        if c.effective is not None:
            lo, hi = c.effective
            self.region = pg.LinearRegionItem(
                values=(lo - 0.5, hi + 0.5), movable=False, brush=pg.mkBrush(*SHADE),
                pen=pg.mkPen(None),
            )  # fmt: skip
            self.plots[2].addItem(self.region)
            self.plots[2].setTitle(
                self.tr("c: total, effective {lo}-{hi} shaded").format(lo=lo, hi=hi), size="10pt"
            )
        done = np.isfinite(c.contribution)
        if done.any():
            self.plots[2].plot(
                c.x[done], c.contribution[done], pen=pg.mkPen(CURVE, width=2), symbol="o",
                symbolSize=5, symbolBrush=CURVE,
            )  # fmt: skip
        top = r.n_blocks
        if self.other is not None:
            top = max(top, self._draw_other(self.other, logs if len(xs) else None))
        for plot in self.plots:
            plot.setXRange(-0.5, top + 0.5, padding=0.02)

    def _draw_other(self, o: Any, logs: Any) -> int:
        """The compared network on the same axes, in red: its paths by length as a line, its
        gradient and total as curves, its effective range shaded in red."""
        from explorer.present.paths import curves, decade_ticks, log_values

        c = curves(o)
        pen = pg.mkPen(OTHER, width=2)
        self.plots[0].plot(c.x, c.num_paths, pen=pen, symbol="s", symbolSize=4,
                           symbolBrush=OTHER)  # fmt: skip
        xs, lv = log_values(c.grad_norm)
        if len(xs):
            self.plots[1].plot(xs, lv, pen=pen, symbol="s", symbolSize=5, symbolBrush=OTHER)
            both = lv if logs is None else np.concatenate([np.asarray(logs), np.asarray(lv)])
            self.plots[1].getAxis("left").setTicks(decade_ticks(both))
        if c.effective is not None:
            lo, hi = c.effective
            self.plots[2].addItem(
                pg.LinearRegionItem(
                    values=(lo - 0.5, hi + 0.5), movable=False, brush=pg.mkBrush(*OTHER_SHADE),
                    pen=pg.mkPen(OTHER, style=Qt.PenStyle.DashLine),
                )
            )  # fmt: skip
        done = np.isfinite(c.contribution)
        if done.any():
            self.plots[2].plot(c.x[done], c.contribution[done], pen=pen, symbol="s",
                               symbolSize=5, symbolBrush=OTHER)  # fmt: skip
        return int(o.n_blocks)

    @staticmethod
    def _bars(plot: Any, x: np.ndarray, height: np.ndarray) -> None:
        plot.addItem(pg.BarGraphItem(x=x, height=height, width=0.8, brush="#74c0fc", pen=None))
        plot.setXRange(-0.5, len(x) - 0.5, padding=0.02)

    def _draw_unraveled(self) -> None:
        """Fig. 1(b): the first three blocks as 8 paths, each path's last stretch coloured
        by its length, the sum at the right; the block of each f below."""
        from explorer.present.paths import LENGTH_COLOURS, block_legend, unraveled

        self.scene.clear()
        if not self.names:
            return
        u = unraveled(self.names)
        font = QFont()
        font.setPointSizeF(13)
        small = QFont(font)
        small.setPointSizeF(12)

        def at(x: float, y: float) -> tuple[float, float]:
            return x * UNIT_X, y * UNIT_Y

        for e in u.edges:
            x0, y0 = at(e.x0, e.y0)
            x1, y1 = at(e.x1, e.y1)
            if e.kind == "path":
                colour = QColor(LENGTH_COLOURS[e.length % len(LENGTH_COLOURS)])
                pen = QPen(colour, 2.2)
            elif e.kind == "branch":
                pen = QPen(QColor("#343a40"), 1.6)
            else:
                pen = QPen(QColor("#adb5bd"), 1.6)
            self.scene.addLine(x0, y0, x1, y1, pen)
        for nd in u.nodes:
            x, y = at(nd.x, nd.y)
            if nd.kind == "branch":
                w, h = 38.0, 26.0
                self.scene.addRect(
                    QRectF(x - w / 2, y - h / 2, w, h), QPen(QColor("#1864ab"), 1.4),
                    QBrush(QColor("#d0ebff")),
                )  # fmt: skip
                self._text(nd.label, x, y, font)
            elif nd.kind == "sum":
                r = 13.0
                self.scene.addEllipse(
                    QRectF(x - r, y - r, 2 * r, 2 * r), QPen(QColor("#343a40"), 1.4),
                    QBrush(QColor("white")),
                )  # fmt: skip
                self._text("+", x, y, font)
            elif nd.kind == "output":
                self.scene.addLine(x - 0.6 * UNIT_X + 13, y, x - 4, y, QPen(QColor("#343a40"), 1.6))
                self._text(self.tr("out"), x + 14, y, font)
            elif nd.kind == "input":
                self._text(self.tr("in"), x - 16, y, font)
            else:
                self.scene.addEllipse(QRectF(x - 2.5, y - 2.5, 5, 5), QPen(Qt.PenStyle.NoPen),
                                      QBrush(QColor("#868e96")))  # fmt: skip
        bottom = (u.rows - 1) * UNIT_Y + 20
        width = (u.n + 1.6) * UNIT_X + 40
        counts = ", ".join(
            f"<span style='color:{LENGTH_COLOURS[k]}'>■</span> {k}: {c}"
            for k, c in enumerate(u.lengths)
        )
        self._html(
            self.tr("{n} paths by length {counts}").format(n=2**u.n, counts=counts)
            + f"<br>{block_legend(u.names)}; "
            + self.tr("grey: skip"),
            -30, bottom, small, width,
        )  # fmt: skip
        self.view.setSceneRect(self.scene.itemsBoundingRect().adjusted(-6, -6, 6, 6))
        self._fit()

    def _text(self, text: str, x: float, y: float, font: QFont) -> None:
        item = self.scene.addSimpleText(text, font)
        rect = item.boundingRect()
        item.setPos(x - rect.width() / 2, y - rect.height() / 2)

    def _html(self, html: str, x: float, y: float, font: QFont, width: float) -> None:
        item = self.scene.addText("", font)
        item.setTextWidth(width)
        item.setHtml(html)
        item.setPos(x, y)

    def _fit(self) -> None:
        self.view.fit()


class _FitView(QGraphicsView):
    """A view that shows its whole scene at every size (the splitter moved, the window
    resized)."""

    def fit(self) -> None:
        if self.scene() is not None and self.scene().items():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.fit()


def _tagged(walk: Any, k: int, lo: float, hi: float) -> Any:
    """A paths walk's progress mapped into [lo, hi], its snapshots tagged with ``k`` (the
    shown network 0, the compared one 1); returns its result."""
    from explorer.app.jobs import Progress

    try:
        while True:
            p = Progress.of(next(walk))
            frac = None if p.fraction is None else lo + (hi - lo) * p.fraction
            yield Progress(frac, p.message, None if p.partial is None else (k, p.partial))
    except StopIteration as stop:
        return stop.value
    finally:
        walk.close()
