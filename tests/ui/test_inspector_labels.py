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
