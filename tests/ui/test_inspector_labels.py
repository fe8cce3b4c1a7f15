"""The inspector names the layer as the slide does, and keeps the module's name."""

from __future__ import annotations

from _models import analysis

from explorer.ui.inspector import inspector_rows


def test_inspector_shows_the_slide_label_and_the_qualname() -> None:
    rows = dict(inspector_rows(analysis("resnet50"), "layer2.0.conv2"))
    assert rows["layer"] == "3x3 conv, 128, /2"
    assert rows["qualname"] == "layer2.0.conv2"
    rows = dict(inspector_rows(analysis("resnet50"), "layer2.0"))
    assert rows["layer"] == "residual: 1x1 128, 3x3 128 /2, 1x1 512 + proj"


def test_inspector_adds_each_kind_of_operation_under_one_row(qtbot) -> None:
    from explorer.graph.conventions import count_block
    from explorer.ui.inspector import COUNTS_HEADER, Inspector, convention_rows

    an = analysis("resnet50")
    line, rows = convention_rows(an, "layer2.0")
    c = count_block(an.tree, "layer2.0").categories
    # by hand: bn1 128x56x56, bn2 128x28x28, bn3 and the projection's bn 512x28x28; three
    # ReLUs (after bn1, bn2 and the add); one add of 512x28x28
    big, small = 128 * 56 * 56, 128 * 28 * 28
    assert c["norms"] == big + small + big + big
    assert c["activations"] == big + small + big and c["merges"] == big
    assert line == "375.12 M, all kinds" and sum(c.values()) == c["weights"] + 2_609_152
    assert [k for k, _ in rows] == [
        "MACs (weights)",
        "+ norms",
        "+ activations",
        "+ additions",  # no pooling inside a bottleneck
        "FLOPs = 2 x MACs",
    ]
    w = Inspector()
    qtbot.addWidget(w)
    w.show_block(an, "layer2.0")
    assert w.rows[COUNTS_HEADER] == line and w.rows["+ norms"] == "+1.30 M = 373.81 M"
    items = [w.table.topLevelItem(i) for i in range(w.table.topLevelItemCount())]
    keys = [i.text(0) for i in items]
    head = items[keys.index("MACs") + 1]  # right under the weights' MACs, closed
    assert head.text(0) == COUNTS_HEADER + " \u25b8" and not head.isExpanded()
    w._on_item_clicked(head, 0)
    assert head.isExpanded() and head.childCount() == len(rows)
    w.show_block(an, "layer3.0")  # stays open for the next block
    items = [w.table.topLevelItem(i) for i in range(w.table.topLevelItemCount())]
    assert any(i.childCount() and i.isExpanded() for i in items)
