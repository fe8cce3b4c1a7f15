"""Weights, images and device: the run toolbar, and forward passes off the UI thread.

Every change (model, weights, image, device, selected block) schedules one run in the job
runner's ``run`` lane; a newer run supersedes an older one. Weights load in the ``weights``
lane. Runs and weight loads use the model one at a time (the session's lock): hooks of two
passes must never mix. The control gets the session, the job runner, a status outlet and a
parent for its dialogs, never the window; the window places its toolbar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QWidget,
)

from explorer.app.session import Event
from explorer.errors import one_line
from explorer.ui import core_words
from explorer.ui.control import Control
from explorer.ui.i18n import QT_TRANSLATE_NOOP
from explorer.ui.image_opener import CHECKPOINT_SUFFIXES, ImageOpener

WEIGHT_ITEMS = (
    ("auto", QT_TRANSLATE_NOOP("Window", "trained if available")),
    ("bundled", QT_TRANSLATE_NOOP("Window", "bundled (trained on digits)")),
    ("pretrained", QT_TRANSLATE_NOOP("Window", "pretrained")),
    ("random", QT_TRANSLATE_NOOP("Window", "random (untrained)")),
)
NORMALIZE_ITEMS = (None, "imagenet", "cifar", "none")
#: the draw pad's action, for a network not trained on digits
NOT_DIGITS = QT_TRANSLATE_NOOP(
    "RunControl", "Only for the networks trained on digits (lenet5, resnet56, vgg_small ...)"
)


def _is_digit(image: Any) -> bool:
    """A built-in digit sample or a drawing of the draw pad."""
    return image.source.startswith(("sample:digits", "draw:"))


def is_digits(an: Any) -> bool:
    return an is not None and getattr(an.spec, "classes", None) == "digits"


class RunControl(Control):
    """Owns the run toolbar and the workers that load weights and run images."""

    ran = Signal(object)  # a RunResult shown in the panels
    weightsLoaded = Signal(object)  # noqa: N815 - a WeightsInfo
    cancelled = Signal()  # a run or a weights load was cancelled: nothing is coming

    def setup(self) -> None:
        session, status = self.session, self.status
        dialogs = self.parent()  # the parent of the file dialogs and message boxes
        self.dialogs = dialogs if isinstance(dialogs, QWidget) else None
        self.lock = session.lock
        self._fresh = True  # the model holds what its builder gave it
        self._weights_job: tuple[Any, str] = (None, "")
        self._loaded_file = ""  # the path of the checkpoint the model holds, if any
        self.opener = ImageOpener(session, status, self.dialogs, on_checkpoint=self.request_weights)
        # a digits network: light-background digits inverted (the toggle), the draw pad
        self.invert = True
        self._notes_once: list[str] = []  # said with the next run's results (a switch of image)
        self._models_shown = 0  # the first one comes with the images asked for with it
        self.pad: Any = None
        self.pad_dock: Any = None
        self.act_draw = QAction(self.tr("Draw a digit..."), self)
        self.act_draw.setIconText(self.tr("Draw a digit", "the toolbar's short name"))
        self.act_draw.setToolTip(self.tr(NOT_DIGITS))
        self.act_draw.setEnabled(False)
        self.act_draw.triggered.connect(self.open_draw_pad)
        self.act_invert = QAction(self.tr("Invert light backgrounds (digits networks)"), self)
        self.act_invert.setCheckable(True)
        self.act_invert.setChecked(True)
        self.act_invert.setToolTip(
            self.tr(
                "A digit drawn dark on light paper is inverted to white on black, as the digits "
                "networks were trained (a note says so)"
            )
        )
        self.act_invert.toggled.connect(self._on_invert_toggled)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)  # coalesce a burst of changes into one run
        self._timer.timeout.connect(self.start_run)
        s = self.session
        s.connect(Event.MODEL_CHANGED, self._on_model_changed)
        s.connect(Event.WEIGHTS_CHANGED, lambda _i: self.schedule())
        s.connect(Event.IMAGES_CHANGED, self._on_images_changed)
        s.connect(Event.DEVICE_CHANGED, lambda *_: self.schedule())
        s.connect(Event.PREPROCESSING_CHANGED, lambda _n: self.schedule())
        s.connect(Event.DELETED_CHANGED, lambda _d: self.schedule())
        s.connect(Event.SELECTION_CHANGED, lambda _b: self.schedule())
        s.connect(Event.ANALYSIS_SWAPPED, self._on_analysis_swapped)
        # the model shown stays (its results were dropped when another was asked for)
        s.connect(Event.MODEL_FAILED, lambda *_: self.schedule())
        s.connect(Event.MODEL_CANCELLED, self.schedule)

    # -- toolbar ------------------------------------------------------------------------------

    def _fill_samples(self) -> None:
        from explorer.runtime.images import sample_names

        self.samples_menu.clear()
        an = self.session.analysis
        self.samples_menu.addAction(self.act_draw)
        self.samples_menu.addAction(self.act_invert)
        self.samples_menu.addSeparator()
        for name in sample_names(an.spec.classes if an is not None else "imagenet"):
            self.samples_menu.addAction(name, lambda n=name: self.open_sample(n))

    def _fill_devices(self) -> None:
        from explorer.runtime.inference import available_devices

        if self.device_combo.count() > 1:
            return
        for d in available_devices()[1:]:
            self.device_combo.addItem(d)

    def _on_device_chosen(self, _i: int) -> None:
        dev = str(self.device_combo.currentData() or self.device_combo.currentText())
        gpu = dev.startswith(("cuda", "mps")) or (dev == "auto" and self.device_combo.count() > 2)
        self.precision_combo.setEnabled(gpu)
        if not gpu:
            self.precision_combo.setCurrentIndex(0)
        self.session.set_device(dev, self.precision_combo.currentText())

    def _on_images_changed(self, images: list[Any], index: int, compare: int) -> None:
        for combo, items, cur in (
            (self.image_combo, [im.name for im in images], index),
            (self.compare_combo, [self.tr("(none)")] + [im.name for im in images], compare + 1),
        ):
            blocker = combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            combo.setCurrentIndex(cur)
            combo.blockSignals(blocker)
        self.schedule()

    # -- images: the opener's, here for the window's menus and drops ----------------------------

    def open_paths(self, paths: list[str]) -> list[str]:
        return self.opener.open_paths(paths)

    def open_sample(self, name: str) -> list[str]:
        return self.opener.open_sample(name)

    def open_dialog(self) -> None:
        self.opener.open_dialog()

    def open_folder_dialog(self) -> None:
        self.opener.open_folder_dialog()

    def paste(self) -> bool:
        return self.opener.paste()

    def _report(self, title: str, errors: list[str]) -> None:
        self.opener.report(title, errors)

    @property
    def last_error_box(self) -> Any:
        return self.opener.last_error_box

    # -- weights --------------------------------------------------------------------------------

    def choose_weights_file(self) -> None:
        """File > Load weights from file: as choosing "from file..." in the toolbar."""
        self._on_weights_chosen(self.weights_combo.findData("file"))

    def _on_weights_chosen(self, i: int) -> None:
        key = self.weights_combo.itemData(i)
        if key == "file":
            path, _ = QFileDialog.getOpenFileName(
                self.dialogs,
                self.tr("Open a checkpoint"),
                str(Path.home()),
                self.tr("Checkpoints ({patterns});;All (*)").format(
                    patterns=" ".join("*" + s for s in CHECKPOINT_SUFFIXES)
                ),
            )
            if not path:
                self._show_weights_choice()
                return
            key = path
        self.request_weights(key)

    def request_weights(self, choice: str) -> None:
        self.session.request_weights(choice)  # unfuses a fused model: weights go to the real one
        an = self.session.analysis
        if an is None or not an.built:
            return  # applied when a model arrives (a stored graph has no model yet)
        self._start_weights(an, choice)

    def _start_weights(self, an: Any, choice: str) -> None:
        from explorer.app.workflows.run import load_weights

        fresh, lock = self._fresh, self.lock
        self._fresh = False
        self._weights_job = (an, choice)
        self.jobs.start(
            "weights",
            lambda: load_weights(an, choice, fresh, lock=lock),
            label=self.tr("loading weights"),
            on_progress=lambda p: self.status(core_words.message(p.message)),
            on_done=self._on_weights_done,
            on_error=self._on_weights_error,
        )

    def _on_weights_done(self, info: Any) -> None:
        if self._weights_job[0] is not self.session.analysis:
            return
        if info.kind == "file":
            self._loaded_file = self._weights_job[1]
        self.session.set_weights(info)
        self._show_weights_choice()
        self.badge_action.setVisible(not info.trained)
        self.status(core_words.message(info.message))
        self.weightsLoaded.emit(info)

    def _on_weights_error(self, exc: BaseException) -> None:
        message = one_line(exc)
        an, choice = self._weights_job
        self.session.weights_failed(choice, exc)
        self._show_weights_choice()
        self._report(self.tr("Weights not loaded"), [message])
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
                self.weights_combo.insertItem(
                    i, self.tr("file: {label}").format(label=info.label), path
                )
                self.weights_combo.setItemData(i, path, Qt.ItemDataRole.ToolTipRole)
            self.weights_combo.setCurrentIndex(i)
        elif key is not None:
            self.weights_combo.setCurrentIndex(self.weights_combo.findData(key))

    # -- model ----------------------------------------------------------------------------------

    def _on_model_changed(self, an: Any) -> None:
        self._fill_devices()
        self._fresh = True
        self.badge_action.setVisible(False)
        self._show_draw_state(an)
        self._models_shown += 1
        if self.session.image is None:
            from explorer.runtime.images import load_sample, sample_names

            self.session.add_images([load_sample(sample_names(an.spec.classes)[0])])
        elif is_digits(an) and self._models_shown > 1:
            # a photo chosen for the network before (not one asked for with this one, as
            # `--model lenet5 --image photo.jpg` does: that one runs, with the warning)
            self._away_from_photo(an)
        elif self._models_shown > 1 and getattr(an.spec, "classes", None) == "imagenet":
            self._away_from_digit(an)
        # a file that cannot be read (gone, never there) is said, and "auto" follows
        self._start_weights(an, self.session.weights_choice)

    # -- digits networks: photos, paper, the draw pad ------------------------------------------

    def _away_from_photo(self, an: Any) -> None:
        """A digits network opened on a photo shows a digit instead, and says so: its answer on
        a photo ("9" at 100 %) would be shown to a room as if it meant something. The photo
        stays in the image list; chosen again, it runs with the warning."""
        from explorer.runtime.digit_input import look

        img = self.session.image
        if img is not None and look(img).photo:
            why = self.tr(
                "{image} looks like a photo and {model} was trained on 8x8 digits, white on black"
            ).format(image=img.name, model=an.spec.name)
            self._show_instead(img, _is_digit, "digits", why)

    def _away_from_digit(self, an: Any) -> None:
        """The reverse: an ImageNet network opened on a digit sample or a drawing (after the
        first launch's resnet56) shows a photo instead, and says so; the digit stays listed."""
        img = self.session.image
        if img is not None and _is_digit(img):
            why = self.tr(
                "{image} is an 8x8 digit and {model} was trained on ImageNet photos"
            ).format(image=img.name, model=an.spec.name)
            self._show_instead(img, lambda im: not _is_digit(im), "imagenet", why)

    def _show_instead(self, img: Any, fits: Any, classes: str, why: str) -> None:
        """Show the first listed image that ``fits`` (else the first sample for ``classes``)
        in place of ``img``, which stays listed, and say ``why``."""
        from explorer.runtime.images import load_sample, sample_names

        other = next((im for im in self.session.images if fits(im)), None) or load_sample(
            sample_names(classes)[0]
        )
        note = self.tr(
            "{why}: showing {other} instead ({image} is still in the image list)"
        ).format(why=why, other=other.name, image=img.name)
        self._notes_once = [note]
        self.session.add_images([other])
        self.status(note)

    def _show_draw_state(self, an: Any) -> None:
        digits = is_digits(an)
        self.act_draw.setEnabled(digits)
        self.act_draw.setToolTip(
            self.tr("Draw a digit with the mouse, a pen or a finger: the panels follow as you draw")
            if digits
            else self.tr(NOT_DIGITS)
        )
        if self.pad is not None:
            name = an.spec.name if an is not None else self.tr("this network")
            self.pad.set_usable(
                digits,
                self.tr("{model} was not trained on digits. {why}.").format(
                    model=name, why=self.tr(NOT_DIGITS)
                ),
            )

    def _on_invert_toggled(self, on: bool) -> None:
        self.invert = bool(on)
        if is_digits(self.session.analysis):
            self.session.invalidate()
            self.schedule()

    def open_draw_pad(self) -> Any:
        """Show the draw pad (made on first use): a dock of the window, beside the graph, or
        a window of its own when the parent is not a main window."""
        from explorer.ui.draw_pad import DrawPad

        if self.pad is None:
            self.pad = DrawPad()
            self.pad.drawn.connect(self._on_drawn)
            # cleared: the empty pad is what the network sees (warned as blank), not the old
            # drawing's answer left standing
            self.pad.cleared.connect(lambda: self._on_drawn(self.pad.canvas.array(), True))
            win = self.dialogs
            if isinstance(win, QMainWindow):
                self.pad_dock = QDockWidget(self.tr("Draw a digit"), win)
                self.pad_dock.setObjectName("draw_pad")
                self.pad_dock.setWidget(self.pad)
                win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.pad_dock)
                beside = win.findChild(QDockWidget, "inspector")
                if beside is not None and not beside.isFloating():
                    win.tabifyDockWidget(beside, self.pad_dock)
            else:
                self.pad.setWindowTitle(self.tr("Draw a digit"))
                self.pad.setWindowFlag(Qt.WindowType.Tool)
            self._show_draw_state(self.session.analysis)
        if self.pad_dock is not None:
            self.pad_dock.show()
            self.pad_dock.raise_()
        else:
            self.pad.show()
            self.pad.raise_()
        return self.pad

    def _on_drawn(self, drawing: Any, cleared: bool = False) -> None:
        if not is_digits(self.session.analysis):
            return
        img = self.opener.put_drawing(drawing, empty_ok=cleared)
        if img is not None and self.pad is not None:
            self.pad.show_digit(img.image)

    def _on_analysis_swapped(self, _an: Any) -> None:
        """Fused or unfused: the same weights, another graph; its plan and chain are new."""
        self.schedule()

    # -- running --------------------------------------------------------------------------------

    def _idle(self) -> bool:
        """No run now: the window is closed, or the model shown is on its way out (another
        one loads; a failed or cancelled load schedules a run again)."""
        return self.jobs.closed or self.session.loading is not None

    def schedule(self) -> None:
        if self._idle():
            return
        if self.session.analysis is not None and self.session.weights_info is not None:
            self._timer.start()

    def start_run(self) -> None:
        s = self.session
        an, img, info = s.analysis, s.image, s.weights_info
        if an is None or img is None or info is None or self._idle():
            return
        try:
            prep = s.preprocessing()
        except ValueError as exc:
            s.run_failed(str(exc), s.run_generation)
            return
        images = [img] + ([s.compare_image] if s.compare_image is not None else [])
        device, precision, feature = s.device, s.precision, s.selected
        categories, deleted, lock = info.categories, sorted(s.deleted), self.lock
        invert = self.invert

        def steps():  # noqa: ANN202 - on the worker thread
            from explorer.app.workflows.run import run_images

            return run_images(
                an,
                images,
                prep,
                device,
                precision,
                categories,
                feature,
                deleted,
                lock=lock,
                invert=invert,
            )

        gen = s.next_run()
        self.jobs.start(
            "run",
            steps,
            label=self.tr("running"),
            on_done=lambda res: self._on_run_done(gen, res),
            on_error=lambda exc: s.run_failed(exc, gen),
        )

    def _on_run_done(self, gen: int, res: Any) -> None:
        if self._notes_once and gen == self.session.run_generation:
            # why the image shown is not the one that was: said with the first answer on it
            res.notes[:0], self._notes_once = self._notes_once, []
        if self.session.set_result(res, gen):
            for n in res.notes:
                self.status(n)
            self.ran.emit(res)

    def cancel(self) -> bool:
        """Drop the running pass's result and a weights load (they stop at their next step);
        True if one ran. The results shown are invalidated either way, so ``cancelled`` is
        always said: else the panels would wait for a run that never comes."""
        was = self.jobs.cancel(("run", "weights"))
        self.session.invalidate()
        self.cancelled.emit()
        return was

    def stop(self) -> None:
        """The window closes: no run starts afterwards."""
        self._timer.stop()
