"""An :class:`~explorer.graph.analysis.Analysis` as a JSON document, and back, without torch.

What is stored is what the views read: the traced graph (every node's and edge's attributes,
in the order networkx keeps them, successors and predecessors alike), the module parameter
counts, and the block tree (every field of every :class:`~explorer.graph.blocks.Block`, its
motif included). The model itself is not stored: an analysis read back has ``model`` None.

A document is untrusted input (a file in the user's cache folder): :func:`from_document`
checks every field's type and every reference (a parent, a child, a node of a block) before
anything is built, and raises :class:`StoredError` on the first problem. Values are plain JSON
(no pickle); an analysis holding anything else (a tuple, a non-finite float) is not stored.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from explorer.graph.analysis import Analysis
from explorer.graph.blocks import Block, BlockTree
from explorer.graph.modelgraph import ModelGraph
from explorer.graph.motifs import Motif

if TYPE_CHECKING:
    import networkx as nx

    from explorer.models.registry import ModelSpec

FORMAT = "cnn-explorer analysis"
SCHEMA = 1
#: nesting of a stored value (a shape of shapes, an hparam's list) at most
MAX_DEPTH = 6

_BLOCK_FIELDS = (
    "id",
    "parent",
    "kind",
    "type",
    "depth",
    "is_leaf",
    "executed",
    "children",
    "nodes",
    "params",
    "macs",
    "in_shapes",
    "out_shape",
    "branches",
    "traits",
    "motif",
    "hparams",
    "op",
    "order",
    "rf",
    "rf_stride",
    "output_node",
)
_MOTIF_FIELDS = ("kind", "merge", "branches", "operands", "shortcut", "gate")
_FACT_FLAGS = ("affine", "elementwise_affine")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,20}")


class StoredModule:
    """A stand-in for a module of a stored graph: what the operation counters read of it
    (its type's name and package, ``bias``, ``out_features``, ``affine``). Nothing runs on
    it; its class is made with the stored type's name and package."""

    bias: bool | None = None


class StoredError(ValueError):
    """A stored analysis that does not hold what it should (it is rebuilt, never shown)."""


class _NotPlain(Exception):
    """A value that JSON would not give back as it is."""


# -- writing -----------------------------------------------------------------------------------


def to_document(an: Analysis, key: dict[str, Any]) -> dict[str, Any] | None:
    """``an`` as a JSON-ready document under ``key``; None when it holds a value that JSON
    would not give back unchanged (it is then not stored)."""
    mg, tree = an.graph, an.tree
    g = mg.g
    edges = _insertion_order(g)
    if edges is None:
        return None
    try:
        doc = {
            "format": FORMAT,
            "schema": SCHEMA,
            "key": _plain(key),
            "graph": {
                "input_shape": _plain(list(mg.input_shape)),
                "method": mg.method,
                "shape_method": mg.shape_method,
                "trace_error": mg.trace_error,
                "total_params": int(mg.total_params),
                "trainable_params": int(mg.trainable_params),
                "param_owner_numel": _plain(dict(mg.param_owner_numel)),
                "nodes": [[n, _plain(dict(d))] for n, d in g.nodes(data=True)],
                "edges": [[u, v, _plain(dict(g.edges[u, v]))] for u, v in edges],
            },
            "modules": _module_facts(mg),
            "blocks": [_block_doc(b) for b in tree.blocks.values()],
            "node_block": _plain(dict(tree.node_block)),
        }
    except _NotPlain:
        return None
    return doc


def _module_facts(mg: ModelGraph) -> dict[str, dict[str, Any]]:
    """What the operation counters (:mod:`explorer.graph.conventions`) read of each module
    called in the graph: its type's name and package, and whether it has a bias, an affine
    norm, how many output features."""
    out: dict[str, dict[str, Any]] = {}
    for _n, d in mg.g.nodes(data=True):
        q = d.get("module")
        m = mg.modules.get(q) if isinstance(q, str) else None
        if m is None or q in out:
            continue
        t = type(m)
        facts: dict[str, Any] = {"type": t.__name__, "package": t.__module__}
        for a in _FACT_FLAGS:
            v = getattr(m, a, None)
            if isinstance(v, bool):
                facts[a] = v
        if hasattr(m, "bias"):
            facts["bias"] = getattr(m, "bias", None) is not None
        if type(getattr(m, "out_features", None)) is int:
            facts["out_features"] = m.out_features
        out[q] = facts
    return out


def _block_doc(b: Block) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in _BLOCK_FIELDS:
        v = getattr(b, f)
        if f == "motif":
            v = None if v is None else {m: getattr(v, m) for m in _MOTIF_FIELDS}
        out[f] = _plain(v)
    return out


def _plain(v: Any, depth: int = 0) -> Any:
    """``v`` itself when JSON gives it back unchanged (types checked exactly), else _NotPlain."""
    if depth > MAX_DEPTH + 2:
        raise _NotPlain("too deep")
    t = type(v)
    if v is None or t in (bool, int, str):
        return v
    if t is float:
        if not math.isfinite(v):
            raise _NotPlain("not finite")
        return v
    if t is list:
        for x in v:
            _plain(x, depth + 1)
        return v
    if t is dict:
        for k, x in v.items():
            if type(k) is not str:
                raise _NotPlain("a key that is not a string")
            _plain(x, depth + 1)
        return v
    raise _NotPlain(t.__name__)


def _insertion_order(g: nx.DiGraph) -> list[tuple[str, str]] | None:
    """The edges in an order that, added one by one, gives every node its successors *and*
    its predecessors in the order ``g`` has them (layouts follow both)."""
    edges = list(g.edges)
    rank = {e: i for i, e in enumerate(edges)}
    after: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    waits = dict.fromkeys(edges, 0)
    for n in g.nodes:
        for seq in (
            [(n, s) for s in g.successors(n)],
            [(p, n) for p in g.predecessors(n)],
        ):
            for a, b in zip(seq, seq[1:], strict=False):
                after[a].append(b)
                waits[b] += 1
    ready = [(rank[e], e) for e in edges if waits[e] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _r, e = heapq.heappop(ready)
        out.append(e)
        for b in after[e]:
            waits[b] -= 1
            if waits[b] == 0:
                heapq.heappush(ready, (rank[b], b))
    return out if len(out) == len(edges) else None


# -- reading -----------------------------------------------------------------------------------


def from_document(doc: Any, spec: ModelSpec, key: dict[str, Any]) -> Analysis:
    """The analysis a document holds, for ``spec``; :class:`StoredError` when the document
    is not one of this format and schema, was stored under another ``key``, or does not hold
    a consistent graph and block tree."""
    import networkx as nx

    _need(isinstance(doc, dict), "not a JSON object")
    _need(doc.get("format") == FORMAT, "not a stored analysis")
    _need(doc.get("schema") == SCHEMA, f"schema {doc.get('schema')!r}, not {SCHEMA}")
    _need(doc.get("key") == key, "stored for other versions or another input")
    gd = _dict(doc.get("graph"), "graph")
    input_shape = _ints(gd.get("input_shape"), "input_shape")
    g = nx.DiGraph()
    for item in _list(gd.get("nodes"), "nodes"):
        _need(isinstance(item, list) and len(item) == 2, "a node is not [id, attributes]")
        nid, attrs = item
        _need(isinstance(nid, str) and nid not in g, f"node id {nid!r}")
        g.add_node(nid, **_node_attrs(attrs, nid))
    _need(len(g) > 0, "no nodes")
    for item in _list(gd.get("edges"), "edges"):
        _need(isinstance(item, list) and len(item) == 3, "an edge is not [from, to, attributes]")
        u, v, attrs = item
        _need(u in g and v in g and not g.has_edge(u, v), f"edge {u!r} -> {v!r}")
        attrs = _attrs(attrs, f"edge {u} -> {v}")
        if "shape" in attrs:
            _shape(attrs["shape"], "an edge's shape")
        g.add_edge(u, v, **attrs)
    owners = _dict(gd.get("param_owner_numel"), "param_owner_numel")
    for q, n in owners.items():
        _int(n, f"parameters of {q}")
    modules = {q: _stand_in(f, q) for q, f in _dict(doc.get("modules"), "modules").items()}
    mg = ModelGraph(
        g=g,
        input_shape=tuple(input_shape),
        modules=modules,  # type: ignore[arg-type] - stand-ins: read by the counters only
        param_owner_numel=owners,
        total_params=_int(gd.get("total_params"), "total_params"),
        trainable_params=_int(gd.get("trainable_params"), "trainable_params"),
        method=_str(gd.get("method"), "method"),
        shape_method=_str(gd.get("shape_method"), "shape_method"),
        trace_error=_opt(gd.get("trace_error"), str, "trace_error"),
    )
    blocks: dict[str, Block] = {}
    for bd in _list(doc.get("blocks"), "blocks"):
        b = _block(bd, g)
        _need(b.id not in blocks, f"block {b.id!r} twice")
        blocks[b.id] = b
    _check_tree(blocks, g)
    node_block = _dict(doc.get("node_block"), "node_block")
    for n, b in node_block.items():
        _need(n in g and isinstance(b, str) and b in blocks, f"node_block {n!r}")
    tree = BlockTree(graph=mg, blocks=blocks, node_block=node_block)
    return Analysis(spec=spec, model=None, graph=mg, tree=tree)


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise StoredError(what)


def _dict(v: Any, what: str) -> dict[str, Any]:
    _need(isinstance(v, dict), f"{what}: not an object")
    return v


def _list(v: Any, what: str) -> list[Any]:
    _need(isinstance(v, list), f"{what}: not a list")
    return v


def _int(v: Any, what: str) -> int:
    _need(type(v) is int, f"{what}: not an integer")
    return v


def _str(v: Any, what: str) -> str:
    _need(type(v) is str, f"{what}: not a string")
    return v


def _opt(v: Any, t: type, what: str) -> Any:
    _need(v is None or type(v) is t, f"{what}: not a {t.__name__} or null")
    return v


def _ints(v: Any, what: str) -> list[int]:
    _need(isinstance(v, list) and all(type(x) is int for x in v), f"{what}: not integers")
    return v


def _strs(v: Any, what: str) -> list[str]:
    _need(isinstance(v, list) and all(type(x) is str for x in v), f"{what}: not strings")
    return v


def _shape(v: Any, what: str, depth: int = 0) -> None:
    """A shape ([1, 64, 56, 56]), a list of shapes (a tuple output), or null."""
    if v is None:
        return
    _need(isinstance(v, list) and depth <= MAX_DEPTH, f"{what}: not a shape")
    if all(type(x) is int for x in v):
        return
    for x in v:
        _shape(x, what, depth + 1)


def _attrs(v: Any, what: str) -> dict[str, Any]:
    _need(isinstance(v, dict), f"{what}: not an object")
    try:
        _plain(v)
    except _NotPlain as exc:
        raise StoredError(f"{what}: {exc}") from None
    return v


def _node_attrs(v: Any, nid: str) -> dict[str, Any]:
    d = _attrs(v, f"node {nid}")
    for f in ("op", "kind", "name", "target"):
        _str(d.get(f), f"node {nid}: {f}")
    for f in ("order", "params", "macs"):
        _int(d.get(f, 0), f"node {nid}: {f}")
    _need(type(d.get("order")) is int, f"node {nid}: no order")
    _opt(d.get("module"), str, f"node {nid}: module")
    _opt(d.get("scope", ""), str, f"node {nid}: scope")
    _need(isinstance(d.get("hparams", {}), dict), f"node {nid}: hparams")
    _shape(d.get("out_shape"), f"node {nid}: out_shape")
    for s in _list(d.get("in_shapes", []), f"node {nid}: in_shapes"):
        _shape(s, f"node {nid}: in_shapes")
    return d


def _stand_in(v: Any, q: str) -> StoredModule:
    d = _dict(v, f"module {q}")
    name, package = _str(d.get("type"), f"module {q}: type"), _str(d.get("package"), "package")
    _need(name.isidentifier() and bool(_DOTTED.fullmatch(package)), f"module {q}: its type")
    _need(set(d) <= {"type", "package", "bias", "out_features", *_FACT_FLAGS}, f"module {q}")
    m = _stand_in_class(name, package)()
    for a in _FACT_FLAGS:
        if a in d:
            _need(type(d[a]) is bool, f"module {q}: {a}")
            setattr(m, a, d[a])
    if "bias" in d:
        _need(type(d["bias"]) is bool, f"module {q}: bias")
        m.bias = True if d["bias"] else None
    if "out_features" in d:
        m.out_features = _int(d["out_features"], f"module {q}: out_features")  # type: ignore[attr-defined]
    return m


@lru_cache(maxsize=256)
def _stand_in_class(name: str, package: str) -> type[StoredModule]:
    return type(name, (StoredModule,), {"__module__": package})


def _block(v: Any, g: nx.DiGraph) -> Block:
    d = _dict(v, "a block")
    _need(set(d) == set(_BLOCK_FIELDS), "a block's fields")
    bid = _str(d["id"], "a block's id")
    w = f"block {bid}"
    for f in ("kind", "type"):
        _str(d[f], f"{w}: {f}")
    for f in ("depth", "params", "macs", "branches", "order"):
        _int(d[f], f"{w}: {f}")
    for f in ("is_leaf", "executed"):
        _need(type(d[f]) is bool, f"{w}: {f}")
    for f in ("parent", "op", "output_node"):
        _opt(d[f], str, f"{w}: {f}")
    for f in ("rf", "rf_stride"):
        _opt(d[f], int, f"{w}: {f}")
    _strs(d["children"], f"{w}: children")
    _strs(d["traits"], f"{w}: traits")
    nodes = _strs(d["nodes"], f"{w}: nodes")
    _need(all(n in g for n in nodes), f"{w}: a node that is not in the graph")
    _need(d["output_node"] is None or d["output_node"] in g, f"{w}: output node")
    for s in _list(d["in_shapes"], f"{w}: in_shapes"):
        _shape(s, f"{w}: in_shapes")
    _shape(d["out_shape"], f"{w}: out_shape")
    _attrs(d["hparams"], f"{w}: hparams")
    fields = {f: d[f] for f in _BLOCK_FIELDS if f != "motif"}
    return Block(**fields, motif=_motif(d["motif"], g, w))


def _motif(v: Any, g: nx.DiGraph, w: str) -> Motif | None:
    if v is None:
        return None
    d = _dict(v, f"{w}: motif")
    _need(set(d) == set(_MOTIF_FIELDS), f"{w}: the motif's fields")
    _str(d["kind"], f"{w}: motif kind")
    _opt(d["shortcut"], str, f"{w}: shortcut")
    branches = _list(d["branches"], f"{w}: branches")
    named = [_str(d["merge"], f"{w}: merge")]
    named += _strs(d["operands"], f"{w}: operands") + _strs(d["gate"], f"{w}: gate")
    for br in branches:
        named += _strs(br, f"{w}: a branch")
    _need(all(n in g for n in named), f"{w}: the motif names a node that is not in the graph")
    return Motif(**d)


def _check_tree(blocks: dict[str, Block], g: nx.DiGraph) -> None:
    """One root (""), every parent and child there and agreeing, no cycle."""
    root = blocks.get("")
    _need(root is not None and root.parent is None, "no root block")
    for b in blocks.values():
        _need(b.id == "" or (b.parent is not None and b.parent in blocks), f"parent of {b.id}")
        _need(len(set(b.children)) == len(b.children), f"children of {b.id!r} twice")
        for c in b.children:
            _need(c in blocks and blocks[c].parent == b.id, f"child {c!r} of {b.id!r}")
    depth_ok: set[str] = {""}
    for b in blocks.values():
        path: list[str] = []
        cur = b.id
        while cur not in depth_ok:
            _need(cur not in path and len(path) <= len(blocks), f"a cycle at {b.id!r}")
            path.append(cur)
            cur = blocks[cur].parent  # type: ignore[assignment] - checked above
        depth_ok.update(path)
