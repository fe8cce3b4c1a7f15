"""Networks side by side: stage rows aligned across panes, marks, counterparts (no Qt)."""

from __future__ import annotations

import pytest

from explorer.app.variants import analyze_variant
from explorer.app.workflows.side_by_side import PRESET_KEYS, PanesError, parse_panes
from explorer.present.side_by_side import (
    PRESETS,
    ROW_HEAD,
    SideBySideError,
    box_line,
    row_at,
    row_line,
    side_by_side,
    split_id,
)

EXPECTED_ROWS = {
    "ResNet Fig. 3": ["224x224", "112x112", "56x56", "28x28", "14x14", "7x7", "1x1"],
    "plain vs residual, CIFAR": ["32x32", "16x16", "8x8", "1x1"],
    "SE": ["112x112", "56x56", "28x28", "14x14", "7x7", "1x1"],
    "RepVGG train vs deploy": ["112x112", "56x56", "28x28", "14x14", "7x7", "1x1"],
    "Inception v1 vs v3": ["112 | 149, 147", "56 | 73, 71", "28 | 35", "14 | 17", "7 | 8", "1x1"],
}
EXPECTED_MARKS = {
    "ResNet Fig. 3": {2: {"skip connection", "projection shortcut"}},
    "plain vs residual, CIFAR": {1: {"skip connection"}},
    "SE": {1: {"SE gate"}},
    "RepVGG train vs deploy": {0: {"1x1 branch", "identity branch"}},
}


@pytest.fixture(scope="module")
def traced() -> dict[str, object]:
    names = {n for ns in PRESETS.values() for n in ns}
    return {n: analyze_variant(n) for n in sorted(names)}


def _check_alignment(sbs) -> None:
    """Each pane's boxes of a row lie inside the row, the first of them on its top line; no
    two boxes overlap."""
    boxes = sbs.layout.boxes
    for i, p in enumerate(sbs.panes):
        for r, row in enumerate(sbs.rows):
            mine = [boxes[f"{i}/{b}"] for b, rr in p.box_row.items() if rr == r]
            if not mine:
                continue
            top = min(b.y for b in mine)
            assert top >= row.y + ROW_HEAD - 1e-6 - 30  # a frame's header may sit above
            assert max(b.bottom for b in mine) <= row.y + row.h + 1e-6
            xs = (p.x[row.group], p.x[row.group] + p.width)
            assert all(xs[0] - 1 <= b.x and b.x + b.w <= xs[1] + 1 for b in mine)
    units = [b for b in boxes.values() if not b.open]
    assert not any(a.overlaps(b) for k, a in enumerate(units) for b in units[k + 1 :])


@pytest.mark.slow
@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("aspect", [None, 16 / 9])
def test_presets_are_aligned_by_stage(traced, preset: str, aspect) -> None:
    named = [(n, traced[n]) for n in PRESETS[preset]]
    sbs = side_by_side(named, aspect=aspect)
    assert [row.label() for row in sbs.rows] == EXPECTED_ROWS[preset]
    _check_alignment(sbs)
    # a row's content starts on the same line in every pane (stages side by side): the
    # first closed box of each pane whose row has no frame header above it
    for r in range(len(sbs.rows)):
        tops = []
        for i, p in enumerate(sbs.panes):
            mine = [sbs.layout.boxes[f"{i}/{b}"] for b, rr in p.box_row.items() if rr == r]
            if mine:
                tops.append(min(b.y for b in mine))
        assert max(tops) - min(tops) <= 40  # a frame's header (22) at most apart
    # the rows' counts are diff's: each pane's stages add up to its network's
    for i, (name, an) in enumerate(named):
        params = sum(row.cells[i]["params"] for row in sbs.rows)
        macs = sum(row.cells[i]["macs"] for row in sbs.rows)
        aux = sum(an.tree.blocks[b].params for b in sbs.panes[i].stages.not_run)
        assert params + aux == an.graph.total_params, name
        assert macs == an.graph.total_macs, name
    got: dict[int, set[str]] = {}
    for box_id, kinds in sbs.marks.items():
        got.setdefault(split_id(box_id)[0], set()).update(kinds)
    if preset in EXPECTED_MARKS:
        assert got == EXPECTED_MARKS[preset]


def test_a_wide_view_sets_the_rows_in_groups(traced) -> None:
    named = [(n, traced[n]) for n in PRESETS["ResNet Fig. 3"]]
    tall = side_by_side(named)
    wide = side_by_side(named, aspect=16 / 9)
    assert tall.groups == 1 and wide.groups > 1
    assert wide.layout.height < tall.layout.height
    # an edge from one group to the next is two stubs, none runs across the gap
    for e in wide.layout.edges:
        assert max(x for x, _ in e.points) - min(x for x, _ in e.points) < 400
    assert side_by_side(named, groups=3).groups == 3


def test_counterparts_and_inspector_lines(traced) -> None:
    sbs = side_by_side([("plain56", traced["plain56"]), ("resnet56", traced["resnet56"])])
    marked = next(b for b, k in sbs.marks.items() if b.startswith("1/"))
    others = sbs.counterparts(marked)
    assert list(others) == [0] and others[0].startswith("0/")
    assert sbs.row_of(others[0]) == sbs.row_of(marked)
    line = box_line(sbs, marked)
    assert "params" in line and "MACs" in line and "only here in this stage: skip" in line
    row = sbs.row_of(marked)
    assert row_line(sbs, row, 0).startswith("stage ")
    r = sbs.rows[row]
    assert row_at(sbs, sbs.panes[0].x[r.group] + 5, r.y + 5) == row
    assert row_at(sbs, -10_000, r.y) is None


def test_parse_panes() -> None:
    assert parse_panes("fig3") == ["vgg19", "plain34", "resnet34"]
    assert parse_panes("SE") == ["resnet50", "seresnet50"]
    assert parse_panes(" resnet20 , plain20 ") == ["resnet20", "plain20"]
    assert parse_panes("repvgg_a0,repvgg_a0+fused") == ["repvgg_a0", "repvgg_a0+fused"]
    assert set(PRESET_KEYS.values()) == set(PRESETS)
    for bad, says in (
        ("resnet20", "2 or 3 networks"),
        ("a,b,c,d", "2 or 3 networks"),
        ("resnet20,nope", "unknown model 'nope'"),
        ("vgg16,vgg16+fused", "no RepVGG block"),
        ("resnet20,resnet20", "named twice"),
        ("", "got 0"),
    ):
        with pytest.raises(PanesError, match=says):
            parse_panes(bad)


def test_one_network_or_a_bad_detail_is_refused(traced) -> None:
    with pytest.raises(SideBySideError):
        side_by_side([("resnet56", traced["resnet56"])])
    with pytest.raises(SideBySideError):
        side_by_side([("resnet56", traced["resnet56"])] * 2, detail="everything")


def test_layers_detail_opens_every_block(traced) -> None:
    named = [("plain56", traced["plain56"]), ("resnet56", traced["resnet56"])]
    blocks = side_by_side(named)
    layers = side_by_side(named, detail="layers")
    assert len(layers.layout.units()) > 3 * len(blocks.layout.units())
    _check_alignment(layers)
