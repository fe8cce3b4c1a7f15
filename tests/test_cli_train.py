"""The ``train`` command: reproducible checkpoints, a sane curve file, one-line errors, Ctrl+C."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from cli_expect import assert_one_error as _one_error
from cli_expect import run

from explorer.__main__ import main
from explorer.models import registry
from explorer.models.checkpoint import load_checkpoint
from explorer.studies.training import train as training


def assert_one_error(result: tuple[int, str, str], expect: str, code: int = 2) -> str:
    return _one_error(result, expect, "train", code)


def curve_of(checkpoint: Path) -> Path:
    """Where ``train`` writes the curve of ``checkpoint``: its whole name + ``.curve.json``."""
    return checkpoint.with_name(checkpoint.name + ".curve.json")


def test_train_is_reproducible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "lenet5", "--data", "digits", "--epochs", "1", "--seed", "0"]
    paths = []
    for run_dir in ("a", "b"):
        out = tmp_path / run_dir / "lenet5.pt"  # the same file name: torch.save records it
        code, stdout, err = run(capsys, *argv, "--out", str(out))
        assert code == 0 and stdout == "" and "Traceback" not in err
        assert "lenet5: epoch 1: train loss" in err
        paths.append(out)
    assert paths[0].read_bytes() == paths[1].read_bytes()

    curve = json.loads(curve_of(paths[0]).read_text())
    assert curve["model"] == "lenet5" and curve["epochs"] == 1 and curve["seed"] == 0
    assert curve["params"] == 61_706 and curve["checkpoint_bytes"] == paths[0].stat().st_size
    assert curve["command"] == "cnn-explorer train lenet5 --data digits --epochs 1 --seed 0"
    (epoch,) = curve["history"]
    assert set(epoch) >= {"epoch", "train_loss", "train_top1", "test_top1", "test_loss"}
    assert 0.0 < epoch["train_loss"] < 3.0 and 10.0 < epoch["test_top1"] <= 100.0
    assert curve["test_top1"] == curve["stored_test_top1"]
    assert abs(curve["test_top1"] - curve["test_top1_fp32"]) < 1.0
    assert curve["stopped_early"] is False and curve["seconds"] > 0

    # stored in float16, read back into the model completely
    sd = torch.load(paths[0], weights_only=True)
    assert {t.dtype for t in sd.values()} == {torch.float16}
    assert not any(k.endswith("num_batches_tracked") for k in sd)
    info = load_checkpoint(registry.get("lenet5").build(), paths[0])
    assert info.report is not None and info.report.matched == info.report.model_keys


def test_train_json_and_another_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "l.pt"
    code, stdout, _ = run(
        capsys, "train", "lenet5", "--epochs", "1", "--seed", "1", "--out", str(out), "--json"
    )
    assert code == 0
    record = json.loads(stdout)
    assert record == json.loads(curve_of(out).read_text())
    assert record["seed"] == 1 and record["command"].endswith("--seed 1")
    other = tmp_path / "other" / "l.pt"
    run(capsys, "train", "lenet5", "--epochs", "1", "--seed", "0", "--out", str(other))
    assert out.read_bytes() != other.read_bytes()


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["lenet", "--epochs", "1"], "unknown model 'lenet'; closest registered names: lenet5"),
        (["lenet5", "--data", "cifar10"], "training data 'cifar10': only digits is supported"),
    ],
    ids=["unknown-model", "unsupported-data"],
)
def test_bad_input_one_line(
    argv: list[str], expect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_one_error(run(capsys, "train", *argv, "--out", str(tmp_path / "x.pt")), expect)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["--epochs", "0"], "argument --epochs"),
        (["--lr", "-1"], "argument --lr: expected a positive number"),
        (["--batch-size", "x"], "argument --batch-size"),
    ],
)
def test_argparse_rejects(argv: list[str], expect: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["train", "lenet5", *argv])
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""
    assert "Traceback" not in err and expect in err.strip().splitlines()[-1]


def ctrl_c() -> None:
    """A real Ctrl+C: SIGINT to this process (a KeyboardInterrupt raised by a model's own
    code is that model's error, not the user's stop)."""
    import os
    import signal
    import time

    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(1)  # the handler raises before this ends


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, when) -> None:  # noqa: ANN001
    """Make the progress printer raise KeyboardInterrupt (as Ctrl+C would) after ``when(item)``."""
    from explorer.cli import train as cli_train

    real = cli_train._Progress.__call__

    def call(self, item) -> None:  # noqa: ANN001
        real(self, item)
        if when(item):
            ctrl_c()

    monkeypatch.setattr(cli_train._Progress, "__call__", call)


def test_ctrl_c_keeps_the_last_finished_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["train", "lenet5", "--epochs", "3"]
    # stopped inside epoch 2: the weights of the end of epoch 1 are kept ...
    _interrupt_at(
        monkeypatch, lambda i: isinstance(i, training.Step) and i.epoch == 2 and i.step == 3
    )
    mid = tmp_path / "mid" / "l.pt"
    code, stdout, err = run(capsys, *argv, "--out", str(mid))
    assert code == 0 and stdout == "" and "Traceback" not in err
    assert "interrupted; keeping epoch 1 of 3" in err
    curve = json.loads(curve_of(mid).read_text())
    assert curve["stopped_early"] is True and curve["epochs"] == 1 and curve["epochs_planned"] == 3
    # ... the same as stopping right at the end of epoch 1
    _interrupt_at(monkeypatch, lambda i: isinstance(i, training.Epoch))
    end = tmp_path / "end" / "l.pt"
    assert run(capsys, *argv, "--out", str(end))[0] == 0
    assert mid.read_bytes() == end.read_bytes()


def test_ctrl_c_before_the_first_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _interrupt_at(monkeypatch, lambda i: isinstance(i, training.Step) and i.step == 2)
    out = tmp_path / "l.pt"
    code, stdout, err = run(capsys, "train", "lenet5", "--epochs", "2", "--out", str(out))
    assert (code, stdout) == (130, "") and "Traceback" not in err
    assert err.strip().splitlines()[-1] == "cnn-explorer: interrupted"
    assert not out.exists()

    def stop(item: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        training.run_training(training.train(registry.get("lenet5"), training.TrainConfig()), stop)


# --- files are never lost --------------------------------------------------------------------


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_curve_never_takes_the_checkpoints_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out same.json`` once wrote the checkpoint, then the curve over it."""
    out = tmp_path / "same.json"
    code, _, err = run(capsys, "train", "lenet5", "--epochs", "1", "--out", str(out))
    assert code == 0, err
    assert _names(tmp_path) == ["same.json", "same.json.curve.json"]
    info = load_checkpoint(registry.get("lenet5").build(), out)
    assert info.report is not None and info.report.matched == info.report.model_keys
    curve = json.loads(curve_of(out).read_text())
    assert curve["checkpoint"] == "same.json"
    assert curve["checkpoint_bytes"] == out.stat().st_size
    assert f"{out} ({out.stat().st_size / 1e6:.2f} MB)" in err
    assert err.strip().endswith(f"curve {curve_of(out)}")


