"""The side-by-side view in the window: panes shown, selection synced, the image across panes,
and its scripted runs."""

from __future__ import annotations

from pathlib import Path

import pytest

SECONDS = 180


@pytest.fixture
def shown(window, qtbot):
    view = window.show_side_by_side()
    with qtbot.waitSignal(view.shown, timeout=SECONDS * 1000):
        assert view.show_names(["plain20", "resnet20"])
    return view


def test_two_networks_side_by_side(window, shown, qtbot) -> None:
    view = shown
    assert window.centre.currentWidget() is view
    assert not window.inspector.isVisible()  # the panes take the room
    assert not window.graph_toolbar.isVisible() and not window.run_toolbar.isVisible()
    sbs = view.sbs
    assert [p.name for p in sbs.panes] == ["plain20", "resnet20"]
    assert set(view.graph.boxes) == set(sbs.layout.boxes)
    # the stage table: one row per stage, then the total, then what differs
    table = view.table
    assert table.item(0, 0).text() == "32x32"
    last = table.item(table.rowCount() - 1, 0).text()
    assert "has 9 skip connection" in last
    marked = next(b for b in sbs.marks if b.startswith("1/"))
    view.select_box(marked)
    assert view.graph._selected == marked
    assert len(view.graph._highlights) == 1  # its counterpart in the plain net
    lines = view.line_texts()
    assert "plain20" in lines[0] and "resnet20" in lines[1]
    assert "skip" in lines[1] and "params" in lines[0]
    view.select_row(1)
    assert all("16x16" in t for t in view.line_texts())
    assert view.table.currentRow() == 1
    window.show_graph()
    assert window.centre.currentWidget() is window.graph
    assert window.graph_toolbar.isVisible() and window.inspector.isVisible()


def test_the_image_runs_through_every_pane(shown, qtbot) -> None:
    view = shown
    with qtbot.waitSignal(view.ran, timeout=SECONDS * 1000):
        assert view.run_image()
    assert view.panels.curve_names() == ["plain20", "resnet20"]
    assert len(view.panels.column_names()) == 2


def test_networks_that_cannot_be_shown_are_said(window, qtbot) -> None:
    view = window.show_side_by_side()
    with qtbot.waitSignal(view.failed, timeout=5000) as sig:
        assert not view.show_names(["resnet20"])
    assert "2 or 3 networks" in sig.args[0]
    assert "2 or 3 networks" in view.status.text()


def test_scripted_side_by_side(capsys, tmp_path: Path, windows) -> None:
    from explorer.ui.app import run_app

    shot = tmp_path / "shot.png"
    code = run_app(
        [
            "--side-by-side", "cifar", "--image", "sample:digits-3",
            "--screenshot", str(shot), "--size", "1280x720", "--timeout", str(SECONDS),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert shot.stat().st_size > 10_000
    view = windows[-1].side_view
    assert [p.name for p in view.sbs.panes] == ["plain56", "resnet56"]
    assert view.panels.curve_names() == ["plain56", "resnet56"]


@pytest.mark.parametrize(
    "value, says",
    [
        ("resnet20", "2 or 3 networks"),
        ("resnet20,nope", "unknown model 'nope'"),
        ("", "got 0"),
        ("resnet18,resnet18", "named twice"),
    ],
)
def test_scripted_side_by_side_errors_are_one_line(capsys, tmp_path: Path, value, says) -> None:
    from explorer.ui.app import run_app

    code = run_app(["--side-by-side", value, "--screenshot", str(tmp_path / "s.png")])
    assert code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("cnn-explorer")]
    assert len(lines) == 1 and says in lines[0] and "--side-by-side" in lines[0]
    assert not (tmp_path / "s.png").exists()


def test_side_detail_alone_is_refused(capsys, tmp_path: Path) -> None:
    from explorer.ui.app import run_app

    code = run_app(["--side-detail", "layers", "--screenshot", str(tmp_path / "s.png")])
    assert code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("cnn-explorer")]
    assert lines == ["cnn-explorer: error: --side-detail is for --side-by-side"]


def test_presentation_mode_draws_the_panes_larger(window, shown) -> None:
    view = shown

    def title_px() -> int:
        return max(i.font().pixelSize() for i in view.graph._extra if hasattr(i, "font"))

    before = title_px()
    window.set_presentation(True)
    assert view.graph.style.scale > 1 and title_px() > before
    assert set(view.graph.boxes) == set(view.sbs.layout.boxes)  # redrawn, nothing lost
    window.set_presentation(False)
    assert title_px() == before
