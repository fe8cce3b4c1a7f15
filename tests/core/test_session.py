"""The session: selection, expansion, search, stale results (Qt-free)."""

from __future__ import annotations

from _models import analysis

from explorer.core.layout import default_expanded
from explorer.core.session import Session


def make() -> tuple[Session, list]:
    s = Session()
    events: list = []
    for ev in ("model_changed", "selection_changed", "expanded_changed", "model_failed"):
        s.connect(ev, lambda *a, ev=ev: events.append((ev, *a)))
    an = analysis("resnet50")
    gen = s.request_model("resnet50")
    assert s.set_analysis(an, gen, default_expanded(an.tree))
    return s, events


def test_stale_results_are_dropped() -> None:
    s = Session()
    old = s.request_model("resnet50")
    new = s.request_model("lenet5")
    assert not s.set_analysis(analysis("resnet50"), old, [""])
    assert s.analysis is None
    s.fail("resnet50", "boom", old)  # stale failure: silent
    seen = []
    s.connect("model_failed", lambda *a: seen.append(a))
    s.fail("lenet5", "boom", new)
    assert seen == [("lenet5", "boom")]


def test_select_and_group_ids() -> None:
    s, events = make()
    s.select("layer3.2")
    assert s.selected == "layer3.2" and events[-1] == ("selection_changed", "layer3.2")
    s.select("layer3.1..5")  # a group selects its first member
    assert s.selected == "layer3.1"
    s.select("no.such.block")
    assert s.selected == "layer3.1"


def test_toggle_expanded_closes_descendants() -> None:
    s, _ = make()
    s.toggle_expanded("layer2.0")
    s.toggle_expanded("layer2.0.downsample")
    assert {"layer2.0", "layer2.0.downsample"} <= s.expanded
    s.toggle_expanded("layer2.0")
    assert "layer2.0" not in s.expanded and "layer2.0.downsample" not in s.expanded
    s.toggle_expanded("layer2.0.conv1")  # a leaf cannot open
    assert "layer2.0.conv1" not in s.expanded


def test_find_and_reveal() -> None:
    s, _ = make()
    hits = list(s.find("conv2"))
    assert hits[0] == "layer1.0.conv2" and len(hits) == 16
    s.reveal("layer3.4.conv2")
    assert {"layer3", "layer3.4"} <= s.expanded


def test_closing_a_block_keeps_a_sibling_group_open() -> None:
    from explorer.core.layout import compute_layout

    s, _ = make()
    tree = s.analysis.tree
    s.toggle_expanded("layer3.1..5")
    s.toggle_expanded("layer3.1")
    lay = compute_layout(tree, s.expanded)
    assert {"layer3.2", "layer3.3", "layer3.4", "layer3.5"} <= set(lay.boxes)  # not regrouped
    s.toggle_expanded("layer3.1")
    assert "layer3.1..5" in s.expanded
    lay = compute_layout(tree, s.expanded)
    assert "layer3.1..5" not in lay.boxes and "layer3.1" in lay.boxes


def test_deleted_blocks_with_undo_and_redo():
    s = Session()
    seen = []
    s.connect("deleted_changed", seen.append)
    invalid = []
    s.connect("results_invalidated", lambda: invalid.append(1))
    s.result = object()
    s.toggle_deleted("layer1.0")
    assert s.deleted == {"layer1.0"} and invalid and s.result is None
    s.toggle_deleted("layer2.1")
    s.toggle_deleted("layer1.0")
    assert s.deleted == {"layer2.1"}
    s.undo()
    assert s.deleted == {"layer1.0", "layer2.1"}
    s.undo()
    s.undo()
    assert s.deleted == frozenset() and not s.can_undo()
    s.redo()
    assert s.deleted == {"layer1.0"} and s.can_redo()
    s.restore_all()
    assert s.deleted == frozenset() and not s.can_redo()
    s.undo()
    assert s.deleted == {"layer1.0"}
    assert seen[-1] == {"layer1.0"} and len(seen) == 9
