"""The run toolbar and the four panels: images, weights, runs, superseding, selection, cancel.

Every test drives the real window (pytest-qt) with small models and checks what the panels
and the status bar show against the session and the Qt-free computations. The awkward
images and checkpoints come from the one shared table, ``tests/bad_inputs.py``, that the
command-line tests use too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
import torch
from bad_inputs import (
    BAD_CHECKPOINTS,
    BAD_IMAGES,
    BadCheckpoint,
    BadInput,
    build_seeded,
    encode,
    marker_for,
    noise,
)
from cli_expect import coffee_top5_direct, save_resnet18_weights
from hold import Hold
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget

from explorer.__main__ import main as cli_main
from explorer.app.session import Event

TIMEOUT = 60_000  # ms: a model load plus a forward pass on two shared cores

IMAGES = [pytest.param(e, id=e.id) for e in BAD_IMAGES]
CHECKPOINTS = [pytest.param(e, id=e.id) for e in BAD_CHECKPOINTS]

#: entries of the shared table that the window answers differently, on purpose: it opens a
#: folder as a folder of images (drop one on the window), so an image-less folder named like
#: an image file is refused for having no images rather than for being a folder
GUI_EXPECT = {"folder": "pics.png: no image files ("}


def load(qtbot, win, name: str):
    """Load ``name``; the window opens a default sample and runs it: the run's result."""
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT) as sig:
        win.load_model(name)
    assert win.session.model_name == name
    return sig.args[0]


def ran_after(qtbot, win, action, check=None):
    """Do ``action()`` and wait for the run that shows it (``check(result)`` true)."""
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT, check_params_cb=check) as sig:
        action()
    return sig.args[0]


def weights_after(qtbot, win, choice: str):
    """Request weights ``choice`` and wait until they are loaded (fails at once if refused)."""
    loaded: list[object] = []
    failed: list[str] = []

    def on_loaded(info: object) -> None:
        loaded.append(info)

    win.run.weightsLoaded.connect(on_loaded)
    win.session.connect(Event.WEIGHTS_FAILED, lambda _c, m: failed.append(m))
    try:
        win.run.request_weights(choice)
        qtbot.waitUntil(lambda: bool(loaded or failed), timeout=TIMEOUT)
    finally:
        win.run.weightsLoaded.disconnect(on_loaded)
    assert not failed, failed[0]
    return loaded[0]


def feature_block(res) -> str | None:
    return res.probes.feature_block if res.probes is not None else None


def choose(combo, index: int) -> None:
    """What a user's pick in a combo box does: the index changes, then ``activated``."""
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def png(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    path.write_bytes(encode(noise(*size), "PNG"))
    return path


def settle(qtbot, win) -> None:
    """Wait until no run is pending or in flight, nor a weights load, and all is delivered."""
    r = win.run
    qtbot.waitUntil(
        lambda: not (r._timer.isActive() or win.jobs.busy(("run", "weights"))),
        timeout=TIMEOUT,
    )
    QApplication.processEvents()


def click_at(qtbot, view: QGraphicsView, item, local: tuple[float, float]) -> None:
    """A left click on pyqtgraph item ``item`` at its own coordinates ``local``."""
    pos = view.mapFromScene(item.mapToScene(QPointF(*local)))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pos)


def shown(qtbot, win, title: str) -> None:
    """Bring a panel's tab forward and let its plots take their size."""
    win.show_panel(title)
    panel = win.panels[title]
    qtbot.waitUntil(panel.canvas.isVisible)
    QApplication.processEvents()


