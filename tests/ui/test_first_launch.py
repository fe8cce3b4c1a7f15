"""The first launch: no --model opens resnet56 with a digit, its run panels filled, and a
one-line hint; ``--screenshot`` alone saves that window once the panels are filled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from explorer.ui.first_launch import DEFAULT_MODEL, RUN_PANELS

SECONDS = 180


def test_screenshot_alone_is_the_first_launch(windows, capsys, tmp_path: Path) -> None:
    from explorer.ui.app import run_app

    shot = tmp_path / "first.png"
    code = run_app(["--screenshot", str(shot), "--size", "1280x720", "--timeout", str(SECONDS)])
    out, err = capsys.readouterr()
    assert code == 0, err
    timings = json.loads(out.strip().splitlines()[-1])
    assert timings["window_shown_s"] <= timings["graph_shown_s"] <= timings["panels_filled_s"]
    win = windows[-1]
    assert win.session.model_name == DEFAULT_MODEL
    assert win.session.image is not None and win.session.image.name.startswith("digits-")
    assert win.session.weights_info.trained  # the bundled weights, not random ones
    for title in RUN_PANELS:  # computed, not "updating..."
        assert not win.panels[title].stale, title
    assert win.panels_filled()
    top = win.session.result.top[0][0]
    assert top.index == int(win.session.image.name.split("-")[1])  # it reads the digit
    assert not win.hint_bar.isHidden()
    hint = win.hint_bar.label.text()
    assert "click a block" in hint and "Delete" in hint and "Ctrl+K" in hint
    img = QImage(str(shot))
    assert (img.width(), img.height()) == (1280, 720)


@pytest.mark.parametrize(
    ("argv", "first"),
    [
        ([], True),
        (["--size", "1280x720", "--presentation"], True),
        (["--model", "lenet5"], False),
        (["--view", "chart"], False),
        (["--measure", "resnet18"], False),
        (["--curves"], False),
        (["--keep", "plain20"], False),
    ],
)
def test_which_runs_are_the_first_launch(argv: list[str], first: bool) -> None:
    from explorer.ui.app import gui_parser, is_first_launch

    assert is_first_launch(gui_parser().parse_args(argv)) is first


def test_hint_closed_stays_closed(qtbot, settings) -> None:
    from explorer.ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show_hint()
    assert not w.hint_bar.isHidden()
    w.hint_bar.close_button.click()
    assert w.hint_bar.isHidden()
    w2 = MainWindow(settings=settings)
    qtbot.addWidget(w2)
    w2.show_hint()
    assert w2.hint_bar.isHidden()
