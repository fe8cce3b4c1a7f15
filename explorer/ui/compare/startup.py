"""The window's Compare options at start: ``--view``, ``--x-axis``, ``--measure``, ``--kernels``.

With ``--screenshot`` (and no ``--model``) the window is saved once everything asked for is
in: the published figures, the measurement, the kernel-size experiment.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer


def start_compare(win: Any, args: argparse.Namespace, capture: Callable[[], None] | None) -> None:
    """Show the Compare view as ``args`` ask and start its work; ``capture`` when all is in."""
    view = win.show_compare(
        args.view or ("speed" if args.measure else "kernels" if args.kernels else "chart")
    )
    waiting: set[str] = set()

    def done(what: str) -> None:
        waiting.discard(what)
        if not waiting and capture is not None:
            QTimer.singleShot(300, capture)

    if args.x_axis:
        view.chart.x_combo.setCurrentIndex(view.chart.x_combo.findData(args.x_axis))
    if capture is not None:
        waiting.add("chart")
        view.chart.loaded.connect(lambda: done("chart"))
    speed = view.speed
    if args.measure:
        names = [n for n in args.measure.split(",") if n]
        known = {speed.model_list.item(i).text() for i in range(speed.model_list.count())}
        unknown = [n for n in names if n not in known]
        if unknown:
            print(
                f"cnn-explorer: --measure: unknown model(s) {', '.join(unknown)}", file=sys.stderr
            )
        speed.set_checked(names)
        if args.device != "auto":
            speed.device_combo.setCurrentText(args.device)
        if args.batch:
            speed.batch_spin.setValue(args.batch)
        if args.repeats:
            speed.repeats_spin.setValue(args.repeats)
        waiting.add("measure")
        speed.busyChanged.connect(lambda busy: busy or done("measure"))
        speed.start()
    if args.kernels:
        k = view.kernels
        if args.device != "auto":
            k.device_combo.setCurrentText(args.device)
        if args.batch:
            k.batch_spin.setValue(args.batch)
        if args.repeats:
            k.repeats_spin.setValue(args.repeats)
        waiting.add("kernels")
        k.reportReady.connect(lambda _r: done("kernels"))
        if not k.start():
            print(f"cnn-explorer: {k.status.text()}", file=sys.stderr)
            done("kernels")
