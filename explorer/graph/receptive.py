"""Receptive field and stride of every node's output, relative to the input image.

Along a path, a layer with kernel k, stride s and dilation d maps
(rf, jump) -> (rf + (k - 1) * d * jump, jump * s). Where paths merge (add, cat,
mul) the largest receptive field is kept. A global pool or a layer that sees the
whole map (flatten, linear) covers everything that reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

_POOL_FUNCS = {"max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "max_pool3d", "avg_pool3d"}


def _first(v: Any, default: int) -> int:
    if v is None:
        return default
    if isinstance(v, list | tuple):
        return int(v[0]) if v else default
    return int(v)


def _kernel(
    d: dict[str, Any], in_shape: Sequence[int] | None, out_shape: Sequence[int] | None
) -> tuple[int, int, int] | None:
    """(kernel, stride, dilation) along the first spatial axis, or None if not spatial."""
    hp = d.get("hparams") or {}
    if d["kind"] in ("conv", "pool") and "kernel_size" in hp:
        k = _first(hp["kernel_size"], 1)
        s = _first(hp.get("stride"), k) if d["kind"] == "pool" else _first(hp.get("stride"), 1)
        return k, s, _first(hp.get("dilation"), 1)
    if d.get("name") in ("conv1d", "conv2d", "conv3d") and len(d.get("in_shapes") or []) > 1:
        k = int(d["in_shapes"][1][2])  # the weight's kernel
        s = _first(hp.get("stride", hp.get("arg3")), 1)  # conv2d(x, w, b, stride, pad, dil)
        return k, s, _first(hp.get("dilation", hp.get("arg5")), 1)
    if d.get("name") in _POOL_FUNCS and "arg1" in hp:
        k = _first(hp["arg1"], 1)
        s = _first(hp.get("arg2", hp.get("stride")), k)
        return k, s, _first(hp.get("dilation"), 1)
    if in_shape and out_shape and len(in_shape) >= 3 and len(out_shape) >= 3:
        hin, hout = in_shape[2], out_shape[2]
        if hout < hin and hout > 0:  # adaptive pooling, or an op without hyper-parameters
            s = max(1, hin // hout)
            return -(-hin // hout), s, 1
    return None


def receptive_fields(g: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """node -> (receptive field, stride) of its output, in input pixels (first spatial axis)."""
    out: dict[str, tuple[int, int]] = {}
    # only the data path counts: weights computed in forward (weight standardisation) do not
    from explorer.graph.ops import INPUT_ID

    data = {INPUT_ID}
    for n in sorted(g.nodes, key=lambda n: g.nodes[n]["order"]):
        if any(p in data for p in g.predecessors(n)):
            data.add(n)
    for n in sorted(g.nodes, key=lambda n: g.nodes[n]["order"]):
        d = g.nodes[n]
        preds = [p for p in g.predecessors(n) if p in data]
        if not preds:
            out[n] = (1, 1)
            continue
        rf = max(out[p][0] for p in preds)
        out_shape = d.get("out_shape")
        # the stride is that of the full-size operand (an SE gate is 1x1, broadcast)
        same = [
            out[p][1]
            for p in preds
            if out_shape and (g.nodes[p].get("out_shape") or [])[2:] == out_shape[2:]
        ]
        jump = min(same) if same else max(out[p][1] for p in preds)
        in_shape = d.get("in_shapes")[0] if d.get("in_shapes") else None
        kk = _kernel(d, in_shape, out_shape)
        if kk is not None:
            k, s, dil = kk
            rf, jump = rf + (k - 1) * dil * jump, jump * s
        elif (
            in_shape and out_shape and len(in_shape) >= 3 and len(out_shape) < 3
        ):  # flatten / linear over a spatial map: everything it sees
            rf = rf + (in_shape[2] - 1) * jump
        out[n] = (rf, jump)
    return out
