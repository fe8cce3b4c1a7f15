"""Block deletion (lesions), as in Veit et al. 2016, by surgery on the traced graph (Qt-free).

What deleting a block means depends on its kind:

- ``residual``: the residual branch is removed and the shortcut kept (identity or projection):
  the sum is replaced by its shortcut operand;
- an ``inception`` branch: its output is replaced by zeros, so the concatenation keeps its shape;
- ``se``: the gate is fixed to 1 (the product is replaced by the features);
- a ``repvgg`` branch (unfused): removed from the sum;
- ``highway``: carry only (T = 0; the sum is replaced by the carried input);
- any other block: only where its input and output shapes are equal (it becomes the identity);
  otherwise the deletion is refused with the reason.

Deleted parts are not computed at all: the graph's dead code is removed.

The traced graph is cut into a chain of *segments* wherever a single tensor carries everything
forward (between the residual blocks of a ResNet, between the layers of a VGG). A lesioned
network is the chain with the affected segments replaced, so a sweep that deletes one block at
a time reuses the activations before that block (prefix caching).
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    import torch
    from torch import fx, nn

    from explorer.graph.analysis import Analysis


class LesionError(ExplorerError, ValueError):
    """A deletion that cannot be made; ``str()`` says why, in one line."""


@dataclass(frozen=True)
class Deletion:
    """How one block is deleted: replace every use of fx node ``node`` by ``replacement``.

    ``replacement`` is an fx node name, or ``zeros:<C>:<ref>`` (zeros with ``C`` channels
    and the batch and spatial size of node ``ref``).
    """

    block: str
    action: str
    node: str
    replacement: str

    def describe(self) -> str:
        return f"{self.block}: {self.action}"


# -- which node to replace, by kind ----------------------------------------------------------------


def _fx(an: Analysis, nid: str) -> str:
    name = an.graph.g.nodes[nid].get("fx")
    if name is None:
        raise LesionError(f"{nid}: not in the traced graph")
    return str(name)


def _external_input(an: Analysis, block_id: str) -> str | None:
    """The one node outside the block that feeds it, or None."""
    inside = set(an.tree.blocks[block_id].nodes)
    srcs = {p for n in inside for p in an.graph.g.predecessors(n) if p not in inside}
    return next(iter(srcs)) if len(srcs) == 1 else None


def _output_node(an: Analysis, block_id: str) -> str | None:
    b = an.tree.blocks[block_id]
    return b.output_node or (b.nodes[-1] if b.nodes else None)


def plan_deletion(an: Analysis, block_id: str) -> Deletion:
    """How to delete ``block_id``; :class:`LesionError` with the reason when it can't be."""
    if an.graph.fx_graph is None:
        raise LesionError(
            f"{an.spec.name}: blocks can be deleted only in a model torch.fx can trace"
        )
    tree, g = an.tree, an.graph.g
    if block_id not in tree.blocks:
        raise LesionError(f"no block '{block_id}' in {an.spec.name}")
    b = tree.blocks[block_id]
    if block_id in ("", "@input", "@output"):
        raise LesionError(f"'{block_id or 'the model'}' cannot be deleted")
    if not b.executed:
        raise LesionError(f"{block_id}: never runs in the forward pass")
    mo = b.motif
    if mo is not None and b.kind == "residual":
        return Deletion(
            block_id, "residual branch removed, shortcut kept", _fx(an, mo.merge),
            _fx(an, mo.operands[1]),
        )  # fmt: skip
    if mo is not None and b.kind == "se":
        return Deletion(block_id, "gate fixed to 1", _fx(an, mo.merge), _fx(an, mo.operands[0]))
    if mo is not None and b.kind == "highway":
        carry = _fx(an, mo.operands[1])
        return Deletion(block_id, "carry only (T = 0)", _fx(an, mo.merge), f"carry:{carry}")
    parent = tree.blocks.get(b.parent) if b.parent is not None else None
    if parent is not None and parent.motif is not None and parent.kind in ("inception", "repvgg"):
        pm = parent.motif
        mine = set(an.tree.blocks[block_id].nodes)
        for branch, op in zip(pm.branches, pm.operands, strict=False):
            if op in mine or (branch and set(branch) <= mine):
                if parent.kind == "repvgg":
                    return Deletion(
                        block_id, "branch removed from the sum", _fx(an, op), "drop-from-sum"
                    )
                others = [o for o in pm.operands if o != op]
                shape = g.nodes[op].get("out_shape") or []
                if not others or len(shape) < 2:
                    break
                return Deletion(
                    block_id, "branch output set to zero", _fx(an, op),
                    f"zeros:{shape[1]}:{_fx(an, others[0])}",
                )  # fmt: skip
    if b.kind in ("inception", "repvgg"):
        raise LesionError(
            f"{block_id}: delete one of its branches ({', '.join(b.children[:4])} ...)"
        )
    out = _output_node(an, block_id)
    src = _external_input(an, block_id)
    shape_in = g.nodes[src].get("out_shape") if src else None
    shape_out = b.out_shape
    if out is None or src is None:
        raise LesionError(f"{block_id}: it has several inputs; it cannot become the identity")
    if shape_in != shape_out:
        raise LesionError(
            f"{block_id}: its output {_fmt(shape_out)} differs from its input {_fmt(shape_in)}; "
            "removing it would break the shapes"
        )
    return Deletion(block_id, "identity (input passed through)", _fx(an, out), _fx(an, src))


