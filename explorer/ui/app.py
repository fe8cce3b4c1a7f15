"""Start the desktop window: shown first, the model loaded in the background."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from explorer.app.argtypes import SIDE_MAX, OneLineParser, positive_int, wxh


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
#: the languages of the window (explorer.ui.i18n.LANGUAGES, named here without importing Qt)
WINDOW_LANGUAGES = ("en", "ru")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = wxh(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH such as 1600x1000, got '{text}'") from None
    if w < 200 or h < 200:
        raise argparse.ArgumentTypeError("the window must be at least 200x200")
    if w > SIDE_MAX or h > SIDE_MAX:
        raise argparse.ArgumentTypeError(f"the window must be at most 8192x8192, got {w}x{h}")
    return w, h


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got '{text}'")
    return v


def gui_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="cnn-explorer",
        description="The desktop window (options only; a command runs headless: "
        "cnn-explorer --help lists the commands).",
    )
    p.add_argument(
        "--model", help="open this model at start (none: resnet56 with a digit, and a hint)"
    )
    p.add_argument("--input-size", type=positive_int, default=None)
    p.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="save a screenshot of the window once the graph is shown, then exit (alone: "
        "the first launch, saved once its panels are filled)",
    )
    p.add_argument(
        "--presentation",
        action="store_true",
        help="presentation mode: larger fonts and strokes, high contrast, the model list "
        "hidden (F5 in the window)",
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
    p.add_argument(
        "--weights", metavar="W", help="auto, bundled, pretrained, random or a checkpoint file"
    )
    p.add_argument(
        "--image",
        metavar="PATH",
        action="append",
        default=[],
        help="open this image, folder or sample:NAME (repeatable: the first is image A, "
        "the second image B, run beside it)",
    )
    p.add_argument("--compare", metavar="PATH", help="image B, beside the first --image")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument(
        "--panel",
        choices=(
            "predictions",
            "feature-maps",
            "se-weights",
            "highway",
            "activation-std",
            "receptive-field",
            "landscape",
            "paths",
        ),
        help="show this bottom panel (with --screenshot: wait for its figures; paths: "
        "sampled with the tab's settings, then saved)",
    )
    p.add_argument(
        "--paths-versus",
        metavar="MODEL",
        help="paths panel: sample MODEL too and draw it on the same axes (e.g. resnet20 "
        "beside resnet56)",
    )
    p.add_argument(
        "--landscape",
        metavar="FILE[,FILE]",
        help="landscape panel: show one or two landscapes saved with "
        "'cnn-explorer landscape ... --json > FILE' (side by side, one colour scale)",
    )
    p.add_argument(
        "--landscape-3d", action="store_true", help="landscape panel: as surfaces (OpenGL)"
    )
    p.add_argument(
        "--field-compare",
        metavar="WHAT[,WHAT]",
        help="receptive-field panel: compare the effective field of the selected block's "
        "centre value with random weights (random) and/or another network (e.g. plain56), "
        "over up to 16 of its evaluation images (with --screenshot: wait for it)",
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
        "--screenshot-at",
        type=_seconds,
        metavar="SECONDS",
        help="with --fuse and --screenshot: save the window this long into the RepVGG merge "
        "animation (it lasts 1.8 s), e.g. 0.8",
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
        "--ray",
        metavar="ADDRESS",
        help="landscapes and sweeps on Ray: local (a Ray instance on this machine) or a "
        "cluster's address (auto, ray://HOST:10001, HOST:6379), for this start (Model > "
        "Evaluate on keeps a choice)",
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
        "--recipe",
        choices=("original", "best"),
        help="the Compare chart's recipe: each network's original (default) or the best "
        "available weights, with an arrow from the original",
    )
    p.add_argument(
        "--side-by-side",
        metavar="A,B[,C]",
        help="show two or three networks side by side, aligned by stage (NAME+fused: a "
        "RepVGG network's deploy form), or a preset: fig3 (vgg19, plain34, resnet34), cifar "
        "(plain56, resnet56), se (resnet50, seresnet50), repvgg (repvgg_a0 trained and "
        "fused), inception (googlenet, inception_v3); with --image, that image runs through "
        "every pane",
    )
    p.add_argument(
        "--side-detail",
        choices=("blocks", "layers"),
        help="side by side: each block one box (default) or every block open",
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
    p.add_argument(
        "--lang",
        choices=WINDOW_LANGUAGES,
        help="the window's language (default: as chosen in View > Language, else the "
        "system's); the command line stays in English",
    )
    p.add_argument(
        "--draw-pad",
        action="store_true",
        help="open the draw pad of a digits network and draw a 3 on it (with --screenshot)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace the --screenshot FILE if it exists"
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="with --screenshot: give up (exit 1) after this long (default 600)",
    )
    return p


def _curves_screenshot(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from explorer.ui import i18n
    from explorer.ui.curves_dialog import CurvesDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    i18n.install(app, i18n.choose_language(args.lang, None))
    dlg = CurvesDialog()
    if args.size:
        dlg.resize(*args.size)
    dlg.show()
    app.processEvents()
    from explorer.ui.export import save_widget

    try:
        save_widget(dlg, args.screenshot)
    except OSError as exc:
        dlg.close()
        return _error(f"cannot write {args.screenshot}: {exc.strerror or exc}")
    dlg.close()
    return 0


def _field_compare_problem(text: str) -> str | None:
    """What is wrong with ``--field-compare`` (random and/or networks' names), or None."""
    from explorer.app.workflows.field import RANDOM
    from explorer.models.registry import RegistryError, get

    what = [w.strip() for w in text.split(",") if w.strip()]
    if not what:
        return "give random and/or a network's name, e.g. random,plain56"
    for w in what:
        if w != RANDOM:
            try:
                get(w)
            except RegistryError as exc:
                return str(exc)
    return None


def _error(message: str) -> int:
    """A mistake found before the window opens: the command line's line, exit 2."""
    print(f"cnn-explorer: error: {message}", file=sys.stderr)
    return 2


def is_first_launch(args: argparse.Namespace) -> bool:
    """No model and no Compare view asked for: the window shows the lecture's central network
    (resnet56 with a digit, its panels filled) and a hint of what to try."""
    compare = bool(args.view or args.measure or args.kernels or args.x_axis or args.recipe)
    return not (args.model or args.keep or compare or args.curves or args.side_by_side is not None)


def run_app(argv: list[str]) -> int:
    args = gui_parser().parse_args(argv)
    if args.screenshot:  # before any work: a place that cannot take it, or a file not to lose
        from explorer.files import FileError
        from explorer.ui.export import check_image_output

        try:
            check_image_output(args.screenshot, force=args.force)
        except FileError as exc:
            return _error(str(exc))
    if args.curves and args.screenshot and not args.model:
        return _curves_screenshot(args)
    if args.screenshot_at is not None:
        from explorer.present.fusion_steps import TOTAL_MS

        if not (args.fuse and args.screenshot):
            return _error("--screenshot-at needs --fuse and --screenshot")
        if args.screenshot_at > TOTAL_MS / 1000:
            return _error(f"--screenshot-at: at most {TOTAL_MS / 1000:g} s (the merge's length)")
    compare = bool(args.view or args.measure or args.kernels or args.x_axis or args.recipe)
    first_launch = is_first_launch(args)
    if first_launch:
        from explorer.ui.first_launch import DEFAULT_MODEL

        args.model = DEFAULT_MODEL
    if args.side_detail and args.side_by_side is None:
        return _error("--side-detail is for --side-by-side")
    if args.side_by_side is not None:
        from explorer.app.workflows.side_by_side import PanesError, parse_panes

        try:
            args.side_by_side = parse_panes(args.side_by_side)
        except PanesError as exc:
            return _error(f"--side-by-side: {exc}")
        if args.model or compare:
            return _error("--side-by-side shows its own networks: leave out --model and the "
                          "Compare view's options")  # fmt: skip
    if args.measure:
        from explorer.models.registry import RegistryError, get, model_names

        for name in [n for n in args.measure.split(",") if n]:
            try:
                get(name)
                if name not in model_names():
                    raise RegistryError(f"'{name}': the Speed tab measures the zoo's networks")
            except RegistryError as exc:
                return _error(f"--measure: {exc}")
    if args.field_compare is not None:
        problem = _field_compare_problem(args.field_compare)
        if problem:
            return _error(f"--field-compare: {problem}")
        args.field_compare = [w.strip() for w in args.field_compare.split(",") if w.strip()]
    if args.ray is not None:  # as the command line does: a bad address or no Ray, one line
        from explorer.runtime.executor import ExecutorError, check_request

        try:
            args.ray = check_request(args.ray, None)
        except ExecutorError as exc:
            return _error(str(exc))
    if args.device != "auto":  # as the command line does: a device that is not here is refused
        from explorer.runtime.inference import DeviceError, resolve_device

        try:
            resolve_device(args.device)
        except DeviceError as exc:
            return _error(str(exc))
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.ui.main_window import MainWindow
    from explorer.ui.script import ScriptedRun, fuse_when_ready, say

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("cnn-explorer")
    app.setOrganizationName("cnn-explorer")
    settings = None
    if args.screenshot:  # a scripted run neither reads nor changes the user's saved layout
        tmp = tempfile.TemporaryDirectory(prefix="cnn-explorer-")
        settings = QSettings(os.path.join(tmp.name, "settings.ini"), QSettings.IniFormat)
    from explorer.ui import i18n

    i18n.install(app, i18n.choose_language(args.lang, settings or MainWindow.user_settings()))
    win = MainWindow(settings=settings)
    if args.size:
        win.resize(*args.size)
        win.size_panels()
    if first_launch:
        win.show_hint()
    if args.presentation:
        win.set_presentation(True)
    win.show()
    app.processEvents()
    timings: dict[str, object] = {"window_shown_s": round(process_uptime(), 3)}
    # whether torch was loaded before the window showed (else the model's load pays for it)
    timings["torch_before_window"] = "torch" in sys.modules
    script = ScriptedRun(app, win, args, timings, first_launch) if args.screenshot else None
    if script is not None and args.side_by_side:
        script.waits_for_run = False  # the side-by-side view runs its image itself
    quit_on_close = app.quitOnLastWindowClosed()
    if script is not None:
        # the script says when it ends (and with what status); closing its window must not
        # also post a quit that a later event loop of this process would meet
        app.setQuitOnLastWindowClosed(False)
        script.start()

    panel_titles = {
        "predictions": "Predictions",
        "feature-maps": "Feature maps",
        "se-weights": "SE weights",
        "highway": "Highway gates",
        "activation-std": "Activation std",
        "receptive-field": "Receptive field",
        "landscape": "Landscape",
        "paths": "Paths",
    }
    if args.panel:
        win.show_panel(panel_titles[args.panel])
    if args.panel == "landscape" or args.landscape:
        win.show_panel("Landscape")
        win.resizeDocks([win.tabs.parentWidget()], [win.height() * 58 // 100], Qt.Vertical)
    if args.panel == "paths":  # the curves and the unraveled view need the height
        win.resizeDocks([win.tabs.parentWidget()], [win.height() * 52 // 100], Qt.Vertical)
    if args.field_compare:
        win.show_panel("Receptive field")
        # the compared maps need the height: the panels take more of it
        win.resizeDocks([win.tabs.parentWidget()], [win.height() * 56 // 100], Qt.Vertical)
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
    if args.ray is not None:
        win.session.set_executor(args.ray)
    if args.side_by_side:
        from explorer.ui.side_by_side.startup import start_side_by_side

        start_side_by_side(win, args, script)
    else:
        _open_images(win, args, script)
    if script is not None and (script.to_delete or args.sweep):
        win.show_panel("Sweeps" if args.sweep else "Accuracy")
    keep = list(args.keep)  # models whose std curves are kept before args.model is shown

    if args.fuse and script is None:
        win.graphShown.connect(
            lambda _n: fuse_when_ready(
                win, lambda: say("error", f"nothing to fuse in {args.model}")
            ),
            Qt.SingleShotConnection,
        )
    if script is not None:
        win.graphShown.connect(lambda _n: script.graph_shown(keep_pending=bool(keep)))

        def on_drawn(_name: str, stored: bool) -> None:
            if "graph_drawn_s" not in timings:  # the first graph on screen: painted now
                win.graph.viewport().repaint()
                timings["graph_drawn_s"] = round(process_uptime(), 3)
                timings["graph_stored"] = stored
                timings["torch_at_graph_drawn"] = "torch" in sys.modules

        win.graphDrawn.connect(on_drawn)
    win.session.set_colour_by(args.colour_by)
    if compare:
        from explorer.ui.compare.startup import start_compare

        start_compare(win, args, script.capture if script and not args.model else None)

    def on_kept_run(_res: object) -> None:
        if keep and win.session.model_name == keep[0]:
            keep.pop(0)
            win.panels["Activation std"].keep()  # type: ignore[attr-defined]
            win.load_model(keep[0] if keep else args.model, args.input_size)

    if keep:
        win.run.ran.connect(on_kept_run)
    first = keep[0] if keep else args.model
    if first and not (script is not None and script.done):
        QTimer.singleShot(0, lambda: win.load_model(first, args.input_size))
    try:
        return int(app.exec())
    finally:
        if script is not None:
            script.close()
            app.setQuitOnLastWindowClosed(quit_on_close)


def _open_images(win: object, args: argparse.Namespace, script: object) -> None:
    """``--image`` (repeatable) and ``--compare``: the first is image A; the second (or the
    ``--compare`` one) image B, run beside it as the toolbar's compare box does. In a
    scripted run an image that cannot be opened ends it, with the command line's line."""
    session, run = win.session, win.run  # type: ignore[attr-defined]
    firsts: list[int] = []  # the index of the first image each reference opened
    errors: list[str] = []
    for ref in [*args.image, *([args.compare] if args.compare else [])]:
        bad = run.open_sample(ref[7:]) if ref.startswith("sample:") else run.open_paths([ref])
        if bad:
            errors += bad
        elif session.image_index >= 0:
            firsts.append(session.image_index)
    if errors and script is not None:
        script.error("; ".join(errors))  # type: ignore[attr-defined]
        return
    if not firsts:
        return
    a = firsts[0]
    b = firsts[-1] if args.compare else (firsts[1] if len(firsts) > 1 else -1)
    if b >= 0 and b != a:
        session.set_compare(b)
    session.set_image(a)
