"""The ball chart: top-1 against GMACs, parameters or measured images/s, area = parameters.

One training recipe at a time (original, or the best available weights with a faint arrow from
each network's original ball); names beside their balls, with a leader line where moved.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
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
from explorer.present.chart import (
    RECIPES,
    X_AXES,
    Y_AXES,
    Arrow,
    Point,
    chart_points,
    edge_segment,
    label_priority,
    nice_ticks,
    place_labels,
    recipe_arrows,
    recipe_note,
    size_key,
)
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate
from explorer.ui.panels.base import Panel  # noqa: F401 - sets pyqtgraph's light background


def _chart_data() -> Any:
    """Generator for the worker: the published figures (importing torchvision takes seconds)."""
    yield 0.0, translate("ChartTab", "reading torchvision's weights metadata")
    from explorer.models.published import chart_data

    return chart_data()


#: outline of a ball of an improved recipe (the family colour's outline marks an original one)
IMPROVED_PEN = (25, 25, 25)


#: the parts of the core's sentence on the recipe (explorer.present.chart.recipe_note)
_RECIPE_PARTS = (
    (
        r"Recipe: each network's original \(torchvision's IMAGENET1K_V1 weights, or the "
        r"authors' own\)",
        QT_TRANSLATE_NOOP(
            "ChartTab",
            "Recipe: each network's original (torchvision's IMAGENET1K_V1 weights, or the "
            "authors' own)",
        ),
    ),
    (
        r"; (?P<n>\d+) networks have improved weights too: see 'best available'",
        QT_TRANSLATE_NOOP(
            "ChartTab", "; {n} networks have improved weights too: see 'best available'"
        ),
    ),
    (
        r"Recipe: the best available weights; (?P<n>\d+) networks gain from a later recipe "
        r"\(arrow from the faint ring, their original\)",
        QT_TRANSLATE_NOOP(
            "ChartTab",
            "Recipe: the best available weights; {n} networks gain from a later recipe (arrow "
            "from the faint ring, their original)",
        ),
    ),
    (
        r"\. Only an improved recipe published for (?P<names>.+) \(dark ring\)(?=\.$)",
        QT_TRANSLATE_NOOP(
            "ChartTab", ". Only an improved recipe published for {names} (dark ring)"
        ),
    ),
)


#: the lines of a ball's tooltip (explorer.present.chart.tooltip) the window knows
_TIP_LINES = (
    (
        r"(?P<recipe>original|improved) recipe(?P<w> \([^)]*\))?, (?P<px>\d+) px",
        QT_TRANSLATE_NOOP("ChartTab", "{recipe} recipe{w}, {px} px"),
    ),
    (r"parameters (?P<n>[\d,]+)", QT_TRANSLATE_NOOP("ChartTab", "parameters {n}")),
    (
        r"(?P<g>[\d.e+-]+) GMACs at (?P<px>\d+) px",
        QT_TRANSLATE_NOOP("ChartTab", "{g} GMACs at {px} px"),
    ),
    (r"source: (?P<s>.+)", QT_TRANSLATE_NOOP("ChartTab", "source: {s}")),
    (
        r"(?P<recipe>original|improved) recipe \((?P<w>[^)]*)\): top-1 (?P<t>[\d.]+) % at "
        r"(?P<px>\d+) px \((?P<d>[+-][\d.]+) points\)",
        QT_TRANSLATE_NOOP("ChartTab", "{recipe} recipe ({w}): top-1 {t} % at {px} px ({d} points)"),
    ),
    (
        r"measured: (?P<ips>[\d,.]+) images/s \((?P<range>[^)]*)\), batch (?P<b>\d+), "
        r"(?P<px>\d+) px, (?P<gf>[\d,.]+) GFLOP/s(?P<rest>.*)",
        QT_TRANSLATE_NOOP(
            "ChartTab", "measured: {ips} images/s ({range}), batch {b}, {px} px, {gf} GFLOP/s{rest}"
        ),
    ),
)
_RECIPE_NAMES = {
    "original": QT_TRANSLATE_NOOP("ChartTab", "original"),
    "improved": QT_TRANSLATE_NOOP("ChartTab", "improved"),
}


#: why a network has no published figures (explorer.models.published.figures_for)
_REASONS = (
    (
        r"trained on (?P<data>.+), not ImageNet",
        QT_TRANSLATE_NOOP("ChartTab", "trained on {data}, not ImageNet"),
    ),
    (
        r"no published ImageNet weights in torchvision or timm",
        QT_TRANSLATE_NOOP("ChartTab", "no published ImageNet weights in torchvision or timm"),
    ),
    (
        r"timm's published table has no row for its weights \((?P<w>[^)]+)\)",
        QT_TRANSLATE_NOOP("ChartTab", "timm's published table has no row for its weights ({w})"),
    ),
    (
        r"torchvision publishes no ImageNet accuracy for these weights",
        QT_TRANSLATE_NOOP(
            "ChartTab", "torchvision publishes no ImageNet accuracy for these weights"
        ),
    ),
)


def reason_words(text: str) -> str:
    """Why a network is not on the chart, in the window's language."""
    for pattern, template in _REASONS:
        m = re.fullmatch(pattern, text)
        if m:
            return translate("ChartTab", template).format(**m.groupdict())
    return text


