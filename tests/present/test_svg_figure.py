"""SVG figures for slides (Qt-free): exactly the size asked, the graph inside its area and clear of
the title and the legend, light text on dark boxes, frame pieces dashed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from _models import analysis

from explorer.present.layout import compute_layout, expand_to_depth
from explorer.present.svg import Figure, figure_layout, is_dark, layout_to_svg
from explorer.present.wrap import PIECE_SEP, bounds

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (1024, 768), (600, 900)])
@pytest.mark.parametrize("name", ["resnet50", "vgg16"])
def test_figure_fits_its_graph_area(name: str, size: tuple[int, int]) -> None:
    lay = figure_layout(compute_layout(analysis(name).tree), size, name)
    root = ET.fromstring(layout_to_svg(lay, title=name, size=size))
    assert (root.get("width"), root.get("height")) == (str(size[0]), str(size[1]))
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    dx, dy, s = (
        float(v)
        for v in re.fullmatch(
            r"translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.]+)\)", graph.get("transform")
        ).groups()
    )
    x0, y0, x1, y1 = bounds(lay)
    gx, gy, gw, gh = Figure(*size).graph_rect()
    tol = 0.5
    assert gx - tol <= dx + s * x0 and dx + s * x1 <= gx + gw + tol
    assert gy - tol <= dy + s * y0 and dy + s * y1 <= gy + gh + tol
    # it fills the area in one direction (fitted, not merely inside)
    assert s * (x1 - x0) >= gw - 1 or s * (y1 - y0) >= gh - 1
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    if Figure(*size).legend_w:
        lx = min(float(r.get("x")) for r in legend[0].iter(f"{SVG}rect"))
        assert lx >= gx + gw
    title = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "title")
    assert title.text == name and float(title.get("y")) <= gy


def test_dark_boxes_have_light_text_and_pieces_are_dashed() -> None:
    assert is_dark("#333333") and not is_dark("#5b8def")
    tree = analysis("vgg16").tree
    lay = figure_layout(compute_layout(tree, expand_to_depth(tree, 9)), (1920, 1080), "vgg16")
    root = ET.fromstring(layout_to_svg(lay, title="vgg16", size=(1920, 1080)))
    fills = {
        g.get("data-id"): g.find(f"{SVG}text").get("fill")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "block" and g.find(f"{SVG}text") is not None
    }
    assert fills["@input"] == "#ffffff" and fills["@output"] == "#ffffff"
    assert fills["features.0"] != "#ffffff"
    pieces = [
        g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "frame" and PIECE_SEP in (g.get("data-id") or "")
    ]
    assert pieces and all(g.find(f"{SVG}rect").get("stroke-dasharray") for g in pieces)


def test_natural_size_svg_is_unchanged_in_kind() -> None:
    """Without a size the SVG is the layout at its own scale (one user unit a scene unit)."""
    lay = compute_layout(analysis("resnet18").tree)
    root = ET.fromstring(layout_to_svg(lay, title="resnet18"))
    x0, y0, x1, y1 = bounds(lay)
    assert float(root.get("width")) >= x1 - x0 and float(root.get("height")) >= y1 - y0
