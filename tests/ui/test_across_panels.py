"""The side-by-side panels: predictions in a column per network, one std plot with a curve per
network and its legend, SE gates of the SE networks; what they show is checked against the
Qt-free data (explorer.present.across) of the same results."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from explorer.app.workflows import drive
from explorer.app.workflows.across import run_across
from explorer.app.workflows.run import load_model
from explorer.present.across import std_curves
from explorer.runtime.images import load_sample
from explorer.ui.side_by_side.panels import AcrossPanels, colour

NETS = ("resnet20", "plain20", "se_resnet20")


@pytest.fixture(scope="module")
def nets():
    return [drive(load_model(n)) for n in NETS]


@pytest.fixture(scope="module")
def results(nets):
    return drive(run_across(nets, load_sample("digits-3"), "cpu"))


@pytest.fixture
def panels(qtbot):
    w = AcrossPanels()
    qtbot.addWidget(w)
    w.resize(1280, 250)
    w.show()
    return w


def _curves(w: AcrossPanels) -> list[pg.PlotDataItem]:
    return [c for c in w.plot.listDataItems() if isinstance(c, pg.PlotDataItem) and c.name()]


def test_one_curve_per_network_with_a_legend(panels, results) -> None:
    panels.show_results(results)
    assert panels.curve_names() == list(NETS)
    assert panels.curve_lengths() == {n: 19 for n in NETS}
    curves = _curves(panels)
    pens = [c.opts["pen"].color().name() for c in curves]
    assert pens == [colour(i) for i in range(3)] and len(set(pens)) == 3
    want, _missing = std_curves(results)
    for c, data in zip(curves, want, strict=True):
        x, y = c.getData()
        np.testing.assert_array_equal(x, data.x)
        np.testing.assert_allclose(y, data.values)
    legend = panels.legend.text
    for i, name in enumerate(NETS):
        assert f"{name} (19, bundled)" in legend
        assert colour(i) in legend
    assert panels.plot.getAxis("bottom").labelText == "layer index, in order of depth"
    assert "digits-3 through resnet20, plain20, se_resnet20" in panels.status.text()


def test_predictions_side_by_side(panels, results) -> None:
    panels.show_results(results)
    assert panels.column_names() == list(NETS)
    for c, r in enumerate(results):
        col = panels.column(c)
        assert len(col) == 5
        top = r.result.top[0]
        for text, t in zip(col, top, strict=True):
            assert text.endswith(f"  {t.label}")
            assert f"{t.prob:.2%}" in text
        head = panels.table.horizontalHeaderItem(c)
        assert head.text() == f"{r.name}\nbundled"
        assert head.foreground().color().name() == colour(c)
    assert panels.warnings.isHidden()


def test_sorted_and_log_toggles(panels, results) -> None:
    panels.show_results(results)
    panels.sorted_box.setChecked(True)
    for c in _curves(panels):
        _x, y = c.getData()
        assert np.all(np.diff(y) <= 0)
    assert panels.plot.getAxis("bottom").labelText == "rank, sorted by magnitude"
    assert panels.curve_names() == list(NETS)
    panels.log_box.setChecked(True)
    assert panels.plot.ctrl.logYCheck.isChecked()
    # a short log axis labels 1, 2 and 5 of each decade only; the other ticks go unlabelled
    axis = panels.plot.getAxis("left")
    levels = axis.tickValues(np.log10(0.6), np.log10(12), 150)
    labelled = sorted(round(10**v, 6) for v in levels[0][1])
    assert labelled == [1, 2, 5, 10]
    unlabelled = {round(10**v, 6) for v in levels[1][1]}
    assert {0.7, 3, 4, 9} <= unlabelled and not unlabelled & {1, 2, 5, 10}
    assert axis.style["maxTextLevel"] == 0
    panels.sorted_box.setChecked(False)
    assert panels.plot.getAxis("bottom").labelText == "layer index, in order of depth"


def test_another_level(panels, results) -> None:
    panels.show_results(results)
    panels.level_combo.setCurrentIndex(0)  # every layer
    assert panels.level == "layers"
    want, _ = std_curves(results, "layers")
    assert panels.curve_lengths() == {c.name: len(c.values) for c in want}
    assert all(n > 19 for n in panels.curve_lengths().values())
    assert "every layer" in panels.status.text()


def test_se_gates_of_the_se_network_only(panels, results) -> None:
    panels.show_results(results)
    assert len(panels.heat_plots) == 1
    assert "se_resnet20" in panels.heat_plots[0].titleLabel.text
    assert panels.se_label.text().startswith(
        "SE gates: se_resnet20. No SE blocks: resnet20, plain20."
    )
    img = [i for i in panels.heat_plots[0].items if isinstance(i, pg.ImageItem)][0]
    assert img.image.shape[:2] == (9, 64)


def test_a_network_without_se_blocks_hides_the_heat_maps(panels, results) -> None:
    panels.show_results(results[:2])
    assert panels.heat_plots == []
    assert panels.se_canvas.isHidden()
    assert panels.se_label.text() == "No SE blocks: resnet20, plain20."


def test_a_failed_network_is_said_in_its_column(panels, results, nets, tmp_path) -> None:
    failed = drive(
        run_across(
            nets[:2], load_sample("digits-3"), "cpu", weights=["auto", str(tmp_path / "x.pt")]
        )
    )
    assert failed[1].error
    panels.show_results(failed)
    assert panels.column_names() == ["resnet20", "plain20"]
    assert panels.column(1) == [f"failed: {failed[1].error}"]
    assert panels.curve_names() == ["resnet20"]
    assert "failed: plain20" in panels.status.text()
    assert "plain20:" in panels.legend.text  # why it has no curve


def test_busy_line_cancel_and_clear(qtbot, panels, results) -> None:
    from explorer.app.jobs import Progress

    panels.show_progress(Progress(0.5, "plain20: forward pass", results[:1]))
    assert panels.progress.isVisible() and panels.cancel_btn.isVisible()
    assert panels.progress.value() == 500
    assert "plain20: forward pass" in panels.status.text()
    assert panels.curve_names() == ["resnet20"]  # the networks done so far
    with qtbot.waitSignal(panels.cancelRequested, timeout=1000):
        qtbot.mouseClick(panels.cancel_btn, Qt.MouseButton.LeftButton)
    panels.show_results(results)
    assert not panels.progress.isVisible() and not panels.cancel_btn.isVisible()
    panels.clear("another image")
    assert panels.curve_names() == [] and panels.column_names() == []
    assert panels.heat_plots == [] and "another image" in panels.status.text()


def test_a_point_selects_its_block_in_its_pane(qtbot, panels, results) -> None:
    panels.show_results(results)
    scatters = [i for i in panels.plot.items if isinstance(i, pg.ScatterPlotItem)]
    assert len(scatters) == 3
    pt = scatters[1].points()[0]
    with qtbot.waitSignal(panels.blockChosen, timeout=1000) as sig:
        scatters[1].sigClicked.emit(scatters[1], [pt], None)
    assert sig.args == [1, pt.data()[1]]
    assert sig.args[1] in results[1].result.probes.block_ids


def test_runs_on_a_worker_as_the_view_will(qtbot, jobs, panels, nets) -> None:
    """Started in the job runner with the panels as its outlets: progress, then results."""
    seen: list[float] = []

    def on_progress(p) -> None:
        seen.append(p.fraction)
        panels.show_progress(p)

    jobs.start(
        "across",
        lambda: run_across(nets, load_sample("digits-7"), "cpu"),
        on_progress=on_progress,
        on_done=panels.show_results,
    )
    qtbot.waitUntil(
        lambda: not jobs.busy("across") and panels.curve_names() == list(NETS), timeout=60_000
    )
    assert seen and not panels.progress.isVisible()
    assert [panels.column(c)[0].endswith("  7") for c in range(3)] == [True] * 3


def test_readable_in_a_bottom_dock_at_1280x720(qtbot, results) -> None:
    """About 250 px high: five ranks shown whole, a plot with room for its curves."""
    win = QMainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.setCentralWidget(QLabel("panes"))
    dock = QDockWidget("Across panes", win)
    w = AcrossPanels()
    dock.setWidget(w)
    win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    win.resizeDocks([dock], [250], Qt.Orientation.Vertical)
    win.show()
    w.show_results(results)
    qtbot.waitUntil(lambda: w.height() > 200)
    t = w.table
    last = t.rowViewportPosition(4) + t.rowHeight(4)
    assert 0 <= t.rowViewportPosition(0) and last <= t.viewport().height()
    for c in range(3):
        assert t.columnWidth(c) >= 110
    vb = w.plot.getViewBox().sceneBoundingRect()
    assert vb.width() >= 200 and vb.height() >= 90
    legend = w.legend.sceneBoundingRect()
    assert legend.right() <= w.std_canvas.width() + 1
    heat = w.heat_plots[0].getViewBox().sceneBoundingRect()
    assert heat.width() >= 120 and heat.height() >= 60
