"""A start from the analysis cache: the stored graph drawn before torch is imported, then the
model built in the background; images, deletion and fusion wait for it and work as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

TIMEOUT = 90_000  # ms: a model load and a forward pass on two shared cores

# a window in a process of its own: what is imported when the graph is first drawn
FIRST_DRAW = r"""
import json, sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from explorer.ui.main_window import MainWindow

win = MainWindow(settings=QSettings(sys.argv[2], QSettings.IniFormat))
win.show()
seen = {}
LIBS = ("torch", "torchvision", "timm")


def drawn(name, stored):
    if "drawn" not in seen:
        win.graph.viewport().repaint()
        seen["drawn"] = {
            "stored": stored,
            "imported": [m for m in LIBS if m in sys.modules],
            "boxes": len(win.graph.boxes),
            "built": win.session.analysis.built,
        }


def shown(name):
    seen["shown"] = {
        "imported": [m for m in LIBS if m in sys.modules],
        "built": win.session.analysis.built,
        "boxes": len(win.graph.boxes),
    }
    win.close()
    app.quit()


win.graphDrawn.connect(drawn)
win.graphShown.connect(shown)
QTimer.singleShot(0, lambda: win.load_model(sys.argv[1]))
QTimer.singleShot(120_000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def first_draw(tmp_path: Path, name: str) -> dict:
    env = {**os.environ, "CNN_EXPLORER_GRAPH_CACHE": str(tmp_path / "graphs")}
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_DRAW, name, str(tmp_path / "settings.ini")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_second_start_draws_the_graph_before_torch_is_imported(tmp_path: Path) -> None:
    first = first_draw(tmp_path, "resnet56")
    assert first["drawn"]["stored"] is False  # nothing stored yet: traced, with torch
    assert "torch" in first["drawn"]["imported"]
    second = first_draw(tmp_path, "resnet56")
    drawn, shown = second["drawn"], second["shown"]
    assert drawn["stored"] is True
    assert drawn["imported"] == []  # no torch, torchvision or timm when first on screen
    assert not drawn["built"] and drawn["boxes"] > 10
    assert shown["built"] and "torch" in shown["imported"]
    assert shown["boxes"] == drawn["boxes"] == first["shown"]["boxes"]


def test_scripted_run_says_where_the_first_graph_came_from(tmp_path: Path) -> None:
    """``--screenshot`` prints when the first graph was on screen, and whether it was the
    stored one; an image run after a cached start still works (exit 0, run_shown_s)."""
    env = {**os.environ, "CNN_EXPLORER_GRAPH_CACHE": str(tmp_path / "graphs")}
    times = []
    for i in range(2):
        out = tmp_path / f"shot{i}.png"
        proc = subprocess.run(
            [sys.executable, "-m", "explorer", "--model", "resnet20", "--image",
             "sample:digits-3", "--screenshot", str(out), "--size", "1000x700"],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert out.is_file()
        times.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert times[0]["graph_stored"] is False and times[0]["torch_at_graph_drawn"] is True
    assert times[1]["graph_stored"] is True and times[1]["torch_at_graph_drawn"] is False
    assert times[1]["graph_drawn_s"] < times[1]["graph_shown_s"] <= times[1]["run_shown_s"]


# -- in the window: what waits for the model ---------------------------------------------------


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "graphs"
    monkeypatch.setenv("CNN_EXPLORER_GRAPH_CACHE", str(where))
    return where


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The model's build waits for this event (the stored graph stays shown until then)."""
    import explorer.graph.analysis as analysis

    go = threading.Event()
    real = analysis.analyze_steps

    def waiting(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        go.wait(60)
        return (yield from real(*a, **kw))

    monkeypatch.setattr(analysis, "analyze_steps", waiting)
    return go


def settle(qtbot, win) -> None:  # noqa: ANN001
    qtbot.waitUntil(
        lambda: not (win.run._timer.isActive() or win.jobs.busy() or win.fusion.busy),
        timeout=TIMEOUT,
    )
    QApplication.processEvents()


def test_images_deletion_and_fusion_wait_for_the_model(qtbot, window, cached, held) -> None:  # noqa: ANN001
    win = window
    held.set()  # the first start traces resnet20 and stores it
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT):
        win.load_model("resnet20")
        win.run.open_sample("digits-3")
    settle(qtbot, win)
    assert list(cached.iterdir())
    before = {u: (b.x, b.y) for u, b in win.layout_data.boxes.items()}

    held.clear()  # the second start: the stored graph, the model held back
    ran: list = []
    win.run.ran.connect(ran.append)
    with qtbot.waitSignal(win.graphDrawn, timeout=TIMEOUT) as sig:
        win.load_model("resnet20")
    assert sig.args == ["resnet20", True]
    s = win.session
    assert s.previewing and not s.analysis.built and s.loading == "resnet20"
    assert {u: (b.x, b.y) for u, b in win.layout_data.boxes.items()} == before
    # the user looks around: selecting and opening work on the stored graph
    assert win.select_block("layer2.1")
    # what needs the model waits for it
    assert "still loading" in win.deletion_problem("layer2.1")
    assert not win.toggle_deleted("layer2.1") and s.deleted == frozenset()
    assert not win.fusion.act_deploy.isEnabled()
    win.run.request_weights("random")  # recorded; applied when the model arrives
    QApplication.processEvents()
    assert s.weights_info is None and not win.jobs.busy("weights") and ran == []

    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT):
        held.set()
    settle(qtbot, win)
    assert s.analysis.built and not s.previewing and s.loading is None
    assert s.selected == "layer2.1"  # the user's selection stayed
    assert s.weights_info.kind == "random"
    res = ran[-1]
    assert res.top[0] and res.probes is not None

    # deletion and fusion as without a cache
    with qtbot.waitSignal(win.run.ran, timeout=TIMEOUT) as sig:
        assert win.toggle_deleted("layer2.1")
    assert sig.args[0].deleted == ["layer2.1"]
    settle(qtbot, win)
    win.session.restore_all()
    settle(qtbot, win)
    with qtbot.waitSignal(win.fusion.fused, timeout=TIMEOUT):
        assert win.fusion.act_deploy.isEnabled()
        win.fusion.act_deploy.trigger()
    settle(qtbot, win)
    assert s.fused


def test_a_failed_load_after_the_stored_graph_leaves_it_inert(qtbot, window, cached, monkeypatch):  # noqa: ANN001, ANN201
    win = window
    with qtbot.waitSignal(win.graphShown, timeout=TIMEOUT):
        win.load_model("resnet20")
    settle(qtbot, win)  # its weights are in: no job of the first model is left
    import explorer.graph.analysis as analysis

    def broken(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        yield 0.1, "importing torch"
        raise RuntimeError("torch is broken")

    monkeypatch.setattr(analysis, "analyze_steps", broken)
    with qtbot.waitSignal(win.modelFailed, timeout=TIMEOUT):
        win.load_model("resnet20")
    s = win.session
    assert s.previewing and not s.analysis.built and s.loading is None
    assert win.deletion_problem("layer2.1") is not None
    weights_jobs = win.jobs.generation("weights")
    win.run.request_weights("random")
    QApplication.processEvents()
    assert win.jobs.generation("weights") == weights_jobs  # none started: no model to take them
    assert s.weights_info is None
