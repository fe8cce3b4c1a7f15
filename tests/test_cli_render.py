"""cnn-explorer render: figures for slides of exactly the size asked, in PNG, SVG and PDF."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_expect import run

SVG = "{http://www.w3.org/2000/svg}"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (bytes 16-24)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    """The MediaBox (width, height) of every page, in points."""
    text = path.read_bytes().decode("latin-1")
    boxes = re.findall(r"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", text)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@pytest.mark.parametrize("size", [None, "1920x1080", "1280x720", "800x1000"])
def test_render_png_is_exactly_the_size_asked(tmp_path: Path, capsys, size: str | None) -> None:
    out = tmp_path / "r.png"
    extra = [] if size is None else ["--size", size]
    code, stdout, err = run(capsys, "render", "resnet50", "-o", str(out), *extra)
    assert code == 0, err
    want = (1920, 1080) if size is None else tuple(int(v) for v in size.split("x"))
    assert png_size(out) == want
    assert f"{want[0]}x{want[1]}" in stdout


def test_render_svg_has_the_size_attributes_and_every_box(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.svg"
    code, stdout, err = run(capsys, "render", "vgg16", "-o", str(out), "--size", "1920x1080")
    assert code == 0, err
    root = ET.parse(out).getroot()
    assert (root.get("width"), root.get("height")) == ("1920", "1080")
    assert root.get("viewBox") == "0 0 1920 1080"
    n = int(stdout.split(":")[1].split()[0])
    blocks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "block"]
    assert len(blocks) == n
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "vgg16" in texts  # the title
    assert any(t and t.startswith("conv:") for t in texts)  # the legend
    assert any(t and t.endswith(" ch") for t in texts)  # the stage bands
    # the graph is fitted into the figure: its transform scales it into 1920x1080
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    assert "scale(" in graph.get("transform", "")


def test_render_pdf_page_is_exactly_the_size_asked(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.pdf"
    code, stdout, err = run(capsys, "render", "googlenet", "-o", str(out), "--size", "1920x1080")
    assert code == 0, err
    assert out.read_bytes()[:5] == b"%PDF-"
    assert pdf_page_sizes(out) == [(1920.0, 1080.0)]
    out2 = tmp_path / "small.pdf"
    code, _, err = run(capsys, "render", "lenet5", "-o", str(out2), "--size", "640x480")
    assert code == 0, err
    assert pdf_page_sizes(out2) == [(640.0, 480.0)]


def test_render_depth_9_draws_every_layer(tmp_path: Path, capsys) -> None:
    from _models import analysis

    out = tmp_path / "all.svg"
    code, stdout, err = run(capsys, "render", "resnet18", "-o", str(out), "--depth", "9")
    assert code == 0, err
    root = ET.parse(out).getroot()
    drawn = {g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("class") == "block"}
    tree = analysis("resnet18").tree
    convs = {b.id for b in tree.blocks.values() if b.kind == "conv" and b.executed}
    # every convolution is its own box, none inside a group; a conv + BN module (the
    # projection shortcut) is one box labelled as its conv
    shown = {c for c in convs if c in drawn or tree.blocks[c].parent in drawn}
    assert convs and shown == convs
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert "1x1 conv, 128, /2" in labels and "3x3 conv, 512" in labels


def test_render_reports_the_label_size_and_wraps_to_the_figure(tmp_path: Path, capsys) -> None:
    code, stdout, _ = run(capsys, "render", "resnet50", "-o", str(tmp_path / "r.svg"))
    assert code == 0
    px = float(re.search(r"labels ([\d.]+) px", stdout).group(1))
    columns = int(re.search(r"(\d+) columns?", stdout).group(1))
    assert px >= 14.0 and columns >= 2


@pytest.mark.parametrize(
    "size, why",
    [
        ("1920", "expected WxH such as 1920x1080, got '1920'"),
        ("axb", "expected WxH such as 1920x1080, got 'axb'"),
        ("0x1080", "between 160x90 and 8192x8192 pixels, got 0x1080"),
        ("16x16", "between 160x90 and 8192x8192 pixels, got 16x16"),
        ("9000x1000", "between 160x90 and 8192x8192 pixels, got 9000x1000"),
    ],
)
def test_render_bad_size_is_one_usage_line(tmp_path: Path, capsys, size: str, why: str) -> None:
    out = tmp_path / "r.png"
    with pytest.raises(SystemExit) as info:
        run(capsys, "render", "lenet5", "-o", str(out), "--size", size)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and why in err and "Traceback" not in err
    assert not out.exists()


def test_render_pdf_replaced_only_whole(tmp_path: Path, capsys, monkeypatch) -> None:
    from PySide6.QtGui import QPainter

    out = tmp_path / "r.pdf"
    out.write_bytes(b"old")
    monkeypatch.setattr(QPainter, "begin", lambda self, device: False)
    code, _, err = run(capsys, "render", "lenet5", "-o", str(out), "--force")
    assert code == 2 and err.strip().endswith("Qt could not write the PDF")
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


def test_render_norm_boxes_draws_bn_and_relu_as_boxes(tmp_path: Path, capsys) -> None:
    folded, unfolded = tmp_path / "f.svg", tmp_path / "u.svg"
    assert run(capsys, "render", "resnet18", "-o", str(folded), "--depth", "9")[0] == 0
    code, _, err = run(
        capsys, "render", "resnet18", "-o", str(unfolded), "--depth", "9", "--norm-boxes"
    )
    assert code == 0, err

    def ids(p: Path) -> set[str]:
        root = ET.parse(p).getroot()
        return {g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("class") == "block"}

    assert "layer1.0.bn1" not in ids(folded) and "layer1.0.bn1" in ids(unfolded)
    assert "layer1.0.conv1" in ids(folded)


MODEL_FILE = """
import torch
from torch import nn


class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        setattr(self, "bad\\x01name", nn.Conv2d(3, 4, 3))

    def forward(self, x):
        y = getattr(self, "bad\\x01name")(x)
        return (y - 0.5) + y


def make():
    return Odd()
"""


def test_render_svg_is_well_formed_whatever_the_names_and_merges_say_what_they_do(
    tmp_path: Path, capsys
) -> None:
    src = tmp_path / "odd.py"
    src.write_text(MODEL_FILE)
    out = tmp_path / "odd.svg"
    code, _, err = run(capsys, "render", f"{src}:make", "-o", str(out), "--depth", "9")
    assert code == 0, err
    root = ET.parse(out).getroot()  # a control character in a name made it malformed
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "+" in texts  # the sum is drawn with its glyph, not as a blank box
    assert "−" in texts and "1 − T" not in texts  # a constant subtracted is no highway gate
