"""The Compare view: the ball chart, the Speed tab and their place in the window."""

from __future__ import annotations

import math

import pytest

from explorer.models.published import chart_data
from explorer.present.chart import pick_recipe


@pytest.fixture(scope="module")
def published():
    return chart_data()


def shown(found, recipe="original"):
    """The figures the chart shows in ``recipe``: one per network."""
    return pick_recipe(found, recipe)


@pytest.fixture
def chart(qtbot, published, jobs):
    from explorer.ui.compare.chart import ChartTab

    tab = ChartTab(jobs)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    tab.set_figures(*published)
    return tab  # the jobs fixture closes the runner: every thread waited for


def _spots(tab):
    return [(s.pos().x(), s.pos().y(), s.data()) for s in tab.scatter.points()]


def test_chart_draws_one_ball_per_network_at_its_published_figures(chart, published):
    found, missing = published
    spots = _spots(chart)
    assert chart.recipe == "original"  # the lecture's chart: each network's original recipe
    assert len(spots) == len({f.name for f in found}) == len(shown(found))
    by_name = {d.name: (x, y) for x, y, d in spots}
    for f in shown(found):
        x, y = by_name[f.name]
        assert x == pytest.approx(math.log10(f.gmacs))  # log x is on by default
        assert y == pytest.approx(f.top1)
    assert chart.missing_list.count() == len(missing)
    assert {chart.missing_list.item(i).text().split(":")[0] for i in range(len(missing))} == {
        m.name for m in missing
    }


def test_ball_area_follows_parameters(chart):
    spots = list(chart.scatter.points())
    big = max(spots, key=lambda s: s.data().params)
    for s in spots:
        if s.size() > 8:  # above the minimum size the area is proportional to parameters
            assert (s.size() / big.size()) ** 2 == pytest.approx(
                s.data().params / big.data().params, rel=1e-6
            )


def test_toggles_top5_and_linear_axes(chart, published):
    chart.logx.setChecked(False)
    chart.y_combo.setCurrentIndex(chart.y_combo.findData("top5"))
    found, _ = published
    by_name = {d.name: (x, y) for x, y, d in _spots(chart)}
    for f in shown(found):
        assert by_name[f.name] == pytest.approx((f.gmacs, f.top5))
    chart.x_combo.setCurrentIndex(chart.x_combo.findData("params"))
    by_name = {d.name: (x, y) for x, y, d in _spots(chart)}
    assert by_name["resnet50"][0] == pytest.approx(25.557032)
    chart.logy.setChecked(True)
    assert {d.name: y for _, y, d in _spots(chart)}["resnet50"] == pytest.approx(math.log10(92.862))
    chart.set_recipe("best")  # torchvision's IMAGENET1K_V2
    assert {d.name: y for _, y, d in _spots(chart)}["resnet50"] == pytest.approx(math.log10(95.434))


def test_tooltip_names_the_source_and_a_click_opens_the_model(chart, qtbot):
    spot = next(s for s in chart.scatter.points() if s.data().name == "repvgg_b0")
    tip = chart._tip(0, 0, spot.data())
    assert "timm results-imagenet.csv" in tip and "75.14" in tip
    with qtbot.waitSignal(chart.modelChosen) as sig:
        chart._on_clicked(chart.scatter, [spot], None)
    assert sig.args == ["repvgg_b0"]


def test_labels_do_not_overlap(chart):
    shown = [t for t in chart._texts if t.isVisible()]
    assert len(shown) > len(chart._texts) // 2
    rects = [t.sceneBoundingRect() for t in shown]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.adjusted(2, 2, -2, -2).intersects(b.adjusted(2, 2, -2, -2))


def test_speed_axis_shows_only_measured_networks(chart):
    from explorer.studies.speed.rounds import Peak, SpeedReport, SpeedResult, Timing

    def result(name, label, fused, t):
        return SpeedResult(name, label, "X", fused, 8, 224, 10**9, 10**6, Timing([t, t, t]))

    rep = SpeedReport("cpu (fp32)", "fp32", 8, 3, 1, Peak(256, "fp32", Timing([0.01])))
    rep.results = [
        result("resnet50", "resnet50", False, 0.5),
        result("repvgg_b0", "repvgg_b0", False, 0.4),
        result("repvgg_b0", "repvgg_b0 (fused)", True, 0.2),
    ]
    chart.set_speed(rep)
    chart.logx.setChecked(False)
    chart.x_combo.setCurrentIndex(chart.x_combo.findData("speed"))
    spots = {d.label: (x, y) for x, y, d in _spots(chart)}
    assert spots == {
        "resnet50": pytest.approx((16.0, 76.13)),  # the original recipe's top-1
        "repvgg_b0": pytest.approx((20.0, 75.142)),
        "repvgg_b0 (fused)": pytest.approx((40.0, 75.142)),
    }
    assert "38 networks with published figures not measured" in chart.left_label.text()


