"""Window start-up and paint times, measured side by side in one run.

For each model:
- ``window_shown_s`` and ``graph_shown_s``: seconds from process start, as printed by
  ``cnn-explorer --model M --screenshot F`` (a real window, offscreen platform);
- the baseline for the graph: a fresh process that imports torch, torchvision and timm and
  builds the same graph (trace + shapes + blocks + layout), timed from its own start;
- paint time of one frame of the graph view at fit-to-view and zoomed in (1.5x), in process.

Targets: window shown <= 1 s; graph shown <= 1.5x the baseline; one frame <= 16 ms.
Runs alternate between the window and the baseline so that machine noise hits both.

The first launch (``cnn-explorer --screenshot F`` alone, at 1280x720): ``window_shown_s`` and
``panels_filled_s`` (resnet56 with a digit, its Predictions, Feature maps and Activation std
panels drawn with the run's figures), and the difference; target: panels filled <= 2 s after
the window is shown. ``torch_before_window`` says whether torch was already imported when the
window showed (then the model's load did not pay for it).

A start from the analysis cache (``--stored``): the window with a cache folder of its own,
filled by one first start; then, interleaved, a second start (``graph_drawn_s``: the stored
graph on screen, painted, from process start), a start without the cache (the traced graph
drawn) and a bare ``import torch, torchvision, timm`` (timed around the import). Target: the
stored graph on screen in under half the bare import's time.

    .venv/bin/python tests/benchmarks/bench_window.py [--repeats 3] [--models a,b] [--json F]
    .venv/bin/python tests/benchmarks/bench_window.py --first-launch [--repeats 5]
    .venv/bin/python tests/benchmarks/bench_window.py --stored [--repeats 5] [--models resnet152]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# the window's own figures are those of a start without the analysis cache (--stored measures
# a start with it, in a folder of its own): the user's cache folder is never read or written
os.environ["CNN_EXPLORER_GRAPH_CACHE"] = "off"

MODELS = ["resnet152", "senet154", "inception_resnet_v2"]

BASELINE = r"""
import json, sys
from explorer.ui.app import process_uptime
import torch, torchvision, timm
from explorer.models import registry
from explorer.graph.analysis import analyze
from explorer.present.layout import compute_layout
an = analyze(registry.get(sys.argv[1]))
compute_layout(an.tree)
print(json.dumps({"baseline_s": process_uptime()}))
"""


BARE_IMPORT = r"""
import json, time
t0 = time.perf_counter()
import torch, torchvision, timm
print(json.dumps({"import_s": time.perf_counter() - t0}))
"""


def run_window(model: str | None, size: str = "1600x1000", cache: str = "off") -> dict[str, float]:
    """One scripted window run; ``model`` None: the first launch (no --model); ``cache``: the
    analysis cache's folder (or off)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "shot.png")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "explorer",
                *(["--model", model] if model else []),
                "--screenshot",
                out,
                "--size",
                size,
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "CNN_EXPLORER_GRAPH_CACHE": cache},
        )
    if proc.returncode != 0:
        raise SystemExit(f"window run failed for {model}: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def first_launch(repeats: int) -> dict[str, float]:
    """The first launch, ``repeats`` times after one warm-up run: medians and the worst."""
    run_window(None, "1280x720")  # warms the file cache
    runs = [run_window(None, "1280x720") for _ in range(repeats)]
    gaps = [r["panels_filled_s"] - r["window_shown_s"] for r in runs]
    for r, g in zip(runs, gaps, strict=True):
        print(
            f"  window shown {r['window_shown_s']:.2f} s, graph {r['graph_shown_s']:.2f} s, "
            f"panels filled {r['panels_filled_s']:.2f} s: +{g:.2f} s "
            f"(torch before the window: {r.get('torch_before_window')})"
        )
    return {
        "window_shown_s": statistics.median(r["window_shown_s"] for r in runs),
        "graph_shown_s": statistics.median(r["graph_shown_s"] for r in runs),
        "panels_filled_s": statistics.median(r["panels_filled_s"] for r in runs),
        "filled_after_shown_s": statistics.median(gaps),
        "filled_after_shown_worst_s": max(gaps),
        "torch_before_window": any(r.get("torch_before_window") for r in runs),
    }


def stored_start(model: str, repeats: int) -> dict[str, object]:
    """A second start from the analysis cache against a start without it and a bare import
    of torch, torchvision and timm, interleaved; medians."""
    with tempfile.TemporaryDirectory() as folder:
        filled = run_window(model, cache=folder)  # the first start stores the graph
        if filled.get("graph_stored") is not False or not os.listdir(folder):
            raise SystemExit(f"the first start did not store {model}'s graph")
        bare_import()  # warms the file cache
        stored, fresh, imports = [], [], []
        for _ in range(repeats):
            stored.append(run_window(model, cache=folder))
            fresh.append(run_window(model))
            imports.append(bare_import())
    if not all(r.get("graph_stored") is True for r in stored):
        raise SystemExit("a second start did not draw the stored graph")
    for r, f, i in zip(stored, fresh, imports, strict=True):
        print(
            f"  stored: window {r['window_shown_s']:.2f} s, graph drawn "
            f"{r['graph_drawn_s']:.2f} s (torch then: {r['torch_at_graph_drawn']}), model "
            f"{r['graph_shown_s']:.2f} s | no cache: graph {f['graph_drawn_s']:.2f} s | "
            f"bare import {i:.2f} s"
        )
    med = statistics.median
    ratios = [r["graph_drawn_s"] / i for r, i in zip(stored, imports, strict=True)]
    return {
        "window_shown_s": med(r["window_shown_s"] for r in stored),
        "stored_graph_drawn_s": med(r["graph_drawn_s"] for r in stored),
        "stored_model_shown_s": med(r["graph_shown_s"] for r in stored),
        "fresh_graph_drawn_s": med(f["graph_drawn_s"] for f in fresh),
        "bare_import_s": med(imports),
        "drawn_over_import": med(ratios),
        "drawn_over_import_worst": max(ratios),
        "torch_at_graph_drawn": any(r["torch_at_graph_drawn"] for r in stored),
    }


def bare_import() -> float:
    proc = subprocess.run(
        [sys.executable, "-c", BARE_IMPORT], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])["import_s"]


