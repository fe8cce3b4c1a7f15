"""Group the operation graph into a block hierarchy along the module tree.

Every module is a block; a leaf block is one module call (``layer1.0.relu@1`` for a later
call) or one function call. A container gathers its children's nodes, parameters, MACs,
boundary shapes and receptive field; modules that never ran (inception_v3's AuxLogits at
inference) are listed but not drawn. Each container's kind is then read from the merges
inside it (:mod:`explorer.graph.motifs`).

Leaves (module calls and function calls) keep their leaf kind: conv, linear, norm,
act, pool, dropout, other; ``input`` and ``output`` mark the network's ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.graph.motifs import Motif, classify
from explorer.graph.ops import INPUT_ID, OUTPUT_ID, paused_gc
from explorer.graph.receptive import receptive_fields

if TYPE_CHECKING:  # a tree is built from a ModelGraph, but reading one needs no torch
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
    classify(tree)
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
