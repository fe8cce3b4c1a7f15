"""Probes: what one forward pass reveals, collected with forward hooks (Qt-free).

One pass collects, without keeping every activation:

- the mean and standard deviation of every block's output, per image;
- the selected block's output (its feature maps) with per-channel statistics;
- the gate vector of every squeeze-and-excitation block;
- the mean transform gate of every highway block.

Statistics are reduced on the device where the model runs, as sums and sums of squares
(``std = sqrt(E[x^2] - E[x]^2)``, the population standard deviation over all elements
of one image's output): ``tensor.std`` is several times slower on a CPU. A hook
computes them at once, so an in-place ReLU that later overwrites a BatchNorm output
does not change what was measured; the feature maps are cloned for the same reason.

Hooks are borrowed, then returned: they are removed and the model's training flag is
restored even when the forward pass raises. Which module call to hook for each block is the
plan's (:mod:`explorer.runtime.probe_plan`); the curves drawn from a result are
:mod:`explorer.runtime.probe_curves`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

    from explorer.runtime.probe_plan import ProbePlan, Target


@dataclass
class ProbeResult:
    """What one probed forward pass measured, on the CPU.

    ``mean`` and ``std`` are ``[len(block_ids), batch]``: row ``i`` belongs to
    ``block_ids[i]``; blocks are in the graph's order (a container before its children).
    """

    block_ids: list[str]
    kinds: list[str]
    out_shapes: list[tuple[int, ...]]
    mean: np.ndarray
    std: np.ndarray
    se_gates: dict[str, np.ndarray]  # block -> [batch, channels]
    highway_gates: dict[str, np.ndarray]  # block -> [batch]
    feature_block: str | None = None  # the block asked for (features None: no module shows it)
    features: torch.Tensor | None = None  # [batch, C, H, W] (or [batch, N])
    channel_mean: np.ndarray | None = None  # [batch, C]
    channel_std: np.ndarray | None = None  # [batch, C]
    batch: int = 1
    #: how the pass was probed: "graph" (reductions in the traced graph) or "hooks"
    method: str = "hooks"

    def block_stats(self, image: int = 0) -> list[dict[str, Any]]:
        """One dict per block for image ``image``: id, kind, out_shape, mean, std."""
        return [
            {
                "id": b,
                "kind": k,
                "out_shape": list(s),
                "mean": float(self.mean[i, image]),
                "std": float(self.std[i, image]),
            }
            for i, (b, k, s) in enumerate(
                zip(self.block_ids, self.kinds, self.out_shapes, strict=True)
            )
        ]

    def stat(self, block_id: str, image: int = 0) -> tuple[float, float]:
        i = self.block_ids.index(block_id)
        return float(self.mean[i, image]), float(self.std[i, image])

    def channel_order(self, image: int = 0) -> np.ndarray:
        """Channels of the feature maps, most active (largest mean) first."""
        if self.channel_mean is None:
            return np.arange(0)
        return np.argsort(-self.channel_mean[image], kind="stable")


# -- collecting ---------------------------------------------------------------------------------


def _first_tensor(value: Any) -> torch.Tensor | None:
    import torch

    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, list | tuple) and value and isinstance(value[0], torch.Tensor):
        return value[0]
    return None


def _sums(t: torch.Tensor, batch: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Per image: sum and sum of squares over all elements, in float32.

    For one image both are 0-d tensors (stacked later): every torch call saved counts, as
    this runs once per block in the pass.
    """
    import torch

    if t.dim() == 0 or t.shape[0] != batch or not t.is_floating_point():
        return None
    if t.requires_grad:
        t = t.detach()
    if t.dtype != torch.float32:
        t = t.float()
    if batch == 1:  # a dot product is the fastest sum of squares of one vector
        v = t.reshape(-1)
        return v.sum(), torch.dot(v, v)
    flat = t.reshape(batch, -1)
    norm = torch.linalg.vector_norm(flat, dim=1)
    return flat.sum(1), norm * norm


