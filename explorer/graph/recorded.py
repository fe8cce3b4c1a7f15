"""The graph of a model that torch.fx cannot trace, from one real forward pass.

Module hooks record each leaf module's call and a ``TorchFunctionMode`` records the
functions called between them (additions, concatenations ...), with the same node ids,
attributes and counting conventions as :mod:`explorer.graph.trace`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import torch
from torch import nn

from explorer.graph.counting import (
    end_node_attrs,
    function_macs,
    function_node_attrs,
    module_macs,
    module_node_attrs,
    subtree_params,
)
from explorer.graph.ops import INPUT_ID, OUTPUT_ID


def graph_from_hooks(model: nn.Module, input_shape: Sequence[int]) -> nx.DiGraph:
    """Record the data flow of one real forward pass (for models fx cannot trace)."""
    from torch.overrides import TorchFunctionMode

    g = nx.DiGraph()
    modules = dict(model.named_modules())
    names = {id(m): q for q, m in modules.items()}
    subtree = subtree_params(model)
    producer: dict[int, str] = {}
    keep: list[torch.Tensor] = []  # keeps ids unique while the pass runs
    stack: list[str] = []
    leaf_depth = [0]
    calls: dict[str, int] = {}
    local_counts: dict[tuple[str, str], int] = {}
    order = [0]

    def tensors(obj: Any) -> list[torch.Tensor]:
        if isinstance(obj, torch.Tensor):
            return [obj]
        if isinstance(obj, tuple | list):
            return [t for o in obj for t in tensors(o)]
        if isinstance(obj, dict):
            return [t for o in obj.values() for t in tensors(o)]
        return []

    def add(nid: str, attrs: dict[str, Any], inputs: Iterable[torch.Tensor], out: Any) -> None:
        ins = list(inputs)
        outs = tensors(out)
        in_shapes = [list(t.shape) for t in ins]
        out_shape = list(outs[0].shape) if outs else None
        attrs.update(in_shapes=in_shapes, out_shape=out_shape, order=order[0])
        order[0] += 1
        g.add_node(nid, **attrs)
        for t in ins:
            src = producer.get(id(t))
            if src is not None and src != nid:
                g.add_edge(src, nid, shape=list(t.shape), kind="data")
        for t in outs:
            producer[id(t)] = nid
            keep.append(t)

    def is_leaf(m: nn.Module) -> bool:
        return next(iter(m.children()), None) is None

    def pre_hook(m: nn.Module, args: Any) -> None:
        stack.append(names.get(id(m), "?"))
        if is_leaf(m):
            leaf_depth[0] += 1

    def post_hook(m: nn.Module, args: Any, out: Any) -> None:
        qual = stack.pop()
        if not is_leaf(m):
            return
        leaf_depth[0] -= 1
        if leaf_depth[0] > 0:
            return
        k = calls.get(qual, 0)
        calls[qual] = k + 1
        nid = qual if k == 0 else f"{qual}@{k}"
        own = subtree.get(qual, 0) if k == 0 else 0
        ins = tensors(args)
        outs = tensors(out)
        macs = module_macs(m, [list(t.shape) for t in ins], list(outs[0].shape) if outs else None)
        add(
            nid,
            {**module_node_attrs(qual, m, own), "macs": macs},
            ins,
            out,
        )

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if leaf_depth[0] > 0:
                return out
            name = getattr(func, "__name__", str(func))
            if name in ("__get__", "size", "dim", "__getitem__") and not tensors(out):
                return out
            outs = tensors(out)
            ins = [t for t in tensors(list(args) + list(kwargs.values()))]
            if not outs or not ins:
                return out
            if name == "__getitem__" and isinstance(args[0], tuple | list):
                return out
            name = name.strip("_") or name
            scope = stack[-1] if stack else ""
            c = local_counts.get((scope, name), 0)
            local_counts[(scope, name)] = c + 1
            nid = f"{scope}:{name}" + (f"_{c}" if c else "")
            in_shapes = [list(t.shape) for t in ins]
            macs = function_macs(name, in_shapes, list(outs[0].shape))
            add(nid, {**function_node_attrs(name, scope), "macs": macs}, ins, out)
            return out

    handles = []
    try:
        for m in modules.values():
            if m is model:
                continue
            handles.append(m.register_forward_pre_hook(pre_hook))
            handles.append(m.register_forward_hook(post_hook))
        x = torch.zeros(*input_shape)
        add(INPUT_ID, {**end_node_attrs("input"), "macs": 0}, [], x)
        with torch.inference_mode(), Recorder():
            y = model(x)
        add(OUTPUT_ID, {**end_node_attrs("output"), "macs": 0}, tensors(y), None)
        g.nodes[OUTPUT_ID]["out_shape"] = g.nodes[OUTPUT_ID]["in_shapes"][0] if tensors(y) else None
    finally:
        for h in handles:
            h.remove()
        keep.clear()
    return g