def _fmt(shape: Sequence[int] | None) -> str:
    return "x".join(str(s) for s in shape[1:]) if shape else "?"


def deletable_units(an: Analysis) -> list[str]:
    """The blocks a sweep deletes one by one.

    Residual and highway blocks where there are any; else the branches of RepVGG and
    inception blocks; else
    the convolutions and linear layers whose input and output shapes are equal (a VGG's).
    """
    blocks = sorted(an.tree.blocks.values(), key=lambda b: b.order)
    units = [b.id for b in blocks if b.kind in ("residual", "highway") and b.executed]
    if units:
        return units
    grouped = [b for b in blocks if b.kind in ("repvgg", "inception") and b.executed]
    if grouped:  # their branches
        branches = []
        for b in grouped:
            for c in b.children:
                try:
                    if "branch" in plan_deletion(an, c).action:
                        branches.append(c)
                except LesionError:
                    continue
        return branches
    out = []
    for b in blocks:
        if b.is_leaf and b.kind in ("conv", "linear") and b.executed:
            try:
                plan_deletion(an, b.id)
            except LesionError:
                continue
            out.append(b.id)
    return out


# -- surgery -------------------------------------------------------------------------------------


def zeros_channels(ref: torch.Tensor, channels: int) -> torch.Tensor:
    """Zeros with ``channels`` channels and ``ref``'s batch, spatial size, dtype and device."""
    import torch

    shape = (ref.shape[0], channels, *ref.shape[2:])
    return torch.zeros(shape, dtype=ref.dtype, device=ref.device)


_SUMS = (operator.add, operator.iadd, "add", "add_", "__add__", "__iadd__")


def _is_sum(n: fx.Node) -> bool:
    import torch

    return n.target in _SUMS or n.target is torch.add


def apply_deletions(
    graph: fx.Graph, deletions: Iterable[Deletion], root: nn.Module, name: str = "Lesioned"
) -> fx.GraphModule:
    """A module running a copy of ``graph`` with the deletions made and dead code removed."""
    from torch import fx

    new = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    out = new.graph_copy(graph, env)
    new.output(out)
    by_name = {n.name: n for n in new.nodes}
    for d in deletions:
        node = by_name.get(d.node)
        if node is None:
            continue  # already removed with a deleted block around it
        repl = _replacement(new, node, d, by_name)
        if repl is None:
            continue
        node.replace_all_uses_with(repl, delete_user_cb=lambda u, r=repl: u is not r)
    gm = fx.GraphModule(root, new, name)
    gm.graph.eliminate_dead_code()  # the deleted parts are no longer computed
    gm.graph.lint()
    gm.recompile()
    return gm


