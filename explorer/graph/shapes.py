"""Shape inference over an fx graph by rule, without running anything.

Running the graph on the meta device works for every operation but costs ~0.3 ms
a node (BatchNorm's meta path alone ~0.6 ms); the common layers of CNNs have
simple shape rules, evaluated here in microseconds. A node without a rule raises
:class:`NoRule` and the caller falls back to meta execution for the whole graph,
so a rule is never guessed. Only exact types are matched: a subclass (timm's
``Conv2dSame`` pads dynamically) may change the shape and falls back.
"""

from __future__ import annotations

import builtins
import math
import operator
import sys
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from explorer.graph.layers import ACT_TYPES


class NoRule(Exception):
    """No shape rule for this node."""


class TensorShape(tuple):
    """The shape of a tensor value (distinguishes tensors from tuples of ints)."""

    __slots__ = ()


# Layers whose output has their input's shape (exact types: a subclass may differ).
_SAME_MODULES: set[type] = {
    *ACT_TYPES,
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.GroupNorm,
    nn.LayerNorm,
    nn.LocalResponseNorm,
    nn.InstanceNorm2d,
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.Identity,
}


_REGISTERED: set[str] = set()


def _register_library_same() -> None:
    """torchvision's and timm's shape-keeping layers, once the library is loaded: a model
    that holds one has imported it, and importing them for a model that does not (the
    digits networks) costs a second (torchvision.ops pulls in torch._dynamo)."""
    if "torchvision" in sys.modules and "torchvision" not in _REGISTERED:
        _REGISTERED.add("torchvision")
        try:
            from torchvision.ops import StochasticDepth, stochastic_depth

            _SAME_MODULES.add(StochasticDepth)
            _SAME_FUNCTIONS.add(stochastic_depth)
        except Exception:  # noqa: BLE001
            pass
    if "timm" in sys.modules and "timm" not in _REGISTERED:
        _REGISTERED.add("timm")
        try:
            from timm.layers import BatchNormAct2d, DropPath

            _SAME_MODULES.update({BatchNormAct2d, DropPath})
        except Exception:  # noqa: BLE001
            pass


_SAME_FUNCTIONS: set[Any] = {
    F.relu,
    F.relu6,
    F.gelu,
    F.silu,
    F.mish,
    F.sigmoid,
    F.tanh,
    F.hardswish,
    F.hardsigmoid,
    F.leaky_relu,
    F.elu,
    F.dropout,
    F.dropout2d,
    F.layer_norm,
    F.batch_norm,
    F.group_norm,
    F.softmax,
    F.log_softmax,
    torch.relu,
    torch.sigmoid,
    torch.tanh,
    torch.relu_,
}

_SAME_METHODS = {
    "relu",
    "relu_",
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "contiguous",
    "clone",
    "float",
    "detach",
    "softmax",
    "clamp",
    "clamp_",
    "neg",
    "exp",
    "abs",
    "sqrt",
    "div_",
    "add_",
    "mul_",
    "sub_",
    "hardtanh_",
    "type_as",
}
_ARITH_FUNCTIONS: dict[Any, Callable[[Any, Any], Any]] = {
    operator.add: operator.add,
    operator.sub: operator.sub,
    operator.mul: operator.mul,
    operator.truediv: operator.truediv,
    operator.floordiv: operator.floordiv,
    operator.iadd: operator.add,
    operator.imul: operator.mul,
    operator.isub: operator.sub,
    torch.add: operator.add,
    torch.sub: operator.sub,
    torch.mul: operator.mul,
    torch.div: operator.truediv,
}
_ARITH_METHODS = {
    "add",
    "sub",
    "mul",
    "div",
    "add_",
    "mul_",
    "sub_",
    "div_",
    "__add__",
    "__mul__",
    "__radd__",
    "__rmul__",
    "__sub__",
    "__rsub__",
    "__truediv__",
}


def _broadcast(*shapes: Sequence[int]) -> TensorShape:
    n = max(len(s) for s in shapes)
    out = []
    for i in range(n):
        dims = {s[i - n + len(s)] for s in shapes if i - n + len(s) >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise NoRule("shapes do not broadcast")
        out.append(dims.pop() if dims else 1)
    return TensorShape(out)


def _pair(v: Any, n: int) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, tuple | list) else (v,) * n


def _positive(out: int) -> int:
    if out < 1:
        raise NoRule("output smaller than 1: the input is too small for this layer")
    return out


