"""What every controller of the window gets: the session (what it shows and changes), the job
runner (where its long work runs) and a status outlet (where it says what happened); never the
window. A controller sets itself up in :meth:`Control.setup`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from explorer.app.jobs import JobRunner
from explorer.app.session import Session


class Control(QObject):
    def __init__(
        self,
        session: Session,
        jobs: JobRunner,
        status: Callable[[str], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.session = session
        self.jobs = jobs
        self.status = status
        self.setup()

    def setup(self) -> None:
        """The controller's own state and subscriptions (after the common parts are set)."""
