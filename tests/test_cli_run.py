"""The ``predict`` and ``stats`` commands: bad files and options, JSON, and agreement with a
forward pass computed directly.

Every error must come out as one line on stderr (``cnn-explorer predict: error: ...``), a
non-zero exit and nothing on stdout. The commands run in-process (``main([...])``) except for
one real process, which shows that no traceback reaches its stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from bad_inputs import (
    BAD_CHECKPOINTS,
    BAD_IMAGES,
    BadCheckpoint,
    BadInput,
    build_seeded,
    encode,
    marker_for,
    noise,
)
from cli_expect import assert_one_error, coffee_top5_direct, run, save_resnet18_weights
from PIL import Image

from explorer.__main__ import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cifar_resnet.py"

IMAGES = [pytest.param(e, id=e.id) for e in BAD_IMAGES]
CHECKPOINTS = [pytest.param(e, id=e.id) for e in BAD_CHECKPOINTS]


def write_png(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    path.write_bytes(encode(noise(*size), "PNG"))
    return path


# --- the shared table of bad images -------------------------------------------------------------


@pytest.mark.parametrize("entry", IMAGES)
def test_predict_bad_image(entry: BadInput, tmp_path: Path, capsys) -> None:
    path = entry.write(tmp_path)
    result = run(capsys, "predict", "lenet5", str(path), "--weights", "random", "--json")
    if entry.outcome == "error":
        assert_one_error(result, entry.expect)
        return
    code, out, err = result
    assert code == 0 and "Traceback" not in err
    rows = json.loads(out)
    assert [r["image"] for r in rows] == [str(path)]
    assert len(rows[0]["top5"]) == 5
    # the conversion is told, naming the file
    assert any(
        line.startswith(f"cnn-explorer: {path.name}: ") and entry.expect in line
        for line in err.splitlines()
    ), err


@pytest.mark.parametrize("entry", IMAGES)
def test_stats_bad_image(entry: BadInput, tmp_path: Path, capsys) -> None:
    path = entry.write(tmp_path)
    result = run(capsys, "stats", "lenet5", str(path), "--weights", "random")
    if entry.outcome == "error":
        assert_one_error(result, entry.expect, command="stats")
        return
    code, out, err = result
    assert code == 0 and "Traceback" not in err and entry.expect in err
    lines = out.splitlines()
    assert lines[0] == f"lenet5: weights random (untrained); {path}"
    assert lines[1].split()[:2] == ["block", "kind"]
    assert len(lines) > 5


def test_every_bad_image_is_named_on_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.png").write_text("not a picture")
    result = run(
        capsys, "predict", "lenet5", str(tmp_path / "gone.png"), str(tmp_path / "notes.png")
    )
    line = assert_one_error(result, "gone.png: no such file; ")
    assert "notes.png: not an image" in line


# --- the shared table of bad checkpoints --------------------------------------------------------


@pytest.mark.parametrize("entry", CHECKPOINTS)
def test_predict_bad_checkpoint(entry: BadCheckpoint, tmp_path: Path, capsys) -> None:
    path = entry.write(tmp_path)
    result = run(capsys, "predict", entry.model, "sample:digits-3", "--weights", str(path))
    assert_one_error(result, entry.expect)
    assert not marker_for(path).exists(), "the pickle's code ran"


def test_unreadable_checkpoint(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod does not stop root, so the refusal of the operating system is simulated
    path = tmp_path / "weights.pt"
    torch.save(build_seeded("lenet5").state_dict(), path)

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    result = run(capsys, "predict", "lenet5", "sample:digits-3", "--weights", str(path))
    assert_one_error(result, "weights.pt: cannot read (permission denied)")


def test_real_process_refuses_code_without_traceback(tmp_path: Path) -> None:
    entry = next(e for e in BAD_CHECKPOINTS if e.id == "code-torch")
    path = entry.write(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "explorer", "predict", "lenet5", "sample:digits-3"]
        + ["--weights", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"cnn-explorer predict: error: {entry.expect}")
    assert line.endswith("(it is never unpickled)")
    assert not marker_for(path).exists(), "the pickle's code ran"


# --- bad options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        pytest.param(["--device", "tpu"], "unknown device 'tpu'", id="device-tpu"),
        pytest.param(
            ["--device", "cpu", "--precision", "bf16"],
            "bf16 autocast runs on a GPU only; use fp32 on the CPU",
            id="bf16-on-cpu",
        ),
        pytest.param(
            ["--mean", "1,2", "--std", "1,1,1"],
            "expected three numbers separated by commas, got 2: '1,2'",
            id="mean-two-values",
        ),
        pytest.param(["--mean", "0.5,0.5,0.5"], "--mean and --std go together", id="mean-alone"),
        pytest.param(["--std", "0.5,0.5,0.5"], "--mean and --std go together", id="std-alone"),
        pytest.param(
            ["--mean", "0,0,0", "--std", "0,0,0"], "std values must be > 0", id="std-zero"
        ),
        pytest.param(
            ["--mean", "0,x,0", "--std", "1,1,1"], "'x' is not a number", id="mean-not-numbers"
        ),
        pytest.param(
            ["--weights", "pretrained"],
            "plain18: has no library pretrained weights",
            id="pretrained-without-library-weights",
        ),
        pytest.param(
            ["--weights", "bundled"],
            "plain18: has no bundled weights",
            id="bundled-without-bundled-weights",
        ),
    ],
)
def test_bad_option_one_line(argv: list[str], expect: str, capsys) -> None:
    # default weights (auto) of a model with neither bundled nor library weights: random,
    # and its "untrained weights" line must not come before the error
    result = run(capsys, "predict", "plain18", "sample:coffee", "--input-size", "64", *argv)
    assert_one_error(result, expect)


def test_unknown_model_suggests_names(capsys) -> None:
    line = assert_one_error(run(capsys, "predict", "resnet5", "sample:coffee"), "resnet5")
    assert "unknown model 'resnet5'" in line and "resnet50" in line
    result = run(capsys, "stats", "lenet", "sample:coffee")
    assert_one_error(result, "unknown model 'lenet'; closest registered names: lenet5", "stats")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu(capsys) -> None:
    result = run(capsys, "predict", "lenet5", "sample:digits-3", "--device", "cuda")
    assert_one_error(result, "device 'cuda': no CUDA GPU is available here")


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["--normalize", "foo"], "argument --normalize: invalid choice: 'foo'"),
        (["--precision", "fp8"], "argument --precision: invalid choice: 'fp8'"),
        (["--batch-size", "0"], "argument --batch-size"),
    ],
)
def test_argparse_rejects(argv: list[str], expect: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["predict", "lenet5", "sample:digits-3", *argv])
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""
    assert "Traceback" not in err and expect in err.strip().splitlines()[-1]


@pytest.fixture
def empty_torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch"


def test_pretrained_not_cached_offline(empty_torch_home: Path, capsys) -> None:
    result = run(capsys, "predict", "resnet18", "sample:coffee", "--weights", "pretrained")
    line = assert_one_error(result, "resnet18: no network and torchvision's IMAGENET1K_V1")
    assert "not in the cache" in line and str(empty_torch_home) in line
    assert "using random weights" not in line  # it does not: "pretrained" is an error


def test_auto_offline_runs_with_random_weights(empty_torch_home: Path, capsys) -> None:
    code, out, err = run(
        capsys, "predict", "resnet18", "sample:coffee", "--input-size", "64", "--json"
    )
    assert code == 0 and "Traceback" not in err
    (line,) = [x for x in err.splitlines() if "untrained weights" in x]
    assert "resnet18: no network" in line and "using random weights" in line
    (row,) = json.loads(out)
    assert row["weights"] == "random (untrained)" and len(row["top5"]) == 5
    # a model without bundled or library weights: the same line, and its reason
    code, out, err = run(capsys, "predict", "plain18", "sample:coffee", "--input-size", "64")
    assert code == 0 and "untrained weights (random initialisation)" in err
    # a model the program ships weights for runs with them, offline too
    code, out, err = run(capsys, "predict", "lenet5", "sample:digits-3", "--json")
    assert code == 0 and "untrained" not in err
    (row,) = json.loads(out)
    assert row["weights"].startswith("bundled (digits, ") and row["top5"][0]["label"] == "3"


# --- a forward pass that fails -----------------------------------------------------------------

USER_MODELS = """
from torch import nn

