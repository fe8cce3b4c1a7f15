"""The Compare view's Kernels tab: RepVGG's Table 1 (one conv per kernel size) on this device.

The experiment (:func:`explorer.studies.speed.kernels.kernel_experiment`) runs on a worker thread
with a generation number and Cancel; each partial report it yields refills the table and the
chart (achieved TFLOP/s per kernel size, the peak measured in the same run as a dashed line).
A result from an older run is dropped; an error is one red line and the last results stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.app.jobs import JobRunner, Progress
from explorer.errors import one_line
from explorer.runtime.inference import (
    PRECISIONS,
    available_devices,
    check_precision,
    device_type,
    resolve_device,
)
from explorer.studies.speed.density import KERNEL_HEADER, kernel_rows, number, peak_label, percent
from explorer.studies.speed.kernels import DEFAULTS, kernel_experiment, parse_kernels
from explorer.ui import i18n
from explorer.ui.compare.density import PEAK, kind_colour
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate
from explorer.ui.tables import fill_table, set_combo_items
from explorer.ui.workers import Throttle

INTRO = QT_TRANSLATE_NOOP(
    "KernelsTab",
    "RepVGG's Table 1: one k x k convolution (C channels in and out, stride 1, same padding) "
    "per kernel size, timed in rounds with a large matrix product (the peak). Its operations "
    "grow with k²; on RepVGG's GPU the 3x3 convolution reached by far the highest TFLOP/s "
    "(Winograd). What does this device do?",
)
ERROR_STYLE = f"color: {PEAK};"


class KernelsTab(QWidget):
    """Controls, a table and a chart for :func:`~explorer.studies.speed.kernels.kernel_experiment`."""

    reportReady = Signal(object)  # noqa: N815 - the final KernelReport of a run
    ended = Signal(str)  # a run ended: done, cancelled or failed (the status line)

    def __init__(
        self, jobs: JobRunner, parent: QWidget | None = None, devices: list[str] | None = None
    ):
        """``devices``: the device choices (default :func:`available_devices`, which imports
        torch; the Compare view passes ``auto`` and ``cpu`` and fills in the rest from a worker
        through :meth:`set_devices`)."""
        super().__init__(parent)
        self.jobs = jobs
        self.peak_n: int | None = None  # the peak's matrix size (None: the device's own)
        self._redraw = Throttle(2.0)
        #: what else is timing now (the view sets it), e.g. "the speed measurement"
        self.blocked_by: Callable[[], str | None] = lambda: None
        self.warmup = 2
        self.report: Any = None  # shown now (partial while running)
        self.last: Any = None  # the last complete report
        self._running = False
        self._cancelling = False
        self._started = 0.0

        self.device_combo = QComboBox()
        self.device_combo.addItems(devices if devices is not None else available_devices())
        self.device_combo.setToolTip(self.tr("Where to run: auto picks a GPU when there is one"))
        self.precision_combo = QComboBox()
        self.precision_combo.addItems(list(PRECISIONS))
        self.precision_combo.setToolTip(self.tr("bf16 and fp16 (autocast) run on a GPU only"))
        self.batch_spin = spin_box(0, 4096, "batch")
        self.channels_spin = spin_box(0, 8192, "channels")
        self.size_spin = spin_box(0, 1024, "size")
        self.kernels_edit = QLineEdit("1,3,5,7")
        self.kernels_edit.setToolTip(self.tr("Odd kernel sizes, separated by commas"))
        self.kernels_edit.setMaximumWidth(90)
        self.repeats_spin = QSpinBox()
        self.repeats_spin.setRange(1, 1000)
        self.repeats_spin.setValue(7)
        self.repeats_spin.setToolTip(
            self.tr("Timed runs of each kernel size (the median is shown)")
        )
        self.run_btn = QPushButton(self.tr("Run"))
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p %")
        self.progress.setMaximumWidth(160)
        self.run_btn.clicked.connect(self._on_run_clicked)
        self.cancel_btn.clicked.connect(self._on_cancel_clicked)
        self.device_combo.currentIndexChanged.connect(self._on_device_changed)

        bar = QHBoxLayout()
        for label, w in (
            (self.tr("Device"), self.device_combo),
            (self.tr("Precision"), self.precision_combo),
            (self.tr("Batch"), self.batch_spin),
            (self.tr("Channels"), self.channels_spin),
            (self.tr("Size"), self.size_spin),
            (self.tr("Kernels"), self.kernels_edit),
            (self.tr("Repeats"), self.repeats_spin),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.run_btn)
        bar.addWidget(self.cancel_btn)
        bar.addWidget(self.progress)
        bar.addStretch(1)

        self.intro = QLabel(self.tr(INTRO))
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("color: #555;")
        self.status = QLabel(self.tr("Press Run to time the convolutions on this device."))
        self.status.setWordWrap(True)
        self.status.setObjectName("kernels_status")

        self.table = QTableWidget(0, len(KERNEL_HEADER))
        self.table.setHorizontalHeaderLabels(list(KERNEL_HEADER))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumWidth(420)
        self.copy_btn = QPushButton(self.tr("Copy table"))
        self.copy_btn.setToolTip(self.tr("Tab-separated, for a spreadsheet"))
        self.copy_btn.clicked.connect(self._on_copy_clicked)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.table, 1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_btn)
        left_box.addLayout(copy_row)

        self.plot = pg.PlotWidget()
        self.plot.showGrid(y=True, alpha=0.2)
        self.plot.setLabel("left", self.tr("achieved TFLOP/s"))
        self.plot.setLabel("bottom", self.tr("kernel size"))
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.bars: pg.BarGraphItem | None = None
        self.peak_line: pg.InfiniteLine | None = None

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plot)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)

        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addWidget(self.intro)
        box.addWidget(self.status)
        box.addWidget(split, 1)
        self._on_device_changed()
        self._set_running(False)
        self._show(None)

    def _on_device_changed(self, _index: int = 0) -> None:
        """The spin boxes' tooltips give the chosen device's defaults."""
        names = [self.device_combo.itemText(i) for i in range(self.device_combo.count())]
        kind = device_type(self.device_combo.currentText(), names)
        batch, channels, size = DEFAULTS.get(kind, DEFAULTS["cpu"])
        for spin, what, value in (
            (self.batch_spin, self.tr("Images per pass"), batch),
            (self.channels_spin, self.tr("Channels in and out"), channels),
            (self.size_spin, self.tr("Height = width of the input"), size),
        ):
            spin.setToolTip(
                self.tr("{what}; default on {device}: {value}").format(
                    what=what, device=kind, value=value
                )
            )

    def set_devices(self, devices: list[str]) -> None:
        """Offer ``devices``, keeping the current choice where it is among them."""
        set_combo_items(self.device_combo, devices)
        self._on_device_changed()

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.run_btn.setEnabled(not running)
        self.cancel_btn.setVisible(running)
        self.cancel_btn.setEnabled(running)
        self.progress.setVisible(running)
        for w in (
            self.device_combo,
            self.precision_combo,
            self.batch_spin,
            self.channels_spin,
            self.size_spin,
            self.kernels_edit,
            self.repeats_spin,
        ):
            w.setEnabled(not running)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)

    @property
    def busy(self) -> bool:
        """A run is in progress (or being cancelled)."""
        return self._running

    # -- running ------------------------------------------------------------------------------

    def start(self) -> bool:
        """Start the experiment with the controls' settings; False (and why, in red) if not."""
        if self._running:
            return False
        other = self.blocked_by()
        if other:
            self._say(
                self.tr("Wait for {other} to end: two timings at once disturb each other.").format(
                    other=other
                ),
                True,
            )
            return False
        try:
            kernels = parse_kernels(self.kernels_edit.text())
            dev = resolve_device(self.device_combo.currentText())
            precision = check_precision(self.precision_combo.currentText(), dev)
        except ValueError as exc:  # DeviceError is a ValueError: the core's own words
            self._say(str(exc).splitlines()[0], error=True)
            return False
        factory = partial(
            kernel_experiment,
            device=str(dev),
            batch=self.batch_spin.value() or None,
            channels=self.channels_spin.value() or None,
            size=self.size_spin.value() or None,
            kernels=kernels,
            repeats=self.repeats_spin.value(),
            warmup=self.warmup,
            precision=precision,
            peak_n=self.peak_n,
        )
        self._redraw.reset()
        self._cancelling = False
        self._started = time.perf_counter()
        self.progress.setValue(0)
        self._set_running(True)
        self._say(self.tr("starting on {device}...").format(device=dev))
        self.jobs.start(
            "kernels",
            factory,
            label=self.tr("kernel sizes"),
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_error=self._on_error,
            on_cancelled=self._on_cancelled,
        )
        return True

    def cancel(self) -> None:
        """Stop the run at its next yield; the status says ``cancelled`` when it has stopped."""
        if not self._running:
            return
        self._cancelling = True
        self.jobs.request_cancel("kernels")
        self.cancel_btn.setEnabled(False)
        self._say(self.tr("cancelling..."))

    def wait_all(self) -> None:
        """Cancel the run and wait for its thread (a view standing alone closes)."""
        running = self._running
        self.jobs.cancel("kernels")  # what the run still sends is dropped
        self.jobs.wait()
        if running:
            self._finish(self.tr("cancelled"))

    def _finish(self, text: str, error: bool = False) -> None:
        self._cancelling = False
        self._set_running(False)
        self._say(text, error)
        self.ended.emit(text)

    def _on_progress(self, p: Progress) -> None:
        if self._cancelling:
            return
        frac, message, report = p.fraction or 0.0, p.message, p.partial
        self.progress.setValue(int(round(100 * frac)))
        self._say(f"{message}...")
        if self._redraw.ready():  # drawing takes CPU from the timing: seldom while it runs
            self._show(report)

    def _on_done(self, report: Any) -> None:
        secs = time.perf_counter() - self._started
        self.last = report
        self._show(report)
        failed = "; ".join(f"{n}: {e}" for n, e in report.failed)  # e.g. out of memory
        self._finish(
            self.tr(
                "done in {seconds} s on {device}: batch {batch}, {channels} channels in and out, "
                "{size}x{size}, median of {repeats} runs (spread = (max - min) / median)"
            ).format(
                seconds=i18n.number(secs, 1),
                device=report.device,
                batch=report.batch,
                channels=report.channels,
                size=report.size,
                repeats=report.repeats,
            )
            + (self.tr("; failed: {failed}").format(failed=failed) if failed else ""),
            error=bool(failed),
        )
        self.reportReady.emit(report)

    def _on_error(self, exc: BaseException) -> None:
        message = one_line(exc)
        self._show(self.last)  # the last complete results stay
        self._finish(message.splitlines()[0] if message else self.tr("failed"), error=True)

    def _on_cancelled(self) -> None:
        if self.last is not None:
            self._show(self.last)
        self._finish(self.tr("cancelled"))

    def _on_run_clicked(self) -> None:
        self.start()

    def _on_cancel_clicked(self) -> None:
        self.cancel()

    # -- showing ------------------------------------------------------------------------------

    def _show(self, report: Any) -> None:
        self.report = report
        rows = kernel_rows(report)
        fill_table(self.table, rows)
        self.table.resizeColumnsToContents()
        self.table.setCurrentItem(None)
        self.copy_btn.setEnabled(bool(rows))
        self.bars, self.peak_line = draw_kernel_bars(self.plot, report)

    # -- copying ------------------------------------------------------------------------------

    def table_text(self) -> str:
        """The table as tab-separated text, its header first."""
        lines = ["\t".join(KERNEL_HEADER)]
        lines += ["\t".join(row) for row in kernel_rows(self.report)]
        return "\n".join(lines) + "\n"

    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self.table_text())


