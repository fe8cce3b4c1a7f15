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
restored even when the forward pass raises.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

    from explorer.graph.blocks import BlockTree

#: levels of the activation-std curve
STD_LEVELS = ("layers", "norm", "blocks")


@dataclass(frozen=True)
class Target:
    """A block whose output a hook can see: the ``call``-th call of module ``module``."""

    block: str
    module: str
    call: int = 0
    pre: bool = False  # seen as the input of the module that consumes it
    fx: str | None = None  # the traced graph's node of that call (None: not a call there)


@dataclass
class ProbePlan:
    """Which module calls carry which block's output; built once per model."""

    stats: list[Target]
    #: container block -> the block whose output it returns (measured once, shown twice)
    alias: dict[str, str]
    se: list[Target]
    highway: list[Target]
    kinds: dict[str, str]
    shapes: dict[str, tuple[int, ...]]
    depth: dict[str, int]
    leaf: dict[str, bool]
    tree: Any = field(repr=False, default=None)
    calls: dict[str, list[str]] | None = None  # set by remapped(): a traced network's calls

    def remapped(self, calls: dict[str, list[str]]) -> ProbePlan:
        """The plan for a traced (e.g. lesioned) network whose modules are called as ``calls``
        says (module -> its call nodes, in order): a call index counts only the calls that
        remain; a target no call carries any more is dropped (its block is deleted)."""

        def move(t: Target) -> Target | None:
            if t.fx is None or t.fx not in calls.get(t.module, ()):
                return None
            return replace(t, call=calls[t.module].index(t.fx))

        stats = [t if t.block in self.alias else move(t) for t in self.stats]
        kept = [t for t in stats if t is not None]
        measured = {t.block for t in kept}
        return replace(
            self,
            stats=[t for t in kept if t.block not in self.alias or self.alias[t.block] in measured],
            se=[m for m in map(move, self.se) if m is not None],
            highway=[m for m in map(move, self.highway) if m is not None],
            calls=calls,
        )

    def feature_target(self, block_id: str) -> Target | None:
        """Where to see ``block_id``'s output, or ``None`` when no module call carries it."""
        # a container's output is its last layer's: that module is called even in a traced
        # (lesioned) network, where the container's own forward is not
        block_id = self.alias.get(block_id, block_id)
        for t in self.stats:
            if t.block == block_id:
                return t
        if self.tree is None or block_id not in self.tree.blocks:
            return None
        t = _consumer_target(self.tree, block_id)
        if t is not None and self.calls is not None:  # a traced network: find that call again
            calls = self.calls.get(t.module, [])
            return replace(t, call=calls.index(t.fx)) if t.fx in calls else None
        return t


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


# -- the plan ---------------------------------------------------------------------------------


def _module_call(node_id: str, module: str) -> int:
    """The call index a graph node id carries: ``layer1.0.relu@1`` is the second call."""
    rest = node_id[len(module) :]
    return int(rest[1:]) if rest.startswith("@") and rest[1:].isdigit() else 0


def _node_target(tree: BlockTree, block_id: str, node: str) -> Target | None:
    """The module call whose output is graph node ``node``."""
    g = tree.graph.g
    d = g.nodes[node]
    if d.get("module"):
        return Target(block_id, d["module"], _module_call(node, d["module"]), fx=d.get("fx"))
    # a function call that ends a module (timm's Sigmoid layer calls x.sigmoid())
    scope = d.get("scope") or ""
    modules = tree.graph.modules
    if scope and scope in modules:
        inside = [n for n in g.nodes if (g.nodes[n].get("scope") or "") == scope]
        if inside and max(inside, key=lambda n: g.nodes[n]["order"]) == node:
            return Target(block_id, scope, 0)
    return None


def _consumer_target(tree: BlockTree, block_id: str) -> Target | None:
    """A function block's output seen as the only input of the module call that follows."""
    b = tree.blocks[block_id]
    node = b.output_node or (b.nodes[-1] if b.nodes else None)
    if node is None:
        return None
    g = tree.graph.g
    for succ in g.successors(node):
        d = g.nodes[succ]
        if d.get("module") and g.in_degree(succ) == 1:
            call = _module_call(succ, d["module"])
            return Target(block_id, d["module"], call, pre=True, fx=d.get("fx"))
    return None


def _gate_node(tree: BlockTree, block_id: str) -> str | None:
    """The sigmoid node of an SE or highway block's gate path."""
    from explorer.graph.motifs import is_gate_act

    b = tree.blocks[block_id]
    if b.motif is None:
        return None
    g = tree.graph.g
    path = b.motif.gate if b.kind == "highway" else b.motif.gate + [b.motif.operands[-1]]
    gates = [n for n in path if n in g and is_gate_act(g.nodes[n])]
    return max(gates, key=lambda n: g.nodes[n]["order"]) if gates else None


