"""The Speed tab: images/s of chosen networks measured on this machine, in the background."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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
from explorer.models.registry import list_models
from explorer.present.chart import SPEED_HEADER, speed_table
from explorer.ui.i18n import number, translate
from explorer.ui.tables import fill_table, set_combo_items
from explorer.ui.workers import Throttle

#: measured by default: the networks of RepVGG's speed argument and two references
DEFAULT_MODELS = ("resnet50", "vgg16", "repvgg_a0", "efficientnet_b0")


class SpeedTab(QWidget):
    """Choose networks and settings, measure, see the table; the chart and density follow."""

    reportChanged = Signal(object)  # noqa: N815 - a partial or final SpeedReport
    busyChanged = Signal(bool)  # noqa: N815

    def __init__(
        self, jobs: JobRunner, parent: QWidget | None = None, devices: list[str] | None = None
    ):
        """``devices``: the device choices (default: :func:`available_devices`, which imports
        torch; see :meth:`set_devices`)."""
        super().__init__(parent)
        self.jobs = jobs
        self.report: Any = None
        self._running = False
        self._started = 0.0
        self._redraw = Throttle(2.0)
        self._latest: Any = None  # the newest partial report of the run
        self.said = ""  # the status line as plain text
        #: matrix size of the peak measurement (None: the device's default); tests shrink it
        self.peak_n: int | None = None
        #: what else is timing now (the view sets it), e.g. "the kernel-size experiment"
        self.blocked_by: Callable[[], str | None] = lambda: None

        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter networks..."))
        self.filter.setClearButtonEnabled(True)
        self.model_list = QListWidget()
        self.model_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for spec in list_models():
            it = QListWidgetItem(spec.name)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(
                Qt.CheckState.Checked if spec.name in DEFAULT_MODELS else Qt.CheckState.Unchecked
            )
            it.setToolTip(
                self.tr("{family} ({year}), input {size}").format(
                    family=spec.family, year=spec.year, size=spec.input_size
                )
            )
            self.model_list.addItem(it)
        self.filter.textChanged.connect(self._on_filter)
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addWidget(QLabel(self.tr("Networks to measure")))
        lbox.addWidget(self.filter)
        lbox.addWidget(self.model_list, 1)

        self.device_combo = QComboBox()
        if devices is None:
            from explorer.runtime.inference import available_devices

            devices = available_devices()
        self.device_combo.addItems(devices)
        self.precision_combo = QComboBox()
        self.precision_combo.addItems(["fp32", "bf16", "fp16"])
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(0, 4096)
        self.batch_spin.setSpecialValueText(self.tr("default"))
        self.batch_spin.setToolTip(
            self.tr("Images per pass; default: 64 on a CUDA GPU, 8 elsewhere")
        )
        self.res_spin = QSpinBox()
        self.res_spin.setRange(0, 1024)
        self.res_spin.setSpecialValueText(self.tr("own"))
        self.res_spin.setToolTip(
            self.tr("Input height = width; 'own': each network's own input size")
        )
        self.repeats_spin = QSpinBox()
        self.repeats_spin.setRange(1, 1000)
        self.repeats_spin.setValue(10)
        self.warmup_spin = QSpinBox()
        self.warmup_spin.setRange(0, 100)
        self.warmup_spin.setValue(3)
        self.fused_check = QCheckBox(self.tr("also fused (RepVGG)"))
        self.fused_check.setChecked(True)
        self.fused_check.setToolTip(self.tr("Also measure the deploy form of RepVGG networks"))
        self.kinds_check = QCheckBox(self.tr("layer kinds"))
        self.kinds_check.setChecked(True)
        self.kinds_check.setToolTip(
            self.tr("Also time each layer kind (an instrumented pass; see the Density tab)")
        )
        grid = QGridLayout()
        for i, (label, w) in enumerate(
            [
                (self.tr("device"), self.device_combo),
                (self.tr("precision"), self.precision_combo),
                (self.tr("batch"), self.batch_spin),
                (self.tr("resolution"), self.res_spin),
                (self.tr("rounds"), self.repeats_spin),
                (self.tr("warm-up"), self.warmup_spin),
            ]
        ):
            grid.addWidget(QLabel(label), i // 3, 2 * (i % 3))
            grid.addWidget(w, i // 3, 2 * (i % 3) + 1)
        self.measure_btn = QPushButton(self.tr("Measure"))
        self.measure_btn.setToolTip(
            self.tr(
                "Build the checked networks, warm them up and time them in interleaved rounds, "
                "with a large matrix product for the device's peak"
            )
        )
        self.measure_btn.clicked.connect(self.start)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel)
        self.copy_btn = QPushButton(self.tr("Copy table"))
        self.copy_btn.clicked.connect(self.copy_table)
        row = QHBoxLayout()
        row.addWidget(self.fused_check)
        row.addWidget(self.kinds_check)
        row.addStretch(1)
        row.addWidget(self.measure_btn)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_btn)
        row.addWidget(self.copy_btn)
        self.progress.hide()
        self.cancel_btn.hide()
        self.status = QLabel(
            self.tr(
                "Check networks and press Measure. Other work in the window slows a measurement."
            )
        )
        self.status.setWordWrap(True)
        self.peak_label = QLabel("")

        self.table = QTableWidget(0, len(SPEED_HEADER))
        self.table.setHorizontalHeaderLabels(list(SPEED_HEADER))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        rbox.addLayout(grid)
        rbox.addLayout(row)
        rbox.addWidget(self.status)
        rbox.addWidget(self.peak_label)
        rbox.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([220, 800])
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(split)

    def set_devices(self, devices: list[str]) -> None:
        """Offer ``devices``, keeping the current choice where it is among them."""
        set_combo_items(self.device_combo, devices)

    # -- choosing -----------------------------------------------------------------------------

    def checked(self) -> list[str]:
        out = []
        for i in range(self.model_list.count()):
            it = self.model_list.item(i)
            if it.checkState() == Qt.CheckState.Checked:
                out.append(it.text())
        return out

    def set_checked(self, names: list[str]) -> None:
        for i in range(self.model_list.count()):
            it = self.model_list.item(i)
            it.setCheckState(
                Qt.CheckState.Checked if it.text() in names else Qt.CheckState.Unchecked
            )

    def _on_filter(self, text: str) -> None:
        t = text.strip().lower()
        for i in range(self.model_list.count()):
            it = self.model_list.item(i)
            it.setHidden(bool(t) and t not in it.text().lower())

    # -- running ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._running

    def start(self) -> bool:
        """Measure the checked networks in the background; False (and a message) if nothing is
        checked or a measurement is already running."""
        names = self.checked()
        if self.busy:
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
        if not names:
            self._say(self.tr("Check at least one network to measure."), error=True)
            return False
        opts = dict(
            device=self.device_combo.currentText(),
            batch=self.batch_spin.value() or None,
            resolution=self.res_spin.value() or None,
            repeats=self.repeats_spin.value(),
            warmup=self.warmup_spin.value(),
            precision=self.precision_combo.currentText(),
            fuse=self.fused_check.isChecked(),
            kinds=self.kinds_check.isChecked(),
            peak_n=self.peak_n,
        )
        self._redraw.reset()
        self._latest = None
        self.show_report(None)  # the previous run's figures go: they are not this run's
        self._started = time.perf_counter()

        def measurement() -> Any:  # called on the worker thread, which imports torch
            from explorer.studies.speed.rounds import measure_speed

            return measure_speed(names, **opts)

        self._set_busy(True)
        self.jobs.start(
            "speed",
            measurement,
            label=self.tr("measuring speed"),
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_error=self._on_error,
            on_cancelled=self._on_cancelled,
        )
        self._say(self.tr("Measuring networks: {n}...").format(n=len(names)))
        return True

    def cancel(self) -> None:
        if self.jobs.request_cancel("speed"):
            self._say(self.tr("Cancelling after the current run..."))

    def _set_busy(self, busy: bool) -> None:
        self.measure_btn.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.cancel_btn.setVisible(busy)
        self.progress.setValue(0)
        self._running = busy
        self.busyChanged.emit(busy)

    def _say(self, text: str, error: bool = False) -> None:
        self.said = text
        self.status.setText(f"<span style='color:#b00'>{text}</span>" if error else text)

    def _on_progress(self, p: Progress) -> None:
        frac, msg, report = p.fraction or 0.0, p.message, p.partial
        self.progress.setValue(int(100 * frac))
        self.progress.setFormat(f"%p%  {msg}")
        self._say(msg)
        if report is not None and report.results:
            self._latest = report  # a snapshot: later rounds do not change it
            # drawing takes CPU from the timing: the views follow seldom while it runs
            if self._redraw.ready():
                self.show_report(report)

    def _on_done(self, report: object) -> None:
        self._set_busy(False)
        self.show_report(report)
        took = time.perf_counter() - self._started
        failed = "; ".join(f"{n}: {e}" for n, e in report.failed)  # type: ignore[attr-defined]
        text = self.tr("Done in {seconds} s on {device}.").format(
            seconds=number(took, 1),
            device=report.device,  # type: ignore[attr-defined]
        )
        not_measured = self.tr(" Not measured: {failed}").format(failed=failed)
        self._say(text + (not_measured if failed else ""), error=bool(failed))

    def _on_error(self, exc: BaseException) -> None:
        message = one_line(exc)
        self._set_busy(False)
        self._show_stopped("failed")
        self._say(message, error=True)

    def _on_cancelled(self) -> None:
        self._set_busy(False)
        self._show_stopped("cancelled")
        self._say(
            self.tr("Cancelled; the rows show the rounds measured before.")
            if self._latest is not None
            else self.tr("Cancelled before the first round.")
        )

    def _show_stopped(self, how: str) -> None:
        """A run that ended early: its last figures, marked as such, in every view."""
        if self._latest is not None:
            self._latest.stopped = how
            self.show_report(self._latest)

    # -- showing ------------------------------------------------------------------------------

    def show_report(self, report: Any) -> None:
        """Show a SpeedReport (a snapshot) in the table; the chart and Density follow. None
        clears them."""
        self.report = report
        fill_table(self.table, speed_table(report) if report is not None else [])
        self.peak_label.setText(peak_text(report))
        self.reportChanged.emit(report)

    def table_text(self) -> str:
        lines = ["\t".join(SPEED_HEADER)]
        if self.report is not None:
            lines += ["\t".join(r) for r in speed_table(self.report)]
        return "\n".join(lines)

    def copy_table(self) -> None:
        QGuiApplication.clipboard().setText(self.table_text())


def peak_text(report: Any) -> str:
    """The line under the table: the device's peak and how it was measured ("" without one)."""
    peak = report.peak if report is not None else None
    if peak is None:
        return ""
    return translate(
        "SpeedTab",
        "Peak of {device}: {gflops} GFLOP/s ({n}x{n} matrix product, {dtype}, spread "
        "{spread} %); batch {batch}, median of {rounds} rounds",
    ).format(
        device=report.device,
        gflops=number(peak.gflops, 1),
        n=peak.n,
        dtype=peak.dtype,
        spread=number(100 * peak.timing.spread, 0),
        batch=report.batch,
        rounds=len(peak.timing.seconds),
    )
