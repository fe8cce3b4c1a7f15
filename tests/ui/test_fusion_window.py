"""Fuse for deployment in the window: the merge animation, the swapped graph, runs on it.

The window fuses on a worker thread, animates the branches into their blocks and swaps the
session's analysis; everything is checked against the session and the Qt-free fusion.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hold import Hold
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from explorer.app.session import Event

TIMEOUT = 60_000  # ms: a model load plus a forward pass on two shared cores


@pytest.fixture
def window(qtbot, settings):
    from explorer.ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.eval.limit = 40  # the accuracy runs beside every fusion: keep it short
    w.show()
    return w


def settle(qtbot, win) -> None:
    """No run, weights load, evaluation or fusion pending or in flight; all delivered."""
    r, f, jobs = win.run, win.fusion, win.jobs
    qtbot.waitUntil(
        lambda: (
            not (
                r._timer.isActive() or jobs.busy(("run", "weights", "accuracy", "fusion")) or f.busy
            )
        ),
        timeout=TIMEOUT,
    )
    QApplication.processEvents()


def load(qtbot, win, name: str):
    """Load ``name`` and wait for its first run (a default sample); the run's result."""
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT) as sig:
        win.load_model(name)
    settle(qtbot, win)
    return sig.args[0]


def fuse(qtbot, win, action=None):
    """Trigger a fusion (the toolbar's button by default); wait for the fused graph and the
    run on it. Returns (outcome, result)."""
    f = win.fusion
    seen: list[tuple[str, object]] = []
    slots = [
        (win.graph.mergeFinished, lambda: seen.append(("merged", None))),
        (f.fused, lambda o: seen.append(("fused", o))),
        (win.run.ran, lambda r: seen.append(("ran", r))),
    ]
    for sig, slot in slots:
        sig.connect(slot)
    try:
        (action or f.act_deploy).trigger()
        qtbot.waitUntil(lambda: win.graph.merging or not f.busy, timeout=TIMEOUT)
        qtbot.waitUntil(
            lambda: [k for k, _ in seen][:3] == ["merged", "fused", "ran"], timeout=TIMEOUT
        )
    finally:
        for sig, slot in slots:
            sig.disconnect(slot)
    settle(qtbot, win)
    return seen[1][1], seen[2][1]


def results_shown(win) -> bool:
    """The fusion panel is the raised tab of its dock, beside the graph."""
    from PySide6.QtWidgets import QTabBar

    dock = win.fusion.panel.parentWidget()
    tabs = [
        tb
        for tb in win.findChildren(QTabBar)
        if "Fusion" in [tb.tabText(i) for i in range(tb.count())]
    ]
    raised = all(tb.tabText(tb.currentIndex()) == "Fusion" for tb in tabs)
    return dock.isVisible() and not dock.isFloating() and win.fusion.panel.isVisible() and raised


def top5(res) -> list[int]:
    return [t.index for t in res.top[0]]


def kinds(win) -> tuple[set[str], set[str]]:
    """Block kinds of the session's graph, and of the boxes drawn."""
    tree = win.session.analysis.tree
    return {b.kind for b in tree.blocks.values()}, {i.box.kind for i in win.graph.boxes.values()}


# -- RepVGG: fuse, the merge, the same predictions, unfuse ----------------------------------------


