"""What the panels and the status bar show across models: the current model's figures, or
an explicit "loading"/"updating" with nothing stale under it; hints that follow the images;
outputs that are not numbers; weights that carry warnings."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pyqtgraph as pg
import torch
from hold import Hold
from PySide6.QtWidgets import QApplication

TIMEOUT = 120_000


def load(qtbot, win, name: str):
    """Load ``name`` and wait for the run of its default image."""
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT) as sig:
        win.load_model(name)
    return sig.args[0]


def ran_after(qtbot, win, action, check=None):
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT, check_params_cb=check) as sig:
        action()
    return sig.args[0]


def accuracy_after(qtbot, win, action, check=None) -> dict:
    with qtbot.waitSignal(win.eval.accuracy, timeout=TIMEOUT, check_params_cb=check) as sig:
        action()
    return sig.args[0]


def drawn(plot) -> list:
    """The data items of a pyqtgraph plot (curves, bars, scatter points)."""
    return [i for i in plot.items if isinstance(i, pg.PlotDataItem | pg.BarGraphItem
                                                | pg.ScatterPlotItem)]  # fmt: skip


def nothing_shown(win) -> list[str]:
    """The panels that still show figures (an empty list: every one is blank)."""
    p = win.panels
    shown = {
        "Predictions": bool(p["Predictions"].rows()) or not p["Predictions"].view.pixmap().isNull(),
        "Feature maps": p["Feature maps"].grid_item.image is not None,
        "SE weights": p["SE weights"].heat_item.image is not None
        or bool(drawn(p["SE weights"].bars)),
        "Activation std": bool(drawn(p["Activation std"].ordered)),
        "Accuracy": p["Accuracy"].table.rowCount() > 0,
        "Sweeps": bool(drawn(p["Sweeps"].plot.getPlotItem())),
    }
    return [t for t, on in shown.items() if on]


# -- another model ------------------------------------------------------------------------------


def test_another_model_forgets_the_deletions_everywhere(qtbot, window) -> None:
    """resnet56 with two blocks deleted, then another model: the status bar said "2 blocks
    deleted" while the Accuracy panel said nothing was."""
    accuracy_after(qtbot, window, lambda: window.load_model("resnet20"))
    res = accuracy_after(
        qtbot, window,
        lambda: window.toggle_deleted("layer1.1") and window.toggle_deleted("layer2.1"),
        check=lambda r: len(r["deleted"]) == 2,
    )  # fmt: skip
    assert window.deleted_label.text() == "2 blocks deleted" and res["modified"] is not None
    res = accuracy_after(qtbot, window, lambda: window.load_model("plain20"))
    assert window.session.model_name == "plain20" and res["deleted"] == []
    assert window.session.deleted == frozenset() and window.deleted_label.text() == ""
    assert not (window.act_undo.isEnabled() or window.act_restore.isEnabled())
    acc = window.panels["Accuracy"]
    assert acc.table.item(0, 2).text() == "(nothing deleted)" and "intact" in acc.status.text()


def test_no_panel_shows_the_old_model_while_the_new_one_loads(qtbot, window, monkeypatch) -> None:
    """plain56's predictions stayed under "updating..." while resnet56 loaded (~15 s)."""
    import explorer.graph.analysis as analysis

    load(qtbot, window, "lenet5")
    window.show_panel("Sweeps")
    with qtbot.waitSignal(window.eval.sweepDone, timeout=TIMEOUT):
        window.eval.start_sweep("single")
    # the accuracy evaluation starts once the first run has shown (it no longer shares the CPU)
    qtbot.waitUntil(
        lambda: (
            set(nothing_shown(window)) >= {"Predictions", "Activation std", "Accuracy", "Sweeps"}
        ),
        timeout=TIMEOUT,
    )
    hold = Hold(monkeypatch)
    monkeypatch.setattr(analysis, "analyze_steps", hold.wrap_steps(analysis.analyze_steps))
    window.load_model("resnet20")
    assert nothing_shown(window) == []
    for title, panel in window.panels.items():
        assert "loading resnet20" in panel.status.text(), title
    # a change meanwhile runs nothing: the model it would run is on its way out
    window.run.open_sample("digits-2")
    assert not (window.run._timer.isActive() or window.jobs.busy("run"))
    qtbot.waitUntil(hold.entered.is_set, timeout=TIMEOUT)
    res = ran_after(qtbot, window, hold.release.set)
    assert window.session.model_name == "resnet20" and window.session.result is res
    assert window.panels["Predictions"].rows()