def _conv_out(size: int, k: int, s: int, p: int, d: int) -> int:
    return _positive((size + 2 * p - d * (k - 1) - 1) // s + 1)


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    num = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(num / s) if ceil else num // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return _positive(out)


def _pool_shape(x: Sequence[int], k: Any, s: Any, p: Any, d: Any, ceil: bool) -> TensorShape:
    n = len(x) - 2
    k, p, d = _pair(k, n), _pair(p, n), _pair(d, n)
    s = k if s is None or s == [] or s == () else _pair(s, n)
    spatial = [_pool_out(x[2 + i], k[i], s[i], p[i], d[i], ceil) for i in range(n)]
    return TensorShape([*x[:2], *spatial])


def _adaptive(x: Sequence[int], size: Any) -> TensorShape:
    n = len(x) - 2
    size = _pair(size, n)
    return TensorShape([*x[:2], *(x[2 + i] if size[i] is None else size[i] for i in range(n))])


def _flatten(x: Sequence[int], start: int = 0, end: int = -1) -> TensorShape:
    start %= len(x)
    end %= len(x)
    return TensorShape([*x[:start], math.prod(x[start : end + 1]), *x[end + 1 :]])


def _reshape(x: Sequence[int], dims: Sequence[int]) -> TensorShape:
    if len(dims) == 1 and isinstance(dims[0], tuple | list):
        dims = dims[0]
    dims = [int(d) for d in dims]
    if dims.count(-1) > 1:
        raise NoRule("view with two -1")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        dims[dims.index(-1)] = math.prod(x) // known
    return TensorShape(dims)


def _reduce(x: Sequence[int], dim: Any = None, keepdim: bool = False) -> Any:
    if dim is None:
        return TensorShape([])
    dims = {d % len(x) for d in _pair(dim, 1)}
    if keepdim:
        return TensorShape([1 if i in dims else v for i, v in enumerate(x)])
    return TensorShape([v for i, v in enumerate(x) if i not in dims])


def _getitem(v: Any, idx: Any) -> Any:
    if not isinstance(v, TensorShape):
        return v[idx]
    idx = idx if isinstance(idx, tuple) else (idx,)
    out: list[int] = []
    dim = 0
    for i, ix in enumerate(idx):
        if ix is Ellipsis:
            rest = len([j for j in idx[i + 1 :] if j is not None])
            while dim < len(v) - rest:
                out.append(v[dim])
                dim += 1
        elif ix is None:
            out.append(1)
        elif isinstance(ix, slice):
            out.append(len(range(*ix.indices(v[dim]))))
            dim += 1
        elif isinstance(ix, int):
            dim += 1
        else:
            raise NoRule("advanced indexing")
    out.extend(v[dim:])
    return TensorShape(out)


def _module_rule(m: nn.Module, args: list[Any], kwargs: dict[str, Any]) -> Any:
    t = type(m)
    x = args[0] if args else None
    if not isinstance(x, TensorShape):
        raise NoRule("module input is not a tensor")
    if t in _SAME_MODULES:
        return x
    if t in (nn.Conv1d, nn.Conv2d, nn.Conv3d):
        n = len(x) - 2
        if len(x) != m.weight.dim() or x[1] != m.in_channels:
            raise NoRule("input channels do not match the convolution")
        if isinstance(m.padding, str):
            if m.padding == "same":
                return TensorShape([x[0], m.out_channels, *x[2:]])
            pad = (0,) * n
        else:
            pad = m.padding
        spatial = [
            _conv_out(x[2 + i], m.kernel_size[i], m.stride[i], pad[i], m.dilation[i])
            for i in range(n)
        ]
        return TensorShape([x[0], m.out_channels, *spatial])
    if t is nn.Linear:
        if x[-1] != m.in_features:
            raise NoRule("input features do not match the linear layer")
        return TensorShape([*x[:-1], m.out_features])
    if t in (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d):
        if m.return_indices:
            raise NoRule("pooling that returns indices")
        return _pool_shape(x, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode)
    if t in (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d):
        return _pool_shape(x, m.kernel_size, m.stride, m.padding, 1, m.ceil_mode)
    if t in (
        nn.AdaptiveAvgPool1d,
        nn.AdaptiveAvgPool2d,
        nn.AdaptiveAvgPool3d,
        nn.AdaptiveMaxPool1d,
        nn.AdaptiveMaxPool2d,
        nn.AdaptiveMaxPool3d,
    ):
        return _adaptive(x, m.output_size)
    if t is nn.Flatten:
        return _flatten(x, m.start_dim, m.end_dim)
    raise NoRule(f"no rule for module {t.__name__}")


def _bind(
    args: list[Any], kwargs: dict[str, Any], names: Sequence[str], defaults: dict[str, Any]
) -> dict[str, Any]:
    out = dict(defaults)
    out.update(zip(names, args, strict=False))
    out.update(kwargs)
    return out


def _function_rule(fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    x = args[0] if args else None
    if fn in _ARITH_FUNCTIONS:
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, TensorShape)]
        if not tensors:
            return _ARITH_FUNCTIONS[fn](*args[:2])
        return _broadcast(*tensors)
    if fn is operator.getitem:
        return _getitem(args[0], args[1])
    if fn is builtins.getattr:
        if isinstance(x, TensorShape) and args[1] == "shape":
            return tuple(x)
        raise NoRule("getattr")
    if fn in _SAME_FUNCTIONS:
        if isinstance(x, TensorShape):
            return x
        raise NoRule("not a tensor")
    if fn in (torch.cat, torch.concat):
        b = _bind(args, kwargs, ("tensors", "dim"), {"dim": 0})
        ts = list(b["tensors"])
        d = b["dim"] % len(ts[0])
        out = list(ts[0])
        out[d] = sum(t[d] for t in ts)
        return TensorShape(out)
    if fn is torch.flatten:
        b = _bind(args, kwargs, ("input", "start_dim", "end_dim"), {"start_dim": 0, "end_dim": -1})
        return _flatten(b["input"], b["start_dim"], b["end_dim"])
    if fn in (F.max_pool2d, F.max_pool1d):
        b = _bind(
            args,
            kwargs,
            ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
            {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False},
        )
        return _pool_shape(
            b["input"], b["kernel_size"], b["stride"], b["padding"], b["dilation"], b["ceil_mode"]
        )
    if fn in (F.avg_pool2d, torch._C._nn.avg_pool2d):
        b = _bind(
            args,
            kwargs,
            ("input", "kernel_size", "stride", "padding", "ceil_mode"),
            {"stride": None, "padding": 0, "ceil_mode": False},
        )
        return _pool_shape(
            b["input"], b["kernel_size"], b["stride"], b["padding"], 1, b["ceil_mode"]
        )
    if fn in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d):
        b = _bind(args, kwargs, ("input", "output_size"), {})
        return _adaptive(b["input"], b["output_size"])
    if fn is torch.permute:
        return TensorShape([x[d] for d in args[1]])
    if fn is torch.transpose:
        out = list(x)
        a, c = args[1] % len(x), args[2] % len(x)
        out[a], out[c] = out[c], out[a]
        return TensorShape(out)
    if fn is torch.mean:
        b = _bind(args, kwargs, ("input", "dim", "keepdim"), {"dim": None, "keepdim": False})
        return _reduce(b["input"], b["dim"], b["keepdim"])
    raise NoRule(f"no rule for {getattr(fn, '__name__', fn)}")


