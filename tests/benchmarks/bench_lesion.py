"""Single-deletion sweep: prefix caching vs naive re-evaluation, side by side in one run.

The model is the pretrained CIFAR-10 resnet56 of ../shared/data (a user's own model file,
examples/cifar_resnet.py, with its checkpoint), evaluated on the 1,000 lossless CIFAR-10 test
images; each of its 27 residual blocks is deleted alone (Veit et al. 2016, Fig. 3).

- naive: for every deletion, the whole lesioned network runs on every image;
- prefix: per batch, the intact network runs once, segment by segment, and each deletion
  starts from the activations just before its block.

Both give the same predictions (checked here). They are warmed up, then run interleaved;
the ratio of the medians is reported. Target: prefix / naive <= 0.6.

    .venv/bin/python tests/benchmarks/bench_lesion.py [--repeats 3] [--batch-size 250]
        [--device cpu|cuda] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def setup(device: str):
    import numpy as np
    import torch

    from explorer.graph.analysis import analyze
    from explorer.models import registry
    from explorer.models.checkpoint import load_checkpoint
    from explorer.models.registry import IMAGENET_MEAN, IMAGENET_STD

    spec = registry.get(f"{ROOT / 'examples' / 'cifar_resnet.py'}:resnet56")
    an = analyze(spec, input_size=32)
    load_checkpoint(an.model, SHARED / "checkpoints" / "resnet56-4bfd9763.th")
    an.model.eval().to(device)
    d = np.load(SHARED / "cifar10_test_first1000_lossless.npz")
    x = torch.from_numpy(d["x"]).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return an, (x - mean) / std, torch.from_numpy(d["y"]).long()


def sweep(an, x, y, batch_size: int, prefix: bool, device: str):
    from explorer.runtime.evaluate import quiet
    from explorer.studies.lesion.sweeps import single_sweep

    def batches():
        for i in range(0, x.shape[0], batch_size):
            yield x[i : i + batch_size], y[i : i + batch_size]

    return quiet(single_sweep(an, batches, x.shape[0], device=device, prefix_cache=prefix))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=250)
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: nothing to measure", file=sys.stderr)
        return 2
    import numpy as np
    import torch

    an, x, y = setup(args.device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    results = {}
    for prefix in (True, False):  # warm-up, and the answers to compare
        results[prefix] = sweep(an, x[:50], y[:50], args.batch_size, prefix, args.device)
    times: dict[str, list[float]] = {"prefix": [], "naive": []}
    for r in range(args.repeats):
        order = (True, False) if r % 2 == 0 else (False, True)
        for prefix in order:
            t0 = time.perf_counter()
            results[prefix] = sweep(an, x, y, args.batch_size, prefix, args.device)
            times["prefix" if prefix else "naive"].append(time.perf_counter() - t0)
    (i1, r1), (_i2, r2) = results[True], results[False]
    same = all(np.array_equal(a.preds, b.preds) for a, b in zip(r1, r2, strict=True))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["prefix"] / med["naive"]
    print(f"intact top-1 {i1.top1:.2f} % on {x.shape[0]} images; {len(r1)} single deletions")
    drops = sorted((i1.top1 - r.top1, r.deleted[0]) for r in r1)
    print("  smallest drops: " + ", ".join(f"{b} {d:+.1f}" for d, b in drops[:3]))
    print("  largest drops:  " + ", ".join(f"{b} {d:+.1f}" for d, b in drops[-3:]))
    print(f"naive  {med['naive']:7.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['naive'])})")
    print(
        f"prefix {med['prefix']:7.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['prefix'])})"
    )
    print(f"prefix / naive = {ratio:.3f} (target <= 0.6): {'met' if ratio <= 0.6 else 'NOT met'}")
    print(f"same predictions for every deletion: {same}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"times": times, "ratio": ratio, "same": same, "intact": i1.top1}, indent=1)
        )
    return 0 if ratio <= 0.6 and same else 1


if __name__ == "__main__":
    sys.exit(main())