def test_fuse_repvgg_live_and_unfuse(qtbot, window) -> None:
    before = load(qtbot, window, "repvgg_small")
    s, f, g = window.session, window.fusion, window.graph
    assert s.weights_info.trained  # the bundled digits weights: the check means something
    assert f.act_fuse.isEnabled() and not f.act_fold.isEnabled()
    assert not f.act_unfuse.isEnabled() and f.act_deploy.text() == "Fuse for deployment"
    from PySide6.QtWidgets import QToolBar

    assert any(f.act_deploy in tb.actions() for tb in window.findChildren(QToolBar))
    model_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Model")
    assert f.act_fuse in model_menu.actions()
    # a stage drawn open, its blocks side by side: the merge shows there
    s.set_expanded(s.expanded | {"stage1.0..1", "stage1.0", "stage1.1"})
    assert g.boxes["stage1.0"].box.open and "stage1.0.conv_1x1" in g.boxes
    n_boxes = len(g.boxes)
    unfused = s.analysis
    assert "repvgg" in kinds(window)[0]

    out, res = fuse(qtbot, window, f.act_fuse)  # the merge ran, and ended before the swap
    assert not g.merging
    assert s.fused and s.analysis is out.after and s.unfused_analysis is unfused
    assert s.weights_info is not None and s.image.source == "sample:digits-0"
    tree_kinds, drawn = kinds(window)
    assert "repvgg" not in tree_kinds and "repvgg" not in drawn
    assert "stage1.0.conv_1x1" not in g.boxes and not g.boxes["stage1.0"].box.open
    assert len(g.boxes) < n_boxes
    # the same network: the same top 5, and the check the window reports
    assert top5(res) == top5(before)
    assert np.allclose(res.probs, before.probs, atol=1e-5)
    assert out.diff["max_rel_diff"] <= 1e-5
    assert len(out.report.blocks_fused) == 9 and out.report.bn_after == 0 and out.notes() == []
    assert out.latency_ms["before"] > 0 and out.latency_ms["after"] > 0
    # what the window shows: status line, results table, title, actions
    assert f.label.text() == "fused: 9 blocks re-parameterised"
    assert out.status_line().startswith("Fused: 9 blocks re-parameterised; params 135,722")
    # the figures in the panel beside the graph, no dialog over it
    dock = f.panel.parentWidget()
    assert dock.objectName() == "fusion" and window.dockWidgetArea(dock) == Qt.RightDockWidgetArea
    assert results_shown(window)
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    rows = {r[0]: r[1:] for r in f.panel.rows()}
    assert rows["parameters"][:2] == ["135,722", "120,938"]
    assert rows["convolutions"][:2] == ["18", "9"]
    an_b, an_a = out.before.graph, out.after.graph
    assert rows["MACs"][:2] == [f"{an_b.total_macs:,}", f"{an_a.total_macs:,}"]
    assert rows["graph nodes"][:2] == [
        f"{an_b.g.number_of_nodes():,}",
        f"{an_a.g.number_of_nodes():,}",
    ]
    assert float(rows["max relative difference"][1]) <= 1e-5
    # the command line's check and timing (cnn-explorer fuse): seeded noise, its rounds
    from explorer.app.workflows.fuse import FuseSettings

    assert rows["max |difference|"][2] == "on seeded noise"
    latency = next(k for k in rows if k.startswith("latency"))
    assert latency == f"latency ({out.device}, batch 1, median of {FuseSettings().repeats})"
    assert out.repeats == FuseSettings().repeats and out.input_shape[0] == 1
    assert "(fused)" in window.windowTitle() and window.info_label.text().endswith("| fused")
    assert f.act_deploy.text() == "Unfuse" and f.act_unfuse.isEnabled()
    assert not f.act_fuse.isEnabled() and not window.run_cancel.isVisible()
    # the inspector follows the fused graph
    assert window.select_block("stage1.0")
    assert window.inspector.rows["type"] == "RepVGGBlockReparam"

    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT) as sig:
        f.act_deploy.trigger()  # Unfuse
    assert not s.fused and s.analysis is unfused
    assert "repvgg" in kinds(window)[0] and "repvgg" in kinds(window)[1]
    assert g.boxes["stage1.0"].box.open and "stage1.0.conv_1x1" in g.boxes  # as it was
    assert top5(sig.args[0]) == top5(before)
    assert f.act_deploy.text() == "Fuse for deployment" and "(fused)" not in window.windowTitle()
    assert f.label.text() == ""