def _method_rule(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    x = args[0]
    if not isinstance(x, TensorShape):
        raise NoRule("method on a non-tensor")
    if name in _SAME_METHODS and not (name in _ARITH_METHODS and len(args) > 1):
        return x
    if name in _ARITH_METHODS:
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, TensorShape)]
        return _broadcast(*tensors)
    if name == "size":
        if len(args) > 1 or "dim" in kwargs:
            return x[kwargs.get("dim", args[1] if len(args) > 1 else 0)]
        return tuple(x)
    if name == "dim":
        return len(x)
    if name in ("view", "reshape"):
        return _reshape(x, args[1:])
    if name == "flatten":
        b = _bind(args[1:], kwargs, ("start_dim", "end_dim"), {"start_dim": 0, "end_dim": -1})
        return _flatten(x, b["start_dim"], b["end_dim"])
    if name == "permute":
        dims = args[1] if len(args) == 2 and isinstance(args[1], tuple | list) else args[1:]
        return TensorShape([x[d] for d in dims])
    if name == "transpose":
        out = list(x)
        a, c = args[1] % len(x), args[2] % len(x)
        out[a], out[c] = out[c], out[a]
        return TensorShape(out)
    if name in ("mean", "amax", "sum"):
        b = _bind(args[1:], kwargs, ("dim", "keepdim"), {"dim": None, "keepdim": False})
        return _reduce(x, b["dim"], b["keepdim"])
    if name == "chunk":
        b = _bind(args[1:], kwargs, ("chunks", "dim"), {"dim": 0})
        d = b["dim"] % len(x)
        step = -(-x[d] // b["chunks"])
        sizes = [min(step, x[d] - i) for i in range(0, x[d], step)]
        return tuple(TensorShape([*x[:d], s, *x[d + 1 :]]) for s in sizes)
    if name == "expand_as":
        return args[1]
    raise NoRule(f"no rule for method {name}")


def infer_shapes(
    graph: fx.Graph, root: nn.Module, input_shape: Sequence[int]
) -> dict[fx.Node, Any]:
    """Value of every node: a :class:`TensorShape`, a tuple of them, or a plain value.

    Raises :class:`NoRule` at the first node without a rule.
    """
    _register_library_same()
    modules = dict(root.named_modules())
    env: dict[fx.Node, Any] = {}

    def load(a: Any) -> Any:
        return fx.node.map_arg(a, lambda n: env[n])

    placeholders = 0
    for node in graph.nodes:
        if node.op == "placeholder":
            if placeholders:
                raise NoRule("more than one input")
            placeholders += 1
            env[node] = TensorShape(input_shape)
            continue
        if node.op == "get_attr":
            obj: Any = root
            for part in str(node.target).split("."):
                obj = getattr(obj, part)
            env[node] = TensorShape(obj.shape) if isinstance(obj, torch.Tensor) else obj
            continue
        if node.op == "output":
            env[node] = load(node.args[0])
            continue
        args = list(load(node.args))
        kwargs = dict(load(node.kwargs))
        if node.op == "call_module":
            env[node] = _module_rule(modules[str(node.target)], args, kwargs)
        elif node.op == "call_function":
            env[node] = _function_rule(node.target, args, kwargs)
        else:
            env[node] = _method_rule(str(node.target), args, kwargs)
    return env