def run_baseline(model: str) -> float:
    proc = subprocess.run(
        [sys.executable, "-c", BASELINE, model], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        raise SystemExit(f"baseline failed for {model}: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])["baseline_s"]


def paint_times(model: str, frames: int = 15) -> dict[str, float]:
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.present.layout import compute_layout
    from explorer.ui.graph_view import GraphView

    app = QApplication.instance() or QApplication([])
    an = analyze(registry.get(model))
    out: dict[str, float] = {}
    for label, expanded in (("default", None), ("all", "all")):
        from explorer.present.layout import expand_all

        lay = compute_layout(an.tree, expand_all(an.tree) if expanded else None)
        view = GraphView()
        view.resize(1100, 800)
        view.show_layout(lay, an.tree.blocks)
        view.show()
        app.processEvents()
        for zoom_label, setup in (
            ("fit", lambda v: v.fit()),
            ("zoomed", lambda v: (v.resetTransform(), v.scale(1.5, 1.5))),
        ):
            setup(view)
            app.processEvents()
            img = QImage(view.viewport().size(), QImage.Format_ARGB32_Premultiplied)
            times = []
            for i in range(frames + 2):
                painter = QPainter(img)
                t0 = time.perf_counter()
                view.render(painter)
                painter.end()
                if i >= 2:  # first frames warm the caches
                    times.append(time.perf_counter() - t0)
            out[f"{label}_{zoom_label}_ms"] = 1000 * statistics.median(times)
        out[f"{label}_items"] = len(view.boxes) + len(view.edges)
        view.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument(
        "--first-launch", action="store_true", help="only the first launch (no --model)"
    )
    ap.add_argument(
        "--stored",
        action="store_true",
        help="a second start from the analysis cache against a bare import of the libraries",
    )
    args = ap.parse_args()
    if args.stored:
        rows = {m: stored_start(m, args.repeats) for m in args.models.split(",") if m}
        print("| model | window shown s | stored graph on screen s | model built s | no cache: "
              "graph s | bare import s | stored graph / import (median) | worst | torch "
              "imported at the draw |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for m, r in rows.items():
            print(
                f"| {m} | {r['window_shown_s']:.2f} | {r['stored_graph_drawn_s']:.2f} | "
                f"{r['stored_model_shown_s']:.2f} | {r['fresh_graph_drawn_s']:.2f} | "
                f"{r['bare_import_s']:.2f} | {r['drawn_over_import']:.2f} | "
                f"{r['drawn_over_import_worst']:.2f} | {r['torch_at_graph_drawn']} |"
            )
        ok = all(r["drawn_over_import"] < 0.5 for r in rows.values())
        print(
            f"target (stored graph on screen < 0.5x the bare import): {'met' if ok else 'NOT met'}"
        )
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"stored": rows}, f, indent=2)
        return 0
    if args.first_launch:
        fl = first_launch(args.repeats)
        print("| first launch | window shown s | graph shown s | panels filled s | filled - shown s "
              "(median) | worst | torch before the window |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---|")
        print(
            f"| resnet56, 1280x720 | {fl['window_shown_s']:.2f} | {fl['graph_shown_s']:.2f} | "
            f"{fl['panels_filled_s']:.2f} | {fl['filled_after_shown_s']:.2f} | "
            f"{fl['filled_after_shown_worst_s']:.2f} | {fl['torch_before_window']} |"
        )
        ok = fl["filled_after_shown_s"] <= 2.0
        print(
            f"target (panels filled <= 2 s after the window is shown): {'met' if ok else 'NOT met'}"
        )
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"first_launch": fl}, f, indent=2)
        return 0
    models = [m for m in args.models.split(",") if m]
    results = {}
    for m in models:
        run_window(m)  # warm the file cache
        run_baseline(m)
        win, base = [], []
        for _ in range(args.repeats):
            win.append(run_window(m))
            base.append(run_baseline(m))
        shown = statistics.median(w["window_shown_s"] for w in win)
        graph = statistics.median(w["graph_shown_s"] for w in win)
        b = statistics.median(base)
        paint = paint_times(m)
        results[m] = {
            "window_shown_s": shown,
            "graph_shown_s": graph,
            "baseline_s": b,
            "graph_over_baseline": graph / b,
            **paint,
        }
    print(
        "| model | window shown s | graph shown s | import+build s | ratio | frame fit ms "
        "| frame zoomed ms | frame fit, all open ms | frame zoomed, all open ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m, r in results.items():
        print(
            f"| {m} | {r['window_shown_s']:.2f} | {r['graph_shown_s']:.2f} | "
            f"{r['baseline_s']:.2f} | {r['graph_over_baseline']:.2f}x | "
            f"{r['default_fit_ms']:.1f} | {r['default_zoomed_ms']:.1f} | "
            f"{r['all_fit_ms']:.1f} | {r['all_zoomed_ms']:.1f} |"
        )
    ok = all(
        r["window_shown_s"] <= 1.0
        and r["graph_over_baseline"] <= 1.5
        and max(r["default_fit_ms"], r["default_zoomed_ms"]) <= 16
        for r in results.values()
    )
    print(
        f"targets (window <= 1 s, graph <= 1.5x baseline, frame <= 16 ms): "
        f"{'met' if ok else 'NOT met'}"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
