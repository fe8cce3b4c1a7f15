"""Counting conventions: the operations of a network by category, and what each counter adds up.

The same network is said to cost 3.8, 4.09, 4.12 or 8.2 "GFLOPs" depending on who counts.
Here the operations of every graph node are put in categories, each counted one way:

- **weights**: multiply-accumulates of weights (conv, linear, matmul), the figure the rest of
  the program calls MACs (see :mod:`explorer.graph.counting`);
- **biases**: one addition per output element of a conv or linear layer that has a bias;
- **norms**: one multiply-add per normalised element (a batch norm at inference is
  ``y = a * x + b`` per channel);
- **activations**: one operation per output element;
- **pooling**: a max or average pool's window size per output element; an adaptive or global
  pool reads each input element once (exact adaptive windows);
- **merges**: element-wise additions, subtractions and products where paths merge (residual
  adds, SE gates): one per output element for each tensor after the first; concatenation is a
  copy and counts nothing.

Reshapes, concatenation, dropout (nothing at inference) and other operations count nothing.

Each published counter is then the same nodes counted by that counter's own rules, shown
per category, so that a student sees which categories make its total. A counter's rules are
only stated where they were read in its source (named with each counter).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.graph.ops import MERGE_OPS

if TYPE_CHECKING:  # reading a graph needs no torch
    from explorer.graph.blocks import BlockTree
    from explorer.graph.trace import ModelGraph

CATEGORIES: tuple[str, ...] = ("weights", "biases", "norms", "activations", "pooling", "merges")

#: category -> (short label, how one operation is counted)
CATEGORY_INFO: dict[str, tuple[str, str]] = {
    "weights": ("MACs (weights)", "conv and linear multiply-accumulates"),
    "biases": ("biases", "one add per output element of a conv or linear with a bias"),
    "norms": ("norms", "one multiply-add per normalised element (BN at inference: a*x+b)"),
    "activations": ("activations", "one operation per output element"),
    "pooling": ("pooling", "window size per output element; adaptive/global: input elements"),
    "merges": ("additions", "element-wise add/sub/mul where paths merge, per output element"),
}

_ELEMENTWISE_MERGES = frozenset(k for k, v in MERGE_OPS.items() if v in ("add", "sub", "mul"))


def _elements(shape: Iterable[int] | None) -> int:
    """Elements per image of a (batch, ...) shape."""
    if not shape:
        return 0
    dims = list(shape)
    return math.prod(dims[1:]) if len(dims) > 1 else dims[0]


def _kernel(d: dict[str, Any], ndim: int) -> int | None:
    """Window size of a pool from its hyper-parameters (module or function call)."""
    hp = d.get("hparams") or {}
    k = hp.get("kernel_size", hp.get("arg1") if d.get("op") != "module" else None)
    if isinstance(k, bool) or k is None:
        return None
    if isinstance(k, int):
        return k**ndim
    if isinstance(k, list) and k and all(isinstance(e, int) for e in k):
        return math.prod(k) if len(k) == ndim else None
    return None


def _adaptive_reads(in_shape: list[int], out_shape: list[int]) -> int:
    """Elements an adaptive pool reads: exact windows (start floor(i*n/m), end ceil((i+1)*n/m))."""
    total = in_shape[1] if len(in_shape) > 1 else 1
    for n, m in zip(in_shape[2:], out_shape[2:], strict=False):
        if m <= 0:
            return 0
        total *= sum(-(-((i + 1) * n) // m) - (i * n) // m for i in range(m))
    return total


def _op_name(d: dict[str, Any]) -> str:
    """Module type or function name, lower case (adaptiveavgpool2d, adaptive_avg_pool2d)."""
    return str((d.get("target") if d.get("op") == "module" else d.get("name")) or "").lower()


def _is_adaptive(d: dict[str, Any]) -> bool:
    return "adaptive" in _op_name(d)


def pool_ops(d: dict[str, Any]) -> int:
    """Operations of a pool node: window x output elements, or input elements read once."""
    ins = d.get("in_shapes") or []
    out = d.get("out_shape")
    if not ins or not out:
        return 0
    in_shape = ins[0]
    if _is_adaptive(d) and len(in_shape) == len(out):
        return _adaptive_reads(in_shape, out)
    k = _kernel(d, max(len(out) - 2, 1))
    if k is None:  # mean, amax, an unknown pool: each input element read once
        return _elements(in_shape)
    return _elements(out) * k


def _has_bias(d: dict[str, Any]) -> bool:
    if d.get("op") == "module":
        return bool((d.get("hparams") or {}).get("bias"))
    # F.conv2d(x, w, b) / F.linear(x, w, b): a third tensor argument is the bias
    return len(d.get("in_shapes") or []) >= 3


def node_categories(d: dict[str, Any]) -> dict[str, int]:
    """Operations of one graph node by category (only the categories it has)."""
    kind = d.get("kind")
    out: dict[str, int] = {}
    macs = int(d.get("macs", 0))
    if macs:
        out["weights"] = macs
    if kind in ("conv", "linear") and _has_bias(d):
        out["biases"] = _elements(d.get("out_shape"))
    elif kind == "norm":
        out["norms"] = _elements(d.get("out_shape"))
    elif kind == "act":
        out["activations"] = _elements(d.get("out_shape"))
    elif kind == "pool":
        out["pooling"] = pool_ops(d)
    elif d.get("op") in ("function", "method") and d.get("name") in _ELEMENTWISE_MERGES:
        n_in = len(d.get("in_shapes") or [])
        out["merges"] = _elements(d.get("out_shape")) * max(n_in - 1, 1)
    return {k: v for k, v in out.items() if v}


# -- the counters -----------------------------------------------------------------------

NodeRule = Callable[[dict[str, Any], Any], dict[str, int]]


@dataclass(frozen=True)
class Counter:
    """A published way of counting: what it adds up, said in words, and where that was read."""

    key: str
    name: str
    unit: str  # what it calls its figure
    convention: str
    source: str
    rule: NodeRule


def _weights_only(d: dict[str, Any], module: Any) -> dict[str, int]:
    macs = int(d.get("macs", 0))
    return {"weights": macs} if macs else {}


def _twice_weights(d: dict[str, Any], module: Any) -> dict[str, int]:
    macs = int(d.get("macs", 0))
    return {"weights": 2 * macs} if macs else {}


def _affine(module: Any) -> bool:
    return bool(getattr(module, "affine", False) or getattr(module, "elementwise_affine", False))


def _fvcore(d: dict[str, Any], module: Any) -> dict[str, int]:
    out = _weights_only(d, module)  # conv and linear: bias ignored
    kind = d.get("kind")
    ins = d.get("in_shapes") or []
    n_in = _elements(ins[0]) if ins else 0
    if kind == "norm":
        # fvcore sees aten ops: a norm module's type, or F.batch_norm/F.layer_norm ... by name
        t = type(module).__name__.lower() if module is not None else _op_name(d)
        # F.batch_norm(x, mean, var, weight, bias), F.layer_norm(x, shape, weight, bias)
        affine = _affine(module) if module is not None else len(ins) >= (4 if "batch" in t else 2)
        if "batchnorm" in t or "batch_norm" in t:  # at inference: 2 per element (1 without)
            out["norms"] = n_in * (2 if affine else 1)
        elif any(n in t.replace("_", "") for n in ("groupnorm", "layernorm", "instancenorm")):
            out["norms"] = n_in * (5 if affine else 4)
    elif kind == "pool" and _is_adaptive(d) and "avg" in _op_name(d) and ins and len(ins[0]) == 4:
        out["pooling"] = n_in  # aten::adaptive_avg_pool2d: 1 per input element
    return {k: v for k, v in out.items() if v}


_PTFLOPS_ACTS = frozenset(("ReLU", "PReLU", "ELU", "LeakyReLU", "ReLU6", "GELU"))
_PTFLOPS_POOLS = frozenset(
    f"{p}{n}d"
    for n in (1, 2, 3)
    for p in ("MaxPool", "AvgPool", "AdaptiveMaxPool", "AdaptiveAvgPool")
)
_PTFLOPS_NORMS = frozenset(
    [f"BatchNorm{n}d" for n in (1, 2, 3)]
    + [f"InstanceNorm{n}d" for n in (1, 2, 3)]
    + ["GroupNorm", "LayerNorm"]
)
_PTFLOPS_CONVS = frozenset(f"Conv{t}{n}d" for n in (1, 2, 3) for t in ("", "Transpose"))


def _ptflops(d: dict[str, Any], module: Any) -> dict[str, int]:
    """ptflops's module hooks: exact module types only (a subclass is a zero-op)."""
    if d.get("op") != "module" or module is None:
        return {}
    t = type(module)
    if t.__module__.split(".")[0] != "torch":
        return {}
    name = t.__name__
    ins = d.get("in_shapes") or []
    n_in = _elements(ins[0]) if ins else 0
    n_out = _elements(d.get("out_shape"))
    out: dict[str, int] = {}
    if name in _PTFLOPS_CONVS:
        out["weights"] = int(d.get("macs", 0))
        if getattr(module, "bias", None) is not None:
            out["biases"] = n_out
    elif name == "Linear":
        out["weights"] = int(d.get("macs", 0))
        if module.bias is not None:  # once per output feature, not per position
            out["biases"] = int(module.out_features)
    elif name in _PTFLOPS_NORMS:
        out["norms"] = n_in * (2 if getattr(module, "affine", False) else 1)
    elif name in _PTFLOPS_ACTS:
        out["activations"] = n_out
    elif name in _PTFLOPS_POOLS:
        out["pooling"] = n_in
    return {k: v for k, v in out.items() if v}