def test_merge_animation_moves_the_branches(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    g = window.graph
    window.session.set_expanded(window.session.expanded | {"stem"})
    frame = g.boxes["stem"]
    item = g.boxes["stem.conv_1x1"]
    start = item.sceneBoundingRect().center()
    centre = frame.sceneBoundingRect().center()
    done: list[bool] = []
    with qtbot.waitSignal(g.mergeFinished, timeout=TIMEOUT):
        assert g.animate_merge({"stem": ["stem.conv_1x1", "stem:add"]}, 300, lambda: done.append(1))
        assert g.merging
        qtbot.waitUntil(lambda: item.opacity() < 0.5, timeout=TIMEOUT)
        now = item.sceneBoundingRect().center()
        assert (now - centre).manhattanLength() < (start - centre).manhattanLength()
    assert done == [1] and not g.merging
    assert item.opacity() == pytest.approx(0.0)
    # nothing drawn to merge: done still comes, from the event loop
    with qtbot.waitSignal(g.mergeFinished, timeout=TIMEOUT):
        assert not g.animate_merge({"no.such": ["box"]}, 300, lambda: done.append(2))
    assert done == [1, 2]
    # stopped: the boxes are back, done is not called
    window._relayout()
    item = g.boxes["stem.conv_1x1"]
    pos = item.pos()
    g.animate_merge({"stem": ["stem.conv_1x1"]}, 5_000, lambda: done.append(3))
    qtbot.waitUntil(lambda: item.opacity() < 0.99, timeout=TIMEOUT)
    g.stop_merge()
    assert item.pos() == pos and item.opacity() == 1.0 and done == [1, 2]


def test_fusion_opens_a_block_to_show_the_merge(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    s, g = window.session, window.graph
    assert not any(i.box.open and i.box.kind == "repvgg" for i in g.boxes.values())
    opened: list[str] = []
    s.connect(
        Event.EXPANDED_CHANGED,
        lambda e: opened.extend(u for u in e if u in g.boxes and g.boxes[u].box.kind == "repvgg"),
    )
    out, _ = fuse(qtbot, window)
    assert opened and opened[0] in out.report.blocks_fused  # opened for the animation ...
    # ... one box now (or back in its repeat group, opened for the merge)
    assert opened[0] not in s.expanded
    unit = g.unit_for_block(opened[0])
    assert unit is not None and not g.boxes[unit].box.open


# -- deleting blocks, weights and other models while fused -----------------------------------------


def test_delete_a_block_of_the_fused_model(qtbot, window) -> None:
    import torch

    from explorer.studies.lesion.surgery import lesioned_model

    intact = load(qtbot, window, "repvgg_small")
    s = window.session
    # unfused, a RepVGG block loses branches (a whole block is refused) ...
    assert window.deletion_problem("stage2.1") is not None
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT) as sig:
        assert window.toggle_deleted("stage2.1.identity")
    assert sig.args[0].deleted == ["stage2.1.identity"]
    settle(qtbot, window)
    # ... fusing clears the deletions (their ids belong to the other graph), and their undo
    _out, res = fuse(qtbot, window)
    assert s.deleted == frozenset() and not window.act_undo.isEnabled()
    assert res.deleted == [] and window.deleted_label.text() == ""
    assert np.allclose(res.probs, intact.probs, atol=1e-5)
    # ... and a fused block, one conv and its ReLU, can go whole (the identity)
    assert window.deletion_problem("stage2.1") is None
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT) as sig:
        assert window.toggle_deleted("stage2.1")
    res = sig.args[0]
    assert res.deleted == ["stage2.1"] and s.deleted == {"stage2.1"}
    assert window.graph.boxes[window.graph.unit_for_block("stage2.1")].deleted
    assert window.deleted_label.text() == "1 block deleted"
    net, _ = lesioned_model(s.analysis, ["stage2.1"])
    with torch.inference_mode():
        direct = net(res.input).softmax(-1).numpy()
    assert np.allclose(res.probs, direct, atol=1e-5)
    assert not np.allclose(res.probs, intact.probs, atol=1e-3)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT) as sig:
        window.session.undo()
    assert sig.args[0].deleted == []


