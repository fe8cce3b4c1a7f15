"""The commands under bounds: a huge input size, a thin image, normalisation values that float32
cannot hold, a lazily read .npz, a FIFO given as data, honest counts of a folder with unreadable
images, a user's model that does not return class scores.

Each refusal is one line on stderr, exit 2, nothing on stdout. ``$CNN_EXPLORER_MAX_MEMORY`` is
set by the tests that need a limit, so that the figures do not depend on the machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from blocking import finishes
from cli_expect import assert_one_error, run
from PIL import Image

from explorer.limits import ENV


@pytest.fixture
def good_png(tmp_path: Path) -> Path:
    path = tmp_path / "good.png"
    Image.fromarray(np.arange(1200, dtype=np.uint8).reshape(30, 40)).save(path)
    return path


# --- the input size ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["predict", "stats"])
def test_a_huge_input_size_is_refused(
    command: str, good_png: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "1G")
    result = run(capsys, command, "lenet5", str(good_png), "--input-size", "100000")
    line = assert_one_error(
        result, "1x1x100000x100000 float32 input (input size 100000) would take 37.3 GiB", command
    )
    assert "more than the memory limit of 1.0 GiB" in line and f"set {ENV}" in line


def test_a_huge_input_size_is_refused_by_lesion(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "1G")
    result = run(capsys, "lesion", "lenet5", "--input-size", "5000", "--batch-size", "16")
    assert_one_error(
        result, "16x1x5000x5000 float32 input (input size 5000) would take 1.5 GiB", "lesion"
    )


def test_a_thin_image_runs_within_a_small_limit(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "thin.png"
    Image.fromarray(np.full((40000, 1), 200, np.uint8)).save(path)
    monkeypatch.setenv(ENV, "64M")
    code, out, err = run(capsys, "predict", "resnet20", str(path), "--weights", "random", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["image"] == str(path) and len(row["top5"]) == 5


# --- normalisation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("std", "expect"),
    [
        ("1e-300,1,1", "std must be > 0 in float32"),
        ("1.5,-1,1", "std values must be > 0, got (1.5, -1, 1)"),
        ("nan,1,1", "'nan' is not a finite number"),
    ],
)
def test_std_values_are_checked_per_channel(std: str, expect: str, good_png: Path, capsys) -> None:
    result = run(capsys, "predict", "lenet5", str(good_png), "--mean", "0,0,0", "--std", std)
    assert_one_error(result, expect)


# --- .npz data -----------------------------------------------------------------------------------


def test_lesion_reads_only_the_images_limit_needs(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.integers(0, 256, (3000, 32, 32), dtype=np.uint8), y=np.arange(3000) % 10)
    monkeypatch.setenv(ENV, "2M")  # the file's 2.9 MiB of images would not fit
    code, out, err = run(capsys, "lesion", "lenet5", "--data", str(path), "--limit", "10", "--json")
    assert code == 0, err
    assert json.loads(out)["data"] == {"name": "many.npz (first 10 of 3000)", "n": 10}
    result = run(capsys, "lesion", "lenet5", "--data", str(path))
    assert_one_error(result, "many.npz: reading 3000 images of 32x32x1 uint8 would take", "lesion")


def test_lesion_refuses_a_fifo_without_blocking(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "x.npz"
    os.mkfifo(fifo)
    result = finishes(lambda: run(capsys, "lesion", "lenet5", "--data", str(fifo)), fifo)
    assert_one_error(result, "x.npz: not a regular file", "lesion")  # type: ignore[arg-type]


def test_lesion_refuses_pickled_arrays_in_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.array([None, 1], dtype=object), y=np.zeros(2, np.int64))
    result = run(capsys, "lesion", "lenet5", "--data", str(path))
    line = assert_one_error(result, "objects.npz: x holds Python objects", "lesion")
    assert "allow_pickle" not in line


# --- honest counts -------------------------------------------------------------------------------


def _folder(root: Path, bad: int) -> Path:
    for cls, good in (("3", 2), ("7", 1)):
        (root / cls).mkdir(parents=True)
        for j in range(good):
            Image.fromarray(np.full((32, 32), 60 * j, np.uint8)).save(root / cls / f"img{j}.png")
    for j in range(bad):
        (root / "7" / f"broken{j}.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    return root


def test_lesion_counts_what_it_evaluated_and_names_what_it_skipped(tmp_path: Path, capsys) -> None:
    root = _folder(tmp_path / "set", bad=1)
    code, out, err = run(capsys, "lesion", "lenet5", "--data", str(root), "--json")
    assert code == 0, err
    data = json.loads(out)["data"]
    assert data["n"] == 3 and data["skipped"] == ["7/broken0.png"]
    warnings = [line for line in err.splitlines() if "broken0.png" in line]
    assert warnings == [
        "cnn-explorer: warning: 1 unreadable image skipped (not counted): "
        "7/broken0.png: not an image (cannot identify the file format)"
    ]
    # the table says it too
    code, out, err = run(capsys, "lesion", "lenet5", "--data", str(root))
    assert code == 0 and out.splitlines()[0].endswith(f"on folder: {root}, 3 images")
    assert "7/broken0.png" in err


def test_the_workflow_carries_the_skipped_files(tmp_path: Path) -> None:
    from explorer.app.workflows import drive
    from explorer.app.workflows.lesion import EvalSettings, accuracy
    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.runtime.datasets import DIGITS_PREP

    root = _folder(tmp_path / "set", bad=2)
    an = analyze(registry.get("lenet5"))
    digits = [str(d) for d in range(10)]
    acc = drive(accuracy(an, DIGITS_PREP, digits, [], EvalSettings(str(root)), "cpu"))
    assert acc.n == acc.intact.n == 3
    assert list(acc.skipped) == ["7/broken0.png", "7/broken1.png"]
    assert all("not an image" in why for why in acc.skipped.values())


def test_lesion_on_a_folder_with_no_readable_image(tmp_path: Path, capsys) -> None:
    root = tmp_path / "set"
    (root / "3").mkdir(parents=True)
    (root / "3" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    result = run(capsys, "lesion", "lenet5", "--data", str(root))
    assert_one_error(result, f"no readable image in {root}: 3/broken.png: not an image", "lesion")


# --- a user's model that does not give class scores ----------------------------------------------

USER_MODELS = """
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 10)

    def scores(self, x):
        return self.fc(self.conv(x).mean((2, 3)))