def _replacement(
    graph: fx.Graph, node: fx.Node, d: Deletion, by_name: dict[str, fx.Node]
) -> fx.Node | None:
    from torch import fx

    r = d.replacement
    if r.startswith("zeros:"):
        _, c, ref = r.split(":", 2)
        # before the first user: the reference operand is defined by then
        first = min(node.users, key=lambda u: _position(graph, u))
        with graph.inserting_before(first):
            return graph.call_function(zeros_channels, (by_name[ref], int(c)))
    if r == "drop-from-sum":
        # a + b: the sum that takes the branch becomes the other operand
        for user in list(node.users):
            if _is_sum(user):
                others = [a for a in user.args if a is not node]
                if len(others) == 1 and isinstance(others[0], fx.Node):
                    user.replace_all_uses_with(others[0])
                    return None
        raise LesionError(f"{d.block}: its sum was not found in the graph")
    if r.startswith("carry:"):
        carry = by_name[r[6:]]  # x * (1 - T): keep x, the operand that is not the gate
        cands = [a for a in carry.args if isinstance(a, fx.Node)]
        plain = [a for a in cands if not _depends_on_gate(a)]
        return plain[0] if plain else cands[0]
    return by_name[r]


def _position(graph: fx.Graph, node: fx.Node) -> int:
    for i, n in enumerate(graph.nodes):
        if n is node:
            return i
    return -1


def _depends_on_gate(n: fx.Node) -> bool:
    """``1 - T`` (a subtraction from a number) rather than the carried tensor."""
    return (n.op == "call_function" and n.target is operator.sub) or (
        n.op == "call_method" and n.target in ("sub", "rsub", "__rsub__")
    )


# -- the chain of segments -----------------------------------------------------------------------


def cut_points(graph: fx.Graph) -> list[fx.Node]:
    """Nodes after which their own value is the only one still needed (in graph order)."""
    nodes = [n for n in graph.nodes if n.op not in ("get_attr", "output")]
    index = {n: i for i, n in enumerate(nodes)}
    last = {n: index[n] for n in nodes}
    for n in nodes + [next(iter(reversed(graph.nodes)))]:
        for a in n.all_input_nodes:
            if a in last:
                last[a] = max(last[a], index.get(n, len(nodes)))
    cuts = []
    open_: set[fx.Node] = set()
    for i, n in enumerate(nodes):
        open_ = {m for m in open_ if last[m] > i}
        if last[n] > i:
            open_.add(n)
        if open_ == {n} and _is_tensor_like(n):
            cuts.append(n)
    return cuts


def _is_tensor_like(n: fx.Node) -> bool:
    return n.op in ("placeholder", "call_module", "call_function", "call_method")


def _segment(graph: fx.Graph, start: fx.Node | None, end: fx.Node | None) -> fx.Graph:
    """The nodes after ``start`` up to ``end`` (the output when None) as a graph of one input."""
    from torch import fx

    seg = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    nodes = list(graph.nodes)
    i0 = 0 if start is None else nodes.index(start) + 1
    if start is not None:
        env[start] = seg.placeholder(start.name)
    for n in nodes[i0:]:
        if n.op == "output":
            seg.output(graph_copy_arg(n.args[0], env))
            break
        for a in n.all_input_nodes:
            if a not in env and a.op == "get_attr":
                env[a] = seg.node_copy(a, lambda x: env[x])
        env[n] = seg.node_copy(n, lambda x: env[x])
        if n is end:
            seg.output(env[n])
            break
    return seg


def graph_copy_arg(arg: Any, env: dict) -> Any:
    from torch import fx

    return fx.map_arg(arg, lambda x: env[x])