def test_recipe_toggle_shows_the_best_weights_with_arrows_from_the_original(chart, published):
    found, _ = published
    assert "Recipe: each network's original" in chart.note.text()
    assert chart.arrows == [] and chart.ghosts.points().size == 0
    assert chart.arrow_lines.getData()[0] is None or len(chart.arrow_lines.getData()[0]) == 0
    chart.recipe_combo.setCurrentIndex(chart.recipe_combo.findData("best"))  # the widget ...
    assert chart.recipe == "best"  # ... and the chart follows
    assert "Recipe: the best available weights" in chart.note.text()
    by_name = {d.name: (x, y, d) for x, y, d in _spots(chart)}
    for f in shown(found, "best"):
        assert by_name[f.name][:2] == pytest.approx((math.log10(f.gmacs), f.top1))
        assert by_name[f.name][2].weights == f.weights
    # a faint ring at each improved network's original figures, an arrow from it
    originals = {f.name: f for f in shown(found, "original")}
    ghosts = {s.data().name: s for s in chart.ghosts.points()}
    assert set(ghosts) == {a.start.name for a in chart.arrows}
    assert {"resnet50", "resnet152", "seresnet50", "mobilenet_v3_large"} <= set(ghosts)
    for name, s in ghosts.items():
        f = originals[name]
        assert (s.pos().x(), s.pos().y()) == pytest.approx((math.log10(f.gmacs), f.top1))
        assert s.data().recipe == "original"
    xs, ys = chart.arrow_lines.getData()
    drawn = [h for h in chart._heads if h.isVisible()]
    assert len(xs) == 2 * len(drawn) and len(drawn) >= len(chart.arrows) // 2
    # an arrow points up from resnet50's original ball (76.13) to its improved one (80.86)
    (a,) = [a for a in chart.arrows if a.start.name == "resnet50"]
    i = [a for a in chart.arrows if chart._heads[chart.arrows.index(a)].isVisible()].index(a)
    assert xs[2 * i] == pytest.approx(xs[2 * i + 1]) == pytest.approx(math.log10(4.089))
    assert 76.13 < ys[2 * i] < ys[2 * i + 1] < 80.858
    # improved balls have the dark outline, the others their family's
    for s in chart.scatter.points():
        dark = s.pen().color().getRgb()[:3] == (25, 25, 25)
        assert dark == (s.data().recipe == "improved"), s.data().name
    chart.set_recipe("original")
    assert chart.ghosts.points().size == 0 and not chart._heads


def test_every_ball_says_its_recipe_and_resolution(chart):
    for s in chart.scatter.points():
        p = s.data()
        assert f"{p.recipe} recipe" in chart._tip(0, 0, p) and f"{p.resolution} px" in p.tooltip
    texts = {p.name: t.toPlainText() for p, t in zip(chart.points, chart._texts, strict=True)}
    assert texts["inception_v4"] == "inception_v4 299px" and texts["resnet50"] == "resnet50"


def test_labels_sit_by_their_own_ball_or_have_a_leader(chart):
    """The issue: 'inception_v4' sat on Xception's ball. Each shown name is beside its own
    ball (nearer to it than to any other) or joined to it by a leader line."""
    vb = chart.plot.getPlotItem().getViewBox()
    balls = [chart._ball(p) for p in chart.points]
    leaders = 0
    for i, (t, spot) in enumerate(zip(chart._texts, chart.label_spots, strict=True)):
        if spot is None:
            assert not t.isVisible()
            continue
        rect = t.mapRectToScene(t.boundingRect())
        c = vb.mapViewToScene(t.pos())
        assert (c.x(), c.y()) == pytest.approx((spot.x, spot.y), abs=1.0)

        def gap(ball, rect=rect):
            nx = min(max(ball[0], rect.left()), rect.right())
            ny = min(max(ball[1], rect.top()), rect.bottom())
            return math.hypot(nx - ball[0], ny - ball[1]) - ball[2]

        assert gap(balls[i]) >= -1.5  # never on its own ball
        if spot.leader is None:
            assert all(gap(b) > gap(balls[i]) for j, b in enumerate(balls) if j != i)
        else:
            leaders += 1
            x0, y0 = spot.leader[:2]
            assert math.hypot(x0 - balls[i][0], y0 - balls[i][1]) == pytest.approx(balls[i][2])
    names = {p.name for p, s in zip(chart.points, chart.label_spots, strict=True) if s}
    assert {"inception_v4", "inception_resnet_v2", "xception", "resnet50"} <= names
    xs, _ = chart.leaders.getData()
    assert leaders > 0 and len(xs) == 2 * leaders


