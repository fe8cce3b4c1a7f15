"""explorer.ui.export: images and graphs saved whole or not at all, their place checked first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel

from explorer.files import FileError
from explorer.ui.export import check_image_output, image_formats, save_image, save_widget

PNG = b"\x89PNG\r\n\x1a\n"


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def label(qtbot) -> QLabel:  # noqa: ANN001
    w = QLabel("a screenshot")
    qtbot.addWidget(w)
    w.resize(120, 40)
    w.show()
    return w


def test_save_widget_replaces_the_file_whole(label: QLabel, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    out.write_bytes(b"old")
    save_widget(label, out)
    assert out.read_bytes()[:8] == PNG and _names(tmp_path) == ["shot.png"]
    jpg = tmp_path / "shot.jpg"  # the format follows the suffix, as QPixmap.save's does
    save_widget(label, jpg)
    assert jpg.read_bytes()[:2] == b"\xff\xd8"


def test_an_image_qt_cannot_save_keeps_the_old_file(
    label: QLabel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "shot.png"
    out.write_bytes(b"old")
    monkeypatch.setattr(QPixmap, "save", lambda self, *args: False)
    with pytest.raises(OSError, match="Qt could not save it"):
        save_image(label.grab(), out)
    assert out.read_bytes() == b"old" and _names(tmp_path) == ["shot.png"]


def test_check_image_output(tmp_path: Path) -> None:
    assert "png" in image_formats()
    out = tmp_path / "shot.png"
    assert check_image_output(out) == out
    with pytest.raises(FileError, match=r"'.*shot\.xyz': not an image format Qt writes here \("):
        check_image_output(tmp_path / "shot.xyz")
    out.write_bytes(b"old")
    with pytest.raises(FileError, match="exists; add --force to replace it"):
        check_image_output(out)
    check_image_output(out, force=True)
    with pytest.raises(FileError, match="no such folder"):
        check_image_output(tmp_path / "missing" / "shot.png")
    assert _names(tmp_path) == ["shot.png"]
