"""Group the operation graph into a block hierarchy and name each block's kind.

Blocks follow the module tree. A container's kind is read from the structure of
the operations it merges, not from its class name:

- ``residual``: output = branch + shortcut (identity, a projection with weights, or a
  parameter-free path such as the CIFAR ResNets' subsample-and-zero-pad "option A");
- ``inception``: two or more disjoint parallel branches concatenated;
- ``dense``: the block's input concatenated with what it computed;
- ``se``: a global-pool -> FC/1x1 -> sigmoid gate multiplied onto the features;
- ``repvgg``: two or more short conv/BN (or BN-only) branches summed;
- ``highway``: H(x)*T(x) + x*(1-T(x)), a sigmoid gate T and its carry 1-T;
- ``separable``: a depthwise convolution followed by a pointwise one;
- otherwise ``sequential``.

Leaves (module calls and function calls) keep their leaf kind: conv, linear, norm,
act, pool, dropout, other; ``input`` and ``output`` mark the network's ends.

The edge into a merge node is labelled by its role: ``skip`` (the shortcut of a
residual block or the carry of a highway block), ``gate`` (an SE or highway gate),
``branch`` (a branch of an inception, repvgg or dense merge); all others are ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.graph.ops import INPUT_ID, MERGE_OPS, OUTPUT_ID, paused_gc
from explorer.graph.receptive import receptive_fields

if TYPE_CHECKING:  # a tree is built from a ModelGraph, but reading one needs no torch
    import networkx as nx

    from explorer.graph.trace import ModelGraph

CONTAINER_KINDS = (
    "residual",
    "inception",
    "dense",
    "se",
    "repvgg",
    "highway",
    "separable",
    "sequential",
)
LEAF_KINDS = ("conv", "linear", "norm", "act", "pool", "dropout", "other", "input", "output")
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


@dataclass
class Block:
    """One block: a module, a later call of a leaf module, or a function call."""

    id: str
    parent: str | None
    kind: str
    type: str
    depth: int
    is_leaf: bool
    executed: bool = True
    children: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    params: int = 0
    macs: int = 0
    in_shapes: list[list[int]] = field(default_factory=list)
    out_shape: list[int] | None = None
    branches: int = 0
    traits: list[str] = field(default_factory=list)
    motif: Motif | None = None
    hparams: dict[str, Any] = field(default_factory=dict)
    op: str | None = None  # leaf operation (conv2d, add ...), None for containers
    order: int = 0
    rf: int | None = None  # receptive field of the output, in input pixels
    rf_stride: int | None = None  # its stride (jump) relative to the input
    output_node: str | None = None

    @property
    def label(self) -> str:
        if self.id in (INPUT_ID, OUTPUT_ID):
            return self.id[1:]
        return self.id.rpartition(".")[2] if ":" not in self.id else self.id.rpartition(":")[2]


@dataclass
class BlockTree:
    """The block hierarchy of a :class:`ModelGraph`."""

    graph: ModelGraph
    blocks: dict[str, Block]
    node_block: dict[str, str]  # graph node -> the leaf block it makes

    @property
    def root(self) -> Block:
        return self.blocks[""]

    def ancestors(self, block_id: str) -> list[str]:
        """Ids from the block's parent up to the root."""
        out = []
        b = self.blocks[block_id].parent
        while b is not None:
            out.append(b)
            b = self.blocks[b].parent
        return out

    def count(self, kind: str, trait: bool = False) -> int:
        """Blocks of a kind (``trait=True``: blocks whose own merges show that motif)."""
        if trait:
            return sum(1 for b in self.blocks.values() if kind in b.traits)
        return sum(1 for b in self.blocks.values() if b.kind == kind)


def build_blocks(mg: ModelGraph) -> BlockTree:
    """Group ``mg``'s nodes into blocks along the module tree and classify each block."""
    with paused_gc():
        return _build_blocks(mg)