def drop_files(widget: QWidget, paths: list[Path]) -> bool:
    """Drag files over ``widget`` and drop them, as Qt delivers a drag from another program.

    Like ``QWidgetWindow``: the drag goes to the nearest widget (``widget`` or a parent)
    that accepts drops; the move starts accepted when the enter was; the drop only happens
    when the move is accepted. Returns whether the drop was delivered.
    """
    target = widget
    while not target.acceptDrops() and not target.isWindow():
        target = target.parentWidget()
    if not target.acceptDrops():
        return False
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = target.mapFromGlobal(widget.mapToGlobal(widget.rect().center()))
    app = QApplication.instance()
    enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    app.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    move.setAccepted(True)
    app.sendEvent(target, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    app.sendEvent(target, drop)
    return drop.isAccepted()


# --- 1. a model, a default image, a run --------------------------------------------------------


def test_loading_a_model_runs_a_default_sample(qtbot, window) -> None:
    res = load(qtbot, window, "lenet5")
    s = window.session
    assert s.image is not None and s.image.source == "sample:digits-0"
    assert s.result is res and not any(p.stale for p in window.panels.values())
    rows = window.panels["Predictions"].rows()
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    for (_, label, prob), top in zip(rows, res.top[0], strict=True):
        assert label == f"{top.label} ({top.index})"
        assert prob == f"{top.prob:.2%}" and re.fullmatch(r"\d+\.\d\d%", prob)
    assert res.top[0][0].prob >= res.top[0][-1].prob
    # the weights the program ships for lenet5, trained on digits: no badge
    assert not window.run.badge_action.isVisible()
    assert re.search("bundled", window.weights_label.text())
    assert "untrained" not in window.panels["Predictions"].status.text()
    assert window.run.weights_combo.currentData() == "bundled"
    assert window.device_label.text() == "device cpu (fp32)"
    assert re.fullmatch(r"last forward \d+ ms", window.latency_label.text())
    assert window.run.image_combo.currentText() == "digits-0"
    # the accuracy on digits follows in the background; then nothing is in flight any more
    qtbot.waitUntil(lambda: not window.run_cancel.isVisible(), timeout=60_000)
    assert window.panels["Accuracy"].table.rowCount() == 3


# --- 2. the shared table of bad images -----------------------------------------------------------


@pytest.mark.parametrize("entry", IMAGES)
def test_bad_image_through_the_window(qtbot, window, entry: BadInput, tmp_path: Path) -> None:
    load(qtbot, window, "lenet5")
    s = window.session
    before = list(s.images)
    path = entry.write(tmp_path)
    if entry.outcome == "error":
        errors = window.run.open_paths([str(path)])
        assert len(errors) == 1 and GUI_EXPECT.get(entry.id, entry.expect) in errors[0]
        assert s.images == before and s.image.source == "sample:digits-0"
        box = window.run.last_error_box
        assert box.isVisible() and not box.isModal()  # a modal box would hang this test
        assert errors[0] in box.text() and errors[0] in window.status_label.text()
        box.close()
        res = ran_after(qtbot, window, lambda: window.run.open_sample("digits-3"))
        assert s.image.name == "digits-3" and len(res.top[0]) == 5
        return
    errors: list[str] = []
    res = ran_after(qtbot, window, lambda: errors.extend(window.run.open_paths([str(path)])))
    assert errors == []
    assert len(s.images) == len(before) + 1 and s.image.source == str(path)
    assert any(entry.expect in n for n in s.image.notes)
    assert len(res.top[0]) == 5 and s.result is res
    assert entry.expect in window.panels["Predictions"].status.text()
    assert window.run.image_combo.currentText() == path.name


# --- 3. the shared table of bad checkpoints -----------------------------------------------------


@pytest.mark.parametrize("entry", CHECKPOINTS)
def test_bad_checkpoint_through_the_window(
    qtbot, window, entry: BadCheckpoint, tmp_path: Path
) -> None:
    load(qtbot, window, entry.model)
    model = window.session.analysis.model
    good = tmp_path / "good"
    good.mkdir()
    first = good / "first.pt"
    torch.save(build_seeded(entry.model, 1).state_dict(), first)
    ran_after(qtbot, window, lambda: weights_after(qtbot, window, str(first)))
    kept = {k: v.clone() for k, v in model.state_dict().items()}
    combo = window.run.weights_combo
    assert combo.currentText() == "file: first.pt"

    path = entry.write(tmp_path)
    failed: list[tuple[str, str]] = []
    window.session.connect(Event.WEIGHTS_FAILED, lambda c, m: failed.append((c, m)))
    window.run.request_weights(str(path))
    qtbot.waitUntil(lambda: bool(failed), timeout=TIMEOUT)
    choice, message = failed[0]
    assert choice == str(path) and entry.expect in message
    assert not marker_for(path).exists()
    state = model.state_dict()
    assert all(torch.equal(state[k], kept[k]) for k in kept)
    assert window.session.weights_info.label == "first.pt"
    assert combo.currentText() == "file: first.pt" and "first.pt" in window.weights_label.text()
    box = window.run.last_error_box
    assert not box.isModal() and entry.expect in box.text()
    box.close()

    second = good / "second.pt"
    want = build_seeded(entry.model, 2).state_dict()
    torch.save(want, second)
    info = weights_after(qtbot, window, str(second))
    assert info.kind == "file" and info.label == "second.pt"
    assert combo.currentText() == "file: second.pt"
    assert all(torch.equal(model.state_dict()[k], want[k]) for k in want)


def test_weights_combo_offers_a_loaded_file_again(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "lenet5")
    model = window.session.analysis.model
    ck = tmp_path / "mine.pt"
    want = build_seeded("lenet5", 3).state_dict()
    torch.save(want, ck)
    weights_after(qtbot, window, str(ck))
    weights_after(qtbot, window, "random")
    assert not torch.equal(model.state_dict()["c1.weight"], want["c1.weight"])
    combo = window.run.weights_combo
    i = combo.findText("file: mine.pt")
    assert i >= 0
    failed: list[str] = []
    window.session.connect(Event.WEIGHTS_FAILED, lambda _c, m: failed.append(m))
    with qtbot.waitSignal(window.run.weightsLoaded, timeout=TIMEOUT) as sig:
        choose(combo, i)  # the user picks the file loaded before
        qtbot.waitUntil(lambda: bool(failed) or not window.jobs.busy("weights"))
    assert not failed and sig.args[0].label == "mine.pt"
    assert torch.equal(model.state_dict()["c1.weight"], want["c1.weight"])
    assert combo.currentText() == "file: mine.pt"
    assert [combo.itemText(k) for k in range(combo.count())].count("file: mine.pt") == 1


def test_another_model_after_a_checkpoint_still_runs(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "lenet5")
    ck = tmp_path / "lenet.pt"
    torch.save(build_seeded("lenet5", 1).state_dict(), ck)
    weights_after(qtbot, window, str(ck))
    # the lenet5 file fits nothing of highway: the new model must still get weights and run
    res = load(qtbot, window, "highway")
    assert "lenet.pt: matches nothing of this model" in window.run.last_error_box.text()
    assert window.session.weights_info is not None and len(res.top[0]) == 5
    # it falls back to "auto": highway's own weights, shipped with the program
    assert window.session.weights_info.kind == "bundled" and window.session.weights_info.trained
    assert not window.run.badge_action.isVisible()


def test_offline_random_weights_carry_the_badge(qtbot, window) -> None:
    res = load(qtbot, window, "plain18")  # no bundled weights, no library weights
    assert len(res.top[0]) == 5
    assert window.run.badge_action.isVisible() and window.run.badge.isVisible()
    assert re.search("untrained|random", window.weights_label.text())
    assert "untrained" in window.panels["Predictions"].status.text()


# --- 4. the same top-5 through the command line and the window ----------------------------------


def test_coffee_top5_agrees_with_the_cli(qtbot, window, tmp_path: Path, capsys) -> None:
    f = save_resnet18_weights(tmp_path / "r18.pth")
    direct = coffee_top5_direct(f)
    capsys.readouterr()
    assert cli_main(["predict", "resnet18", "sample:coffee", "--weights", str(f), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)[0]["top5"]
    assert [t["index"] for t in cli] == direct

    load(qtbot, window, "resnet18")
    info = weights_after(qtbot, window, str(f))
    assert info.kind == "file" and info.trained
    assert not window.run.badge_action.isVisible()
    res = ran_after(qtbot, window, lambda: window.run.open_sample("coffee"))
    assert window.session.image.name == "coffee"
    assert [t.index for t in res.top[0]] == direct
    rows = window.panels["Predictions"].rows()
    assert [r[1] for r in rows] == [f"{t['label']} ({t['index']})" for t in cli]
    assert [r[2] for r in rows] == [f"{t['prob']:.2%}" for t in cli]
    assert "r18.pth" in window.weights_label.text()


# --- 5. a newer request supersedes an older one -----------------------------------------------


def test_last_request_wins(qtbot, window) -> None:
    load(qtbot, window, "resnet18")
    shown_results = []
    window.session.connect(
        Event.RESULTS_CHANGED,
        lambda r: shown_results.append((feature_block(r), window.session.image.name)),
    )
    # a burst in one go is coalesced into one run
    ran_after(
        qtbot,
        window,
        lambda: [window.select_block(b) for b in ("layer1.0", "layer1.1", "layer2.0")],
    )
    assert shown_results == [("layer2.0", "chelsea")]
    shown_results.clear()
    # each change while the previous run is in flight
    jobs = window.jobs
    started = jobs.generation("run")

    def next_run_started() -> None:
        nonlocal started
        before = started
        qtbot.waitUntil(lambda: jobs.generation("run") > before, timeout=TIMEOUT)
        started = jobs.generation("run")

    window.run.open_sample("coffee")
    for b in ("layer3.0", "layer3.1", "layer4.0"):
        next_run_started()  # the previous change's run has started
        window.select_block(b)
    next_run_started()
    res = ran_after(qtbot, window, lambda: window.session.set_image(0))
    settle(qtbot, window)
    # what was shown came in the order it was asked for, never an older one after a newer
    order = ["layer3.0", "layer3.1", "layer4.0"]
    shown_order = [order.index(b) for b, _ in shown_results]
    assert shown_order == sorted(shown_order)
    assert feature_block(res) == "layer4.0" and window.session.image.name == "chelsea"
    assert shown_results[-1] == ("layer4.0", "chelsea") and window.session.result is res
    assert shown_results.count(("layer4.0", "chelsea")) == 1
    fm = window.panels["Feature maps"]
    assert fm._result is res and "layer4.0" in fm.status.text()
    assert "chelsea" in window.panels["Predictions"].status.text()


# --- 6. panels and graph share the selection ---------------------------------------------------


def test_panels_follow_the_selection_both_ways(qtbot, window) -> None:
    load(qtbot, window, "timm:seresnet18")
    s = window.session
    fm = window.panels["Feature maps"]
    assert fm.current is None and "Select a block" in fm.status.text()
    res = ran_after(
        qtbot, window, lambda: window.select_block("layer1.0"), lambda r: feature_block(r)
    )
    assert feature_block(res) == "layer1.0" and s.selected == "layer1.0"
    assert window.graph.boxes[window.graph.unit_for_block("layer1.0")].selected
    page = fm.current
    assert page is not None and len(page.channels) == 32 and page.pages == 2
    assert res.probes.features.shape[1] == 64
    # click the second tile: its channel is enlarged
    shown(qtbot, window, "Feature maps")
    h, w = page.tile
    first = fm.channel
    assert first == page.channels[0]
    click_at(qtbot, fm.canvas, fm.grid_item, (w + page.gap + w / 2, h / 2))
    assert fm.channel == page.channels[1] != first
    assert f"enlarged: channel {page.channels[1]}" in fm.status.text()
    assert fm.choose_tile(2 * (w + page.gap) + 1, 1) == page.channels[2] == fm.channel
    fm.next_btn.click()
    assert fm.current.page == 1 and fm.current.channels[0] not in page.channels

    # a point of the std curve selects its block in the graph
    std = window.panels["Activation std"]
    shown(qtbot, window, "Activation std")
    k = 5
    pts = [i for i in std.ordered.items if isinstance(i, pg.ScatterPlotItem)]
    assert len(pts) == 1
    std.ordered.vb.autoRange()
    QApplication.processEvents()
    click_at(qtbot, std.canvas, pts[0], (k + 1, float(std.values[k])))
    assert s.selected == std.ids[k]
    assert window.inspector.rows["qualname"] == std.ids[k]

    # a row of the SE heat map selects its block; the SE panel follows the graph
    se = window.panels["SE weights"]
    shown(qtbot, window, "SE weights")
    ran_after(qtbot, window, lambda: window.select_block("layer1.0"))
    assert se.block_at_row(2.5) == se.heat_ids[2] == "layer2.0.se"
    click_at(qtbot, se.canvas, se.heat_item, (3.5, 2.5))
    assert s.selected == "layer2.0.se"
    assert se.block_combo.currentText() == "layer2.0.se"
    res = ran_after(qtbot, window, lambda: None, lambda r: feature_block(r) == "layer2.0.se")
    assert fm._result is res
    window.select_block("layer4.1.se")
    assert se.block_combo.currentText() == "layer4.1.se"


# --- 7. SE gates of two images -----------------------------------------------------------------


def test_se_weights_of_two_images(qtbot, window) -> None:
    load(qtbot, window, "timm:seresnet18")
    s = window.session
    ran_after(qtbot, window, lambda: window.run.open_sample("coffee"))
    assert [im.name for im in s.images] == ["chelsea", "coffee"] and s.image_index == 1
    combo = window.run.compare_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["(none)", "chelsea", "coffee"]
    res = ran_after(qtbot, window, lambda: choose(combo, 1))
    assert s.compare_image.name == "chelsea" and res.probes.batch == 2
    se = window.panels["SE weights"]
    assert se.block_combo.count() == 8 and len(se.heat_ids) == 8
    heat = se.heat_item.image  # RGBA: one row per SE block, blank past a block's channels
    assert heat.shape == (8, 512, 4)
    assert (heat[0, :64, 3] == 255).all() and (heat[0, 64:, 3] == 0).all()
    assert (heat[7, :, 3] == 255).all()
    # the row's colours follow image A's gates: the most open channel is the brightest
    g = res.probes.se_gates["layer1.0.se"][0]
    lum = heat[0, :64, :3].astype(int).sum(1)
    assert lum[int(np.argmax(g))] >= lum[int(np.argmin(g))]
    bars = [i for i in se.bars.items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 2
    assert [b.opts["name"] for b in bars] == ["coffee", "chelsea"]
    block = se.block_combo.currentText()
    n = res.probes.se_gates[block].shape[1]
    assert all(len(b.opts["height"]) == n for b in bars)
    assert "coffee and chelsea" in se.status.text()
    # another block from the combo redraws the bars
    se.block_combo.setCurrentIndex(7)
    bars = [i for i in se.bars.items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 2 and len(bars[0].opts["height"]) == 512
    # feature maps of either image
    fm = window.panels["Feature maps"]
    assert [fm.image_combo.itemText(i) for i in range(fm.image_combo.count())] == [
        "image A",
        "image B",
    ]
    # back to one image: one bar group
    ran_after(qtbot, window, lambda: choose(combo, 0))
    assert s.compare_image is None
    assert len([i for i in se.bars.items if isinstance(i, pg.BarGraphItem)]) == 1


# --- 8. activation std across models -----------------------------------------------------------


def test_activation_std_keeps_curves_across_models(qtbot, window) -> None:
    std = window.panels["Activation std"]

    def curves() -> list[str]:
        return [i.name() for i in std.ordered.items if isinstance(i, pg.PlotDataItem)]

    load(qtbot, window, "plain18")
    assert std.level == "norm" and len(std.values) == len(std.ids) > 0
    n_plain = len(std.values)
    std.keep_btn.click()
    assert len(std.kept) == 1 and std.kept[0][0].startswith("plain18")
    assert len(curves()) == 2  # the kept copy and the current curve
    load(qtbot, window, "resnet18")
    assert len(std.kept) == 1 and std.kept[0][0].startswith("plain18")
    names = curves()
    assert len(names) == 2 and names[0].startswith("plain18")
    assert names[1].startswith("resnet18") and names[1].endswith("(now)")
    assert len([i for i in std.sorted.items if isinstance(i, pg.PlotDataItem)]) == 2
    n_norm = len(std.values)
    assert (n_plain, n_norm) == (17, 20)  # a BN per conv; resnet18's 3 projections add 3
    # every layer: more points than the norm outputs; the kept norm curve is not drawn
    std.level_combo.setCurrentIndex(0)
    assert std.level == "layers" and len(std.values) > n_norm
    assert len(curves()) == 1
    scatter = [i for i in std.ordered.items if isinstance(i, pg.ScatterPlotItem)][0]
    assert len(scatter.points()) == len(std.values) == len(std.ids)
    std.level_combo.setCurrentIndex(1)
    assert len(std.values) == n_norm and len(curves()) == 2
    std.clear_btn.click()
    assert std.kept == [] and len(curves()) == 1


# --- 9. results are invalidated at once ---------------------------------------------------------


def test_changes_invalidate_results_at_once(qtbot, window) -> None:
    load(qtbot, window, "lenet5")
    s = window.session
    seen: list[tuple[str, bool, bool]] = []  # (event, all panels stale, all say updating)

    run_panels = [
        p
        for t, p in window.panels.items()
        if t not in ("Accuracy", "Sweeps") and not getattr(p, "own_work", False)
    ]

    def snapshot(event: str) -> None:
        ps = run_panels  # the accuracy and sweep panels follow their own evaluations
        seen.append(
            (
                event,
                all(p.stale for p in ps) and s.result is None,
                all("updating" in p.status.text() for p in ps),
            )
        )

    s.connect(Event.RESULTS_INVALIDATED, lambda: snapshot("invalidated"))
    s.connect(Event.RESULTS_CHANGED, lambda _r: seen.append(("changed", False, False)))
    changes = {
        "weights": lambda: window.run.request_weights("random"),
        "image": lambda: window.run.open_sample("digits-7"),
        "device": lambda: choose(window.run.device_combo, 1),
        "normalise": lambda: choose(window.run.norm_combo, 3),
    }
    for what, change in changes.items():
        seen.clear()
        res = ran_after(qtbot, window, change)
        assert seen[0] == ("invalidated", True, True), what
        assert seen[-1][0] == "changed" and s.result is res, what
        assert not any(p.stale for p in window.panels.values()), what


# --- 10. device and precision ---------------------------------------------------------------


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without a GPU")
def test_device_combo_on_a_cpu_machine(qtbot, window) -> None:
    load(qtbot, window, "lenet5")
    dev, prec = window.run.device_combo, window.run.precision_combo
    assert [dev.itemText(i) for i in range(dev.count())] == ["auto", "cpu"]
    assert not prec.isEnabled() and prec.currentText() == "fp32"
    res = ran_after(qtbot, window, lambda: choose(dev, dev.findText("cpu")))
    assert window.session.device == "cpu" and window.session.precision == "fp32"
    assert res.device == "cpu" and res.precision == "fp32"
    assert window.device_label.text() == "device cpu (fp32)"
    assert not prec.isEnabled()
    res = ran_after(qtbot, window, lambda: choose(dev, 0))
    assert window.session.device == "auto" and res.device == "cpu" and not prec.isEnabled()
    # a second model keeps the list as it is (no duplicates)
    load(qtbot, window, "highway")
    assert [dev.itemText(i) for i in range(dev.count())] == ["auto", "cpu"]


# --- 11. drag and drop, paste -----------------------------------------------------------------


def test_drop_image_files_anywhere_on_the_window(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "lenet5")
    s = window.session
    targets = {
        "window": window,
        "graph": window.graph.viewport(),
        "predictions table": window.panels["Predictions"].table.viewport(),
        "feature maps plot": window.panels["Feature maps"].canvas.viewport(),
    }
    for n, (where, widget) in enumerate(targets.items()):
        path = png(tmp_path / f"drop{n}.png", (30 + n, 30))
        with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
            assert drop_files(widget, [path]), where
        assert s.image.source == str(path), where
    assert len(s.images) == 1 + len(targets)
    # a folder dropped: all its images, the first chosen
    folder = tmp_path / "many"
    folder.mkdir()
    for name in ("img10.png", "img2.png"):
        png(folder / name)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
        assert drop_files(window, [folder])
    assert s.image.name == "img2.png" and s.images[-1].name == "img10.png"
    # a checkpoint dropped: the model takes its weights
    ck = tmp_path / "dropped.pt"
    torch.save(build_seeded("lenet5", 4).state_dict(), ck)
    with qtbot.waitSignal(window.run.weightsLoaded, timeout=TIMEOUT) as sig:
        assert drop_files(window.graph.viewport(), [ck])
    assert sig.args[0].label == "dropped.pt" and window.session.weights_info.trained


def test_paste_an_image(qtbot, window) -> None:
    load(qtbot, window, "lenet5")
    s = window.session
    cb = QGuiApplication.clipboard()
    img = QImage(20, 10, QImage.Format.Format_RGB888)
    img.fill(Qt.GlobalColor.red)
    cb.setImage(img)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
        assert window.run.paste()
    assert s.image.name == "pasted image" and s.image.image.size == (20, 10)
    assert s.image.image.getpixel((3, 3)) == (255, 0, 0)
    # a second, different picture is a new image, not the first one again
    img2 = QImage(12, 12, QImage.Format.Format_RGB888)
    img2.fill(Qt.GlobalColor.blue)
    cb.setImage(img2)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
        assert window.run.paste()
    assert len(s.images) == 3 and s.image.image.size == (12, 12)
    assert s.image.image.getpixel((3, 3)) == (0, 0, 255)
    assert s.image.name.startswith("pasted image")
    # the first picture again: the image already listed is chosen, not added twice
    cb.setImage(img)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
        assert window.run.paste()
    assert len(s.images) == 3 and s.image.name == "pasted image"
    assert s.image.image.size == (20, 10)
    # nothing usable on the clipboard
    cb.setText("no such thing here")
    assert not window.run.paste()
    assert "no image" in window.status_label.text() and len(s.images) == 3


# --- 12. cancel ----------------------------------------------------------------------------------


def test_cancel_a_run(qtbot, window, monkeypatch) -> None:
    import explorer.runtime.inference as inference

    load(qtbot, window, "resnet50")
    s = window.session
    shown_results: list[object] = []
    window.run.ran.connect(shown_results.append)
    hold = Hold(monkeypatch)
    monkeypatch.setattr(inference, "run", hold.wrap(inference.run))
    window.run.open_sample("coffee")
    qtbot.waitUntil(hold.entered.is_set, timeout=TIMEOUT)  # the forward pass is under way
    # on screen, with room to be seen and clicked
    for w in (window.run_cancel, window.run_busy):
        assert w.isVisible() and not w.visibleRegion().isEmpty()
    qtbot.mouseClick(window.run_cancel, Qt.LeftButton)
    assert hold.release.is_set() and not window.run_cancel.isVisible()
    settle(qtbot, window)
    assert s.result is None and shown_results == []
    # a study computed on request (the landscape) is not the run's: it stays as it was
    runs = [p for p in window.panels.values() if not getattr(p, "own_work", False)]
    assert all("cancel" in p.status.text() for p in runs)
    # the window still answers, and the next request runs
    assert window.select_block("layer1.0")
    qtbot.waitUntil(lambda: bool(shown_results), timeout=TIMEOUT)
    assert s.result is shown_results[0] and feature_block(s.result) == "layer1.0"


# --- 13. closing with work in flight ------------------------------------------------------------


@pytest.mark.parametrize("during", ["model load", "weights", "run"])
def test_close_with_work_in_flight(qtbot, window, monkeypatch, during: str) -> None:
    """The window waits for its threads, and nothing starts once it is closed."""
    import explorer.graph.analysis as analysis
    import explorer.runtime.inference as inference
    import explorer.runtime.pipeline as pipeline

    if during != "model load":
        load(qtbot, window, "lenet5")
    hold = Hold(monkeypatch)
    after: list[object] = []
    if during == "model load":
        monkeypatch.setattr(analysis, "analyze_steps", hold.wrap_steps(analysis.analyze_steps))
        window.load_model("lenet5")
    elif during == "weights":
        monkeypatch.setattr(pipeline, "apply_weights", hold.wrap(pipeline.apply_weights))
        window.run.request_weights("random")
    else:
        monkeypatch.setattr(inference, "run", hold.wrap(inference.run))
        window.select_block("c1")
    qtbot.waitUntil(hold.entered.is_set, timeout=TIMEOUT)
    window.close()
    assert hold.release.is_set()  # the close cancelled the work and waited for it
    assert window.jobs.wait(0), "a job's thread still runs after the close"
    window.jobs.on_busy(lambda *a: after.append(a))
    window.run.ran.connect(after.append)
    window.run.weightsLoaded.connect(after.append)
    QApplication.processEvents()  # what the finished work still sends
    assert not window.run._timer.isActive()
    assert after == [], "work started or shown after the window closed"
    assert not window.jobs.busy()
    assert window.jobs.wait(0), "a job's thread still runs after the close"
