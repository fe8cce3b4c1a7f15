"""Forward pass with every probe vs a plain forward pass, side by side in one run.

The probed pass collects the mean and std of every block's output, the per-channel
statistics and a copy of one block's feature maps, and every SE / highway gate
(:func:`explorer.runtime.probes.run_probes`). The plain pass is ``model(x)`` under the same
``torch.inference_mode``. Both are warmed up first and then interleaved (plain, probed,
plain, probed ...) so that machine noise hits both; the ratio of the medians is reported.

Target: probed / plain <= 1.15 for resnet50 at batch 1 and 8 on the CPU (and on a GPU,
images per second, when one is present: ``--device cuda``).

    .venv/bin/python tests/benchmarks/bench_probes.py [--models resnet50] [--batches 1,8]
        [--repeats 15] [--device cpu|cuda] [--feature layer3.0] [--json F]
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


def measure(model_name: str, batch: int, repeats: int, device: str, feature: str) -> dict:
    import torch

    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.runtime.probe_plan import make_plan
    from explorer.runtime.probes import run_probes

    an = analyze(registry.get(model_name))
    plan = make_plan(an.tree)
    model = an.model.to(device).eval()
    x = torch.randn(batch, *an.graph.input_shape[1:], device=device)
    feature_block = feature if feature in an.tree.blocks else None

    def plain() -> None:
        with torch.inference_mode():
            model(x)
        _sync(device)

    def probed() -> None:
        run_probes(model, x, plan, feature_block=feature_block)
        _sync(device)

    for _ in range(3):  # warm-up: allocator, kernels, lazy inits
        plain()
        probed()
    times: dict[str, list[float]] = {"plain": [], "probed": []}
    for i in range(repeats):
        order = (("plain", plain), ("probed", probed))
        for name, fn in order if i % 2 == 0 else order[::-1]:
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "model": model_name,
        "batch": batch,
        "device": device,
        "hooked_blocks": len(plan.stats),
        "plain_ms": med["plain"] * 1e3,
        "probed_ms": med["probed"] * 1e3,
        "plain_img_s": batch / med["plain"],
        "probed_img_s": batch / med["probed"],
        "ratio": med["probed"] / med["plain"],
        "times": times,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="resnet50")
    p.add_argument("--batches", default="1,8")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--device", default="cpu")
    p.add_argument("--feature", default="layer3.0", help="block whose feature maps are kept")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    rows = []
    for m in args.models.split(","):
        for b in (int(s) for s in args.batches.split(",")):
            r = measure(m, b, args.repeats, args.device, args.feature)
            rows.append(r)
            print(
                f"{m:14s} batch {b:2d}: plain {r['plain_ms']:8.1f} ms "
                f"({r['plain_img_s']:7.1f} img/s)  probed {r['probed_ms']:8.1f} ms "
                f"({r['probed_img_s']:7.1f} img/s)  ratio {r['ratio']:.3f}  "
                f"[{r['hooked_blocks']} blocks]",
                flush=True,
            )
    worst = max(r["ratio"] for r in rows)
    print(f"worst ratio {worst:.3f} (target <= 1.15): {'met' if worst <= 1.15 else 'NOT met'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if worst <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
