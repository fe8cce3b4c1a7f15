"""The ``fuse`` command: JSON, calibration note, exports that reload to the same outputs, and
one-line errors. Runs in-process (``main([...])``); small inputs keep it quick."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from cli_expect import assert_one_error as _one_error
from cli_expect import run

from explorer.models.registry import get
from explorer.studies.fusion.repvgg import calibrate_bn, fuse_repvgg


def assert_one_error(result: tuple[int, str, str], expect: str, code: int = 2) -> str:
    return _one_error(result, expect, "fuse", code)


KEYS = {
    "params_before",
    "params_after",
    "convs_before",
    "convs_after",
    "max_abs_diff",
    "max_rel_diff",
    "latency_ms_before",
    "latency_ms_after",
    "model",
    "weights",
    "device",
    "blocks_fused",
    "bn_before",
    "bn_after",
    "bn_folded",
    "calibrated",
}


@pytest.fixture(scope="module")
def a0_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """repvgg_a0 with seeded weights and calibrated BatchNorms, saved as a state_dict."""
    torch.manual_seed(0)
    model = get("repvgg_a0").build()
    calibrate_bn(model, n_batches=2, batch=4, size=64)
    path = tmp_path_factory.mktemp("fuse") / "a0.pt"
    torch.save(model.state_dict(), path)
    return path


def a0_fused_reference(checkpoint: Path) -> torch.nn.Module:
    model = get("repvgg_a0").build()
    model.load_state_dict(torch.load(checkpoint, weights_only=True))
    return fuse_repvgg(model).model


def test_repvgg_json(capsys) -> None:
    code, out, err = run(
        capsys, "fuse", "repvgg_a0", "--input-size", "64", "--repeats", "2", "--json"
    )
    assert code == 0, err
    d = json.loads(out)
    assert KEYS <= set(d)
    assert d["model"] == "repvgg_a0" and d["device"] == "cpu" and d["kind"] == "repvgg"
    assert d["convs_after"] < d["convs_before"] and d["convs_after"] == d["blocks_fused"] == 22
    assert d["params_after"] < d["params_before"] == get("repvgg_a0").ref_params
    assert d["bn_after"] == 0 and d["bn_folded"] == 0
    assert d["max_rel_diff"] <= 1e-5
    assert d["latency_ms_before"] > 0 and d["latency_ms_after"] > 0
    # offline: random weights, so the BatchNorms were calibrated, said on one line
    assert d["calibrated"] is True
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("(calibrated: true)"), err


def test_fold_bn_resnet18(capsys) -> None:
    code, out, err = run(
        capsys, "fuse", "tv:resnet18", "--fold-bn", "--input-size", "64", "--repeats", "2",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["kind"] == "conv-bn"
    assert d["bn_before"] == d["bn_folded"] == 20 and d["bn_after"] == 0
    assert d["convs_after"] == d["convs_before"] == 20
    assert d["params_after"] < d["params_before"]
    assert d["max_rel_diff"] <= 1e-5


def test_text_output(capsys) -> None:
    code, out, err = run(capsys, "fuse", "tv:resnet18", "--input-size", "32", "--repeats", "1")
    assert code == 0, err
    assert out.startswith("tv:resnet18: weights random (untrained); 0 RepVGG blocks")
    assert "20 BatchNorms folded" in out and "latency" in out


def test_export_state_dict_reloads_into_a_fused_model(
    a0_checkpoint: Path, tmp_path: Path, capsys
) -> None:
    out_path = tmp_path / "fused.pth"
    code, out, err = run(
        capsys, "fuse", "repvgg_a0", "--weights", str(a0_checkpoint), "--input-size", "64",
        "--repeats", "1", "--export", str(out_path), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["calibrated"] is False and d["weights"] == "a0.pt" and d["export"] == str(out_path)
    assert "calibrated" not in err
    # the structure of a fused model, then the exported tensors
    model = fuse_repvgg(get("repvgg_a0").build(), inplace=True).model
    model.load_state_dict(torch.load(out_path, weights_only=True))
    reference = a0_fused_reference(a0_checkpoint)
    x = torch.randn(2, 3, 64, 64)
    with torch.inference_mode():
        torch.testing.assert_close(model.eval()(x), reference(x), rtol=0, atol=0)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning")
def test_export_torchscript(a0_checkpoint: Path, tmp_path: Path, capsys) -> None:
    out_path = tmp_path / "fused.ts"
    code, out, err = run(
        capsys, "fuse", "repvgg_a0", "--weights", str(a0_checkpoint), "--input-size", "64",
        "--repeats", "1", "--export", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    assert f"saved       {out_path} (torchscript)" in out
    scripted = torch.jit.load(str(out_path))
    reference = a0_fused_reference(a0_checkpoint)
    x = torch.randn(1, 3, 64, 64)
    with torch.inference_mode():
        torch.testing.assert_close(scripted(x), reference(x), rtol=1e-6, atol=1e-6)


def test_export_onnx_without_onnx(tmp_path: Path, capsys) -> None:
    try:
        import onnx  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("onnx is installed")
    result = run(capsys, "fuse", "repvgg_a0", "--export", str(tmp_path / "m.onnx"))
    assert_one_error(result, "exporting ONNX needs the 'onnx' package")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        pytest.param(["resnet5"], "unknown model 'resnet5'", id="unknown-model"),
        pytest.param(
            ["repvgg_a0", "--export", "fused.zip"], "the export must end in .pt", id="bad-suffix"
        ),
        pytest.param(["repvgg_a0", "--device", "tpu"], "unknown device 'tpu'", id="bad-device"),
        pytest.param(
            ["repvgg_a0", "--weights", "missing.pt"], "missing.pt", id="missing-weights-file"
        ),
    ],
)
def test_errors_are_one_line(argv: list[str], expect: str, capsys) -> None:
    assert_one_error(run(capsys, "fuse", *argv), expect)


def test_export_into_a_missing_directory(tmp_path: Path, capsys) -> None:
    target = tmp_path / "no-such-dir" / "m.pt"
    result = run(capsys, "fuse", "lenet5", "--repeats", "1", "--export", str(target))
    assert_one_error(result, f"cannot write {target}: no such folder '{target.parent}'")
    assert not target.parent.exists()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def no_fusing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fuse run fails the test: an export place must be refused before any work."""
    from explorer.app.workflows import fuse

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was fused before the export place was checked")

    monkeypatch.setattr(fuse, "fuse", fail)


