"""Trace a model into a networkx DiGraph of operations with shapes, parameters and MACs.

torch.fx traces the model symbolically, keeping each node's module path
(``nn_module_stack``); shapes are propagated on the meta device, so no real
activation is ever allocated. A model that fx cannot trace gets its graph from
one real forward pass instead, recorded with module hooks and a
``TorchFunctionMode``.

Node ids
--------
- a call of a leaf module: its qualname (``layer1.0.conv1``); later calls of the
  same module get ``@1``, ``@2``... (``layer1.0.relu@1``), as torch.fx names them;
- a function or method call: ``SCOPE:NAME`` where SCOPE is the qualname of the
  module whose ``forward`` made the call (``layer1.0:add``; ``:flatten`` at the root);
- the input and output of the network: ``@input`` and ``@output``.

What each node counts (kind, hyper-parameters, parameters, MACs) is worked out in
:mod:`explorer.graph.counting`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import networkx as nx
import torch
from torch import fx, nn
from torch.fx.node import map_aggregate
from torch.fx.passes.shape_prop import ShapeProp, TensorMetadata, _extract_tensor_metadata

from explorer.errors import ExplorerError, one_line
from explorer.graph.counting import (
    end_node_attrs,
    function_macs,
    function_node_attrs,
    module_macs,
    module_node_attrs,
    param_owners,
    subtree_params,
)
from explorer.graph.layers import ACT_TYPES, NORM_TYPES, POOL_TYPES
from explorer.graph.modelgraph import ModelGraph
from explorer.graph.ops import INPUT_ID, MERGE_OPS, OUTPUT_ID, paused_gc
from explorer.graph.shapes import TensorShape, infer_shapes

__all__ = ["INPUT_ID", "MERGE_OPS", "OUTPUT_ID", "ModelGraph", "build_graph", "paused_gc"]


class TraceError(ExplorerError, RuntimeError):
    """The model could not be turned into a graph by any method."""


# -- tracing ------------------------------------------------------------------------------


def _timm_leaves() -> tuple[set[type], list[Any]]:
    if "timm" not in sys.modules:  # a model without timm's layers: nothing to keep whole
        return set(), []
    try:
        from timm.models._features_fx import get_notrace_functions, get_notrace_modules
    except Exception:  # noqa: BLE001 - timm absent or changed: trace everything
        return set(), []
    return set(get_notrace_modules()), list(get_notrace_functions())


_LAYER_TYPES: tuple[type, ...] = (
    nn.modules.conv._ConvNd,
    nn.Linear,
    *NORM_TYPES,
    *POOL_TYPES,
    *ACT_TYPES,
)


#: one fx trace at a time in this process
_TRACING = threading.RLock()


class QualnameTracer(fx.Tracer):
    """An fx tracer that treats torch.nn layers and timm's own layers as leaves.

    With ``thin=True`` a timm layer that holds sub-modules and is not itself a
    conv/norm/pool (a whole block that timm keeps opaque, such as NFNet's
    ``NormFreeBlock``) is traced through, so that its structure shows.
    """

    def __init__(self, thin: bool = True) -> None:
        leaves, fns = _timm_leaves()
        super().__init__(autowrap_functions=tuple(fns), param_shapes_constant=True)
        self._extra_leaves = tuple(leaves)
        self._thin = thin

    # torch.fx patches nn.Module.__call__ and __getattr__ for the whole process while it
    # traces: another thread's forward pass at that moment (the window runs an image while a
    # worker traces a network) would be traced into this graph and fail ("module is not
    # installed as a submodule"). Other threads get the modules as they are; one trace at a
    # time (two would restore each other's patches).

    def trace(self, root: Any, concrete_args: dict[str, Any] | None = None) -> fx.Graph:
        with _TRACING:
            self._thread = threading.get_ident()
            return super().trace(root, concrete_args)

    def call_module(self, m: nn.Module, forward: Any, args: Any, kwargs: Any) -> Any:
        if threading.get_ident() != getattr(self, "_thread", None):
            return forward(*args, **kwargs)  # another thread's forward pass, not traced
        return super().call_module(m, forward, args, kwargs)

    def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict[str, Any]) -> Any:
        if threading.get_ident() != getattr(self, "_thread", None):
            return attr_val
        return super().getattr(attr, attr_val, parameter_proxy_cache)

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        if self._extra_leaves and isinstance(m, self._extra_leaves):
            if not self._thin or isinstance(m, _LAYER_TYPES):
                return True
            return next(iter(m.children()), None) is None
        return super().is_leaf_module(m, module_qualified_name)


def _fx_graph(model: nn.Module, thin: bool) -> fx.Graph:
    return QualnameTracer(thin=thin).trace(model)


def propagate_shapes(gm: fx.GraphModule, input_shape: Sequence[int]) -> None:
    """Record ``tensor_meta`` on every node, on the meta device (no real computation).

    Falls back to a real CPU forward pass when an operation has no meta kernel.
    """
    from torch.nn.utils.stateless import _reparametrize_module

    meta = {
        name: torch.empty_like(t, device="meta")
        for name, t in [*gm.named_parameters(), *gm.named_buffers()]
    }
    try:
        with torch.inference_mode(), _reparametrize_module(gm, meta):
            QuietShapeProp(gm).propagate(torch.empty(*input_shape, device="meta"))
        return
    except Exception:  # noqa: BLE001 - an op without a meta kernel: compute for real
        pass
    from explorer.limits import check_bytes, tensor_bytes

    check_bytes(tensor_bytes(input_shape), f"a {'x'.join(map(str, input_shape))} input")
    with torch.inference_mode():
        QuietShapeProp(gm).propagate(torch.zeros(*input_shape))


class QuietShapeProp(ShapeProp):
    """torch.fx's ShapeProp without its printed traceback: a node's failure is raised as it
    is, for the caller to say in one line (ShapeProp prints ~100 lines on stderr first)."""

    def run_node(self, n: fx.Node) -> Any:
        result = fx.Interpreter.run_node(self, n)
        found = False

        def extract(obj: Any) -> Any:
            nonlocal found
            if isinstance(obj, torch.Tensor):
                found = True
                return _extract_tensor_metadata(obj)
            return obj

        meta = map_aggregate(result, extract)
        if found:
            n.meta["tensor_meta"] = meta
        n.meta["type"] = type(result)
        return result


def meta_values(
    graph: fx.Graph, model: nn.Module, input_shape: Sequence[int]
) -> dict[fx.Node, Any]:
    """Node values by running the graph on the meta device (any op; slower than rules)."""
    gm = fx.GraphModule(model, graph, type(model).__name__)
    propagate_shapes(gm, input_shape)

    def conv(meta: Any) -> Any:
        if isinstance(meta, TensorMetadata):
            return TensorShape(meta.shape)
        if isinstance(meta, tuple | list):
            return tuple(conv(m) for m in meta)
        return meta

    return {n: conv(n.meta.get("tensor_meta")) for n in graph.nodes}


def _trace_with_shapes(
    model: nn.Module, input_shape: Sequence[int]
) -> tuple[fx.Graph, dict[fx.Node, Any], str]:
    """Trace (through timm's opaque blocks where possible) and find every node's shape.

    Shapes come from rules (:mod:`explorer.graph.shapes`) when every node has one,
    else from a meta-device run.
    """
    last: Exception | None = None
    for thin in (True, False):
        try:
            graph = _fx_graph(model, thin)
        except Exception as exc:  # noqa: BLE001 - retry with timm's own (coarser) leaves
            last = exc
            continue
        try:
            return graph, infer_shapes(graph, model, input_shape), "rules"
        except Exception:  # noqa: BLE001 - NoRule, or a rule that met odd arguments
            pass
        try:
            return graph, meta_values(graph, model, input_shape), "meta"
        except Exception as exc:  # noqa: BLE001
            last = exc
    assert last is not None
    raise last


def _shape(value: Any) -> list[int] | None:
    if isinstance(value, TensorShape):
        return list(value)
    return None


def _plain(v: Any) -> Any:
    if isinstance(v, bool | int | float | str) or v is None:
        return v
    if isinstance(v, tuple | list) and all(isinstance(e, int | float) for e in v):
        return list(v)
    return None


def _function_hparams(node: fx.Node) -> dict[str, Any]:
    """Constant arguments of a function call (kernel, stride ... of F.max_pool2d)."""
    out: dict[str, Any] = {}
    for i, a in enumerate(node.args):  # argN: the N-th positional argument, as written
        if i == 0 or isinstance(a, fx.Node):
            continue
        v = _plain(a)
        if v is not None:
            out[f"arg{i}"] = v
    for k, a in node.kwargs.items():
        v = _plain(a)
        if v is not None and not isinstance(a, fx.Node):
            out[k] = v
    return out


def _fn_name(node: fx.Node) -> str:
    if node.op == "call_method":
        return str(node.target)
    t = node.target
    name = getattr(t, "__name__", None) or str(t)
    return name


def build_graph(model: nn.Module, input_shape: Sequence[int]) -> ModelGraph:
    with paused_gc():
        return _build_graph(model, input_shape)


def _build_graph(model: nn.Module, input_shape: Sequence[int]) -> ModelGraph:
    """Trace ``model`` for one input of ``input_shape`` (with batch dim) into a ModelGraph.

    The model is traced in eval mode; its mode is restored afterwards.
    """
    input_shape = tuple(int(s) for s in input_shape)
    was_training = model.training
    model.eval()
    timings: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        try:
            fxg, values, shape_method = _trace_with_shapes(model, input_shape)
            timings["trace+shapes"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            g = _graph_from_fx(fxg, values, model)
            timings["graph"] = time.perf_counter() - t0
            method, err = "fx", None
        except Exception as exc:  # noqa: BLE001 - any trace failure falls back to hooks
            err = one_line(exc)
            fxg, shape_method = None, "forward"
            t0 = time.perf_counter()
            from explorer.limits import check_bytes, tensor_bytes

            shape_text = "x".join(map(str, input_shape))
            check_bytes(tensor_bytes(input_shape), f"a {shape_text} input")
            try:
                from explorer.graph.recorded import graph_from_hooks

                g = graph_from_hooks(model, input_shape)
            except Exception as exc2:  # noqa: BLE001
                first = one_line(exc2)
                raise TraceError(
                    f"cannot trace the model (fx: {err}; forward pass: {first})"
                ) from exc2
            timings["hooks"] = time.perf_counter() - t0
            method = "hooks"
    finally:
        model.train(was_training)
    owners = param_owners(model)
    total = sum(owners.values())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return ModelGraph(
        g=g,
        input_shape=input_shape,
        modules=dict(model.named_modules()),
        param_owner_numel=owners,
        total_params=total,
        trainable_params=trainable,
        method=method,
        shape_method=shape_method,
        fx_graph=fxg,
        root=model,
        trace_error=err,
        timings=timings,
    )


def _graph_from_fx(graph: fx.Graph, values: dict[fx.Node, Any], model: nn.Module) -> nx.DiGraph:
    g = nx.DiGraph()
    modules = dict(model.named_modules())
    subtree = subtree_params(model)
    seen_modules: set[str] = set()
    ids: dict[fx.Node, str] = {}
    alias: dict[fx.Node, fx.Node] = {}  # getitem of a tuple -> the tuple's producer
    local_counts: dict[tuple[str, str], int] = {}
    order = 0

    def shape_of(n: fx.Node) -> list[int] | None:
        return _shape(values.get(n))

    def resolve(n: fx.Node) -> fx.Node:
        while n in alias or n in mutated:
            n = alias[n] if n in alias else mutated[n]
        return n

    # x.mul_(g) whose result is unused: fx keeps later uses on x, but they see the
    # mutated tensor, so they are rewired to come from the in-place node.
    mutated: dict[fx.Node, fx.Node] = {}

    for node in graph.nodes:
        stack = node.meta.get("nn_module_stack") or {}
        if node.op == "placeholder":
            nid, attrs = INPUT_ID, end_node_attrs("input")
        elif node.op == "output":
            nid, attrs = OUTPUT_ID, end_node_attrs("output")
        elif node.op == "get_attr":
            continue
        elif node.op == "call_module":
            key = next(reversed(stack)) if stack else str(node.target)
            qual = str(node.target)
            if not key.startswith(qual):
                key = qual
            nid = key
            mod = modules[qual]
            first = qual not in seen_modules
            seen_modules.add(qual)
            attrs = module_node_attrs(qual, mod, subtree.get(qual, 0) if first else 0)
        else:  # call_function / call_method
            value = values.get(node)
            name = _fn_name(node)
            if name == "getitem":
                src = node.args[0]
                if isinstance(src, fx.Node) and not isinstance(values.get(src), TensorShape):
                    alias[node] = src
                    continue
            if not isinstance(value, TensorShape):
                if not (
                    isinstance(value, tuple | list) and value and isinstance(value[0], TensorShape)
                ):
                    continue  # size(), dim() ...: not part of the data flow
            scope = next(reversed(stack)) if stack else ""
            scope = scope.split("@")[0]
            c = local_counts.get((scope, name), 0)
            local_counts[(scope, name)] = c + 1
            nid = f"{scope}:{name}" + (f"_{c}" if c else "")
            op = "function" if node.op == "call_function" else "method"
            attrs = function_node_attrs(name, scope, op, _function_hparams(node))
        ids[node] = nid
        in_shapes = [s for s in (shape_of(i) for i in node.all_input_nodes) if s is not None]
        out_shape = shape_of(node)
        if out_shape is None and node.op not in ("output",):
            v = values.get(node)
            if isinstance(v, tuple | list) and v and isinstance(v[0], TensorShape):
                out_shape = list(v[0])
        if node.op == "output":
            out_shape = in_shapes[0] if in_shapes else None
        if attrs["op"] == "module":
            macs = module_macs(modules[attrs["module"]], in_shapes, out_shape)
        elif attrs["op"] in ("function", "method"):
            macs = function_macs(attrs["name"], in_shapes, out_shape)
        else:
            macs = 0
        attrs.setdefault("kind", attrs["op"])
        attrs.setdefault("params", 0)
        attrs.setdefault("hparams", {})
        attrs.update(in_shapes=in_shapes, out_shape=out_shape, macs=macs, order=order)
        attrs["fx"] = node.name  # the fx node, for graph surgery (block deletion)
        order += 1
        g.add_node(nid, **attrs)
        for raw in node.all_input_nodes:
            if raw.op == "get_attr":
                continue
            src = resolve(raw)
            if src in ids:
                g.add_edge(ids[src], nid, shape=shape_of(raw) or shape_of(src), kind="data")
        if (
            node.op == "call_method"
            and str(node.target).endswith("_")
            and not str(node.target).startswith("__")
            and not node.users
            and node.args
            and isinstance(node.args[0], fx.Node)
        ):
            mutated[resolve(node.args[0])] = node
    return g
