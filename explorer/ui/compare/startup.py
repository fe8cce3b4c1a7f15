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

    work: list[Callable[[], None]] = []

    def done(what: str) -> None:
        waiting.discard(what)
        if what != "chart" and work:  # one timing at a time: the next one starts now
            work.pop(0)()
        if not waiting and capture is not None:
            QTimer.singleShot(300, capture)

    if args.x_axis:
        view.chart.x_combo.setCurrentIndex(view.chart.x_combo.findData(args.x_axis))
    if getattr(args, "recipe", None):
        view.chart.set_recipe(args.recipe)
    if capture is not None:
        waiting.add("chart")
        view.chart.loaded.connect(lambda: done("chart"))
        view.chart.loadFailed.connect(lambda _m: done("chart"))
    speed = view.speed
    if args.device != "auto":  # the device must be offered before it can be chosen
        from explorer.runtime.inference import available_devices

        view.set_devices(available_devices())
    if args.measure:
        speed.set_checked([n for n in args.measure.split(",") if n])  # the app checked them
        _settings(speed, args)
        waiting.add("measure")
        speed.busyChanged.connect(lambda busy: busy or done("measure"))

        def start_speed() -> None:
            if not speed.start():
                print(f"cnn-explorer: {speed.said}", file=sys.stderr)
                done("measure")

        work.append(start_speed)
    if args.kernels:
        k = view.kernels
        _settings(k, args)
        waiting.add("kernels")
        k.ended.connect(lambda _text: done("kernels"))

        def start_kernels() -> None:
            if not k.start():
                print(f"cnn-explorer: {k.status.text()}", file=sys.stderr)
                done("kernels")

        work.append(start_kernels)

    def begin(*_args: Any) -> None:
        # timings start once the chart's figures are read: that import would slow them
        if work:
            work.pop(0)()

    if view.chart.figures:
        begin()
    else:
        view.chart.loaded.connect(begin)
        view.chart.loadFailed.connect(begin)


def _settings(tab: Any, args: argparse.Namespace) -> None:
    """The device, batch and rounds of a timing tab, as the command line asks."""
    if args.device != "auto":
        tab.device_combo.setCurrentText(device_entry(args.device))
    if args.batch:
        tab.batch_spin.setValue(args.batch)
    if args.repeats:
        tab.repeats_spin.setValue(args.repeats)


def device_entry(name: str) -> str:
    """The device combo's entry for ``name`` (``cuda`` is ``cuda:0``); DeviceError if absent."""
    from explorer.runtime.inference import resolve_device

    dev = resolve_device(name)
    return f"cuda:{dev.index or 0}" if dev.type == "cuda" else dev.type
