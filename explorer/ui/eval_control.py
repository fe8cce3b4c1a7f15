"""Accuracy of the intact and the lesioned network, and lesion sweeps, off the UI thread.

The work is :mod:`explorer.app.workflows.lesion`, the command line's ``lesion`` workflow, run
by the window's job runner in the lanes ``accuracy`` and ``sweep``. The intact network's
result is cached per (model, weights, evaluation set, normalisation); after each deletion only
the lesioned network is evaluated. The control gets the session, the job runner and a status
outlet, never the window.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal

from explorer.app.jobs import Progress
from explorer.app.session import Event
from explorer.app.workflows.lesion import EvalSettings, SweepSettings, default_ref
from explorer.errors import one_line
from explorer.ui import core_words
from explorer.ui.control import Control

LANES = ("accuracy", "sweep")


class EvalControl(Control):
    """Evaluates on the chosen set after every change; runs sweeps on request."""

    accuracy = Signal(object)  # {"intact", "modified", "deleted", "data", "n"}
    sweepProgress = Signal(str, object)  # noqa: N815 - kind, partial result
    sweepDone = Signal(str, object)  # noqa: N815
    busyChanged = Signal(bool, str)  # noqa: N815
    failed = Signal(str)

    def setup(self) -> None:
        # the window evaluates the first 1000 images (the panel's choice) in batches of 100
        self.settings = EvalSettings(limit=1000, batch_size=100)
        self._cache: dict[tuple, Any] = {}
        self._sweep_kind = ""
        self._deferred = False  # an evaluation waits for the run of the same change
        s = self.session
        # the run's figures first: the evaluation starts once the run is in (both on the
        # CPU at once, the first launch's panels took ~1 s longer)
        s.connect(Event.RESULTS_CHANGED, lambda _r: self._after_run())
        s.connect(Event.RUN_FAILED, lambda _m: self._after_run())
        for ev in (Event.WEIGHTS_CHANGED, Event.DELETED_CHANGED, Event.DEVICE_CHANGED):
            s.connect(ev, lambda *_: self.schedule())
        s.connect(Event.PREPROCESSING_CHANGED, lambda *_: self.schedule())
        s.connect(Event.MODEL_CHANGED, lambda _a: self._cache.clear())
        s.connect(Event.ANALYSIS_SWAPPED, self._on_analysis_swapped)
        # the model shown stays: its evaluation, cancelled when another was asked for, again
        s.connect(Event.MODEL_FAILED, lambda *_: self.schedule())
        s.connect(Event.MODEL_CANCELLED, self.schedule)
        # another model, other weights or a fusion: a sweep (or an evaluation) of the old
        # state must not arrive as the new state's result
        for ev in (Event.MODEL_LOADING, Event.WEIGHTS_REQUESTED, Event.FUSED_CHANGED):
            s.connect(ev, lambda *_: self.jobs.cancel(LANES))

    @property
    def ref(self) -> str | None:
        return self.settings.ref

    @property
    def limit(self) -> int | None:
        return self.settings.limit

    @limit.setter
    def limit(self, n: int | None) -> None:
        self.settings = replace(self.settings, limit=n)

    def _on_analysis_swapped(self, _an: Any) -> None:
        """Fused or back: keep the results of the two analyses alive (keyed by their ids)."""
        s = self.session
        alive = {id(s.analysis), id(s.unfused_analysis)}
        for key in [k for k in self._cache if k[0] not in alive]:
            del self._cache[key]  # an id of a dropped analysis may come back for another
        self.schedule()

    # -- what to evaluate ----------------------------------------------------------------------

    def default_ref(self) -> str:
        an = self.session.analysis
        return default_ref(an.spec) if an is not None else "digits"

    def set_ref(self, ref: str | None) -> None:
        self.settings = replace(self.settings, ref=ref)
        self.schedule()

    def _setup(self) -> tuple[Any, Any, tuple] | None:
        """(analysis, preprocessing, cache key) or None when there is nothing to do."""
        s = self.session
        an, info = s.analysis, s.weights_info
        if an is None or info is None or self.jobs.closed or s.loading is not None:
            return None  # nothing to evaluate, or the model is on its way out
        try:
            prep = s.preprocessing()
        except ValueError as exc:
            self.failed.emit(str(exc))
            return None
        ref = self.settings.ref or self.default_ref()
        # the weights' load count: two random draws (or a file rewritten) share a label
        key = (id(an), s.weights.loads, info.label, ref, self.settings.limit, prep)
        return an, prep, key

    # -- accuracy ----------------------------------------------------------------------------------

    def schedule(self) -> None:
        """Evaluate the current network (the intact one from the cache when it is there),
        after the run that shows the same change when one is on its way."""
        s = self.session
        if s.result is None and s.image is not None and s.analysis is not None:
            self._deferred = True
            return
        self._start()

    def _after_run(self) -> None:
        if self._deferred:
            self._deferred = False
            self._start()

    def _start(self) -> None:
        setup = self._setup()
        if setup is None:
            return
        an, prep, key = setup
        s = self.session
        categories, deleted = s.weights_info.categories, sorted(s.deleted)
        settings, device, cache = self.settings, s.device, self._cache

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.app.workflows.lesion import accuracy

            acc = yield from accuracy(
                an, prep, categories, deleted, settings, device,
                lock=s.lock, cache=cache, cache_key=key,
            )  # fmt: skip
            return acc.as_dict()

        self.jobs.start("accuracy", steps, label="evaluating", on_progress=self._on_progress,
                        on_done=self.accuracy.emit,
                        on_error=lambda exc: self._on_error("accuracy", exc))  # fmt: skip
        self.busyChanged.emit(True, "evaluating")

    def _on_progress(self, p: Progress) -> None:
        self.status(p.message)

    def _on_error(self, lane: str, exc: BaseException) -> None:
        self.failed.emit(one_line(exc))
        self.session.report_failure(lane, exc)

    # -- sweeps --------------------------------------------------------------------------------------

    def start_sweep(self, kind: str, k_max: int = 8, trials: int = 5, seed: int = 0) -> None:
        """``single``, ``random`` or ``reorder`` on the current evaluation set."""
        setup = self._setup()
        if setup is None:
            return
        an, prep, _key = setup
        s = self.session
        categories, settings, device = s.weights_info.categories, self.settings, s.device
        sw = SweepSettings(kind, k_max, trials, seed)

        ray = s.ray

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.app.workflows.executors import on_executor
            from explorer.app.workflows.lesion import sweep

            def study(ex):  # noqa: ANN001, ANN202
                return sweep(an, prep, categories, sw, settings, device, lock=s.lock, executor=ex)

            res = yield from on_executor(ray, device, study)
            return {"kind": res.kind, "result": res.result, "data": res.data, "n": res.n,
                    "workers": res.workers}  # fmt: skip

        self._sweep_kind = kind
        self.jobs.start("sweep", steps, label=f"{kind} sweep", on_progress=self._on_sweep_progress,
                        on_done=lambda res: self.sweepDone.emit(res["kind"], res),
                        on_error=lambda exc: self._on_error("sweep", exc))  # fmt: skip

    def _on_sweep_progress(self, p: Progress) -> None:
        names = {
            "single": self.tr("Each block alone"),
            "random": self.tr("k random blocks"),
            "reorder": self.tr("Reorder blocks"),
        }
        self.status(
            self.tr("{sweep}: {step}").format(
                sweep=names.get(self._sweep_kind, self._sweep_kind),
                step=core_words.message(p.message),
            )
        )
        if p.partial is not None:
            self.sweepProgress.emit(self._sweep_kind, (p.fraction, p.partial))

    def cancel(self) -> bool:
        """Stop the evaluation and any sweep; True if one ran. The panels are told either
        way (the user pressed Cancel: nothing new comes until the next change)."""
        self._deferred = False
        was = self.jobs.cancel(LANES)
        self.busyChanged.emit(False, "cancelled")
        return was