class Raises(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        raise ValueError("my model broke\\non two lines")

class ReturnsNone(Raises):
    def forward(self, x):
        return None

def raises():
    return Raises()

def returns_none():
    return ReturnsNone()
"""


@pytest.mark.parametrize(
    ("factory", "expect"),
    [
        ("raises", "the forward pass failed: ValueError: my model broke"),
        ("returns_none", "the forward pass failed: TypeError: the model returned NoneType"),
    ],
)
def test_user_model_failing_in_forward(factory: str, expect: str, tmp_path: Path, capsys) -> None:
    (tmp_path / "net.py").write_text(USER_MODELS)
    code, out, err = run(capsys, "predict", f"{tmp_path / 'net.py'}:{factory}", "sample:coffee")
    assert code == 2 and out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("cnn-explorer predict: error: ") and expect in last
    assert "two lines" not in err


def test_input_size_the_model_cannot_take(capsys) -> None:
    code, out, err = run(
        capsys, "predict", "lenet5", "sample:digits-3", "--input-size", "64", "--weights", "random"
    )
    assert code == 2 and out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert "error: lenet5 cannot take a 64x64 input; its layers are sized for 32x32" in last


# --- JSON ---------------------------------------------------------------------------------------


def test_predict_json_schema(tmp_path: Path, capsys) -> None:
    png = write_png(tmp_path / "mine.png")
    argv = ["predict", "lenet5", "sample:digits-3", str(png), "--weights", "random", "--json"]
    torch.manual_seed(0)  # the same random weights in both runs
    code, out, _ = run(capsys, *argv)
    assert code == 0
    rows = json.loads(out)
    assert [r["image"] for r in rows] == ["sample:digits-3", str(png)]
    for row in rows:
        # exactly these keys, besides the optional device and weights
        assert set(row) - {"device", "weights"} == {"image", "notes", "top5", "latency_ms"}
        assert isinstance(row["notes"], list) and all(isinstance(n, str) for n in row["notes"])
        assert row["latency_ms"] > 0
        top5 = row["top5"]
        assert len(top5) == 5
        assert all(set(t) == {"index", "label", "prob"} for t in top5)
        assert all(t["label"] == str(t["index"]) for t in top5)  # lenet5's classes: "0".."9"
        assert len({t["index"] for t in top5}) == 5
        probs = [t["prob"] for t in top5]
        assert probs == sorted(probs, reverse=True)
        assert 0 < sum(probs) <= 1 + 1e-6
    # two images in one batch: the same answers
    torch.manual_seed(0)
    code, out, _ = run(capsys, *argv, "--batch-size", "2")
    batched = json.loads(out)
    for one, two in zip(rows, batched, strict=True):
        assert [t["index"] for t in one["top5"]] == [t["index"] for t in two["top5"]]
        np.testing.assert_allclose(
            [t["prob"] for t in one["top5"]], [t["prob"] for t in two["top5"]], rtol=1e-5
        )


def test_predict_text_output(tmp_path: Path, capsys) -> None:
    png = write_png(tmp_path / "mine.png")
    code, out, _ = run(capsys, "predict", "lenet5", str(png), "--weights", "random")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 7
    assert lines[0].startswith("lenet5: weights random (untrained); resize 32, centre-crop 32")
    assert lines[1].startswith(f"{png}  (") and "ms on " in lines[1]
    assert all(line.strip().endswith(")") and "%" in line for line in lines[2:])


def _module_ids(name: str) -> set[str]:
    return set(dict(build_seeded(name).named_modules()))


def _check_blocks(blocks: list[dict], name: str) -> None:
    modules = _module_ids(name)
    assert blocks
    for b in blocks:
        assert set(b) == {"id", "kind", "out_shape", "mean", "std"}
        assert b["id"].split("@")[0] in modules, b["id"]
        assert all(isinstance(n, int) and n > 0 for n in b["out_shape"])
        assert np.isfinite(b["mean"]) and b["std"] >= 0


def test_stats_json_highway(capsys) -> None:
    code, out, _ = run(
        capsys, "stats", "highway", "sample:chelsea", "--weights", "random", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert (d["model"], d["image"]) == ("highway", "sample:chelsea")
    _check_blocks(d["blocks"], "highway")
    assert d["se"] == []
    assert len(d["highway"]) == 9
    kinds = {b["id"]: b["kind"] for b in d["blocks"]}
    for h in d["highway"]:
        assert set(h) == {"id", "gate_mean"}
        assert kinds[h["id"]] == "highway"
        assert 0 < h["gate_mean"] < 1


def test_stats_json_se_gates(capsys) -> None:
    argv = ["stats", "timm:seresnet18", "sample:coffee", "--weights", "random"]
    argv += ["--input-size", "64"]  # 64 px keeps it fast; the SE gates are the same
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0
    d = json.loads(out)
    _check_blocks(d["blocks"], "timm:seresnet18")
    assert d["highway"] == []
    shapes = {b["id"]: b["out_shape"] for b in d["blocks"]}
    assert [len(g["gate"]) for g in d["se"]] == [64, 64, 128, 128, 256, 256, 512, 512]
    for g in d["se"]:
        assert set(g) == {"id", "gate"}
        assert len(g["gate"]) == shapes[g["id"]][0]  # one gate per channel of the block
        assert all(0 < v < 1 for v in g["gate"])
    # the table says the same
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.count("\nSE layer") == 8 and "64 channels, gate mean" in out


# --- the same answer as a direct forward pass ---------------------------------------------------


def test_accepted_checkpoint_gives_the_direct_top5(tmp_path: Path, capsys) -> None:
    from explorer.models import registry
    from explorer.runtime.images import load_sample
    from explorer.runtime.preprocess import preprocess_for, to_batch

    model = build_seeded("lenet5", 0)
    sd = model.state_dict()
    path = tmp_path / "lenet5_dp.pth"
    torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in sd.items()}}, path)

    with torch.inference_mode():
        x = to_batch([load_sample("digits-3")], preprocess_for(registry.get("lenet5")))
        probs = torch.softmax(model(x), dim=1)[0]
    best = torch.topk(probs, 5)

    argv = ["predict", "lenet5", "sample:digits-3", "--weights", str(path), "--device", "cpu"]
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0 and "untrained" not in err
    (row,) = json.loads(out)
    assert row["weights"] == path.name
    assert [t["index"] for t in row["top5"]] == best.indices.tolist()
    assert [t["prob"] for t in row["top5"]] == pytest.approx(best.values.tolist(), rel=1e-6)


def test_coffee_top5_equals_the_direct_computation(tmp_path: Path, capsys) -> None:
    path = save_resnet18_weights(tmp_path / "resnet18_seed0.pth")
    argv = ["predict", "resnet18", "sample:coffee", "--weights", str(path), "--device", "cpu"]
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert [t["index"] for t in row["top5"]] == coffee_top5_direct(path)


# --- a user's model file with a real checkpoint (../shared/data) --------------------------------


def test_user_model_on_cifar_images(shared_data: Path, tmp_path: Path, capsys) -> None:
    from explorer.models import registry
    from explorer.models.checkpoint import load_checkpoint
    from explorer.models.registry import IMAGENET_MEAN, IMAGENET_STD

    n = 20
    data = np.load(shared_data / "cifar10_test_first1000_lossless.npz")
    pixels, labels = data["x"][:n], data["y"][:n]
    checkpoint = shared_data / "checkpoints" / "resnet20-12fca82f.th"

    # the expectation, image by image, without the program's loading and preprocessing
    model = registry.get(f"{EXAMPLE}:resnet20").build()
    load_checkpoint(model, checkpoint)
    x = torch.from_numpy(pixels).permute(0, 3, 1, 2).float() / 255.0
    x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(
        1, 3, 1, 1
    )
    with torch.inference_mode():
        direct = torch.softmax(model(x), dim=1)
    expected = direct.argmax(1).numpy()
    assert (expected == labels).sum() >= 17  # ~91.7 % accurate: the comparison means something

    files = []
    for i, a in enumerate(pixels):
        files.append(tmp_path / f"cifar{i:02d}.png")
        Image.fromarray(a).save(files[-1])
    code, out, err = run(
        capsys,
        "predict",
        f"{EXAMPLE}:resnet20",
        *map(str, files),
        "--weights",
        str(checkpoint),
        "--input-size",
        "32",
        "--normalize",
        "imagenet",
        "--device",
        "cpu",
        "--json",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [r["image"] for r in rows] == [str(f) for f in files]
    got = np.array([r["top5"][0]["index"] for r in rows])
    np.testing.assert_array_equal(got, expected)
    assert (got == labels).sum() >= 17
    for i, r in enumerate(rows):
        # the model file's class_names attribute names the classes
        assert r["top5"][0]["label"] == str(data["classes"][expected[i]])
        assert r["top5"][0]["prob"] == pytest.approx(float(direct[i].max()), rel=1e-4)


def test_what_loading_did_is_in_the_json_notes_too(tmp_path, capsys) -> None:
    """A 1x1 image's 'upscaling gives a flat image' was on stderr only."""
    import json

    from PIL import Image

    from explorer.__main__ import main

    path = tmp_path / "one.png"
    Image.new("L", (1, 1), 0).save(path)
    assert main(["predict", "resnet56", str(path), "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)[0]["notes"]
    assert notes[0] == "1x1 px: upscaling gives a flat image"
    assert "this image is blank (one grey level): there is no digit in it to read" in notes
