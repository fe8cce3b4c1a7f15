"""The window: choose a model, click, expand, search, export, survive a failing model."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from explorer.__main__ import main as cli_main

LOAD_TIMEOUT = 120_000


def load(qtbot, window, name: str) -> None:
    with qtbot.waitSignal(window.graphShown, timeout=LOAD_TIMEOUT) as sig:
        window.load_model(name)
    assert sig.args == [name]


def click_box(qtbot, window, unit: str, double: bool = False) -> None:
    view = window.graph
    item = view.boxes[unit]
    view.centerOn(item)
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    if item.box.open:  # a frame: click its header, not a child
        pos = view.mapFromScene(item.sceneBoundingRect().topLeft()) + pos.__class__(12, 6)
    if double:
        qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pos)


def summary_json(capsys, name: str) -> dict:
    capsys.readouterr()
    assert cli_main(["summary", name, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_choose_model_from_browser_shows_graph(qtbot, window) -> None:
    item = window.browser.items["resnet18"]
    with qtbot.waitSignal(window.graphShown, timeout=LOAD_TIMEOUT):
        window.browser.tree.itemActivated.emit(item, 0)
    assert window.session.model_name == "resnet18"
    assert "layer1" in window.graph.boxes and window.graph.boxes["layer1"].box.open
    assert window.graph.boxes["fc"].box.kind == "linear"
    assert "resnet18" in window.recent_models()


def test_click_block_inspector_matches_summary_json(qtbot, window, capsys) -> None:
    load(qtbot, window, "resnet18")
    click_box(qtbot, window, "layer2.0")
    assert window.session.selected == "layer2.0"
    d = {b["id"]: b for b in summary_json(capsys, "resnet18")["blocks"]}["layer2.0"]
    rows = window.inspector.rows
    assert rows["params"].startswith(f"{d['params']:,} ")
    assert rows["MACs"].startswith(f"{d['macs']:,} ")
    assert rows["output"] == "x".join(map(str, d["out_shape"][1:]))
    assert rows["kind"] == d["kind"] == "residual"
    assert rows["shortcut"] == "projection"
    assert rows["receptive field"] == f"{d['rf']} px, stride {d['rf_stride']}"
    assert window.graph.boxes["layer2.0"].selected
    # a leaf shows its hyper-parameters
    window.select_block("layer2.0.conv1")
    assert window.inspector.rows["kernel_size"] == "3x3"
    assert window.inspector.rows["stride"] == "2x2"


def test_double_click_expands_and_collapses(qtbot, window) -> None:
    load(qtbot, window, "resnet18")
    assert "layer2.0.conv1" not in window.graph.boxes
    click_box(qtbot, window, "layer2.0", double=True)
    qtbot.waitUntil(lambda: "layer2.0" in window.session.expanded)
    assert "layer2.0.conv1" in window.graph.boxes and window.graph.boxes["layer2.0"].box.open
    click_box(qtbot, window, "layer2.0", double=True)
    qtbot.waitUntil(lambda: "layer2.0.conv1" not in window.graph.boxes)
    assert not window.graph.boxes["layer2.0"].box.open
    # collapse to depth 1 closes the stages; expand all opens everything
    window.depth_spin.setValue(1)
    window.collapse_to_depth()
    assert not window.graph.boxes["layer1"].box.open
    window.expand_all()
    assert "layer4.1.conv2" in window.graph.boxes
    # the BN (and ReLU) after a conv are marks of its box, not boxes of their own;
    # in a basic block the second ReLU comes after the sum
    assert window.graph.boxes["layer4.1.conv1"].box.marks == ["BN", "ReLU"]
    assert window.graph.boxes["layer4.1.conv2"].box.marks == ["BN"]
    assert "layer4.1.bn2" not in window.graph.boxes


def test_search_selects_and_reveals(qtbot, window) -> None:
    load(qtbot, window, "resnet50")
    assert "layer3.4.conv2" not in window.graph.boxes  # inside the closed 1..5 x5 group
    window.find_edit.setText("layer3.4.conv2")
    window.find_edit.returnPressed.emit()
    assert window.session.selected == "layer3.4.conv2"
    assert window.graph.boxes["layer3.4.conv2"].selected
    assert window.inspector.rows["qualname"] == "layer3.4.conv2"


def test_colour_by_params(qtbot, window) -> None:
    load(qtbot, window, "vgg11")
    window.colour_combo.setCurrentIndex(1)
    assert window.session.colour_by == "params"
    fills = {u: it.fill.name() for u, it in window.graph.boxes.items() if not it.box.open}
    assert fills["classifier.0"] != fills["features.0"]  # 103M params vs 1.8K: far apart
    assert "params" in window.graph.legend.text()


def test_export_png_and_svg(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "googlenet")
    window.session.set_expanded(window.session.expanded | {"inception3a"})
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    window.export(str(png))
    window.export(str(svg))
    img = QImage(str(png))
    assert not img.isNull() and img.width() > 100 and img.height() > 500
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    blocks = [g for g in root.iter(f"{ns}g") if g.get("class") == "block"]
    drawn = [b for b in window.graph.boxes.values() if not b.box.open]
    assert len(blocks) == len(drawn)
    assert {g.get("data-id") for g in blocks} == {b.box.id for b in drawn}


def test_failing_model_leaves_window_usable(qtbot, window, tmp_path: Path) -> None:
    load(qtbot, window, "lenet5")
    bad = tmp_path / "bad.py"
    bad.write_text("def make():\n    raise RuntimeError('no such layer')\n")
    with qtbot.waitSignal(window.modelFailed, timeout=LOAD_TIMEOUT) as sig:
        window.load_model(f"{bad}:make")
    assert "no such layer" in sig.args[1]
    assert window.session.model_name == "lenet5" and "c1" in window.graph.boxes
    window._last_error_box.close()
    with qtbot.waitSignal(window.modelFailed, timeout=LOAD_TIMEOUT) as sig:
        window.load_model("resnt50")
    assert "closest registered names" in sig.args[1]
    load(qtbot, window, "alexnet")  # and it still loads the next one
    assert "features" in window.graph.boxes


def test_newer_request_supersedes_older(qtbot, window) -> None:
    with qtbot.waitSignal(window.graphShown, timeout=LOAD_TIMEOUT) as sig:
        window.load_model("resnet50")
        window.load_model("lenet5")
    assert sig.args == ["lenet5"]
    qtbot.wait(200)
    assert window.session.model_name == "lenet5"


def test_browser_search_filters(window) -> None:
    window.browser.search.setText("repvgg")
    shown = [n for n, it in window.browser.items.items() if not it.isHidden()]
    assert shown and all(n.startswith("repvgg") for n in shown)


def test_settings_persist_recent_models(qtbot, window, settings) -> None:
    from explorer.ui.main_window import MainWindow

    load(qtbot, window, "lenet5")
    window.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.recent_models()[0] == "lenet5"
    assert [a.text() for a in again.recent_menu.actions()][0] == "lenet5"


def test_window_module_imports_no_torch() -> None:
    code = (
        "import sys; import explorer.ui.main_window; "
        "sys.exit(1 if 'torch' in sys.modules or 'timm' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


@pytest.mark.slow
def test_screenshot_command(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "explorer",
            "--model",
            "resnet18",
            "--screenshot",
            str(out),
            "--select",
            "layer2.0",
            "--size",
            "1200x800",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    t = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 0 < t["window_shown_s"] < t["graph_shown_s"]
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1200, 800)


def test_context_menu_expands_and_copies(qtbot, window) -> None:
    from PySide6.QtGui import QGuiApplication

    load(qtbot, window, "resnet18")
    menu = window.block_menu("layer2.0")
    actions = {a.text(): a for a in menu.actions()}
    assert window.session.selected == "layer2.0"
    actions["Copy qualname"].trigger()
    assert QGuiApplication.clipboard().text() == "layer2.0"
    actions["Expand"].trigger()
    assert "layer2.0.conv1" in window.graph.boxes
    assert "Collapse" in [a.text() for a in window.block_menu("layer2.0").actions()]


def test_colour_combo_follows_the_session(qtbot, window) -> None:
    load(qtbot, window, "lenet5")
    window.session.set_colour_by("macs")
    assert window.colour_combo.currentText() == "MACs"
    window.colour_combo.setCurrentIndex(0)
    assert window.session.colour_by == "kind"


def test_find_cycles_through_every_match(qtbot, window) -> None:
    load(qtbot, window, "resnet18")
    window.find_edit.setText("fc")
    seen = []
    for _ in range(3):
        window.find_edit.returnPressed.emit()
        seen.append(window.session.selected)
    assert seen[0] == "fc"  # the exact name first
    window.find_edit.setText("conv1")
    seen = []
    for _ in range(9):
        window.find_edit.returnPressed.emit()
        seen.append(window.session.selected)
    assert seen[0] == "conv1" and len(set(seen)) == 9  # all 9 matches, none twice


def test_close_while_loading_waits_for_the_worker(qtbot, settings) -> None:
    from explorer.ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    w.show()
    w.load_model("resnet50")
    w.close()  # must not destroy a running thread
    assert w.jobs.wait(0) and not w.jobs.busy()
