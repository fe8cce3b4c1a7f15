"""The Compare view's Density tab, standalone: what it draws is what the report says."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from explorer.studies.speed.density import kind_label, kind_rows, number
from explorer.studies.speed.rounds import KindRow, Peak, SpeedReport, SpeedResult, Timing
from explorer.ui.compare.density import EMPTY_TEXT, DensityTab, kind_colour

PEAK = Peak(1000, "fp32", Timing([0.010]))  # 200 GFLOP/s


def result(name: str, macs: int, seconds: float, label: str | None = None, kinds=()) -> SpeedResult:
    return SpeedResult(
        name, label or name, "test", False, 2, 224, macs, 1000, Timing([seconds]), list(kinds)
    )


def resnet_kinds() -> list[KindRow]:
    return [
        KindRow("conv 3x3", 16, 1_600_000_000, 0.030, 2),
        KindRow("norm", 20, 0, 0.004, 2),
        KindRow("conv 1x1", 3, 20_000_000, 0.002, 2),
    ]


def mobilenet_kinds() -> list[KindRow]:
    return [
        KindRow("conv 1x1", 34, 270_000_000, 0.010, 2),
        KindRow("depthwise 3x3", 17, 20_000_000, 0.004, 2),
        KindRow("act", 35, 0, 0.001, 2),
    ]


@pytest.fixture
def report() -> SpeedReport:
    results = [
        result("resnet18", 1_800_000_000, 0.045, kinds=resnet_kinds()),
        result("repvgg_a0", 1_500_000_000, 0.040),
        result("repvgg_a0", 1_360_000_000, 0.030, "repvgg_a0 (fused)"),
        result("mobilenet_v2", 300_000_000, 0.020, kinds=mobilenet_kinds()),
    ]
    return SpeedReport("cpu (fp32)", "fp32", 2, 3, 1, PEAK, results, complete=True)


@pytest.fixture
def tab(qtbot) -> DensityTab:
    t = DensityTab()
    qtbot.addWidget(t)
    t.resize(1200, 700)
    t.show()
    return t


def test_one_bar_per_network_and_the_peak_line(tab, report) -> None:
    tab.show_report(report)
    assert tab.stack.currentWidget() is tab.split
    chart = tab.models_plot
    want = [r.gflops for r in report.results]
    assert chart.names == [r.label for r in report.results]
    np.testing.assert_allclose(chart.bars.opts["width"], want)
    np.testing.assert_allclose(chart.bars.opts["y"], np.arange(4))
    np.testing.assert_allclose(chart.bars.opts["x0"], 0)
    ticks = chart.getAxis("left")._tickLevels[0]
    assert [t[1] for t in ticks] == chart.names
    assert chart.peak_line.value() == pytest.approx(report.peak.gflops) == pytest.approx(200)
    assert chart.peak_line.angle == 90
    assert chart.peak_line.label.toPlainText() == "peak 200 GFLOP/s (1000x1000 matmul)"
    # the value beside each bar, with its share of the peak
    fused = report.results[2]
    note = chart.texts[2].toPlainText()
    assert note.startswith(f"{number(fused.gflops)} GFLOP/s, ")
    assert f"{round(100 * fused.gflops / 200)} % of peak" in note
    # every bar and the peak line lie inside the view
    (x0, x1), _ = chart.getViewBox().viewRange()
    assert x0 <= 0 and x1 > max(want + [200])
    text = tab.caption.text()
    assert "Achieved GFLOP/s = 2 x MACs x images/s on <b>cpu (fp32)</b>" in text
    assert "peak measured in the same run" in text and "measuring" not in text


def test_partial_report_without_a_peak(tab, report) -> None:
    report.complete, report.peak = False, None
    report.results = report.results[:1]
    tab.show_report(report)
    assert tab.models_plot.peak_line is None and tab.kinds_plot.peak_line is None
    assert "of peak" not in tab.models_plot.texts[0].toPlainText()
    assert "measuring" in tab.caption.text()
    # the final report follows: the same object, filled in
    report.complete, report.peak = True, PEAK
    tab.show_report(report)
    assert tab.models_plot.peak_line.value() == pytest.approx(200)
    assert "measuring" not in tab.caption.text()


def test_layer_kinds_of_the_chosen_network(tab, report) -> None:
    tab.show_report(report)
    combo = tab.kind_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["resnet18", "mobilenet_v2"]
    assert combo.currentText() == "resnet18" and combo.isEnabled()
    assert tab.kinds_stack.currentWidget() is tab.kinds_plot
    chart = tab.kinds_plot
    shares = kind_rows(report.results[0])
    assert chart.names == [kind_label(s) for s in shares]
    assert chart.names[0] == f"conv 3x3 ({round(100 * 0.030 / 0.036)} % of time)"
    np.testing.assert_allclose(chart.bars.opts["width"], [s.gflops or 0.0 for s in shares])
    assert chart.texts[1].toPlainText() == "no MACs, 20 layers"
    assert chart.peak_line.value() == pytest.approx(200)
    colours = [b.color().name() for b in chart.bars._brushes]
    assert colours == [kind_colour(k.kind) for k in resnet_kinds()]
    conv1x1 = colours[2]

    combo.setCurrentIndex(1)  # the widget changes: the chart follows
    shares = kind_rows(report.results[3])
    assert chart.names == [kind_label(s) for s in shares]
    np.testing.assert_allclose(chart.bars.opts["width"], [s.gflops or 0.0 for s in shares])
    assert chart.bars._brushes[0].color().name() == conv1x1  # a kind keeps its colour
    # a new report keeps the network chosen
    tab.show_report(report)
    assert combo.currentText() == "mobilenet_v2"


def test_no_layer_kinds_says_where_to_tick_them(tab, report) -> None:
    for r in report.results:
        r.kinds = []
    tab.show_report(report)
    assert tab.kind_combo.count() == 0 and not tab.kind_combo.isEnabled()
    assert tab.kinds_stack.currentWidget() is tab.no_kinds
    assert "tick <b>layer kinds</b> in the Speed tab" in tab.no_kinds.text()
    assert tab.kinds_plot.bars is None
    assert tab.models_plot.bars is not None  # the networks are still drawn


def test_empty_states(tab, report) -> None:
    assert tab.stack.currentWidget() is tab.empty  # nothing measured yet
    assert tab.empty.text() == EMPTY_TEXT and tab.empty.isVisible()
    assert "Speed tab" in EMPTY_TEXT
    assert not tab.csv_btn.isEnabled() and not tab.png_btn.isEnabled()
    tab.show_report(report)
    assert tab.split.isVisible() and not tab.empty.isVisible() and tab.csv_btn.isEnabled()
    tab.show_report(None)
    assert tab.stack.currentWidget() is tab.empty and tab.models_plot.bars is None
    assert tab.kind_combo.count() == 0
    tab.show_report(SpeedReport("cpu (fp32)", "fp32", 2, 3, 1, PEAK, [], complete=True))
    assert tab.stack.currentWidget() is tab.empty


def test_failed_networks_are_named(tab, report) -> None:
    report.failed = [("inception_v4", "RuntimeError: out of memory")]
    tab.show_report(report)
    assert "not measured: inception_v4" in tab.caption.text()


def test_a_bar_clicked_chooses_its_network(qtbot, tab, report) -> None:
    tab.show_report(report)
    chosen: list[str] = []
    tab.modelChosen.connect(chosen.append)
    with qtbot.waitSignal(tab.modelChosen) as sig:
        tab.bar_clicked(2)
    assert sig.args == ["repvgg_a0"]  # the registry name, not the label "(fused)"
    tab.bar_clicked(4)
    tab.bar_clicked(-1)
    assert chosen == ["repvgg_a0"]


def test_a_mouse_click_on_a_bar(qtbot, tab, report) -> None:
    tab.show_report(report)
    qtbot.waitExposed(tab)
    chart = tab.models_plot
    chosen: list[str] = []
    tab.modelChosen.connect(chosen.append)

    def click(x: float, y: float) -> None:
        scene = chart.getViewBox().mapViewToScene(QPointF(x, y))
        qtbot.mouseClick(chart.viewport(), Qt.LeftButton, pos=chart.mapFromScene(scene))

    click(report.results[3].gflops / 2, 3)  # the middle of mobilenet_v2's bar
    assert chosen == ["mobilenet_v2"]
    click(report.results[0].gflops / 2, 0.1)
    assert chosen == ["mobilenet_v2", "resnet18"]


def test_export(tab, report, tmp_path: Path) -> None:
    tab.show_report(report)
    tab.export_csv(str(tmp_path / "d.csv"))
    with open(tmp_path / "d.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["label", "name", "gflops"]
    networks = [r for r in rows[1:] if r[5] == ""]
    assert [r[0] for r in networks] == [r.label for r in report.results]
    assert float(networks[3][2]) == pytest.approx(report.results[3].gflops)
    assert len(rows) == 1 + 4 + 3 + 3
    assert tab.export_png(str(tmp_path / "d.png"))
    assert (tmp_path / "d.png").stat().st_size > 0
