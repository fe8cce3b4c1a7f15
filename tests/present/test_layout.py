"""Layout of the block graph: deterministic, grouped, branches side by side."""

from __future__ import annotations

from _models import analysis

from explorer.present.layout import GROUP_SEP, compute_layout, default_expanded, expand_to_depth


def test_deterministic() -> None:
    tree = analysis("googlenet").tree
    a = compute_layout(tree, expand_to_depth(tree, 2))
    b = compute_layout(tree, expand_to_depth(tree, 2))
    assert [(x.id, x.x, x.y, x.w, x.h) for x in a.boxes.values()] == [
        (x.id, x.x, x.y, x.w, x.h) for x in b.boxes.values()
    ]
    assert [(e.src, e.dst, e.points) for e in a.edges] == [
        (e.src, e.dst, e.points) for e in b.edges
    ]


def test_repeated_blocks_collapse_into_one_group() -> None:
    tree = analysis("resnet50").tree
    lay = compute_layout(tree, default_expanded(tree))
    groups = {b.id: b for b in lay.boxes.values() if b.count > 1}
    assert set(groups) == {"layer1.1..2", "layer2.1..3", "layer3.1..5", "layer4.1..2"}
    g = groups["layer3.1..5"]
    assert g.label == "residual ×5: 1x1 256, 3x3 256, 1x1 1024" and g.members == [
        f"layer3.{i}" for i in range(1, 6)
    ]
    assert g.kind == "residual" and g.shortcut == "identity"
    # opening the group shows its members one by one
    lay2 = compute_layout(tree, default_expanded(tree) | {"layer3.1" + GROUP_SEP + "5"})
    assert "layer3.1..5" not in lay2.boxes
    assert {f"layer3.{i}" for i in range(1, 6)} <= set(lay2.boxes)
    # without grouping every block is its own box
    lay3 = compute_layout(tree, default_expanded(tree), collapse_repeats=False)
    assert not any(b.count > 1 for b in lay3.boxes.values())


def test_inception_branches_side_by_side() -> None:
    tree = analysis("googlenet").tree
    lay = compute_layout(tree, {"", "inception3a"})
    frame = lay.boxes["inception3a"]
    assert frame.open
    heads = [lay.boxes[f"inception3a.branch{i}"] for i in range(1, 5)]
    # the four branches start on one row, left to right, without overlap
    assert len({b.y for b in heads}) == 1
    xs = [b.x for b in heads]
    assert len(set(xs)) == 4
    cat = lay.boxes["inception3a:cat"]
    assert all(cat.y > b.y + b.h for b in heads)
    kinds = {(e.src, e.dst): e.kind for e in lay.edges}
    assert all(kinds[(b.id, "inception3a:cat")] == "branch" for b in heads)


def test_skip_edges_run_beside_the_stack() -> None:
    tree = analysis("resnet18").tree
    lay = compute_layout(tree, {"", "layer1", "layer1.0"}, collapse_repeats=False, fold=False)
    skip = [e for e in lay.edges if e.kind == "skip" and e.dst == "layer1.0:add"]
    assert len(skip) == 1
    e = skip[0]
    body = [lay.boxes[f"layer1.0.{n}"] for n in ("conv1", "bn1", "conv2", "bn2")]
    right = max(b.x + b.w for b in body)
    assert max(p[0] for p in e.points) > right  # routed on the right of the branch


def test_default_view_is_small_for_large_models() -> None:
    for name in ("resnet152", "inception_resnet_v2"):
        tree = analysis(name).tree
        lay = compute_layout(tree)
        assert 10 < len(lay.units()) <= 120