def test_weights_while_fused_go_to_the_training_time_model(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    s = window.session
    unfused = s.analysis
    fuse(qtbot, window)
    with qtbot.waitSignal(window.run.weightsLoaded, timeout=TIMEOUT) as sig:
        window.run.request_weights("random")
    assert sig.args[0].kind == "random" and not sig.args[0].trained
    assert not s.fused and s.analysis is unfused and s.weights_info is sig.args[0]
    settle(qtbot, window)
    assert window.fusion.act_fuse.isEnabled()


def test_another_model_while_fused_starts_clean(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    fuse(qtbot, window)
    load(qtbot, window, "lenet5")
    s, f = window.session, window.fusion
    assert not s.fused and s.unfused_analysis is None and s.model_name == "lenet5"
    assert "(fused)" not in window.windowTitle() and "fused" not in window.info_label.text()
    assert f.act_deploy.text() == "Fuse for deployment"
    assert not f.act_unfuse.isEnabled() and not f.act_fuse.isEnabled()


# -- conv-BN folding --------------------------------------------------------------------------------


def test_fold_batchnorm_on_resnet18(qtbot, window) -> None:
    before = load(qtbot, window, "resnet18")
    f, s = window.fusion, window.session
    assert not f.act_fuse.isEnabled()  # no RepVGG blocks
    assert f.act_fold.isEnabled() and f.act_deploy.isEnabled()
    assert "norm" in kinds(window)[0]  # drawn as a mark of its conv's box ("BN")
    out, res = fuse(qtbot, window)  # the toolbar's button folds
    assert out.kind == "conv-bn" and len(out.report.blocks_fused) == 20
    tree_kinds, drawn = kinds(window)
    assert "norm" not in tree_kinds and "norm" not in drawn
    assert all(not type(m).__name__.startswith("BatchNorm") for m in s.analysis.model.modules())
    assert top5(res) == top5(before)
    assert out.diff["max_rel_diff"] <= 1e-5
    assert f.label.text() == "fused: 20 BatchNorms folded"
    # offline its weights are random: the results say the check means less
    assert not s.weights_info.trained and "untrained" in f.panel.body.text()


# -- cancel -----------------------------------------------------------------------------------------


def test_cancel_mid_fusion_leaves_the_model_unfused(qtbot, window, monkeypatch) -> None:
    import explorer.studies.fusion.repvgg as fusion

    first = load(qtbot, window, "repvgg_small")
    s, f = window.session, window.fusion
    unfused, n_boxes = s.analysis, len(window.graph.boxes)
    shown: list[object] = []
    f.fused.connect(shown.append)
    hold = Hold(monkeypatch)
    monkeypatch.setattr(fusion, "fuse_repvgg", hold.wrap(fusion.fuse_repvgg))
    assert f.fuse("repvgg")
    qtbot.waitUntil(hold.entered.is_set, timeout=TIMEOUT)
    for w in (window.run_cancel, window.run_busy):
        assert w.isVisible() and not w.visibleRegion().isEmpty()
    assert not f.act_deploy.isEnabled()  # one fusion at a time
    qtbot.mouseClick(window.run_cancel, Qt.LeftButton)
    assert hold.release.is_set() and not window.run_cancel.isVisible()
    settle(qtbot, window)
    assert shown == [] and not s.fused and s.analysis is unfused
    assert len(window.graph.boxes) == n_boxes and "repvgg" in kinds(window)[1]
    assert "cancelled" in window.status_label.text()
    # the predictions shown still hold: only the fusion was cancelled
    assert s.result is first and not window.panels["Predictions"].stale
    assert f.act_deploy.isEnabled() and f.act_fuse.isEnabled()


# -- the scripted screenshot ------------------------------------------------------------------------


@pytest.mark.slow
def test_fuse_screenshot_command(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "fused.png"
    cmd = [sys.executable, "-m", "explorer", "--model", "repvgg_small", "--expand", "stage1.0",
           "--fuse", "--screenshot", str(out), "--size", "1000x700"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    t = json.loads(proc.stdout.strip().splitlines()[-1])
    assert t["graph_shown_s"] < t["fused_s"] < t["run_shown_s"]  # saved after the fused run
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1000, 700)
    # a model with nothing to fuse: said, and the window is still saved
    cmd[cmd.index("repvgg_small")] = "lenet5"
    i = cmd.index("--expand")
    del cmd[i : i + 2]  # lenet5 has no stage1.0 (an --expand of no block is an error of its own)
    cmd.append("--force")  # the same file again
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "nothing to fuse in lenet5" in proc.stderr
