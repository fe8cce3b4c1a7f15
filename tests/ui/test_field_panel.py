"""The receptive-field panel: the box on the image, the depth slider, clicks, the effective
field on a worker."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_run_panels import load

from explorer.graph.receptive import block_field
from explorer.ui.panels.field import LANE


def test_the_field_on_the_image(window, qtbot) -> None:
    load(qtbot, window, "resnet20")  # a digit runs through it
    panel = window.panels["Receptive field"]
    window.show_panel("Receptive field")
    assert panel.links and panel.field is not None
    panel.set_block("layer1.0.conv1")
    assert panel.field["rf"] == 5 and panel.field["position"] == [15, 15]
    r = panel.inside_item.rect()
    assert (r.width(), r.height()) == (5, 5)
    panel.set_position((0, 0))
    assert panel.field["box"] == [-2, -2, 2, 2] and panel.inside_item.rect().width() == 3
    assert "padding" in panel.status.text()
    window.select_block("layer3")
    assert panel.block.startswith("layer3")
    assert panel.compute_effective()
    # done, or failed (the button comes back): a failure says its line
    qtbot.waitUntil(lambda: panel.effective_btn.isEnabled(), timeout=60_000)
    assert panel.effective is not None, panel.info.text()
    assert panel.effective["std_px"][0] > 0 and "Effective field" in panel.info.text()
    assert panel.heat_item.image is not None


def test_an_effective_field_outlives_a_run_of_the_same_image(window, qtbot) -> None:
    """A run result of the same image arriving while the field is computed (a block selected
    runs the image again for its maps) keeps the computation; another image drops it; a
    field computed for a block no longer chosen is not shown as this one's."""
    ran: list = []
    window.run.ran.connect(ran.append)
    load(qtbot, window, "resnet20")
    panel = window.panels["Receptive field"]
    window.show_panel("Receptive field")
    qtbot.waitUntil(lambda: bool(ran))
    window.select_block("layer3")
    assert panel.compute_effective()
    panel.show_result(ran[-1], panel._session)  # the same image again, before the field is done
    qtbot.waitUntil(lambda: panel.effective_btn.isEnabled(), timeout=60_000)
    assert panel.effective is not None, panel.info.text()
    # chosen elsewhere while computed: the old block's field is not shown as the new one's
    assert panel.compute_effective()
    panel.set_block("layer1.0.conv1")
    qtbot.waitUntil(lambda: panel.effective_btn.isEnabled(), timeout=60_000)
    assert panel.effective is None and panel.block == "layer1.0.conv1"
    # another image while computed: dropped at once, the button back
    assert panel.compute_effective()
    other = copy.copy(ran[-1])
    other.input = ran[-1].input.flip(-1)
    panel.show_result(other, panel._session)
    assert panel.effective_btn.isEnabled() and not window.jobs.busy(LANE)
    qtbot.wait(300)
    assert panel.effective is None


def test_a_click_on_a_feature_map_shows_that_values_field(window, qtbot) -> None:
    """A value of a stage's map (a tile, or the enlarged map over the input) clicked: the
    field panel shows that stage's field at that value; and back, the slider moved shows
    its layer again."""
    from test_run_panels import click_at, ran_after, shown

    load(qtbot, window, "resnet20")
    fm, panel = window.panels["Feature maps"], window.panels["Receptive field"]
    ran_after(
        qtbot,
        window,
        lambda: window.select_block("layer2"),
        lambda r: r.probes.feature_block == "layer2",
    )
    assert panel.block == "layer2" and panel.links[panel.slider.value()] == "layer2.2.conv2"
    assert "its output" in panel.status.text()
    shown(qtbot, window, "Feature maps")
    page = fm.current
    h, w = page.tile
    assert (h, w) == (16, 16)
    # the second tile, row 3, column 11
    with qtbot.waitSignal(fm.positionChosen) as sig:
        click_at(qtbot, fm.canvas, fm.grid_item, (w + page.gap + 11.5, 3.5))
    assert sig.args == ["layer2", 3, 11] and fm.channel == page.channels[1]
    assert panel.block == "layer2" and panel.field["position"] == [3, 11]
    want = block_field(window.session.analysis.tree, "layer2", (3, 11))
    assert panel.field["box"] == want["box"]
    r = panel.inside_item.rect()
    i0, j0, i1, j1 = want["inside"]
    assert (r.x(), r.y(), r.width(), r.height()) == (j0, i0, j1 - j0 + 1, i1 - i0 + 1)
    # the enlarged map over the 32x32 input: its pixel (20, 9) is value (4, 10) of 16x16
    fm.overlay_box.setChecked(True)
    with qtbot.waitSignal(fm.positionChosen) as sig:
        click_at(qtbot, fm.canvas, fm.big_item, (20.5, 9.5))
    assert sig.args == ["layer2", 4, 10] and panel.field["position"] == [4, 10]
    # the slider moved: its layer, at the centre
    panel.slider.setValue(2)
    assert panel.block == panel.links[2] and "its output" not in panel.status.text()


