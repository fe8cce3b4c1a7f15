"""The Landscape tab: a walk on a worker drawn coarse to fine, a pair on one colour scale,
Cancel, a new network dropping what was drawn, saved landscapes opened."""

from __future__ import annotations

import json

import numpy as np
from test_run_panels import load


def _small(panel, grid: int = 3, images: int = 8) -> None:
    panel.grid.setValue(grid)
    panel.limit.setValue(images)


def test_a_pair_on_one_colour_scale(window, qtbot) -> None:
    load(qtbot, window, "resnet20")
    panel = window.panels["Landscape"]
    window.show_panel("Landscape")
    assert panel.versus.currentText() == "plain20"  # the twin first: the lecture's slide
    _small(panel)
    before = {k: v.clone() for k, v in window.session.analysis.model.state_dict().items()}
    with qtbot.waitSignal(panel.finished, timeout=120_000):
        assert panel.compute()
    a, b = panel.results
    assert (a.model, b.model) == ("resnet20", "plain20") and a.complete and b.complete
    assert a.center["loss"] < np.nanmax(a.loss)  # the trained point is lower than the rim
    assert len(panel.plots) == 2 and panel.colorbar is not None
    lo, hi = panel.colorbar.values
    both = np.log10(np.concatenate([a.loss.ravel(), b.loss.ravel()]))
    assert abs(lo - both.min()) < 1e-9 and abs(hi - both.max()) < 1e-9
    assert "resnet20: 3x3" in panel.captions.text() and "local minim" in panel.captions.text()
    # the shown network was walked on a copy: its weights are as they were
    for k, v in window.session.analysis.model.state_dict().items():
        assert (v == before[k]).all(), k


def test_cancel_and_another_network_clear_the_partial_grid(window, qtbot) -> None:
    load(qtbot, window, "resnet20")
    panel = window.panels["Landscape"]
    panel.versus.setCurrentText("(none)")
    _small(panel, grid=9, images=8)
    assert panel.compute()
    qtbot.waitUntil(lambda: any(r is not None for r in panel.results), timeout=60_000)
    panel.cancel()
    qtbot.waitUntil(lambda: panel.run_btn.isEnabled(), timeout=60_000)
    assert panel.results == [] and panel.plots == []
    assert "cancelled" in panel.status.text()
    assert panel.compute()
    qtbot.waitUntil(lambda: any(r is not None for r in panel.results), timeout=60_000)
    load(qtbot, window, "lenet5")  # another network: nothing of resnet20's stays
    assert panel.results == [] and not window.jobs.busy("landscape")
    assert panel.versus.currentText() != "plain20"


def test_saved_landscapes_open_side_by_side(window, qtbot, tmp_path) -> None:
    from explorer.present.landscape import LandscapeFileError

    panel = window.panels["Landscape"]
    x = [-1.0, 0.0, 1.0]
    files = []
    for name, scale in (("resnet56", 1.0), ("plain56", 5.0)):
        obj = {
            "model": name, "weights": "bundled", "data": {"name": "digits (test)", "n": 360},
            "dims": 2, "x": x, "y": x,
            "loss": [[scale * (a * a + b * b) + 0.1 for a in x] for b in x],
            "top1": [[50.0] * 3] * 3, "center": {"loss": 0.1, "top1": 99.0},
            "elapsed_s": 61.0, "workers": 1, "directions": "random", "seed": 0,
        }  # fmt: skip
        f = tmp_path / f"{name}.json"
        f.write_text(json.dumps(obj))
        files.append(str(f))
    panel.open_files(files)
    assert [r.model for r in panel.results] == ["resnet56", "plain56"]
    assert panel.colorbar.values[1] == np.log10(10.1)
    assert "1 min 01 s" in panel.captions.text()
    # the controls say how it was made: Compute makes the same again
    assert (panel.grid.value(), panel.lo.value(), panel.hi.value()) == (3, -1.0, 1.0)
    assert panel.limit.value() == 360 and panel.seed.value() == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": "x"}')
    try:
        panel.open_files([str(bad)])
    except LandscapeFileError as exc:
        assert "not a landscape" in str(exc)
    else:
        raise AssertionError("a file of another kind was taken for a landscape")


def test_new_weights_drop_the_landscape(window, qtbot) -> None:
    from test_run_panels import weights_after

    load(qtbot, window, "resnet20")
    panel = window.panels["Landscape"]
    panel.versus.setCurrentText("(none)")
    _small(panel, grid=2, images=4)
    with qtbot.waitSignal(panel.finished, timeout=120_000):
        assert panel.compute()
    assert panel.results and panel.plots
    weights_after(qtbot, window, "random")
    assert panel.results == [] and panel.plots == [] and "Compute" in panel.status.text()
