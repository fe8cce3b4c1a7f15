"""The probe plan: which module call carries each block's output, and where the gates are.

Made once per model from its block tree (:func:`make_plan`, or :func:`plan_for` an analysis);
a hook can only see a module call, so a container's output is measured at the layer that
returns it, and a function call's at the module call that consumes it. A traced (lesioned)
network calls its modules differently: :meth:`ProbePlan.remapped` follows it. The pass that
uses the plan is :mod:`explorer.runtime.probes`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.graph.blocks import BlockTree


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
            # a hook sees it as the scope's output; the traced graph as this node
            return Target(block_id, scope, 0, fx=d.get("fx"))
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
