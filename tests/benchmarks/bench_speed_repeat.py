"""How reproducible ``measure_speed`` is: the same models measured twice in one process.

Each model (and, for RepVGG models, its fused form) is measured by
:func:`explorer.studies.speed.rounds.measure_speed` in a first run, then again in a second run with
the same settings; both runs build the models afresh and measure the peak (a large matrix
product) as well. For each model the script prints both medians, the ratio run2 / run1 and
each run's spread ((max - min) / median of its rounds), then the largest |run2 / run1 - 1|:
the figure behind "re-run reproducibility within X %". The load average before and after each
run is printed too: a busy machine makes every figure here unreliable, and the script says
UNRELIABLE when the load average exceeded the CPU count or a network's spread exceeded 100 %.

    .venv/bin/python tests/benchmarks/bench_speed_repeat.py [--models resnet18,mobilenet_v2,repvgg_a0]
        [--device cpu] [--batch 8] [--repeats 10] [--warmup 3] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("CNN_EXPLORER_OFFLINE", "1")


def one_run(models: list[str], device: str, batch: int, repeats: int, warmup: int) -> Any:
    """One whole measurement (fused variants included), with its load averages and wall time."""
    from explorer.studies.speed.rounds import measure_speed

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    gen = measure_speed(
        models, device=device, batch=batch, repeats=repeats, warmup=warmup, fuse=True
    )
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            report = stop.value
            break
    return report, (load0, os.getloadavg()[0]), time.perf_counter() - t0


def rows_of(first: Any, second: Any) -> list[dict[str, Any]]:
    """One row per label measured in both runs (the peak first)."""
    runs: list[dict[str, Any]] = [{}, {}]
    for i, report in enumerate((first, second)):
        if report.peak is not None:
            runs[i]["peak (matmul)"] = report.peak.timing
        for r in report.results:
            runs[i][r.label] = r.timing
    rows = []
    for label, t1 in runs[0].items():
        t2 = runs[1].get(label)
        if t2 is None:
            continue
        rows.append(
            {
                "label": label,
                "run1_median_ms": t1.median * 1e3,
                "run2_median_ms": t2.median * 1e3,
                "ratio": t2.median / t1.median,
                "run1_spread": t1.spread,
                "run2_spread": t2.spread,
                "run1_s": t1.seconds,
                "run2_s": t2.seconds,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="resnet18,mobilenet_v2,repvgg_a0")
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--json", default=None, help="also write every run's timings here")
    args = p.parse_args(argv)
    models = [m for m in args.models.split(",") if m]

    import torch

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, "
        f"batch {args.batch}, median of {args.repeats} rounds after {args.warmup} warm-up "
        f"rounds; RepVGG models fused and unfused; two runs in one process"
    )
    reports = []
    busy = False
    for i in (1, 2):
        report, load, wall = one_run(models, args.device, args.batch, args.repeats, args.warmup)
        reports.append(report)
        busy = busy or max(load) > (os.cpu_count() or 1) + 0.5
        print(
            f"run {i}: {wall:.1f} s, load average {load[0]:.1f} -> {load[1]:.1f} "
            f"({os.cpu_count()} CPUs)" + (f", failed: {report.failed}" if report.failed else "")
        )
    rows = rows_of(*reports)
    print()
    print("| model | run 1 median ms | run 2 median ms | run2/run1 | run 1 spread | run 2 spread |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['label']} | {r['run1_median_ms']:.2f} | {r['run2_median_ms']:.2f} | "
            f"{r['ratio']:.3f} | {r['run1_spread']:.1%} | {r['run2_spread']:.1%} |"
        )
    if rows:
        worst = max(rows, key=lambda r: abs(r["ratio"] - 1))
        nets = [r for r in rows if r["label"] != "peak (matmul)"]
        print()
        print(
            f"re-run reproducibility: medians within {abs(worst['ratio'] - 1):.1%} "
            f"(largest |run2/run1 - 1|, {worst['label']})"
        )
        if nets:
            spread = max(max(r["run1_spread"], r["run2_spread"]) for r in nets)
            print(f"largest spread of a network's rounds within one run: {spread:.1%}")
            # a round several times slower than the median is another process on the CPUs
            busy = busy or spread > 1.0
    if busy:
        print(
            "UNRELIABLE: the load average exceeded the CPU count or a network's slowest round "
            "took over twice its median: other processes were computing; rerun on an idle machine"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"args": vars(args), "rows": rows, "reports": [r.as_dict() for r in reports]},
                f,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
