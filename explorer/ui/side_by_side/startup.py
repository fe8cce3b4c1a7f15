"""The window's ``--side-by-side A,B[,C]`` at start (with ``--image``: that image through every
pane). With ``--screenshot`` the window is saved once the panes (and the image's run) are in;
networks that cannot be shown, or an image that cannot be opened, end it with one line and
exit status 2."""

from __future__ import annotations

import argparse
from typing import Any

from PySide6.QtCore import Qt, QTimer


def start_side_by_side(win: Any, args: argparse.Namespace, script: Any) -> None:
    view = win.show_side_by_side()

    def fail(message: str) -> None:
        if script is not None:
            script.error(message)

    def capture() -> None:
        if script is not None:
            QTimer.singleShot(300, script.capture)

    def on_shown() -> None:
        if not args.image:
            capture()
            return
        from explorer.runtime.images import ImageError, load_image, load_sample

        ref = args.image[0]
        try:
            image = load_sample(ref[7:]) if ref.startswith("sample:") else load_image(ref)
        except ImageError as exc:
            fail(str(exc))
            return
        view.ran.connect(capture, Qt.SingleShotConnection)
        view.run_image(image)

    view.shown.connect(on_shown, Qt.SingleShotConnection)
    view.failed.connect(fail)
    if args.input_size:
        view.input_size = args.input_size
    QTimer.singleShot(
        0, lambda: view.show_names(list(args.side_by_side), args.side_detail or "blocks")
    )