def spin_box(lo: int, hi: int, what: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setSpecialValueText(translate("KernelsTab", "default"))  # 0: the device's default
    s.setValue(0)
    s.setMinimumWidth(80)
    s.setObjectName(what)
    return s


def draw_kernel_bars(plot: Any, report: Any) -> tuple[Any, Any]:
    """The achieved TFLOP/s of each kernel size as bars, the peak as a dashed line; returns
    (bars, peak line), None where not drawn."""
    plot.clear()
    plot.setTitle(None)
    bars, peak_line = None, None
    if report is None or not report.rows:
        plot.getAxis("bottom").setTicks([[], []])
        return None, None
    ks = [r.k for r in report.rows]
    y = np.array([r.tflops for r in report.rows], dtype=float)
    x = np.arange(len(ks), dtype=float)
    bars = pg.BarGraphItem(
        x=x,
        height=y,
        width=0.6,
        brushes=[kind_colour(f"conv {k}x{k}") for k in ks],
        pen=None,
    )
    plot.addItem(bars)
    top = float(y.max())
    peak = report.peak
    if peak is not None and peak.gflops > 0:
        tpeak = peak.gflops / 1e3
        top = max(top, tpeak)
        peak_line = pg.InfiniteLine(
            pos=tpeak, angle=0, pen=pg.mkPen(PEAK, width=2, style=Qt.PenStyle.DashLine)
        )
        plot.addItem(peak_line)
        # the line's label in the title: on the line it would cross the bars
        plot.setTitle(
            translate("KernelsTab", "dashed: {peak}").format(peak=peak_label(peak, "TFLOP/s")),
            color=PEAK,
            size="10pt",
        )
        for xi, r in zip(x, report.rows, strict=True):
            text = pg.TextItem(
                translate("KernelsTab", "{value} ({share} of peak)").format(
                    value=number(r.tflops), share=percent(r.tflops / tpeak)
                ),
                color="#333",
                anchor=(0.5, 1),
                fill=(255, 255, 255, 190),
            )
            text.setPos(xi, r.tflops)
            text.setZValue(20)
            plot.addItem(text)
    plot.getAxis("bottom").setTicks([[(i, f"{k}x{k}") for i, k in enumerate(ks)], []])
    plot.setXRange(-0.6, len(ks) - 0.4, padding=0)
    plot.setYRange(0, top * 1.15, padding=0)
    return bars, peak_line
