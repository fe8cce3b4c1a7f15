"""What one network has that another has not, stage by stage (no torch, no Qt).

Two networks are aligned by stage (:mod:`explorer.graph.stages`: rows cut where the output
resolution changes) and each is read as a set of *features*:

* the add-ons a block's motif shows (:mod:`explorer.graph.motifs`): a residual block's skip
  connection, and its projection shortcut where the shortcut has weights; an SE block's gate;
  a highway block's gate; a RepVGG block's 1x1 and identity branches; an inception module; a
  dense block's concatenation;
* every layer outside those add-ons, by kind (conv, norm, act, pool, linear, dropout) and
  every merge outside them by its operation (add, mul, cat).

A layer that belongs to an add-on (the 1x1 conv of a projection shortcut, the two FC layers
of an SE gate, the BN of a RepVGG identity branch) is counted with the add-on only, so that
ResNet-34 against its plain twin comes out as 16 skip connections and 3 projection
shortcuts, and SE-ResNet-50 against ResNet-50 as 16 SE gates. Each stage's excess of a
feature in one network over the other is reported, with the ids of the blocks that carry it.

Counts are the :class:`~explorer.graph.blocks.Block` counts that ``summary --json`` gives:
unique parameters, weight MACs per image.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from explorer.graph.blocks import Block, BlockTree
from explorer.graph.labels import is_merge
from explorer.graph.stages import (
    Stages,
    counted_any,
    resolution_value,
    stage_dict,
    stages,
)

#: the add-on features, in the order a table lists them
ADDONS = (
    "skip connection",
    "projection shortcut",
    "SE gate",
    "highway gate",
    "1x1 branch",
    "identity branch",
    "inception module",
    "dense concat",
)
LAYER_KINDS = ("conv", "linear", "norm", "act", "pool", "dropout", "add", "mul", "cat", "sub")


@dataclass
class Features:
    """A network's features per stage: stage index -> feature -> the block ids carrying it."""

    per_stage: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, stage: int, kind: str, block_id: str) -> None:
        self.per_stage.setdefault(stage, {}).setdefault(kind, []).append(block_id)


def _addon_nodes(tree: BlockTree, b: Block) -> tuple[list[tuple[str, str]], set[str]]:
    """The features ``b``'s motif adds (feature, the block carrying it), and the graph nodes
    that belong to them."""
    mo = b.motif
    if mo is None:
        return [], set()
    g = tree.graph.g
    nodes: set[str] = set()
    feats: list[tuple[str, str]] = []
    if mo.kind == "residual":
        feats.append(("skip connection", b.id))
        nodes.add(mo.merge)
        nodes.update(mo.branches[1])
        if mo.shortcut == "projection":
            feats.append(("projection shortcut", _holder(tree, mo.branches[1], b.id)))
    elif mo.kind == "se":
        feats.append(("SE gate", b.id))
        nodes.add(mo.merge)
        nodes.update(mo.gate)
    elif mo.kind == "highway":
        feats.append(("highway gate", b.id))
        nodes.add(mo.merge)
        nodes.update(mo.gate)
        nodes.update(mo.operands)
        # 1 - T and the carry's product: the gate's arithmetic
        for n in b.nodes:
            if g.nodes[n].get("scope") == b.id and is_merge(_leaf(tree, n)) is not None:
                nodes.add(n)
    elif mo.kind == "repvgg":
        # the sum of three branches is two adds ((a + b) + c): both belong to the branches
        nodes.update(
            n
            for n in b.nodes
            if g.nodes[n].get("scope") == b.id and is_merge(_leaf(tree, n)) == "add"
        )
        main = max(
            range(len(mo.branches)),
            key=lambda i: max(
                (_kernel_area(tree, n) for n in mo.branches[i]),
                default=0,
            ),
        )
        for i, br in enumerate(mo.branches):
            if i == main:
                continue
            convs = [n for n in br if g.nodes[n]["kind"] == "conv"]
            feats.append(("1x1 branch" if convs else "identity branch", _holder(tree, br, b.id)))
            nodes.update(br)
    elif mo.kind == "inception":
        feats.append(("inception module", b.id))
    elif mo.kind == "dense":
        feats.append(("dense concat", b.id))
        nodes.add(mo.merge)
    return feats, nodes


