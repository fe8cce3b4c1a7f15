"""Long chains wrapped into columns: nothing overlaps, every edge still joins its boxes, stage
bands follow the downsamplings, and the labels are large enough at Fit."""

from __future__ import annotations

import pytest
from _models import analysis

from explorer.present.layout import Box, Layout, compute_layout, expand_to_depth
from explorer.present.wrap import (
    PIECE_SEP,
    chain_cuts,
    fit_scale,
    label_px,
    min_text_px,
    stages,
    unpiece,
    wrap_layout,
)

# the graph's viewport in a 1280x720 window, measured offscreen: with the browser, inspector
# and panel docks shown, and with the docks hidden (as presentation mode does)
GRAPH_1280_DOCKS = (738, 317)
GRAPH_1280_ALONE = (1278, 611)
LECTURE = ("resnet50", "vgg16", "inception_resnet_v2")


def _layout(name: str, depth: int | None = None) -> Layout:
    tree = analysis(name).tree
    return compute_layout(tree, None if depth is None else expand_to_depth(tree, depth))


def _inside(inner: Box, outer: Box, tol: float = 1e-6) -> bool:
    return (
        outer.x - tol <= inner.x
        and inner.x + inner.w <= outer.x + outer.w + tol
        and outer.y - tol <= inner.y
        and inner.bottom <= outer.bottom + tol
    )


def _on_boundary(box: Box, x: float, y: float, tol: float = 0.5) -> bool:
    near_x = box.x - tol <= x <= box.x + box.w + tol
    near_y = box.y - tol <= y <= box.bottom + tol
    on_side = min(abs(x - box.x), abs(x - box.x - box.w)) <= tol
    on_top = min(abs(y - box.y), abs(y - box.bottom)) <= tol
    return near_x and near_y and (on_side or on_top)


def _check(wrapped: Layout, original: Layout) -> None:
    boxes = wrapped.boxes
    # the same units, frames split into pieces only
    assert {unpiece(b) for b in boxes} == set(original.boxes)
    closed = [b for b in boxes.values() if not b.open]
    assert len(closed) == len(original.units())
    for i, a in enumerate(closed):  # closed boxes never overlap
        for b in closed[i + 1 :]:
            assert not a.overlaps(b), (a.id, b.id)
    # a box sits inside a piece of its frame; pieces of unrelated frames never overlap
    pieces: dict[str, list[Box]] = {}
    for b in boxes.values():
        if b.open:
            pieces.setdefault(unpiece(b.id), []).append(b)
    for b in boxes.values():
        if b.parent is not None:
            assert any(_inside(b, p) for p in pieces[b.parent]), b.id

    def ancestors(fid: str) -> set[str]:
        out, cur = set(), original.boxes[fid].parent
        while cur is not None:
            out.add(cur)
            cur = original.boxes[cur].parent
        return out

    frames = [b for b in boxes.values() if b.open]
    for i, a in enumerate(frames):
        for b in frames[i + 1 :]:
            fa, fb = unpiece(a.id), unpiece(b.id)
            if fa == fb or fa in ancestors(fb) or fb in ancestors(fa):
                continue
            assert not a.overlaps(b), (a.id, b.id)
    # every edge still runs from its source's boundary to its target's
    assert [(e.src, e.dst) for e in wrapped.edges] == [(e.src, e.dst) for e in original.edges]
    for e in wrapped.edges:
        (x0, y0), (x1, y1) = e.points[0], e.points[-1]
        assert _on_boundary(boxes[e.src], x0, y0), (e.src, e.dst, e.points)
        assert _on_boundary(boxes[e.dst], x1, y1), (e.src, e.dst, e.points)
        for (ax, ay), (bx, by) in zip(e.points, e.points[1:], strict=False):
            assert ax == pytest.approx(bx) or ay == pytest.approx(by)  # axis-aligned steps


@pytest.mark.parametrize("name", [*LECTURE, "googlenet"])
@pytest.mark.parametrize("view", [GRAPH_1280_DOCKS, (1920, 1080), (600, 900)])
def test_wrapped_boxes_never_overlap_and_edges_join_their_boxes(
    name: str, view: tuple[int, int]
) -> None:
    lay = _layout(name)
    _check(wrap_layout(lay, view[0] / view[1], view_px=view), lay)


@pytest.mark.parametrize("name", ["resnet50", "vgg16", "googlenet"])
def test_open_frames_are_cut_into_pieces(name: str) -> None:
    lay = _layout(name, depth=9)
    wrapped = wrap_layout(lay, 16 / 9, view_px=(1920, 1080))
    _check(wrapped, lay)
    assert max(b.x for b in wrapped.boxes.values()) > lay.width  # it did wrap


def test_vgg16_frame_split_across_columns_keeps_its_id_first() -> None:
    lay = _layout("vgg16")
    wrapped = wrap_layout(lay, 1920 / 1080, view_px=(1920, 1080))
    pieces = sorted(
        (b for b in wrapped.boxes.values() if unpiece(b.id) == "features"), key=lambda b: b.x
    )
    assert len(pieces) >= 2 and pieces[0].id == "features"
    assert [b.id for b in pieces[1:]] == [
        f"features{PIECE_SEP}{i}" for i in range(2, len(pieces) + 1)
    ]
    # the columns stand side by side, each as high as a fraction of the original column
    assert wrapped.height < lay.height / 2


