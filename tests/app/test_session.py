"""The session: selection, expansion, search, stale results (Qt-free)."""

from __future__ import annotations

from _models import analysis

from explorer.app.session import Event, Session
from explorer.present.layout import default_expanded


def make() -> tuple[Session, list]:
    s = Session()
    events: list = []
    for ev in (
        Event.MODEL_CHANGED,
        Event.SELECTION_CHANGED,
        Event.EXPANDED_CHANGED,
        Event.MODEL_FAILED,
    ):
        s.connect(ev, lambda *a, ev=ev: events.append((ev.value, *a)))
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
    s.connect(Event.MODEL_FAILED, lambda *a: seen.append(a))
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
    from explorer.present.layout import compute_layout

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
    s.connect(Event.DELETED_CHANGED, seen.append)
    invalid = []
    s.connect(Event.RESULTS_INVALIDATED, lambda: invalid.append(1))
    s.run.result = object()
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


# -- fusion: the analysis swapped, nothing else -------------------------------------------------


def _fused_pair():
    """repvgg_small's analysis and an analysis of its re-parameterised copy (with the report)."""
    from explorer.graph.analysis import analyze
    from explorer.studies.fusion.repvgg import fuse_repvgg

    an = analysis("repvgg_small")
    rep = fuse_repvgg(an.model)
    return an, analyze(an.spec, model=rep.model), rep


def test_fuse_and_unfuse_swap_only_the_analysis() -> None:
    an, fan, rep = _fused_pair()
    s = Session()
    events: list = []
    for ev in ("model_changed", "analysis_swapped", "fused_changed", "selection_changed",
               "results_invalidated", "weights_requested", "expanded_changed"):  # fmt: skip
        s.connect(Event(ev), lambda *a, ev=ev: events.append((ev, *a)))
    assert s.set_analysis(an, s.request_model("repvgg_small"), ["", "stage1"])
    weights, image = object(), object()
    s.weights.info = weights
    s.images_state.items, s.images_state.index = [image], 0
    s.set_expanded(s.expanded | {"stage1.0..1", "stage1.0", "stage1.1"})
    s.select("stage1.0.conv_1x1")
    s.toggle_deleted("stage2.1")
    s.run.result = object()
    events.clear()

    s.set_fused(fan, rep)
    assert s.fused and s.analysis is fan and s.unfused_analysis is an
    assert s.fusion_report is rep
    assert s.weights_info is weights and s.image is image and s.model_name == "repvgg_small"
    assert s.result is None and s.deleted == frozenset() and not s.can_undo()
    # the fused blocks close (one box each), what still exists stays open
    assert s.expanded == {"", "stage1", "stage1.0..1"}
    assert s.selected is None  # stage1.0.conv_1x1 is gone
    names = [e[0] for e in events]
    assert names == ["results_invalidated", "analysis_swapped", "selection_changed",
                     "fused_changed"]  # fmt: skip
    assert events[1][1] is fan and events[3][1:] == (True, rep)
    assert "model_changed" not in names  # nothing is rebuilt or reloaded

    events.clear()
    s.select("stage2.1")  # exists in both graphs: kept across the swap
    s.toggle_deleted("stage2.1")
    s.set_unfused()
    assert not s.fused and s.analysis is an and s.unfused_analysis is None
    assert s.fusion_report is None and s.weights_info is weights
    assert s.selected == "stage2.1" and s.deleted == frozenset() and not s.can_undo()
    assert {"stage1.0", "stage1.1"} <= s.expanded  # open again as before the fusion
    assert events[-1] == ("fused_changed", False, None)
    s.set_unfused()  # not fused: nothing happens
    assert events[-1] == ("fused_changed", False, None) and s.analysis is an


def test_weights_and_a_new_model_unfuse() -> None:
    an, fan, rep = _fused_pair()
    s = Session()
    seen: list = []
    s.connect(Event.FUSED_CHANGED, lambda f, r: seen.append(f))
    s.connect(Event.ANALYSIS_SWAPPED, lambda a: seen.append(a))
    s.set_analysis(an, s.request_model("repvgg_small"), [""])
    s.set_fused(fan, rep)
    # weights are for the training-time model: asking for them unfuses first
    s.request_weights("random")
    assert not s.fused and s.analysis is an and s.weights_choice == "random"
    assert seen == [fan, True, an, False]
    s.set_fused(fan, rep)
    other = analysis("resnet50")
    assert s.set_analysis(other, s.request_model("resnet50"), [""])
    assert not s.fused and s.unfused_analysis is None and s.fusion_report is None
    assert seen[-1] is False


