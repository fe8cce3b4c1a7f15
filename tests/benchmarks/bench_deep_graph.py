"""Thousand-layer networks: graph build, frame time and UI stalls, measured side by side.

Three measurements (issue 19, part 3):

1. ``build``: preact_resnet1001's graph built (fx trace, shapes, blocks) and laid out, every
   block open and every unit drawn (``collapse_repeats=False``), then wrapped into columns as
   the window wraps it; the model is built once outside the timing. Interleaved with resnet152
   (the zoo's reference build), medians and the ratio. Target: resnet1001 under 1 s.
2. ``frame``: one frame of the graph view (1100x800, offscreen) at Fit and zoomed to 1.5x the
   fit, with every block open and every unit drawn, wrapped as in the window; rendered into an
   image after two warm-up frames, median of ``--frames``; resnet1001 and resnet152 alternate.
   Target: resnet1001 at Fit under 16 ms.
3. ``stall``: the real window (1400x900, offscreen) loads a generated residual stack of
   ``--blocks`` pre-activation units (BN, ReLU, 3x3 conv, +: four nodes each, 10,000 nodes for
   2,500 units; a user's model file), then opens every block, fits, zooms in and out. A 5 ms
   timer on the UI thread records the longest gap between its ticks in each step: the UI
   stall. Target: no stall over 100 ms.

    .venv/bin/python tests/benchmarks/bench_deep_graph.py [--repeats 5] [--frames 15]
        [--blocks 2500] [--only build,frame,stall] [--profile] [--json PATH]

Not a test: pytest does not collect it (``bench_`` prefix, ``--ignore=tests/benchmarks``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("CNN_EXPLORER_OFFLINE", "1")
# a stored graph would skip the build this measures
os.environ["CNN_EXPLORER_GRAPH_CACHE"] = "off"

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEEP = "preact_resnet1001"
REFERENCE = "resnet152"
BUILD_TARGET_S = 1.0
FRAME_TARGET_MS = 16.0
STALL_TARGET_MS = 100.0
VIEW = (1100, 800)

STACK_SOURCE = '''
import torch
from torch import nn


class Unit(nn.Module):
    """BN, ReLU, 3x3 conv, added to the input: four graph nodes."""

    def __init__(self, c):
        super().__init__()
        self.bn = nn.BatchNorm2d(c)
        self.relu = nn.ReLU()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        nn.init.zeros_(self.conv.weight)

    def forward(self, x):
        return x + self.conv(self.relu(self.bn(x)))


class Stack(nn.Module):
    def __init__(self, n, c=8):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.units = nn.Sequential(*[Unit(c) for _ in range(n)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.units(self.stem(x)))))


def stack():
    return Stack(BLOCKS)
'''


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="timed builds of each (default 5)")
    p.add_argument("--frames", type=int, default=15, help="frames per median (default 15)")
    p.add_argument("--blocks", type=int, default=2500, help="units of the generated stack")
    p.add_argument("--only", default="build,frame,stall", help="which parts to run")
    p.add_argument("--profile", action="store_true", help="cProfile where the time goes")
    p.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = p.parse_args(argv)
    args.only = {s.strip() for s in args.only.split(",") if s.strip()}
    return args


def _profile(fn: Any, top: int = 25) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


# -- 1. build -------------------------------------------------------------------------------


def build_once(model: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    from explorer.graph.blocks import build_blocks
    from explorer.graph.trace import build_graph
    from explorer.present.layout import compute_layout, expand_all
    from explorer.present.wrap import wrap_layout

    t0 = time.perf_counter()
    mg = build_graph(model, shape)
    t1 = time.perf_counter()
    tree = build_blocks(mg)
    t2 = time.perf_counter()
    lay = compute_layout(tree, expand_all(tree), collapse_repeats=False)
    t3 = time.perf_counter()
    wrapped = wrap_layout(lay, VIEW[0] / VIEW[1], view_px=VIEW)
    t4 = time.perf_counter()
    return {
        "total_s": t4 - t0,
        "build_graph_s": t1 - t0,
        "build_blocks_s": t2 - t1,
        "layout_s": t3 - t2,
        "wrap_s": t4 - t3,
        "nodes": mg.g.number_of_nodes(),
        "blocks": len(tree.blocks),
        "boxes": len(wrapped.boxes),
    }


def bench_build(args: argparse.Namespace) -> dict[str, Any]:
    from explorer.models import registry

    models = {}
    for name in (DEEP, REFERENCE):
        spec = registry.get(name)
        models[name] = (spec.build(), (1, *spec.input_size))
        build_once(*models[name])  # warm-up
    runs: dict[str, list[dict[str, Any]]] = {DEEP: [], REFERENCE: []}
    for _ in range(args.repeats):
        for name, (model, shape) in models.items():
            gc.collect()
            runs[name].append(build_once(model, shape))
    out: dict[str, Any] = {}
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        out[name] = med
        print(
            f"- build {name}: {med['total_s']:.3f} s (trace+shapes {med['build_graph_s']:.3f}, "
            f"blocks {med['build_blocks_s']:.3f}, layout {med['layout_s']:.3f}, wrap "
            f"{med['wrap_s']:.3f}); {med['nodes']:.0f} nodes, {med['blocks']:.0f} blocks, "
            f"{med['boxes']:.0f} boxes; runs " + ", ".join(f"{r['total_s']:.3f}" for r in rs),
            flush=True,
        )
    ratio = out[DEEP]["total_s"] / out[REFERENCE]["total_s"]
    ok = out[DEEP]["total_s"] < BUILD_TARGET_S
    print(
        f"  {DEEP} / {REFERENCE}: {ratio:.2f}x; target ({DEEP} < {BUILD_TARGET_S:g} s): "
        f"{'met' if ok else 'NOT met'}",
        flush=True,
    )
    out["ratio"] = ratio
    out["target_met"] = ok
    if args.profile:
        print(_profile(lambda: build_once(*models[DEEP])))
    return out


# -- 2. frame -------------------------------------------------------------------------------


def _frame_ms(view: Any, frames: int) -> float:
    from PySide6.QtGui import QImage, QPainter

    img = QImage(view.viewport().size(), QImage.Format_ARGB32_Premultiplied)
    times = []
    for i in range(frames + 2):
        painter = QPainter(img)
        t0 = time.perf_counter()
        view.render(painter)
        painter.end()
        if i >= 2:  # the first frames fill the caches
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def bench_frame(args: argparse.Namespace) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.present.layout import compute_layout, expand_all
    from explorer.present.wrap import wrap_layout
    from explorer.ui.graph_view import GraphView

    app = QApplication.instance() or QApplication([])
    views = {}
    for name in (DEEP, REFERENCE):
        an = analyze(registry.get(name))
        lay = compute_layout(an.tree, expand_all(an.tree), collapse_repeats=False)
        view = GraphView()
        view.resize(*VIEW)
        view.show()
        app.processEvents()
        w, h = view.graph_area()
        view.show_layout(wrap_layout(lay, w / h, view_px=(w, h)), an.tree.blocks)
        app.processEvents()
        views[name] = view
    rows: dict[str, dict[str, list[float]]] = {n: {"fit": [], "zoomed": []} for n in views}
    for _ in range(3):  # alternate, so that the machine's noise hits both
        for name, view in views.items():
            view.fit()
            app.processEvents()
            rows[name]["fit"].append(_frame_ms(view, args.frames))
            view.scale(1.5, 1.5)
            app.processEvents()
            rows[name]["zoomed"].append(_frame_ms(view, args.frames))
    out: dict[str, Any] = {}
    for name, r in rows.items():
        view = views[name]
        out[name] = {
            "fit_ms": statistics.median(r["fit"]),
            "zoomed_ms": statistics.median(r["zoomed"]),
            "items": len(view.boxes) + len(view.edges),
        }
        print(
            f"- frame {name}, every block open: at Fit {out[name]['fit_ms']:.1f} ms, zoomed "
            f"1.5x {out[name]['zoomed_ms']:.1f} ms ({out[name]['items']} items)",
            flush=True,
        )
    ok = out[DEEP]["fit_ms"] < FRAME_TARGET_MS
    out["ratio_fit"] = out[DEEP]["fit_ms"] / out[REFERENCE]["fit_ms"]
    out["target_met"] = ok
    print(
        f"  {DEEP} / {REFERENCE} at Fit: {out['ratio_fit']:.2f}x; target (< "
        f"{FRAME_TARGET_MS:g} ms): {'met' if ok else 'NOT met'}",
        flush=True,
    )
    if args.profile:
        views[DEEP].fit()
        app.processEvents()
        print(_profile(lambda: _frame_ms(views[DEEP], 3)))
    for view in views.values():
        view.close()
    return out


# -- 3. stall -------------------------------------------------------------------------------


class Heartbeat:
    """A 5 ms timer on the UI thread; the longest gap between ticks is the longest stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._on_tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _on_tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def stop(self) -> float:
        """The longest stall since start, in ms (the gap up to now counts)."""
        self._on_tick()
        self.timer.stop()
        return 1000 * self.worst


