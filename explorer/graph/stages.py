"""A network cut into stages where its output resolution changes (no torch, no Qt).

The ResNet paper's Table 1 and Fig. 3 read a network stage by stage: conv1 at 112x112,
conv2_x at 56x56, ... conv5_x at 7x7, then the classifier. Here a network is cut into
*units* (the blocks a reader counts: a residual block, an inception module, a conv or pool
layer of a plain stack) and each unit belongs to the stage of its output's resolution, so the
block that downsamples opens the next stage (layer2.0 of a ResNet is in the 28x28 stage, as
in the paper's table). A tensor without spatial extent (a global pool's 1x1 output, a
vector) is resolution 1: the classifier's stage.

A unit whose output is smaller than a later unit's (a gate's 1x1 squeeze inside a block that
the tree did not group) takes the later, larger resolution: a stage is a stretch of the chain
that works at one resolution, never a dip inside it. Modules that never ran (inception_v3's
auxiliary head at inference) and parameters owned by no executed unit are kept aside, so
that the stages and the rest add up to the whole network's counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from explorer.graph.blocks import Block, BlockTree
from explorer.graph.labels import is_hidden, is_merge
from explorer.graph.ops import INPUT_ID, OUTPUT_ID

#: module types that only hold other modules: a reader does not count them as a block
PLAIN_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict", "GraphModule"})


def resolution(shape: list[int] | None) -> tuple[int, int]:
    """(H, W) of a batch of feature maps; (1, 1) for a vector or a 1x1 map."""
    if not shape or len(shape) < 4:
        return (1, 1)
    return (int(shape[-2]), int(shape[-1]))


def resolution_text(res: tuple[int, int]) -> str:
    """ "56x56"; "1x1" for the classifier's stage."""
    return f"{res[0]}x{res[1]}"


def resolution_value(res: tuple[int, int]) -> int | str:
    """The JSON form: 56 for a square map, "56x28" otherwise."""
    return res[0] if res[0] == res[1] else f"{res[0]}x{res[1]}"


def _area(res: tuple[int, int]) -> int:
    return res[0] * res[1]


@dataclass
class Stage:
    """One stage: its resolution, the units in it, and their parameters and MACs."""

    resolution: tuple[int, int]
    units: list[str] = field(default_factory=list)
    params: int = 0
    macs: int = 0

    @property
    def label(self) -> str:
        return resolution_text(self.resolution)


@dataclass
class Stages:
    """A network's stages, and what stands outside them (see the module's doc)."""

    stages: list[Stage]
    unit_stage: dict[str, int]  # unit id -> index in ``stages``
    not_run: list[str]  # modules that never ran
    not_run_params: int
    unassigned_params: int  # parameters of no unit (a container's own, a module never called)

    def stage_of(self, tree: BlockTree, block_id: str) -> int | None:
        """The stage holding ``block_id``: its unit's, or (a container of several units) the
        stage of its last unit."""
        b = tree.blocks.get(block_id)
        while b is not None:
            if b.id in self.unit_stage:
                return self.unit_stage[b.id]
            b = tree.blocks.get(b.parent) if b.parent is not None else None
        inside = [
            self.unit_stage[u] for u in self.unit_stage if _within(u, block_id) or block_id == ""
        ]
        return max(inside) if inside else None


def _within(block_id: str, ancestor: str) -> bool:
    if ancestor == "":
        return True
    return block_id.startswith(ancestor + ".") or block_id.startswith(ancestor + ":")


def counted(b: Block) -> bool:
    """Whether a unit is a block a reader counts: not a layer that does nothing, not a function
    call that only reshapes (a merge is part of its block; flatten is not a layer)."""
    if b.id in (INPUT_ID, OUTPUT_ID) or is_hidden(b):
        return False
    return not (":" in b.id and b.params == 0 and b.macs == 0)


