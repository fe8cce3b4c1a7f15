"""A user's code that exits, raises a BaseException, or computes NaN: one line, never silent."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from cli_expect import run

from explorer.cli.common import emit_json, finite_json

USER = """
import sys
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, mode="ok"):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4, 10)
        self.mode = mode

    def forward(self, x):
        if self.mode == "exit":
            sys.exit(3)
        if self.mode == "base":
            raise Odd("an odd failure")
        y = self.fc(self.conv(x).mean((2, 3)))
        return y * float("inf") if self.mode == "inf" else y


class Odd(BaseException):
    pass


def exits():
    return Net("exit")


def base():
    return Net("base")


def inf():
    return Net("inf")


def interrupts():
    raise KeyboardInterrupt


def multiline():
    raise ValueError("line one\\nline two")


def factory_exits():
    sys.exit("no model today")


def bug():
    return Net("ok")
"""


@pytest.fixture
def user(tmp_path: Path) -> Path:
    p = tmp_path / "net.py"
    p.write_text(USER)
    return p


@pytest.mark.parametrize(
    "factory, expect",
    [
        ("exits", "the model's code called sys.exit(3)"),
        ("base", "Odd: an odd failure"),
        ("factory_exits", "factory_exits() raised SystemExit: no model today"),
    ],
)
def test_exit_and_base_exception_are_one_line(
    user: Path, factory: str, expect: str, capsys
) -> None:
    code, out, err = run(capsys, "predict", f"{user}:{factory}", "sample:coffee", "--json")
    assert code == 2 and out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("cnn-explorer predict: error: ") and expect in last


def test_infinite_outputs_are_null_with_a_warning(user: Path, capsys) -> None:
    code, out, err = run(capsys, "predict", f"{user}:inf", "sample:coffee", "--json")
    assert code == 0
    rows = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert all(t["prob"] is None for t in rows[0]["top5"])
    assert "outputs are not finite for 1 of 1 image(s)" in err
    assert "is not a finite number: null" in err


def test_stats_json_is_strict(user: Path, capsys) -> None:
    code, out, err = run(capsys, "stats", f"{user}:inf", "sample:coffee", "--json")
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_fuse_fails_its_check_on_non_finite_outputs(user: Path, capsys) -> None:
    code, out, err = run(capsys, "fuse", f"{user}:inf", "--json", "--device", "cpu")
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("cnn-explorer fuse: error: the check failed: ")
    assert "not finite" in last and "forward pass failed" not in last


def test_a_bug_exits_1_with_its_traceback_in_the_log(monkeypatch, tmp_path: Path, capsys) -> None:
    from explorer import __main__ as m

    monkeypatch.setenv("CNN_EXPLORER_CACHE", str(tmp_path))

    def broken(_args):  # noqa: ANN001, ANN202
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setitem(m.COMMANDS, "list", broken)
    code, out, err = run(capsys, "list")
    assert code == 1 and out == ""
    assert err.strip() == (
        f"cnn-explorer: internal error: ZeroDivisionError: a bug of ours "
        f"(details in {tmp_path / 'cnn-explorer.log'})"
    )
    assert "Traceback" in (tmp_path / "cnn-explorer.log").read_text()


def test_finite_json_replaces_and_names_every_non_finite_figure() -> None:
    import numpy as np
    import torch

    bad: list[str] = []
    got = finite_json(
        {"a": [1.0, float("nan")], "b": {"c": np.float32("inf")}, "t": torch.tensor(2.5), "s": "x"},
        "",
        bad,
    )
    assert got == {"a": [1.0, None], "b": {"c": None}, "t": 2.5, "s": "x"}
    assert bad == ["a[1]", "b.c"]


def test_emit_json_never_prints_nan(capsys) -> None:
    emit_json({"x": -math.inf, "y": [math.nan] * 9})
    out, err = capsys.readouterr()
    assert json.loads(out) == {"x": None, "y": [None] * 9}
    assert "x is not a finite number" in err and "5 more non-finite figures" in err


def test_integer_weights_load_with_a_warning_on_stderr(tmp_path: Path, capsys) -> None:
    import torch

    from explorer.models.registry import get

    sd = get("lenet5").build().state_dict()
    sd["c1.weight"] = sd["c1.weight"].to(torch.int8)
    torch.save(sd, tmp_path / "ints.pt")
    code, out, err = run(
        capsys, "predict", "lenet5", "sample:digits-3", "--weights", str(tmp_path / "ints.pt")
    )
    assert code == 0 and out
    assert (
        "cnn-explorer: warning: ints.pt: integer values cast to floating point in c1.weight (int8)"
        in err
    )


def test_a_sweep_whose_model_raises_says_the_forward_pass_failed() -> None:
    from explorer.app.workflows.lesion import _model_errors
    from explorer.runtime.evaluate import ModelError

    def study():  # a sweep that meets a user's layer raising on real data
        yield 0.5, "half", []
        raise ValueError("boom in a layer")

    gen = _model_errors(study())
    assert next(gen) == (0.5, "half", [])
    with pytest.raises(ModelError, match="^the forward pass failed: ValueError: boom in a layer$"):
        next(gen)


def test_a_lesioned_segment_failing_prints_no_generated_code(capfd) -> None:
    import torch
    from torch import fx, nn

    from explorer.studies.lesion.surgery import LesionedModel

    class Boom(nn.Module):
        def forward(self, x):  # noqa: ANN001, ANN202
            return x.view(3, 5)

    seg = fx.symbolic_trace(nn.Sequential(nn.Identity(), Boom()))
    with pytest.raises(RuntimeError):
        LesionedModel([seg])(torch.zeros(2, 2))
    assert "Call using an FX-traced Module" not in capfd.readouterr().err


def test_a_partial_load_is_a_warning(tmp_path: Path, capsys) -> None:
    import torch

    from explorer.models.registry import get

    sd = get("lenet5").build().state_dict()
    sd["c3.weight"] = torch.zeros(2401)
    del sd["f6.bias"]
    torch.save(sd, tmp_path / "part.pt")
    code, out, err = run(
        capsys, "predict", "lenet5", "sample:digits-3", "--weights", str(tmp_path / "part.pt")
    )
    assert code == 0 and out
    assert (
        "cnn-explorer: warning: part.pt: loaded 8 of 10 tensors, 1 missing (f6.bias), 1 of "
        "another shape (c3.weight 2401 in file vs 16x6x5x5); the model's other tensors keep "
        "their random values" in err
    )


@pytest.mark.parametrize("command", ["stats", "predict", "lesion"])
def test_layer_outputs_over_the_limit_are_refused_before_running(
    command, monkeypatch, capsys
) -> None:
    # the input (1x1x1500x1500 float32: 8.6 MiB) fits; vgg_small's first layers' 16 channels
    # at full resolution (137 MiB each) do not
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "100M")
    argv = (
        ["lesion", "vgg_small", "--limit", "1"]
        if command == "lesion"
        else [command, "vgg_small", "sample:digits-3"]
    )
    code, out, err = run(capsys, *argv, "--input-size", "1500", "--json")
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert (
        f"cnn-explorer {command}: error: running a 1x1x1500x1500 input (its largest layer output alone takes 137.3 MiB)"
        in last
    )
    assert "more than the memory limit of 100.0 MiB (set CNN_EXPLORER_MAX_MEMORY" in last


def test_activation_peak_is_the_largest_module_output() -> None:
    from torch import nn

    from explorer.runtime.inference import activation_peak

    net = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 16 * 16, 10)
    )
    assert activation_peak(net, (2, 1, 32, 32)) == 2 * 8 * 32 * 32 * 4


def test_the_meta_pass_never_touches_the_model() -> None:
    """Another thread may run the model meanwhile: its tensors and hooks stay as they are."""
    import torch
    from torch import nn

    from explorer.runtime.inference import activation_peak

    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
    weights = {n: p for n, p in net.named_parameters()}
    seen: list[str] = []
    net[0].register_forward_hook(lambda m, i, o: seen.append(o.device.type))
    assert activation_peak(net, (1, 1, 8, 8)) == 4 * 6 * 6 * 4
    assert seen == [] and net.training
    assert {n: p for n, p in net.named_parameters()} == weights
    assert all(p.device.type == "cpu" for p in net.parameters())
    net(torch.zeros(1, 1, 8, 8))
    assert seen == ["cpu"]


@pytest.mark.parametrize(
    "argv, expect",
    [
        (
            ["summary", "lenet5", "--input-size", "0"],
            "cnn-explorer summary: error: argument --input-size: expected a positive integer, got 0 (cnn-explorer summary --help lists the options)",
        ),
        (
            ["lesion", "resnet20", "--trials", "1000000000"],
            "cnn-explorer lesion: error: argument --trials: at most 10,000, got 1,000,000,000",
        ),
        (
            ["fuse", "repvgg_small", "--repeats", "100000000"],
            "cnn-explorer fuse: error: argument --repeats: at most 10,000",
        ),
        (
            ["stats", "lenet5", "a.png", "b.png"],
            "cnn-explorer: error: unrecognized arguments: b.png",
        ),
    ],
)
def test_usage_mistakes_are_one_line(argv, expect, capsys) -> None:
    from explorer.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(expect)


@pytest.mark.parametrize(
    "factory, expect",
    [
        ("interrupts", "cnn-explorer summary: error: the model's code raised KeyboardInterrupt"),
        ("multiline", "multiline() raised ValueError: line one line two"),
    ],
)
def test_a_factory_interrupting_or_writing_lines_is_one_line(
    user: Path, factory, expect, capsys
) -> None:
    code, out, err = run(capsys, "summary", f"{user}:{factory}")
    assert code == 2 and len(err.strip().splitlines()) == 1 and expect in err


def test_a_full_disk_on_stdout_is_one_line() -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "explorer", "list", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "cnn-explorer list: error: cannot write the output: No space left on device"
    )


def test_many_images_are_bounded_together(tmp_path: Path, monkeypatch, capsys) -> None:
    from PIL import Image

    Image.new("RGB", (600, 600)).save(tmp_path / "big.png")  # 1.03 MiB of pixels decoded
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "3M")
    code, out, err = run(capsys, "predict", "lenet5", *[str(tmp_path / "big.png")] * 10)
    assert code == 2 and out == ""
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith(
            "cnn-explorer predict: error: the pixels of the first 3 images together would take 3.1 MiB"
        )
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["fuse", "repvgg_small", "--input-size", "3000", "--repeats", "1"],
        [
            "kernels",
            "--batch",
            "1",
            "--channels",
            "64",
            "--size",
            "400",
            "--kernels",
            "1",
            "--repeats",
            "1",
        ],
    ],
)
def test_fuse_and_kernels_are_bounded(argv, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "50M")
    code, out, err = run(capsys, *argv, "--device", "cpu")
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert (
        last.startswith(f"cnn-explorer {argv[0]}: error: ")
        and "more than the memory limit of 50.0 MiB" in last
    )


def test_lesion_refuses_non_finite_outputs(user: Path, capsys) -> None:
    code, out, err = run(
        capsys, "lesion", f"{user}:inf", "--limit", "4", "--input-size", "32", "--json"
    )
    assert code == 2 and out == ""
    assert (
        "the model's outputs are not finite (NaN or infinity) for 4 of 4 images"
        in err.strip().splitlines()[-1]
    )


def test_predict_refuses_rows_that_are_not_one_per_image(tmp_path: Path, capsys) -> None:
    (tmp_path / "rows.py").write_text(
        "import torch\nfrom torch import nn\n"
        "class M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__(); self.c = nn.Conv2d(3, 2, 1)\n"
        "    def forward(self, x):\n        return self.c(x).mean((2, 3))[:0]\n"
        "def make():\n    return M()\n"
    )
    code, out, err = run(
        capsys, "predict", f"{tmp_path / 'rows.py'}:make", "sample:coffee", "--json"
    )
    assert code == 2 and out == ""
    assert (
        "the model returned a tensor of shape (0, 2) for 1 image(s)" in err.strip().splitlines()[-1]
    )


def test_unused_tensors_are_a_warning(tmp_path: Path, capsys) -> None:
    import torch

    from explorer.models.registry import get

    sd = get("lenet5").build().state_dict()
    sd["junk.extra"] = torch.zeros(3)
    torch.save(sd, tmp_path / "extra.pt")
    code, out, err = run(
        capsys, "predict", "lenet5", "sample:digits-3", "--weights", str(tmp_path / "extra.pt")
    )
    assert code == 0 and out
    assert "warning: extra.pt: 1 tensors the model does not have were not used (junk.extra)" in err


def test_a_colour_network_trains_and_its_stored_accuracy_is_measured(
    tmp_path: Path, capsys
) -> None:
    (tmp_path / "c3.py").write_text(
        "from torch import nn\n"
        "class M(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__(); self.c = nn.Conv2d(3, 4, 3, stride=4); self.f = nn.Linear(4, 10)\n"
        "    def forward(self, x):\n        return self.f(self.c(x).mean((2, 3)))\n"
        "def make():\n    return M()\n"
    )
    out = tmp_path / "c3.pt"
    code, _, err = run(
        capsys, "train", f"{tmp_path / 'c3.py'}:make", "--epochs", "1", "--out", str(out)
    )
    assert code == 0, err  # the stored copy was evaluated on 1-channel digits: exit 1
    assert out.is_file() and "test top-1" in err


def test_a_window_larger_than_qt_paints_is_refused(capsys) -> None:
    from explorer.ui.app import gui_parser

    with pytest.raises(SystemExit):
        gui_parser().parse_args(["--size", "100000x100000"])
    assert "at most 8192x8192" in capsys.readouterr().err


def test_entries_named_like_images_that_are_not_files_are_named_as_skipped(
    tmp_path: Path, capsys
) -> None:
    import os

    from PIL import Image

    for c in ("0", "1"):
        (tmp_path / "set" / c).mkdir(parents=True)
        Image.new("L", (12, 12), 128).save(tmp_path / "set" / c / "ok.png")
    os.mkfifo(tmp_path / "set" / "0" / "pipe.png")
    (tmp_path / "set" / "1" / "dir.png").mkdir()
    (tmp_path / "set" / "1" / "loop.png").symlink_to(tmp_path / "set" / "1" / "loop.png")
    code, out, err = run(capsys, "lesion", "lenet5", "--data", str(tmp_path / "set"), "--json")
    assert code == 0
    data = json.loads(out)["data"]
    assert data["n"] == 2 and sorted(data["skipped"]) == ["0/pipe.png", "1/dir.png", "1/loop.png"]
    assert "3 unreadable images skipped" in err
