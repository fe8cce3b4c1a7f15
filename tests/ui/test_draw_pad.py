"""The draw pad and the digits networks' images in the window: strokes drawn with QTest become
the image the network runs on, photos and paper digits are said, the invert toggle is obeyed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import ImageOps
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from explorer.runtime.digit_input import (
    BLANK_WARNING,
    INVERTED_NOTE,
    NOT_INVERTED_NOTE,
    PHOTO_WARNING,
    digit_from_drawing,
)
from explorer.runtime.images import load_sample
from explorer.ui.draw_pad import SIDE, DrawPad

TIMEOUT = 60_000


def _stroke(qtbot, canvas, points) -> None:
    """Press at the first point, move through the others, release at the last."""
    first, *rest = [QPoint(*p) for p in points]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
    for p in rest:
        QTest.mouseMove(canvas, p)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rest[-1])


def _one(canvas) -> list[tuple[int, int]]:
    """A vertical stroke down the middle of the pad, as widget points."""
    sq = canvas.square()
    x = int(sq.center().x())
    return [(x, int(sq.top() + sq.height() * f)) for f in np.linspace(0.15, 0.85, 12)]


def test_strokes_make_the_drawing_emitted(qtbot) -> None:
    pad = DrawPad(interval=20)
    qtbot.addWidget(pad)
    pad.resize(300, 360)
    pad.show()
    qtbot.waitExposed(pad)
    canvas = pad.canvas
    assert canvas.is_empty()
    with qtbot.waitSignal(pad.drawn, timeout=5000) as sig:
        _stroke(qtbot, canvas, _one(canvas))
    a = sig.args[0]
    assert a.shape == (SIDE, SIDE) and a.dtype == np.uint8
    cols = np.flatnonzero(a.max(axis=0) > 128)
    rows = np.flatnonzero(a.max(axis=1) > 128)
    # one thick vertical stroke about the centre, from 15 % to 85 % of the height
    assert abs(cols.mean() - SIDE / 2) < 4 and 20 <= len(cols) <= 40
    assert rows[0] < 0.2 * SIDE and rows[-1] > 0.8 * SIDE
    d = digit_from_drawing(a)
    assert set(np.flatnonzero(d.sum(axis=0))) <= {2, 3, 4, 5} and d[:, 3:5].min() > 0
    # Clear: the pad is empty and says so
    with qtbot.waitSignal(pad.cleared, timeout=5000):
        pad.clear_button.click()
    assert canvas.is_empty()


def test_drawing_runs_the_digits_network_live(qtbot, window) -> None:
    from test_run_panels import load

    assert not window.run.act_draw.isEnabled()  # no model yet
    load(qtbot, window, "resnet20")
    assert window.run.act_draw.isEnabled()
    window.run.act_draw.trigger()
    pad = window.run.pad
    qtbot.waitUntil(lambda: pad.isVisible(), timeout=5000)
    assert window.run.pad_dock.widget() is pad
    with qtbot.waitSignal(
        window.run.ran,
        timeout=TIMEOUT,
        check_params_cb=lambda r: window.session.image.source == "draw:pad",
    ) as sig:
        _stroke(qtbot, pad.canvas, _one(pad.canvas))
    res = sig.args[0]
    assert res.top[0][0].label == "1", res.top[0][:3]
    assert not pad.preview.pixmap().isNull()
    # drawn again: the same image in the list, not a new one each time
    n = len(window.session.images)
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT):
        _stroke(qtbot, pad.canvas, [(40, 60), (80, 60)])
    assert len(window.session.images) == n
    # cleared: the empty pad is run and said blank, not the old answer left standing
    with qtbot.waitSignal(window.run.ran, timeout=TIMEOUT) as sig:
        pad.clear_button.click()
    assert sig.args[0].notes == [BLANK_WARNING]


def test_photo_and_paper_for_a_digits_network(qtbot, window, tmp_path: Path) -> None:
    from test_run_panels import load, ran_after

    load(qtbot, window, "lenet5")
    run = window.run
    # a photo chosen for a digits network runs, with the warning in the panel
    res = ran_after(qtbot, window, lambda: run.open_sample("chelsea"))
    assert res.notes[0] == PHOTO_WARNING
    assert PHOTO_WARNING in window.panels["Predictions"].status.text()
    # another digits network opened on the photo: a digit is shown instead, and said
    res = load(qtbot, window, "resnet20")
    assert window.session.image.source.startswith("sample:digits")
    assert "chelsea looks like a photo" in res.notes[0]
    assert "chelsea" in [im.name for im in window.session.images]
    # a digit on paper: inverted, and said; the toggle off leaves it
    path = tmp_path / "paper7.png"
    ImageOps.invert(load_sample("digits-7").image).save(path)
    res = ran_after(qtbot, window, lambda: run.open_paths([str(path)]))
    assert res.notes[0] == INVERTED_NOTE and res.top[0][0].label == "7"
    res = ran_after(qtbot, window, lambda: run.act_invert.setChecked(False))
    assert res.notes[0] == NOT_INVERTED_NOTE
    run.act_invert.setChecked(True)


def test_an_imagenet_network_opened_on_a_digit_shows_a_photo(qtbot, window) -> None:
    """After the first launch (resnet56 on digits-0) vgg11 answered on the digit."""
    from test_run_panels import load

    load(qtbot, window, "lenet5")
    assert window.session.image.source.startswith("sample:digits")
    res = load(qtbot, window, "resnet18")
    assert not window.session.image.source.startswith(("sample:digits", "draw:"))
    assert "was trained on ImageNet photos" in res.notes[0]
    assert "digits-0" in [im.name for im in window.session.images]  # still listed


def test_draw_is_disabled_with_a_reason_for_other_networks(qtbot, window) -> None:
    from test_run_panels import load

    load(qtbot, window, "lenet5")
    window.run.act_draw.trigger()
    pad = window.run.pad
    load(qtbot, window, "resnet18")
    assert not window.run.act_draw.isEnabled()
    assert "trained on digits" in window.run.act_draw.toolTip()
    assert not pad.canvas.isEnabled() and "not trained on digits" in pad.hint.text()


def test_scripted_draw_pad(windows, capsys, tmp_path: Path) -> None:
    """``--draw-pad``: the pad opened, a 3 drawn, the window saved once the drawing has run;
    for a network not trained on digits, one line and exit 2."""
    from explorer.ui.app import run_app

    shot = tmp_path / "pad.png"
    code = run_app(["--model", "lenet5", "--draw-pad", "--screenshot", str(shot),
                    "--size", "1280x720", "--timeout", "180"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    win = windows[-1]
    assert shot.stat().st_size > 0
    assert win.session.image.source == "draw:pad"
    assert win.session.result.top[0][0].label == "3"
    code = run_app(["--model", "resnet18", "--weights", "random", "--draw-pad",
                    "--screenshot", str(tmp_path / "no.png"), "--timeout", "180"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        code == 2
        and err[-1] == "cnn-explorer: error: --draw-pad: resnet18 was not trained on digits"
    )
    assert not (tmp_path / "no.png").exists()