def test_a_load_that_fails_or_is_cancelled_shows_the_old_model_again(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    import explorer.graph.analysis as analysis

    load(qtbot, window, "lenet5")
    bad = tmp_path / "bad.py"
    bad.write_text("def make():\n    raise RuntimeError('no such layer')\n")
    res = ran_after(qtbot, window, lambda: window.load_model(f"{bad}:make"))
    assert window.session.model_name == "lenet5" and window.session.result is res
    assert window.panels["Predictions"].rows()
    window._last_error_box.close()
    hold = Hold(monkeypatch)
    monkeypatch.setattr(analysis, "analyze_steps", hold.wrap_steps(analysis.analyze_steps))
    window.load_model("resnet20")
    qtbot.waitUntil(hold.entered.is_set, timeout=TIMEOUT)
    res = ran_after(qtbot, window, window.cancel_loading)
    assert window.session.model_name == "lenet5" and window.panels["Predictions"].rows()


def test_the_se_hint_goes_once_image_b_is_chosen(qtbot, window) -> None:
    from explorer.runtime.images import load_sample

    load(qtbot, window, "se_resnet20")
    s, se = window.session, window.panels["SE weights"]
    assert not se.hint.isHidden() and "image B" in se.hint.text()
    ran_after(qtbot, window, lambda: s.add_images([load_sample("digits-7")], select=False))
    res = ran_after(qtbot, window, lambda: window.run.compare_combo.activated.emit(2))
    assert res.probes.batch == 2 and s.compare_image.name == "digits-7"
    assert se.hint.isHidden()
    ran_after(qtbot, window, lambda: window.run.compare_combo.activated.emit(0))  # (none)
    assert s.compare_image is None and not se.hint.isHidden()


# -- outputs that are not numbers ------------------------------------------------------------------


def test_predictions_of_outputs_that_are_not_numbers(qtbot, window) -> None:
    """A network whose outputs are NaN: "cannot convert float NaN to integer" was raised."""
    load(qtbot, window, "lenet5")
    with torch.no_grad():
        next(window.session.analysis.model.parameters()).fill_(math.nan)
    res = ran_after(qtbot, window, lambda: window.session.set_device("cpu"))
    assert math.isnan(res.top[0][0].prob)
    pred = window.panels["Predictions"]
    rows = pred.rows()
    assert len(rows) == 5 and all(p == "NaN" for _r, _c, p in rows)
    text = pred.status.text()
    assert "not numbers" in text and "#c0392b" in text
    for title, panel in window.panels.items():
        assert "panel failed" not in panel.status.text(), title


def test_a_probability_that_is_infinite_or_nan_is_said_as_such(qtbot) -> None:
    from types import SimpleNamespace

    from explorer.runtime.inference import TopK
    from explorer.ui.panels.predictions import PredictionsPanel

    panel = PredictionsPanel()
    qtbot.addWidget(panel)
    top = [TopK(3, "three", math.inf), TopK(1, "one", math.nan), TopK(2, "two", 0.25)]
    result = SimpleNamespace(top=[top], latency_ms=1.0, device="cpu", notes=[], nonfinite=1)
    session = SimpleNamespace(image=None, weights_info=None)
    panel.show_result(result, session)
    assert [p for _r, _c, p in panel.rows()] == ["inf", "NaN", "25.00%"]
    assert "not numbers" in panel.status.text()


# -- weights with warnings -----------------------------------------------------------------------


def with_warnings(info, warnings: tuple[str, ...]):
    """``info`` (a WeightsInfo) carrying ``warnings``, with or without that field declared."""
    if "warnings" in {f.name for f in dataclasses.fields(info)}:
        return dataclasses.replace(info, warnings=warnings)
    info.warnings = warnings
    return info


def test_weights_warnings_show_in_red_in_the_status_bar(qtbot, window, monkeypatch) -> None:
    import explorer.runtime.pipeline as pipeline

    real = pipeline.apply_weights
    warning = "2 tensors hold NaN or infinity: c1.weight, f6.bias"
    monkeypatch.setattr(pipeline, "apply_weights",
                        lambda *a, **k: with_warnings(real(*a, **k), (warning,)))  # fmt: skip
    load(qtbot, window, "lenet5")
    label = window.status_bar.warnings_label
    assert warning in label.text() and "#c0392b" in label.styleSheet()
    assert label.isVisibleTo(window)
    monkeypatch.setattr(pipeline, "apply_weights", real)
    with qtbot.waitSignal(window.run.weightsLoaded, timeout=TIMEOUT):
        window.run.request_weights("random")
    QApplication.processEvents()
    assert label.text() == "" and not label.isVisibleTo(window)