def test_effective_fields_compared_side_by_side(window, qtbot) -> None:
    """resnet20 against its random weights and plain20 over the evaluation images: three
    maps on one colour scale, the figures of the workflow run directly."""
    import numpy as np

    from explorer.app.workflows import drive
    from explorer.app.workflows.field import compare_effective
    from explorer.app.workflows.lesion import EvalSettings
    from explorer.ui.panels.field import COMPARE_IMAGES

    load(qtbot, window, "resnet20")
    panel = window.panels["Receptive field"]
    window.show_panel("Receptive field")
    window.select_block("layer1")
    assert [panel.compare_combo.itemText(i) for i in range(3)] == [
        "with random weights",
        "with plain20",
        "with random weights and plain20",
    ]
    assert panel.compare_combo.currentIndex() == 2
    with qtbot.waitSignal(panel.compared, timeout=120_000) as sig:
        qtbot.mouseClick(panel.compare_btn, Qt.MouseButton.LeftButton)
        assert panel.compare_bar.isVisible() and panel.compare_cancel.isVisible()
    res = sig.args[0]
    assert not panel.compare_bar.isVisible() and panel.compare_btn.isEnabled()
    assert [n["model"] for n in res["nets"]] == ["resnet20", "resnet20", "plain20"]
    assert res["block"] == "layer1" and res["images"] == COMPARE_IMAGES
    assert len(panel.compare_views) == 3 and panel.compare_canvas.isVisible()
    levels = {tuple(it.levels) for it in panel.compare_items}
    assert len(levels) == 1 and levels.pop()[1] == max(n["map"].max() for n in res["nets"])
    for net, title, item in zip(
        res["nets"], panel.compare_titles, panel.compare_items, strict=True
    ):
        assert np.array_equal(item.image, net["map"])
        assert f"std {net['std_px'][0]:.1f} x {net['std_px'][1]:.1f} px" in title.text
    assert "random weights" in panel.compare_titles[1].text
    assert "Random weights: random, seed 0" in panel.info.text()
    s = window.session
    direct = drive(
        compare_effective(
            s.analysis,
            "layer1",
            None,
            ["random", "plain20"],
            data=(s.preprocessing(), s.weights_info.categories, EvalSettings(None, 16, 8)),
        )
    )
    for a, b in zip(res["nets"], direct["nets"], strict=True):
        assert a["std_px"] == b["std_px"] and a["mass95_px"] == b["mass95_px"]


def test_a_comparison_cancelled_or_outlived_by_its_model(window, qtbot) -> None:
    from explorer.ui.panels.field import COMPARE_LANE

    load(qtbot, window, "resnet20")
    panel = window.panels["Receptive field"]
    window.show_panel("Receptive field")
    done: list = []
    panel.compared.connect(done.append)
    assert panel.compare(["random"])
    qtbot.mouseClick(panel.compare_cancel, Qt.MouseButton.LeftButton)
    assert not window.jobs.busy(COMPARE_LANE) and not panel.compare_bar.isVisible()
    assert "cancelled" in panel.compare_note.text()
    # another model while one runs: nothing of the old one arrives
    assert panel.compare(["random", "plain20"])
    load(qtbot, window, "plain20")
    assert window.jobs.wait(120)
    qtbot.waitUntil(lambda: not window.jobs.busy(COMPARE_LANE))
    QApplication.processEvents()
    assert done == [] and panel.comparison is None and not panel.compare_canvas.isVisible()
    assert panel.compare_combo.itemText(1) == "with resnet20"


