"""The cost of a landscape's grid point against a plain evaluation, side by side in one run.

The built-in resnet56 (trained on digits) on the digits test split (360 images): a plain
evaluation (``explorer.runtime.evaluate.evaluate``, what ``lesion`` runs for the intact
network) against one grid point of the landscape (the weights moved in place to
theta + x dx + y dy, then the same images: ``Moved.set`` + ``evaluate_point``), warmed up and
interleaved; and the whole workflow (``landscape()`` on a G x G grid, its snapshots and
progress included) per point. Target: a point costs no more than 1.1x a plain evaluation.

    .venv/bin/python tests/benchmarks/bench_landscape.py [--repeats 7] [--grid 5]
        [--model resnet56] [--limit N] [--threads T] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet56")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--grid", type=int, default=5)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from explorer.app.workflows.landscape import (
        LandscapeSettings,
        kept_batches,
        landscape,
        prepared,
    )
    from explorer.app.workflows.lesion import EvalData, EvalSettings
    from explorer.runtime.evaluate import evaluate, quiet
    from explorer.studies.landscape.directions import random_directions
    from explorer.studies.landscape.grid import Moved, evaluate_point

    an, prep, cats, label = prepared(args.model)
    ev = EvalSettings(None, args.limit, args.batch_size)
    data = EvalData(an, prep, cats, ev, "cpu")
    batches = kept_batches(data, an)
    model = an.model.eval()
    d = random_directions(model, 0, 2)
    rng = random.Random(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {args.model} "
          f"({label}) on {data.name}, {data.n} images")  # fmt: skip

    def plain() -> float:
        t = time.perf_counter()
        quiet(evaluate(model, lambda: batches, data.n, "cpu"))
        return time.perf_counter() - t

    def point(moved: Moved) -> float:
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        t = time.perf_counter()
        moved.set(x, y)
        evaluate_point(model, batches)
        return time.perf_counter() - t

    times: dict[str, list[float]] = {"plain": [], "point": []}
    with Moved(model, d["x"], d["y"]) as moved:
        plain()
        point(moved)  # warm-up
        for _ in range(args.repeats):
            moved.restore()
            times["plain"].append(plain())
            times["point"].append(point(moved))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["point"] / med["plain"]
    print(f"plain evaluation median {med['plain']:.3f} s, one grid point {med['point']:.3f} s: "
          f"ratio {ratio:.3f} (target <= 1.1)")  # fmt: skip

    settings = LandscapeSettings(dims=2, grid=args.grid)
    t = time.perf_counter()
    ls = quiet(landscape(an, prep, cats, settings, ev, "cpu", weights=label))
    whole = time.perf_counter() - t
    points = args.grid * args.grid + 1  # the trained point is evaluated first, then reused
    per_point = whole / points
    after = plain()
    wf_ratio = per_point / statistics.median([*times["plain"], after])
    print(f"landscape() {args.grid}x{args.grid}: {whole:.1f} s, {per_point:.3f} s per point "
          f"(data read once included): ratio {wf_ratio:.3f} to a plain evaluation")  # fmt: skip
    target = ratio <= 1.1 and wf_ratio <= 1.1
    print(f"target met: {'yes' if target else 'no'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"times": times, "median": med, "ratio": ratio, "workflow_s": whole,
                       "workflow_ratio": wf_ratio, "n": data.n, "grid": args.grid,
                       "center": ls.center}, f, indent=1)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
