"""The ``compare`` and ``kernels`` commands: tables, JSON, exit codes and one-line errors.

Run in-process (``main([...])``). The measuring runs use the digits models (1x32x32) on the
CPU with batch 2 and two rounds; the CLI's peak is its default 2048x2048 matrix product.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from cli_expect import assert_one_error, run

from explorer.models.published import chart_data
from explorer.studies.speed.kernels import conv_macs


def one_error(result: tuple[int, str, str], command: str, expect: str, code: int = 2) -> str:
    return assert_one_error(result, expect, command, code)


# ---------------------------------------------------------------------------------------------
# published figures


def test_compare_prints_the_table_and_the_missing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare")
    assert code == 0, err
    assert err == ""
    found, missing = chart_data()
    lines = out.splitlines()
    assert lines[0].startswith("Published ImageNet figures")
    assert lines[1].split()[:3] == ["model", "recipe", "weights"]
    rows = {tuple(ln.split()[:3]): ln for ln in lines[2 : 2 + len(found)]}
    assert list(rows) == [(f.name, f.recipe, f.weights) for f in found]
    for f in found:
        row = rows[(f.name, f.recipe, f.weights)]
        assert f"{f.top1:.2f}" in row and f"{f.params:,d}" in row
        assert f.source in row and f"{f.resolution:5d}  " in row
    assert f"Without published ImageNet figures ({len(missing)}):" in lines
    for m in missing:
        assert f"  {m.name}: {m.reason}" in lines


def test_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare", "resnet18", "repvgg_a0", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == {"published", "without_figures"}
    (pub,) = d["published"]
    assert pub["name"] == "resnet18" and pub["family"] == "ResNet"
    assert (pub["top1"], pub["top5"], pub["params"], pub["gmacs"], pub["resolution"]) == (
        69.758,
        89.078,
        11_689_512,
        1.814,
        224,
    )
    assert "ResNet18_Weights.IMAGENET1K_V1" in pub["source"]
    assert (pub["recipe"], pub["weights"]) == ("original", "IMAGENET1K_V1")
    (miss,) = d["without_figures"]
    assert miss["name"] == "repvgg_a0" and miss["family"] == "RepVGG"
    assert "timm" in miss["reason"]


def test_compare_json_lists_both_recipes(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's figures: resnet50's and resnet152's original (IMAGENET1K_V1) and improved
    (V2) entries, seresnet50's paper figure and timm's later 288 px one."""
    code, out, err = run(capsys, "compare", "resnet50", "resnet152", "seresnet50", "--json")
    assert code == 0, err
    pub = json.loads(out)["published"]
    got = [
        (p["name"], p["recipe"], p["weights"], p["top1"], p["top5"], p["resolution"]) for p in pub
    ]
    assert got == [
        ("resnet50", "original", "IMAGENET1K_V1", 76.13, 92.862, 224),
        ("resnet50", "improved", "IMAGENET1K_V2", 80.858, 95.434, 224),
        ("resnet152", "original", "IMAGENET1K_V1", 78.312, 94.046, 224),
        ("resnet152", "improved", "IMAGENET1K_V2", 82.284, 96.002, 224),
        ("seresnet50", "original", "paper", 76.71, 93.38, 224),
        ("seresnet50", "improved", "a1_in1k", 81.102, 95.12, 288),
    ]
    assert "Table 2" in pub[4]["source"] and pub[4]["gmacs"] == 3.87
    assert all(p["recipe"] in ("original", "improved") for p in pub)