def _pump(app: Any, until: Any, timeout_s: float = 300.0) -> float:
    t0 = time.perf_counter()
    while not until():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - t0 > timeout_s:
            raise SystemExit("bench_deep_graph: timed out waiting for the window")
    return time.perf_counter() - t0


def bench_stall(args: argparse.Namespace) -> dict[str, Any]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from explorer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    tmp = tempfile.mkdtemp(prefix="bench_deep_")
    src = Path(tmp) / "stack.py"
    src.write_text(STACK_SOURCE.replace("BLOCKS", str(args.blocks)))
    win = MainWindow(settings=QSettings(str(Path(tmp) / "s.ini"), QSettings.IniFormat))
    win.resize(1400, 900)
    win.show()
    app.processEvents()
    beat = Heartbeat()
    steps: dict[str, dict[str, float]] = {}
    shown: list[str] = []
    win.graphShown.connect(shown.append)

    def step(label: str, action: Any, done: Any = lambda: True) -> None:
        beat.start()
        t0 = time.perf_counter()
        action()
        _pump(app, done)
        # let the repaints the step queued happen inside the measured step
        for _ in range(5):
            app.processEvents()
        steps[label] = {"elapsed_s": time.perf_counter() - t0, "stall_ms": beat.stop()}
        print(
            f"- {label}: {steps[label]['elapsed_s']:.2f} s, longest UI stall "
            f"{steps[label]['stall_ms']:.0f} ms",
            flush=True,
        )

    model = f"{src}:stack"
    step("load the stack (window's first view)", lambda: win.load_model(model), lambda: shown)
    an = win.session.analysis
    nodes = an.graph.g.number_of_nodes()
    print(f"  {nodes} graph nodes, {len(an.tree.blocks)} blocks", flush=True)
    ctl = win.graph_control
    step("open every block", ctl.expand_all)
    step("fit", win.graph.fit)
    step("zoom in 8x", lambda: win.graph.zoom(8.0))
    step("zoom out", win.graph.fit)
    items = len(win.graph.boxes) + len(win.graph.edges)
    if args.profile:
        print(_profile(lambda: (ctl.default_view(), ctl.expand_all())))
    win.close()
    worst = max(s["stall_ms"] for s in steps.values())
    ok = worst <= STALL_TARGET_MS
    print(
        f"  {items} items drawn; worst stall {worst:.0f} ms; target (<= "
        f"{STALL_TARGET_MS:g} ms): {'met' if ok else 'NOT met'}",
        flush=True,
    )
    return {"nodes": nodes, "items": items, "steps": steps, "worst_ms": worst, "target_met": ok}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    print(f"# thousand-layer graphs ({os.cpu_count()} cpus, load {os.getloadavg()})", flush=True)
    out: dict[str, Any] = {}
    if "build" in args.only:
        out["build"] = bench_build(args)
    if "frame" in args.only:
        out["frame"] = bench_frame(args)
    if "stall" in args.only:
        out["stall"] = bench_stall(args)
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