def make_plan(tree: BlockTree) -> ProbePlan:
    """Map every block that a module call produces to that call; find SE and highway gates."""
    modules = tree.graph.modules
    stats: list[Target] = []
    blocks = sorted(tree.blocks.values(), key=lambda b: b.order)
    for b in blocks:
        if not b.id or not b.executed or b.out_shape is None:
            continue
        base, _, k = b.id.partition("@")
        if base in modules and (not k or k.isdigit()):
            fx = tree.graph.g.nodes[b.id].get("fx") if b.is_leaf and b.id in tree.graph.g else None
            stats.append(Target(b.id, base, int(k) if k else 0, fx=fx))
    measured = {t.block for t in stats}
    alias: dict[str, str] = {}
    for b in blocks:
        src = tree.node_block.get(b.output_node) if b.output_node else None
        if not b.is_leaf and src and src != b.id and src in measured:
            alias[b.id] = src
    se: list[Target] = []
    hw: list[Target] = []
    for b in blocks:
        if b.kind not in ("se", "highway") or b.motif is None:
            continue
        node = _gate_node(tree, b.id)
        t = _node_target(tree, b.id, node) if node is not None else None
        if t is not None:
            (se if b.kind == "se" else hw).append(t)
    return ProbePlan(
        stats=stats,
        alias=alias,
        se=se,
        highway=hw,
        kinds={b.id: b.kind for b in blocks},
        shapes={b.id: tuple(b.out_shape[1:]) for b in blocks if b.out_shape is not None},
        depth={b.id: b.depth for b in blocks},
        leaf={b.id: b.is_leaf for b in blocks},
        tree=tree,
    )


_PLAN_LOCK = threading.Lock()


def plan_for(an: Any) -> ProbePlan:
    """The probe plan of an analysis (made once, by whichever thread asks first)."""
    with _PLAN_LOCK:
        plan = getattr(an, "_probe_plan", None)
        if plan is None:
            plan = make_plan(an.tree)
            an._probe_plan = plan
        return plan


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
        import torch

        plan, b = self.plan, self.batch
        rows = []
        for t in plan.stats if self.stats_on else ():
            got = self.sums.get(plan.alias.get(t.block, t.block))
            if got is not None:
                rows.append((t.block, *got))
        ids = [r[0] for r in rows]
        if rows:
            # [rows, batch] (0-d sums of one image become [rows, 1])
            s1 = torch.stack([r[1] for r in rows]).double().cpu().numpy().reshape(len(rows), b)
            s2 = torch.stack([r[2] for r in rows]).double().cpu().numpy().reshape(len(rows), b)
            n = np.array([[r[3]] for r in rows], dtype=np.float64)
            mean, std = _moments(s1, s2, n)
        else:
            mean = std = np.zeros((0, b))
        res = ProbeResult(
            block_ids=ids,
            kinds=[plan.kinds.get(i, "other") for i in ids],
            out_shapes=[plan.shapes.get(i, ()) for i in ids],
            mean=mean,
            std=std,
            se_gates={k: v.cpu().numpy() for k, v in self.se.items()},
            highway_gates={k: v.cpu().numpy() for k, v in self.hw.items()},
            batch=b,
        )
        res.feature_block = self.requested
        if self.features is not None:
            f = self.features
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


# -- curves the panels draw ----------------------------------------------------------------


def std_by_layer(
    res: ProbeResult, plan: ProbePlan, level: str = "layers", image: int = 0
) -> tuple[list[str], np.ndarray]:
    """The activation-std curve along the depth: (block ids, std), in execution order.

    ``level``: ``"layers"`` every leaf layer; ``"norm"`` normalisation outputs only (the
    responses the ResNet paper's Fig. 7 plots: after BN, before the nonlinearity);
    ``"blocks"`` the blocks one level below the stages (residual, inception ... units).
    """
    if level not in STD_LEVELS:
        raise ValueError(f"level must be one of {STD_LEVELS}")
    ids, vals = [], []
    unit_depth = _unit_depth(plan)
    for i, b in enumerate(res.block_ids):
        leaf = plan.leaf.get(b, True)
        kind = plan.kinds.get(b, "other")
        if level == "layers":
            keep = leaf
        elif level == "norm":
            keep = leaf and kind == "norm"
        else:
            keep = plan.depth.get(b, 0) == unit_depth and not leaf
        if keep and math.isfinite(res.std[i, image]):
            ids.append(b)
            vals.append(res.std[i, image])
    return ids, np.asarray(vals, dtype=np.float64)


def _unit_depth(plan: ProbePlan) -> int:
    """The depth of the model's repeated units.

    The shallowest depth with a merge block (residual, inception ...); without any (a
    plain network), the depth that holds the most containers (its conv-bn-relu blocks).
    """
    merged = [plan.depth[b] for b, k in plan.kinds.items() if k in _UNIT_KINDS and b]
    if merged:
        return min(merged)
    counts: dict[int, int] = {}
    for b, leaf in plan.leaf.items():
        if b and not leaf:
            counts[plan.depth[b]] = counts.get(plan.depth[b], 0) + 1
    return max(counts, key=lambda d: (counts[d], -d)) if counts else 1


_UNIT_KINDS = ("residual", "inception", "dense", "repvgg", "highway", "separable")


def sorted_descending(values: np.ndarray) -> np.ndarray:
    """The curve sorted by magnitude, largest first (the ResNet paper's lower plot)."""
    return np.sort(np.asarray(values))[::-1]


def se_matrix(res: ProbeResult, image: int = 0) -> tuple[list[str], np.ndarray]:
    """SE gates as a blocks x channels matrix (rows padded with NaN to the widest block)."""
    ids = list(res.se_gates)
    if not ids:
        return [], np.zeros((0, 0))
    width = max(res.se_gates[i].shape[1] for i in ids)
    m = np.full((len(ids), width), np.nan)
    for r, i in enumerate(ids):
        g = res.se_gates[i][image]
        m[r, : g.size] = g
    return ids, m
