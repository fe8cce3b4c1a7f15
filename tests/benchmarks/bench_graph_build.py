"""Benchmark: our graph build against torchview's, on the same model instance, in one run.

Our graph build is what the explorer does before it can draw a network:
``build_graph`` (fx trace + meta-device shape propagation + graph) -> ``build_blocks``
-> ``compute_layout`` with every block open and no repeat collapsing.
torchview's graph build is ``torchview.draw_graph(..., save_graph=False)``: a recorded
forward pass plus the graphviz *source* (``dot`` is never run).

The machine this runs on is shared and noisy, so:

- each model is built once, outside the timed region, and both variants get the
  same instance;
- each variant is warmed up once (untimed) per model;
- the variants are then interleaved (ours, torchview, ours, torchview, ...) for
  ``--repeats`` rounds and the *median* of each is reported, with the ratio
  torchview / ours;
- before each round it waits (``--quiet-wait``) for other processes to leave the CPUs,
  and it measures, per timed run, the CPU time other processes took (/proc/stat minus
  our own); a model with contended runs, or with runs spread more than 2x, is marked
  UNRELIABLE. torchview does a real multi-threaded forward pass, so a busy neighbour
  slows it 10-25x and inflates the ratio; ours, on the meta device, barely moves.

Targets: ours at least 10x faster than torchview for every model, and resnet152
(ours) under 0.5 s.

Run::

    .venv/bin/python tests/benchmarks/bench_graph_build.py [--repeats N] [--models a,b]
        [--json PATH] [--threads N] [--quiet-wait S] [--profile]

Not a test: pytest does not collect it (``bench_`` prefix, and ``tests/benchmarks``
is in ``--ignore`` of the default pytest run).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# No network: timm must not look models up online (an online lookup hangs for ~47 s).
os.environ["HF_HUB_OFFLINE"] = "1"

# Runnable from anywhere: put the repository root on the path.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_MODELS = ("resnet152", "inception_v4", "inception_resnet_v2", "senet154")
TARGET_RATIO = 10.0
#: per-model absolute targets for ours (seconds)
TARGET_OURS_S = {"resnet152": 0.5}
TORCHVIEW_DEPTH = 100
#: max/min of one variant's timed runs above which the machine was too busy to trust them
NOISY_SPREAD = 2.0
#: CPU cores that *other* processes used, on average, during a timed run, above which the
#: run counts as contended (measured from /proc/stat minus this process's CPU time)
CONTENDED_CORES = 0.5


def _require_torchview() -> Any:
    try:
        import graphviz  # noqa: F401  (torchview needs it to build the graph source)
        import torchview
    except ImportError as exc:
        sys.exit(
            f"bench_graph_build: torchview is not installed ({exc}).\n"
            "Install the benchmark extra:  .venv/bin/pip install -e '.[bench]'\n"
            "(or:  .venv/bin/pip install torchview graphviz)"
        )
    return torchview


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Time our graph build (trace+shapes+blocks+layout) against "
        "torchview.draw_graph on the same models; report medians and ratios."
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="timed rounds per model, each round runs both variants (default 5)",
    )
    p.add_argument(
        "--models",
        default=",".join(DEFAULT_MODELS),
        help="comma-separated registered model names (default: %(default)s)",
    )
    p.add_argument(
        "--json",
        metavar="PATH",
        type=Path,
        default=None,
        help="also write the results as JSON to PATH",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch.set_num_threads (default: torch's own default)",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        metavar="S",
        help="before each round, wait up to S seconds for other processes to leave the "
        "CPUs (default 20; 0: don't wait)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="after timing, cProfile our build once per model and print the top costs",
    )
    p.add_argument(
        "--profile-top", type=int, default=25, help="rows of the profile to print (default 25)"
    )
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not args.models:
        p.error("--models is empty")
    return args


# -- the two variants ---------------------------------------------------------------------


def ours(model: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    from explorer.graph.blocks import build_blocks
    from explorer.graph.trace import build_graph
    from explorer.present.layout import compute_layout, expand_all

    t0 = time.perf_counter()
    mg = build_graph(model, shape)
    t1 = time.perf_counter()
    tree = build_blocks(mg)
    t2 = time.perf_counter()
    lay = compute_layout(tree, expand_all(tree), collapse_repeats=False)
    t3 = time.perf_counter()
    return {
        "total": t3 - t0,
        "stages": {
            "build_graph": t1 - t0,
            "build_blocks": t2 - t1,
            "compute_layout": t3 - t2,
            **{f"build_graph.{k}": v for k, v in mg.timings.items()},
        },
        "size": {
            "method": mg.method,
            "graph_nodes": mg.g.number_of_nodes(),
            "graph_edges": mg.g.number_of_edges(),
            "blocks": len(tree.blocks),
            "layout_boxes": len(lay.boxes),
            "layout_edges": len(lay.edges),
        },
    }


def make_torchview(torchview: Any, grad_ctx: Callable[[], Any]) -> Callable[..., dict[str, Any]]:
    def run(model: Any, shape: tuple[int, ...]) -> dict[str, Any]:
        t0 = time.perf_counter()
        with grad_ctx():
            g = torchview.draw_graph(
                model,
                input_size=shape,
                depth=TORCHVIEW_DEPTH,
                expand_nested=True,
                save_graph=False,  # build the graphviz source only; never run `dot`
                device="cpu",
            )
        t1 = time.perf_counter()
        return {"total": t1 - t0, "size": {"dot_source_lines": len(g.visual_graph.body)}}

    return run


def _pick_grad_ctx(torchview: Any, model: Any, shape: tuple[int, ...]) -> tuple[str, Any]:
    """inference_mode if torchview works under it (checked on this model), else no_grad."""
    import torch

    try:
        with torch.inference_mode():
            torchview.draw_graph(
                model,
                input_size=shape,
                depth=TORCHVIEW_DEPTH,
                expand_nested=True,
                save_graph=False,
                device="cpu",
            )
        return "inference_mode", torch.inference_mode
    except Exception:  # noqa: BLE001 - fall back to what torchview itself uses
        return "no_grad", torch.no_grad


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # not on every platform
        return None


def _cpu_busy_s() -> float | None:
    """CPU seconds all processes have used since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user]
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _others_cores(fn: Callable[[], Any]) -> tuple[Any, float | None]:
    """Run ``fn``; also return how many cores other processes kept busy meanwhile."""
    b0, p0, w0 = _cpu_busy_s(), time.process_time(), time.perf_counter()
    out = fn()
    b1, p1, w1 = _cpu_busy_s(), time.process_time(), time.perf_counter()
    if b0 is None or b1 is None or w1 <= w0:
        return out, None
    return out, max(0.0, ((b1 - b0) - (p1 - p0)) / (w1 - w0))


