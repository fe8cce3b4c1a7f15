"""Receptive field and stride of every node's output, relative to the input image.

Along a path, a layer with kernel k, stride s and dilation d maps
(rf, jump) -> (rf + (k - 1) * d * jump, jump * s). Where paths merge (add, cat,
mul) the largest receptive field is kept. A global pool or a layer that sees the
whole map (flatten, linear) covers everything that reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    import networkx as nx

    from explorer.graph.blocks import BlockTree

_POOL_FUNCS = {"max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "max_pool3d", "avg_pool3d"}


def _at(v: Any, axis: int, default: int) -> int:
    """The value along spatial ``axis`` of an int or a per-axis list (its last entry when
    shorter)."""
    if v is None:
        return default
    if isinstance(v, list | tuple):
        return int(v[min(axis, len(v) - 1)]) if v else default
    return int(v)


def _pad(v: Any, k: int, dil: int, axis: int) -> int:
    """Padding along ``axis``: a number, a per-axis list, or "same"/"valid"."""
    if v == "same":
        return (k - 1) * dil // 2
    if v == "valid" or v is None or isinstance(v, str):
        return 0
    return _at(v, axis, 0)


def _kernel(
    d: dict[str, Any],
    in_shape: Sequence[int] | None,
    out_shape: Sequence[int] | None,
    axis: int = 0,
) -> tuple[int, int, int, int] | None:
    """(kernel, stride, dilation, padding) along spatial ``axis``, or None if not spatial."""
    hp = d.get("hparams") or {}
    if d["kind"] in ("conv", "pool") and "kernel_size" in hp:
        k = _at(hp["kernel_size"], axis, 1)
        if d["kind"] == "pool":
            s = _at(hp.get("stride"), axis, k)
        else:
            s = _at(hp.get("stride"), axis, 1)
        dil = _at(hp.get("dilation"), axis, 1)
        return k, s, dil, _pad(hp.get("padding"), k, dil, axis)
    if d.get("name") in ("conv1d", "conv2d", "conv3d") and len(d.get("in_shapes") or []) > 1:
        k = int(d["in_shapes"][1][2 + min(axis, len(d["in_shapes"][1]) - 3)])  # the weight
        s = _at(hp.get("stride", hp.get("arg3")), axis, 1)  # conv2d(x, w, b, stride, pad, dil)
        dil = _at(hp.get("dilation", hp.get("arg5")), axis, 1)
        return k, s, dil, _pad(hp.get("padding", hp.get("arg4")), k, dil, axis)
    if d.get("name") in _POOL_FUNCS and "arg1" in hp:
        k = _at(hp["arg1"], axis, 1)
        s = _at(hp.get("arg2", hp.get("stride")), axis, k)
        dil = _at(hp.get("dilation"), axis, 1)
        return k, s, dil, _pad(hp.get("arg3", hp.get("padding")), k, dil, axis)
    if in_shape and out_shape and len(in_shape) >= 3 and len(out_shape) >= 3:
        i = 2 + min(axis, len(in_shape) - 3, len(out_shape) - 3)
        hin, hout = in_shape[i], out_shape[i]
        if hout < hin and hout > 0:  # adaptive pooling, or an op without hyper-parameters
            s = max(1, hin // hout)
            return -(-hin // hout), s, 1, 0
    return None


def field_geometry(g: nx.DiGraph, axis: int = 0) -> dict[str, tuple[int, int, float]]:
    """node -> (receptive field, stride, start) of its output along spatial ``axis``, in
    input pixels: output index i is centred on input pixel ``start + i * stride`` and sees the
    ``field`` pixels around it (part of them may be padding, outside the image).

    A layer with kernel k, stride s, dilation d and padding p maps (rf, jump, start) to
    (rf + (k - 1) d jump, jump s, start + ((k - 1) d / 2 - p) jump).
    """
    out: dict[str, tuple[int, int, float]] = {}
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
            out[n] = (1, 1, 0.0)
            continue
        widest = max(preds, key=lambda p: out[p][0])
        rf, start = out[widest][0], out[widest][2]
        out_shape = d.get("out_shape")
        # the stride is that of the full-size operand (an SE gate is 1x1, broadcast)
        same = [
            out[p][1]
            for p in preds
            if out_shape and (g.nodes[p].get("out_shape") or [])[2:] == out_shape[2:]
        ]
        jump = min(same) if same else max(out[p][1] for p in preds)
        in_shape = d.get("in_shapes")[0] if d.get("in_shapes") else None
        kk = _kernel(d, in_shape, out_shape, axis)
        if kk is not None:
            k, s, dil, pad = kk
            start = start + ((k - 1) * dil / 2 - pad) * jump
            rf, jump = rf + (k - 1) * dil * jump, jump * s
        elif (
            in_shape and out_shape and len(in_shape) >= 3 and len(out_shape) < 3
        ):  # flatten / linear over a spatial map: everything it sees
            size = in_shape[2 + min(axis, len(in_shape) - 3)]
            start = start + (size - 1) / 2 * jump
            rf = rf + (size - 1) * jump
        out[n] = (rf, jump, start)
    return out


def receptive_fields(g: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """node -> (receptive field, stride) of its output, in input pixels (first spatial axis)."""
    return {n: (rf, jump) for n, (rf, jump, _start) in field_geometry(g, 0).items()}


def field_box(
    geometry: tuple[tuple[int, int, float], tuple[int, int, float]], position: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(y0, x0, y1, x1), inclusive input pixels, that output ``position`` (y, x) sees, from the
    (rf, stride, start) of each axis; it may reach past the image (the padding)."""
    box = []
    for (rf, jump, start), p in zip(geometry, position, strict=True):
        c = start + p * jump
        box.append((c - (rf - 1) / 2, c + (rf - 1) / 2))
    (y0, y1), (x0, x1) = box
    return (round(y0), round(x0), round(y1), round(x1))


