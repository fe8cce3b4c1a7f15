"""Forward pass with every probe vs a plain forward pass, side by side in one run.

The probed pass collects the mean and std of every block's output, the per-channel
statistics and a copy of one block's feature maps, and every SE / highway gate, in two ways
(:func:`explorer.runtime.probe_graph.probe_pass`): ``hooks`` (module forward hooks) and
``graph`` (the reductions as calls in the traced graph, no hook). The plain pass is
``model(x)`` under the same ``torch.inference_mode``. All three are warmed up first and then
interleaved, the order rotated every round, so that machine noise hits each; the ratio of the
medians to the plain pass's is reported, both ratios side by side.

Targets (issue 19), the graph path, resnet50 on the CPU: probed / plain <= 1.10 at batch 1
and <= 1.03 at batch 8 (on a GPU too, when one is present: ``--device cuda``).

    .venv/bin/python tests/benchmarks/bench_probes.py [--models resnet50] [--batches 1,8]
        [--repeats 15] [--device cpu|cuda] [--feature layer3.0] [--json F] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


TARGETS = {1: 1.10, 8: 1.03}  # batch -> the graph path's probed / plain


def measure(model_name: str, batch: int, repeats: int, device: str, feature: str) -> dict:
    import torch

    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.runtime.probe_graph import probe_pass, prober_for
    from explorer.runtime.probe_plan import make_plan

    an = analyze(registry.get(model_name))
    plan = make_plan(an.tree)
    model = an.model.to(device).eval()
    x = torch.randn(batch, *an.graph.input_shape[1:], device=device)
    feature_block = feature if feature in an.tree.blocks else None
    prober = prober_for(model, plan, feature_block)
    assert prober is not None, f"{model_name}: no traced graph to probe"

    def plain() -> None:
        with torch.inference_mode():
            model(x)
        _sync(device)

    def probed(method: str):  # noqa: ANN202
        def fn() -> None:
            with torch.inference_mode():
                probe_pass(model, x, plan, feature_block, method)
            _sync(device)

        return fn

    runs = {"plain": plain, "hooks": probed("hooks"), "graph": probed("graph")}
    for _ in range(3):  # warm-up: allocator, kernels, lazy inits
        for fn in runs.values():
            fn()
    times: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}  # this process's CPU seconds
    names = list(runs)
    for i in range(repeats):
        for name in names[i % 3 :] + names[: i % 3]:  # each order in turn
            c = time.process_time()
            t = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    med = {k: statistics.median(v) for k, v in times.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
    # the ratio of each round (a pair measured seconds apart), then its median
    round_ratio = {
        k: statistics.median(p / q for p, q in zip(times[k], times["plain"], strict=True))
        for k in ("hooks", "graph")
    }
    return {
        "model": model_name,
        "batch": batch,
        "device": device,
        "probed_blocks": len(plan.stats),
        "calls_in_graph": len({p.index for p in prober.probes}),
        "plain_ms": med["plain"] * 1e3,
        "hooks_ms": med["hooks"] * 1e3,
        "graph_ms": med["graph"] * 1e3,
        "hooks_ratio": med["hooks"] / med["plain"],
        "graph_ratio": med["graph"] / med["plain"],
        "hooks_round_ratio": round_ratio["hooks"],
        "graph_round_ratio": round_ratio["graph"],
        # CPU time is less hurt than wall time by another process on a shared machine
        "hooks_cpu_ratio": cpu_med["hooks"] / cpu_med["plain"],
        "graph_cpu_ratio": cpu_med["graph"] / cpu_med["plain"],
        "times": times,
        "cpu_times": cpu,
    }


def profile(model_name: str, batch: int, device: str, feature: str, method: str) -> None:
    """torch.profiler's table of one probed pass (what the extra time is spent on)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.runtime.probe_graph import probe_pass
    from explorer.runtime.probe_plan import make_plan

    an = analyze(registry.get(model_name))
    plan = make_plan(an.tree)
    model = an.model.to(device).eval()
    x = torch.randn(batch, *an.graph.input_shape[1:], device=device)
    fb = feature if feature in an.tree.blocks else None
    for _ in range(3):
        with torch.inference_mode():
            probe_pass(model, x, plan, fb, method)
    with profile(activities=[ProfilerActivity.CPU]) as prof, torch.inference_mode():
        for _ in range(5):
            probe_pass(model, x, plan, fb, method)
    print(f"-- profile: {model_name} batch {batch}, {method}, 5 passes")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=14))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="resnet50")
    p.add_argument("--batches", default="1,8")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--device", default="cpu")
    p.add_argument("--feature", default="layer3.0", help="block whose feature maps are kept")
    p.add_argument("--json", default=None)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--profile", action="store_true", help="profile a pass that misses its target")
    args = p.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    rows = []
    for m in args.models.split(","):
        for b in (int(s) for s in args.batches.split(",")):
            r = measure(m, b, args.repeats, args.device, args.feature)
            rows.append(r)
            print(
                f"{m:14s} batch {b:2d}: plain {r['plain_ms']:7.1f} ms  hooks {r['hooks_ms']:7.1f} ms"
                f"  graph {r['graph_ms']:7.1f} ms  | probed/plain: hooks {r['hooks_ratio']:.3f}"
                f"  graph {r['graph_ratio']:.3f}  (per round: {r['hooks_round_ratio']:.3f}, "
                f"{r['graph_round_ratio']:.3f}; CPU time: {r['hooks_cpu_ratio']:.3f}, "
                f"{r['graph_cpu_ratio']:.3f})  [{r['probed_blocks']} blocks, "
                f"{r['calls_in_graph']} calls in the graph]",
                flush=True,
            )
    missed = []
    for r in rows:
        target = TARGETS.get(r["batch"])
        if target is None:
            continue
        ok = r["graph_ratio"] <= target
        print(
            f"{r['model']} batch {r['batch']}: graph {r['graph_ratio']:.3f} (target <= {target}): "
            + ("met" if ok else f"NOT met, by {r['graph_ratio'] - target:+.3f}")
        )
        if not ok:
            missed.append(r)
    if args.profile:
        for r in missed or rows[:1]:
            profile(r["model"], r["batch"], args.device, args.feature, "graph")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
