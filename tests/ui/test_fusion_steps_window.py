"""The RepVGG merge in five captioned steps: its length, its order, its pictures, its ends.

Timed with the monotonic clock from the first step to the animation's end; the steps'
pictures are checked against the fused model's own kernel; every interruption (another
model, Fuse pressed again, the window closed) must leave no card and no added item behind.
"""

from __future__ import annotations

import time

import pytest
import torch
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from test_fusion_window import TIMEOUT, fuse, load, results_shown, settle

from explorer.ui.fusion_card import MERGE_ITEMS, FusedBoxItem, TagItem

KEYS = ["fold", "pad", "identity", "sum", "fused"]


@pytest.fixture
def window(qtbot, settings):
    from explorer.ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.eval.limit = 40
    w.show()
    return w


def added_items(win, kind: type | tuple[type, ...] = MERGE_ITEMS) -> list[object]:
    """What the merge added to the scene (the fused box, the BN tags)."""
    return [i for i in win.graph.scene().items() if isinstance(i, kind)]


class Recorder:
    """The steps as they start (key, seconds since the first) and the end of the merge."""

    def __init__(self, win) -> None:
        self.win = win
        self.steps: list[tuple[str, float]] = []
        self.t0: float | None = None
        self.end: float | None = None
        self.captions: list[str] = []
        self.pictures: list[object] = []
        self.added: list[int] = []
        win.graph.merger.stepStarted.connect(self._on_step)
        win.graph.mergeFinished.connect(self._on_end)

    def _on_step(self, _i: int, key: str) -> None:
        now = time.monotonic()
        if self.t0 is None:
            self.t0 = now
        self.steps.append((key, now - self.t0))
        card = self.win.fusion.card
        self.captions.append(card.step.caption if card.isVisible() and card.step else "")
        self.pictures.append(card.step.pictures if card.step else None)
        self.added.append(
            (len(added_items(self.win, FusedBoxItem)), len(added_items(self.win, TagItem)))
        )

    def _on_end(self) -> None:
        if self.t0 is not None and self.end is None:
            self.end = time.monotonic() - self.t0

    def disconnect(self) -> None:
        self.win.graph.merger.stepStarted.disconnect(self._on_step)
        self.win.graph.mergeFinished.disconnect(self._on_end)


