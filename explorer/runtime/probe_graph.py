"""Probes in the traced graph: the reductions are calls in the graph, not module hooks.

The model's traced graph (:class:`explorer.graph.trace.ModelGraph`'s ``fx_graph``, or the
segments of a lesioned network run one after another) is copied, and right after each node
whose value a probe needs a call is inserted: the sum and sum of squares of a block's output,
a copy of the selected block's output, a gate vector. The :class:`torch.fx.GraphModule` made
from it returns the network's output and the probes' values; no module hook is registered or
dispatched (torch's hook dispatch costs ~25 us a hooked call here, ~4 ms for resnet50's ~160).

A call placed right after the node sees the value the hook would have seen: an in-place
ReLU that follows a BatchNorm runs after it.

The probed module is made once per network, plan and feature block and kept while the network
lives (:func:`prober_for`); a network that fx cannot trace, or one this module does not know
how to rebuild, is probed with hooks (:mod:`explorer.runtime.probes`).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.runtime.probe_calls import (
    add_into,
    probe_channel_sums,
    probe_copy,
    probe_gate,
    probe_gate_mean,
    probe_sums,
)
from explorer.runtime.probes import ProbeResult, assemble, logits_of, probing

if TYPE_CHECKING:
    import torch
    from torch import fx, nn

    from explorer.runtime.probe_plan import ProbePlan

#: ``method`` of :func:`probe_pass`
METHODS = ("auto", "graph", "hooks")


# -- the probed module ----------------------------------------------------------------------------


@dataclass
class _Probe:
    role: str  # "stat", "feature", "se", "hw"; after probed_graph also "bn", "bn-input"
    block: str
    node: str  # the fx node it reads
    index: int = -1  # its value among those the probed module returns
    module: str | None = None  # "bn": the BatchNorm whose output it stands for


@dataclass
class GraphProber:
    """A network with its probes in the graph: ``prober(x)`` -> (logits, ProbeResult)."""

    gm: fx.GraphModule
    root: nn.Module
    plan: ProbePlan
    probes: list[_Probe]
    feature_block: str | None
    stats: bool
    device: Any = None
    _modules: list[Any] | None = field(default=None, repr=False)
    _unseen: list[Any] | None = field(default=None, repr=False)  # modules the graph never calls
    _bn: Any = field(default=None, repr=False)  # the BatchNorms, their tensors' keys, (a, b)

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, ProbeResult]:
        if self.device != x.device:  # the module's own constants follow the input
            self.gm.to(x.device)
            self.device = x.device
        # the pass runs in eval mode; a module left in training mode goes back to it after
        # (train()/eval() on the root walk every module twice: ~1 ms a resnet50 pass)
        if self._modules is None:
            self._modules = list(self.root.modules())
        training = [m for m in self._modules if m.training]
        try:
            if training:
                self.root.eval()
            # forward(), not __call__: GraphModule's __call__ prints its generated code and a
            # traceback on stderr when a layer raises, before the error reaches its one line
            out, values = self.gm.forward(x)
        finally:
            for m in training:
                m.training = True
        return logits_of(out), self._result(values, x.shape[0])

    def bypassed(self) -> bool:
        """Whether a module the graph does not call (the model itself, a container) has
        hooks or a ``forward`` of its own set since it was traced: the graph would skip
        them, so the pass must run the model as it is (with hooks)."""
        if self._unseen is None:
            called = {str(n.target) for n in self.gm.graph.nodes if n.op == "call_module"}
            self._unseen = [m for q, m in self.root.named_modules() if q not in called]
        return any(
            m._forward_hooks or m._forward_pre_hooks or "forward" in m.__dict__
            for m in self._unseen
        )

    def _result(self, values: tuple[Any, ...], batch: int) -> ProbeResult:
        sums: dict[str, tuple[Any, Any, int]] = {}
        se: dict[str, Any] = {}
        hw: dict[str, Any] = {}
        features = None
        for p in self.probes:
            if p.role in ("bn", "bn-input"):
                continue
            v = values[p.index]
            if v is None:
                continue
            if p.role == "stat":
                if v[0].numel() == batch:
                    sums[p.block] = v
            elif p.role == "feature":
                features = v if v.shape[0] == batch else None
            elif v.shape[0] == batch:
                (se if p.role == "se" else hw)[p.block] = v
        return assemble(
            self.plan,
            batch,
            sums if self.stats else None,
            se,
            hw,
            features,
            self.feature_block,
            method="graph",
            known=self._derived(values, batch),
        )

    def _derived(self, values: tuple[Any, ...], batch: int) -> dict[str, Any]:
        """The sums of the BatchNorm outputs and of their inputs, from the inputs' per-channel
        sums, all BatchNorms at once (float64). A BatchNorm in eval maps channel c as
        ``y = a_c x + b_c``: sum y = a_c S1 + n b_c, sum y^2 = a_c^2 S2 + 2 a_c b_c S1 + n b_c^2.
        """
        import numpy as np
        import torch

        index = sorted({p.index for p in self.probes if p.role in ("bn", "bn-input")})
        got = [values[i] for i in index]
        if not index or any(v is None or v[0].shape[0] != batch for v in got):
            return {}
        c1 = torch.cat([v[0] for v in got], 1).double().cpu().numpy()  # [batch, channels]
        c2 = torch.cat([v[1] for v in got], 1).double().cpu().numpy() ** 2
        widths = [v[0].shape[1] for v in got]
        starts = np.cumsum([0, *widths[:-1]])
        n = np.array([v[2] for v in got], dtype=np.float64)  # elements per channel
        a, b, b_sum, bb_sum = self._affine(index, widths)
        s1_in = np.add.reduceat(c1, starts, axis=1)  # [batch, segments]
        s2_in = np.add.reduceat(c2, starts, axis=1)
        s1_bn = np.add.reduceat(c1 * a, starts, axis=1) + n * b_sum
        s2_bn = (
            np.add.reduceat(c2 * (a * a), starts, axis=1)
            + 2.0 * np.add.reduceat(c1 * (a * b), starts, axis=1)
            + n * bb_sum
        )
        seg = {i: k for k, i in enumerate(index)}
        out: dict[str, Any] = {}
        for p in self.probes:
            k = seg.get(p.index)
            if k is None:
                continue
            per_image = int(n[k]) * widths[k]
            if p.role == "bn":
                out[p.block] = (s1_bn[:, k], s2_bn[:, k], per_image)
            else:
                out[p.block] = (s1_in[:, k], s2_in[:, k], per_image)
        return out

    def _affine(self, index: list[int], widths: list[int]) -> tuple[Any, ...]:
        """(a, b) of every BatchNorm side by side in the order of ``index``, and the sums of
        b and b^2 of each: a = weight / sqrt(running_var + eps), b = bias - running_mean * a.
        Kept until one of their tensors is replaced or changed (new weights, another device).
        """
        import numpy as np

        if self._bn is None:
            by_index = {p.index: p.module for p in self.probes if p.role == "bn"}
            mods = [self.root.get_submodule(by_index[i]) for i in index]  # type: ignore[arg-type]
            self._bn = (mods, None, None)
        mods, key, cached = self._bn
        names = ("weight", "bias", "running_mean", "running_var")
        tensors = [m._parameters.get(k, m._buffers.get(k)) for m in mods for k in names]
        try:
            now: Any = [
                (id(t), t.data_ptr(), t._version) if t is not None else None for t in tensors
            ]
        except RuntimeError:  # an inference tensor has no version counter: work it out
            now = None
        if now is not None and now == key and cached is not None:
            return cached
        a_parts, b_parts = [], []
        for m in mods:
            a = 1.0 / np.sqrt(m.running_var.detach().double().cpu().numpy() + m.eps)
            if m.weight is not None:
                a = a * m.weight.detach().double().cpu().numpy()
            b = -m.running_mean.detach().double().cpu().numpy() * a
            if m.bias is not None:
                b = b + m.bias.detach().double().cpu().numpy()
            a_parts.append(a)
            b_parts.append(b)
        if [len(a) for a in a_parts] != widths:
            raise ValueError("a BatchNorm's width differs from its input's channels")
        a_all, b_all = np.concatenate(a_parts), np.concatenate(b_parts)
        starts = np.cumsum([0, *widths[:-1]])
        cached = (
            a_all,
            b_all,
            np.add.reduceat(b_all, starts),
            np.add.reduceat(b_all * b_all, starts),
        )
        self._bn = (mods, now, cached)
        return cached


def _node_of(plan: ProbePlan, block: str, fx_name: str | None) -> str | None:
    """The fx node whose value is ``block``'s output (a container's: its output node's)."""
    if fx_name is not None:
        return fx_name
    tree = plan.tree
    b = tree.blocks.get(block) if tree is not None else None
    if b is None:
        return None
    out = b.output_node or (b.nodes[-1] if b.nodes else None)
    if out is None or out not in tree.graph.g:
        return None
    name = tree.graph.g.nodes[out].get("fx")
    return str(name) if name is not None else None


