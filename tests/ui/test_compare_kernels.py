"""The Compare view's Kernels tab, standalone: real tiny runs on the CPU, errors, Cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import explorer.ui.compare.kernels_tab as kernels_tab
from explorer.app.jobs import Job, Progress
from explorer.runtime.inference import available_devices
from explorer.studies.speed.density import KERNEL_HEADER, kernel_rows
from explorer.studies.speed.kernels import DEFAULTS, KernelReport, kernel_experiment
from explorer.ui.compare.kernels_tab import KernelsTab

TIMEOUT = 60_000


@pytest.fixture
def tab(qtbot, jobs):
    t = KernelsTab(jobs)
    qtbot.addWidget(t)
    t.resize(1200, 700)
    t.show()
    # tiny: a run takes milliseconds
    t.device_combo.setCurrentText("cpu")
    t.channels_spin.setValue(8)
    t.size_spin.setValue(8)
    t.kernels_edit.setText("1,3")
    t.repeats_spin.setValue(2)
    t.peak_n = 64
    yield t
    t.wait_all()
    assert jobs.wait(TIMEOUT / 1000) and not jobs.busy()


@pytest.fixture
def held(monkeypatch):
    """The experiment, held after its first yield until the run is cancelled."""
    release = threading.Event()
    cancel = Job.cancel

    def cancel_and_release(job: Job) -> None:
        cancel(job)
        release.set()

    def experiment(**kw):
        inner = kernel_experiment(**kw)
        yield next(inner)
        release.wait(TIMEOUT / 1000)
        return (yield from inner)

    monkeypatch.setattr(Job, "cancel", cancel_and_release)
    monkeypatch.setattr(kernels_tab, "kernel_experiment", experiment)
    return release


def run(qtbot, tab) -> KernelReport:
    with qtbot.waitSignal(tab.reportReady, timeout=TIMEOUT) as sig:
        assert tab.start()
        assert tab.busy and tab.cancel_btn.isVisible() and tab.progress.isVisible()
        assert not tab.run_btn.isEnabled()
    return sig.args[0]


def cells(tab) -> list[list[str]]:
    t = tab.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_controls(qtbot, jobs) -> None:
    tab = KernelsTab(jobs)  # as a user first sees it
    qtbot.addWidget(tab)
    combo = tab.device_combo
    assert [combo.itemText(i) for i in range(combo.count())] == available_devices()
    assert [tab.precision_combo.itemText(i) for i in range(3)] == ["fp32", "bf16", "fp16"]
    assert tab.repeats_spin.value() == 7 and tab.kernels_edit.text() == "1,3,5,7"
    for spin in (tab.batch_spin, tab.channels_spin, tab.size_spin):
        assert spin.value() == 0 and spin.text() == "default"
    combo.setCurrentText("cpu")
    batch, channels, size = DEFAULTS["cpu"]
    assert tab.batch_spin.toolTip().endswith(f"default on cpu: {batch}")
    assert tab.channels_spin.toolTip().endswith(f"default on cpu: {channels}")
    assert tab.size_spin.toolTip().endswith(f"default on cpu: {size}")
    assert not tab.busy and tab.cancel_btn.isHidden() and tab.progress.isHidden()
    assert tab.status.text().startswith("Press Run") and tab.table.rowCount() == 0


def test_a_real_run_fills_the_table_and_the_chart(qtbot, tab) -> None:
    rep = run(qtbot, tab)
    assert rep.complete and [r.k for r in rep.rows] == [1, 3]
    assert (rep.batch, rep.channels, rep.size, rep.repeats) == (1, 8, 8, 2)  # batch: default
    assert rep.peak is not None and rep.peak.n == 64
    assert not tab.busy and not tab.cancel_btn.isVisible() and tab.run_btn.isEnabled()
    assert tab.last is rep and tab.report is rep
    assert [tab.table.horizontalHeaderItem(c).text() for c in range(6)] == list(KERNEL_HEADER)
    assert cells(tab) == [list(r) for r in kernel_rows(rep)]
    assert [c[0] for c in cells(tab)] == ["1x1", "3x3"]
    status = tab.status.text()
    assert status.startswith("done in ") and " s on cpu (fp32): batch 1, 8 channels" in status
    # the chart: one bar per kernel size at its TFLOP/s, the peak as a dashed line
    np.testing.assert_allclose(tab.bars.opts["height"], [r.tflops for r in rep.rows])
    np.testing.assert_allclose(tab.bars.opts["x"], [0, 1])
    assert tab.peak_line.value() == pytest.approx(rep.peak.gflops / 1e3)
    assert tab.peak_line.angle == 0
    assert "64x64 matmul" in tab.plot.getPlotItem().titleLabel.text
    ticks = tab.plot.getAxis("bottom")._tickLevels[0]
    assert [t[1] for t in ticks] == ["1x1", "3x3"]
    # copy the table
    assert tab.copy_btn.isEnabled()
    qtbot.mouseClick(tab.copy_btn, Qt.LeftButton)
    text = QApplication.clipboard().text()
    assert text == tab.table_text()
    lines = text.splitlines()
    assert lines[0].split("\t") == list(KERNEL_HEADER) and len(lines) == 3
    assert lines[2].split("\t") == cells(tab)[1]


def test_run_button_and_progress(qtbot, tab) -> None:
    seen: list[int] = []
    tab.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(tab.reportReady, timeout=TIMEOUT):
        qtbot.mouseClick(tab.run_btn, Qt.LeftButton)
    assert seen and seen[-1] == 100 and seen == sorted(seen)


@pytest.mark.parametrize(
    ("kernels", "says"), [("2", "2 is not odd"), ("a", "'a' is not a whole number"), ("", "at")]
)
def test_bad_kernel_sizes_start_nothing(tab, kernels: str, says: str) -> None:
    tab.kernels_edit.setText(kernels)
    assert not tab.start()
    assert says in tab.status.text() and "\n" not in tab.status.text()
    assert "color" in tab.status.styleSheet()
    assert not tab.busy and not tab.jobs.busy() and not tab.cancel_btn.isVisible()


def test_half_precision_on_the_cpu_is_refused_with_the_cores_words(tab) -> None:
    tab.precision_combo.setCurrentText("bf16")
    assert not tab.start()
    assert tab.status.text() == "bf16 autocast runs on a GPU only; use fp32 on the CPU"
    assert not tab.busy and not tab.jobs.busy()


def test_an_error_is_one_red_line_and_the_results_stay(qtbot, tab, monkeypatch) -> None:
    first = run(qtbot, tab)
    shown = cells(tab)

    def failing(**kw):
        inner = kernel_experiment(**kw)
        yield next(inner)
        raise RuntimeError("CUDA out of memory\nTried to allocate 2 GiB")

    monkeypatch.setattr(kernels_tab, "kernel_experiment", failing)
    ready: list[object] = []
    tab.reportReady.connect(ready.append)
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT)
    assert tab.status.text() == "RuntimeError: CUDA out of memory"
    assert "color" in tab.status.styleSheet()
    assert cells(tab) == shown and tab.report is first and ready == []
    # the next good run clears the red
    monkeypatch.setattr(kernels_tab, "kernel_experiment", kernel_experiment)
    run(qtbot, tab)
    assert tab.status.styleSheet() == ""


def test_a_result_from_an_older_run_is_dropped(qtbot, tab, monkeypatch) -> None:
    first = run(qtbot, tab)
    shown = cells(tab)
    stale = KernelReport("cpu (fp32)", "fp32", 1, 8, 8, 2, [], complete=True)
    gate = threading.Event()

    def old(**_kw):
        gate.wait(TIMEOUT / 1000)
        yield Progress(0.5, "old", stale)
        return stale

    monkeypatch.setattr(kernels_tab, "kernel_experiment", old)
    ready: list[object] = []
    tab.reportReady.connect(ready.append)
    assert tab.start()
    gate.set()
    # the old run ends: its progress and result wait in the UI thread's queue ...
    assert tab.jobs.wait(TIMEOUT / 1000)
    tab.wait_all()  # ... when the tab moves on (the run is cancelled): they are dropped
    QApplication.processEvents()
    assert cells(tab) == shown and tab.last is first and ready == []
    assert tab.status.text() == "cancelled" and "old" not in tab.status.text()
    # the next run's result shows
    monkeypatch.setattr(kernels_tab, "kernel_experiment", kernel_experiment)
    rep = run(qtbot, tab)
    assert tab.last is rep is not first and tab.status.text().startswith("done in ")


def test_cancel_mid_run(qtbot, tab, held) -> None:
    ready: list[object] = []
    tab.reportReady.connect(ready.append)
    assert tab.start()
    qtbot.waitUntil(lambda: tab.progress.value() > 0, timeout=TIMEOUT)  # mid-run
    assert tab.cancel_btn.isVisible() and tab.cancel_btn.isEnabled()
    qtbot.mouseClick(tab.cancel_btn, Qt.LeftButton)
    assert held.is_set()
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT)
    assert tab.status.text() == "cancelled" and ready == []
    assert not tab.cancel_btn.isVisible() and not tab.progress.isVisible()
    assert tab.run_btn.isEnabled() and tab.kernels_edit.isEnabled()
    qtbot.waitUntil(lambda: tab.jobs.wait(0), timeout=TIMEOUT)  # its thread has ended


def test_wait_all_leaves_no_thread_running(qtbot, tab, held, monkeypatch) -> None:
    started: list[Job] = []
    start = tab.jobs.start

    def start_and_keep(*a, **kw):
        started.append(start(*a, **kw))
        return started[-1]

    monkeypatch.setattr(tab.jobs, "start", start_and_keep)
    assert tab.start()
    qtbot.waitUntil(lambda: tab.progress.value() > 0, timeout=TIMEOUT)
    (job,) = started
    assert job.alive
    tab.wait_all()
    assert not job.alive and not tab.busy
    assert tab.status.text() == "cancelled"
    assert tab.jobs.wait(0) and not tab.jobs.busy()
    tab.wait_all()  # nothing running: nothing to do
    assert not tab.busy