def _wait_quiet(max_wait_s: float) -> float:
    """Wait (up to ``max_wait_s``) until other processes leave the CPUs; return seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_wait_s:
        _, others = _others_cores(lambda: time.sleep(0.5))
        if others is None or others < CONTENDED_CORES:
            break
    return time.perf_counter() - t0


def _timed(fn: Callable[..., dict[str, Any]], model: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    gc.collect()  # the previous run's garbage is not this run's cost
    res, others = _others_cores(lambda: fn(model, shape))
    res["others_cores"] = others
    res["contended"] = others is not None and others >= CONTENDED_CORES
    return res


# -- reporting ----------------------------------------------------------------------------


def _target(name: str, ours_s: float, ratio: float) -> tuple[bool, str]:
    notes = []
    ok = ratio >= TARGET_RATIO
    if not ok:
        notes.append(f"ratio < {TARGET_RATIO:g}x")
    limit = TARGET_OURS_S.get(name)
    if limit is not None and ours_s >= limit:
        ok = False
        notes.append(f"ours >= {limit:g} s")
    return ok, "yes" if ok else "no (" + "; ".join(notes) + ")"


def _table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| model | ours median s | torchview median s | ratio | target met |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['model']} | {r['ours_median_s']:.3f} | {r['torchview_median_s']:.3f} "
            f"| {r['ratio']:.2f}x | {r['target_note']} |"
        )
    return "\n".join(out)


def _profile(name: str, model: Any, shape: tuple[int, ...], top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    ours(model, shape)
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("cumulative").print_stats(top)
    buf.write("\n--- by own time ---\n")
    st.sort_stats("tottime").print_stats(top)
    return f"## profile of ours: {name}\n{buf.getvalue()}"


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    torchview = _require_torchview()

    import torch

    from explorer.models import registry

    default_threads = torch.get_num_threads()
    threads = args.threads if args.threads is not None else default_threads
    torch.set_num_threads(threads)

    specs = []
    for name in args.models:
        try:
            specs.append(registry.get(name))
        except registry.RegistryError as exc:
            sys.exit(f"bench_graph_build: {exc}")

    print(
        f"# graph build: ours vs torchview {getattr(torchview, '__version__', '?')} "
        f"(torch {torch.__version__}, {threads} threads, {os.cpu_count()} cpus, "
        f"{args.repeats} repeats)",
        flush=True,
    )

    rows: list[dict[str, Any]] = []
    for spec in specs:
        name = spec.name
        shape = (1, *spec.input_size)
        t0 = time.perf_counter()
        model = spec.build()  # outside the timed region; both variants share it
        build_s = time.perf_counter() - t0
        max_depth = max(len(q.split(".")) for q, _ in model.named_modules() if q)
        if max_depth >= TORCHVIEW_DEPTH:
            sys.exit(
                f"bench_graph_build: {name} nests {max_depth} modules deep; "
                f"raise TORCHVIEW_DEPTH ({TORCHVIEW_DEPTH})"
            )

        # warm-up: one untimed run of each variant (torchview's also picks its grad mode)
        warm_ours = ours(model, shape)
        t0 = time.perf_counter()
        grad_mode, grad_ctx = _pick_grad_ctx(torchview, model, shape)
        warm_tv_s = time.perf_counter() - t0
        tv = make_torchview(torchview, grad_ctx)

        load_before = _loadavg()
        ours_runs: list[dict[str, Any]] = []
        tv_runs: list[dict[str, Any]] = []
        waited = 0.0
        for _ in range(args.repeats):
            if args.quiet_wait > 0:
                waited += _wait_quiet(args.quiet_wait)
            ours_runs.append(_timed(ours, model, shape))
            tv_runs.append(_timed(tv, model, shape))

        load_after = _loadavg()
        ours_t = [r["total"] for r in ours_runs]
        tv_t = [r["total"] for r in tv_runs]
        ours_med = statistics.median(ours_t)
        tv_med = statistics.median(tv_t)
        ratio = tv_med / ours_med
        ratio_min = min(tv_t) / min(ours_t)
        noisy = [
            v for v, t in (("ours", ours_t), ("torchview", tv_t)) if max(t) > NOISY_SPREAD * min(t)
        ]
        contended = {
            "ours": sum(r["contended"] for r in ours_runs),
            "torchview": sum(r["contended"] for r in tv_runs),
        }
        quiet = [
            (o["total"], t["total"])
            for o, t in zip(ours_runs, tv_runs, strict=True)
            if not (o["contended"] or t["contended"])
        ]
        quiet_stats = None
        if quiet:
            qo = statistics.median(o for o, _ in quiet)
            qt = statistics.median(t for _, t in quiet)
            quiet_stats = {
                "pairs": len(quiet),
                "ours_median_s": qo,
                "torchview_median_s": qt,
                "ratio": qt / qo,
            }
        ok, note = _target(name, ours_med, ratio)
        unreliable = []
        if any(contended.values()):
            unreliable.append(
                "contended runs: "
                + ", ".join(f"{v} {n}/{args.repeats}" for v, n in contended.items() if n)
            )
        if noisy:
            unreliable.append("spread > {:g}x: {}".format(NOISY_SPREAD, ", ".join(noisy)))
        if unreliable:
            note += " UNRELIABLE (" + "; ".join(unreliable) + ")"
        stage_names = list(ours_runs[0]["stages"])
        row = {
            "model": name,
            "input_shape": list(shape),
            "model_build_s": build_s,
            "max_module_depth": max_depth,
            "ours_median_s": ours_med,
            "torchview_median_s": tv_med,
            "ratio": ratio,
            "paired_ratio_median": statistics.median(
                t / o for t, o in zip(tv_t, ours_t, strict=True)
            ),
            "ours_min_s": min(ours_t),
            "torchview_min_s": min(tv_t),
            "ratio_of_minima": ratio_min,
            "noisy": noisy,
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "contended_runs": contended,
            "unreliable": unreliable,
            "quiet_only": quiet_stats,
            "quiet_wait_s": waited,
            "others_cores": {
                "ours": [r["others_cores"] for r in ours_runs],
                "torchview": [r["others_cores"] for r in tv_runs],
            },
            "target_met": ok,
            "target_note": note,
            "ours_s": ours_t,
            "torchview_s": tv_t,
            "ours_stage_median_s": {
                k: statistics.median(r["stages"][k] for r in ours_runs if k in r["stages"])
                for k in stage_names
            },
            "warmup_s": {"ours": warm_ours["total"], "torchview": warm_tv_s},
            "torchview_grad_mode": grad_mode,
            "ours_size": ours_runs[-1]["size"],
            "torchview_size": tv_runs[-1]["size"],
        }
        rows.append(row)
        stages = ", ".join(f"{k} {v:.3f}" for k, v in row["ours_stage_median_s"].items())
        print(
            f"- {name}: ours {ours_med:.3f} s [{stages}], torchview {tv_med:.3f} s "
            f"({grad_mode}), ratio {ratio:.2f}x; "
            f"ours {row['ours_size']['graph_nodes']} nodes/{row['ours_size']['blocks']} blocks, "
            f"torchview {row['torchview_size']['dot_source_lines']} dot lines; "
            f"minima: ours {min(ours_t):.3f} s, torchview {min(tv_t):.3f} s, "
            f"ratio {ratio_min:.2f}x; load {load_before} -> {load_after}",
            flush=True,
        )
        if quiet_stats is not None and len(quiet) < args.repeats:
            print(
                f"  quiet pairs only ({len(quiet)}/{args.repeats}): ours "
                f"{quiet_stats['ours_median_s']:.3f} s, torchview "
                f"{quiet_stats['torchview_median_s']:.3f} s, ratio {quiet_stats['ratio']:.2f}x",
                flush=True,
            )
        if unreliable:
            print(
                f"  WARNING: {name}: {'; '.join(unreliable)}. Other processes were using the "
                "CPUs; the medians and ratio are unreliable, rerun on a quiet machine",
                flush=True,
            )
        if args.profile:
            print(_profile(name, model, shape, args.profile_top), flush=True)
        del model
        gc.collect()

    print()
    print(_table(rows))
    all_ok = all(r["target_met"] for r in rows)
    print(f"\nall targets met: {'yes' if all_ok else 'no'}")
    bad = [r["model"] for r in rows if r["unreliable"]]
    if bad:
        print(
            f"UNRELIABLE: {', '.join(bad)}: other processes used the CPUs during the timing. "
            "torchview runs a real multi-threaded forward pass and slows down far more than "
            "ours when another process takes a core, which inflates the ratio. "
            "Rerun when the machine is idle."
        )

    if args.json is not None:
        doc = {
            "benchmark": "graph_build",
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "repeats": args.repeats,
            "threads": threads,
            "default_threads": default_threads,
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchview": getattr(torchview, "__version__", None),
            "targets": {"ratio_at_least": TARGET_RATIO, "ours_under_s": TARGET_OURS_S},
            "torchview_call": {
                "depth": TORCHVIEW_DEPTH,
                "expand_nested": True,
                "save_graph": False,
                "device": "cpu",
            },
            "all_targets_met": all_ok,
            "unreliable_models": bad,
            "contended_cores_threshold": CONTENDED_CORES,
            "results": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