def test_five_steps_in_order_in_1_5_to_2_seconds(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    s, f, g = window.session, window.fusion, window.graph
    s.set_expanded(s.expanded | {"stage2.1..2"})  # drawn one by one
    s.select("stage2.1")  # its merge is the one shown (it has all three branches)
    settle(qtbot, window)  # the run for the selection's feature maps
    assert "stage2.1" in g.boxes and not g.boxes["stage2.1"].box.open
    zoom = g.transform().m11()
    rec = Recorder(window)
    zoom_fused: list[float] = []
    f.fused.connect(lambda _o: zoom_fused.append(g.transform().m11()))
    out, _res = fuse(qtbot, window)
    rec.disconnect()
    # the fused graph is shown at the zoom the view had before the merge (a resize of the
    # view during the merge may re-fit it afterwards: the wrapping's own rule)
    assert zoom_fused == [pytest.approx(zoom)]
    assert [k for k, _ in rec.steps] == KEYS
    # the merge lasts 1.5-2 s (the steps' sum is 1.8 s; a loaded machine may add a frame)
    assert rec.end is not None and 1.5 <= rec.end <= 2.3, rec.end
    starts = [t for _, t in rec.steps]
    assert starts == sorted(starts) and all(
        b - a >= 0.25 for a, b in zip(starts, starts[1:], strict=False)
    )
    # each step captioned on the card, the fused box drawn during the last one only
    assert all(rec.captions) and "BatchNorm" in rec.captions[0]
    assert "1x1" in rec.captions[1] and "delta" in rec.captions[2] and "Sum" in rec.captions[3]
    assert rec.captions[4] == "One block: 3x3 conv, 32 (with bias)"
    # added at the start: the fused box (shown by the last step), a BN tag for each of the two
    # conv branches (drawn as their boxes' "BN" mark, moved into them by the first step)
    assert rec.added == [(1, 2)] * 5
    # the pictures are the shown block's kernels: the sum is the fused conv's kernel [0, 0]
    k = out.kernels["stage2.1"]
    total = rec.pictures[3][-1]
    conv = next(m for m in s.analysis.model.get_submodule("stage2.1").modules()
                if isinstance(m, torch.nn.Conv2d))  # fmt: skip
    torch.testing.assert_close(
        torch.tensor(total.values, dtype=torch.float64),
        conv.weight.detach()[0, 0].double(),
        rtol=1e-5,
        atol=1e-6,
    )
    assert total.values == k.fused and rec.pictures[2][2].values == k.branch("identity").padded
    # ended cleanly: no card, no added item; the fused block drawn as one box
    assert not f.card.isVisible() and added_items(window) == []
    assert s.fused and not g.boxes["stage2.1"].box.open
    assert results_shown(window)


def test_speed_hook_and_reduced_motion(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    f = window.fusion
    f.speed = 6.0
    rec = Recorder(window)
    fuse(qtbot, window)
    rec.disconnect()
    assert [k for k, _ in rec.steps] == KEYS and rec.end is not None and rec.end < 1.0
    window.fusion.act_deploy.trigger()  # unfuse
    settle(qtbot, window)
    # reduced motion: no step played, the fused graph at once
    f.act_motion.setChecked(False)
    rec = Recorder(window)
    t0 = time.monotonic()
    fuse(qtbot, window)
    rec.disconnect()
    assert rec.steps == [] and window.session.fused and time.monotonic() - t0 < 60
    assert not f.card.isVisible() and added_items(window) == []


def start_and_wait_for_step(qtbot, win, index: int) -> None:
    """Fuse, and return while step ``index`` plays."""
    assert win.fusion.fuse("repvgg")
    qtbot.waitUntil(lambda: win.graph.merger.step_index >= index, timeout=TIMEOUT)
    assert win.graph.merging and win.fusion.card.isVisible() and win.fusion.animating


def test_another_model_mid_merge(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    start_and_wait_for_step(qtbot, window, 1)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
        window.load_model("lenet5")
    settle(qtbot, window)
    s, f = window.session, window.fusion
    assert s.model_name == "lenet5" and not s.fused and not f.busy
    assert not window.graph.merging and not f.card.isVisible() and added_items(window) == []
    qtbot.wait(2200)  # past the merge's end: nothing arrives late
    assert not s.fused and s.model_name == "lenet5" and f.last is None


def test_fuse_pressed_again_mid_merge_finishes_it(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    f = window.fusion
    start_and_wait_for_step(qtbot, window, 1)
    assert f.act_deploy.isEnabled() and "now" in f.act_deploy.toolTip()
    t0 = time.monotonic()
    with qtbot.waitSignal(f.fused, timeout=TIMEOUT):
        f.act_deploy.trigger()
    assert time.monotonic() - t0 < 1.0  # the rest of the steps skipped
    settle(qtbot, window)
    assert window.session.fused and not f.card.isVisible() and added_items(window) == []
    assert f.act_deploy.text() == "Unfuse"
    # and once more on the fused model: nothing to fuse, no crash
    assert not f.fuse("repvgg")


def test_window_closed_mid_merge(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    f = window.fusion
    start_and_wait_for_step(qtbot, window, 2)
    fused: list[object] = []
    f.fused.connect(fused.append)
    window.close()
    qtbot.wait(2200)  # past the merge's end
    QApplication.processEvents()
    assert fused == []  # nothing was swapped into a closed window
    assert not f.card.isVisible()


def test_results_panel_readable_at_1280x720(qtbot, window) -> None:
    window.resize(1280, 720)
    load(qtbot, window, "repvgg_small")
    f = window.fusion
    f.speed = 6.0
    QTimer.singleShot(0, lambda: None)

    def dialogs() -> set:  # (a message box another test's window left open is not this one's)
        return {
            id(w)
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible()
        }

    before = dialogs()
    out, _ = fuse(qtbot, window)
    assert results_shown(window)
    assert not dialogs() - before
    body = f.panel.body
    assert body.fontInfo().pixelSize() >= 12
    text = body.text()
    for name, _before, after, _change in out.rows():
        assert name in text.replace("&amp;", "&") and after.split()[0] in text
    # wrapped to the dock's width: nothing cut on the right
    assert body.width() <= f.panel.width() and body.wordWrap()
    dock = f.panel.parentWidget()
    assert dock.width() >= 200 and dock.height() >= 200


def test_a_resized_view_does_not_end_the_merge(qtbot, window) -> None:
    load(qtbot, window, "repvgg_small")
    start_and_wait_for_step(qtbot, window, 0)
    window.resize(window.width() - 60, window.height() - 40)
    qtbot.wait(400)  # past the view's resize settling (200 ms), inside the 1.8 s merge
    assert window.graph.merging and window.fusion.card.isVisible()
    with qtbot.waitSignal(window.fusion.fused, timeout=TIMEOUT):
        pass
    settle(qtbot, window)
    assert window.session.fused and added_items(window) == []


# -- the scripted screenshot mid-merge --------------------------------------------------------


def run_window(*args: str):
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "explorer", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_screenshot_at_needs_fuse_and_a_time_inside_the_merge(tmp_path) -> None:
    out = str(tmp_path / "x.png")
    for extra, said in (
        (["--screenshot-at", "0.8"], "--screenshot-at needs --fuse and --screenshot"),
        (["--fuse", "--screenshot-at", "5"], "--screenshot-at: at most 1.8 s"),
        (["--fuse", "--screenshot-at", "-1"], "expected a positive number of seconds"),
    ):
        proc = run_window("--model", "repvgg_small", "--screenshot", out, *extra)
        assert proc.returncode == 2, proc.stderr
        lines = [ln for ln in proc.stderr.splitlines() if "propagateSizeHints" not in ln]
        assert len(lines) == 1 and said in lines[0], proc.stderr


@pytest.mark.slow
def test_screenshot_mid_merge(tmp_path) -> None:
    import json

    from PySide6.QtGui import QColor, QImage

    out = tmp_path / "mid.png"
    proc = run_window("--model", "repvgg_small", "--fuse", "--screenshot-at", "0.8",
                      "--screenshot", str(out), "--size", "1280x720")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    t = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "fused_s" not in t  # saved before the fused graph replaced the merge
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 720)
    # the card's frame (#1f5fa8) is on the picture: a long run of its pixels on some row
    blue = QColor("#1f5fa8").rgb() & 0xFFFFFF
    longest = 0
    for y in range(0, img.height(), 2):
        run = 0
        for x in range(img.width()):
            run = run + 1 if img.pixel(x, y) & 0xFFFFFF == blue else 0
            longest = max(longest, run)
    assert longest >= 200


def test_the_merge_shown_has_all_three_branches(qtbot, window) -> None:
    """repvgg_small draws its blocks with an identity branch as repeat groups: one group is
    opened for the merge, and closed again once the fused graph is shown."""
    load(qtbot, window, "repvgg_small")
    s, g = window.session, window.graph
    groups = {u for u, i in g.boxes.items() if i.box.count > 1}
    assert groups and not (groups & s.expanded)
    shown: list[str] = []
    window.fusion.mergeStarted.connect(shown.append)
    opened: list[set[str]] = []
    window.graph.merger.stepStarted.connect(lambda i, _k: opened.append(set(s.expanded)))
    out, _ = fuse(qtbot, window)
    q = shown[0]
    assert out.kernels[q].branch("identity") is not None  # all three branches
    assert opened[0] & groups and q in opened[0]  # its group and itself opened for it
    assert not (s.expanded & groups) and q not in s.expanded  # and closed after
