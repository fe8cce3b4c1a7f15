"""What a hostile test of ``rf`` found: each one line and exit 2, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_expect import assert_one_error, run


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        return run(capsys, *argv)
    except SystemExit as exc:  # argparse refused an option's value
        out, err = capsys.readouterr()
        return int(exc.code or 0), out, err


@pytest.mark.parametrize(
    "args, expect",
    [
        (["--seed", "99999999999999999999", "--compare", "random"], "from 0 to 2^63-1"),
        (["--seed", "-1", "--compare", "random"], "from 0 to 2^63-1"),
        (["--input-size", "20000"], "more than the memory limit"),
        (["--data", "/nonexistent"], "no such file or folder"),
    ],
)
def test_rf_effective_refuses_in_one_line(capsys, args, expect) -> None:
    result = _run(capsys, "rf", "resnet20", "--block", "layer1", "--effective", "--limit", "1",
                  *args)  # fmt: skip
    assert_one_error(result, expect, "rf")


def test_a_scripted_window_with_an_unknown_block_and_a_panel_ends(capsys, tmp_path: Path) -> None:
    from explorer.ui.app import run_app

    shot = tmp_path / "shot.png"
    code = run_app(
        ["--screenshot", str(shot), "--size", "900x600", "--timeout", "120", "--model",
         "resnet20", "--select", "nope", "--panel", "receptive-field"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "gave up" not in err
    assert [x for x in err.splitlines() if x.startswith("cnn-explorer:")] == [
        "cnn-explorer: error: no block 'nope' in resnet20"
    ]
