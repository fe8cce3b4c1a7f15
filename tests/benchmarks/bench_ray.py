"""Landscape grid and lesion sweeps: in this process against a local Ray instance with 1 and 2
workers, side by side in one run.

The network is the built-in resnet56 (trained by the project, shipped with the package) on
its own evaluation set (the first --limit images). Every configuration uses one torch thread
per worker (this process too), so that the speed-up is that of the workers, not of torch's
threads. Each study is run as the window and the CLI run it (the workflows of
explorer.app.workflows), so the times include what a user waits for: the network and the
data put into Ray's object store, each worker building the network, the results merged. Ray
itself is started once, before the timing (``ray.init``: reported apart).

- speed-up: in-process time / Ray time (median of the interleaved repeats);
- worker start: from the map's start until every worker is ready (the actor started, torch and
  the package imported, the network unpickled and built: once per study and worker);
- overhead per unit: (Ray with 1 worker - in process - worker start) / units: what a unit
  costs more on Ray once its worker is there;
- unit here / on a worker: a unit's time in this process against its time on a Ray worker's
  own clock (the same work, one thread each): what is left of the overhead is Ray's transport
  and scheduling.

    .venv/bin/python tests/benchmarks/bench_ray.py [--repeats 3] [--grid 7] [--limit 256]
        [--workers 1,2] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--grid", type=int, default=7, help="landscape points per axis (7: 49)")
    p.add_argument("--limit", type=int, default=256, help="evaluation images")
    p.add_argument("--workers", default="1,2", help="Ray worker counts to time")
    p.add_argument("--model", default="resnet56")
    p.add_argument("--json", metavar="F")
    args = p.parse_args(argv)
    import torch

    from explorer.app.workflows import drive
    from explorer.app.workflows.landscape import LandscapeSettings, landscape
    from explorer.app.workflows.lesion import EvalSettings, SweepSettings, sweep
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get
    from explorer.runtime.executor import InProcess, RayExecutor
    from explorer.runtime.pipeline import apply_weights, preprocess

    torch.set_num_threads(1)
    spec = get(args.model)
    an = analyze(spec)
    info = apply_weights(spec, an.model, "auto")
    prep = preprocess(spec, info, None, None, None, None)
    cats = info.categories
    ev = EvalSettings(None, args.limit, 64)
    grid = LandscapeSettings(grid=args.grid, seed=0)
    single, rand = SweepSettings("single"), SweepSettings("random", k_max=4, trials=3)

    studies = {
        f"landscape {args.grid}x{args.grid}": (
            lambda ex: landscape(an, prep, cats, grid, ev, "cpu", executor=ex),
            args.grid * args.grid,
        ),
        "single sweep": (lambda ex: sweep(an, prep, cats, single, ev, "cpu", executor=ex), None),
        "random sweep k<=4 x3": (
            lambda ex: sweep(an, prep, cats, rand, ev, "cpu", executor=ex),
            1 + 4 * 3,
        ),
    }
    counts = [int(w) for w in args.workers.split(",")]
    t = time.perf_counter()
    head = RayExecutor("local", workers=max(counts))
    ray_init = time.perf_counter() - t
    configs: dict[str, object] = {"in-process": InProcess("cpu")}
    for w in counts:
        configs[f"ray {w}"] = RayExecutor("local", workers=w, threads=1)
    times: dict[tuple[str, str], list[float]] = {}
    starts: dict[tuple[str, str], list[float]] = {}  # Ray: until the workers were ready
    busy: dict[tuple[str, str], list[float]] = {}  # Ray: the units' time on the workers
    answers: dict[tuple[str, str], object] = {}
    units: dict[str, int] = {}
    for name, (make, _n) in studies.items():  # warm up: each study once everywhere
        for cfg, ex in configs.items():
            answers[name, cfg] = drive(make(ex), lambda _p: None)
    for r in range(args.repeats):
        for name, (make, n) in studies.items():
            order = list(configs.items())
            if r % 2:
                order.reverse()  # interleaved, the order alternating
            for cfg, ex in order:
                start = time.perf_counter()
                drive(make(ex), lambda _p: None)
                times.setdefault((name, cfg), []).append(time.perf_counter() - start)
                starts.setdefault((name, cfg), []).append(getattr(ex, "start_s", 0.0))
                busy.setdefault((name, cfg), []).append(getattr(ex, "busy_s", 0.0))
            units[name] = n if n is not None else _shards(args.limit, 64, configs)
    _check(answers, studies, configs)
    rows = []
    for name in studies:
        base = statistics.median(times[name, "in-process"])
        row = {"study": name, "units": units[name], "in_process_s": base}
        for cfg in configs:
            if cfg == "in-process":
                continue
            m = statistics.median(times[name, cfg])
            row[f"{cfg.replace(' ', '_')}_s"] = m
            row[f"speedup_{cfg.replace(' ', '_')}"] = base / m
        one = statistics.median(times[name, f"ray {counts[0]}"])
        start_s = statistics.median(starts[name, f"ray {counts[0]}"])
        row["worker_start_s"] = start_s
        # on the worker's own clock: a unit there against one here (same thread count)
        row["unit_on_worker_s"] = statistics.median(busy[name, f"ray {counts[0]}"]) / units[name]
        row["unit_here_s"] = base / units[name]
        row["overhead_per_unit_s"] = (
            (one - base - start_s) / units[name] if counts[0] == 1 else None
        )
        rows.append(row)
    out = {
        "model": args.model,
        "images": args.limit,
        "repeats": args.repeats,
        "torch_threads_per_worker": 1,
        "cpus": os.cpu_count(),
        "ray_init_s": ray_init,
        "rows": rows,
    }
    _table(out, configs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    head.close()
    return 0


def _shards(limit: int, batch: int, configs: dict) -> int:
    """A single sweep's units: a batch each in this process (Ray: a few per worker)."""
    return -(-limit // batch)


def _check(answers: dict, studies: dict, configs: dict) -> None:
    """Every configuration gave the in-process numbers (loss to 1e-4, top-1 the same)."""
    import numpy as np

    for name in studies:
        a = answers[name, "in-process"]
        for cfg in configs:
            b = answers[name, cfg]
            if hasattr(a, "loss") and hasattr(a, "done"):
                assert np.nanmax(np.abs(a.loss - b.loss)) <= 1e-4, (name, cfg)
                assert np.array_equal(a.top1, b.top1, equal_nan=True), (name, cfg)
            else:
                assert a.intact.top1 == b.intact.top1, (name, cfg)


def _table(out: dict, configs: dict) -> None:
    cfgs = [c for c in configs if c != "in-process"]
    print(
        f"{out['model']}, {out['images']} images, {out['repeats']} repeats, 1 torch thread per "
        f"worker, {out['cpus']} CPUs; ray.init {out['ray_init_s']:.1f} s (once, not counted)"
    )
    head = f"{'study':<22} {'units':>5} {'in-process':>10} " + " ".join(
        f"{c:>8} {'x':>5}" for c in cfgs
    )
    print(head + f" {'worker start':>12} {'overhead/unit':>13} {'unit here/worker':>17}")
    for r in out["rows"]:
        cells = " ".join(
            f"{r[c.replace(' ', '_') + '_s']:7.2f}s {r['speedup_' + c.replace(' ', '_')]:5.2f}"
            for c in cfgs
        )
        ov = r["overhead_per_unit_s"]
        ovs = "-" if ov is None else f"{ov * 1000:.0f} ms"
        st = f"{r['worker_start_s']:.2f} s"
        print(
            f"{r['study']:<22} {r['units']:>5} {r['in_process_s']:9.2f}s {cells} {st:>12} "
            f"{ovs:>13} {r['unit_here_s']:7.2f}/{r['unit_on_worker_s']:.2f} s"
        )


if __name__ == "__main__":
    sys.exit(main())
