"""Time per layer kind: conv 3x3, conv 1x1, depthwise, linear, norms... of one network (no Qt).

What the Density tab shows under a network's bar: an instrumented pass times every leaf
module alone (synchronised hooks), groups the times and the MACs by kind, and so gives each
kind's share of the time and the GFLOP/s it achieves.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from explorer.runtime.inference import autocast, synchronize, timed


def layer_kind(module: nn.Module, graph_kind: str) -> str:
    """``conv 3x3``, ``depthwise 3x3``, ``grouped conv 3x3``, ``linear``, or the graph's kind."""
    if isinstance(module, nn.Conv2d):
        k = "x".join(str(int(v)) for v in module.kernel_size)
        if module.groups == 1:
            return f"conv {k}"
        if module.groups == module.in_channels:
            return f"depthwise {k}"
        return f"grouped conv {k}"
    if isinstance(module, nn.Linear):
        return "linear"
    return "other layers" if graph_kind == "other" else graph_kind


OTHER = "other operations"
OVERHEAD = "hooks (instrumentation)"


@dataclass
class KindRow:
    """One layer kind of one network: how many layers, their MACs, their time."""

    kind: str
    layers: int
    macs: int
    seconds: float
    batch: int

    @property
    def gflops(self) -> float | None:
        if self.macs == 0 or self.seconds <= 0:
            return None
        return 2.0 * self.macs * self.batch / self.seconds / 1e9

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "layers": self.layers,
            "macs_per_image": self.macs,
            "seconds_per_batch": self.seconds,
            "gflops": self.gflops,
        }


def kind_profile(
    model: nn.Module,
    graph: Any,
    x: torch.Tensor,
    repeats: int = 3,
    precision: str = "fp32",
    plain_seconds: float | None = None,
) -> list[KindRow]:
    """Time spent per layer kind, from hooks around every leaf module of ``graph``.

    Each hooked call is synchronised on both sides, so the times are those of the layers
    alone. What the pass spends outside them is ``other operations`` (the functions the
    graph calls outside modules: additions, concatenations...). With ``plain_seconds`` (the
    network's time without hooks) the pass's excess over it is the hooks' own cost, its own
    row :data:`OVERHEAD`, not counted as other operations. The median of ``repeats``
    instrumented passes is used per kind.
    """
    dev = x.device
    modules = dict(model.named_modules())
    kinds: dict[str, str] = {}
    macs: dict[str, int] = {}
    layers: dict[str, int] = {}
    for _, d in graph.g.nodes(data=True):
        if d.get("op") in ("input", "output"):
            continue
        q = d.get("module")
        kind = (
            layer_kind(modules[q], d["kind"]) if d.get("op") == "module" and q in modules else OTHER
        )
        if q in modules:
            kinds[q] = kind
        macs[kind] = macs.get(kind, 0) + int(d.get("macs", 0))
        layers[kind] = layers.get(kind, 0) + 1
    spent: dict[str, list[float]] = {k: [] for k in macs}
    starts: dict[int, list[float]] = {}
    acc: dict[str, float] = {}

    def pre(m: nn.Module, _args: Any) -> None:
        synchronize(dev)
        starts.setdefault(id(m), []).append(time.perf_counter())

    def make_post(kind: str) -> Callable[..., None]:
        def post(m: nn.Module, _args: Any, _out: Any) -> None:
            synchronize(dev)
            acc[kind] = acc.get(kind, 0.0) + time.perf_counter() - starts[id(m)].pop()

        return post

    handles = []
    mode = model.training
    try:
        for q, kind in kinds.items():
            m = modules[q]
            handles.append(m.register_forward_pre_hook(pre))
            handles.append(m.register_forward_hook(make_post(kind)))
        model.eval()
        with torch.inference_mode(), autocast(dev, precision):
            model(x)  # warm-up, untimed
            for _ in range(repeats):
                acc.clear()
                total = timed(lambda: model(x), dev)
                hooked = sum(acc.values())
                this = {k: acc.get(k, 0.0) for k in spent}
                outside = max(0.0, total - hooked)  # functions, and the hooks' own cost
                if plain_seconds is not None:
                    this[OVERHEAD] = min(outside, max(0.0, total - plain_seconds))
                    outside -= this[OVERHEAD]
                this[OTHER] = this.get(OTHER, 0.0) + outside
                for k, v in this.items():
                    spent.setdefault(k, []).append(v)
    finally:
        for h in handles:
            h.remove()
        model.train(mode)
    rows = [
        KindRow(k, layers.get(k, 0), macs.get(k, 0), statistics.median(v), x.shape[0])
        for k, v in spent.items()
    ]
    return sorted(rows, key=lambda r: -r.seconds)
