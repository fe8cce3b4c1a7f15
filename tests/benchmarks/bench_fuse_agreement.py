"""The window's fusion and ``cnn-explorer fuse`` report the same figures (issue: they drifted).

Both go through ``explorer.app.workflows.fuse.fuse``: the command line with a freshly built
model it gives away, the window with its loaded model under the session's lock (copied, traced
for the graph). This runs both several times, interleaved, in one process, and prints the
speed-up each reports and the ratio of the medians, with the spread of each.

    .venv/bin/python tests/benchmarks/bench_fuse_agreement.py [MODEL] [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import threading

from explorer.app.workflows import drive
from explorer.app.workflows.fuse import FuseSettings, fuse
from explorer.app.workflows.run import load_model, load_weights
from explorer.models.registry import get
from explorer.runtime.pipeline import apply_weights


def main(name: str = "repvgg_small", rounds: int = 5) -> None:
    settings = FuseSettings()
    an = drive(load_model(name))
    info = drive(load_weights(an, "auto", fresh=True))
    lock = threading.Lock()
    cli, win = [], []
    for i in range(rounds):
        for who in ("cli", "window") if i % 2 == 0 else ("window", "cli"):
            if who == "cli":
                spec = get(name)
                model = spec.build()
                winfo = apply_weights(spec, model, "auto")
                out = drive(fuse(spec, model, winfo, settings, own_model=True))
                cli.append(out)
            else:
                out = drive(fuse(an.spec, an.model, info, settings, lock=lock, analysis=an))
                win.append(out)
    for label, outs in (("command line", cli), ("window", win)):
        sp = [o.speedup for o in outs]
        lb = [o.latency_ms["before"] for o in outs]
        la = [o.latency_ms["after"] for o in outs]
        print(
            f"{label:>12}: before {statistics.median(lb):.2f} ms "
            f"[{min(lb):.2f}-{max(lb):.2f}], after {statistics.median(la):.2f} ms "
            f"[{min(la):.2f}-{max(la):.2f}], speed-up x{statistics.median(sp):.2f} "
            f"[{min(sp):.2f}-{max(sp):.2f}]"
        )
    ratio = statistics.median(o.speedup for o in win) / statistics.median(o.speedup for o in cli)
    print(f"window / command line, median speed-up: {ratio:.2f}")
    print(f"max |diff| equal: {cli[0].diff['max_abs_diff'] == win[0].diff['max_abs_diff']}")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["repvgg_small"]), *(int(a) for a in sys.argv[2:3]))