def tooltip_words(text: str) -> str:
    """A ball's tooltip with its known lines in the window's language."""
    out = []
    for line in text.split("\n"):
        for pattern, template in _TIP_LINES:
            m = re.fullmatch(pattern, line)
            if m:
                g = {k: (v or "") for k, v in m.groupdict().items()}
                if "recipe" in g:
                    g["recipe"] = translate("ChartTab", _RECIPE_NAMES[g["recipe"]])
                if "rest" in g:
                    g["rest"] = g["rest"].replace(" of peak", translate("ChartTab", " of peak"))
                line = translate("ChartTab", template).format(**g)
                break
        out.append(line)
    return "\n".join(out)


def recipe_words(text: str) -> str:
    """The core's sentence on the recipe shown, in the window's language."""
    for pattern, template in _RECIPE_PARTS:
        text = re.sub(
            pattern, lambda m, t=template: translate("ChartTab", t).format(**m.groupdict()), text
        )
    return text


#: the core's names of the chart's axes and recipes (explorer.present.chart), for the catalogue
AXIS_WORDS = (
    QT_TRANSLATE_NOOP("ChartTab", "GMACs (published)"),
    QT_TRANSLATE_NOOP("ChartTab", "parameters (millions)"),
    QT_TRANSLATE_NOOP("ChartTab", "images/s measured here"),
    QT_TRANSLATE_NOOP("ChartTab", "ImageNet top-1 (%)"),
    QT_TRANSLATE_NOOP("ChartTab", "ImageNet top-5 (%)"),
    QT_TRANSLATE_NOOP("ChartTab", "original recipe"),
    QT_TRANSLATE_NOOP("ChartTab", "best available"),
)


