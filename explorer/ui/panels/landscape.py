"""The loss landscape (Li et al. 2018): a contour plot with isolines, one colour scale for the
shown network and the one it is compared with, the trained point marked; a 1-D curve; grid,
range, images and seed set here; progress and Cancel; saved landscapes opened.

Everything drawn is computed in :mod:`explorer.app.workflows.landscape` and
:mod:`explorer.present.landscape`; the panel wires and draws.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
)

from explorer.errors import one_line
from explorer.ui import core_words
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate
from explorer.ui.panels.base import Panel

LANE = "landscape"
#: images per grid point by default: an 11x11 pair of resnet56 and plain56 in minutes
DEFAULT_IMAGES = 100
NONE = "(none)"
CURVE_PENS = ("#1864ab", "#c92a2a")


class LandscapePanel(Panel):
    title = QT_TRANSLATE_NOOP("Panels", "Landscape")
    INTRO = QT_TRANSLATE_NOOP(
        "Panels",
        "The loss around the trained weights along two random filter-normalised directions "
        "(Li et al. 2018). Choose a grid and press Compute; resnet56 against plain56 is the "
        "lecture's slide.",
    )
    finished = Signal()  # a landscape (or a pair) was drawn in full
    #: computed on request, for the network: a new image or a cancelled run leaves it be
    own_work = True

    def __init__(self, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.jobs: Any = None  # set by the window
        self.session: Any = None  # set by the window
        bar = QHBoxLayout()
        self.dims = QComboBox()
        self.dims.addItems(["2-D", "1-D"])
        self.grid = QSpinBox()
        self.grid.setRange(2, 201)
        self.grid.setValue(11)
        self.grid.setToolTip(
            self.tr("points per axis (2 to 201); odd: the trained point is on the grid")
        )
        self.lo, self.hi = QDoubleSpinBox(), QDoubleSpinBox()
        for w, v in ((self.lo, -1.0), (self.hi, 1.0)):
            w.setRange(-100.0, 100.0)
            w.setSingleStep(0.25)
            w.setDecimals(2)
            w.setValue(v)
        self.limit = QSpinBox()
        self.limit.setRange(1, 1_000_000)
        self.limit.setValue(DEFAULT_IMAGES)
        self.limit.setToolTip(
            self.tr(
                "the first N images of the model's evaluation set (each grid point evaluates "
                "them all: fewer images, a faster sketch)"
            )
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.versus = QComboBox()
        self.versus.setToolTip(self.tr("a second network, walked with the same settings and seed"))
        self.log = QCheckBox(self.tr("log"))
        self.log.setChecked(True)
        self.log.setToolTip(self.tr("colours and isolines on log10 of the loss"))
        self.surface = QCheckBox("3-D")
        ok, why = gl_available()
        self.surface.setEnabled(ok)
        self.surface.setToolTip(
            self.tr("the loss as a surface (drag to turn it)")
            if ok
            else self.tr("no 3-D view here: {why}").format(why=why)
        )
        self.run_btn = QPushButton(self.tr("Compute"))
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.setEnabled(False)
        self.open_btn = QPushButton(self.tr("Open..."))
        self.open_btn.setToolTip(
            self.tr("show landscapes saved with  cnn-explorer landscape ... --json")
        )
        # two rows: the panel fits beside the graph in a window 1000 px wide
        second = QHBoxLayout()
        for row, items in (
            (bar, (("", self.dims), (self.tr("grid"), self.grid), (self.tr("range"), self.lo),
                   (self.tr("to"), self.hi), (self.tr("images"), self.limit),
                   (self.tr("seed"), self.seed))),
            (second, ((self.tr("vs"), self.versus), ("", self.log), ("", self.surface),
                      ("", self.run_btn), ("", self.cancel_btn), ("", self.open_btn))),
        ):  # fmt: skip
            for label, w in items:
                if label:
                    row.addWidget(QLabel(label))
                row.addWidget(w)
            row.addStretch(1)
        self.box.addLayout(bar)
        self.box.addLayout(second)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.box.addWidget(self.progress)
        self.canvas = pg.GraphicsLayoutWidget()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.canvas)
        self.gl_view: Any = None  # made when 3-D is first asked for
        self.box.addWidget(self.framed(self.stack), 1)
        self.captions = QLabel("")
        self.captions.setWordWrap(True)
        self.captions.setTextFormat(Qt.TextFormat.RichText)
        self.box.addWidget(self.captions)
        self.figures = [self.canvas]
        #: what is drawn: one landscape per pane (a pair: the shown network and the other)
        self.results: list[Any] = []
        self.plots: list[Any] = []
        self.colorbar: Any = None
        self.run_btn.clicked.connect(lambda: self.compute())
        self.cancel_btn.clicked.connect(self.cancel)
        self.open_btn.clicked.connect(self._open_dialog)
        self.log.toggled.connect(lambda _on: self.draw())
        self.surface.toggled.connect(lambda _on: self.draw())
        self.status.setText(self.intro_text())

    # -- the panel's life ---------------------------------------------------------------------

    def attach(self, session: Any, jobs: Any) -> None:
        """The session whose network is walked, the job runner; other weights or a fused
        network make the landscape shown another network's."""
        from explorer.app.events import Event

        self.session, self.jobs = session, jobs
        for ev in (Event.WEIGHTS_CHANGED, Event.ANALYSIS_SWAPPED):
            session.connect(ev, lambda *_: self.clear(self.intro_text()))

    def invalidate(self, why: str = "", keep: bool = True) -> None:
        """A new image changes nothing here: the landscape is the network's."""

    def update_result(self, result: Any, session: Any) -> None:
        pass  # computed on request

    def clear(self, why: str) -> None:
        if self.jobs is not None:
            self.jobs.cancel(LANE)
        self._idle()
        super().clear(why)

    def clear_figures(self) -> None:
        self.results = []
        self._draw_nothing()
        self.captions.setText("")

    def follow_model(self, analysis: Any) -> None:
        """The comparison list for this network: its twin first (resnet56: plain56)."""
        from explorer.models.registry import list_models
        from explorer.present.landscape import PRESETS

        name = analysis.spec.name if analysis is not None else ""
        same = [
            s.name
            for s in list_models()
            if analysis is not None
            and s.name != name
            and tuple(s.input_size) == tuple(analysis.spec.input_size)
            and s.classes == analysis.spec.classes
        ]
        twin = PRESETS.get(name)
        names = ([twin] if twin in same else []) + [n for n in same if n != twin]
        blocker = self.versus.blockSignals(True)
        self.versus.clear()
        none = self.tr("(none)")
        self.versus.addItems([*names[:1], none, *names[1:]] if names else [none])
        self.versus.setCurrentIndex(0)
        self.versus.blockSignals(blocker)

    # -- computing ----------------------------------------------------------------------------

    def settings(self) -> Any:
        from explorer.app.workflows.landscape import LandscapeSettings

        dims = 2 if self.dims.currentText() == "2-D" else 1
        return LandscapeSettings(
            dims=dims,
            grid=self.grid.value(),
            span=(self.lo.value(), self.hi.value()),
            seed=self.seed.value(),
        )

    def compute(self, versus: str | None = None) -> bool:
        """Walk the shown network (and ``versus``, default the one chosen) on a worker."""
        s = self.session
        if self.jobs is None or s is None or s.analysis is None or s.weights_info is None:
            self.status.setText("<i>" + self.tr("Load a network first.") + "</i>")
            return False
        from explorer.app.workflows.landscape import check_settings, landscapes
        from explorer.app.workflows.lesion import EvalSettings

        settings = self.settings()
        try:
            check_settings(settings)
            prep = s.preprocessing()
        except (ValueError, Exception) as exc:  # noqa: BLE001 - said in one line
            self._fail(exc)
            return False
        other = versus if versus is not None else self.versus.currentText()
        others = [] if other in ("", NONE, self.tr("(none)")) else [other]
        first = (s.analysis, prep, s.weights_info.categories, s.weights_info.label)
        ev = EvalSettings(None, self.limit.value(), 256)
        device, lock, ray = s.device, s.lock, s.ray
        self.results = []
        self._expected = 1 + len(others)
        self._draw_nothing()
        self.captions.setText("")

        def work() -> Any:
            from explorer.app.workflows.executors import on_executor

            def study(ex: Any) -> Any:
                return landscapes(first, others, settings, ev, device, lock=lock, executor=ex)

            return (yield from on_executor(ray, device, study))

        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("<i>" + self.tr("starting...") + "</i>")
        self.jobs.start(
            LANE,
            work,
            label="landscape",
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_error=self._fail,
            on_cancelled=lambda: self._on_cancelled(),
        )
        return True

    def cancel(self) -> None:
        if self.jobs is not None and self.jobs.request_cancel(LANE):
            self.status.setText("<i>" + self.tr("cancelling after this point...") + "</i>")

    def _on_progress(self, p: Any) -> None:
        if p.fraction is not None:
            self.progress.setValue(int(1000 * p.fraction))
        self.status.setText(p.message)
        if p.partial is not None:
            k, ls = p.partial
            while len(self.results) <= k:
                self.results.append(None)
            self.results[k] = ls
            self.draw()

    def _on_done(self, results: list[Any]) -> None:
        self._idle()
        self.show_landscapes(results)
        self.finished.emit()

    def _on_cancelled(self) -> None:
        self._idle()
        done = [r for r in self.results if r is not None and r.complete]
        self.results = done
        self.draw()
        self.status.setText(
            "<i>"
            + self.tr("cancelled")
            + "</i>"
            + (self.tr("; the partial grid is cleared") if not done else "")
        )

    def _fail(self, exc: BaseException) -> None:
        self._idle()
        self.status.setText(f"<span style='color:#b00'>{one_line(exc)}</span>")
        if self.session is not None and self.jobs is not None and not isinstance(exc, ValueError):
            self.session.report_failure(LANE, exc)

    def _idle(self) -> None:
        self.run_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        self.progress.hide()

    # -- saved landscapes ---------------------------------------------------------------------

    def open_files(self, paths: list[str]) -> None:
        """Show landscapes written by ``landscape --json`` (one or two, side by side);
        LandscapeFileError for a file of another kind."""
        from pathlib import Path

        from explorer.present.landscape import read, same_kind

        results = [read(p) for p in paths[:2]]
        same_kind(results, [Path(p).name for p in paths[:2]])
        self.show_landscapes(results)
        self.finished.emit()

    def _open_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open landscapes"), "", self.tr("Landscapes (*.json);;All files (*)")
        )
        if not paths:
            return
        try:
            self.open_files(paths)
        except Exception as exc:  # noqa: BLE001 - said in one line
            self.status.setText(f"<span style='color:#b00'>{one_line(exc)}</span>")

    # -- drawing ------------------------------------------------------------------------------

    def show_landscapes(self, results: list[Any]) -> None:
        self.stale = False
        self._dim(False)
        self.results = list(results)
        self._follow_settings(results[0] if results else None)
        self.draw()
        names = self.tr(" vs ").join(html.escape(r.model) for r in results)
        self.status.setText(f"<b>{names}</b>: " + self.tr("loss landscape (Li et al. 2018)"))

    def _follow_settings(self, r: Any) -> None:
        """The controls say how the shown landscape was made (an opened one too), so that
        Compute makes the same again."""
        if r is None:
            return
        self.dims.setCurrentText("2-D" if r.dims == 2 else "1-D")
        self.grid.setValue(len(r.x))
        self.lo.setValue(r.x[0])
        self.hi.setValue(r.x[-1])
        if r.n:
            self.limit.setValue(r.n)
        if isinstance(r.seed, int) and 0 <= r.seed <= self.seed.maximum():
            self.seed.setValue(r.seed)

    def _draw_nothing(self) -> None:
        self.canvas.clear()
        self.plots = []
        self.colorbar = None

    def draw(self) -> None:
        from explorer.present.landscape import caption

        shown = [r for r in self.results if r is not None]
        self._draw_nothing()
        if not shown:
            return
        three_d = self.surface.isChecked() and shown[0].dims == 2
        self.stack.setCurrentIndex(0)
        if shown[0].dims == 1:
            self._draw_lines(shown)
        elif three_d and self._draw_surfaces(shown):
            self.stack.setCurrentIndex(1)
        else:
            self._draw_maps(shown)
        lines = [html.escape(core_words.caption(caption(r))) for r in shown]
        if self.stack.currentIndex() == 1 and len(shown) > 1:
            lines.insert(
                0,
                self.tr("left to right: {models}").format(
                    models=", ".join(html.escape(r.model) for r in shown)
                ),
            )
        self.captions.setText("<br>".join(lines))

    def _draw_maps(self, shown: list[Any]) -> None:
        from explorer.present.landscape import colour_range, contour_levels, filled
        from explorer.present.landscape import shown as values_of

        log = self.log.isChecked()
        grids = [values_of(filled(r.loss, r.done), log) for r in shown]
        span = colour_range(grids)
        if span is None:
            return
        lo, hi = span
        cmap = pg.colormap.get("viridis")
        images = []
        for col, (r, g) in enumerate(zip(shown, grids, strict=True)):
            plot = self.canvas.addPlot(row=0, col=col)
            # not locked square: the maps fill their half of the panel, on the same x scale
            plot.setMouseEnabled(x=False, y=False)
            plot.setTitle(html.escape(r.model), size="12pt")
            plot.setLabel("bottom", self.tr("x (direction 1)"))
            plot.setLabel("left", self.tr("y (direction 2)"))
            xs, ys = np.asarray(r.x), np.asarray(r.y)
            dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
            dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
            img = pg.ImageItem(np.nan_to_num(g, nan=hi), axisOrder="row-major")
            img.setRect(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))
            img.setColorMap(cmap)
            img.setLevels((lo, hi))
            plot.addItem(img)
            images.append(img)
            for level in contour_levels(lo, hi, 10):
                iso = pg.IsocurveItem(
                    data=np.nan_to_num(g, nan=hi), level=level, pen=pg.mkPen("w", width=1)
                )
                iso.setParentItem(img)
                # the isocurve is drawn in the image's pixel coordinates: one pixel per point
                iso.setTransform(_centred())
            plot.plot(
                [0.0], [0.0], pen=None, symbol="+", symbolSize=18,
                symbolPen=pg.mkPen("#e03131", width=3),
            )  # fmt: skip
            plot.setXRange(xs[0] - dx / 2, xs[-1] + dx / 2, padding=0)
            plot.setYRange(ys[0] - dy / 2, ys[-1] + dy / 2, padding=0)
            self.plots.append(plot)
        label = self.tr("log10 loss") if log else self.tr("loss")
        self.colorbar = pg.ColorBarItem(
            values=(lo, hi), colorMap=cmap, label=label, interactive=False, width=18
        )
        self.colorbar.setImageItem(images)
        # a column of its own: the maps get the same width
        self.canvas.addItem(self.colorbar, row=0, col=len(self.plots))

    def _draw_lines(self, shown: list[Any]) -> None:
        plot = self.canvas.addPlot(row=0, col=0)
        plot.addLegend(offset=(10, 10))
        log = self.log.isChecked()
        plot.setLogMode(y=log)
        plot.setLabel("left", self.tr("loss (log scale)") if log else self.tr("loss"))
        plot.setLabel("bottom", self.tr("x (along the direction)"))
        plot.showGrid(x=True, y=True, alpha=0.3)
        for k, r in enumerate(shown):
            y = np.asarray(r.loss, dtype=float)[0]
            keep = np.asarray(r.done)[0] & np.isfinite(y)
            x = np.asarray(r.x)[keep]
            plot.plot(
                x, y[keep], pen=pg.mkPen(CURVE_PENS[k % 2], width=2), symbol="o",
                symbolSize=5, symbolBrush=CURVE_PENS[k % 2], name=r.model,
            )  # fmt: skip
            c = r.center.get("loss")
            if c is not None and c > 0:
                plot.plot(
                    [0.0], [c], pen=None, symbol="+", symbolSize=16,
                    symbolPen=pg.mkPen("#e03131", width=3),
                )  # fmt: skip
        self.plots.append(plot)

    def _draw_surfaces(self, shown: list[Any]) -> bool:
        """The landscapes as surfaces side by side, coloured on one scale; False when no
        3-D view can be made (the contour map is drawn instead, and said)."""
        from explorer.present.landscape import colour_range, filled
        from explorer.present.landscape import shown as values_of

        try:
            _llvm_first()
            import pyqtgraph.opengl as gl

            if self.gl_view is None:
                self.gl_view = gl.GLViewWidget()
                self.gl_view.setBackgroundColor("w")
                self.stack.addWidget(self.gl_view)
        except Exception as exc:  # noqa: BLE001 - any failure of OpenGL: the map instead
            self.surface.setChecked(False)
            self.surface.setEnabled(False)
            self.surface.setToolTip(self.tr("no 3-D view here: {why}").format(why=one_line(exc)))
            return False
        view = self.gl_view
        for item in list(view.items):
            view.removeItem(item)
        log = self.log.isChecked()
        grids = [values_of(filled(r.loss, r.done), log) for r in shown]
        span = colour_range(grids)
        if span is None:
            return True
        lo, hi = span
        cmap = pg.colormap.get("viridis")
        size, gap, height = 10.0, 3.0, 6.0
        for k, (r, g) in enumerate(zip(shown, grids, strict=True)):
            z = np.nan_to_num(g, nan=hi)
            xs = np.linspace(0, size, len(r.x)) + k * (size + gap)
            ys = np.linspace(0, size, len(r.y))
            unit = (z.T - lo) / (hi - lo)  # [x, y], as the surface takes its heights
            # one colour per vertex, in the surface's vertex order (x major)
            colours = np.asarray(cmap.map(unit.ravel(), mode="float"), dtype=np.float32)
            surf = gl.GLSurfacePlotItem(
                x=xs, y=ys, z=unit * height, colors=colours, shader=None, smooth=False
            )
            view.addItem(surf)
            label = gl.GLTextItem(
                pos=(xs[0], ys[-1] + 1.0, height + 0.5), text=r.model, color=(0, 0, 0, 255)
            )
            view.addItem(label)
        width = len(shown) * size + (len(shown) - 1) * gap
        view.setCameraPosition(
            pos=pg.Vector(width / 2, size / 2, height / 2),
            distance=1.4 * width + 10, elevation=32, azimuth=-70,
        )  # fmt: skip
        return True


def _llvm_first() -> None:
    """Load triton (when installed) before the first OpenGL context: Mesa's software driver
    and triton each bring their own LLVM, and triton loaded after the driver (torch imports
    it lazily, e.g. when a worker runs a model on the meta device) crashes the process;
    loaded before it, both work."""
    import importlib.util

    if importlib.util.find_spec("triton") is None:
        return
    try:
        import triton  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken triton: torch will not use it either
        pass


def gl_available() -> tuple[bool, str]:
    """Whether a 3-D view can be made here, and why not."""
    import importlib.util

    from PySide6.QtGui import QGuiApplication

    platform = QGuiApplication.platformName() if QGuiApplication.instance() else ""
    if platform in ("offscreen", "minimal"):
        return False, translate("Panels", "the '{platform}' display has no OpenGL").format(
            platform=platform
        )
    if importlib.util.find_spec("OpenGL") is None:
        return False, translate("Panels", "PyOpenGL is not installed (pip install PyOpenGL)")
    return True, ""


def _centred() -> Any:
    """Isocurves are traced between pixel centres (i + 0.5): shift them onto the image."""
    from PySide6.QtGui import QTransform

    return QTransform().translate(0.5, 0.5)
