"""Weights, images and device: the run toolbar, and forward passes off the UI thread.

Every change (model, weights, image, device, selected block) schedules one run; a newer
run supersedes an older one (its result is dropped by generation). Runs and weight loads
use the model one at a time (a lock): hooks of two passes must never mix.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QToolBar,
    QToolButton,
)

from explorer.ui.workers import WorkerPool

CHECKPOINT_SUFFIXES = (".pth", ".pt", ".bin", ".safetensors", ".th", ".ckpt")
WEIGHT_ITEMS = (
    ("auto", "trained if available"),
    ("bundled", "bundled (trained on digits)"),
    ("pretrained", "pretrained"),
    ("random", "random (untrained)"),
)
NORMALIZE_ITEMS = (None, "imagenet", "cifar", "none")


def is_checkpoint(path: str) -> bool:
    return Path(path).suffix.lower() in CHECKPOINT_SUFFIXES


class RunControl(QObject):
    """Owns the run toolbar and the workers that load weights and run images."""

    ran = Signal(object)  # a RunResult shown in the panels
    weightsLoaded = Signal(object)  # noqa: N815 - a WeightsInfo
    busyChanged = Signal(bool, str)  # noqa: N815

    def __init__(self, window: Any):
        super().__init__(window)
        self.win = window
        self.session = window.session
        self.weights_pool = WorkerPool(self)
        self.run_pool = WorkerPool(self)
        self.lock = threading.Lock()
        self._fresh = True  # the model holds what its builder gave it
        self._weights_gen = 0
        self._weights_job: tuple[int, Any, str] = (0, None, "")
        self._input_size: int | None = None
        self._loaded_file = ""  # the path of the checkpoint the model holds, if any
        self._pastes = 0
        self._closed = False  # set by wait_all: late results are dropped, nothing new starts
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)  # coalesce a burst of changes into one run
        self._timer.timeout.connect(self.start_run)
        self._build_toolbar()
        s = self.session
        s.connect("model_changed", self._on_model_changed)
        s.connect("weights_changed", lambda _i: self.schedule())
        s.connect("images_changed", self._on_images_changed)
        s.connect("device_changed", lambda *_: self.schedule())
        s.connect("deleted_changed", lambda _d: self.schedule())
        s.connect("selection_changed", lambda _b: self.schedule())
        s.connect("analysis_swapped", self._on_analysis_swapped)

    # -- toolbar ------------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        tb = QToolBar("Run")
        tb.setObjectName("run_toolbar")
        self.win.addToolBarBreak()
        self.win.addToolBar(tb)
        tb.addWidget(QLabel(" weights "))
        self.weights_combo = QComboBox()
        for key, text in WEIGHT_ITEMS:
            self.weights_combo.addItem(text, key)
        self.weights_combo.addItem("from file...", "file")
        self.weights_combo.setToolTip("Library pretrained weights, random ones, or a checkpoint")
        self.weights_combo.activated.connect(self._on_weights_chosen)
        tb.addWidget(self.weights_combo)
        self.badge = QLabel(" untrained weights ")
        self.badge.setStyleSheet(
            "background: #c0392b; color: white; border-radius: 3px; font-weight: bold;"
        )
        self.badge.setToolTip("The model has random weights: its predictions mean nothing")
        self.badge_action = tb.addWidget(self.badge)
        self.badge_action.setVisible(False)
        tb.addSeparator()
        tb.addWidget(QLabel(" image "))
        self.image_combo = QComboBox()
        self.image_combo.setMinimumWidth(160)
        self.image_combo.activated.connect(lambda i: self.session.set_image(i))
        tb.addWidget(self.image_combo)
        tb.addAction("Open...", self.open_dialog).setToolTip("Open image files (Ctrl+O)")
        tb.addAction("Folder...", self.open_folder_dialog)
        self.samples_btn = QToolButton()
        self.samples_btn.setText("Samples")
        self.samples_btn.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.samples_menu = QMenu(self.samples_btn)
        self.samples_menu.aboutToShow.connect(self._fill_samples)
        self.samples_btn.setMenu(self.samples_menu)
        tb.addWidget(self.samples_btn)
        tb.addWidget(QLabel(" compare "))
        self.compare_combo = QComboBox()
        self.compare_combo.setToolTip("A second image run beside the first (SE weights panel)")
        self.compare_combo.activated.connect(lambda i: self.session.set_compare(i - 1))
        tb.addWidget(self.compare_combo)
        tb.addWidget(QLabel(" normalise "))
        self.norm_combo = QComboBox()
        self.norm_combo.addItems(["as the weights say", "imagenet", "cifar", "none"])
        self.norm_combo.activated.connect(lambda _i: self.session.invalidate() or self.schedule())
        tb.addWidget(self.norm_combo)
        tb.addSeparator()
        tb.addWidget(QLabel(" device "))
        self.device_combo = QComboBox()
        self.device_combo.addItem("auto")
        self.device_combo.activated.connect(self._on_device_chosen)
        tb.addWidget(self.device_combo)
        self.precision_combo = QComboBox()
        self.precision_combo.addItems(["fp32", "bf16", "fp16"])
        self.precision_combo.setEnabled(False)
        self.precision_combo.activated.connect(self._on_device_chosen)
        tb.addWidget(self.precision_combo)
        self.toolbar = tb

    def _fill_samples(self) -> None:
        from explorer.runtime.images import sample_names

        self.samples_menu.clear()
        an = self.session.analysis
        for name in sample_names(an.spec.classes if an is not None else "imagenet"):
            self.samples_menu.addAction(name, lambda n=name: self.open_sample(n))

    def _fill_devices(self) -> None:
        from explorer.runtime.inference import available_devices

        if self.device_combo.count() > 1:
            return
        for d in available_devices()[1:]:
            self.device_combo.addItem(d)

    def _on_device_chosen(self, _i: int) -> None:
        dev = self.device_combo.currentText()
        gpu = dev.startswith(("cuda", "mps")) or (dev == "auto" and self.device_combo.count() > 2)
        self.precision_combo.setEnabled(gpu)
        if not gpu:
            self.precision_combo.setCurrentIndex(0)
        self.session.set_device(dev, self.precision_combo.currentText())

    def _on_images_changed(self, images: list[Any], index: int, compare: int) -> None:
        for combo, items, cur in (
            (self.image_combo, [im.name for im in images], index),
            (self.compare_combo, ["(none)"] + [im.name for im in images], compare + 1),
        ):
            blocker = combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            combo.setCurrentIndex(cur)
            combo.blockSignals(blocker)
        self.schedule()

    # -- images ---------------------------------------------------------------------------------

    def _report(self, title: str, errors: list[str]) -> None:
        if not errors:
            return
        self.win.status_label.setText(errors[0] if len(errors) == 1 else f"{len(errors)} problems")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            "\n".join(errors[:20]),
            QMessageBox.StandardButton.Ok,
            self.win,
        )
        box.setModal(False)
        box.show()
        self.last_error_box = box

    def open_paths(self, paths: list[str]) -> list[str]:
        """Open files and folders (images, or one checkpoint); returns the errors met."""
        from explorer.runtime.images import ImageError, image_files, load_image

        images, errors = [], []
        for p in paths:
            if is_checkpoint(p) and Path(p).is_file():
                self.request_weights(p)
                continue
            try:
                if Path(p).is_dir():
                    images += self._load_all(image_files(p), errors)
                else:
                    images.append(load_image(p))
            except ImageError as exc:
                errors.append(str(exc))
        if images:
            self.session.add_images(images)
        self._report("Could not open", errors)
        return errors

    def _load_all(self, files: list[Path], errors: list[str]) -> list[Any]:
        from explorer.runtime.images import ImageError, load_image

        out = []
        for f in files:
            try:
                out.append(load_image(f))
            except ImageError as exc:
                errors.append(str(exc))
        return out

    def open_sample(self, name: str) -> None:
        from explorer.runtime.images import load_sample

        self.session.add_images([load_sample(name)])

    def open_dialog(self) -> None:
        from explorer.runtime.images import SUPPORTED_SUFFIXES

        pattern = " ".join("*" + s for s in SUPPORTED_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(
            self.win, "Open images", str(Path.home()), f"Images ({pattern});;All files (*)"
        )
        if paths:
            self.open_paths(paths)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.win, "Open a folder of images")
        if folder:
            self.open_paths([folder])

    def paste(self) -> bool:
        """An image, image file(s) or a path from the clipboard; True if something came."""
        from explorer.runtime.images import ImageError, from_array

        cb = QGuiApplication.clipboard()
        md = cb.mimeData()
        if md is not None and md.hasUrls():
            paths = [u.toLocalFile() for u in md.urls() if u.isLocalFile()]
            if paths:
                self.open_paths(paths)
                return True
        img = cb.image()
        if not img.isNull():
            try:
                arr = qimage_to_array(img)
                # the same picture pasted twice is one image; another picture a new one
                digest = hashlib.sha1(arr.tobytes() + str(arr.shape).encode()).hexdigest()
                source = f"clipboard:{digest[:16]}"
                if source not in {im.source for im in self.session.images}:
                    self._pastes += 1
                n = self._pastes
                name = "pasted image" if n <= 1 else f"pasted image {n}"
                self.session.add_images([from_array(arr, name, source)])
            except ImageError as exc:
                self._report("Could not paste", [str(exc)])
            return True
        text = cb.text().strip()
        if text and Path(text).exists():
            self.open_paths([text])
            return True
        self.win.status_label.setText("The clipboard holds no image")
        return False

    # -- weights --------------------------------------------------------------------------------

    def _on_weights_chosen(self, i: int) -> None:
        key = self.weights_combo.itemData(i)
        if key == "file":
            path, _ = QFileDialog.getOpenFileName(
                self.win,
                "Open a checkpoint",
                str(Path.home()),
                "Checkpoints (" + " ".join("*" + s for s in CHECKPOINT_SUFFIXES) + ");;All (*)",
            )
            if not path:
                self._show_weights_choice()
                return
            key = path
        self.request_weights(key)

    def request_weights(self, choice: str) -> None:
        self.session.request_weights(choice)  # unfuses a fused model: weights go to the real one
        an = self.session.analysis
        if an is None:
            return  # applied when a model arrives
        self._start_weights(an, choice)

    def _start_weights(self, an: Any, choice: str) -> None:
        from explorer.runtime.pipeline import apply_weights

        if self._closed:
            return

        fresh = self._fresh
        lock = self.lock

        def steps():  # noqa: ANN202 - on the worker thread
            yield 0.1, f"loading weights: {Path(choice).name if is_checkpoint(choice) else choice}"
            with lock:
                return apply_weights(an.spec, an.model, choice, fresh=fresh)

        self._weights_gen += 1
        gen = self._weights_gen
        self._fresh = False
        self.busyChanged.emit(True, "loading weights")
        self._weights_job = (gen, an, choice)
        # bound methods of this QObject: their calls are queued to the UI thread
        self.weights_pool.start(
            steps,
            gen,
            on_yield=self._on_weights_progress,
            on_done=self._on_weights_done,
            on_error=self._on_weights_error,
        )

    def _on_weights_progress(self, gen: int, value: Any) -> None:
        if gen == self._weights_gen:
            self.win.status_label.setText(value[1])

    def _on_weights_done(self, gen: int, info: Any) -> None:
        if self._closed:
            return
        self.busyChanged.emit(False, "")
        if gen != self._weights_gen or self._weights_job[1] is not self.session.analysis:
            return
        if info.kind == "file":
            self._loaded_file = self._weights_job[2]
        self.session.set_weights(info)
        self._show_weights_choice()
        self.badge_action.setVisible(not info.trained)
        self.win.weights_label.setText(f"weights: {info.label}")
        self.win.status_label.setText(info.message)
        self.weightsLoaded.emit(info)

    def _on_weights_error(self, gen: int, message: str) -> None:
        if self._closed:
            return
        self.busyChanged.emit(False, "")
        if gen != self._weights_gen:
            return
        _, an, choice = self._weights_job
        self.session.weights_failed(choice, message)
        self._show_weights_choice()
        self._report("Weights not loaded", [message])
        if self.session.weights_info is None and an is self.session.analysis and choice != "auto":
            # a model that just arrived holds no usable weights yet (the file was for
            # another network, or pretrained ones are out of reach): it still has to run
            self.request_weights("auto")

    def _show_weights_choice(self) -> None:
        info = self.session.weights_info
        if info is None:
            return
        key = {"random": "random", "pretrained": "pretrained", "bundled": "bundled"}.get(info.kind)
        if info.kind == "file":
            # the item's data is the full path, so that choosing it again loads the file
            path = self._loaded_file
            i = self.weights_combo.findData(path)
            if i < 0:
                i = self.weights_combo.count() - 1
                self.weights_combo.insertItem(i, f"file: {info.label}", path)
                self.weights_combo.setItemData(i, path, Qt.ItemDataRole.ToolTipRole)
            self.weights_combo.setCurrentIndex(i)
        elif key is not None:
            self.weights_combo.setCurrentIndex(self.weights_combo.findData(key))

    # -- model ----------------------------------------------------------------------------------

    def set_input_size(self, n: int | None) -> None:
        self._input_size = n

    def _on_model_changed(self, an: Any) -> None:
        self._fill_devices()
        self._fresh = True
        self.badge_action.setVisible(False)
        if self.session.image is None:
            from explorer.runtime.images import load_sample, sample_names

            self.session.add_images([load_sample(sample_names(an.spec.classes)[0])])
        choice = self.session.weights_choice
        if is_checkpoint(choice) and not Path(choice).is_file():
            choice = "auto"
        self._start_weights(an, choice)

    def _on_analysis_swapped(self, _an: Any) -> None:
        """Fused or unfused: the same weights, another graph; its plan and chain are new."""
        self.schedule()

    # -- running --------------------------------------------------------------------------------

    def schedule(self) -> None:
        if self._closed:
            return
        if self.session.analysis is not None and self.session.weights_info is not None:
            self._timer.start()

    def preprocessing(self) -> Any:
        """The preprocessing the current model, weights and toolbar choices make (the one
        place the window computes it: runs, evaluations and fusion checks all use it).
        Raises ValueError for a choice that does not fit the model."""
        from explorer.runtime.pipeline import preprocess

        s = self.session
        norm = NORMALIZE_ITEMS[max(self.norm_combo.currentIndex(), 0)]
        return preprocess(s.analysis.spec, s.weights_info, self._input_size, norm)

    def start_run(self) -> None:
        s = self.session
        an, img, info = s.analysis, s.image, s.weights_info
        if an is None or img is None or info is None or self._closed:
            return
        try:
            prep = self.preprocessing()
        except ValueError as exc:
            s.run_failed(str(exc), s.run_generation)
            return
        images = [img] + ([s.compare_image] if s.compare_image is not None else [])
        lock = self.lock
        model, device, precision = an.model, s.device, s.precision
        feature = s.selected
        categories = info.categories
        deleted = sorted(s.deleted)

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.runtime.images import to_batch
            from explorer.runtime.inference import run
            from explorer.runtime.probes import plan_for
            from explorer.studies.lesion.surgery import lesioned_model

            yield 0.2, "preprocessing"
            plan = plan_for(an)  # once per model, here rather than on the UI thread
            x = to_batch(images, prep)
            net: Any = model
            if deleted:  # the network with the deleted blocks, sharing the model's weights
                yield 0.3, f"{len(deleted)} block(s) deleted"
                net = lesioned_model(an, deleted)[0]
            yield 0.4, "forward pass"
            with lock:
                res = run(net, x, device, precision, categories, plan, feature)
            res.input, res.preprocess, res.plan = x, prep, plan
            res.deleted = deleted
            return res

        gen = s.next_run()
        self.run_pool.cancel_all()  # an older run stops at its next step
        self.busyChanged.emit(True, "running")
        self.run_pool.start(
            steps,
            gen,
            on_done=self._on_run_done,
            on_error=self._on_run_error,
        )

    def _on_run_done(self, gen: int, res: Any) -> None:
        if gen != self.session.run_generation or self._closed:
            return
        self.busyChanged.emit(False, "")
        if self.session.set_result(res, gen):
            self.win.device_label.setText(f"device {res.device} ({res.precision})")
            self.win.latency_label.setText(f"last forward {res.latency_ms:.0f} ms")
            for n in res.notes:
                self.win.status_label.setText(n)
            self.ran.emit(res)

    def _on_run_error(self, gen: int, message: str) -> None:
        if gen != self.session.run_generation or self._closed:
            return
        self.busyChanged.emit(False, "")
        self.session.run_failed(message, gen)

    def cancel(self) -> None:
        """Drop the running pass's result (it stops at its next step)."""
        self.run_pool.cancel_all()
        self.weights_pool.cancel_all()
        self._weights_gen += 1
        self.session.invalidate()
        self.busyChanged.emit(False, "cancelled")

    def wait_all(self) -> None:
        """The window closes: stop, wait for the threads, and start nothing afterwards."""
        self._closed = True
        self._timer.stop()
        self.run_pool.wait_all()
        self.weights_pool.wait_all()


def qimage_to_array(img: QImage) -> Any:
    import numpy as np

    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()