class SizeKey(QWidget):
    """The key of ball sizes: a ball of each of a few parameter counts, at the chart's scale."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items: list[tuple[str, float]] = []

    def set_items(self, items: list[tuple[str, float]]) -> None:
        self.items = list(items)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        biggest = max((d for _, d in self.items), default=0.0)
        return QSize(200, int(biggest) + 22 if self.items else 0)

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 - Qt's name
        if not self.items:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        biggest = max(d for _, d in self.items)
        cell = self.width() / len(self.items)
        for k, (text, d) in enumerate(self.items):
            cx = cell * (k + 0.5)
            painter.setPen(QPen(QColor(90, 90, 90), 1.2))
            painter.setBrush(QColor(160, 160, 160, 110))
            painter.drawEllipse(QRectF(cx - d / 2, 2 + biggest - d, d, d))
            painter.setPen(QColor(40, 40, 40))
            painter.drawText(
                QRectF(cell * k, biggest + 4, cell, 18),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                text.replace(" parameters", ""),
            )
        painter.end()


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
        self.arrows: list[Arrow] = []
        self.label_spots: list[Any] = []  # LabelSpot or None per point
        self.left_off: list[str] = []
        self._asked = False

        bar = QHBoxLayout()
        bar.addWidget(QLabel("y"))
        self.y_combo = QComboBox()
        for key, text in Y_AXES.items():
            self.y_combo.addItem(translate("ChartTab", text), key)
        bar.addWidget(self.y_combo)
        bar.addWidget(QLabel("  x"))
        self.x_combo = QComboBox()
        for key, text in X_AXES.items():
            self.x_combo.addItem(translate("ChartTab", text), key)
        bar.addWidget(self.x_combo)
        bar.addWidget(QLabel("  " + self.tr("recipe")))
        self.recipe_combo = QComboBox()
        for key, text in RECIPES.items():
            self.recipe_combo.addItem(translate("ChartTab", text), key)
        self.recipe_combo.setToolTip(
            self.tr(
                "original: each network as its paper trained it (torchvision's IMAGENET1K_V1 "
                "weights where torchvision has several), as in the lecture's chart; best "
                "available: later recipes too (torchvision's V2, timm's), with an arrow from "
                "each network's original ball"
            )
        )
        bar.addWidget(self.recipe_combo)
        self.logx = QCheckBox(self.tr("log x"))
        self.logx.setChecked(True)
        self.logy = QCheckBox(self.tr("log y"))
        self.labels = QCheckBox(self.tr("names"))
        self.labels.setChecked(True)
        for w in (self.logx, self.logy, self.labels):
            bar.addWidget(w)
        bar.addStretch(1)
        self.note = QLabel(
            self.tr(
                "Ball area is proportional to parameters. Hover a ball for its "
                "figures and their source; click it to open the network."
            )
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
        # the best available view: each improved network's original ball, faint, and an arrow
        self.ghosts = pg.ScatterPlotItem(
            hoverable=True, tip=self._tip, hoverPen=pg.mkPen("k", width=1.5), pxMode=True
        )
        self.ghosts.setZValue(5)
        self.ghosts.sigClicked.connect(self._on_clicked)
        self.plot.addItem(self.ghosts)
        self.arrow_lines = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(90, 90, 90, 150))
        self.arrow_lines.setZValue(6)
        self.plot.addItem(self.arrow_lines, ignoreBounds=True)
        self._heads: list[pg.ArrowItem] = []
        self.leaders = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(110, 110, 110, 200))
        self.leaders.setZValue(15)
        self.plot.addItem(self.leaders, ignoreBounds=True)
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
        self.size_title = QLabel(self.tr("Ball area = parameters:"))
        self.size_key = SizeKey()
        self.size_key.setObjectName("chart_size_key")
        self.recipe_key = QLabel("")
        self.recipe_key.setObjectName("chart_recipe_key")
        self.recipe_key.setWordWrap(True)
        self.recipe_key.setTextFormat(Qt.TextFormat.RichText)
        self.missing_label = QLabel(self.tr("Without published ImageNet figures"))
        self.missing_label.setWordWrap(True)
        self.missing_list = QListWidget()
        self.missing_list.setWordWrap(True)
        self.missing_list.setToolTip(
            self.tr(
                "Not on the chart: no published figures. Double-click to open the network all "
                "the same."
            )
        )
        self.missing_list.itemDoubleClicked.connect(self._on_missing_activated)
        self.left_label = QLabel("")
        self.left_label.setWordWrap(True)
        side_box.addWidget(self.legend)
        side_box.addWidget(self.size_title)
        side_box.addWidget(self.size_key)
        side_box.addWidget(self.recipe_key)
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

        for combo in (self.x_combo, self.y_combo, self.recipe_combo):
            combo.currentIndexChanged.connect(self._on_axes_changed)
        for check in (self.logx, self.logy, self.labels):
            check.toggled.connect(self._on_axes_changed)

    # -- data ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the published figures on a worker thread (once; later calls do nothing)."""
        if self.figures or self.missing or self._asked:
            return
        self._asked = True
        self.note.setText(self.tr("Reading the published figures..."))
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
        self.missing_label.setText(
            self.tr("Without published ImageNet figures ({n}), not drawn:").format(
                n=len(self.missing)
            )
        )
        self.missing_list.clear()
        for m in self.missing:
            it = QListWidgetItem(f"{m.name}: {reason_words(m.reason)}")
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

    @property
    def recipe(self) -> str:
        return str(self.recipe_combo.currentData())

    def set_recipe(self, recipe: str) -> None:
        """Show ``"original"`` or ``"best"`` (what the recipe box does)."""
        self.recipe_combo.setCurrentIndex(self.recipe_combo.findData(recipe))

    def _tx(self, v: float) -> float:
        return math.log10(v) if self.logx.isChecked() and v > 0 else v

    def _ty(self, v: float) -> float:
        return math.log10(v) if self.logy.isChecked() and v > 0 else v

    def _spot(self, p: Point, ghost: bool = False) -> dict[str, Any]:
        if ghost:  # an original ball behind its improved one: a faint dashed ring
            brush = pg.mkBrush(*p.colour, 25)
            pen = pg.mkPen(*p.colour, 170, width=1.2, style=Qt.PenStyle.DashLine)
        elif p.recipe == "improved":
            brush, pen = pg.mkBrush(*p.colour, 150), pg.mkPen(*IMPROVED_PEN, width=2.2)
        else:
            brush, pen = pg.mkBrush(*p.colour, 150), pg.mkPen(*p.colour, width=1.2)
        return {
            "pos": (self._tx(p.x), self._ty(p.y)),
            "size": p.size,
            "brush": brush,
            "pen": pen,
            "data": p,
        }

    def redraw(self) -> None:
        self.points, self.left_off = chart_points(
            self.figures, self.x_axis, self.y_axis, self.speed, self.recipe
        )
        self.arrows = (
            recipe_arrows(self.figures, self.x_axis, self.y_axis, self.speed)
            if self.recipe == "best"
            else []
        )
        pi = self.plot.getPlotItem()
        for t in self._texts:
            pi.removeItem(t)
        self._texts = []
        for h in self._heads:
            pi.removeItem(h)
        self._heads = []
        self.scatter.setData([self._spot(p) for p in self.points])
        self.ghosts.setData([self._spot(a.start, ghost=True) for a in self.arrows])
        for _ in self.arrows:
            head = pg.ArrowItem(
                headLen=9, tipAngle=32, tailLen=0, pen=None, brush=pg.mkBrush(90, 90, 90, 190)
            )
            head.setZValue(7)
            pi.addItem(head, ignoreBounds=True)
            self._heads.append(head)
        pi.setLabel("bottom", translate("ChartTab", X_AXES[self.x_axis]))
        pi.setLabel("left", translate("ChartTab", Y_AXES[self.y_axis]))
        self._log_ticks()
        if self.labels.isChecked():
            for p in self.points:
                t = pg.TextItem(p.text or p.label, color=(40, 40, 40), anchor=(0.5, 0.5))
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
        self.size_key.set_items(
            size_key(max((f.params for f in self.figures), default=0)) if self.points else []
        )
        ring = "<span style='color:rgb{}; font-size:15px'>{}</span>"
        self.recipe_key.setText(
            ring.format((214, 39, 40), "&#9711;")
            + self.tr(" ring of the family's colour: original recipe; ")
            + ring.format(IMPROVED_PEN, "<b>&#9711;</b>")
            + self.tr(" dark ring: improved recipe")
            + (
                "; "
                + ring.format((214, 39, 40), "&#9676;")
                + self.tr(" faint dashed ring and arrow: the same network's original recipe")
                if self.recipe == "best"
                else ""
            )
            + self.tr(". A name ending in NNNpx: figures at that resolution (else 224 px).")
        )
        self._set_note()
        msg = []
        if self.x_axis == "speed" and not (self.speed and self.speed.results):
            msg.append(self.tr("Nothing measured yet: measure networks in the Speed tab."))
        elif self.x_axis == "speed":
            msg.append(
                self.tr("Measured on {device}, batch {batch}.").format(
                    device=self.speed.device, batch=self.speed.batch
                )
            )
            with_figures = {f.name for f in self.figures}
            unplaced = sorted({r.name for r in self.speed.results} - with_figures)
            if unplaced:
                msg.append(
                    self.tr("Measured, but without published accuracy: {names}").format(
                        names=", ".join(unplaced)
                    )
                )
        unmeasured = [t for t in self.left_off if t.endswith(": not measured")]
        others = [t for t in self.left_off if t not in unmeasured]
        if unmeasured:
            msg.append(
                self.tr("{n} networks with published figures not measured.").format(
                    n=len(unmeasured)
                )
            )
        if others:
            msg.append(
                self.tr("Left off ({n}): {what}").format(n=len(others), what="; ".join(others))
            )
        self.left_label.setText("\n".join(msg))
        if self.points:
            pi.getViewBox().autoRange(items=[self.scatter, self.ghosts], padding=0.1)
        self.place_labels()

    def _set_note(self) -> None:
        if not self.figures and not self.missing:
            return
        networks = len({f.name for f in self.figures})
        self.note.setText(
            self.tr("{n} networks with published ImageNet figures.").format(n=networks)
            + " "
            + recipe_words(recipe_note(self.figures, self.recipe))
            + self.tr(
                " Hover a ball for its figures, recipe and source; click it to open the network."
            )
        )

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

    def _ball(self, p: Point) -> tuple[float, float, float]:
        """A ball in scene pixels: centre and radius."""
        vb = self.plot.getPlotItem().getViewBox()
        c = vb.mapViewToScene(QPointF(self._tx(p.x), self._ty(p.y)))
        return (c.x(), c.y(), p.size / 2)

    def _to_view(self, x: float, y: float) -> tuple[float, float]:
        v = self.plot.getPlotItem().getViewBox().mapSceneToView(QPointF(x, y))
        return v.x(), v.y()

    def place_labels(self) -> None:
        """Put each name beside its ball where it covers no other name and no ball, else
        farther out with a leader line (else hide it); draw the recipe arrows between the
        balls' edges. Both are placed in pixels, again whenever the view moves."""
        self._place_arrows()
        self.label_spots = []
        if not self._texts:
            self.leaders.setData([], [])
            return
        balls, sizes = [], []
        for p, t in zip(self.points, self._texts, strict=True):
            balls.append(self._ball(p))
            r = t.textItem.boundingRect()  # the drawn text, margins included
            sizes.append((r.width(), r.height()))
        ghosts = [self._ball(a.start) for a in self.arrows]
        rect = self.plot.getPlotItem().getViewBox().sceneBoundingRect()
        box = (rect.left(), rect.top(), rect.right(), rect.bottom())
        self.label_spots = place_labels(
            balls,
            sizes,
            bounds=box,
            obstacles=ghosts,
            priority=[label_priority(p) for p in self.points],
        )
        xs: list[float] = []
        ys: list[float] = []
        for t, spot in zip(self._texts, self.label_spots, strict=True):
            t.setVisible(spot is not None)
            if spot is None:
                continue
            t.setPos(*self._to_view(spot.x, spot.y))
            t.fill = pg.mkBrush(255, 255, 255, 215) if spot.covers else pg.mkBrush(None)
            t.update()
            if spot.leader is not None:
                x0, y0, x1, y1 = spot.leader
                for x, y in (self._to_view(x0, y0), self._to_view(x1, y1)):
                    xs.append(x)
                    ys.append(y)
        self.leaders.setData(xs, ys)

    def _place_arrows(self) -> None:
        xs: list[float] = []
        ys: list[float] = []
        for a, head in zip(self.arrows, self._heads, strict=True):
            seg = edge_segment(self._ball(a.start), self._ball(a.end))
            head.setVisible(seg is not None)
            if seg is None:  # the balls overlap: no room for an arrow
                continue
            x0, y0, x1, y1 = seg
            for x, y in (self._to_view(x0, y0), self._to_view(x1, y1)):
                xs.append(x)
                ys.append(y)
            head.setPos(*self._to_view(x1, y1))
            head.setStyle(angle=math.degrees(math.atan2(y0 - y1, x0 - x1)))
        self.arrow_lines.setData(xs, ys)

    def _on_range_changed(self, *_args: Any) -> None:
        self.place_labels()

    def _tip(self, x: float, y: float, data: Any) -> str:
        return tooltip_words(data.tooltip) if isinstance(data, Point) else ""

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
