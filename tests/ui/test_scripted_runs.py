"""Scripted window runs (``--screenshot``): a user's mistake is the command line's one line
(``cnn-explorer: error: ...``) and exit 2, whatever part of the window meets it; a run always
ends, at the latest after ``--timeout``.

Most cases run ``run_app`` in this process (the window it makes is kept for a look at what it
showed); the cases that used to hang run the program in a subprocess with a time limit.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from bad_inputs import encode, noise

SECONDS = 180  # a scripted run of a small model on two shared cores, with room to spare


def scripted(capsys, tmp_path: Path, *argv: str) -> tuple[int, str, Path]:
    """``run_app`` with a screenshot: (exit code, stderr, the screenshot's path)."""
    from explorer.ui.app import run_app

    shot = tmp_path / "shot.png"
    code = run_app(
        ["--screenshot", str(shot), "--size", "900x600", "--timeout", str(SECONDS), *argv]
    )
    return code, capsys.readouterr().err, shot


def program(tmp_path: Path, *argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The program itself in a subprocess, given ``SECONDS`` at most."""
    import os

    cmd = [sys.executable, "-m", "explorer", "--screenshot", str(tmp_path / "shot.png"), *argv]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=SECONDS, env={**os.environ, **(env or {})}
    )


def cli_error(capsys, *argv: str) -> str:
    """The command line's line for the same mistake: its text after ``error: ``."""
    from explorer.__main__ import main

    assert main(list(argv)) == 2
    return capsys.readouterr().err.strip().splitlines()[-1].split(": error: ", 1)[1]


def said(err: str) -> list[str]:
    """The program's own lines on stderr (not Qt's)."""
    return [line for line in err.splitlines() if line.startswith("cnn-explorer:")]


def png(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    path.write_bytes(encode(noise(*size), "PNG"))
    return path


# -- deleting blocks ---------------------------------------------------------------------------


@pytest.mark.parametrize("block", ["nosuch", "conv1"])
def test_a_block_that_cannot_be_deleted_is_the_lesion_commands_error(
    capsys, tmp_path: Path, block: str
) -> None:
    want = cli_error(capsys, "lesion", "resnet20", "--delete", block)
    code, err, shot = scripted(capsys, tmp_path, "--model", "resnet20", "--delete",
                               f"layer1.0,{block}")  # fmt: skip
    assert code == 2 and said(err) == [f"cnn-explorer: error: {want}"]
    assert not shot.exists()  # the window of a refused request is not saved


def test_an_unknown_block_never_hangs(tmp_path: Path) -> None:
    proc = program(tmp_path, "--model", "resnet20", "--delete", "nosuch")
    assert proc.returncode == 2, proc.stderr
    assert said(proc.stderr) == ["cnn-explorer: error: no block 'nosuch' in resnet20"]


def test_a_block_named_twice_is_deleted_once(capsys, tmp_path: Path, windows) -> None:
    code, err, shot = scripted(capsys, tmp_path, "--model", "resnet20", "--delete",
                               "layer1.1,layer1.1")  # fmt: skip
    assert code == 0 and said(err) == [] and shot.is_file()
    win = windows[0]
    assert win.session.deleted == {"layer1.1"}
    assert "1 deleted: layer1.1" in win.panels["Accuracy"].status.text()
    assert win.deleted_label.text() == "1 block deleted"


def test_a_block_named_twice_never_hangs(tmp_path: Path) -> None:
    proc = program(tmp_path, "--model", "resnet20", "--delete", "layer1.1,layer1.1")
    assert proc.returncode == 0, proc.stderr
    assert "run_shown_s" in json.loads(proc.stdout.strip().splitlines()[-1])


# -- weights, images, devices -------------------------------------------------------------------


def test_a_missing_weights_file(capsys, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.pt")
    want = cli_error(capsys, "predict", "lenet5", "sample:digits-1", "--weights", missing)
    code, err, shot = scripted(capsys, tmp_path, "--model", "lenet5", "--weights", missing)
    assert code == 2 and said(err) == [f"cnn-explorer: error: {want}"]
    assert not shot.exists()  # not saved with the bundled weights in its place


@pytest.mark.parametrize("which", ["not an image", "missing", "unknown sample"])
def test_a_bad_image(capsys, tmp_path: Path, which: str) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a picture")
    ref = {"not an image": str(bad), "missing": str(tmp_path / "nosuch.png"),
           "unknown sample": "sample:nosuch"}[which]  # fmt: skip
    want = cli_error(capsys, "predict", "lenet5", ref)
    code, err, shot = scripted(capsys, tmp_path, "--model", "lenet5", "--image", ref)
    assert code == 2 and said(err) == [f"cnn-explorer: error: {want}"]
    assert not shot.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without a GPU")
@pytest.mark.parametrize("device", ["cuda", "tpu"])
def test_a_device_that_is_not_here(capsys, tmp_path: Path, device: str) -> None:
    want = cli_error(capsys, "predict", "lenet5", "sample:digits-1", "--device", device)
    code, err, shot = scripted(capsys, tmp_path, "--model", "lenet5", "--device", device)
    assert code == 2 and said(err) == [f"cnn-explorer: error: {want}"]
    assert not shot.exists()


def test_an_image_the_run_refuses(capsys, tmp_path: Path, monkeypatch) -> None:
    """An input refused on its way into the network (its size past the memory limit) ends
    the scripted run with the refusal: it must not wait for a run that never comes."""
    import explorer.runtime.preprocess as preprocess
    from explorer.limits import LimitError

    line = "thin.png: 32x1280000 pixels would take 491 MB; the limit is 100 MB"

    def refuse(*_a, **_k):
        raise LimitError(line)

    monkeypatch.setattr(preprocess, "to_batch", refuse)
    thin = png(tmp_path / "thin.png")
    code, err, shot = scripted(capsys, tmp_path, "--model", "lenet5", "--image", str(thin))
    assert code == 2 and said(err) == [f"cnn-explorer: error: {line}"]


@pytest.mark.parametrize(
    "model,size,limit",
    [
        ("squeezenet1_1", (40000, 1), "64M"),  # 224 x 8,960,000 once resized: sat idle
        ("lenet5", (3000, 3000), "8M"),  # its decoded pixels past the limit: refused
    ],
    ids=["thin", "large"],
)
def test_a_bounded_image_is_answered_as_the_command_line_answers_it(
    tmp_path: Path, model: str, size: tuple[int, int], limit: str
) -> None:
    """Under a memory limit the window ends as ``predict`` does (the same exit status, and
    the same line when the image is refused), and never sits idle."""
    import os

    from PIL import Image

    image = tmp_path / "image.png"
    Image.new("RGB", size, (200, 10, 10)).save(image)
    env = {**os.environ, "CNN_EXPLORER_MAX_MEMORY": limit}
    cli = subprocess.run([sys.executable, "-m", "explorer", "predict", model, str(image)],
                         capture_output=True, text=True, timeout=SECONDS, env=env)  # fmt: skip
    win = program(tmp_path, "--model", model, "--image", str(image), env=env)
    assert win.returncode == cli.returncode, (cli.stderr, win.stderr)
    if cli.returncode == 2:
        line = cli.stderr.strip().splitlines()[-1]  # cnn-explorer predict: error: ...
        assert said(win.stderr) == [f"cnn-explorer: error: {line.split(': error: ', 1)[1]}"]


# -- two images -----------------------------------------------------------------------------------


def test_two_images_are_image_a_and_image_b(capsys, tmp_path: Path, windows) -> None:
    code, err, _shot = scripted(capsys, tmp_path, "--model", "se_resnet20", "--panel",
                                "se-weights", "--image", "sample:digits-3", "--image",
                                "sample:digits-7")  # fmt: skip
    assert code == 0, err
    win = windows[0]
    s = win.session
    assert (s.image.name, s.compare_image.name) == ("digits-3", "digits-7")
    assert s.result.probes.batch == 2  # both ran, as "Choose image B" runs them
    assert win.run.compare_combo.currentText() == "digits-7"
    fm = win.panels["Feature maps"].image_combo
    assert [fm.itemText(i) for i in range(fm.count())] == ["image A", "image B"]
    se = win.panels["SE weights"]
    assert "digits-3 and digits-7" in se.status.text() and se.hint.isHidden()


# -- weights that hold NaN -------------------------------------------------------------------------


def with_warnings(info, warnings: tuple[str, ...]):
    """``info`` (a WeightsInfo) carrying ``warnings``, with or without that field declared."""
    if "warnings" in {f.name for f in dataclasses.fields(info)}:
        return dataclasses.replace(info, warnings=warnings)
    info.warnings = warnings
    return info


def test_weights_warnings_are_printed(capsys, tmp_path: Path, monkeypatch) -> None:
    import explorer.runtime.pipeline as pipeline

    real = pipeline.apply_weights
    warning = "2 tensors hold NaN or infinity: c1.weight, f6.bias"
    monkeypatch.setattr(pipeline, "apply_weights",
                        lambda *a, **k: with_warnings(real(*a, **k), (warning,)))  # fmt: skip
    code, err, shot = scripted(capsys, tmp_path, "--model", "lenet5")
    assert code == 0 and shot.is_file()
    assert said(err) == [f"cnn-explorer: warning: {warning}"]


def test_the_warnings_of_a_checkpoint_are_the_command_lines(capsys, tmp_path: Path) -> None:
    """A checkpoint whose integer tensor is cast to floating point: the same warning as
    ``predict`` prints, and the window is still saved."""
    from explorer.__main__ import main
    from explorer.models import registry

    state = registry.get("lenet5").build().state_dict()
    state["c1.bias"] = state["c1.bias"].round().to(torch.int64)
    ck = tmp_path / "ints.pt"
    torch.save(state, ck)
    assert main(["predict", "lenet5", "sample:digits-1", "--weights", str(ck)]) == 0
    want = [w for w in said(capsys.readouterr().err) if w.startswith("cnn-explorer: warning:")]
    assert want and "c1.bias" in want[0]
    code, err, shot = scripted(capsys, tmp_path, "--model", "lenet5", "--weights", str(ck))
    assert code == 0 and shot.is_file() and said(err) == want


# -- never for ever --------------------------------------------------------------------------------


def test_a_scripted_run_gives_up_after_its_timeout(tmp_path: Path) -> None:
    t0 = time.monotonic()
    # resnet50 (torchvision is imported for it) cannot be shown and run within 0.5 s here;
    # resnet20 now can (its run is in ~0.2 s after the window shows)
    proc = program(tmp_path, "--model", "resnet50", "--panel", "predictions", "--timeout", "0.5")
    assert proc.returncode == 1 and time.monotonic() - t0 < 120
    assert said(proc.stderr) == [
        "cnn-explorer: error: gave up after 0.5 s waiting for the window (--timeout SECONDS "
        "gives it longer)"
    ]
    assert not (tmp_path / "shot.png").exists()


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf", "soon"])
def test_a_timeout_must_be_a_positive_number_of_seconds(capsys, value: str) -> None:
    from explorer.ui.app import run_app

    with pytest.raises(SystemExit) as exit_:
        run_app(["--model", "lenet5", "--screenshot", "x.png", "--timeout", value])
    assert exit_.value.code == 2 and "positive number of seconds" in capsys.readouterr().err


def test_a_window_that_stops_answering_is_given_up_too(tmp_path: Path) -> None:
    """The UI thread itself stuck (its timers never fire): a watchdog thread ends the run."""
    code = (
        "import sys, time\n"
        "import explorer.ui.main_window as m\n"
        "m.MainWindow.load_model = lambda self, *a, **k: time.sleep(600)\n"
        "from explorer.ui.app import run_app\n"
        f"sys.exit(run_app(['--model', 'lenet5', '--screenshot', r'{tmp_path / 's.png'}', "
        "'--timeout', '1']))\n"
    )
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=SECONDS)  # fmt: skip
    assert proc.returncode == 1 and time.monotonic() - t0 < 120
    (line,) = said(proc.stderr)
    assert line.startswith("cnn-explorer: error: the window stopped answering; gave up after")


@pytest.mark.parametrize(
    "argv, line",
    [
        (("--expand", "nosuch"), "--expand: no block 'nosuch' in resnet20"),
        (("--panel", "highway"), "--panel highway: resnet20 has no highway blocks"),
        (
            ("--fuse", "--screenshot-at", "0.8"),
            "--screenshot-at: resnet20 has no RepVGG block to merge step by step",
        ),
    ],
)
def test_an_option_that_names_what_the_model_lacks(capsys, tmp_path: Path, argv, line) -> None:
    code, err, shot = scripted(capsys, tmp_path, "--model", "resnet20", *argv)
    assert code == 2 and said(err) == [f"cnn-explorer: error: {line}"]
    assert not shot.exists()