def test_an_unnamed_file_beside_the_checkpoint_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out victim.py`` once replaced an unrelated ``victim.json`` with the curve."""
    victim = tmp_path / "victim.json"
    victim.write_text("my notes\n")
    out = tmp_path / "victim.py"
    assert run(capsys, "train", "lenet5", "--epochs", "1", "--out", str(out))[0] == 0
    assert victim.read_text() == "my notes\n"
    assert _names(tmp_path) == ["victim.json", "victim.py", "victim.py.curve.json"]


@pytest.mark.parametrize("existing", ["checkpoint", "curve"])
def test_existing_outputs_need_force_and_are_checked_before_training(
    existing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "l.pt"
    old = out if existing == "checkpoint" else curve_of(out)
    old.write_text("old\n")
    result = run(capsys, "train", "lenet5", "--epochs", "1", "--out", str(out))
    if existing == "checkpoint":
        expect = f"--out {out}: exists; add --force to replace it"
    else:
        expect = f"curve {old}: exists and was not named on the command line; add --force"
    assert_one_error(result, expect)  # one line: no epoch was trained
    assert old.read_text() == "old\n" and _names(tmp_path) == [old.name]

    code, _, err = run(capsys, "train", "lenet5", "--epochs", "1", "--out", str(out), "--force")
    assert code == 0, err
    assert _names(tmp_path) == ["l.pt", "l.pt.curve.json"]
    assert json.loads(curve_of(out).read_text())["checkpoint_bytes"] == out.stat().st_size


@pytest.mark.parametrize("where", ["proc", "folder", "curve-folder", "file-as-folder"])
def test_an_unwritable_output_fails_before_training(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if where == "proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux's /proc")
        out, expect = Path("/proc/x.pt"), "cannot write /proc/x.pt"
    elif where == "folder":
        out, expect = tmp_path, f"--out {tmp_path}: is a folder; name a file"
    elif where == "curve-folder":
        out = tmp_path / "l.pt"
        curve_of(out).mkdir()
        expect = f"curve {curve_of(out)}: is a folder"
    else:
        (tmp_path / "f").write_text("")
        out, expect = tmp_path / "f" / "l.pt", f"'{tmp_path / 'f'}' is not a folder"
    assert_one_error(run(capsys, "train", "lenet5", "--epochs", "1", "--out", str(out)), expect)


def test_ctrl_c_while_writing_keeps_the_old_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "l.pt"
    out.write_bytes(b"old checkpoint")
    curve_of(out).write_text("old curve")

    def interrupted(*args: object) -> dict:
        ctrl_c()  # after the new checkpoint is written, before the curve
        return {}

    monkeypatch.setattr(training, "stored_accuracy", interrupted)
    argv = ["train", "lenet5", "--epochs", "1", "--out", str(out), "--force"]
    code, stdout, err = run(capsys, *argv)
    assert (code, stdout) == (130, "") and "Traceback" not in err
    assert out.read_bytes() == b"old checkpoint" and curve_of(out).read_text() == "old curve"
    assert _names(tmp_path) == ["l.pt", "l.pt.curve.json"]  # no temporary file left


def test_help_names_the_curve_and_force(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "PATH.curve.json" in text and "--force replace PATH and its curve if they exist" in text
