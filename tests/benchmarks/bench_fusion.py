"""RepVGG fused vs unfused latency, side by side in one run, with timm's own fusion as anchor.

For each model three versions of the same weights are timed: the training-time model (three
branches per block), ours (:func:`explorer.studies.fusion.repvgg.fuse_repvgg`) and timm's
``reparameterize_model``. The BatchNorms are calibrated first (random weights), and the
outputs of the three are compared before timing. Each version gets warm-up runs, then the
three run interleaved (unfused, ours, timm; the order reversed every other round) so that
machine noise hits all of them, and the medians are reported with the ratios
unfused / ours (the speed-up of fusion) and timm / ours (should be ~1.0: the same conv).
A row is marked UNRELIABLE when the load average exceeded the core count (another process
was computing) or a version's slowest run took more than 2x its fastest.

    .venv/bin/python tests/benchmarks/bench_fusion.py [--models repvgg_a0,repvgg_b0]
        [--batches 1,32] [--size 224] [--repeats 5] [--warmup 2] [--device cpu|cuda]
        [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("CNN_EXPLORER_OFFLINE", "1")


def measure(name: str, batches: list[int], size: int, repeats: int, warmup: int, device: str):  # noqa: ANN201
    import torch
    from timm.utils.model import reparameterize_model

    from explorer.models.registry import get
    from explorer.studies.fusion.repvgg import (
        calibrate_bn,
        check_equivalence,
        compare_latency,
        fuse_repvgg,
    )

    torch.manual_seed(0)
    model = get(name).build().to(device)
    calibrate_bn(model, n_batches=2, batch=8, size=64)
    rep = fuse_repvgg(model)
    ours, timm_fused = rep.model, reparameterize_model(model)
    x = torch.randn(2, 3, size, size, device=device)
    eq = check_equivalence(model, ours, x)
    eq_timm = check_equivalence(timm_fused, ours, x)
    rows = []
    for b in batches:
        x = torch.randn(b, 3, size, size, device=device)
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        times: dict[str, list[float]] = {}
        med = compare_latency(
            {"unfused": model, "ours": ours, "timm": timm_fused}, x, repeats, warmup, times
        )
        spread = max(max(v) / min(v) for v in times.values())
        load1 = os.getloadavg()[0]
        rows.append(
            {
                "model": name,
                "batch": b,
                "size": size,
                "device": device,
                "unfused_ms": med["unfused"],
                "ours_ms": med["ours"],
                "timm_ms": med["timm"],
                "speedup": med["unfused"] / med["ours"],
                "timm_over_ours": med["timm"] / med["ours"],
                "ours_img_s": b / med["ours"] * 1e3,
                "unfused_img_s": b / med["unfused"] * 1e3,
                "max_rel_diff": eq["max_rel_diff"],
                "max_rel_diff_vs_timm": eq_timm["max_rel_diff"],
                "params": [rep.params_before, rep.params_after],
                "convs": [rep.convs_before, rep.convs_after],
                "loadavg": [load0, load1],
                "spread": spread,
                # another process on the CPUs, or runs more than 2x apart: don't trust it
                "unreliable": spread > 2 or max(load0, load1) > (os.cpu_count() or 1) + 0.5,
                "times_ms": times,
                "wall_s": time.perf_counter() - t0,
            }
        )
        print(_row(rows[-1]), flush=True)
    return rows


def _row(r: dict) -> str:
    return (
        f"| {r['model']} | {r['batch']} | {r['unfused_ms']:.1f} | {r['ours_ms']:.1f} | "
        f"{r['timm_ms']:.1f} | {r['speedup']:.2f} | {r['timm_over_ours']:.2f} | "
        f"{r['max_rel_diff']:.1e} | {r['loadavg'][0]:.1f}-{r['loadavg'][1]:.1f} | "
        f"{r['spread']:.2f}{' UNRELIABLE' if r['unreliable'] else ''} |"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="repvgg_a0")
    p.add_argument("--batches", default="1,32")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    import torch

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, "
        f"{args.size}x{args.size}, median of {args.repeats} (after {args.warmup} warm-up)"
    )
    print(
        "| model | batch | unfused ms | ours ms | timm ms | unfused/ours | timm/ours "
        "| max rel diff | load avg | slowest/fastest |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for m in args.models.split(","):
        rows += measure(
            m,
            [int(s) for s in args.batches.split(",")],
            args.size,
            args.repeats,
            args.warmup,
            args.device,
        )
    for r in rows:
        print(
            f"{r['model']} batch {r['batch']}: fused {r['speedup']:.2f}x faster than unfused "
            f"({r['unfused_img_s']:.1f} -> {r['ours_img_s']:.1f} img/s); timm's fused / ours "
            f"{r['timm_over_ours']:.2f}"
        )
    if any(r["unreliable"] for r in rows):
        print(
            "UNRELIABLE: other processes were using the CPUs (load average above the core "
            "count) or a version's runs were more than 2x apart; rerun on an idle machine"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
