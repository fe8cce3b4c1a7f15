"""A scripted window run (``--screenshot``): wait for what the options ask, save the window,
exit.

Whatever goes wrong on the way is one line on stderr, as on the command line
(``cnn-explorer: error: ...``), and the exit status says whose it is: 2 for the user's (a
block that cannot be deleted, a weights file, an image or a device refused), 1 for a bug;
the window is not saved then. A scripted run never waits for ever: after ``--timeout``
seconds it gives up (exit 1), and should the window itself stop answering (its timers no
longer fire) a watchdog thread ends the process a little later.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

from explorer.app.events import Event
from explorer.present.layout import GROUP_SEP, opening
from explorer.ui.status_bar import weights_warnings


def say(kind: str, message: str) -> None:
    """One line on stderr: ``cnn-explorer: error: ...`` or ``cnn-explorer: warning: ...``."""
    print(f"cnn-explorer: {kind}: {message}", file=sys.stderr, flush=True)


def deletions(text: str | None) -> list[str]:
    """The blocks of ``--delete a,b``, each once, in the order given."""
    return list(dict.fromkeys(b.strip() for b in (text or "").split(",") if b.strip()))


def grace(timeout: float) -> float:
    """How long the watchdog lets a window that missed its timeout go on before ending it."""
    return min(60.0, max(5.0, timeout / 10))


class ScriptedRun(QObject):
    """Drives one scripted run of ``win``; its exit status is what ``app.exec()`` returns.

    ``waits_for_run``: the options ask for a run's figures (an image, weights, a device, a
    panel); deletions and sweeps are waited for after that run. What the run waits for is
    what may end it: a failed weights load, run, evaluation or fusion ends it only when it
    waits for one (else it is saved as it is, as the window shows it).
    """

    def __init__(
        self,
        app: Any,
        win: Any,
        args: argparse.Namespace,
        timings: dict[str, float],
        first_launch: bool = False,
    ) -> None:
        super().__init__()
        self.app, self.win, self.args, self.timings = app, win, args, timings
        # the first launch is saved once its panels are filled (panels_filled_s)
        self.first_launch = first_launch
        self.code = 0  # a mistake that still lets the window be saved (--select) makes it 2
        self.done = False
        self.to_delete = deletions(args.delete)
        self.waits_for_run = bool(
            first_launch
            or args.panel
            or args.image
            or args.compare
            or args.weights
            or args.device != "auto"
            or self.to_delete
            or args.sweep
            or getattr(args, "draw_pad", False)
            or getattr(args, "field_compare", None)
            or getattr(args, "landscape", None)
        )
        self.fatal = {"model"}
        if self.waits_for_run or args.fuse:
            self.fatal |= {"weights", "run"}
        if self.to_delete or args.sweep:
            self.fatal |= {"accuracy", "sweep"}
        if args.fuse:
            self.fatal.add("fusion")
        self.waiting = False  # for the run that shows what was asked
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._watchdog: threading.Timer | None = None

    # -- starting and ending -------------------------------------------------------------------

    def start(self) -> None:
        win = self.win
        win.session.connect(Event.FAILED, self._on_failed)
        win.run.ran.connect(self._on_ran)
        win.run.weightsLoaded.connect(self._on_weights)
        win.fusion.fused.connect(self._on_fused)
        if getattr(self.args, "screenshot_at", None) is not None:  # mid-merge
            ms = round(self.args.screenshot_at * 1000)
            win.fusion.mergeStarted.connect(lambda _b: QTimer.singleShot(ms, self.capture))
        self._timer.start(int(self.args.timeout * 1000))
        limit = self.args.timeout + grace(self.args.timeout)
        self._watchdog = threading.Timer(limit, self._stuck, args=(limit,))
        self._watchdog.daemon = True
        self._watchdog.start()

    def close(self) -> None:
        """The run is over (``app.exec()`` returned): the watchdog stands down."""
        self._timer.stop()
        if self._watchdog is not None:
            self._watchdog.cancel()

    def error(self, message: str, code: int = 2) -> None:
        """End the run with ``message``: nothing is saved."""
        if self.done:
            return
        say("error", message)
        self._end(code, save=False)

    def capture(self) -> None:
        """Save the window and end the run (with a mistake said before, its status 2)."""
        if not self.done:
            self._end(self.code, save=True)

    def _end(self, code: int, save: bool) -> None:
        self.done = True
        self._timer.stop()
        # after the handler that ended it has returned: the window closes outside it
        QTimer.singleShot(0, lambda: self._finish(code, save))

    def _finish(self, code: int, save: bool) -> None:
        win = self.win
        if save:
            self.app.processEvents()
            from explorer.ui.export import save_widget

            try:
                save_widget(win, self.args.screenshot)
            except OSError as exc:
                say("error", f"cannot write {self.args.screenshot}: {exc.strerror or exc}")
                code = 2
            print(json.dumps(self.timings, allow_nan=False), flush=True)
        win.close()
        self.app.exit(code)

    def _on_timeout(self) -> None:
        if self.done:
            return
        self.done = True
        say("error", f"gave up after {self.args.timeout:g} s waiting for the window "
                     "(--timeout SECONDS gives it longer)")  # fmt: skip
        # the work still running is told to stop, and given a few seconds to reach its next
        # yield: a process that ends during a backward pass (the paths' sampling) is aborted
        # by the C++ runtime of torch's autograd threads (a crash, not exit 1)
        win = self.win
        win.session.cancel_request()
        win.run.stop()
        win.jobs.cancel()
        win.hide()
        win.jobs.wait(5.0)
        self.app.exit(1)

    def _stuck(self, after: float) -> None:
        """On the watchdog's thread: the window missed its own timeout (its thread is busy
        or blocked), so the process ends here."""
        say("error", f"the window stopped answering; gave up after {after:g} s")
        os._exit(1)

    # -- what the window says --------------------------------------------------------------------

    def _on_failed(self, what: str, message: str, user: bool) -> None:
        if what in self.fatal:
            self.error(message, 2 if user else 1)

    def _on_weights(self, info: Any) -> None:
        for w in weights_warnings(info):
            say("warning", w)

    def graph_shown(self, keep_pending: bool) -> None:
        """The model's graph is on screen: open, select, then wait for what is asked."""
        if keep_pending or self.done:
            return  # a model whose curve is kept first
        args, win = self.args, self.win
        an = win.session.analysis
        for e in args.expand:
            if an is not None and e.partition(GROUP_SEP)[0] not in an.tree.blocks:
                self.error(f"--expand: no block '{e}' in {args.model}")
                return
            more = opening(an.tree, e) if an is not None else {e}
            win.session.set_expanded(win.session.expanded | more)
        at = getattr(args, "screenshot_at", None)
        if at is not None and an is not None and not an.tree.count("repvgg"):
            self.error(f"--screenshot-at: {args.model} has no RepVGG block to merge step by step")
            return
        if args.panel == "highway" and an is not None and not an.tree.count("highway"):
            self.error(f"--panel highway: {args.model} has no highway blocks")
            return
        if args.panel == "paths" and not win.panels["Paths"].applies(an):
            self.error(f"--panel paths: {args.model} has no residual blocks")
            return
        if args.select and not win.select_block(args.select):
            say("error", f"no block '{args.select}' in {args.model}")
            self.code = 2
            args.select = None  # the run that shows the window is not waited on for it
        if args.expand and not args.select:
            win.graph.readable_fit()
        self.app.processEvents()
        self.timings["graph_shown_s"] = _uptime()
        if getattr(args, "draw_pad", False):
            from explorer.ui.draw_pad import draw_strokes

            if not win.run.act_draw.isEnabled():
                self.error(f"--draw-pad: {args.model} was not trained on digits")
                return
            win.run.open_draw_pad()
            draw_strokes(win.run.pad)  # the run that shows it is the drawing's
        if args.fuse:
            self.fuse_when_ready()
        elif self.waits_for_run:
            self.waiting = True
        else:
            QTimer.singleShot(100, self.capture)

    def _on_ran(self, res: Any) -> None:
        probes = getattr(res, "probes", None)
        image = self.win.session.image
        if getattr(self.args, "draw_pad", False) and (image is None or image.source != "draw:pad"):
            return  # the sample's run, before the drawing's
        if not self.waiting or (
            self.args.select and getattr(probes, "feature_block", None) != self.args.select
        ):
            return
        self.waiting = False
        self.timings["run_shown_s"] = _uptime()
        for note in getattr(res, "notes", ()):
            print(f"cnn-explorer: {note}", file=sys.stderr)
        if self.to_delete or self.args.sweep:
            self._lesion_then_capture()
        elif getattr(self.args, "field_compare", None):
            self._compare_fields_then_capture()
        elif getattr(self.args, "landscape", None):
            if self._open_landscapes():
                QTimer.singleShot(300, self.capture)
        elif self.args.panel == "paths":
            self._paths_then_capture()
        elif self.first_launch:  # saved once the run's figures are drawn in its panels
            if not self.win.panels_filled():
                self.error("the run's figures did not reach the panels", 1)
                return
            self.app.processEvents()
            self.timings["panels_filled_s"] = _uptime()
            QTimer.singleShot(200, self.capture)
        else:
            QTimer.singleShot(200, self.capture)

    def _open_landscapes(self) -> bool:
        """``--landscape FILE[,FILE]``: the saved landscapes shown (``--landscape-3d``: as
        surfaces); a file of another kind ends the run with its one line."""
        panel = self.win.panels["Landscape"]
        self.win.show_panel("Landscape")
        if getattr(self.args, "landscape_3d", False):
            if not panel.surface.isEnabled():
                self.error(f"--landscape-3d: {panel.surface.toolTip()}")
                return False
            panel.surface.setChecked(True)
        files = [f.strip() for f in self.args.landscape.split(",") if f.strip()]
        try:
            panel.open_files(files)
        except Exception as exc:  # noqa: BLE001 - a user's file: one line, exit 2
            from explorer.errors import one_line

            self.error(f"--landscape: {one_line(exc)}")
            return False
        return True

    def _paths_then_capture(self) -> None:
        """``--panel paths``: the paths sampled with the tab's settings, then the window
        saved once the curves are drawn."""
        panel = self.win.panels["Paths"]
        panel.finished.connect(
            lambda: QTimer.singleShot(200, self.capture), Qt.SingleShotConnection
        )
        panel.failed.connect(lambda m: self.error(f"--panel paths: {m}"))
        versus = getattr(self.args, "paths_versus", None)
        if versus:
            names = [panel.versus.itemText(i) for i in range(panel.versus.count())]
            if versus not in names:
                self.error(
                    f"--paths-versus: {versus} does not read {self.args.model}'s input with "
                    "its classes, or has no residual blocks"
                )
                return
            panel.versus.setCurrentText(versus)
        if not panel.compute() and not self.done:
            self.error(f"--panel paths: {panel.status.text()}")

    def _compare_fields_then_capture(self) -> None:
        """``--field-compare``: the effective fields compared, then the window saved."""
        panel = self.win.panels["Receptive field"]
        panel.compared.connect(
            lambda _r: QTimer.singleShot(200, self.capture), Qt.SingleShotConnection
        )
        panel.compareFailed.connect(lambda m: self.error(f"--field-compare: {m}"))
        if not panel.compare(list(self.args.field_compare), over_image=False):
            self.error(f"--field-compare: {self.args.model} shows no field to compare")

    # -- fusing -----------------------------------------------------------------------------------

    def fuse_when_ready(self) -> None:
        fuse_when_ready(self.win, self._nothing_to_fuse)

    def _nothing_to_fuse(self) -> None:
        say("error", f"nothing to fuse in {self.args.model}")
        self.code = 2
        QTimer.singleShot(100, self.capture)  # the model is saved as it is

    def _on_fused(self, _out: Any) -> None:
        self.timings["fused_s"] = _uptime()
        self.waiting = True  # the run on the fused model comes next

    # -- deleting blocks and sweeps ---------------------------------------------------------------

    def _lesion_then_capture(self) -> None:
        """Delete the blocks, then capture when the accuracy (or the sweep) is in."""
        win = self.win
        for b in self.to_delete:  # all checked first: a refused one deletes none
            why = win.deletion_problem(b)
            if why is not None:
                self.error(why)
                return
        for b in self.to_delete:
            win.toggle_deleted(b)
        if self.args.sweep:
            win.eval.sweepDone.connect(lambda *_: QTimer.singleShot(200, self.capture))
            win.eval.start_sweep(self.args.sweep)
        else:
            want = sorted(self.to_delete)
            win.eval.accuracy.connect(
                lambda r: r["deleted"] == want and QTimer.singleShot(200, self.capture)
            )
            win.eval.schedule()


def fuse_when_ready(win: Any, nothing: Callable[[], None]) -> None:
    """Fuse ``win``'s model for deployment once its weights are in (RepVGG branches, else
    conv-BN); ``nothing()`` when there is nothing to fuse."""
    f = win.fusion
    if f.waiting_for_weights:
        win.run.weightsLoaded.connect(
            lambda _i: QTimer.singleShot(0, lambda: fuse_when_ready(win, nothing)),
            Qt.SingleShotConnection,
        )
    elif f.offered() is not None and not win.session.fused:
        f.act_deploy.trigger()
    else:
        nothing()


def _uptime() -> float:
    from explorer.ui.app import process_uptime

    return round(process_uptime(), 3)
