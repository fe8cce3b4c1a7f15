"""What one node of a model's graph counts: its leaf kind, hyper-parameters, parameters and MACs.

Shared by the fx tracer (:mod:`explorer.graph.trace`) and the forward-pass recorder
(:mod:`explorer.graph.recorded`), so that both give a node the same attributes.

Counting conventions
--------------------
Parameters are unique parameters (shared weights counted once, by the first module
that owns them). MACs are multiply-accumulates of weights, per image:
conv = Cout x Hout x Wout x (Cin/groups) x k x k, linear = in x out (per position).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from torch import nn

from explorer.graph.layers import ACT_TYPES, DROPOUT_TYPES, NORM_TYPES, POOL_TYPES
from explorer.graph.modelgraph import subtree_param_counts

# -- leaf kinds ---------------------------------------------------------------------------

_FN_KINDS: dict[str, str] = {}
for _n in (
    "relu relu_ relu6 leaky_relu gelu silu mish sigmoid sigmoid_ tanh hardtanh hardswish "
    "hardsigmoid softmax log_softmax elu selu softplus hard_sigmoid hard_swish"
).split():
    _FN_KINDS[_n] = "act"
for _n in (
    "max_pool1d max_pool2d max_pool3d avg_pool1d avg_pool2d avg_pool3d adaptive_avg_pool1d "
    "adaptive_avg_pool2d adaptive_max_pool2d adaptive_avg_pool3d mean amax lp_pool2d"
).split():
    _FN_KINDS[_n] = "pool"
for _n in "dropout dropout2d drop_path".split():
    _FN_KINDS[_n] = "dropout"
for _n in "conv1d conv2d conv3d conv_transpose2d".split():
    _FN_KINDS[_n] = "conv"
_FN_KINDS["linear"] = "linear"
for _n in "batch_norm layer_norm group_norm local_response_norm instance_norm".split():
    _FN_KINDS[_n] = "norm"


def count_params(model: nn.Module) -> int:
    """Parameters of ``model``, a shared one counted once (``parameters()`` yields it once)."""
    return sum(p.numel() for p in model.parameters())


def module_kind(module: nn.Module) -> str:
    """Leaf kind of a module from its type: conv, linear, norm, act, pool, dropout or other."""
    if isinstance(module, nn.modules.conv._ConvNd):
        return "conv"
    if isinstance(module, nn.Linear):
        return "linear"
    if isinstance(module, NORM_TYPES):
        return "norm"
    if isinstance(module, ACT_TYPES):
        return "act"
    if isinstance(module, POOL_TYPES):
        return "pool"
    if isinstance(module, DROPOUT_TYPES):
        return "dropout"
    name = type(module).__name__.lower()
    # Library layers outside torch.nn (timm's activations, DropPath, norm+act layers ...).
    if "droppath" in name or "dropout" in name or "stochasticdepth" in name:
        return "dropout"
    if "pool" in name:
        return "pool"
    if "norm" in name:
        return "norm"
    if any(a in name for a in ("relu", "swish", "sigmoid", "gelu", "mish", "tanh", "silu")):
        return "act"
    if "conv" in name and hasattr(module, "weight"):
        return "conv"
    return "other"


def function_kind(name: str) -> str:
    """Leaf kind of a function or method call from its name."""
    return _FN_KINDS.get(name, "other")


_HPARAMS = (
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "in_features",
    "out_features",
    "num_features",
    "normalized_shape",
    "num_groups",
    "eps",
    "momentum",
    "output_size",
    "p",
    "size",
    "alpha",
    "beta",
    "k",
    "negative_slope",
    "inplace",
    "ceil_mode",
)


def end_node_attrs(end: str) -> dict[str, Any]:
    """Attributes of the network's ``"input"`` or ``"output"`` node."""
    return {
        "op": end,
        "name": end,
        "target": end,
        "module": None,
        "scope": "",
        "kind": end,
        "params": 0,
        "hparams": {},
    }