def test_size_key_shows_balls_at_the_charts_scale(chart, published):
    from explorer.present.chart import size_key

    biggest = max(f.params for f in published[0])
    assert chart.size_key.items == size_key(biggest)
    assert [t for t, _ in chart.size_key.items] == [
        "5M parameters",
        "25M parameters",
        "100M parameters",
    ]
    spots = list(chart.scatter.points())
    vgg16 = next(s for s in spots if s.data().name == "vgg16")
    assert chart.size_key.items[2][1] == pytest.approx(
        vgg16.size() * math.sqrt(100e6 / vgg16.data().params)
    )
    assert chart.size_key.isVisible() and chart.size_key.height() >= chart.size_key.items[2][1]
    assert "dark ring: improved recipe" in chart.recipe_key.text()


def test_speed_tab_measures_in_the_background(qtbot, jobs):
    from explorer.ui.compare.speed import SpeedTab

    tab = SpeedTab(jobs)
    qtbot.addWidget(tab)
    tab.peak_n = 128
    tab.set_checked(["resnet20", "repvgg_small"])
    tab.device_combo.setCurrentText("cpu")
    tab.batch_spin.setValue(2)
    tab.repeats_spin.setValue(2)
    tab.warmup_spin.setValue(0)
    reports = []
    tab.reportChanged.connect(reports.append)
    assert tab.start()
    assert tab.busy and tab.cancel_btn.isVisible() is tab.isVisible()
    assert not tab.start()  # one measurement at a time
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)
    final = reports[-1]
    assert final.complete
    assert [r.label for r in final.results] == ["resnet20", "repvgg_small", "repvgg_small (fused)"]
    assert tab.table.rowCount() == 3
    assert tab.table.item(0, 0).text() == "resnet20"
    assert tab.table.item(0, 3).text() == f"{final.results[0].images_per_s:,.1f}"
    assert "Done" in tab.status.text()
    assert tab.table_text().count("\n") == 3


def test_speed_tab_cancel_and_nothing_checked(qtbot, jobs):
    from explorer.ui.compare.speed import SpeedTab

    tab = SpeedTab(jobs)
    qtbot.addWidget(tab)
    tab.set_checked([])
    assert not tab.start()
    assert "Check at least one" in tab.status.text()
    tab.peak_n = 128
    tab.set_checked(["resnet20"])
    tab.device_combo.setCurrentText("cpu")
    tab.batch_spin.setValue(2)
    tab.repeats_spin.setValue(200)
    assert tab.start()
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)
    assert "Cancelled" in tab.status.text()
    assert jobs.wait(60) and not jobs.busy()


def test_window_shows_compare_and_a_ball_opens_its_graph(window, qtbot):
    win = window
    win.browser._on_activated(win.browser.compare_item)
    view = win.compare_view
    assert win.centre.currentWidget() is view
    qtbot.waitUntil(lambda: bool(view.chart.points), timeout=60_000)
    with qtbot.waitSignal(win.graphShown, timeout=60_000) as sig:
        view.chart.click_point("resnet18")
    assert sig.args == ["resnet18"]
    assert win.centre.currentWidget() is win.graph
    win.act_compare.trigger()
    assert win.centre.currentWidget() is view
    view.backRequested.emit()
    assert win.centre.currentWidget() is win.graph


def test_one_timing_at_a_time(qtbot):
    from explorer.ui.compare.view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    k = view.kernels
    k.peak_n = 64
    k.device_combo.setCurrentText("cpu")
    k.channels_spin.setValue(8)
    k.size_spin.setValue(8)
    k.repeats_spin.setValue(500)
    assert k.start()
    view.speed.set_checked(["resnet20"])
    assert not view.speed.start()
    assert "kernel-size experiment" in view.speed.status.text()
    k.cancel()
    qtbot.waitUntil(lambda: not k.busy, timeout=30_000)
    assert not view.busy
    view.speed.peak_n = 64
    view.speed.device_combo.setCurrentText("cpu")
    view.speed.repeats_spin.setValue(500)
    assert view.speed.start()
    assert not k.start()
    assert "speed measurement" in k.status.text()
    view.speed.cancel()
    qtbot.waitUntil(lambda: not view.speed.busy, timeout=30_000)
    view.wait_all()  # the view standing alone closes: every thread waited for
    assert view.jobs.wait(0) and not view.busy


