"""Opening images: files, folders, samples, the clipboard, drops; checkpoints passed on.

Unusable files are reported in one message box (non-modal) and the status line; the images
that open are added to the session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from explorer.app.session import Session
from explorer.ui.i18n import translate

CHECKPOINT_SUFFIXES = (".pth", ".pt", ".bin", ".safetensors", ".th", ".ckpt")


def is_checkpoint(path: str) -> bool:
    return Path(path).suffix.lower() in CHECKPOINT_SUFFIXES


class ImageOpener:
    """Opens images into the session; a checkpoint among the paths goes to ``on_checkpoint``."""

    def __init__(
        self,
        session: Session,
        status: Callable[[str], None],
        dialogs: QWidget | None,
        on_checkpoint: Callable[[str], None],
    ) -> None:
        self.session = session
        self.status = status
        self.dialogs = dialogs
        self.on_checkpoint = on_checkpoint
        self.last_error_box: Any = None
        self._pastes = 0

    def report(self, title: str, errors: list[str]) -> None:
        if not errors:
            return
        self.status(
            errors[0]
            if len(errors) == 1
            else translate("ImageOpener", "{n} problems").format(n=len(errors))
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            "\n".join(errors[:20]),
            QMessageBox.StandardButton.Ok,
            self.dialogs,
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
                self.on_checkpoint(p)
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
        self.report(translate("ImageOpener", "Could not open"), errors)
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

    def open_sample(self, name: str) -> list[str]:
        """Open a sample image by name; returns the errors met (an unknown name)."""
        from explorer.runtime.images import ImageError, load_sample

        try:
            self.session.add_images([load_sample(name)])
        except ImageError as exc:
            self.report(translate("ImageOpener", "Could not open"), [str(exc)])
            return [str(exc)]
        return []

    def put_drawing(self, drawing: Any, empty_ok: bool = False) -> Any:
        """A drawing of the draw pad (white on black) as the current image, in place of the
        last one: made into an 8x8 digit as the data set was. Returns the image, or None
        for an empty drawing (unless ``empty_ok``: the pad was cleared)."""
        from explorer.runtime.digit_input import drawn_image

        if not drawing.any() and not empty_ok:
            return None
        img = drawn_image(drawing)
        self.session.put_image(img)
        return img

    def open_dialog(self) -> None:
        from explorer.runtime.images import SUPPORTED_SUFFIXES

        pattern = " ".join("*" + s for s in SUPPORTED_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(
            self.dialogs,
            translate("ImageOpener", "Open images"),
            str(Path.home()),
            translate("ImageOpener", "Images ({pattern});;All files (*)").format(pattern=pattern),
        )
        if paths:
            self.open_paths(paths)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.dialogs, translate("ImageOpener", "Open a folder of images")
        )
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
                name = (
                    translate("ImageOpener", "pasted image")
                    if n <= 1
                    else translate("ImageOpener", "pasted image {n}").format(n=n)
                )
                self.session.add_images([from_array(arr, name, source)])
            except ImageError as exc:
                self.report(translate("ImageOpener", "Could not paste"), [str(exc)])
            return True
        text = cb.text().strip()
        if text and Path(text).exists():
            self.open_paths([text])
            return True
        self.status(translate("ImageOpener", "The clipboard holds no image"))
        return False


def qimage_to_array(img: QImage) -> Any:
    import numpy as np

    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()
