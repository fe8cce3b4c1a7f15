"""The ball chart: top-1 against GMACs, parameters or measured images/s, area = parameters."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.app.jobs import JobRunner
from explorer.errors import one_line
from explorer.present.chart import X_AXES, Y_AXES, Point, chart_points, nice_ticks, place_labels
from explorer.ui.panels.base import Panel  # noqa: F401 - sets pyqtgraph's light background


def _chart_data() -> Any:
    """Generator for the worker: the published figures (importing torchvision takes seconds)."""
    yield 0.0, "reading torchvision's weights metadata"
    from explorer.models.published import chart_data

    return chart_data()


class ChartTab(QWidget):
    """Every zoo network with published ImageNet figures as a ball; click one to open it."""

    modelChosen = Signal(str)  # noqa: N815
    loaded = Signal()  # the published figures are in
    loadFailed = Signal(str)  # noqa: N815

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.figures: list[Any] = []
        self.missing: list[Any] = []
        self.speed: Any = None
        self.points: list[Point] = []
        self.left_off: list[str] = []
        self._asked = False

        bar = QHBoxLayout()
        bar.addWidget(QLabel("y"))
        self.y_combo = QComboBox()
        for key, text in Y_AXES.items():
            self.y_combo.addItem(text, key)
        bar.addWidget(self.y_combo)
        bar.addWidget(QLabel("  x"))
        self.x_combo = QComboBox()
        for key, text in X_AXES.items():
            self.x_combo.addItem(text, key)
        bar.addWidget(self.x_combo)
        self.logx = QCheckBox("log x")
        self.logx.setChecked(True)
        self.logy = QCheckBox("log y")
        self.labels = QCheckBox("names")
        self.labels.setChecked(True)
        for w in (self.logx, self.logy, self.labels):
            bar.addWidget(w)
        bar.addStretch(1)
        self.note = QLabel(
            "Ball area is proportional to parameters. Hover a ball for its "
            "figures and their source; click it to open the network."
        )
        self.note.setObjectName("chart_note")
        self.note.setWordWrap(True)

        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.getPlotItem().setMenuEnabled(False)
        self.scatter = pg.ScatterPlotItem(
            hoverable=True,
            tip=self._tip,
            hoverPen=pg.mkPen("k", width=2),
            pxMode=True,
        )
        self.scatter.setZValue(10)
        self.scatter.sigClicked.connect(self._on_clicked)
        self.plot.addItem(self.scatter)
        self._texts: list[pg.TextItem] = []
        # labels are placed in pixels: placed again when the view moves or is resized
        vb = self.plot.getPlotItem().getViewBox()
        vb.sigRangeChanged.connect(self._on_range_changed)
        vb.sigResized.connect(self._on_range_changed)

        side = QWidget()
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(0, 0, 0, 0)
        self.legend = QLabel("")
        self.legend.setObjectName("chart_legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.missing_label = QLabel("Without published ImageNet figures")
        self.missing_label.setWordWrap(True)
        self.missing_list = QListWidget()
        self.missing_list.setWordWrap(True)
        self.missing_list.setToolTip(
            "Not on the chart: no published figures. Double-click to open the network all the same."
        )
        self.missing_list.itemDoubleClicked.connect(self._on_missing_activated)
        self.left_label = QLabel("")
        self.left_label.setWordWrap(True)
        side_box.addWidget(self.legend)
        side_box.addWidget(self.missing_label)
        side_box.addWidget(self.missing_list, 1)
        side_box.addWidget(self.left_label)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 240])

        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addWidget(self.note)
        box.addWidget(split, 1)

        for combo in (self.x_combo, self.y_combo):
            combo.currentIndexChanged.connect(self._on_axes_changed)
        for check in (self.logx, self.logy, self.labels):
            check.toggled.connect(self._on_axes_changed)

    # -- data ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the published figures on a worker thread (once; later calls do nothing)."""
        if self.figures or self.missing or self._asked:
            return
        self._asked = True
        self.note.setText("Reading the published figures...")
        self.jobs.start(
            "compare-chart", _chart_data, on_done=self._on_loaded, on_error=self._on_load_error
        )

    def _on_loaded(self, value: object) -> None:
        found, missing = value  # type: ignore[misc]
        self.set_figures(found, missing)

    def _on_load_error(self, exc: BaseException) -> None:
        message = one_line(exc)
        self.note.setText(f"<span style='color:#b00'>{message}</span>")
        self.loadFailed.emit(message)

    def set_figures(self, figures: list[Any], missing: list[Any]) -> None:
        self.figures, self.missing = list(figures), list(missing)
        self.note.setText(
            f"{len(self.figures)} networks with published ImageNet figures. Ball area is "
            "proportional to parameters. Hover a ball for its figures and their source; "
            "click it to open the network."
        )
        self.missing_label.setText(
            f"Without published ImageNet figures ({len(self.missing)}), not drawn:"
        )
        self.missing_list.clear()
        for m in self.missing:
            it = QListWidgetItem(f"{m.name}: {m.reason}")
            it.setToolTip(m.reason)
            it.setData(Qt.ItemDataRole.UserRole, m.name)
            self.missing_list.addItem(it)
        self.redraw()
        self.loaded.emit()

    def set_speed(self, report: Any) -> None:
        """A (partial or final) measurement: the speed axis and the tooltips follow it."""
        self.speed = report
        self.redraw()

    # -- drawing ------------------------------------------------------------------------------

    @property
    def x_axis(self) -> str:
        return str(self.x_combo.currentData())

    @property
    def y_axis(self) -> str:
        return str(self.y_combo.currentData())

    def _tx(self, v: float) -> float:
        return math.log10(v) if self.logx.isChecked() and v > 0 else v

    def _ty(self, v: float) -> float:
        return math.log10(v) if self.logy.isChecked() and v > 0 else v

    def redraw(self) -> None:
        self.points, self.left_off = chart_points(
            self.figures, self.x_axis, self.y_axis, self.speed
        )
        pi = self.plot.getPlotItem()
        for t in self._texts:
            pi.removeItem(t)
        self._texts = []
        spots = [
            {
                "pos": (self._tx(p.x), self._ty(p.y)),
                "size": p.size,
                "brush": pg.mkBrush(*p.colour, 150),
                "pen": pg.mkPen(*p.colour, width=1.2),
                "data": p,
            }
            for p in self.points
        ]
        self.scatter.setData(spots)
        pi.setLabel("bottom", X_AXES[self.x_axis])
        pi.setLabel("left", Y_AXES[self.y_axis])
        self._log_ticks()
        if self.labels.isChecked():
            for p in self.points:
                t = pg.TextItem(p.label, color=(40, 40, 40), anchor=(0.5, 0.5))
                t.setZValue(20)
                pi.addItem(t, ignoreBounds=True)
                self._texts.append(t)
        seen: dict[str, tuple[int, int, int]] = {}
        for p in self.points:
            seen.setdefault(p.family, p.colour)
        cells = [
            f"<td><span style='color:rgb{c}; font-size:14px'>&#9679;</span>&nbsp;{fam}</td>"
            for fam, c in seen.items()
        ]
        rows = ["<tr>" + "".join(cells[i : i + 2]) + "</tr>" for i in range(0, len(cells), 2)]
        self.legend.setText("<table cellspacing='2'>" + "".join(rows) + "</table>")
        msg = []
        if self.x_axis == "speed" and not (self.speed and self.speed.results):
            msg.append("Nothing measured yet: measure networks in the Speed tab.")
        elif self.x_axis == "speed":
            msg.append(f"Measured on {self.speed.device}, batch {self.speed.batch}.")
            with_figures = {f.name for f in self.figures}
            unplaced = sorted({r.name for r in self.speed.results} - with_figures)
            if unplaced:
                msg.append("Measured, but without published accuracy: " + ", ".join(unplaced))
        unmeasured = [t for t in self.left_off if t.endswith(": not measured")]
        others = [t for t in self.left_off if t not in unmeasured]
        if unmeasured:
            msg.append(f"{len(unmeasured)} networks with published figures not measured.")
        if others:
            msg.append(f"Left off ({len(others)}): " + "; ".join(others))
        self.left_label.setText("\n".join(msg))
        if self.points:
            pi.getViewBox().autoRange(items=[self.scatter], padding=0.1)
        self.place_labels()

    def _log_ticks(self) -> None:
        """1-2-5 ticks with plain numbers on a log axis (the data are drawn as log10)."""
        pi = self.plot.getPlotItem()
        for axis, on, values in (
            ("bottom", self.logx.isChecked(), [p.x for p in self.points]),
            ("left", self.logy.isChecked(), [p.y for p in self.points]),
        ):
            ax = pi.getAxis(axis)
            pos = [v for v in values if v > 0]
            if on and pos:
                ticks = nice_ticks(min(pos) / 1.5, max(pos) * 1.5)
                ax.setTicks([[(math.log10(v), f"{v:g}") for v in ticks], []])
            else:
                ax.setTicks(None)

    def place_labels(self) -> None:
        """Put each name beside its ball where it covers no other name (else hide it)."""
        if not self._texts:
            return
        vb = self.plot.getPlotItem().getViewBox()
        balls, sizes = [], []
        for p, t in zip(self.points, self._texts, strict=True):
            c = vb.mapViewToScene(QPointF(self._tx(p.x), self._ty(p.y)))
            balls.append((c.x(), c.y(), p.size / 2))
            r = t.textItem.boundingRect()  # the drawn text, margins included
            sizes.append((r.width(), r.height()))
        rect = vb.sceneBoundingRect()
        box = (rect.left(), rect.top(), rect.right(), rect.bottom())
        for t, spot in zip(self._texts, place_labels(balls, sizes, bounds=box), strict=True):
            t.setVisible(spot is not None)
            if spot is not None:
                v = vb.mapSceneToView(QPointF(*spot))
                t.setPos(v.x(), v.y())

    def _on_range_changed(self, *_args: Any) -> None:
        self.place_labels()

    def _tip(self, x: float, y: float, data: Any) -> str:
        return data.tooltip if isinstance(data, Point) else ""

    # -- clicks -------------------------------------------------------------------------------

    def _on_clicked(self, _item: Any, points: Any, _ev: Any) -> None:
        if len(points):
            self.click_point(points[0].data().name)

    def click_point(self, name: str) -> None:
        """Open a network of the chart (what a click on its ball does)."""
        self.modelChosen.emit(name)

    def _on_missing_activated(self, item: QListWidgetItem) -> None:
        self.modelChosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_axes_changed(self, *_args: Any) -> None:
        self.redraw()