COUNTERS: tuple[Counter, ...] = (
    Counter(
        "paper",
        "papers' FLOPs (as ResNet's)",
        "FLOPs",
        "multiply-adds of conv and fully connected layers (weights only)",
        "He et al. 2015, Table 1 'FLOPs' (3.8 x 10^9 for ResNet-50), read as the weights' "
        "multiply-adds: the weights of the paper's own layout (stride in a bottleneck's first "
        "1x1 conv, not the 3x3) give 3.86 G, 7.57 G for ResNet-101 (Table 1: 7.6), "
        "tests/graph/test_conventions.py",
        _weights_only,
    ),
    Counter(
        "torchvision",
        "torchvision _ops",
        "'FLOPS' (torchvision's word for MACs)",
        "weights only: its 'GFLOPS' column is GMACs",
        "weights.meta['_ops'] (vision PR #6936); equal to our weights within the 1% that "
        "tests/models/test_zoo.py checks for every torchvision model of the zoo",
        _weights_only,
    ),
    Counter(
        "fvcore",
        "fvcore FlopCountAnalysis",
        "flops",
        "one fused multiply-add = one flop; default handles: conv, linear, matmul (bias "
        "ignored), batch_norm at inference 2 per element (1 without affine), group/layer/"
        "instance norm 5 per element (4 without), adaptive_avg_pool2d 1 per input element; "
        "activations, max pooling and additions count 0. Early releases had only the conv "
        "and matmul handles and gave the weights alone (4.09 G for resnet50, ptflops#94)",
        "fvcore/nn/flop_count.py _DEFAULT_SUPPORTED_OPS, fvcore/nn/jit_handles.py",
        _fvcore,
    ),
    Counter(
        "ptflops",
        "ptflops (pytorch backend)",
        "MACs",
        "module hooks on exact torch.nn types (a subclass, such as timm's StdConv2d, counts "
        "0): conv and linear MACs plus their bias (conv: "
        "per output element, linear: per output feature), norms 2 per input element with "
        "affine (else 1), ReLU/PReLU/ELU/LeakyReLU/ReLU6/GELU 1 per output element, every "
        "pool 1 per input element; additions and other modules count 0 (later versions also "
        "patch torch.nn.functional and torch.add/mul calls: not modelled here)",
        "ptflops/pytorch_ops.py MODULES_MAPPING, ptflops/pytorch_engine.py",
        _ptflops,
    ),
    Counter(
        "2x",
        "FLOPs = 2 x MACs",
        "FLOPs",
        "a multiply-accumulate is two flops (a multiply and an add); weights only",
        "torch.utils.flop_counter (FlopCounterMode: matmul 2*m*n*k, conv likewise), fvcore#133",
        _twice_weights,
    ),
)

