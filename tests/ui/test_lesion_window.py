"""Deleting blocks in the window: keys, menu, inspector, undo; the accuracy and sweep panels;
bad input (refused blocks, data that does not fit, an empty folder); cancel and close mid-sweep."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

TIMEOUT = 120_000
EVAL = ("accuracy", "sweep")  # the job runner's lanes of the evaluations


def load(qtbot, win, name: str) -> dict:
    """Load a built-in model and wait for its first accuracy on digits."""
    with qtbot.waitSignal(win.eval.accuracy, timeout=TIMEOUT) as sig:
        win.load_model(name)
    return sig.args[0]


def accuracy_after(qtbot, win, action) -> dict:
    with qtbot.waitSignal(win.eval.accuracy, timeout=TIMEOUT) as sig:
        action()
    return sig.args[0]


def test_delete_key_undo_redo_and_the_accuracy_panel(qtbot, window):
    first = load(qtbot, window, "resnet20")
    assert first["modified"] is None and first["intact"].top1 > 95.0
    assert window.select_block("layer2.1")
    # the Delete key is the Edit menu's action
    assert window.act_delete.shortcut() == QKeySequence(QKeySequence.StandardKey.Delete)
    res = accuracy_after(qtbot, window, window.act_delete.trigger)
    assert res["deleted"] == ["layer2.1"] and window.session.deleted == {"layer2.1"}
    assert res["intact"] is first["intact"]  # the intact network's result is cached
    assert res["modified"].agreement is not None
    assert window.inspector.deleted_box.isChecked()
    assert window.graph.boxes[window.graph.unit_for_block("layer2.1")].deleted
    rows = window.panels["Accuracy"].table
    assert rows.item(0, 1).text().endswith("%") and rows.item(3, 0).text().startswith("agreement")
    assert window.deleted_label.text() == "1 block deleted"
    res = accuracy_after(qtbot, window, window.act_undo.trigger)
    assert res["deleted"] == [] and res["modified"] is None
    res = accuracy_after(qtbot, window, window.act_redo.trigger)
    assert res["deleted"] == ["layer2.1"]
    # the inspector's checkbox restores it
    res = accuracy_after(qtbot, window, lambda: window.inspector.deleted_box.setChecked(False))
    assert res["deleted"] == [] and not window.session.deleted


def test_a_block_that_cannot_go_is_refused_with_the_reason(qtbot, window):
    load(qtbot, window, "resnet20")
    assert window.select_block("conv1")
    assert not window.toggle_deleted()
    assert "differs from its input" in window.status_label.text()
    assert not window.inspector.deleted_box.isEnabled()
    menu = window.block_menu(window.graph.unit_for_block("conv1"))
    delete = next(a for a in menu.actions() if a.text().startswith("Delete block"))
    assert not delete.isEnabled() and "not possible" in delete.text()
    assert window.session.deleted == frozenset()


def test_deleting_every_block_still_runs(qtbot, window):
    load(qtbot, window, "resnet20")
    from explorer.studies.lesion.surgery import deletable_units

    units = deletable_units(window.session.analysis)

    def delete_all() -> None:
        window.session.set_deleted(units)

    res = accuracy_after(qtbot, window, delete_all)
    assert len(res["deleted"]) == 9 and res["modified"].n == 360
    assert res["modified"].top1 < res["intact"].top1


def test_data_that_does_not_fit_and_an_empty_folder(qtbot, window, tmp_path: Path):
    load(qtbot, window, "resnet20")
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros((4, 32, 32), np.uint8), y=np.array([0, 1, 2, 42]))
    with qtbot.waitSignal(window.eval.failed, timeout=TIMEOUT) as sig:
        window.eval.set_ref(str(bad))
    assert "not fit" in sig.args[0] and not sig.args[0].startswith("DataError")
    assert "not fit" in window.panels["Accuracy"].status.text()
    empty = tmp_path / "empty"
    empty.mkdir()
    with qtbot.waitSignal(window.eval.failed, timeout=TIMEOUT) as sig:
        window.eval.set_ref(str(empty))
    assert "empty" in sig.args[0] or "no image" in sig.args[0]
    # the window still works: back to the model's own set
    res = accuracy_after(qtbot, window, lambda: window.eval.set_ref(None))
    assert res["data"] == "digits (test)"


def test_single_sweep_plots_and_exports(qtbot, window, tmp_path: Path):
    load(qtbot, window, "resnet20")
    panel = window.panels["Sweeps"]
    with qtbot.waitSignal(window.eval.sweepDone, timeout=TIMEOUT) as sig:
        qtbot.mouseClick(panel.single_btn, Qt.MouseButton.LeftButton)
    kind, res = sig.args
    intact, runs = res["result"]
    assert kind == "single" and len(runs) == 9 and panel.ids == [r.deleted[0] for r in runs]
    panel.export_csv(str(tmp_path / "s.csv"))
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0].startswith("deleted,top1") and len(lines) == 10
    assert panel.export_png(str(tmp_path / "s.png")) and (tmp_path / "s.png").stat().st_size > 0
    with qtbot.waitSignal(window.eval.sweepDone, timeout=TIMEOUT) as sig:
        panel.k_spin.setValue(3)
        panel.trials_spin.setValue(2)
        qtbot.mouseClick(panel.random_btn, Qt.MouseButton.LeftButton)
    _, res = sig.args
    assert sorted(res["result"][1]) == [1, 2, 3] and all(
        len(v) == 2 for v in res["result"][1].values()
    )


def test_cancel_mid_sweep(qtbot, window):
    load(qtbot, window, "resnet56")
    done: list[object] = []
    window.eval.sweepDone.connect(lambda *a: done.append(a))
    progressed: list[object] = []
    window.eval.sweepProgress.connect(lambda *a: progressed.append(a))
    window.eval.start_sweep("single")
    qtbot.waitUntil(lambda: bool(progressed), timeout=TIMEOUT)
    qtbot.mouseClick(window.run_cancel, Qt.MouseButton.LeftButton)
    assert not window.jobs.busy("sweep") and not window.run_cancel.isVisible()
    # the sweep's thread stops at its next step; what it still sends is dropped
    qtbot.waitUntil(lambda: window.jobs.wait(0), timeout=TIMEOUT)
    qtbot.wait(200)
    assert not done
    assert "cancelled" in window.panels["Sweeps"].status.text()
    # the partial bars drawn so far go with it: they were not a result
    assert not window.panels["Sweeps"].plot.getPlotItem().listDataItems()
    assert not [i for i in window.panels["Sweeps"].plot.getPlotItem().items
                if isinstance(i, pg.BarGraphItem)]  # fmt: skip
    # and a new sweep still runs to its end
    with qtbot.waitSignal(window.eval.sweepDone, timeout=TIMEOUT):
        window.eval.start_sweep("reorder", trials=2)


def test_closing_the_window_mid_sweep(qtbot, window):
    load(qtbot, window, "resnet56")
    progressed: list[object] = []
    window.eval.sweepProgress.connect(lambda *a: progressed.append(a))
    window.eval.start_sweep("single")
    qtbot.waitUntil(lambda: bool(progressed), timeout=TIMEOUT)
    window.close()  # waits for the sweep's thread: no crash, nothing left running
    assert window.jobs.wait(0), "a job's thread still runs after the close"


def test_a_failing_sweep_is_said_and_its_busy_bar_ends(qtbot, window, monkeypatch):
    from explorer.studies.lesion import sweeps

    load(qtbot, window, "lenet5")

    def broken(*_a, **_k):
        raise RuntimeError("the sweep broke")
        yield  # a generator, like the real one

    monkeypatch.setattr(sweeps, "single_sweep", broken)
    accuracy_after(qtbot, window, window.eval.schedule)  # accuracy runs and sweeps now differ
    with qtbot.waitSignal(window.eval.failed, timeout=TIMEOUT) as sig:
        window.eval.start_sweep("single")
    assert "the sweep broke" in sig.args[0]
    qtbot.waitUntil(lambda: not window.jobs.busy(EVAL), timeout=TIMEOUT)


def test_an_accuracy_run_ending_mid_sweep_leaves_the_sweep_busy(qtbot, window):
    load(qtbot, window, "lenet5")
    window.eval.limit = 40
    window.eval.start_sweep("single")
    with qtbot.waitSignal(window.eval.accuracy, timeout=TIMEOUT):
        window.eval.schedule()
    if window.jobs.busy("sweep"):  # the sweep still runs: the bar and Cancel must stay
        assert window.jobs.busy(EVAL) and window.run_cancel.isVisibleTo(window)
    qtbot.waitUntil(lambda: not window.jobs.busy(EVAL), timeout=TIMEOUT)