def _wanted(
    plan: ProbePlan, feature_block: str | None, stats: bool, lesioned: bool = False
) -> list[_Probe]:
    """What to read where, by fx node name, in the plan's order.

    In a ``lesioned`` network (a chain of traced segments) a container is measured only where
    it returns a layer's output, as the hooks see it (:meth:`ProbePlan.remapped`).
    """
    out: list[_Probe] = []
    if stats:
        for t in plan.stats:
            if t.block in plan.alias or (lesioned and t.fx is None):
                continue  # measured once, under the block it returns
            node = _node_of(plan, t.block, t.fx)
            if node is not None:
                out.append(_Probe("stat", t.block, node))
    for role, targets in (("se", plan.se), ("hw", plan.highway)):
        for t in targets:
            if t.fx is not None:
                out.append(_Probe(role, t.block, t.fx))
    if feature_block:
        block = plan.alias.get(feature_block, feature_block)
        fx_name = next((t.fx for t in plan.stats if t.block == block), None)
        node = _node_of(plan, block, fx_name)
        if node is not None:
            out.append(_Probe("feature", feature_block, node))
    return out


_CALLS = {"stat": probe_sums, "feature": probe_copy, "se": probe_gate, "hw": probe_gate_mean}

_BN_TYPES: tuple[type, ...] = ()