def test_compare_text_says_recipe_and_resolution(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare", "seresnet50", "convnext_tiny")
    assert code == 0, err
    rows = [ln.split() for ln in out.splitlines()[2:5]]
    assert [r[:3] for r in rows] == [
        ["seresnet50", "original", "paper"],
        ["seresnet50", "improved", "a1_in1k"],
        ["convnext_tiny", "improved", "IMAGENET1K_V1"],
    ]
    assert [r[7] for r in rows] == ["224", "288", "224"]  # the px column
    assert "later training recipe" in out.splitlines()[4]


def test_compare_measure_needs_models(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(run(capsys, "compare", "--measure"), "compare", "name the models to measure")


def test_compare_unknown_model(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_error(run(capsys, "compare", "resnet18", "resnet_18"), "compare", "unknown model")
    assert "closest registered names" in line and "resnet18" in line


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_compare_cuda_without_a_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(
        run(capsys, "compare", "resnet20", "--measure", "--device", "cuda"),
        "compare",
        "no CUDA GPU",
    )


def test_compare_half_precision_on_the_cpu(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(
        run(capsys, "compare", "resnet20", "--measure", "--device", "cpu", "--precision", "bf16"),
        "compare",
        "GPU only",
    )


# ---------------------------------------------------------------------------------------------
# measuring


def test_compare_measure_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "compare",
        "resnet20",
        "repvgg_small",
        "--measure",
        "--fused",
        "--kinds",
        "--device",
        "cpu",
        "--batch",
        "2",
        "--repeats",
        "2",
        "--warmup",
        "0",
        "--json",
    )
    assert code == 0, err
    assert "Traceback" not in err
    d = json.loads(out)
    assert d["published"] == []  # digits models: no ImageNet figures
    assert [m["name"] for m in d["without_figures"]] == ["resnet20", "repvgg_small"]
    m = d["measured"]
    assert (m["device"], m["batch"], m["repeats"], m["warmup"]) == ("cpu (fp32)", 2, 2, 0)
    assert [r["label"] for r in m["results"]] == [
        "resnet20",
        "repvgg_small",
        "repvgg_small (fused)",
    ]
    assert m["peak"]["n"] == 2048 and m["peak"]["runs"] == 2 and m["peak"]["gflops"] > 0
    assert m["failed"] == []
    for r in m["results"]:
        assert r["timing"]["runs"] == 2 and r["resolution"] == 32
        assert r["images_per_s"] == pytest.approx(2 / r["timing"]["median_s"])
        assert r["fraction_of_peak"] == pytest.approx(r["gflops"] / m["peak"]["gflops"])
        assert sum(k["macs_per_image"] for k in r["kinds"]) == r["macs_per_image"]
    assert m["results"][0]["macs_per_image"] == 40_256_128
    fused = m["results"][2]
    assert fused["fused"] and fused["macs_per_image"] < m["results"][1]["macs_per_image"]
    # progress goes to stderr, never into the JSON on stdout
    assert "building resnet20" in err


def test_compare_measure_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "compare", "resnet20", "--measure", "--device", "cpu", "--batch", "2",
        "--repeats", "1", "--warmup", "0",
    )  # fmt: skip
    assert code == 0, err
    assert "Without published ImageNet figures (1):" in out
    assert "Measured on cpu (fp32), batch 2, median of 1 rounds" in out
    assert "Peak (2048x2048 matrix product, fp32):" in out
    assert any(ln.startswith("resnet20 ") and "0.04" in ln for ln in out.splitlines())


def test_compare_measure_exits_1_when_nothing_could_be_measured(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.py"
    path.write_text(
        "import torch\n"
        "class Broken(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        raise RuntimeError('this model is broken')\n"
        "def make():\n"
        "    return Broken()\n"
    )
    code, out, err = run(
        capsys, "compare", f"{path}:make", "--measure", "--device", "cpu", "--batch", "1",
        "--repeats", "1", "--warmup", "0",
    )  # fmt: skip
    assert code == 2
    assert "Traceback" not in err
    assert f"{path}:make: not measured: " in err
    assert "Measured on cpu" in out


# ---------------------------------------------------------------------------------------------
# kernels


def test_kernels_refuse_even_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(run(capsys, "kernels", "--kernels", "2"), "kernels", "--kernels")
    one_error(run(capsys, "kernels", "--kernels", "1,x"), "kernels", "--kernels")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_kernels_cuda_without_a_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    one_error(run(capsys, "kernels", "--device", "cuda"), "kernels", "no CUDA GPU")


def test_kernels_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "kernels", "--device", "cpu", "--channels", "8", "--size", "8",
        "--kernels", "1,3", "--repeats", "2", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err
    d = json.loads(out)
    assert (d["device"], d["batch"], d["channels"], d["size"], d["repeats"]) == (
        "cpu (fp32)",
        1,
        8,
        8,
        2,
    )
    assert [r["kernel"] for r in d["rows"]] == ["1x1", "3x3"]
    assert [r["macs"] for r in d["rows"]] == [conv_macs(1, 8, 8, k) for k in (1, 3)]
    assert all(r["timing"]["runs"] == 2 and r["tflops"] > 0 for r in d["rows"])
    assert d["peak"]["n"] == 2048 and d["peak"]["runs"] == 2


def test_kernels_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "kernels", "--device", "cpu", "--channels", "4", "--size", "4",
        "--kernels", "3", "--repeats", "1",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("One conv, 4 channels in and out, 4x4, batch 1, stride 1, on cpu")
    assert lines[1].startswith("Peak (2048x2048 matrix product): ")
    assert lines[2].split() == ["kernel", "GFLOP", "ms", "spread", "TFLOP/s", "of", "peak"]
    assert lines[3].startswith("3x3")