def _holder(tree: BlockTree, nodes: list[str], default: str) -> str:
    """The smallest block below ``default`` that holds every one of ``nodes`` (the projection
    shortcut's ``downsample``), else ``default``."""
    chains = []
    for n in nodes:
        bid = tree.node_block.get(n)
        if bid is None:
            continue
        chains.append([bid, *tree.ancestors(bid)])
    if not chains:
        return default
    common = set(chains[0]).intersection(*map(set, chains[1:]))
    inside = [c for c in chains[0] if c in common]  # nearest first
    best = inside[0] if inside else default
    return (
        best if best != default and (best.startswith(default + ".") or default == "") else default
    )


def _leaf(tree: BlockTree, node: str) -> Block:
    return tree.blocks[tree.node_block[node]]


def _kernel_area(tree: BlockTree, node: str) -> int:
    d = tree.graph.g.nodes[node]
    if d["kind"] != "conv":
        return 0
    k = d.get("hparams", {}).get("kernel_size") or [1]
    k = list(k) if isinstance(k, list | tuple) else [k, k]
    area = 1
    for v in k:
        area *= int(v)
    return area


def features(tree: BlockTree, st: Stages) -> Features:
    """Every feature of the network in ``tree`` (see the module's doc), by stage."""
    out = Features()
    claimed: set[str] = set()  # graph nodes of an add-on
    for b in sorted(tree.blocks.values(), key=lambda b: (b.order, b.depth)):
        if b.is_leaf or not b.executed or b.id == "":
            continue  # the whole network is no add-on (a ViT's class token is concatenated)
        feats, nodes = _addon_nodes(tree, b)
        if not feats:
            continue
        s = st.stage_of(tree, b.id)
        if s is None:
            continue
        for f, holder in feats:
            out.add(s, f, holder)
        claimed |= nodes
    for b in tree.blocks.values():
        if not b.is_leaf or not counted_any(b) or b.kind in ("input", "output"):
            continue
        if any(n in claimed for n in b.nodes):
            continue
        s = st.stage_of(tree, b.id)
        if s is None:
            continue
        merge = is_merge(b)
        kind = merge or b.kind
        if kind in LAYER_KINDS:
            out.add(s, kind, b.id)
    for per in out.per_stage.values():
        for ids in per.values():
            ids.sort(key=lambda i: tree.blocks[i].order)
    return out


def _feature_order(kind: str) -> tuple[int, str]:
    if kind in ADDONS:
        return (0, f"{ADDONS.index(kind):02d}")
    return (1, f"{LAYER_KINDS.index(kind):02d}" if kind in LAYER_KINDS else kind)


def diff(a: Any, b: Any, a_name: str | None = None, b_name: str | None = None) -> dict[str, Any]:
    """The ``diff --json`` object of two :class:`~explorer.graph.analysis.Analysis`.

    ``params_delta`` and ``macs_delta`` are b's counts less a's (``summary --json``'s
    ``params`` and ``macs``); the stages' counts and the row of what is outside every stage
    (modules not run at inference) add up to each network's.
    """
    ta, tb = a.tree, b.tree
    sa, sb = stages(ta), stages(tb)
    fa, fb = features(ta, sa), features(tb, sb)
    ha, hb = int(a.input_shape[-2]), int(b.input_shape[-2])
    out_stages: list[dict[str, Any]] = []
    only: dict[str, dict[str, list[str]]] = {"a": defaultdict(list), "b": defaultdict(list)}
    for ia, ib in align([(sa, ha), (sb, hb)]):
        da = _row_dict(ta, sa, ia)
        db = _row_dict(tb, sb, ib)
        pa = _merged(fa, ia)
        pb = _merged(fb, ib)
        for kind in set(pa) | set(pb):
            la, lb = pa.get(kind, []), pb.get(kind, [])
            if len(la) > len(lb):
                only["a"][kind].extend(la[len(lb) :] if lb else la)
            elif len(lb) > len(la):
                only["b"][kind].extend(lb[len(la) :] if la else lb)
        res = sorted(set(da["resolutions"]) | set(db["resolutions"]), key=_res_order)
        out_stages.append(
            {
                "resolution": res[0] if len(res) == 1 else None,
                "label": " | ".join(
                    ", ".join(str(r) for r in d["resolutions"]) or "-" for d in (da, db)
                )
                if len(res) != 1
                else _label(res[0]),
                "a": da,
                "b": db,
                "params_delta": db["params"] - da["params"],
                "macs_delta": db["macs"] - da["macs"],
            }
        )
    outside = {side: _outside(s) for side, s in (("a", sa), ("b", sb))}
    if any(outside.values()):
        out_stages.append(
            {
                "resolution": None,
                "label": "not in a stage",
                "a": outside["a"] or _empty(),
                "b": outside["b"] or _empty(),
                "params_delta": (outside["b"] or _empty())["params"]
                - (outside["a"] or _empty())["params"],
                "macs_delta": 0,
            }
        )
    return {
        "a": a_name or a.spec.name,
        "b": b_name or b.spec.name,
        "input_shape": {"a": list(a.input_shape), "b": list(b.input_shape)},
        "params": {"a": int(a.graph.total_params), "b": int(b.graph.total_params)},
        "macs": {"a": int(a.graph.total_macs), "b": int(b.graph.total_macs)},
        "params_delta": int(b.graph.total_params) - int(a.graph.total_params),
        "macs_delta": int(b.graph.total_macs) - int(a.graph.total_macs),
        "stages": out_stages,
        "only_in_a": _only_list(only["a"]),
        "only_in_b": _only_list(only["b"]),
        "counting": "params: unique parameters; macs: multiply-accumulates of weights per image "
        "(as summary --json); a stage: the blocks whose output has its resolution",
    }