class Chain:
    """The traced model as segments run one after another; deletions replace segments."""

    def __init__(self, an: Analysis, max_segments: int = 400):
        self.an = an
        graph = an.graph.fx_graph
        if graph is None:
            raise LesionError(f"{an.spec.name}: blocks can be deleted only in a traced model")
        self.root = an.graph.root
        self.graph = graph
        cuts = [c for c in cut_points(graph) if c.op != "placeholder"]
        if len(cuts) > max_segments:
            step = len(cuts) / max_segments
            cuts = [cuts[int(i * step)] for i in range(max_segments)]
        bounds: list[fx.Node | None] = [None, *cuts, None]
        self.segments: list[fx.Graph] = [
            _segment(graph, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        self.where: dict[str, int] = {}  # node name -> the segment that computes it
        self.names: list[set[str]] = []  # per segment: what it computes or takes as input
        for i, seg in enumerate(self.segments):
            names = set()
            for n in seg.nodes:
                if n.op not in ("output", "get_attr"):
                    names.add(n.name)
                    if n.op != "placeholder":
                        self.where[n.name] = i
            self.names.append(names)
        self._modules: dict[int, fx.GraphModule] = {}
        self.last: tuple[frozenset[str], LesionedModel, list[Deletion]] | None = None

    def module(self, i: int) -> fx.GraphModule:
        from torch import fx

        if i not in self._modules:
            self._modules[i] = fx.GraphModule(self.root, self.segments[i], f"segment{i}")
        return self._modules[i]

    def segment_of(self, d: Deletion) -> int | None:
        """The one segment that holds the whole deletion, or None (it spans segments)."""
        i = self.where.get(d.node)
        if i is None:
            return None
        r = d.replacement
        refs = [r.rsplit(":", 1)[-1]] if r.startswith(("zeros:", "carry:")) else [r]
        refs = [x for x in refs if x != "drop-from-sum"]
        return i if all(x in self.names[i] for x in refs) else None

    def lesioned(self, deletions: Sequence[Deletion]) -> LesionedModel:
        """A module computing the network with ``deletions`` made."""
        by_seg: dict[int, list[Deletion]] = {}
        whole = False
        for d in deletions:
            s = self.segment_of(d)
            if s is None:
                whole = True
                break
            by_seg.setdefault(s, []).append(d)
        if whole:  # one graph for everything
            return LesionedModel([apply_deletions(self.graph, deletions, self.root)], self.root)
        mods = [
            apply_deletions(seg, by_seg[i], self.root, f"segment{i}")
            if i in by_seg
            else self.module(i)
            for i, seg in enumerate(self.segments)
        ]
        return LesionedModel(mods, self.root)


def _call(segment: Any, x: torch.Tensor) -> torch.Tensor:
    """A segment's forward. A traced segment's generated forward is called directly: calling
    the GraphModule would print its generated code and a traceback on stderr when a user's
    layer raises, before the error reaches the one line that reports it."""
    from torch import fx

    if isinstance(segment, fx.GraphModule):
        return segment.forward(x)
    return segment(x)


class LesionedModel:
    """Callable like a model: the segments in order.

    The segments call the original model's modules (``root``), so ``to``/``eval`` act on
    it and hooks registered on its modules (probes) see the lesioned network's values.
    """

    def __init__(self, segments: Sequence[Any], root: nn.Module | None = None):
        self.segments = list(segments)
        self.root = root

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        for s in self.segments:
            x = _call(s, x)
        return x

    def run_from(self, i: int, h: torch.Tensor) -> torch.Tensor:
        for s in self.segments[i:]:
            h = _call(s, h)
        return h

    def module_calls(self) -> dict[str, list[str]]:
        """Module qualname -> the graph nodes that call it, in the order they run."""
        calls: dict[str, list[str]] = {}
        for seg in self.segments:
            for n in seg.graph.nodes:
                if n.op == "call_module":
                    calls.setdefault(str(n.target), []).append(n.name)
        return calls

    @property
    def training(self) -> bool:
        return bool(self.root is not None and self.root.training)

    def to(self, *args: Any, **kwargs: Any) -> LesionedModel:
        for m in [self.root, *self.segments]:
            if m is not None:
                m.to(*args, **kwargs)  # buffers a segment holds of its own move too
        return self

    def train(self, mode: bool = True) -> LesionedModel:
        for m in [self.root, *self.segments]:
            if m is not None:
                m.train(mode)
        return self

    def eval(self) -> LesionedModel:
        return self.train(False)


_CHAIN_LOCK = threading.Lock()


def chain_for(an: Analysis) -> Chain:
    """The chain of ``an`` (built once per analysis, shared by every caller and thread)."""
    with _CHAIN_LOCK:
        chain = getattr(an, "_lesion_chain", None)
        if chain is None:
            chain = Chain(an)
            an._lesion_chain = chain  # type: ignore[attr-defined]
        return chain


def lesioned_model(an: Analysis, deleted: Iterable[str]) -> tuple[Any, list[Deletion]]:
    """(a model with ``deleted`` blocks deleted, the deletions made); raises LesionError.

    The last network made for an analysis is kept: asking again for the same blocks (a run
    and an evaluation after one deletion, a run per click) costs nothing.
    """
    deleted = list(deleted)
    chain = chain_for(an)
    key = frozenset(deleted)
    last = chain.last
    if last is not None and last[0] == key:
        return last[1], last[2]
    deletions = [plan_deletion(an, b) for b in deleted]
    net = chain.lesioned(deletions)
    chain.last = (key, net, deletions)
    return net, deletions