def _moments(s1: np.ndarray, s2: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = s1 / n
    var = np.maximum(s2 / n - mean * mean, 0.0)
    return mean, np.sqrt(var)


class _Collector:
    """The hooks' shared state during one probed pass."""

    def __init__(
        self,
        plan: ProbePlan,
        batch: int,
        feature: Target | None,
        stats: bool,
        requested: str | None = None,
    ):
        self.plan = plan
        self.requested = requested
        self.batch = batch
        self.feature = feature
        # module -> {call index: [(role, target)]}
        self.by_module: dict[str, dict[int, list[tuple[str, Target]]]] = {}
        if stats:
            for t in plan.stats:
                if t.block not in plan.alias:
                    self._add("stat", t)
        for t in plan.se:
            self._add("se", t)
        for t in plan.highway:
            self._add("hw", t)
        if feature is not None and not feature.pre:
            self._add("feature", feature)
        self.stats_on = stats
        self.sums: dict[str, tuple[torch.Tensor, torch.Tensor, int]] = {}
        self.se: dict[str, torch.Tensor] = {}
        self.hw: dict[str, torch.Tensor] = {}
        self.features: torch.Tensor | None = None

    def _add(self, role: str, t: Target) -> None:
        self.by_module.setdefault(t.module, {}).setdefault(t.call, []).append((role, t))

    def hook(self, name: str):  # noqa: ANN201 - a torch hook
        jobs_by_call = self.by_module[name]
        count = [0]
        take = self._take

        def fn(_mod: nn.Module, _inp: Any, out: Any) -> None:
            jobs = jobs_by_call.get(count[0])
            count[0] += 1
            if jobs:
                t = _first_tensor(out)
                if t is not None:
                    for role, target in jobs:
                        take(role, target, t)

        return fn

    def pre_hook(self, call: int):  # noqa: ANN201 - a torch hook
        count = [0]

        def fn(_mod: nn.Module, inp: Any) -> None:
            k = count[0]
            count[0] += 1
            t = _first_tensor(inp)
            if k == call and t is not None and self.feature is not None:
                self._take("feature", self.feature, t)

        return fn

    def _take(self, role: str, target: Target, t: torch.Tensor) -> None:
        b = self.batch
        if role == "stat":
            sums = _sums(t, b)
            if sums is not None:
                self.sums[target.block] = (sums[0], sums[1], t.numel() // b)
        elif role == "se" and t.shape[0] == b:
            self.se[target.block] = t.detach().reshape(b, -1).float()
        elif role == "hw" and t.shape[0] == b:
            self.hw[target.block] = t.detach().reshape(b, -1).float().mean(1)
        elif role == "feature" and t.shape[0] == b:
            # a clone: an in-place op later in the pass would change a view
            self.features = t.detach().float().clone()

    def result(self) -> ProbeResult:
        return assemble(
            self.plan,
            self.batch,
            self.sums if self.stats_on else None,
            self.se,
            self.hw,
            self.features,
            self.requested,
        )


def assemble(
    plan: ProbePlan,
    batch: int,
    sums: dict[str, tuple[torch.Tensor, torch.Tensor, int]] | None,
    se: dict[str, torch.Tensor],
    hw: dict[str, torch.Tensor],
    features: torch.Tensor | None,
    requested: str | None,
    method: str = "hooks",
    known: dict[str, tuple[np.ndarray, np.ndarray, int]] | None = None,
) -> ProbeResult:
    """The :class:`ProbeResult` of what one pass collected, however it was collected.

    ``sums``: block -> (sum, sum of squares, elements per image) of its output, on the
    device (``None``: statistics were not asked for); ``known``: the same already on the
    CPU in float64 ([batch] each), for blocks whose sums were worked out rather than reduced;
    ``se``: block -> gates [batch, C]; ``hw``: block -> mean gate [batch]; ``features``: the
    requested block's output.
    """
    import torch

    b = batch
    known = known or {}
    rows = []
    for t in plan.stats if sums is not None else ():
        src = plan.alias.get(t.block, t.block)
        got = sums.get(src) or known.get(src)  # type: ignore[union-attr]
        if got is not None:
            rows.append((t.block, src in sums, *got))  # type: ignore[operator]
    ids = [r[0] for r in rows]
    if rows:
        # [rows, batch] (0-d sums of one image become [rows, 1])
        s1 = np.empty((len(rows), b))
        s2 = np.empty((len(rows), b))
        dev = [i for i, r in enumerate(rows) if r[1]]
        if dev:
            s1[dev] = torch.stack([rows[i][2] for i in dev]).double().cpu().numpy().reshape(-1, b)
            s2[dev] = torch.stack([rows[i][3] for i in dev]).double().cpu().numpy().reshape(-1, b)
        cpu = [i for i, r in enumerate(rows) if not r[1]]
        if cpu:
            s1[cpu] = np.stack([rows[i][2] for i in cpu])
            s2[cpu] = np.stack([rows[i][3] for i in cpu])
        n = np.array([[r[4]] for r in rows], dtype=np.float64)
        mean, std = _moments(s1, s2, n)
    else:
        mean = std = np.zeros((0, b))
    res = ProbeResult(
        block_ids=ids,
        kinds=[plan.kinds.get(i, "other") for i in ids],
        out_shapes=[plan.shapes.get(i, ()) for i in ids],
        mean=mean,
        std=std,
        se_gates={k: v.cpu().numpy() for k, v in se.items()},
        highway_gates={k: v.cpu().numpy() for k, v in hw.items()},
        batch=b,
        method=method,
    )
    res.feature_block = requested
    if features is not None:
        f = features
        flat = f.reshape(b, f.shape[1], -1) if f.dim() > 2 else f.reshape(b, -1, 1)
        n_el = flat.shape[2]
        c1 = flat.sum(2).double()
        c2 = torch.linalg.vecdot(flat, flat).double()
        cm, cs = _moments(c1.cpu().numpy(), c2.cpu().numpy(), np.float64(n_el))
        res.features = f.cpu()
        res.channel_mean, res.channel_std = cm, cs
    return res


@contextmanager
def probing(
    model: nn.Module,
    plan: ProbePlan,
    batch: int,
    feature_block: str | None = None,
    stats: bool = True,
) -> Iterator[list[ProbeResult]]:
    """Hooks on ``model`` for one forward pass of ``batch`` images.

    Yields a list that holds the :class:`ProbeResult` once the block exits without
    error. The hooks are removed and ``model.training`` restored in every case.
    """
    feature = plan.feature_target(feature_block) if feature_block else None
    col = _Collector(plan, batch, feature, stats, feature_block)
    modules = dict(model.named_modules())
    handles = []
    was_training = model.training
    out: list[ProbeResult] = []
    try:
        model.eval()
        for name in col.by_module:
            if name in modules:
                handles.append(modules[name].register_forward_hook(col.hook(name)))
        if feature is not None and feature.pre and feature.module in modules:
            m = modules[feature.module]
            handles.append(m.register_forward_pre_hook(col.pre_hook(feature.call)))
        yield out
        out.append(col.result())
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)


def run_probes(
    model: nn.Module, x: torch.Tensor, plan: ProbePlan, feature_block: str | None = None
) -> tuple[torch.Tensor, ProbeResult]:
    """One probed forward pass of ``x`` under ``torch.inference_mode``: (logits, result)."""
    import torch

    with torch.inference_mode(), probing(model, plan, x.shape[0], feature_block) as res:
        logits = logits_of(model(x))
    return logits, res[0]


def logits_of(out: Any) -> torch.Tensor:
    """The logits of a model's output (Inception's named tuples included)."""
    if hasattr(out, "logits"):
        out = out.logits
    t = _first_tensor(out)
    if t is None:
        raise TypeError(f"the model returned {type(out).__name__}, not a tensor")
    return t
