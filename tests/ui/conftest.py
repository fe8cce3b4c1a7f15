"""Qt tests: the offscreen platform is set by tests/conftest.py before Qt loads.

Shared fixtures: ``settings`` (a QSettings file of the test's own), ``window`` (a shown
main window using them), ``windows`` (the windows a scripted ``run_app`` makes, kept) and
``jobs`` (a job runner for a Compare tab standing alone).
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


@pytest.fixture
def windows(qapp, monkeypatch):
    """The windows ``run_app`` makes, kept for inspection after it returns."""
    import explorer.ui.main_window as main_window

    made: list = []

    class Kept(main_window.MainWindow):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            made.append(self)

    monkeypatch.setattr(main_window, "MainWindow", Kept)
    return made


@pytest.fixture
def jobs(qapp):
    """A job runner of its own, for a tab standing alone; its callbacks run on the UI thread
    (as the window's do). Closed at the end: every job cancelled and its thread waited for."""
    from explorer.app.jobs import JobRunner
    from explorer.ui.workers import QtPost

    runner = JobRunner(QtPost().post)
    yield runner
    runner.close(timeout=60)