def test_export_onto_a_folder_is_refused_before_the_work(
    tmp_path: Path, capsys, no_fusing: None
) -> None:
    target = tmp_path / "m.pt"
    target.mkdir()  # a directory where the file should go
    result = run(capsys, "fuse", "lenet5", "--repeats", "1", "--export", str(target), "--force")
    assert_one_error(result, f"--export {target}: is a folder; name a file")


def test_an_existing_export_needs_force(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    from explorer.app.workflows import fuse

    target = tmp_path / "m.pt"
    target.write_bytes(b"old")
    real = fuse.fuse
    monkeypatch.setattr(fuse, "fuse", lambda *a, **k: pytest.fail("fused before the check"))
    result = run(capsys, "fuse", "lenet5", "--repeats", "1", "--export", str(target))
    assert_one_error(result, f"--export {target}: exists; add --force to replace it")
    assert target.read_bytes() == b"old"

    monkeypatch.setattr(fuse, "fuse", real)
    argv = ["fuse", "lenet5", "--repeats", "1", "--export", str(target), "--force"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert f"saved       {target} (state_dict)" in out
    state = torch.load(target, weights_only=True)
    assert set(state) == set(get("lenet5").build().state_dict())
    assert _names(tmp_path) == ["m.pt"]


def test_a_failed_export_keeps_the_old_file(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    target = tmp_path / "m.ts"
    target.write_bytes(b"old")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the tracer gave up")

    monkeypatch.setattr(torch.jit, "save", broken)
    result = run(capsys, "fuse", "lenet5", "--repeats", "1", "--export", str(target), "--force")
    assert_one_error(result, f"exporting {target} failed: the tracer gave up")
    assert target.read_bytes() == b"old" and _names(tmp_path) == ["m.ts"]


def test_fuse_help_names_force(capsys) -> None:
    from explorer.__main__ import main

    with pytest.raises(SystemExit):
        main(["fuse", "--help"])
    assert "--force replace FILE if it exists" in " ".join(capsys.readouterr().out.split())
