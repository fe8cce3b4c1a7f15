"""Scripted window runs of the Landscape tab: saved landscapes shown, a bad file and a 3-D
view that cannot be made are one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from test_scripted_runs import said, scripted


def _saved(tmp_path: Path, name: str) -> Path:
    x = [-1.0, 0.0, 1.0]
    obj = {
        "model": name, "data": {"name": "digits (test)", "n": 8}, "dims": 2, "x": x, "y": x,
        "loss": [[a * a + b * b + 0.1 for a in x] for b in x], "top1": [[90.0] * 3] * 3,
        "center": {"loss": 0.1, "top1": 90.0}, "elapsed_s": 2.0,
    }  # fmt: skip
    f = tmp_path / f"{name}.json"
    f.write_text(json.dumps(obj))
    return f


def test_saved_landscapes_are_shown(capsys, tmp_path: Path, windows) -> None:
    a, b = _saved(tmp_path, "resnet20"), _saved(tmp_path, "plain20")
    code, err, shot = scripted(capsys, tmp_path, "--model", "resnet20", "--landscape", f"{a},{b}")
    assert code == 0 and shot.is_file(), err
    panel = windows[-1].panels["Landscape"]
    assert [r.model for r in panel.results] == ["resnet20", "plain20"]
    assert windows[-1].tabs.currentWidget() is panel and len(panel.plots) == 2


def test_a_file_that_is_not_a_landscape_is_one_line(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    code, err, shot = scripted(capsys, tmp_path, "--model", "resnet20", "--landscape", str(bad))
    assert code == 2 and not shot.exists()
    assert said(err) == [
        "cnn-explorer: error: --landscape: bad.json: not a landscape (the output of "
        "landscape --json)"
    ]


def test_no_3d_view_offscreen_is_one_line(capsys, tmp_path: Path) -> None:
    a = _saved(tmp_path, "resnet20")
    code, err, _shot = scripted(
        capsys, tmp_path, "--model", "resnet20", "--landscape", str(a), "--landscape-3d"
    )
    assert code == 2
    assert said(err) == [
        "cnn-explorer: error: --landscape-3d: no 3-D view here: the 'offscreen' display has "
        "no OpenGL"
    ]