COUNTER_KEYS = tuple(c.key for c in COUNTERS)


# -- counting ---------------------------------------------------------------------------


@dataclass
class Counts:
    """Operations of a set of nodes: ours by category, and each counter's, by category."""

    categories: dict[str, int]
    counters: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        """All our categories: MACs with norms, activations, pooling and merges."""
        return sum(self.categories.values())

    def counter_total(self, key: str) -> int:
        return sum(self.counters[key].values())


def _module_of(mg: ModelGraph, d: dict[str, Any]) -> Any:
    qual = d.get("module")
    return mg.modules.get(qual) if qual is not None else None


def count_nodes(mg: ModelGraph, nodes: Iterable[str]) -> Counts:
    """Operations of ``nodes`` of ``mg`` by category, ours and each counter's."""
    cats = dict.fromkeys(CATEGORIES, 0)
    per = {c.key: dict.fromkeys(CATEGORIES, 0) for c in COUNTERS}
    g = mg.g
    for n in nodes:
        d = g.nodes[n]
        for k, v in node_categories(d).items():
            cats[k] += v
        module = _module_of(mg, d)
        for c in COUNTERS:
            for k, v in c.rule(d, module).items():
                per[c.key][k] += v
    return Counts(categories=cats, counters=per)


def count_block(tree: BlockTree, block_id: str = "") -> Counts:
    """Operations of one block (the whole network for ``""``)."""
    b = tree.blocks[block_id]
    return count_nodes(tree.graph, b.nodes)


def count_network(mg: ModelGraph) -> Counts:
    """Operations of every node of the network."""
    return count_nodes(mg, list(mg.g.nodes))


# -- presentation data ------------------------------------------------------------------