def test_a_comparison_over_this_image_goes_with_the_image(window, qtbot) -> None:
    from test_run_panels import ran_after

    load(qtbot, window, "resnet20")
    panel = window.panels["Receptive field"]
    window.show_panel("Receptive field")
    with qtbot.waitSignal(panel.compared, timeout=120_000) as sig:
        assert panel.compare(["random"], over_image=True)
    assert sig.args[0]["data"] == "this image" and sig.args[0]["images"] == 1
    assert "over this image" in panel.info.text()
    # over the evaluation images it stays when the image changes; over this image it goes
    ran_after(qtbot, window, lambda: window.run.open_sample("digits-7"))
    assert panel.comparison is None and not panel.compare_canvas.isVisible()
    with qtbot.waitSignal(panel.compared, timeout=120_000):
        assert panel.compare(["random"], over_image=False)
    ran_after(qtbot, window, lambda: window.run.open_sample("digits-1"))
    assert panel.comparison is not None and panel.compare_canvas.isVisible()
    # other weights: the trained network's figures no longer hold
    ran_after(qtbot, window, lambda: window.run.request_weights("random"))
    assert panel.comparison is None and not panel.compare_canvas.isVisible()


def test_scripted_field_comparison(windows, capsys, tmp_path) -> None:
    """``--field-compare``: the window saved once the comparison is drawn, the figures those
    of ``rf --compare``, each map's peak on screen in its colour; a network that cannot be
    compared is one line and exit 2, nothing saved."""
    import json

    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QImage

    from explorer.__main__ import main as cli_main
    from explorer.ui.app import run_app

    shot = tmp_path / "cmp.png"
    code = run_app(["--model", "resnet20", "--select", "layer1", "--field-compare",
                    "random,plain20", "--screenshot", str(shot), "--size", "1280x720",
                    "--timeout", "300"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    win = windows[-1]
    panel = win.panels["Receptive field"]
    res = panel.comparison
    assert [n["model"] for n in res["nets"]] == ["resnet20", "resnet20", "plain20"]
    assert cli_main(["rf", "resnet20", "--block", "layer1", "--effective", "--compare",
                     "random", "--compare", "plain20", "--json"]) == 0  # fmt: skip
    d = json.loads(capsys.readouterr().out)
    assert d["effective"]["std_px"] == res["nets"][0]["std_px"]
    assert [c["std_px"] for c in d["compared"]] == [n["std_px"] for n in res["nets"][1:]]
    img = QImage(str(shot))
    assert (img.width(), img.height()) == (win.width(), win.height())
    cmap = pg.colormap.get("inferno")
    top = max(float(n["map"].max()) for n in res["nets"])
    for net, item in zip(res["nets"], panel.compare_items, strict=True):
        y, x = np.unravel_index(int(np.argmax(net["map"])), net["map"].shape)
        scene = item.mapToScene(QPointF(x + 0.5, y + 0.5))
        at = panel.compare_canvas.mapFromScene(scene)
        p = panel.compare_canvas.mapTo(win, QPoint(at.x(), at.y()))
        got = img.pixelColor(p.x(), p.y())
        want = cmap.map(float(net["map"].max()) / top, mode="byte")
        assert max(abs(got.red() - int(want[0])), abs(got.green() - int(want[1])),
                   abs(got.blue() - int(want[2]))) <= 40, (net["model"], got.name(), want)  # fmt: skip
    code = run_app(["--model", "resnet20", "--field-compare", "vgg16", "--screenshot",
                    str(tmp_path / "no.png"), "--timeout", "300"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("cnn-explorer: error: --field-compare: vgg16 takes")
    assert not (tmp_path / "no.png").exists()
    code = run_app(["--model", "resnet20", "--field-compare", "nosuch", "--screenshot",
                    str(tmp_path / "no.png")])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--field-compare: unknown model 'nosuch'" in err[0]