def _derivable_bn(node: fx.Node, modules: dict[str, Any]) -> bool:
    """A BatchNorm call whose output is an affine map of its input, channel by channel (it
    runs on its running statistics): its output's sums follow from its input's per-channel
    sums, and it need not be read again."""
    global _BN_TYPES
    from torch import fx, nn

    if not _BN_TYPES:
        _BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
    if node.op != "call_module" or len(node.args) != 1 or node.kwargs:
        return False
    m = modules.get(str(node.target))
    return (
        type(m) in _BN_TYPES
        and m.track_running_stats
        and m.running_mean is not None
        and m.running_var is not None
        and isinstance(node.args[0], fx.Node)
    )


def probed_graph(
    graph: fx.Graph, probes: list[_Probe], modules: dict[str, Any] | None = None
) -> tuple[fx.Graph, list[_Probe]]:
    """A copy of ``graph`` with each probe's call right after the node it reads, returning
    ``(the network's output, (the probes' values ...))``; probes whose node the graph lacks
    (a deleted block's) are left out of the list returned, and each probe kept says where its
    value is (``index``).

    With the network's ``modules``, a BatchNorm output measured is not read: the per-channel
    sums of its input are, right before it (role ``bn``), and where that input is measured
    too and feeds only the BatchNorm (a convolution's output), its sums are those channel
    sums added up (role ``bn-input``): one reduction instead of two for each pair.
    """
    from torch import fx

    new = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    out = new.graph_copy(graph, env)
    by_name = {n.name: n for n in new.nodes}
    stat_nodes = {p.node for p in probes if p.role == "stat"}
    bn_of_input: dict[str, str] = {}  # an input measured through its BatchNorm -> that BN
    derived: set[str] = set()  # BatchNorm nodes measured from their input's channels
    if modules is not None:
        for name in stat_nodes:
            node = by_name.get(name)
            if node is None or not _derivable_bn(node, modules):
                continue
            derived.add(name)
            src = node.args[0]
            if src.name in stat_nodes and set(src.users) == {node}:
                bn_of_input[src.name] = name
    kept: list[_Probe] = []
    values: list[fx.Node] = []
    last_after: dict[str, fx.Node] = {}
    channel_sums: dict[str, int] = {}  # BatchNorm node -> index of its input's channel sums

    def channels_of(bn: fx.Node) -> int:
        if bn.name not in channel_sums:
            with new.inserting_before(bn):  # the input as the BatchNorm sees it
                values.append(new.call_function(probe_channel_sums, (bn.args[0],)))
            channel_sums[bn.name] = len(values) - 1
        return channel_sums[bn.name]

    for p in probes:
        node = by_name.get(p.node)
        if node is None or node.op in ("output", "get_attr"):
            continue
        if p.role == "stat" and p.node in derived:
            kept.append(_Probe("bn", p.block, p.node, channels_of(node), str(node.target)))
            continue
        if p.role == "stat" and p.node in bn_of_input:
            kept.append(
                _Probe("bn-input", p.block, p.node, channels_of(by_name[bn_of_input[p.node]]))
            )
            continue
        # after the node and the probes already placed after it: they run in the plan's order
        with new.inserting_after(last_after.get(p.node, node)):
            call = new.call_function(_CALLS[p.role], (node,))
        last_after[p.node] = call
        values.append(call)
        kept.append(_Probe(p.role, p.block, p.node, len(values) - 1))
    new.output((out, tuple(values)))
    if modules is not None:
        _restore_in_place(new, modules, set(values))
    new.lint()
    return new, kept