def units(tree: BlockTree) -> list[str]:
    """The network's units in execution order: each motif block (residual, inception, SE ...)
    and each block of its own class (a BasicBlock, a Bottleneck) whole; plain containers
    (Sequential, ModuleList) and blocks spanning several resolutions opened into their
    children."""
    out: list[str] = []

    def spans(b: Block) -> bool:
        res = {resolution(tree.blocks[c].out_shape) for c in _leaves(tree, b)}
        return len(res) > 1

    def visit(bid: str) -> None:
        b = tree.blocks[bid]
        if not b.executed:
            return
        if b.is_leaf:
            if b.id not in (INPUT_ID, OUTPUT_ID):
                out.append(bid)
            return
        atomic = bid != "" and (
            b.kind != "sequential"
            or (b.type not in PLAIN_CONTAINERS and not (spans(b) and _opens_cleanly(tree, b)))
        )
        if atomic:
            out.append(bid)
            return
        for c in sorted(b.children, key=lambda c: tree.blocks[c].order):
            visit(c)

    visit("")
    return out


def _leaves(tree: BlockTree, b: Block) -> list[str]:
    return [tree.node_block[n] for n in b.nodes if n in tree.node_block]


def _opens_cleanly(tree: BlockTree, b: Block) -> bool:
    """A block of its own class spanning several resolutions is opened only when it holds
    blocks (a stage, a stem of blocks, a whole network); one made of layers alone (a plain
    bottleneck that downsamples) stays whole, in the stage of its output."""
    return any(not tree.blocks[c].is_leaf for c in b.children if tree.blocks[c].executed)


def stages(tree: BlockTree) -> Stages:
    """Cut ``tree``'s network into stages (see the module's doc)."""
    order = units(tree)
    res = [resolution(tree.blocks[u].out_shape) for u in order]
    # no dip: a unit takes the largest resolution of any later unit
    for i in range(len(res) - 2, -1, -1):
        if _area(res[i + 1]) > _area(res[i]):
            res[i] = res[i + 1]
    out: list[Stage] = []
    unit_stage: dict[str, int] = {}
    for u, r in zip(order, res, strict=True):
        if not out or out[-1].resolution != r:
            out.append(Stage(resolution=r))
        st = out[-1]
        b = tree.blocks[u]
        st.units.append(u)
        st.params += b.params
        st.macs += b.macs
        unit_stage[u] = len(out) - 1
    not_run = [
        b.id
        for b in tree.blocks.values()
        if not b.executed and b.parent is not None and tree.blocks[b.parent].executed
    ]
    not_run_params = sum(tree.blocks[b].params for b in not_run)
    total = tree.root.params
    assigned = sum(s.params for s in out)
    return Stages(
        stages=out,
        unit_stage=unit_stage,
        not_run=not_run,
        not_run_params=not_run_params,
        unassigned_params=total - assigned - not_run_params,
    )


def stage_dict(tree: BlockTree, st: Stage) -> dict[str, Any]:
    """One stage as ``diff --json`` gives it: blocks counted, parameters, MACs, and every
    executed block in it by kind."""
    kinds: dict[str, int] = {}
    for u in st.units:
        for b in blocks_under(tree, u):
            if b.kind in ("input", "output") or not counted_any(b):
                continue
            kind = is_merge(b) or b.kind
            kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "blocks": sum(1 for u in st.units if counted(tree.blocks[u])),
        "params": st.params,
        "macs": st.macs,
        "kinds": dict(sorted(kinds.items())),
    }


def counted_any(b: Block) -> bool:
    """A block of any depth that a kind count includes: not a do-nothing layer, not a
    reshaping function call."""
    if not b.executed or is_hidden(b):
        return False
    return not (b.is_leaf and ":" in b.id and b.params == 0 and b.macs == 0 and is_merge(b) is None)


def blocks_under(tree: BlockTree, bid: str) -> list[Block]:
    """``bid`` and every block below it."""
    out = []
    stack = [bid]
    while stack:
        b = tree.blocks[stack.pop()]
        out.append(b)
        stack.extend(b.children)
    return out
