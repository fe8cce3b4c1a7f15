"""Accuracy of the intact and the lesioned network, and lesion sweeps, off the UI thread.

The intact network's result is cached per (model, weights, evaluation set, normalisation);
after each deletion only the lesioned network is evaluated. Work runs on worker threads
under the run lock (one user of the model at a time), with progress and cancel.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from explorer.ui.workers import WorkerPool

PHOTOS = "photos"  # the built-in sample photos: no labels, agreement only


def photo_set(prep: Any) -> Any:
    """scikit-image's photos that ship with it, as an unlabelled evaluation set."""
    from explorer.runtime.datasets import EvalSet
    from explorer.runtime.images import load_sample, sample_names, to_batch

    names = [n for n in sample_names("imagenet") if not n.startswith("digits")]
    images = [load_sample(n) for n in names]

    def load(start: int, stop: int) -> tuple[Any, None]:
        return to_batch(images[start:stop], prep), None

    return EvalSet(
        name=f"{len(images)} sample photos (no labels)",
        n=len(images),
        classes=None,
        labels=None,
        load=load,
    )


class EvalControl(QObject):
    """Evaluates on the chosen set after every change; runs sweeps on request."""

    accuracy = Signal(object)  # {"intact", "modified", "deleted", "data", "n"}
    sweepProgress = Signal(str, object)  # noqa: N815 - kind, partial result
    sweepDone = Signal(str, object)  # noqa: N815
    busyChanged = Signal(bool, str)  # noqa: N815
    failed = Signal(str)

    def __init__(self, window: Any):
        super().__init__(window)
        self.win = window
        self.session = window.session
        self.pool = WorkerPool(self)
        self.sweep_pool = WorkerPool(self)
        self.ref: str | None = None  # None: the model's own set (digits) or the photos
        self.limit = 1000
        self.batch_size = 100
        self._cache: dict[tuple, Any] = {}
        self._gen = 0
        self._sweep_gen = 0
        self._sweep_kind = ""
        self._closed = False
        # an accuracy run and a sweep run side by side: busy while either runs
        self._running = {"accuracy": False, "sweep": False}
        s = self.session
        for ev in ("weights_changed", "deleted_changed", "device_changed"):
            s.connect(ev, lambda *_: self.schedule())
        s.connect("model_changed", lambda _a: self._cache.clear())
        s.connect("analysis_swapped", self._on_analysis_swapped)

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
        return "digits" if an is not None and an.spec.classes == "digits" else PHOTOS

    def set_ref(self, ref: str | None) -> None:
        self.ref = ref
        self.schedule()

    def _setup(self) -> tuple[Any, Any, str, tuple] | None:
        """(analysis, preprocessing, set reference, cache key) or None when nothing to do."""
        s = self.session
        an, info = s.analysis, s.weights_info
        if an is None or info is None or self._closed:
            return None
        try:
            prep = self.win.run.preprocessing()
        except ValueError as exc:
            self.failed.emit(str(exc))
            return None
        ref = self.ref or self.default_ref()
        key = (id(an), info.label, ref, self.limit, prep)
        return an, prep, ref, key

    @staticmethod
    def _open(an: Any, prep: Any, ref: str, categories: Any) -> Any:
        """The evaluation set (on the worker thread: it reads no session state)."""
        from explorer.runtime.datasets import open_eval_set

        if ref == PHOTOS:
            return photo_set(prep)
        outputs = int(an.graph.g.nodes["@output"]["out_shape"][-1])
        return open_eval_set(ref, an.spec, prep, outputs, categories)

    # -- accuracy ----------------------------------------------------------------------------------

    def schedule(self) -> None:
        """Evaluate the current network (the intact one from the cache when it is there)."""
        setup = self._setup()
        if setup is None:
            return
        an, prep, ref, key = setup
        categories = self.session.weights_info.categories
        deleted = sorted(self.session.deleted)
        device = self.session.device
        cache = self._cache
        lock = self.win.run.lock
        limit, bs = self.limit, self.batch_size

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.runtime.evaluate import evaluate, first_images
            from explorer.runtime.inference import resolve_device
            from explorer.studies.lesion.surgery import lesioned_model

            yield 0.0, f"opening {ref}"
            es = self._open(an, prep, ref, categories)
            batches, n = first_images(es, limit, bs)

            dev = resolve_device(device)
            with lock:
                an.model.eval().to(dev)
                intact = cache.get(key)
                if intact is None:
                    intact = yield from _scaled(evaluate(an.model, batches, n, dev), 0.0, 0.5)
                    cache[key] = intact
                modified = None
                if deleted:
                    net = lesioned_model(an, deleted)[0]
                    modified = yield from _scaled(
                        evaluate(net, batches, n, dev, deleted, intact.preds), 0.5, 1.0
                    )
            return {"intact": intact, "modified": modified, "deleted": deleted, "data": es.name,
                    "n": n}  # fmt: skip

        self._gen += 1
        self.pool.cancel_all()
        self._set_busy("accuracy", True, "evaluating")
        self.pool.start(steps, self._gen, on_yield=self._on_progress, on_done=self._on_done,
                        on_error=self._on_error)  # fmt: skip

    def _on_progress(self, gen: int, value: Any) -> None:
        if gen == self._gen:
            self.win.status_label.setText(str(value[1]))

    def _on_done(self, gen: int, res: Any) -> None:
        if gen != self._gen or self._closed:
            return
        self._set_busy("accuracy", False)
        self.accuracy.emit(res)

    def _on_error(self, gen: int, message: str) -> None:
        if gen != self._gen or self._closed:
            return
        self._set_busy("accuracy", False)
        self.failed.emit(message)

    def _set_busy(self, part: str, busy: bool, what: str = "") -> None:
        self._running[part] = busy
        self.busyChanged.emit(any(self._running.values()), what)

    # -- sweeps --------------------------------------------------------------------------------------

    def start_sweep(self, kind: str, k_max: int = 8, trials: int = 5, seed: int = 0) -> None:
        """``single``, ``random`` or ``reorder`` on the current evaluation set."""
        setup = self._setup()
        if setup is None:
            return
        an, prep, ref, _key = setup
        categories = self.session.weights_info.categories
        device = self.session.device
        lock = self.win.run.lock
        limit, bs = self.limit, self.batch_size

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.runtime.evaluate import first_images
            from explorer.runtime.inference import resolve_device
            from explorer.studies.lesion import sweeps

            yield 0.0, f"opening {ref}", None
            es = self._open(an, prep, ref, categories)
            batches, n = first_images(es, limit, bs)

            dev = resolve_device(device)
            with lock:
                an.model.eval().to(dev)
                if kind == "single":
                    gen = sweeps.single_sweep(an, batches, n, device=dev)
                elif kind == "random":
                    gen = sweeps.random_sweep(an, batches, n, k_max, trials, seed, device=dev)
                else:
                    gen = sweeps.reorder_sweep(an, batches, n, trials, seed, device=dev)
                result = yield from gen
            return {"kind": kind, "result": result, "data": es.name, "n": n}

        self._sweep_gen += 1
        self._sweep_kind = kind
        self.sweep_pool.cancel_all()
        self._set_busy("sweep", True, f"{kind} sweep")
        self.sweep_pool.start(steps, self._sweep_gen, on_yield=self._on_sweep_progress,
                              on_done=self._on_sweep_done, on_error=self._on_sweep_error)  # fmt: skip

    def _on_sweep_progress(self, gen: int, value: Any) -> None:
        if gen != self._sweep_gen or self._closed:
            return
        self.win.status_label.setText(f"{self._sweep_kind} sweep: {value[1]}")
        if len(value) > 2 and value[2] is not None:
            self.sweepProgress.emit(self._sweep_kind, (value[0], value[2]))

    def _on_sweep_done(self, gen: int, res: Any) -> None:
        if gen != self._sweep_gen or self._closed:
            return
        self._set_busy("sweep", False)
        self.sweepDone.emit(res["kind"], res)

    def _on_sweep_error(self, gen: int, message: str) -> None:
        if gen != self._sweep_gen or self._closed:
            return
        self._set_busy("sweep", False)
        self.failed.emit(message)

    def cancel(self) -> None:
        self._gen += 1
        self._sweep_gen += 1
        self.pool.cancel_all()
        self.sweep_pool.cancel_all()
        self._running = dict.fromkeys(self._running, False)
        self.busyChanged.emit(False, "cancelled")

    def wait_all(self) -> None:
        self._closed = True
        self.pool.wait_all()
        self.sweep_pool.wait_all()


def _scaled(gen: Any, lo: float, hi: float) -> Any:
    """Pass on a sub-generator's progress mapped into [lo, hi]; return its value."""
    try:
        while True:
            frac, msg = next(gen)[:2]
            yield lo + (hi - lo) * frac, msg
    except StopIteration as stop:
        return stop.value