def _build_blocks(mg: ModelGraph) -> BlockTree:
    g = mg.g
    blocks: dict[str, Block] = {}
    node_block: dict[str, str] = {}

    def parent_of(qual: str) -> str:
        return qual.rpartition(".")[0] if "." in qual else ""

    def ensure_module_block(qual: str) -> Block:
        b = blocks.get(qual)
        if b is not None:
            return b
        mod = mg.modules.get(qual)
        parent = None if qual == "" else parent_of(qual)
        if parent is not None:
            ensure_module_block(parent)
        b = Block(
            id=qual,
            parent=parent,
            kind="sequential",
            type=type(mod).__name__ if mod is not None else "?",
            depth=0 if qual == "" else qual.count(".") + 1,
            is_leaf=False,
            params=mg.module_params(qual),
        )
        blocks[qual] = b
        if parent is not None:
            blocks[parent].children.append(qual)
        return b

    ensure_module_block("")
    nodes_sorted = sorted(g.nodes, key=lambda n: g.nodes[n]["order"])
    for nid in nodes_sorted:
        d = g.nodes[nid]
        if d["op"] == "module":
            qual = d["module"]
            parent = parent_of(qual)
            ensure_module_block(parent)
            # a later call of the same module (relu@1) adds no parameters of its own
            b = Block(
                id=nid,
                parent=parent,
                kind=d["kind"],
                type=d["target"],
                depth=qual.count(".") + 1,
                is_leaf=True,
                params=mg.module_params(qual) if nid == qual else 0,
                hparams=d.get("hparams", {}),
                op=d["target"],
            )
        else:
            scope = d.get("scope", "")
            ensure_module_block(scope)
            parent = scope
            b = Block(
                id=nid,
                parent=parent,
                kind=d["kind"],
                type=d["target"],
                depth=blocks[scope].depth + 1,
                is_leaf=True,
                op=d["name"],
            )
        if nid in blocks:  # a module called as leaf that was created as container parent
            old = blocks[nid]
            b.children = old.children
        else:
            blocks[parent].children.append(nid)
        blocks[nid] = b
        b.nodes = [nid]
        b.macs = int(d.get("macs", 0))
        b.in_shapes = list(d.get("in_shapes") or [])
        b.out_shape = d.get("out_shape")
        b.order = d["order"]
        node_block[nid] = nid

    # Modules that never ran (inception_v3's AuxLogits at inference): listed, not drawn.
    for qual in mg.modules:
        parent = parent_of(qual)
        if qual and qual not in blocks and parent in blocks and not blocks[parent].is_leaf:
            ensure_module_block(qual)

    # Subtree node lists, MACs and order.
    def collect(bid: str) -> list[str]:
        b = blocks[bid]
        if b.is_leaf:
            return b.nodes
        nodes: list[str] = []
        for c in b.children:
            nodes.extend(collect(c))
        b.nodes = sorted(nodes, key=lambda n: g.nodes[n]["order"])
        b.macs = sum(int(g.nodes[n].get("macs", 0)) for n in b.nodes)
        b.executed = bool(b.nodes)
        b.order = g.nodes[b.nodes[0]]["order"] if b.nodes else 10**9
        return b.nodes

    collect("")
    # Children in execution order; drop unexecuted modules below an unexecuted parent.
    for b in list(blocks.values()):
        b.children.sort(key=lambda c: blocks[c].order)
    _prune_unexecuted(blocks)

    # Boundary shapes of containers.
    for b in blocks.values():
        if b.is_leaf or not b.nodes:
            continue
        inside = set(b.nodes)
        ins: list[list[int]] = []
        seen: set[str] = set()
        last_out = None
        for n in b.nodes:
            for p in g.predecessors(n):
                if p not in inside and p not in seen:
                    seen.add(p)
                    shape = g.edges[p, n].get("shape")
                    if shape is not None:
                        ins.append(shape)
            if any(s not in inside for s in g.successors(n)):
                last_out = n
        b.in_shapes = ins
        if last_out is None:
            last_out = b.nodes[-1]
        b.out_shape = g.nodes[last_out].get("out_shape")
        b.output_node = last_out
    rfs = receptive_fields(g)
    for b in blocks.values():
        node = b.nodes[0] if b.is_leaf and b.nodes else b.output_node
        if node is not None and node in rfs:
            b.rf, b.rf_stride = rfs[node]

    tree = BlockTree(graph=mg, blocks=blocks, node_block=node_block)
    _classify(tree)
    return tree


def _prune_unexecuted(blocks: dict[str, Block]) -> None:
    """Keep an unexecuted module only where its parent ran (e.g. inception_v3's AuxLogits)."""
    drop = [
        bid
        for bid, b in blocks.items()
        if not b.executed and b.parent is not None and not blocks[b.parent].executed
    ]
    for bid in drop:
        del blocks[bid]
    for b in blocks.values():
        if drop:
            b.children = [c for c in b.children if c in blocks]
    for b in blocks.values():
        if not b.executed:
            b.children = []


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


def _classify(tree: BlockTree) -> None:
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


def block_to_dict(b: Block) -> dict[str, Any]:
    """The summary JSON's view of one block."""
    return {
        "id": b.id,
        "kind": b.kind,
        "type": b.type,
        "parent": b.parent,
        "params": int(b.params),
        "macs": int(b.macs),
        "in_shapes": b.in_shapes,
        "out_shape": b.out_shape,
        "branches": int(b.branches),
        "traits": b.traits,
        "shortcut": b.motif.shortcut if b.motif is not None else None,
        "executed": b.executed,
        "op": b.op,
        "rf": b.rf,
        "rf_stride": b.rf_stride,
        "hparams": b.hparams,
    }
