"""A block's kind, read from the structure of the operations it merges (not its class name).

- ``residual``: output = branch + shortcut (identity, a projection with weights, or a
  parameter-free path such as the CIFAR ResNets' subsample-and-zero-pad "option A");
- ``inception``: two or more disjoint parallel branches concatenated;
- ``dense``: the block's input concatenated with what it computed;
- ``se``: a global-pool -> FC/1x1 -> sigmoid gate multiplied onto the features;
- ``repvgg``: two or more short conv/BN (or BN-only) branches summed;
- ``highway``: H(x)*T(x) + x*(1-T(x)), a sigmoid gate T and its carry 1-T;
- ``separable``: a depthwise convolution followed by a pointwise one;
- otherwise ``sequential``.

The edge into a merge node is labelled by its role: ``skip`` (the shortcut of a
residual block or the carry of a highway block), ``gate`` (an SE or highway gate),
``branch`` (a branch of an inception, repvgg or dense merge); all others are ``data``.
The grouping of the graph into blocks is :mod:`explorer.graph.blocks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.graph.ops import MERGE_OPS

if TYPE_CHECKING:
    import networkx as nx

    from explorer.graph.blocks import Block, BlockTree

#: edge kinds by precedence: where one edge stands for several, the highest kind labels it
EDGE_RANK = {"data": 0, "branch": 1, "gate": 2, "skip": 3}

_PASS_THROUGH_TYPES = {"Identity", "DropPath", "StochasticDepth", "Dropout"}


@dataclass
class Motif:
    """A merge that gives a block its kind."""

    kind: str
    merge: str
    branches: list[list[str]]  # node ids of each branch (after the common part)
    operands: list[str]  # the node whose output enters the merge, per branch
    shortcut: str | None = None  # identity | projection | parameter-free (residual)
    gate: list[str] = field(default_factory=list)  # gate path (se, highway)


# -- classification --------------------------------------------------------------------


def _ancestors_within(g: nx.DiGraph, start: str, allowed: set[str]) -> set[str]:
    """``start`` and its ancestors, walking only through ``allowed`` nodes."""
    if start not in allowed:
        return set()
    seen = {start}
    stack = [start]
    while stack:
        n = stack.pop()
        for p in g.predecessors(n):
            if p in allowed and p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def _is_pass_through(g: nx.DiGraph, n: str) -> bool:
    d = g.nodes[n]
    return (d["kind"] == "dropout" or d.get("target") in _PASS_THROUGH_TYPES) and g.in_degree(
        n
    ) == 1


def _shortcut_kind(g: nx.DiGraph, short: list[str]) -> str:
    """identity (nothing, or nn.Identity), parameter-free (ops without weights), projection."""
    if all(g.nodes[n].get("target") == "Identity" for n in short):
        return "identity"
    if not any(g.nodes[n]["params"] for n in short):
        return "parameter-free"
    return "projection"


def is_gate_act(d: dict[str, Any]) -> bool:
    text = f"{d.get('name', '')} {d.get('target', '')}".lower()
    return d["kind"] == "act" and ("sigmoid" in text or "gate" in text)


def _merge_name(d: dict[str, Any]) -> str | None:
    if d["op"] not in ("function", "method"):
        return None
    return MERGE_OPS.get(d["name"].strip("_"))


def _operands(g: nx.DiGraph, m: str) -> list[str]:
    return sorted(g.predecessors(m), key=lambda n: g.nodes[n]["order"])


def classify(tree: BlockTree) -> None:
    """Give every executed container of ``tree`` its kind, traits and motif; label the edges
    into its merges (skip, gate, branch)."""
    g = tree.graph.g
    for b in tree.blocks.values():
        if b.is_leaf or not b.executed:
            continue
        inside = set(b.nodes)
        merges = [
            n
            for n in b.nodes
            if g.nodes[n].get("scope") == b.id
            and _merge_name(g.nodes[n]) is not None
            and g.in_degree(n) >= 2
        ]
        absorbed: set[str] = set()
        motifs: list[Motif] = []
        for m in reversed(merges):  # from the output backwards, so outer sums absorb inner
            if m in absorbed:
                continue
            motif = _classify_merge(g, m, inside, b.id, absorbed)
            if motif is not None:
                motifs.append(motif)
        motifs.reverse()
        traits = [mo.kind for mo in motifs]
        if motifs:
            main = motifs[-1]
            b.kind = main.kind
            b.motif = main
            b.branches = len(main.branches)
        elif _is_separable(g, tree, b):
            b.kind = "separable"
            traits.append("separable")
        b.traits = sorted(set(traits))
        for mo in motifs:
            _label_edges(g, mo)


def _classify_merge(
    g: nx.DiGraph, m: str, inside: set[str], scope: str, absorbed: set[str]
) -> Motif | None:
    d = g.nodes[m]
    op = _merge_name(d)
    ops = _operands(g, m)
    if op == "add":
        # Flatten a chain of sums (a + b) + c, stepping over DropPath/Identity.
        flat: list[str] = []
        stack = list(ops)
        while stack:
            p = stack.pop(0)
            q = p
            while q in inside and _is_pass_through(g, q) and g.out_degree(q) == 1:
                q = next(iter(g.predecessors(q)))
            qd = g.nodes[q]
            if (
                q in inside
                and qd.get("scope") == scope
                and _merge_name(qd) == "add"
                and g.out_degree(q) == 1
                and g.in_degree(q) >= 2
            ):
                absorbed.add(q)
                if q != p:
                    absorbed.add(p)
                stack = _operands(g, q) + stack
            else:
                flat.append(p)
        ops = flat
    if len(ops) < 2:
        return None
    anc = [_ancestors_within(g, p, inside) for p in ops]
    common = set.intersection(*anc) if anc else set()
    branches = [sorted(a - common, key=lambda n: g.nodes[n]["order"]) for a in anc]

    if op == "add":
        hw = _highway(g, m, ops, anc, inside)
        if hw is not None:
            return hw
        if _repvgg(g, ops, branches):
            return Motif("repvgg", m, branches, ops)
        if len(ops) == 2:
            i_short = 0 if len(branches[0]) <= len(branches[1]) else 1
            main = branches[1 - i_short]
            if any(g.nodes[n]["kind"] in ("conv", "linear", "norm") for n in main) or any(
                g.nodes[n]["params"] for n in main
            ):
                short = branches[i_short]
                return Motif(
                    "residual",
                    m,
                    [main, short],
                    [ops[1 - i_short], ops[i_short]],
                    shortcut=_shortcut_kind(g, short),
                )
        return None
    if op == "cat":
        if all(branches) and _pairwise_disjoint(branches):
            return Motif("inception", m, branches, ops)
        if any(p not in inside for p in ops) and any(branches):
            return Motif("dense", m, branches, ops)
        return None
    if op == "mul" and len(ops) == 2:
        shapes = [g.nodes[p].get("out_shape") or [] for p in ops]

        def spatial(s: list[int]) -> int:
            n = 1
            for v in s[2:]:
                n *= v
            return n

        for gi in (0, 1):
            xi = 1 - gi
            sg, sx = shapes[gi], shapes[xi]
            if len(sg) >= 3 and spatial(sg) == 1 and spatial(sx) > 1:
                gate = branches[gi]
                if any(is_gate_act(g.nodes[n]) for n in gate):
                    return Motif("se", m, [branches[xi], gate], [ops[xi], ops[gi]], gate=gate)
    return None


def _pairwise_disjoint(sets: list[list[str]]) -> bool:
    seen: set[str] = set()
    for s in sets:
        ss = set(s)
        if seen & ss:
            return False
        seen |= ss
    return True


def _repvgg(g: nx.DiGraph, ops: list[str], branches: list[list[str]]) -> bool:
    """Two or more short branches, each ending in a norm with at most one conv before it."""
    if len(ops) < 2 or not all(branches):
        return False
    for op_node, br in zip(ops, branches, strict=True):
        q = op_node
        while _is_pass_through(g, q):
            q = next(iter(g.predecessors(q)))
        if g.nodes[q]["kind"] != "norm":
            return False
        convs = [n for n in br if g.nodes[n]["kind"] == "conv"]
        if len(convs) > 1 or len(br) > 4:
            return False
    return True


def _highway(
    g: nx.DiGraph, m: str, ops: list[str], anc: list[set[str]], inside: set[str]
) -> Motif | None:
    """y = H*T + x*(1-T): both operands are products sharing a sigmoid gate."""
    if len(ops) != 2:
        return None
    if not all(_merge_name(g.nodes[p]) == "mul" and p in inside for p in ops):
        return None
    shared = anc[0] & anc[1]
    gates = [n for n in shared if is_gate_act(g.nodes[n])]
    if not gates:
        return None
    t = max(gates, key=lambda n: g.nodes[n]["order"])
    gate_path = sorted(
        (n for n in (anc[0] | anc[1]) if t in _ancestors_within(g, n, inside)),
        key=lambda n: g.nodes[n]["order"],
    )
    gate_set = set(gate_path)
    # carry: the product operand that does not come from the gate or from H
    carry_mul = None
    carry_src = None
    for p in ops:
        for q in _operands(g, p):
            if q not in gate_set and not any(
                g.nodes[n]["params"] for n in _ancestors_within(g, q, inside)
            ):
                carry_mul, carry_src = p, q
    h_mul = ops[0] if carry_mul == ops[1] else ops[1]
    h_branch = sorted(
        anc[0 if h_mul == ops[0] else 1] - gate_set - {h_mul}, key=lambda n: g.nodes[n]["order"]
    )
    motif = Motif(
        "highway",
        m,
        [h_branch, gate_path],
        [h_mul, carry_mul or ops[1]],
        gate=[n for n in gate_path if n not in ops],
    )
    motif.shortcut = "identity"
    if carry_src is not None:
        g.edges[carry_src, carry_mul]["kind"] = "skip"
    for p in ops:
        for q in _operands(g, p):
            if q in gate_set:
                _set_edge(g, q, p, "gate")
    return motif


def _set_edge(g: nx.DiGraph, u: str, v: str, kind: str) -> None:
    if not g.has_edge(u, v):
        # an operand of a flattened sum (a + b) + c enters through an inner sum
        for s in g.successors(u):
            if _merge_name(g.nodes[s]) == "add" or _is_pass_through(g, s):
                _set_edge(g, u, s, kind)
        return
    cur = g.edges[u, v].get("kind", "data")
    if EDGE_RANK[kind] >= EDGE_RANK[cur]:
        g.edges[u, v]["kind"] = kind


def _label_edges(g: nx.DiGraph, mo: Motif) -> None:
    if mo.kind == "residual":
        _set_edge(g, mo.operands[1], mo.merge, "skip")
    elif mo.kind == "se":
        _set_edge(g, mo.operands[1], mo.merge, "gate")
    elif mo.kind in ("inception", "repvgg", "dense"):
        for p in mo.operands:
            _set_edge(g, p, mo.merge, "branch")


def _is_separable(g: nx.DiGraph, tree: BlockTree, b: Block) -> bool:
    """A depthwise conv followed by a pointwise (1x1) conv among the block's direct leaves."""
    seen_dw = False
    for c in b.children:
        cb = tree.blocks[c]
        if not cb.is_leaf or cb.kind != "conv":
            continue
        hp = cb.hparams
        groups = hp.get("groups", 1)
        cin = hp.get("in_channels", 0)
        k = hp.get("kernel_size", [])
        if groups > 1 and groups == cin:
            seen_dw = True
        elif seen_dw and groups == 1 and k and all(v == 1 for v in k):
            return True
    return False
