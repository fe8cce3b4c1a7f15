"""The side-by-side view: up to three networks aligned by stage, the window's centre when
View > Side by side is chosen.

Everything it shows is computed in :mod:`explorer.present.side_by_side` (layout, rows, marks,
counterparts, inspector lines) and :mod:`explorer.graph.diff` (the stage table, as
``cnn-explorer diff`` prints it); this module wires and draws.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.app.jobs import JobRunner
from explorer.errors import one_line
from explorer.ui import core_words
from explorer.ui.export import widget_saved
from explorer.ui.graph_view import GraphView
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate
from explorer.ui.label_words import label_text
from explorer.ui.side_by_side.panels import AcrossPanels, colour
from explorer.ui.workers import qt_jobs

LANE = "side-by-side"
RUN_LANE = "side-by-side-run"
MARK_COLOUR = "#e8590c"
NONE = "(none)"


class SideGraph(GraphView):
    """The panes' one scene: boxes, edges and stage bands, plus titles, row headers, the
    marks of what one pane has that another lacks, and the counterparts of a selection."""

    rowClicked = Signal(int)  # noqa: N815

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sbs: Any = None
        self._extra: list[Any] = []
        self._highlights: list[Any] = []
        self.legend.hide()

    def show_side(self, sbs: Any) -> None:
        self.sbs = sbs
        self.show_layout(sbs.layout, sbs.blocks)
        self.legend.hide()
        scene = self.scene()
        self._extra = []
        self._highlights = []
        rect = scene.sceneRect()
        for t in sbs.texts:
            item = QGraphicsSimpleTextItem(label_text(t.text))  # a row header: "56x56 ..."
            font = QFont()
            font.setPixelSize(round(t.px))
            font.setBold(t.bold)
            item.setFont(font)
            item.setBrush(QColor(colour(t.pane) if t.bold and t.pane is not None else "#3b4350"))
            item.setPos(t.x, t.y)
            item.setZValue(30)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            scene.addItem(item)
            self._extra.append(item)
            rect = rect.united(item.sceneBoundingRect())
        for box_id, kinds in sbs.marks.items():
            box = sbs.layout.boxes[box_id]
            path = QPainterPath()
            path.addRoundedRect(QRectF(box.x - 5, box.y - 5, box.w + 10, box.h + 10), 8, 8)
            outline = QGraphicsPathItem(path)
            outline.setPen(QPen(QColor(MARK_COLOUR), 3, Qt.PenStyle.DashLine))
            outline.setZValue(25)
            outline.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            scene.addItem(outline)
            tag = QGraphicsSimpleTextItem(" ".join("+" + _short(k) for k in kinds))
            tag.setToolTip(
                translate("SideBySideView", "only in this pane, in this stage: {kinds}").format(
                    kinds=", ".join(_mark(k) for k in kinds)
                )
            )
            font = QFont()
            font.setPixelSize(round(13 * self.style.scale))
            font.setBold(True)
            tag.setFont(font)
            tag.setBrush(QColor(MARK_COLOUR))
            tag.setPos(box.x + box.w + 8, box.y + box.h / 2 - 9)
            tag.setZValue(31)
            tag.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            scene.addItem(tag)
            self._extra += [outline, tag]
            rect = rect.united(tag.sceneBoundingRect())
        scene.setSceneRect(rect.adjusted(-20, -20, 20, 20))

    def set_presentation(self, scale: float = 1.0, high_contrast: bool = False) -> None:
        """As the block graph's (F5): the boxes' fonts and strokes ``scale`` times larger, and
        the titles and row headings too, laid out again with room for them."""
        from explorer.present.side_by_side import side_by_side
        from explorer.ui.graph_style import Style

        if self.sbs is None:
            super().set_presentation(scale, high_contrast)
            return
        self.style = Style(max(0.5, min(scale, 4.0)), high_contrast)
        selected = self._selected
        sbs = self.sbs
        named = [(p.name, p.analysis) for p in sbs.panes]
        self.show_side(
            side_by_side(named, detail=sbs.detail, groups=sbs.groups, text_scale=self.style.scale)
        )
        self.set_selected(selected)
        self.fit()

    def highlight(self, box_ids: list[str]) -> None:
        """Outline the counterparts of a selection (the selection itself is the view's)."""
        scene = self.scene()
        for item in self._highlights:
            scene.removeItem(item)
        self._highlights = []
        if self.sbs is None:
            return
        for box_id in box_ids:
            box = self.sbs.layout.boxes.get(box_id)
            if box is None:
                continue
            item = QGraphicsRectItem(QRectF(box.x - 3, box.y - 3, box.w + 6, box.h + 6))
            item.setPen(QPen(QColor("#1864ab"), 3))
            item.setZValue(26)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            scene.addItem(item)
            self._highlights.append(item)

    def highlight_row(self, row: int | None) -> None:
        """A faint frame across every pane's band of ``row`` (None: none)."""
        self.highlight([])
        if self.sbs is None or row is None:
            return
        for band in self.sbs.layout.bands:
            if band.stage != row:
                continue
            item = QGraphicsRectItem(QRectF(band.x, band.y, band.w, band.h))
            item.setPen(QPen(QColor("#1864ab"), 2))
            item.setBrush(QBrush(QColor(24, 100, 171, 28)))
            item.setZValue(-50)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.scene().addItem(item)
            self._highlights.append(item)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        from explorer.present.side_by_side import row_at
        from explorer.ui.graph_items import BoxItem

        hit = self.itemAt(event.position().toPoint())
        if (
            self.sbs is not None
            and event.button() == Qt.MouseButton.LeftButton
            and not isinstance(hit, BoxItem)
        ):
            p = self.mapToScene(event.position().toPoint())
            row = row_at(self.sbs, p.x(), p.y())
            if row is not None:
                self.rowClicked.emit(row)
        super().mousePressEvent(event)


SHORT = {
    "skip connection": QT_TRANSLATE_NOOP("SideBySideView", "skip"),
    "projection shortcut": QT_TRANSLATE_NOOP("SideBySideView", "proj"),
    "SE gate": "SE",
    "highway gate": QT_TRANSLATE_NOOP("SideBySideView", "gate"),
    "1x1 branch": "1x1",
    "identity branch": "id",
    "inception module": QT_TRANSLATE_NOOP("SideBySideView", "incep."),
    "dense concat": QT_TRANSLATE_NOOP("SideBySideView", "dense"),
}
#: the add-ons the core marks (explorer.present.side_by_side), for the catalogue
MARK_NAMES = (
    QT_TRANSLATE_NOOP("SideBySideView", "skip connection"),
    QT_TRANSLATE_NOOP("SideBySideView", "projection shortcut"),
    QT_TRANSLATE_NOOP("SideBySideView", "SE gate"),
    QT_TRANSLATE_NOOP("SideBySideView", "highway gate"),
    QT_TRANSLATE_NOOP("SideBySideView", "1x1 branch"),
    QT_TRANSLATE_NOOP("SideBySideView", "identity branch"),
    QT_TRANSLATE_NOOP("SideBySideView", "inception module"),
    QT_TRANSLATE_NOOP("SideBySideView", "dense concat"),
)


def _mark(kind: str) -> str:
    """An add-on's name (``skip connection``) in the window's language."""
    return translate("SideBySideView", kind) if kind in MARK_NAMES else kind


#: the core's preset titles (explorer.present.side_by_side.PRESETS), for the catalogue
PRESET_TITLES = (
    QT_TRANSLATE_NOOP("SideBySideView", "ResNet Fig. 3"),
    QT_TRANSLATE_NOOP("SideBySideView", "plain vs residual, CIFAR"),
    QT_TRANSLATE_NOOP("SideBySideView", "SE"),
    QT_TRANSLATE_NOOP("SideBySideView", "RepVGG train vs deploy"),
    QT_TRANSLATE_NOOP("SideBySideView", "Inception v1 vs v3"),
)


def _line_words(text: str) -> str:
    """A pane's inspector line (``box_line``, ``row_line``) in the window's language: its
    parts by their known shapes, the labels' words as the graph says them."""
    out = []
    for part in text.split("  ·  "):
        m = re.fullmatch(r"out (\S+)", part)
        if m:
            out.append(translate("SideBySideView", "out {shape}").format(shape=m.group(1)))
            continue
        m = re.fullmatch(r"([\d,]+) params", part)
        if m:
            out.append(translate("SideBySideView", "{n} params").format(n=m.group(1)))
            continue
        m = re.fullmatch(r"RF (\S+) px", part)
        if m:
            out.append(translate("SideBySideView", "RF {rf} px").format(rf=m.group(1)))
            continue
        m = re.fullmatch(r"only here in this stage: (.+)", part)
        if m:
            kinds = ", ".join(_mark(k) for k in m.group(1).split(", "))
            out.append(
                translate("SideBySideView", "only here in this stage: {kinds}").format(kinds=kinds)
            )
            continue
        m = re.fullmatch(r"(\d+) blocks", part)
        if m:
            out.append(translate("SideBySideView", "{n} blocks").format(n=m.group(1)))
            continue
        m = re.fullmatch(r"stage (.+)", part)
        if m:
            out.append(
                translate("SideBySideView", "stage {what}").format(what=label_text(m.group(1)))
            )
            continue
        m = re.fullmatch(r"no stage at this step \((.+)\)", part)
        if m:
            out.append(
                translate("SideBySideView", "no stage at this step ({row})").format(
                    row=label_text(m.group(1))
                )
            )
            continue
        out.append(label_text(part.replace("(model)", translate("SideBySideView", "(model)"))))
    return "  ·  ".join(out)


def _short(kind: str) -> str:
    """The mark's tag beside a box: short, so that it stays in the gap between panes (the
    inspector line and the tooltip say it in full)."""
    short = SHORT.get(kind, kind)
    return translate("SideBySideView", short) if short != kind else kind


class SideBySideView(QWidget):
    """Presets, the networks' names, the aligned graph with an inspector line per pane, the
    stage table, and one image through every pane."""

    backRequested = Signal()  # noqa: N815
    shown = Signal()  # the panes are drawn
    failed = Signal(str)  # one line: the networks could not be set side by side
    ran = Signal()  # the image ran through every pane

    def __init__(self, jobs: JobRunner | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        from explorer.models.registry import model_names
        from explorer.present.side_by_side import DETAILS, MAX_PANES, PRESETS

        self.jobs = jobs if jobs is not None else qt_jobs(self)
        self.names: list[str] = []
        self.said = ""
        self.image_source: Any = None  # a callable giving the image to run (the window's)
        self._cache: dict[tuple[str, int | None], Any] = {}
        self.input_size: int | None = None

        bar = QHBoxLayout()
        self.preset_combo = QComboBox()
        self.preset_combo.addItem(self.tr("Presets..."))
        for title, names in PRESETS.items():
            self.preset_combo.addItem(
                f"{translate('SideBySideView', title)}: {', '.join(names)}", list(names)
            )
        self.preset_combo.activated.connect(self._on_preset)
        bar.addWidget(self.preset_combo)
        self.model_combos: list[QComboBox] = []
        zoo = model_names()
        for i in range(MAX_PANES):
            combo = QComboBox()
            combo.setEditable(True)
            if i == MAX_PANES - 1:
                combo.addItem(self.tr("(none)"))
            combo.addItems(zoo + [f"{n}+fused" for n in zoo if n.startswith("repvgg")])
            combo.setMinimumContentsLength(10)
            combo.setToolTip(
                self.tr("network {i} (NAME+fused: a RepVGG network's deploy form)").format(i=i + 1)
            )
            bar.addWidget(combo)
            self.model_combos.append(combo)
        self.detail_combo = QComboBox()
        for d in DETAILS:
            self.detail_combo.addItem(
                self.tr("detail: blocks") if d == "blocks" else self.tr("detail: layers"), d
            )
        self.detail_combo.setToolTip(
            self.tr(
                "blocks: each block one box (xN for a run of equal ones); layers: every block open"
            )
        )
        bar.addWidget(self.detail_combo)
        self.show_btn = QPushButton(self.tr("Show"))
        self.show_btn.clicked.connect(self._on_show)
        bar.addWidget(self.show_btn)
        fit = QPushButton(self.tr("Fit"))
        fit.clicked.connect(lambda: self.graph.fit())
        bar.addWidget(fit)
        bar.addStretch(1)
        back = QPushButton(self.tr("Back to the graph"))
        back.clicked.connect(self.backRequested)
        bar.addWidget(back)

        status = QHBoxLayout()
        self.status = QLabel(self.tr("Choose a preset or two or three networks, then Show."))
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setWordWrap(True)
        status.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        status.addWidget(self.progress)
        self.cancel_btn = QToolButton()
        self.cancel_btn.setText(self.tr("Cancel"))
        self.cancel_btn.hide()
        self.cancel_btn.clicked.connect(self.cancel)
        status.addWidget(self.cancel_btn)

        self.graph = SideGraph()
        self.graph.blockClicked.connect(self.select_box)
        self.graph.viewResized.connect(self._relayout)
        self.graph.rowClicked.connect(self.select_row)
        lines = QWidget()
        self.lines_box = QHBoxLayout(lines)
        self.lines_box.setContentsMargins(2, 0, 2, 0)
        self.lines: list[QLabel] = []
        for i in range(MAX_PANES):
            label = QLabel("")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setStyleSheet(f"QLabel {{ border-top: 3px solid {colour(i)}; padding: 2px; }}")
            label.setObjectName(f"pane_line_{i}")
            self.lines_box.addWidget(label, 1)
            self.lines.append(label)
        top = QWidget()
        top_box = QVBoxLayout(top)
        top_box.setContentsMargins(0, 0, 0, 0)
        top_box.setSpacing(2)
        top_box.addWidget(self.graph, 1)
        top_box.addWidget(lines)

        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemSelectionChanged.connect(self._on_table_row)
        self.panels = AcrossPanels()
        self.panels.cancelRequested.connect(lambda: self.jobs.cancel(RUN_LANE))
        run_tab = QWidget()
        run_box = QVBoxLayout(run_tab)
        run_box.setContentsMargins(0, 0, 0, 0)
        run_bar = QHBoxLayout()
        self.run_btn = QPushButton(self.tr("Run the image through every pane"))
        self.run_btn.setToolTip(
            self.tr(
                "The window's current image (else a sample: a digit for digit networks, a photo "
                "otherwise), through each network with its own weights and preprocessing"
            )
        )
        self.run_btn.clicked.connect(lambda: self.run_image())
        run_bar.addWidget(self.run_btn)
        run_bar.addStretch(1)
        run_box.addLayout(run_bar)
        run_box.addWidget(self.panels, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, self.tr("Stages"))
        self.tabs.addTab(run_tab, self.tr("Image across panes"))

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(top)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([780, 150])

        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addLayout(status)
        box.addWidget(self.split, 1)

    @property
    def sbs(self) -> Any:
        """What the panes show (:class:`~explorer.present.side_by_side.SideBySide`): the
        scene's, laid out again in presentation mode."""
        return self.graph.sbs

    # -- which networks ---------------------------------------------------------------------

    def _on_preset(self, index: int) -> None:
        names = self.preset_combo.itemData(index)
        if names:
            self.show_names(list(names))

    def _on_show(self) -> None:
        names = [c.currentText().strip() for c in self.model_combos]
        self.show_names([n for n in names if n and n not in (NONE, self.tr("(none)"))])

    def set_names(self, names: list[str]) -> None:
        """The combos say ``names`` (the third ``(none)`` for two)."""
        for i, combo in enumerate(self.model_combos):
            text = names[i] if i < len(names) else self.tr("(none)")
            combo.setCurrentText(text)

    @property
    def detail(self) -> str:
        return str(self.detail_combo.currentData())

    def set_detail(self, detail: str) -> None:
        self.detail_combo.setCurrentIndex(max(self.detail_combo.findData(detail), 0))

    def show_names(self, names: list[str], detail: str | None = None) -> bool:
        """Trace ``names`` on a worker and show them side by side; False (said in the status
        line and by ``failed``) when they cannot be."""
        from explorer.app.workflows.side_by_side import PanesError, build, parse_panes

        if detail is not None:
            self.set_detail(detail)
        try:
            names = parse_panes(",".join(names))
        except PanesError as exc:
            self._fail(str(exc))
            return False
        self.set_names(names)
        self.names = names
        w, h = self.graph.graph_area()
        aspect = w / max(h, 1)
        cached = {n: a for (n, s), a in self._cache.items() if s == self.input_size}
        detail_now, size, k = self.detail, self.input_size, self.graph.style.scale
        self.jobs.cancel(RUN_LANE)
        self.panels.clear("")
        self._busy(True, self.tr("tracing {names}").format(names=", ".join(names)))
        self.jobs.start(
            LANE,
            lambda: build(names, detail_now, aspect, size, cached, k),
            label=self.tr("side by side"),
            on_progress=self._on_progress,
            on_done=self._on_built,
            on_error=lambda exc: self._fail(one_line(exc)),
            on_cancelled=lambda: self._busy(False, self.tr("Cancelled.")),
        )
        return True

    def cancel(self) -> None:
        self.jobs.cancel([LANE, RUN_LANE])

    def _busy(self, on: bool, text: str = "", fraction: float | None = None) -> None:
        self.progress.setVisible(on)
        self.cancel_btn.setVisible(on)
        if fraction is not None:
            self.progress.setValue(round(fraction * 1000))
        elif on:
            self.progress.setValue(0)
        if text:
            self.status.setText(text)

    def _on_progress(self, p: Any) -> None:
        self._busy(True, p.message, p.fraction)

    def _fail(self, message: str) -> None:
        self._busy(False)
        self.said = message
        self.status.setText(f"<span style='color:#b00'>{_esc(message)}</span>")
        self.failed.emit(message)

    def _on_built(self, sbs: Any) -> None:
        from explorer.present.side_by_side import describe

        self._busy(False)
        for p in sbs.panes:
            self._cache[(p.name, self.input_size)] = p.analysis
        while len(self._cache) > 8:  # the latest few networks stay traced
            self._cache.pop(next(iter(self._cache)))
        self.graph.show_side(sbs)
        self.graph.fit()
        marks = sorted({k for v in sbs.marks.values() for k in v})
        self.said = describe(sbs)
        self.status.setText(
            _esc(core_words.message(self.said))
            + (
                f". <span style='color:{MARK_COLOUR}'><b>"
                + self.tr("Marked")
                + "</b></span>: "
                + self.tr("what one pane has and another lacks in the same stage ({marks})").format(
                    marks=", ".join(_mark(k) for k in marks)
                )
                if marks
                else self.tr(". No add-on in one pane that another lacks.")
            )
        )
        for i, label in enumerate(self.lines):
            label.setVisible(i < len(sbs.panes))
            if i < len(sbs.panes):
                p = sbs.panes[i]
                label.setText(f"<b>{_esc(p.title)}</b>: " + self.tr("click a block or a stage"))
        self._fill_table()
        self.shown.emit()

    def _relayout(self) -> None:
        """The view's shape changed: set the rows in as many groups as now fit it best (the
        layout is cheap; the networks stay traced)."""
        from explorer.present.side_by_side import side_by_side

        if self.sbs is None or self.jobs.busy(LANE):
            return
        w, h = self.graph.graph_area()
        named = [(p.name, p.analysis) for p in self.sbs.panes]
        new = side_by_side(
            named, detail=self.sbs.detail, aspect=w / max(h, 1), text_scale=self.sbs.text_scale
        )
        if new.groups != self.sbs.groups:
            self.graph.show_side(new)
        self.graph.fit()

    def _fill_table(self) -> None:
        from explorer.graph.diff import diff

        sbs = self.sbs
        panes = sbs.panes
        a = panes[0]
        diffs = [diff(a.analysis, p.analysis, a.name, p.name) for p in panes[1:]]
        heads = [self.tr("stage")]
        for p in panes:
            heads += [self.tr("{name} blocks").format(name=p.title), self.tr("params"), "MACs"]
        heads += [self.tr("Δ params {name}").format(name=p.title) for p in panes[1:]]
        rows = sbs.rows
        self.table.clear()
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels(heads)
        self.table.setRowCount(len(rows) + 1 + len(diffs))
        for r, row in enumerate(rows):
            cells = [row.label()]
            for c in row.cells:
                cells += [str(c["blocks"]), f"{c['params']:,}", f"{c['macs']:,}"]
            cells += [
                f"{row.cells[k + 1]['params'] - row.cells[0]['params']:+,}"
                for k in range(len(diffs))
            ]
            self._table_row(r, cells)
        total = [self.tr("total")]
        for p in panes:
            g = p.analysis.graph
            total += ["", f"{g.total_params:,}", f"{g.total_macs:,}"]
        total += [f"{d['params_delta']:+,}" for d in diffs]
        self._table_row(len(rows), total)
        for k, d in enumerate(diffs):
            only = [f"{f['count']} {f['kind']}" for f in d["only_in_b"]]
            lacks = [f"{f['count']} {f['kind']}" for f in d["only_in_a"]]
            text = self.tr("{b} against {a}: has {more}; lacks {less}").format(
                b=d["b"],
                a=d["a"],
                more=", ".join(only) or self.tr("nothing more"),
                less=", ".join(lacks) or self.tr("nothing"),
            )
            self.table.setSpan(len(rows) + 1 + k, 0, 1, len(heads))
            self._table_row(len(rows) + 1 + k, [text])
        self.table.resizeColumnsToContents()

    def _table_row(self, r: int, cells: list[str]) -> None:
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, c, item)

    def _on_table_row(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) == 1 and self.sbs is not None:
            (r,) = rows
            if r < len(self.sbs.rows):
                self.select_row(r, from_table=True)

    # -- selection --------------------------------------------------------------------------

    def select_box(self, box_id: str) -> None:
        """Select a box (a click): its counterparts in the other panes outlined, each pane's
        inspector line on its own box."""
        from explorer.present.side_by_side import box_line, split_id

        sbs = self.sbs
        if sbs is None:
            return
        if not box_id or box_id not in sbs.layout.boxes:
            self.graph.set_selected(None)
            self.graph.highlight([])
            return
        self.graph.set_selected(box_id)
        others = sbs.counterparts(box_id)
        self.graph.highlight(list(others.values()))
        pane = split_id(box_id)[0]
        chosen = {pane: box_id, **others}
        for i, label in enumerate(self.lines[: len(sbs.panes)]):
            p = sbs.panes[i]
            text = (
                _line_words(box_line(sbs, chosen[i]))
                if i in chosen
                else self.tr("no block in this stage")
            )
            label.setText(f"<b>{_esc(p.title)}</b>: {_esc(text)}")

    def select_row(self, row: int, from_table: bool = False) -> None:
        """Select a stage: its bands framed in every pane, each inspector line its counts."""
        from explorer.present.side_by_side import row_line

        sbs = self.sbs
        if sbs is None or not 0 <= row < len(sbs.rows):
            return
        self.graph.set_selected(None)
        self.graph.highlight_row(row)
        for i, label in enumerate(self.lines[: len(sbs.panes)]):
            p = sbs.panes[i]
            label.setText(f"<b>{_esc(p.title)}</b>: {_esc(_line_words(row_line(sbs, row, i)))}")
        if not from_table:
            self.table.blockSignals(True)
            self.table.selectRow(row)
            self.table.blockSignals(False)

    def line_texts(self) -> list[str]:
        return [label.text() for label in self.lines if label.isVisible()]

    # -- one image through every pane ------------------------------------------------------------

    def default_image(self) -> Any:
        """The window's current image, else a sample suited to the panes."""
        if self.image_source is not None:
            img = self.image_source()
            if img is not None:
                return img
        from explorer.runtime.images import load_sample

        digits = self.sbs is not None and all(
            getattr(p.analysis.spec, "classes", "") == "digits" for p in self.sbs.panes
        )
        return load_sample("digits-3" if digits else "coffee")

    def run_image(self, image: Any = None) -> bool:
        """Run ``image`` (default :meth:`default_image`) through every pane on a worker."""
        from explorer.app.workflows.across import run_across

        if self.sbs is None:
            self._fail(self.tr("show networks side by side first"))
            return False
        if self.jobs.busy(LANE):
            self._fail(self.tr("the networks are still being traced"))
            return False
        image = image if image is not None else self.default_image()
        analyses = [p.analysis for p in self.sbs.panes]
        self.tabs.setCurrentIndex(1)
        self._room_for_panels()
        self.panels.set_busy(self.tr("running {image}").format(image=image.name), 0.0)
        self.jobs.start(
            RUN_LANE,
            lambda: run_across(analyses, image),
            label=self.tr("image across panes"),
            on_progress=self.panels.show_progress,
            on_done=self._on_ran,
            on_error=self._on_run_error,
            on_cancelled=lambda: self.panels.clear(self.tr("Cancelled.")),
        )
        return True

    def _room_for_panels(self) -> None:
        """The panels' plots need height: at least 40 % of the view (the graph keeps the rest
        and can be zoomed)."""
        sizes = self.split.sizes()
        total = sum(sizes)
        if total > 0 and sizes[1] < 0.4 * total:
            self.split.setSizes([round(0.6 * total), round(0.4 * total)])

    def _on_run_error(self, exc: BaseException) -> None:
        self.panels.clear(one_line(exc))
        self._fail(one_line(exc))

    def _on_ran(self, results: Any) -> None:
        self.panels.show_results(results)
        self.ran.emit()

    # -- export -------------------------------------------------------------------------------

    def export_dialog(self, say: Any) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export PNG"), str(Path.home() / "side_by_side.png"), "PNG (*.png)"
        )
        if not path:
            return
        if self.export_png(path):
            say(self.tr("Saved {path}").format(path=path))
        else:
            QMessageBox.warning(
                self, self.tr("Export failed"), self.tr("Could not write {path}").format(path=path)
            )

    def export_png(self, path: str) -> bool:
        return widget_saved(self, path, "PNG")

    @property
    def busy(self) -> bool:
        return self.jobs.busy((LANE, RUN_LANE))

    def centre_of(self, box_id: str) -> QPointF:
        """Where a box is on screen (the tests click it)."""
        item = self.graph.boxes[box_id]
        return self.graph.mapFromScene(item.sceneBoundingRect().center())


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
