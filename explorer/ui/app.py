"""Start the desktop window: shown first, the model loaded in the background."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from explorer.app.argtypes import positive_int


def process_uptime() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere since import)."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        start_ticks = int(fields[19])  # field 22 of stat: start time after boot, in ticks
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH such as 1600x1000, got '{text}'") from None
    if w < 200 or h < 200:
        raise argparse.ArgumentTypeError("the window must be at least 200x200")
    return w, h


def gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cnn-explorer", add_help=False)
    p.add_argument("--model", help="open this model at start")
    p.add_argument("--input-size", type=positive_int, default=None)
    p.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="save a screenshot of the window once the graph is shown, then exit",
    )
    p.add_argument("--select", metavar="QUALNAME", help="select this block (with --screenshot)")
    p.add_argument(
        "--expand",
        metavar="ID",
        action="append",
        default=[],
        help="open this block or repeat group (repeatable)",
    )
    p.add_argument("--colour-by", choices=("kind", "params", "macs"), default="kind")
    p.add_argument("--weights", metavar="W", help="auto, pretrained, random or a checkpoint file")
    p.add_argument(
        "--image",
        metavar="PATH",
        action="append",
        default=[],
        help="open this image, folder or sample:NAME (repeatable; the first is shown)",
    )
    p.add_argument("--compare", metavar="PATH", help="a second image beside the first")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument(
        "--panel",
        choices=("predictions", "feature-maps", "se-weights", "activation-std"),
        help="show this bottom panel (with --screenshot: wait for its figures)",
    )
    p.add_argument(
        "--std-level",
        choices=("layers", "norm", "blocks"),
        help="activation-std panel: every layer, norm outputs or blocks",
    )
    p.add_argument("--overlay", action="store_true", help="feature maps over the input image")
    p.add_argument(
        "--fuse",
        action="store_true",
        help="fuse for deployment once the weights are in (RepVGG branches, else conv-BN); "
        "with --screenshot, the window is saved after the fused graph has run",
    )
    p.add_argument(
        "--curves",
        action="store_true",
        help="show the training curves of the built-in plain and residual networks "
        "(with --screenshot: save that window and exit)",
    )
    p.add_argument(
        "--delete",
        metavar="ID,...",
        help="delete these blocks once the model is shown (with --screenshot: wait for the "
        "accuracy)",
    )
    p.add_argument(
        "--sweep",
        choices=("single", "random", "reorder"),
        help="run this lesion sweep once the model is shown (with --screenshot: wait for it)",
    )
    p.add_argument(
        "--keep",
        metavar="MODEL",
        action="append",
        default=[],
        help="first open MODEL and keep its activation-std curve, then --model (repeatable)",
    )
    p.add_argument(
        "--view",
        choices=("chart", "speed", "density", "kernels"),
        help="show the Compare view at this tab (with --screenshot: once its figures are in)",
    )
    p.add_argument(
        "--x-axis", choices=("gmacs", "params", "speed"), help="the Compare chart's x axis"
    )
    p.add_argument(
        "--measure",
        metavar="MODEL,...",
        help="measure these networks' speed in the Compare view at start (with --device, "
        "--batch, --repeats)",
    )
    p.add_argument("--kernels", action="store_true", help="run the kernel-size experiment at start")
    p.add_argument("--batch", type=positive_int, help="images per pass for --measure / --kernels")
    p.add_argument("--repeats", type=positive_int, help="timed rounds for --measure / --kernels")
    p.add_argument("--size", type=_size, metavar="WxH", help="window size")
    p.add_argument("--timeout", type=float, default=600.0, help=argparse.SUPPRESS)
    return p


def _curves_screenshot(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from explorer.ui.curves_dialog import CurvesDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    dlg = CurvesDialog()
    if args.size:
        dlg.resize(*args.size)
    dlg.show()
    app.processEvents()
    ok = dlg.grab().save(args.screenshot)
    dlg.close()
    if not ok:
        print(f"cnn-explorer: could not write {args.screenshot}", file=sys.stderr)
    return 0 if ok else 1


def run_app(argv: list[str]) -> int:
    args = gui_parser().parse_args(argv)
    if args.curves and args.screenshot and not args.model:
        return _curves_screenshot(args)
    if args.screenshot and not (args.model or args.view or args.measure or args.kernels):
        print("cnn-explorer: --screenshot needs --model or --view", file=sys.stderr)
        return 2
    compare = bool(args.view or args.measure or args.kernels or args.x_axis)
    if args.measure:
        from explorer.models.registry import RegistryError, get, model_names

        for name in [n for n in args.measure.split(",") if n]:
            try:
                get(name)
                if name not in model_names():
                    raise RegistryError(f"'{name}': the Speed tab measures the zoo's networks")
            except RegistryError as exc:
                print(f"cnn-explorer: --measure: {exc}", file=sys.stderr)
                return 2
    if compare and args.device != "auto":
        from explorer.runtime.inference import DeviceError
        from explorer.ui.compare.startup import device_entry

        try:
            device_entry(args.device)
        except DeviceError as exc:
            print(f"cnn-explorer: {exc}", file=sys.stderr)
            return 2
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("cnn-explorer")
    app.setOrganizationName("cnn-explorer")
    settings = None
    if args.screenshot:  # a scripted run neither reads nor changes the user's saved layout
        tmp = tempfile.TemporaryDirectory(prefix="cnn-explorer-")
        settings = QSettings(os.path.join(tmp.name, "settings.ini"), QSettings.IniFormat)
    win = MainWindow(settings=settings)
    if args.size:
        win.resize(*args.size)
    win.show()
    app.processEvents()
    timings = {"window_shown_s": round(process_uptime(), 3)}
    result = {"code": 0}

    panel_titles = {
        "predictions": "Predictions",
        "feature-maps": "Feature maps",
        "se-weights": "SE weights",
        "activation-std": "Activation std",
    }
    if args.panel:
        win.show_panel(panel_titles[args.panel])
    if args.weights:
        win.session.request_weights(args.weights)
    if args.std_level:
        from explorer.runtime.probe_curves import STD_LEVELS

        win.panels["Activation std"].level_combo.setCurrentIndex(  # type: ignore[attr-defined]
            STD_LEVELS.index(args.std_level)
        )
    win.panels["Feature maps"].overlay_box.setChecked(args.overlay)  # type: ignore[attr-defined]
    if args.device != "auto":
        win.session.set_device(args.device)
    refs = list(args.image) + ([args.compare] if args.compare else [])
    for ref in refs:
        if ref.startswith("sample:"):
            win.run.open_sample(ref[7:])
        elif win.run.open_paths([ref]):
            result["code"] = 2
    if args.compare and len(win.session.images) > 1:
        win.session.set_compare(len(win.session.images) - 1)
        win.session.set_image(0)
    wait_run = bool(args.panel or args.image or args.weights)
    to_delete = [b for b in (args.delete or "").split(",") if b]
    if to_delete or args.sweep:
        wait_run = True
        win.show_panel("Sweeps" if args.sweep else "Accuracy")
    keep = list(args.keep)  # models whose std curves are kept before args.model is shown

    nothing_to_fuse = {"then": lambda: None}

    def fuse_when_ready() -> None:
        f = win.fusion
        if f.waiting_for_weights:
            win.run.weightsLoaded.connect(
                lambda _i: QTimer.singleShot(0, fuse_when_ready), Qt.SingleShotConnection
            )
        elif f.offered() is not None and not win.session.fused:
            f.act_deploy.trigger()
        else:
            print(f"cnn-explorer: nothing to fuse in {args.model}", file=sys.stderr)
            result["code"] = 2
            nothing_to_fuse["then"]()

    if args.fuse and not args.screenshot:
        win.graphShown.connect(lambda _n: fuse_when_ready(), Qt.SingleShotConnection)

    if args.screenshot:

        def on_shown(_name: str) -> None:
            if keep:  # a model whose curve is kept first
                return
            for e in args.expand:
                win.session.set_expanded(win.session.expanded | {e})
            if args.select and not win.select_block(args.select):
                print(f"cnn-explorer: no block '{args.select}' in {args.model}", file=sys.stderr)
                result["code"] = 2
            if args.expand and not args.select:
                win.graph.readable_fit()
            app.processEvents()
            timings["graph_shown_s"] = round(process_uptime(), 3)
            if args.fuse:
                fuse_when_ready()
            elif wait_run:
                waiting["on"] = True
            else:
                QTimer.singleShot(100, capture)

        waiting = {"on": False}

        def on_ran(res: object) -> None:
            probes = getattr(res, "probes", None)
            if not waiting["on"] or (
                args.select and getattr(probes, "feature_block", None) != args.select
            ):
                return
            waiting["on"] = False
            timings["run_shown_s"] = round(process_uptime(), 3)
            if to_delete or args.sweep:
                lesion_then_capture()
            else:
                QTimer.singleShot(200, capture)

        win.run.ran.connect(on_ran)

        def on_fused(_out: object) -> None:
            timings["fused_s"] = round(process_uptime(), 3)
            waiting["on"] = True  # the run on the fused model comes next

        def on_fuse_failed(message: str) -> None:
            print(f"cnn-explorer: fusing failed: {message}", file=sys.stderr)
            win.close()
            app.exit(1)

        win.fusion.fused.connect(on_fused)
        win.fusion.failed.connect(on_fuse_failed)
        nothing_to_fuse["then"] = lambda: QTimer.singleShot(100, capture)

        def lesion_then_capture() -> None:
            """Delete the blocks, then capture when the accuracy (or the sweep) is in."""
            for b in to_delete:
                if not win.toggle_deleted(b):
                    print(f"cnn-explorer: {win.status_label.text()}", file=sys.stderr)
                    result["code"] = 2
            if args.sweep:
                win.eval.sweepDone.connect(lambda *_: QTimer.singleShot(200, capture))
                win.eval.start_sweep(args.sweep)
            else:
                win.eval.accuracy.connect(
                    lambda r: r["deleted"] == sorted(to_delete) and QTimer.singleShot(200, capture)
                )
                win.eval.schedule()

        def capture() -> None:
            app.processEvents()
            if not win.grab().save(args.screenshot):
                print(f"cnn-explorer: could not write {args.screenshot}", file=sys.stderr)
                result["code"] = 1
            print(json.dumps(timings), flush=True)
            win.close()
            app.exit(result["code"])

        def on_failed(name: str, message: str) -> None:
            print(f"cnn-explorer: {name}: {message}", file=sys.stderr)
            win.close()
            app.exit(1)

        win.graphShown.connect(on_shown)
        win.modelFailed.connect(on_failed)
        QTimer.singleShot(
            int(args.timeout * 1000),
            lambda: (
                print("cnn-explorer: timed out waiting for the window's work", file=sys.stderr),
                app.exit(1),
            ),
        )
    win.session.set_colour_by(args.colour_by)
    if compare:
        from explorer.ui.compare.startup import start_compare

        start_compare(win, args, capture if args.screenshot and not args.model else None)

    def on_kept_run(_res: object) -> None:
        if keep and win.session.model_name == keep[0]:
            keep.pop(0)
            win.panels["Activation std"].keep()  # type: ignore[attr-defined]
            win.load_model(keep[0] if keep else args.model, args.input_size)

    if keep:
        win.run.ran.connect(on_kept_run)
    first = keep[0] if keep else args.model
    if first:
        QTimer.singleShot(0, lambda: win.load_model(first, args.input_size))
    return int(app.exec())