def test_fusing_needs_a_model() -> None:
    import pytest

    _an, fan, rep = _fused_pair()
    with pytest.raises(ValueError, match="no model"):
        Session().set_fused(fan, rep)


def test_a_misspelt_event_is_an_error_not_silence() -> None:
    import pytest

    s = Session()
    with pytest.raises(AttributeError):
        s.connect(Event.MODEL_CHANGD, print)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        s.connect("model_changed", print)  # type: ignore[arg-type]


def test_the_state_is_read_through_the_session_and_changed_only_by_its_methods() -> None:
    import pytest

    s, _ = make()
    with pytest.raises(AttributeError):
        s.analysis = None  # type: ignore[misc]
    s.set_colour_by("macs")
    assert s.view.colour_by == s.colour_by == "macs"
    s.set_deleted({"layer1.0"})
    assert s.deletions.deleted == s.deleted == frozenset({"layer1.0"})
    assert s.deletions.undo == [frozenset()]


def test_another_model_tells_the_views_that_nothing_is_deleted_any_more() -> None:
    s, _ = make()
    seen: list = []
    s.connect(Event.DELETED_CHANGED, seen.append)
    s.set_deleted({"layer1.0"})
    an = analysis("lenet5")
    assert s.set_analysis(an, s.request_model("lenet5"), [""])
    assert seen == [frozenset({"layer1.0"}), frozenset()]
    assert not s.can_undo()


def test_each_weights_load_is_counted_even_under_the_same_label() -> None:
    s, _ = make()
    info = object()
    s.set_weights(info)
    s.set_weights(info)
    assert s.weights.loads == 2


def test_asking_for_another_model_drops_the_results_at_once() -> None:
    """The panels must not show the old model's figures while the new one loads: the results
    are invalidated before the loading is said, and a run of the old model is stale."""
    s, _ = make()
    order: list[str] = []
    s.connect(Event.RESULTS_INVALIDATED, lambda: order.append("invalidated"))
    s.connect(Event.MODEL_LOADING, lambda name: order.append(f"loading {name}"))
    old_run = s.next_run()
    assert s.set_result(object(), old_run)
    in_flight = s.next_run()
    s.request_model("lenet5")
    assert s.result is None and order == ["invalidated", "loading lenet5"]
    assert not s.set_result(object(), in_flight)  # the old model's run arrives late: dropped


def test_failures_say_what_failed_and_whether_the_user_caused_it() -> None:
    from explorer.errors import ExplorerError

    s = Session()
    seen: list = []
    s.connect(Event.FAILED, lambda *a: seen.append(a))
    old = s.request_model("resnet50")
    gen = s.request_model("lenet5")
    s.fail("resnet50", RuntimeError("stale"), old)  # a superseded request: silent
    s.fail("lenet5", ExplorerError("unknown model 'lenet5'"), gen)
    s.weights_failed("missing.pt", ExplorerError("missing.pt: no such file"))
    s.run_failed(RuntimeError("the model broke"), s.run_generation)
    s.run_failed("stale", s.run_generation - 1)
    s.report_failure("accuracy", KeyError("a bug of ours"))
    s.report_failure("fusion", "nothing to fuse")  # a line made for the user
    assert seen == [
        ("model", "unknown model 'lenet5'", True),
        ("weights", "missing.pt: no such file", True),
        # a forward pass that fails is the user's model failing (the command line's exit 2)
        ("run", "RuntimeError: the model broke", True),
        ("accuracy", "KeyError: 'a bug of ours'", False),
        ("fusion", "nothing to fuse", True),
    ]


def test_a_cancel_says_cancelled_only_while_a_model_loads() -> None:
    s, _ = make()
    seen: list = []
    s.connect(Event.MODEL_CANCELLED, lambda: seen.append("cancelled"))
    s.cancel_request()  # nothing loads (the window closing): nothing to say
    assert seen == [] and s.loading is None
    gen = s.request_model("lenet5")
    assert s.loading == "lenet5"
    s.cancel_request()
    assert seen == ["cancelled"] and s.loading is None
    assert not s.set_analysis(analysis("lenet5"), gen, [""])  # what still arrives is dropped
    gen = s.request_model("lenet5")
    s.fail("lenet5", "boom", gen)
    assert s.loading is None
    assert s.set_analysis(analysis("lenet5"), s.request_model("lenet5"), [""])
    assert s.loading is None