def test_closing_the_window_mid_measurement_stops_it(window, settings, qtbot):
    from PySide6.QtWidgets import QDockWidget

    from explorer.ui.main_window import MainWindow

    view = window.show_compare("speed")
    assert window.findChild(QDockWidget, "panels").isHidden()  # room for the comparison
    speed = view.speed
    speed.peak_n = 64
    speed.set_checked(["resnet20"])
    speed.device_combo.setCurrentText("cpu")
    speed.batch_spin.setValue(1)
    speed.repeats_spin.setValue(100_000)
    assert speed.start()
    qtbot.waitUntil(lambda: speed.report is not None, timeout=30_000)
    window.close()
    assert view.jobs is window.jobs  # the window's one runner ...
    assert window.jobs.wait(0) and not window.jobs.busy()  # ... stopped the measurement
    # the docks are saved as they were in the graph view, not hidden by the comparison
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    again.show()
    assert again.findChild(QDockWidget, "panels").isVisible()


def test_delete_and_undo_act_only_while_the_graph_shows(window, qtbot):
    with qtbot.waitSignal(window.graphShown, timeout=60_000):
        window.load_model("resnet20")
    assert window.select_block("layer1.0")
    window.show_compare()
    window.act_delete.trigger()
    assert not window.session.deleted
    window.show_graph()
    window.act_delete.trigger()
    assert window.session.deleted == {"layer1.0"}
    window.show_compare()
    window.act_undo.trigger()
    assert window.session.deleted == {"layer1.0"}
    window.show_graph()
    window.act_undo.trigger()
    assert not window.session.deleted


def _tiny_speed_tab(qtbot, jobs, names):
    from explorer.ui.compare.speed import SpeedTab

    tab = SpeedTab(jobs)
    qtbot.addWidget(tab)
    tab.peak_n = 64
    tab.set_checked(names)
    tab.device_combo.setCurrentText("cpu")
    tab.batch_spin.setValue(1)
    tab.warmup_spin.setValue(0)
    return tab


def test_a_new_measurement_clears_the_last_one_and_a_cancel_is_marked(qtbot, jobs):
    tab = _tiny_speed_tab(qtbot, jobs, ["resnet20"])
    tab.repeats_spin.setValue(2)
    shown = []
    tab.reportChanged.connect(shown.append)
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)
    assert tab.table.rowCount() == 1
    tab.set_checked(["vgg_small"])
    tab.repeats_spin.setValue(100_000)
    assert tab.start()
    assert tab.table.rowCount() == 0 and shown[-1] is None  # not the last run's figures
    qtbot.waitUntil(lambda: tab._latest is not None, timeout=60_000)
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)
    last = shown[-1]
    assert last.stopped == "cancelled" and not last.complete
    assert [r.label for r in last.results] == ["vgg_small"]
    assert tab.table.item(0, 0).text() == "vgg_small"
    assert tab.table_text().splitlines()[1].startswith("vgg_small\t")
    assert jobs.wait(60) and not jobs.busy()


def test_start_up_capture_does_not_wait_for_work_that_cannot_start(window, qtbot):
    import argparse

    from explorer.ui.compare.startup import start_compare

    captured = []
    args = argparse.Namespace(
        view="kernels",
        x_axis=None,
        measure=None,
        kernels=True,
        device="auto",
        batch=None,
        repeats=None,
    )
    view = window.show_compare()
    view.kernels.blocked_by = lambda: "another timing"  # so the experiment is refused
    start_compare(window, args, lambda: captured.append(True))
    qtbot.waitUntil(lambda: bool(captured), timeout=60_000)
    assert "another timing" in view.kernels.status.text()


def test_export_in_the_compare_view_saves_its_tab(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QFileDialog

    view = window.show_compare("kernels")
    path = tmp_path / "k.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    window.export_dialog("png")
    img = QImage(str(path))
    assert not img.isNull() and img.width() == view.kernels.width()
    assert "Saved" in window.status_label.text()
    assert not view.export_png(str(tmp_path / "missing" / "x.png"))


def test_opening_the_compare_view_does_not_import_torch_on_the_ui_thread():
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from explorer.ui.compare.view import CompareView\n"
        "view = CompareView()\n"
        "print('torch' in sys.modules)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_the_recipe_option_at_start(capsys, tmp_path, windows) -> None:
    from explorer.ui.app import run_app

    shot = tmp_path / "chart.png"
    code = run_app(
        ["--view", "chart", "--recipe", "best", "--screenshot", str(shot), "--size", "900x600"]
    )
    assert code == 0, capsys.readouterr().err
    chart = windows[-1].compare_view.chart
    assert chart.recipe == "best" and shot.exists()
