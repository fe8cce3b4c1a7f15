"""The command line: summary tables, JSON, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_expect import run

from explorer.__main__ import main


def test_summary_alexnet2012_prints_the_lecture_table(capsys) -> None:
    code, out, _ = run(capsys, "summary", "alexnet2012")
    assert code == 0
    lecture = {
        "conv1": "34,944",
        "conv2": "614,656",
        "conv3": "885,120",
        "conv4": "1,327,488",
        "conv5": "884,992",
        "fc1": "37,752,832",
        "fc2": "16,781,312",
        "fc3": "4,097,000",
    }
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    for layer, count in lecture.items():
        assert rows[layer][-2] == count, rows[layer]
    assert "Total params:      62,378,344" in out
    assert out.count("  equal") == 8
    assert "Published params:  62,378,344 (equal" in out


def test_summary_googlenet_beside_the_paper(capsys) -> None:
    code, out, _ = run(capsys, "summary", "googlenet", "--depth", "1")
    assert code == 0
    assert "inception (4c)" in out and "463K" in out and "510,104" in out
    assert out.count("equals expected") == 12
    assert "'5x5' branch (branch3) is a 3x3 convolution" in out
    assert "BatchNorm" in out


def test_summary_json_schema(capsys) -> None:
    code, out, _ = run(capsys, "summary", "resnet18", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["model"] == "resnet18" and d["input_shape"] == [1, 3, 224, 224]
    assert d["params"] == 11_689_512 == d["trainable_params"]
    assert abs(d["macs"] / 1.814e9 - 1) < 0.01
    ids = {b["id"] for b in d["blocks"]}
    root = next(b for b in d["blocks"] if b["id"] == "")
    assert root["parent"] is None and root["params"] == d["params"] and root["macs"] == d["macs"]
    for b in d["blocks"]:
        assert set(b) >= {
            "id",
            "kind",
            "parent",
            "params",
            "macs",
            "in_shapes",
            "out_shape",
            "branches",
        }
        assert b["parent"] is None or b["parent"] in ids
    l2 = next(b for b in d["blocks"] if b["id"] == "layer2.0")
    assert l2["kind"] == "residual" and l2["in_shapes"] == [[1, 64, 56, 56]]
    assert l2["out_shape"] == [1, 128, 28, 28]
    for e in d["edges"]:
        assert e["src"] in ids and e["dst"] in ids
        assert e["kind"] in ("data", "skip", "branch", "gate")
    assert sum(e["kind"] == "skip" for e in d["edges"]) == 8


def test_summary_json_depth_contracts_edges(capsys) -> None:
    code, out, _ = run(capsys, "summary", "resnet18", "--json", "--depth", "1")
    d = json.loads(out)
    ids = {b["id"] for b in d["blocks"]}
    assert "layer1" in ids and "layer1.0" not in ids
    assert {(e["src"], e["dst"]) for e in d["edges"]} >= {
        ("maxpool", "layer1"),
        ("layer1", "layer2"),
    }


def test_summary_input_size(capsys) -> None:
    code, out, _ = run(capsys, "summary", "resnet18", "--json", "--input-size", "64")
    d = json.loads(out)
    assert d["input_shape"] == [1, 3, 64, 64]
    assert d["macs"] < 0.1 * 1.814e9


def test_unknown_model_one_line_exit_2(capsys) -> None:
    code, out, err = run(capsys, "summary", "resnet5")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "unknown model 'resnet5'" in lines[0] and "resnet50" in lines[0]


@pytest.mark.parametrize(
    ("body", "factory", "message"),
    [
        (None, "make", "model file not found"),
        ("def make():\n    raise ValueError('bad width')\n", "make", "bad width"),
        ("def make():\n    return [1, 2]\n", "make", "did not give a torch.nn.Module but list"),
    ],
)
def test_user_file_errors_exit_2_without_traceback(tmp_path: Path, body, factory, message) -> None:
    path = tmp_path / "net.py"
    if body is not None:
        path.write_text(body)
    proc = subprocess.run(
        [sys.executable, "-m", "explorer", "summary", f"{path}:{factory}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_user_model_file_summary(tmp_path: Path, capsys) -> None:
    path = tmp_path / "net.py"
    path.write_text(
        "from torch import nn\n"
        "def make():\n"
        "    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1),\n"
        "                         nn.Flatten(), nn.Linear(8, 2))\n"
    )
    code, out, _ = run(capsys, "summary", f"{path}:make", "--input-size", "32", "--json")
    d = json.loads(out)
    assert code == 0 and d["params"] == 3 * 8 * 9 + 8 + 8 * 2 + 2
    assert d["macs"] == 8 * 30 * 30 * 3 * 9 + 8 * 2


def test_list(capsys) -> None:
    code, out, _ = run(capsys, "list", "--json")
    names = [m["name"] for m in json.loads(out)]
    assert code == 0 and names[0] == "lenet5" and "resnet50" in names


def test_bad_arguments_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["summary", "resnet18", "--depth", "-1"])
    assert info.value.code == 2


def test_render_svg_and_png(tmp_path: Path, capsys) -> None:
    import xml.etree.ElementTree as ET

    svg = tmp_path / "r.svg"
    code, out, _ = run(capsys, "render", "resnet18", "-o", str(svg), "--depth", "2")
    assert code == 0
    n = int(out.split(":")[1].split()[0])
    root = ET.parse(svg).getroot()
    blocks = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "block"]
    assert len(blocks) == n
    assert any(g.get("data-id") == "layer2.0" and g.get("data-kind") == "residual" for g in blocks)
    png = tmp_path / "r.png"
    code, out, _ = run(capsys, "render", "googlenet", "-o", str(png))
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_bad_output(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "render", "lenet5", "-o", str(tmp_path / "x.gif"))
    assert code == 2 and "must end in .png, .svg or .pdf" in err
    missing = tmp_path / "no" / "dir.svg"
    code, _, err = run(capsys, "render", "lenet5", "-o", str(missing))
    assert code == 2 and f"cannot write {missing}: no such folder" in err
    folder = tmp_path / "d.svg"
    folder.mkdir()
    code, _, err = run(capsys, "render", "lenet5", "-o", str(folder), "--force")
    assert code == 2 and f"{folder}: is a folder; name a file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.svg"]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_render_replaces_a_file_only_with_force_checked_before_the_work(
    fmt: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import explorer.__main__ as cli

    out = tmp_path / f"r.{fmt}"
    out.write_bytes(b"old")
    real = cli.structure_or_error

    def no_work(*args: object) -> None:
        raise AssertionError("the model was traced before the output was checked")

    monkeypatch.setattr(cli, "structure_or_error", no_work)
    code, stdout, err = run(capsys, "render", "lenet5", "-o", str(out))
    assert (code, stdout) == (2, "") and "Traceback" not in err
    assert err.strip() == f"cnn-explorer render: error: {out}: exists; add --force to replace it"
    assert out.read_bytes() == b"old"

    monkeypatch.setattr(cli, "structure_or_error", real)
    code, stdout, err = run(capsys, "render", "lenet5", "-o", str(out), "--force")
    assert code == 0, err
    head = out.read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n" if fmt == "png" else head.startswith(b"<")
    assert _names(tmp_path) == [out.name]


def test_render_png_that_qt_cannot_save_keeps_the_old_file(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "r.png"
    out.write_bytes(b"old")
    monkeypatch.setattr(QImage, "save", lambda self, *args: False)
    code, _, err = run(capsys, "render", "lenet5", "-o", str(out), "--force")
    assert code == 2 and "Traceback" not in err
    assert err.strip() == f"cnn-explorer render: error: cannot write {out}: Qt could not save it"
    assert out.read_bytes() == b"old" and _names(tmp_path) == ["r.png"]


def test_render_help_names_force(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    assert "--force replace FILE if it exists" in " ".join(capsys.readouterr().out.split())