def test_cuts_avoid_skip_arcs_and_branches() -> None:
    lay = _layout("resnet18", depth=9)
    cuts = chain_cuts(lay)
    assert cuts
    for c in cuts:
        crossing = [
            e for e in lay.edges if min(p[1] for p in e.points) < c.y < max(p[1] for p in e.points)
        ]
        if c.skip is None:
            assert len(crossing) <= 1 and all(e.kind != "skip" for e in crossing)
        else:  # above an open block: its input, into the block and into its shortcut
            assert sorted(e.kind for e in crossing) == ["data", "skip"]
            assert crossing[0].src == crossing[1].src
            assert c.y < lay.boxes[lay.boxes[lay.edges[c.skip].dst].parent].y
        assert not any(b.y < c.y < b.bottom for b in lay.units())
    # inside an open residual block the skip arc spans the block up to its sum: no cut there
    block, add = lay.boxes["layer1.0"], lay.boxes["layer1.0:add"]
    assert not any(block.y < c.y < add.y for c in cuts)
    assert any(add.bottom < c.y < block.bottom for c in cuts)  # the ReLU after it: a chain


def test_stage_bands_follow_the_downsamplings() -> None:
    lay = _layout("resnet50")
    labels = [label for _y0, _y1, label in stages(lay)]
    assert labels == [
        "224x224, 3 ch",
        "112x112, 64 ch",
        "56x56, 256 ch",
        "28x28, 512 ch",
        "14x14, 1024 ch",
        "7x7, 2048 ch",
        "1x1, 2048 ch",
        "vector, 1000",
    ]
    wrapped = wrap_layout(lay, 16 / 9, view_px=(1920, 1080))
    assert [b.label for b in wrapped.bands if b.column == 0][0] == "224x224, 3 ch"
    assert {b.label for b in wrapped.bands} == set(labels)
    # the bands of one column do not overlap, and every closed box lies in a band
    for b in wrapped.units():
        cx, cy = b.cx, b.y + b.h / 2
        assert any(s.x <= cx <= s.x + s.w and s.y <= cy <= s.y + s.h for s in wrapped.bands)
    for i, a in enumerate(wrapped.bands):
        for b in wrapped.bands[i + 1 :]:
            if a.column == b.column:
                assert a.y + a.h <= b.y + 1e-6 or b.y + b.h <= a.y + 1e-6


def test_min_text_px_is_font_size_times_fit_scale() -> None:
    lay = _layout("lenet5")
    smallest = min(label_px(b) for b in lay.boxes.values() if b.open or b.h >= 30)
    assert min_text_px(lay, 800, 600) == pytest.approx(smallest * fit_scale(lay, 800, 600))
    # a long label shrinks to its box's width
    wide = Box("x", 0, 0, 120, 36, "conv", "a label far too long for its box", "x", None)
    assert label_px(wide) < label_px(Box("y", 0, 0, 120, 36, "conv", "3x3 conv", "y", None))


@pytest.mark.parametrize("name", LECTURE)
def test_text_at_fit_in_a_1280x720_window(name: str) -> None:
    """The issue's done-when: labels at Fit, from the font size and the view's scale."""
    lay = _layout(name)
    wrapped = wrap_layout(lay, 1.0, view_px=GRAPH_1280_ALONE)
    assert min_text_px(wrapped, *GRAPH_1280_ALONE) >= 10.0
    # with every dock shown the graph gets 738x317 px: wrapping still doubles the text
    before = min_text_px(lay, *GRAPH_1280_DOCKS)
    wrapped = wrap_layout(lay, 1.0, view_px=GRAPH_1280_DOCKS)
    after = min_text_px(wrapped, *GRAPH_1280_DOCKS)
    assert after >= 2 * before and after >= 7.0


def test_a_short_network_is_not_spread_wider_than_needed() -> None:
    lay = _layout("lenet5")
    wrapped = wrap_layout(lay, 1.0, view_px=(1920, 1080), enough_px=18.0)
    assert min_text_px(wrapped, 1920, 1080) >= 18.0
    assert len({b.column for b in wrapped.bands}) < len(
        {b.column for b in wrap_layout(lay, 1.0, view_px=(1920, 1080)).bands}
    )


@pytest.mark.parametrize("name", ["resnet50", "inception_v3", "preact_resnet164"])
def test_extents_in_one_pass_equal_one_range_at_a_time(name: str) -> None:
    """The one-pass extents the column search uses are those of a pass per range."""
    from explorer.present.layout import expand_all
    from explorer.present.wrap import _extent, _extents

    tree = analysis(name).tree
    lay = compute_layout(tree, expand_all(tree), collapse_repeats=False)
    cuts = chain_cuts(lay)
    ys = [-5.0] + [c.y for c in cuts] + [lay.height + 5.0]
    skip = {i for c in cuts[::3] for i in c.edges()}
    want = [_extent(lay, ys[a], ys[a + 1], skip) for a in range(len(ys) - 1)]
    assert _extents(lay, ys, skip) == want
    assert len(set(want)) > 3  # the ranges differ: the check says something


def test_a_thousand_layer_graph_wraps_between_its_units() -> None:
    """preact_resnet1001 with every block open: cut above the units (into the next unit and
    its shortcut), so that it fills a 16:10 view in 16 columns, not 3 at a fifth the scale."""
    from explorer.present.layout import expand_all
    from explorer.present.wrap import fit_scale

    tree = analysis("preact_resnet1001").tree
    lay = compute_layout(tree, expand_all(tree), collapse_repeats=False)
    cuts = chain_cuts(lay)
    assert sum(c.skip is not None for c in cuts) >= 300
    wrapped = wrap_layout(lay, 1.6, view_px=(1280, 800))
    assert len({b.column for b in wrapped.bands}) >= 12
    assert fit_scale(wrapped, 1280, 800) >= 0.1
