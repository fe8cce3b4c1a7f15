"""The Paths tab: shown for residual networks only, the unraveled view of the first three
blocks, the three curves drawn after a run on a worker, Cancel, a new network dropping the
result."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from test_run_panels import load


def _tab_visible(window, title: str) -> bool:
    return window.tabs.isTabVisible(window.tabs.indexOf(window.panels[title]))


def test_the_curves_are_drawn_after_a_run(window, qtbot) -> None:
    load(qtbot, window, "resnet20")
    panel = window.panels["Paths"]
    assert _tab_visible(window, "Paths")
    window.show_panel("Paths")
    assert panel.names[:3] == ["layer1.0", "layer1.1", "layer1.2"] and len(panel.names) == 9
    boxes = [i for i in panel.scene.items() if type(i).__name__ == "QGraphicsRectItem"]
    assert len(boxes) == 1 + 2 + 4  # f1 once, f2 twice, f3 four times: 8 paths
    panel.limit.setValue(2)
    panel.samples.setValue(2)
    with qtbot.waitSignal(panel.finished, timeout=120_000):
        assert panel.compute()
    r = panel.result
    assert r is not None and r.complete and r.model == "resnet20"
    curve = [i for i in panel.plots[1].items if isinstance(i, pg.PlotDataItem)]
    xs, ys = curve[0].getData()
    g = np.array(r.grad_norm, dtype=float)
    np.testing.assert_allclose(ys, np.log10(g[g > 0]))  # log scale: what was measured
    lo, hi = r.effective
    assert panel.region is not None and panel.region.getRegion() == (lo - 0.5, hi + 0.5)
    assert f"effective paths {lo}-{hi} of 9" in panel.captions.text()
    assert f"effective {lo}-{hi}" in panel.plots[2].titleLabel.text
    bars = [i for i in panel.plots[0].items if isinstance(i, pg.BarGraphItem)]
    assert list(bars[0].opts["height"]) == [1, 9, 36, 84, 126, 126, 84, 36, 9, 1]


def test_cancel_and_a_plain_network(window, qtbot) -> None:
    load(qtbot, window, "resnet20")
    panel = window.panels["Paths"]
    panel.limit.setValue(4)
    panel.samples.setValue(50)
    assert panel.compute()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=60_000)
    panel.cancel()
    qtbot.waitUntil(lambda: panel.run_btn.isEnabled(), timeout=60_000)
    assert panel.result is None and "cancelled" in panel.status.text()
    assert panel.compute()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=60_000)
    load(qtbot, window, "plain20")  # no residual blocks: the tab goes, nothing stays
    assert not _tab_visible(window, "Paths")
    assert panel.result is None and not window.jobs.busy("paths") and panel.names == []
    assert not panel.compute() and "no residual blocks" in panel.status.text()


def test_a_second_network_on_the_same_axes(window, qtbot) -> None:
    load(qtbot, window, "resnet20")
    panel = window.panels["Paths"]
    window.show_panel("Paths")
    names = [panel.versus.itemText(i) for i in range(panel.versus.count())]
    assert names[0] == "(none)" and "resnet56" in names and "plain20" not in names
    panel.versus.setCurrentText("resnet56")
    panel.limit.setValue(1)
    panel.samples.setValue(1)
    with qtbot.waitSignal(panel.finished, timeout=300_000):
        assert panel.compute()
    a, b = panel.result, panel.other
    assert (a.model, b.model) == ("resnet20", "resnet56") and b.n_blocks == 27
    curves = [i for i in panel.plots[1].items if isinstance(i, pg.PlotDataItem)]
    assert len(curves) == 2
    _xs, ys = curves[1].getData()
    g = np.array(b.grad_norm, dtype=float)
    np.testing.assert_allclose(ys, np.log10(g[g > 0]))  # the compared network's, measured
    regions = [i for i in panel.plots[2].items if isinstance(i, pg.LinearRegionItem)]
    lo, hi = b.effective
    assert len(regions) == 2 and regions[1].getRegion() == (lo - 0.5, hi + 0.5)
    assert "resnet56" in panel.status.text() and len(panel.captions.text().splitlines()) == 2
    assert panel.plots[0].getViewBox().viewRange()[0][1] >= 27  # the longer network fits