class FieldError(ExplorerError):
    """A field that cannot be asked for: a block without a spatial output, a position outside
    its output (one line for the user)."""


def block_field(
    tree: BlockTree, block_id: str, position: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The input region one output value of ``block_id`` sees: ``{"block", "rf", "stride",
    "position", "box", "inside", "output", "input"}``.

    ``position`` (y, x) is in the block's output coordinates (default: the centre); ``box``
    is (y0, x0, y1, x1) in input pixels, inclusive, and may reach past the image (padding);
    ``inside`` is the part of it on the image. ``rf`` and ``stride`` are numbers where both
    axes agree, else [y, x]. Raises :class:`FieldError`.
    """
    b = tree.blocks.get(block_id)
    if b is None:
        raise FieldError(f"no block '{block_id}' (cnn-explorer summary lists the blocks)")
    shape = b.out_shape
    in_shape = tree.graph.input_shape
    node = b.nodes[0] if b.is_leaf and b.nodes else b.output_node
    if not b.executed or not shape or node is None:
        raise FieldError(f"'{block_id}' does not run at inference: it has no field")
    if len(shape) < 4 or (tuple(shape[2:]) == (1, 1) and tuple(in_shape[2:]) != (1, 1)):
        raise FieldError(
            f"'{block_id}' has no spatial output ({'x'.join(map(str, shape[1:]))}): every value "
            "sees the whole image; choose a block before the global pooling"
        )
    h, w = int(shape[-2]), int(shape[-1])
    if position is None:
        position = ((h - 1) // 2, (w - 1) // 2)
    y, x = position
    if not (0 <= y < h and 0 <= x < w):
        raise FieldError(
            f"position {y},{x} is outside the output of '{block_id}', {h}x{w} "
            f"(rows 0..{h - 1}, columns 0..{w - 1})"
        )
    g = tree.graph.g
    geo = (field_geometry(g, 0)[node], field_geometry(g, 1)[node])
    y0, x0, y1, x1 = field_box(geo, (y, x))
    ih, iw = int(in_shape[-2]), int(in_shape[-1])
    rf = [geo[0][0], geo[1][0]]
    stride = [geo[0][1], geo[1][1]]
    return {
        "block": block_id,
        "rf": rf[0] if rf[0] == rf[1] else rf,
        "stride": stride[0] if stride[0] == stride[1] else stride,
        "position": [y, x],
        "box": [y0, x0, y1, x1],
        "inside": [max(y0, 0), max(x0, 0), min(y1, ih - 1), min(x1, iw - 1)],
        "output": [h, w],
        "input": [ih, iw],
    }
