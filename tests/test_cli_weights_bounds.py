"""``--weights FILE`` on the command line: bounded, checked and never blocking.

A FIFO, a small file holding hundreds of megabytes of deflated tensors, tensors over the
memory limit, NaN weights and a folder named like a checkpoint are each one line on stderr
and exit status 2, with nothing loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from bad_inputs import build_seeded
from cli_expect import assert_one_error, run
from crafted_checkpoints import with_junk


def _predict(capsys, weights: Path) -> tuple[int, str, str]:
    return run(capsys, "predict", "lenet5", "sample:digits-3", "--weights", str(weights))


def test_fifo_as_weights_exits_2_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "weights.pt"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "explorer", "predict", "lenet5", "sample:digits-3"]
        + ["--weights", str(fifo)],
        capture_output=True,
        text=True,
        timeout=120,  # a reader blocked on the FIFO would never return
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    (line,) = proc.stderr.strip().splitlines()
    assert line == (
        f"cnn-explorer predict: error: {fifo}: not a regular file "
        "(a pipe, socket or device cannot be read)"
    )


def test_small_file_with_huge_tensors_is_refused(tmp_path: Path, capsys) -> None:
    path = with_junk(tmp_path / "bomb.pt", build_seeded("lenet5", 1).state_dict(), 300_000_000)
    line = assert_one_error(_predict(capsys, path), "bomb.pt: holds 286.3 MiB of tensors, but ")
    assert "needs only 241.0 KiB; a compressed zip is read whole, and refused over 1.9 MiB" in line


def test_tensors_over_the_memory_limit(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.save(build_seeded("lenet5", 1).state_dict(), tmp_path / "w.pt")
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "200K")
    line = assert_one_error(
        _predict(capsys, tmp_path / "w.pt"),
        "w.pt: its tensors would take 241.0 KiB, more than the memory limit of 200.0 KiB",
    )
    assert "CNN_EXPLORER_MAX_MEMORY" in line


def test_nan_weights_exit_2(tmp_path: Path, capsys) -> None:
    sd = build_seeded("lenet5", 1).state_dict()
    sd["output.bias"][3] = float("nan")
    torch.save(sd, tmp_path / "nan.pt")
    assert_one_error(
        _predict(capsys, tmp_path / "nan.pt"),
        "nan.pt: 1 non-finite values in output.bias (NaN); nothing loaded",
    )


def test_folder_named_like_a_checkpoint(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.pt").mkdir()
    assert_one_error(_predict(capsys, tmp_path / "x.pt"), "x.pt: is a folder, not a file")
