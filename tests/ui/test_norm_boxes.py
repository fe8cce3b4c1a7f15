"""View > Norms and activations as boxes: the slide's marks become boxes and back."""

from __future__ import annotations

LOAD_TIMEOUT = 120_000


def test_norm_boxes_toggle_unfolds_and_folds_again(qtbot, window) -> None:
    with qtbot.waitSignal(window.graphShown, timeout=LOAD_TIMEOUT):
        window.load_model("resnet18")
    boxes = window.graph.boxes
    assert "conv1" in boxes and boxes["conv1"].box.marks == ["BN", "ReLU"]
    assert "bn1" not in boxes
    window.act_norm_boxes.setChecked(True)
    boxes = window.graph.boxes
    assert {"bn1", "relu"} <= set(boxes) and boxes["conv1"].box.marks == []
    window.act_norm_boxes.setChecked(False)
    assert "bn1" not in window.graph.boxes


def test_selecting_a_folded_layer_selects_the_box_it_is_marked_in(qtbot, window) -> None:
    with qtbot.waitSignal(window.graphShown, timeout=LOAD_TIMEOUT):
        window.load_model("resnet18")
    assert window.select_block("bn1")
    assert window.session.selected == "bn1"
    assert window.graph.boxes["conv1"].selected  # the box that shows it, marked "BN"
    assert window.inspector.rows["layer"] == "BN"
