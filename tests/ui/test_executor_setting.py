"""Model > Evaluate on: the choice kept in the settings; a bad address or a missing Ray said in
one line; a sweep in the window on a real local Ray instance, the same as in this process, and
its Cancel."""

from __future__ import annotations

import sys

import pytest

from explorer.ui.executor_setting import SETTINGS_KEY, choose_executor

TIMEOUT = 180_000


def test_the_choice_is_kept_and_a_new_window_starts_with_it(qtbot, window, settings):
    from explorer.ui.main_window import MainWindow

    acts = window.executor_actions
    assert acts[""].isChecked() and window.session.ray is None
    acts["local"].trigger()
    assert window.session.ray == "local" and settings.value(SETTINGS_KEY) == "local"
    assert "a local Ray instance" in window.status_label.text()
    assert choose_executor(window, "cluster", "ray://head:10001")
    assert window.session.ray == "ray://head:10001" and acts["cluster"].isChecked()
    assert "ray://head:10001" in acts["cluster"].text()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.session.ray == "ray://head:10001"
    assert again.executor_actions["cluster"].isChecked()
    acts[""].trigger()
    assert window.session.ray is None and settings.value(SETTINGS_KEY) == ""


def test_a_bad_address_is_one_line_and_the_choice_stays(window):
    assert choose_executor(window, "local")
    assert not choose_executor(window, "cluster", "no address")
    assert "give local" in window.status_label.text()
    assert window.session.ray == "local" and window.executor_actions["local"].isChecked()


def test_a_missing_ray_is_one_line_and_the_choice_stays(window, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    assert not choose_executor(window, "local")
    assert "pip install" in window.status_label.text()
    assert window.session.ray is None and window.executor_actions[""].isChecked()


def _sweep(qtbot, win, kind: str) -> dict:
    with qtbot.waitSignal(win.eval.sweepDone, timeout=TIMEOUT) as sig:
        win.eval.start_sweep(kind, 2, 2)
    return sig.args[1]


def test_a_sweep_in_the_window_on_ray_is_the_one_in_this_process(qtbot, window):
    pytest.importorskip("ray")
    with qtbot.waitSignal(window.eval.accuracy, timeout=TIMEOUT):
        window.load_model("resnet20")
    window.eval.limit = 64
    here = _sweep(qtbot, window, "random")
    assert choose_executor(window, "local")
    there = _sweep(qtbot, window, "random")
    assert here["workers"] == 1 and there["workers"] >= 1
    (i1, r1), (i2, r2) = here["result"], there["result"]
    assert i1.top1 == i2.top1 and sorted(r1) == sorted(r2) == [1, 2]
    for k in r1:
        assert [(r.deleted, r.top1) for r in r1[k]] == [(r.deleted, r.top1) for r in r2[k]]
        assert [r.loss for r in r2[k]] == pytest.approx([r.loss for r in r1[k]], abs=1e-4)
    import ray

    assert not ray.is_initialized()  # the instance the sweep started is stopped with it


def test_cancel_a_sweep_on_ray(qtbot, window):
    pytest.importorskip("ray")
    with qtbot.waitSignal(window.eval.accuracy, timeout=TIMEOUT):
        window.load_model("resnet20")
    assert choose_executor(window, "local")
    progressed: list[object] = []
    window.eval.sweepProgress.connect(lambda *a: progressed.append(a))
    window.eval.start_sweep("random", 8, 20)
    qtbot.waitUntil(lambda: bool(progressed), timeout=TIMEOUT)
    assert window.eval.cancel()
    assert not window.jobs.busy("sweep")
    import ray

    qtbot.waitUntil(lambda: not ray.is_initialized(), timeout=60_000)  # stopped with the job
