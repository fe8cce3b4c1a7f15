"""The receptive-field panel: the box on the image, the depth slider, clicks, the effective
field on a worker."""

from __future__ import annotations

from test_run_panels import load


def test_the_field_on_the_image(window, qtbot) -> None:
    load(qtbot, window, "resnet20")  # a digit runs through it
    panel = window.panels["Receptive field"]
    window.show_panel("Receptive field")
    assert panel.links and panel.field is not None
    panel.set_block("layer1.0.conv1")
    assert panel.field["rf"] == 5 and panel.field["position"] == [15, 15]
    r = panel.inside_item.rect()
    assert (r.width(), r.height()) == (5, 5)
    panel.set_position((0, 0))
    assert panel.field["box"] == [-2, -2, 2, 2] and panel.inside_item.rect().width() == 3
    assert "padding" in panel.status.text()
    window.select_block("layer3")
    assert panel.block.startswith("layer3")
    assert panel.compute_effective()
    qtbot.waitUntil(lambda: panel.effective is not None, timeout=60_000)
    assert panel.effective["std_px"][0] > 0 and "Effective field" in panel.info.text()
    assert panel.heat_item.image is not None