def _empty() -> dict[str, Any]:
    return {"resolutions": [], "blocks": 0, "params": 0, "macs": 0, "kinds": {}}


def _row_dict(tree: BlockTree, st: Stages, idx: list[int]) -> dict[str, Any]:
    """A network's part of one row: its stages there, summed."""
    out = _empty()
    for i in idx:
        d = stage_dict(tree, st.stages[i])
        out["resolutions"].append(resolution_value(st.stages[i].resolution))
        for k in ("blocks", "params", "macs"):
            out[k] += d[k]
        for k, n in d["kinds"].items():
            out["kinds"][k] = out["kinds"].get(k, 0) + n
    out["kinds"] = dict(sorted(out["kinds"].items()))
    return out


def _merged(f: Features, idx: list[int]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i in idx:
        for k, ids in f.per_stage.get(i, {}).items():
            out.setdefault(k, []).extend(ids)
    return out


def _res_order(r: int | str) -> int:
    if isinstance(r, int):
        return -r * r
    h, w = (int(v) for v in r.split("x"))
    return -h * w


def _label(r: int | str) -> str:
    return f"{r}x{r}" if isinstance(r, int) else str(r)


def _outside(s: Stages) -> dict[str, Any] | None:
    params = s.not_run_params + s.unassigned_params
    if not params:  # modules that never ran but hold nothing (a DropPath never called)
        return None
    return {
        "resolutions": [],
        "blocks": len(s.not_run),
        "params": params,
        "macs": 0,
        "kinds": {},
        "not_run": list(s.not_run),
    }


def _only_list(found: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {"kind": k, "count": len(ids), "ids": ids}
        for k, ids in sorted(found.items(), key=lambda kv: _feature_order(kv[0]))
        if ids
    ]


def octave(res: tuple[int, int], input_res: int) -> int:
    """How many halvings from the input to ``res``, rounded: 1 for 112 of 224 (and for 149
    of 299), 5 for 7 of 224 (and 8 of 299); the classifier's stage (1x1) comes after all."""
    if res == (1, 1):
        return HEAD_OCTAVE
    return max(0, round(math.log2(max(input_res, 1) / max(res[0], 1))))


HEAD_OCTAVE = 1000


def align(nets: list[tuple[Stages, int]]) -> list[list[list[int]]]:
    """Rows of stages, one per downsampling step (see :func:`octave`), top to bottom: for
    each row and each network (its :class:`Stages` and input height), the indices of its
    stages in that row (none, one, or several: inception_v3's 149x149 and 147x147 share the
    row of GoogLeNet's 112x112). Networks of the same input size and resolutions get one
    row per resolution."""
    keys: set[int] = set()
    per_net: list[dict[int, list[int]]] = []
    for st, input_res in nets:
        rows: dict[int, list[int]] = {}
        for i, stage in enumerate(st.stages):
            k = octave(stage.resolution, input_res)
            rows.setdefault(k, []).append(i)
            keys.add(k)
        per_net.append(rows)
    return [[rows.get(k, []) for rows in per_net] for k in sorted(keys)]


def row_resolutions(nets: list[Stages], row: list[list[int]]) -> list[list[tuple[int, int]]]:
    """The resolutions of each network's stages in one row of :func:`align`."""
    return [[st.stages[i].resolution for i in idx] for st, idx in zip(nets, row, strict=True)]