class Dict(Net):
    def forward(self, x):
        return {"logits": self.scores(x)}


class Tuple(Net):
    def forward(self, x):
        return self.scores(x), x


class Nothing(Net):
    def forward(self, x):
        self.scores(x)


class Flat(Net):
    def forward(self, x):
        return self.scores(x).flatten()


class OneAtATime(Net):
    def forward(self, x):
        # fails for a batch of more than one image (inside the linear layer)
        return self.fc(self.conv(x).mean((2, 3)).reshape(1, -1))


def as_dict():
    return Dict()


def as_tuple():
    return Tuple()


def nothing():
    return Nothing()


def flat():
    return Flat()


def one_at_a_time():
    return OneAtATime()
"""


@pytest.mark.parametrize(
    ("factory", "expect"),
    [
        ("as_dict", "the model returned dict, not a tensor of class scores"),
        ("as_tuple", "the model returned tuple, not a tensor of class scores"),
        ("nothing", "the model returned NoneType, not a tensor of class scores"),
        ("flat", "not class scores"),
        ("one_at_a_time", "the forward pass failed: mat1 and mat2 shapes cannot be multiplied"),
    ],
)
def test_lesion_on_a_model_without_class_scores(
    factory: str, expect: str, tmp_path: Path, capsys
) -> None:
    (tmp_path / "net.py").write_text(USER_MODELS)
    code, out, err = run(
        capsys, "lesion", f"{tmp_path / 'net.py'}:{factory}", "--data", "digits", "--limit", "8"
    )
    assert code == 2 and out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("cnn-explorer lesion: error: ") and expect in last, err


@pytest.mark.parametrize(
    "argv",
    [
        ["landscape", "resnet20", "--dims", "1", "--grid", "2"],
        ["paths", "resnet20", "--samples", "1"],
    ],
)
def test_the_studies_count_what_they_read_and_name_what_they_skipped(
    tmp_path: Path, capsys, argv
) -> None:
    root = _folder(tmp_path / "set", bad=2)
    code, out, err = run(capsys, *argv, "--data", str(root), "--json")
    assert code == 0, err
    data = json.loads(out)["data"]
    assert data["n"] == 3 and data["skipped"] == ["7/broken0.png", "7/broken1.png"]
    assert "2 unreadable images skipped" in err
