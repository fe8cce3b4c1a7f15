"""The panels as a lecture hall sees them: legends beside the data, the weights said on the
activation-std panel, the Highway gates panel, sweeps on a range that shows the differences,
training curves with plain tick labels, and old figures dimmed (not blanked) while new ones
are computed."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from test_run_panels import load, ran_after

from explorer.app.session import Event
from explorer.present.panels import score_range

TIMEOUT = 120_000


def show(qtbot, win, title: str) -> None:
    win.show_panel(title)
    qtbot.waitUntil(lambda: win.panels[title].isVisible())
    QApplication.processEvents()


def curve_points(plot) -> list[QPointF]:
    """Every plotted data point of ``plot`` in scene coordinates."""
    out = []
    for item in plot.items:
        if isinstance(item, pg.PlotDataItem):
            x, y = item.getData()
            if x is None:
                continue
            out += [item.mapToScene(QPointF(float(a), float(b))) for a, b in zip(x, y, strict=True)]
    return out


def tab_shown(win, title: str) -> bool:
    return win.tabs.isTabVisible(win.tabs.indexOf(win.panels[title]))


def test_std_legend_is_beside_the_data_and_says_the_weights(qtbot, window) -> None:
    window.resize(1280, 720)
    load(qtbot, window, "resnet20")
    std = window.panels["Activation std"]
    show(qtbot, window, "Activation std")
    legend = std.legend.sceneBoundingRect()
    assert legend.width() > 0 and legend.height() > 0
    for plot in (std.ordered, std.sorted):
        pts = curve_points(plot)
        assert len(pts) == len(std.values) > 0
        assert not legend.intersects(plot.vb.sceneBoundingRect())
        assert not any(legend.contains(p) for p in pts)
    # no floating legend left in a view box
    assert std.ordered.legend is None and std.sorted.legend is None
    assert "resnet20" in std.legend.text and "trained weights" in std.legend.text
    assert "random weights" not in std.legend.text
    # readable on a 1280x720 projector: the plot keeps its height
    assert std.ordered.vb.height() >= 100
    # random weights: the note says why the residual curve grows
    ran_after(qtbot, window, lambda: window.run.request_weights("random"))
    assert "random weights" in std.legend.text and "Fig. 7" in std.legend.text
    assert "residual sum grows" in std.legend.text
    assert not std.legend.sceneBoundingRect().intersects(std.ordered.vb.sceneBoundingRect())
    # and back to trained ones: the note goes
    ran_after(qtbot, window, lambda: window.run.request_weights("auto"))
    assert "random weights" not in std.legend.text


def test_se_bars_are_keyed_in_the_title_not_over_bar_0(qtbot, window) -> None:
    load(qtbot, window, "se_resnet20")
    se = window.panels["SE weights"]
    show(qtbot, window, "SE weights")
    assert se.bars.legend is None
    bars = [i for i in se.bars.items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 1
    title = se.bars.titleLabel
    assert window.session.image.name in title.text
    assert title.isVisible() and not title.sceneBoundingRect().intersects(
        se.bars.vb.sceneBoundingRect()
    )


def test_highway_panel_shows_the_probed_gates(qtbot, window) -> None:
    assert not tab_shown(window, "Highway gates")  # no model, no highway blocks
    res = load(qtbot, window, "highway")
    assert tab_shown(window, "Highway gates")
    hw = window.panels["Highway gates"]
    show(qtbot, window, "Highway gates")
    gates = res.probes.highway_gates
    assert hw.ids == [b for b in res.probes.block_ids if b in gates]
    assert len(hw.ids) == window.session.analysis.tree.count("highway") == 9
    bars = [i for i in hw.plot.items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 1
    heights = np.asarray(bars[0].opts["height"])
    assert heights.shape == (9,)
    assert np.allclose(heights, [float(gates[b][0]) for b in hw.ids])
    assert "9 highway blocks" in hw.status.text()
    # a click on a bar selects its block in the graph; the graph's selection outlines it
    view, item = hw.canvas, bars[0]
    pos = view.mapFromScene(item.mapToScene(QPointF(3.0, float(heights[3]) / 2)))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pos)
    assert window.session.selected == hw.ids[3]
    assert window.inspector.rows["qualname"] == hw.ids[3]
    window.select_block(hw.ids[5])
    assert hw.selected == hw.ids[5]
    pens = [i for i in hw.plot.items if isinstance(i, pg.BarGraphItem)][0].opts["pens"]
    assert [p is not None for p in pens] == [i == 5 for i in range(9)]
    # two images: their gates side by side, keyed in the title
    from explorer.runtime.images import load_sample

    s = window.session
    ran_after(qtbot, window, lambda: s.add_images([load_sample("digits-7")], select=False))
    res = ran_after(qtbot, window, lambda: window.run.compare_combo.activated.emit(2))
    assert res.probes.batch == 2 and hw.hint.isHidden()
    bars = [i for i in hw.plot.items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 2
    for k, b in enumerate(bars):
        assert np.allclose(
            b.opts["height"], [float(res.probes.highway_gates[i][k]) for i in hw.ids]
        )
    assert "digits-7" in hw.plot.titleLabel.text
    # a model without highway blocks: the tab goes
    load(qtbot, window, "lenet5")
    assert not tab_shown(window, "Highway gates")


def test_sweeps_say_what_they_show_then_fit_the_range(qtbot, window) -> None:
    load(qtbot, window, "resnet20")
    sw = window.panels["Sweeps"]
    show(qtbot, window, "Sweeps")
    assert sw.intro.isVisible() and not sw.plot.isVisible()
    assert "Each block alone" in sw.intro.text() and "Press" in sw.intro.text()
    with qtbot.waitSignal(window.eval.sweepDone, timeout=TIMEOUT):
        window.eval.start_sweep("single")
    assert sw.plot.isVisible() and not sw.intro.isVisible()
    intact, runs = sw.result
    scores = [r.top1 for r in runs]
    base = intact.top1
    assert len(scores) == 9 and base is not None
    r = score_range(scores, base)
    assert sw.y_range == r
    lo, hi = sw.plot.getPlotItem().vb.viewRange()[1]
    assert abs(lo - r.lo) < 1e-6 and abs(hi - r.hi) < 1e-6
    assert lo < min(scores) and max(scores + [base]) <= hi
    lines = [i for i in sw.plot.getPlotItem().items if isinstance(i, pg.InfiniteLine)]
    assert [round(ln.value(), 6) for ln in lines] == [round(base, 6)]
    title = sw.plot.getPlotItem().titleLabel.text
    assert f"intact network {base:.2f} %" in title
    assert ("not 0" in title) == (r.lo > 0)


def test_invalidation_dims_the_old_figures(qtbot, window) -> None:
    """Another image: the std curve stays, dimmed, under "updating..." until the new one."""
    load(qtbot, window, "resnet20")
    std = window.panels["Activation std"]
    seen = []

    def snapshot() -> None:
        seen.append(
            (
                bool(curve_points(std.ordered)),
                std.dimmed,
                std.canvas.graphicsEffect() is not None,
                "updating" in std.status.text(),
            )
        )

    window.session.connect(Event.RESULTS_INVALIDATED, snapshot)
    ran_after(qtbot, window, lambda: window.run.open_sample("digits-7"))
    assert seen and seen[0] == (True, True, True, True)
    assert not std.dimmed and std.canvas.graphicsEffect() is None and not std.stale
    # another model: nothing of the old one stays, dimmed or not
    window.load_model("plain20")
    assert not curve_points(std.ordered) and not std.dimmed
    qtbot.waitSignal(window.run.ran, timeout=TIMEOUT).wait()


def test_training_curves_read_plainly(qtbot) -> None:
    from explorer.ui.curves_dialog import CurvesDialog

    d = CurvesDialog()
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(d.isVisible)
    QApplication.processEvents()
    assert d.names == ["plain20", "plain56", "resnet20", "resnet56"]
    for which, p in d.plots.items():
        labels = [lab for level in p.getAxis("left")._tickLevels for _, lab in level]
        assert "0.1" in labels and "1" in labels and "10" in labels and "100" in labels
        assert not any("^" in lab or "x" in lab or "e" in lab for lab in labels), which
        legend = d.legend.sceneBoundingRect()
        assert not legend.intersects(p.vb.sceneBoundingRect())
        assert not any(legend.contains(q) for q in curve_points(p))
    # the shipped training errors reach 0 %: the plot says where it drew them
    assert d.floored["train"] > 0
    assert "0 % drawn at 0.1 %" in d.plots["train"].titleLabel.text


def test_export_a_panel_at_a_chosen_size(qtbot, window, tmp_path) -> None:
    from PySide6.QtGui import QImage

    load(qtbot, window, "highway")
    for title in ("Activation std", "Highway gates"):
        panel = window.panels[title]
        show(qtbot, window, title)
        before = panel.export_target().size()
        png = tmp_path / f"{title}.png"
        panel.export(str(png), (1280, 720))
        img = QImage(str(png))
        assert (img.width(), img.height()) == (1280, 720)
        # the figure is drawn, not a blank page: dark pixels of the axes and text
        grey = np.frombuffer(img.convertToFormat(QImage.Format_Grayscale8).constBits(), np.uint8)
        assert (grey < 100).sum() > 1000
        assert panel.export_target().size() == before  # back as it was in the window
    svg, pdf = tmp_path / "std.svg", tmp_path / "std.pdf"
    std = window.panels["Activation std"]
    std.export(str(svg), (1920, 1080))
    std.export(str(pdf), (1920, 1080))
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and 'width="1920' in text
    assert pdf.read_bytes().startswith(b"%PDF")
    labels = [a.text() for a in std.export_btn.menu().actions()]
    assert labels[0].startswith("1920x1080") and labels[-1].startswith("as shown")