def function_node_attrs(
    name: str, scope: str, op: str = "function", hparams: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Attributes of the graph node for a function (``op="method"``: a method) call that
    the ``forward`` of module ``scope`` made."""
    return {
        "op": op,
        "name": name,
        "target": name,
        "module": None,
        "scope": scope,
        "kind": function_kind(name),
        "params": 0,
        "hparams": hparams if hparams is not None else {},
    }


def module_node_attrs(qual: str, module: nn.Module, params: int) -> dict[str, Any]:
    """Attributes of the graph node for one call of a leaf module (see :class:`ModelGraph`)."""
    return {
        "op": "module",
        "name": qual.rpartition(".")[2] or qual,
        "target": type(module).__name__,
        "module": qual,
        "scope": qual,
        "kind": module_kind(module),
        "params": params,
        "hparams": module_hparams(module),
    }


def module_hparams(module: nn.Module) -> dict[str, Any]:
    """Hyper-parameters of a leaf module (kernel, stride, padding, groups ...) as plain data."""
    out: dict[str, Any] = {}
    attrs = module.__dict__  # plain attributes; avoids nn.Module.__getattr__ misses
    for attr in _HPARAMS:
        if attr in attrs:
            v = attrs[attr]
            if isinstance(v, bool | int | float | str) or v is None:
                out[attr] = v
            elif isinstance(v, tuple | list) and all(isinstance(e, int | float) for e in v):
                out[attr] = list(v)
    if isinstance(module, nn.modules.conv._ConvNd | nn.Linear):
        out["bias"] = module.bias is not None
    act = module._modules.get("act")  # a norm with its activation (timm's BatchNormAct2d)
    if act is not None and "norm" in type(module).__name__.lower():
        out["act"] = type(act).__name__
    return out


# -- parameters and MACs -----------------------------------------------------------------


def param_owners(model: nn.Module) -> dict[str, int]:
    """numel of each module's own parameters; a shared parameter counts for its first owner."""
    owners: dict[str, int] = {}
    for pname, p in model.named_parameters():  # deduplicated by torch
        owner = pname.rpartition(".")[0]
        owners[owner] = owners.get(owner, 0) + p.numel()
    return owners


def subtree_params(model: nn.Module) -> dict[str, int]:
    """qualname -> parameters of that module of ``model`` and all below it (each once)."""
    return subtree_param_counts(param_owners(model))


def conv_macs(
    out_shape: Sequence[int],
    weight_shape: Sequence[int],
    transposed: bool = False,
    in_shape: Sequence[int] | None = None,
) -> int:
    """MACs of a convolution per image: output elements x (Cin/groups x k x k)."""
    if transposed and in_shape is not None:
        # each input element meets (Cout/groups x k x k) weights
        return math.prod(in_shape[1:]) * math.prod(weight_shape[1:])
    return math.prod(out_shape[1:]) * math.prod(weight_shape[1:])


def linear_macs(out_shape: Sequence[int], in_features: int) -> int:
    """MACs of a linear layer per image: in x out at every position."""
    return math.prod(out_shape[1:]) * in_features


def module_macs(module: nn.Module, in_shapes: list[list[int]], out_shape: list[int] | None) -> int:
    """MACs of one call of a leaf module (conv, linear, bilinear; 0 for the others)."""
    if out_shape is None:
        return 0
    if isinstance(module, nn.modules.conv._ConvNd):
        return conv_macs(
            out_shape, module.weight.shape, module.transposed, in_shapes[0] if in_shapes else None
        )
    if isinstance(module, nn.Linear):
        return linear_macs(out_shape, module.in_features)
    if isinstance(module, nn.Bilinear):
        return math.prod(out_shape[1:]) * module.in1_features * module.in2_features
    return 0


def function_macs(name: str, in_shapes: list[list[int]], out_shape: list[int] | None) -> int:
    """MACs of one function call (F.conv2d, F.linear, matmul; 0 for the others)."""
    if out_shape is None:
        return 0
    if name in ("conv1d", "conv2d", "conv3d") and len(in_shapes) >= 2:
        return conv_macs(out_shape, in_shapes[1])
    if name == "linear" and len(in_shapes) >= 2:
        return linear_macs(out_shape, in_shapes[1][-1])
    if name in ("matmul", "bmm", "mm", "matmul_", "__matmul__") and in_shapes:
        return math.prod(out_shape[1:]) * in_shapes[0][-1]
    return 0
