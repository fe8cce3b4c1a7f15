"""The bottom panels' wiring: results in, stale results out, evaluations and sweeps asked
for, and the busy bar with its Cancel while a run, an evaluation or a fusion works.

It gets the session, the job runner, the panels and the controls whose work they show,
never the window.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget, QWidget

from explorer.app.events import Event
from explorer.app.jobs import JobRunner
from explorer.app.session import Session

#: the lanes whose work the panels' busy bar shows (loading a model has its own bar)
PANEL_LANES = ("run", "weights", "accuracy", "sweep", "fusion")


def set_tab_visible(panel: QWidget, visible: bool) -> None:
    """Show or hide the tab that holds ``panel`` (nothing where it is not in a tab)."""
    w = panel.parentWidget()
    while w is not None and not isinstance(w, QTabWidget):
        w = w.parentWidget()
    if w is not None:
        w.setTabVisible(w.indexOf(panel), visible)


class PanelsControl(QObject):
    """Keeps each panel showing the current result, or an explicit "updating"/"cancelled"."""

    def __init__(
        self,
        session: Session,
        jobs: JobRunner,
        panels: dict[str, Any],
        controls: tuple[Any, Any, Any],  # the run, evaluation and fusion controls
        busy_widgets: tuple[Any, Any],  # the busy bar and its Cancel button
        status: Callable[[str], None],
        show_panel: Callable[[str], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.session, self.jobs, self.panels = session, jobs, panels
        self.run, self.eval, self.fusion = controls
        self.busy_bar, self.cancel_button = busy_widgets
        self.status, self.show_panel = status, show_panel
        acc, sweeps = panels["Accuracy"], panels["Sweeps"]
        acc.refChosen.connect(self.eval.set_ref)
        acc.limitChosen.connect(self._on_limit_chosen)
        self.eval.accuracy.connect(acc.show_accuracy)
        self.eval.failed.connect(acc.show_error)
        self.eval.failed.connect(status)
        sweeps.sweepRequested.connect(self._on_sweep_requested)
        self.eval.sweepProgress.connect(sweeps.show_partial)
        self.eval.sweepDone.connect(sweeps.show_sweep)
        self.eval.busyChanged.connect(self._on_eval_busy)
        self.cancel_button.clicked.connect(self.cancel_work)
        self.run.cancelled.connect(self._on_run_cancelled)
        jobs.on_busy(lambda *_: self.show_busy())
        session.connect(Event.MODEL_LOADING, self._on_model_loading)
        for ev in (Event.MODEL_CHANGED, Event.MODEL_FAILED, Event.MODEL_CANCELLED):
            session.connect(ev, lambda *_: self._on_model_settled())
        session.connect(Event.RESULTS_INVALIDATED, self._on_results_invalidated)
        session.connect(Event.RESULTS_CHANGED, self._on_results_changed)
        session.connect(Event.RUN_FAILED, self._on_run_failed)
        session.connect(Event.MODEL_CHANGED, self._on_model_changed)
        self._on_model_changed(session.analysis)
        session.connect(Event.SELECTION_CHANGED, self._on_selection_changed)

    def _on_model_loading(self, name: str) -> None:
        # nothing of the model on its way out stays under the new one's name: its run, its
        # evaluation and its sweep were the old model's
        for p in self.panels.values():
            p.clear(self.tr("loading {name}...").format(name=name))

    def _on_model_settled(self) -> None:
        """A model arrived, or the old one stays (the load failed or was cancelled): the
        run's panels wait for its run, the studies' panels say how to start one."""
        for p in self.panels.values():
            p.clear(p.intro_text())

    def _on_model_changed(self, analysis: Any) -> None:
        """Panels for one kind of block only (the highway gates) show with such a model."""
        for p in self.panels.values():
            if hasattr(p, "applies"):
                set_tab_visible(p, p.applies(analysis))

    def _on_selection_changed(self, block_id: str | None) -> None:
        for p in self.panels.values():
            if hasattr(p, "follow_selection"):
                p.follow_selection(block_id)

    def _on_results_invalidated(self) -> None:
        for p in self.panels.values():
            p.invalidate()

    def _on_results_changed(self, result: Any) -> None:
        for title, p in self.panels.items():
            try:
                p.broken = False
                p.show_result(result, self.session)
            except Exception as exc:  # noqa: BLE001 - a panel's bug must not take the window
                p.broken = True
                p.status.setText(
                    self.tr("this panel failed: {error}").format(
                        error=f"{type(exc).__name__}: {exc}"
                    )
                )
                print(f"cnn-explorer: panel {title} failed: {exc!r}", file=sys.stderr)

    def _on_run_failed(self, message: str) -> None:
        self.status(self.tr("Run failed: {message}").format(message=message))
        for p in self.panels.values():
            p.invalidate(self.tr("the run failed: {message}").format(message=message), keep=False)

    def cancel_work(self) -> None:
        """The panels' Cancel: a fusion, the forward pass, the evaluation and any sweep."""
        others = self.jobs.busy(("run", "weights", "accuracy", "sweep"))
        fusing = self.fusion.cancel()
        if not fusing or others:
            # a fusion alone: the results shown still hold, keep them
            self.eval.cancel()
            self.run.cancel()

    def _on_limit_chosen(self, n: int) -> None:
        self.eval.limit = n
        self.eval.schedule()

    def _on_sweep_requested(self, kind: str, k_max: int, trials: int) -> None:
        self.show_panel("Sweeps")
        self.eval.start_sweep(kind, k_max, trials)

    def _on_eval_busy(self, busy: bool, what: str) -> None:
        if busy and what == "evaluating":
            self.panels["Accuracy"].clear(self.tr("evaluating..."))
        elif what == "cancelled":
            why = self.tr("cancelled: delete a block or run a sweep to start again")
            self.panels["Accuracy"].clear(why)
            self.panels["Sweeps"].cancelled(why)

    def show_busy(self) -> None:
        """The busy bar and Cancel: while a run, an evaluation or a fusion works."""
        busy = self.jobs.busy(PANEL_LANES)
        self.busy_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_run_cancelled(self) -> None:
        # nothing is coming: "updating..." would wait forever
        self.status(self.tr("Run cancelled"))
        for p in self.panels.values():
            p.invalidate(
                self.tr("cancelled: change the image, weights or block to run again"), keep=False
            )