_FRESH: tuple[type, ...] = ()  # layers whose output is a new tensor, never a view


def _restore_in_place(graph: fx.Graph, modules: dict[str, Any], probes: set[fx.Node]) -> None:
    """Sums whose first operand is a layer's new output read by nothing after the sum (but
    the probes placed before it) are made in place (:func:`~explorer.runtime.probe_calls.add_into`)."""
    global _FRESH
    import operator

    import torch
    from torch import fx, nn

    if not _FRESH:
        _FRESH = (nn.modules.conv._ConvNd, nn.modules.batchnorm._BatchNorm, nn.Linear)
    for n in graph.nodes:
        if n.op != "call_function" or n.target not in (operator.add, torch.add):
            continue
        if len(n.args) != 2 or n.kwargs:
            continue
        a = n.args[0]
        if not isinstance(a, fx.Node) or a.op != "call_module" or a is n.args[1]:
            continue
        if not isinstance(modules.get(str(a.target)), _FRESH):
            continue
        if all(u is n or u in probes for u in a.users):
            n.target = add_into


def chained_graph(segments: list[fx.GraphModule]) -> fx.Graph:
    """One graph running ``segments`` (graphs of one input each) one after another.

    Node names stay those of the segments (each node but an input lives in one segment), so
    the plan's node names find them.
    """
    from torch import fx

    new = fx.Graph()
    x: Any = None
    for i, seg in enumerate(segments):
        env: dict[fx.Node, fx.Node] = {}
        inputs = [n for n in seg.graph.nodes if n.op == "placeholder"]
        if len(inputs) != 1:
            raise ValueError(f"segment {i} takes {len(inputs)} inputs, not one")
        env[inputs[0]] = new.placeholder("x") if x is None else x
        out = None
        for n in seg.graph.nodes:
            if n.op == "placeholder":
                continue
            if n.op == "output":
                out = fx.map_arg(n.args[0], env.__getitem__)
                break
            env[n] = new.node_copy(n, env.__getitem__)
        x = out
    new.output(x)
    return new


