"""The window's --screenshot: checked before the window opens, written atomically, an
existing file replaced only with --force (as render -o does)."""

from __future__ import annotations

from pathlib import Path

import pytest


def shoot(capsys, *argv: str) -> tuple[int, str]:
    from explorer.ui.app import run_app

    code = run_app(["--size", "700x500", "--timeout", "180", *argv])
    return code, capsys.readouterr().err


def test_an_existing_screenshot_is_kept_without_force(qapp, capsys, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"the user's own picture")
    code, err = shoot(capsys, "--model", "lenet5", "--screenshot", str(shot))
    assert code == 2
    assert (
        err.strip().splitlines()[-1]
        == f"cnn-explorer: error: {shot}: exists; add --force to replace it"
    )
    assert shot.read_bytes() == b"the user's own picture"
    code, err = shoot(capsys, "--model", "lenet5", "--screenshot", str(shot), "--force")
    assert code == 0, err
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["shot.png"]  # no temporary file left


@pytest.mark.parametrize(
    "where, expect",
    [
        ("/proc/shot.png", "cannot write /proc/shot.png: the folder '/proc' takes no new file"),
        ("{tmp}/no/such/shot.png", "no such folder"),
        ("{tmp}/shot.xyz", "not an image format Qt writes here"),
        ("{tmp}/folder.png", "folder.png: is a folder"),
    ],
)
def test_a_place_that_cannot_take_it_is_refused_before_the_window(
    qapp, capsys, tmp_path: Path, where: str, expect: str
) -> None:
    import time

    (tmp_path / "folder.png").mkdir()
    t0 = time.perf_counter()
    code, err = shoot(capsys, "--model", "lenet5", "--screenshot", where.format(tmp=tmp_path))
    assert code == 2 and expect in err.strip().splitlines()[-1]
    assert time.perf_counter() - t0 < 5  # refused first, not after the model is shown


def test_the_window_lists_its_options(capsys) -> None:
    from explorer.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["--model", "lenet5", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "--force" in out and "--timeout SECONDS" in out and "--screenshot FILE.png" in out