def published_figures(spec: Any) -> dict[str, tuple[float, str]]:
    """counter key -> (published figure, where) for the model of ``spec``, where known."""
    out: dict[str, tuple[float, str]] = {}
    paper = _PAPER.get(getattr(spec, "name", ""))
    if paper is not None:
        out["paper"] = (paper, "He et al. 2015, Table 1")
    try:
        ops = spec.reference_macs()
    except Exception:  # noqa: BLE001 - metadata unavailable: nothing published to show
        ops = None
    if ops is not None:
        out["torchvision"] = (float(ops), "torchvision weights meta '_ops'")
    pt = _PTFLOPS_README.get(getattr(spec, "name", ""))
    if pt is not None:
        out["ptflops"] = (pt, "ptflops README, torchvision benchmark 'MACs(G)'")
    return out


# He et al. 2015, Table 1, FLOPs row (multiply-adds).
_PAPER = {
    "resnet18": 1.8e9,
    "resnet34": 3.6e9,
    "resnet50": 3.8e9,
    "resnet101": 7.6e9,
    "resnet152": 11.3e9,
}
# ptflops README, torchvision table, 'MACs(G)' at 224x224.
_PTFLOPS_README = {
    "resnet18": 1.82e9,
    "resnet34": 3.68e9,
    "resnet50": 4.12e9,
    "resnet101": 7.85e9,
    "resnet152": 11.58e9,
    "alexnet": 0.72e9,
    "vgg16": 15.5e9,
    "densenet121": 2.88e9,
}


def counts_dict(counts: Counts, spec: Any = None, input_shape: Any = None) -> dict[str, Any]:
    """The ``counts`` object of ``summary --json``: categories and counters (plain ints)."""
    published = published_figures(spec) if spec is not None else {}
    same_input = input_shape is None or spec is None or _native_input(spec, input_shape)
    counters = []
    for c in COUNTERS:
        entry: dict[str, Any] = {
            "key": c.key,
            "name": c.name,
            "unit": c.unit,
            "total": int(counts.counter_total(c.key)),
            "by_category": {k: int(v) for k, v in counts.counters[c.key].items() if v},
            "composition": composition_text(counts, c.key),
            "convention": c.convention,
            "source": c.source,
        }
        if c.key in published and same_input:
            value, where = published[c.key]
            entry["published"] = {"value": value, "source": where}
        counters.append(entry)
    return {
        "categories": [
            {
                "key": k,
                "label": CATEGORY_INFO[k][0],
                "count": int(counts.categories[k]),
                "rule": CATEGORY_INFO[k][1],
            }
            for k in CATEGORIES
        ],
        "macs_weights": int(counts.categories["weights"]),
        "macs_all": int(counts.total),
        "flops_2x_macs": int(2 * counts.categories["weights"]),
        "counters": counters,
    }


def _native_input(spec: Any, input_shape: Any) -> bool:
    native = getattr(spec, "input_size", None)
    return native is None or tuple(input_shape[-3:]) == tuple(native)


def si(n: float) -> str:
    """1234567 -> '1.23 M' (G, M, K; plain below a thousand)."""
    for unit, div in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.2f} {unit}"
    return f"{n:.0f}"


def composition(counts: Counts, key: str) -> list[tuple[str, int, str]]:
    """A counter's total as (category, its count, how it relates to ours) terms: "" where it
    counts the category as we do, "2 x" where it counts a multiple, "its own rule" otherwise."""
    terms = []
    for k, v in counts.counters[key].items():
        if not v:
            continue
        ours = counts.categories[k]
        if v == ours:
            how = ""
        elif ours and v % ours == 0:
            how = f"{v // ours} x"
        else:
            how = "its own rule"
        terms.append((k, v, how))
    return terms


def composition_text(counts: Counts, key: str) -> str:
    """'weights 4.09 G + 2 x norms 11.11 M + pooling 903.17 K (its own rule)'."""
    parts = []
    for k, v, how in composition(counts, key):
        if how == "its own rule":
            parts.append(f"{k} {si(v)} (its own rule)")
        elif how:
            parts.append(f"{how} {k} {si(v // int(how.split()[0]))}")
        else:
            parts.append(f"{k} {si(v)}")
    return " + ".join(parts) or "0"


def cumulative_rows(counts: Counts) -> list[tuple[str, str]]:
    """(field, value) rows for a block: weights, then each category added, then 2 x MACs."""
    c = counts.categories
    running = c["weights"]
    rows = [("MACs (weights)", si(running))]
    for k in CATEGORIES[1:]:
        if not c[k]:
            continue
        running += c[k]
        rows.append((f"+ {CATEGORY_INFO[k][0]}", f"+{si(c[k])} = {si(running)}"))
    rows.append(("FLOPs = 2 x MACs", f"{si(2 * c['weights'])} (weights)"))
    return rows


def headline(counts: Counts) -> str:
    """One short line for a collapsed row: every category added, '4.12 G, all kinds'."""
    return f"{si(counts.total)}, all kinds"