# -- which networks, and the cache -----------------------------------------------------------------


def _source(model: Any, plan: ProbePlan) -> tuple[fx.Graph, nn.Module, bool] | None:
    """The graph to probe for ``model``, the module that owns its layers and whether it is a
    lesioned network; None where
    ``model`` is not the plan's traced network (nor a lesioned one of its segments)."""
    from torch import fx

    mg = plan.tree.graph if plan.tree is not None else None
    if mg is None or mg.fx_graph is None or mg.root is None:
        return None  # traced with hooks: no graph to put the probes in
    if model is mg.root:
        return mg.fx_graph, mg.root, False
    segments = getattr(model, "segments", None)
    if getattr(model, "root", None) is mg.root and segments:
        if all(isinstance(s, fx.GraphModule) for s in segments):
            return chained_graph(list(segments)), mg.root, True
    return None


_cache: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], GraphProber | None]] = (
    weakref.WeakKeyDictionary()
)
_cache_lock = threading.Lock()


def prober_for(
    model: Any, plan: ProbePlan, feature_block: str | None = None, stats: bool = True
) -> GraphProber | None:
    """The probed module of ``model`` (the plan's network, or a lesioned network of its
    segments), made on first use and kept while ``model`` lives; None where the probes must
    be hooks (an untraced network, a graph that cannot be rebuilt).

    The key is the network object and the plan (a lesioned network is a new object for each
    set of deleted blocks; a fused one is another analysis with its own plan and model), with
    the feature block: a different selection is another module, made once.
    """
    key = (id(plan), feature_block, stats)
    with _cache_lock:
        try:
            per_model = _cache.setdefault(model, {})
        except TypeError:  # not weakly referable: made each time
            per_model = {}
        if key in per_model:
            got = per_model[key]
            if got is None or got.plan is plan:
                return got
        prober = _make(model, plan, feature_block, stats)
        per_model[key] = prober
        return prober


def _make(
    model: Any, plan: ProbePlan, feature_block: str | None, stats: bool
) -> GraphProber | None:
    from torch import fx

    src = _source(model, plan)
    if src is None:
        return None
    graph, root, lesioned = src
    try:
        modules = dict(root.named_modules())
        new, kept = probed_graph(graph, _wanted(plan, feature_block, stats, lesioned), modules)
        gm = fx.GraphModule(root, new, "Probed")
    except Exception:  # noqa: BLE001 - a graph fx cannot rebuild: hooks do the work
        return None
    return GraphProber(gm, root, plan, kept, feature_block, stats)


def probe_pass(
    model: Any,
    x: torch.Tensor,
    plan: ProbePlan,
    feature_block: str | None = None,
    method: str = "auto",
) -> tuple[torch.Tensor, ProbeResult]:
    """One probed forward pass of ``x`` (already on the model's device), in the caller's
    ``inference_mode``: probes in the graph where it can be (``auto``), else hooks.

    ``auto`` also takes hooks where a module the graph does not call has hooks or a replaced
    ``forward`` (:meth:`GraphProber.bypassed`). ``method="graph"`` raises ValueError where
    the graph cannot carry the probes;
    ``"hooks"`` always hooks. ``plan`` is the model's (a lesioned network's is remapped here
    for the hooks).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    prober = prober_for(model, plan, feature_block) if method != "hooks" else None
    if prober is not None and method == "auto" and prober.bypassed():
        prober = None  # hooks someone set on the model (or a forward replaced) must run
    if prober is not None:
        return prober(x)
    if method == "graph":
        raise ValueError("this network has no traced graph to put the probes in")
    # a lesioned network runs the original model's modules: the hooks go on those, and a
    # call of a module is counted among the calls that remain
    hooked = getattr(model, "root", None) or model
    if hasattr(model, "module_calls"):
        plan = plan.remapped(model.module_calls())
    with probing(hooked, plan, x.shape[0], feature_block) as res:
        logits = logits_of(model(x))
    return logits, res[0]
