"""Qt tests: the offscreen platform is set by tests/conftest.py before Qt loads.

Shared fixtures: ``settings`` (a QSettings file of the test's own) and ``window`` (a shown
main window using them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    from explorer.ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    return w
