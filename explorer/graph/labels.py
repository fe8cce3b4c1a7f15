"""Slide-style labels for blocks, in the notation of the papers (pure data, no torch).

A leaf is labelled by what it computes: ``3x3 conv, 64``, ``3x3 conv, 128, /2``,
``3x3 depthwise conv, 32``, ``1x1 conv, 256, g=32``, ``3x3 max pool, /2``,
``global avg pool``, ``FC 4096``, ``BN``, ``ReLU``, ``concat``, ``+``, ``×``.
A container summarises its inside: ``Inception 3a: 1x1 64 | 3x3 128 | 3x3 32 | pool 32``,
``residual: 1x1 64, 3x3 64, 1x1 256 + proj``, ``highway: T*H + (1-T)*x, 3x3 32``.
The module's qualified name stays the block's id (shown in the inspector and tooltips).

Do-nothing layers (``nn.Identity`` and timm's placeholders) are *hidden*: the layout does not
draw them. Norms, activations and dropout that directly follow a conv or FC are *marks* of it:
drawn as a small tag inside its box when the layout folds them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from explorer.graph.ops import INPUT_ID, MERGE_OPS, OUTPUT_ID

if TYPE_CHECKING:
    from explorer.graph.blocks import Block, BlockTree

#: leaf types that pass their input through unchanged (timm's ``aa``, the SE block's
#: ``bn`` when it has none, ``drop_block`` at inference ...)
HIDDEN_TYPES = frozenset({"Identity"})
#: leaf kinds folded into the conv or FC they follow
FOLD_KINDS = frozenset({"norm", "act", "dropout"})

_NORMS = {
    "BatchNorm": "BN",
    "SyncBatchNorm": "BN",
    "LayerNorm": "LN",
    "GroupNorm": "GN",
    "InstanceNorm": "IN",
    "LocalResponseNorm": "LRN",
    "FrozenBatchNorm": "BN",
}
_ACTS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "leakyrelu": "LeakyReLU",
    "leaky_relu": "LeakyReLU",
    "prelu": "PReLU",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "swish": "Swish",
    "hardswish": "h-swish",
    "hard_swish": "h-swish",
    "hardsigmoid": "h-sigmoid",
    "hard_sigmoid": "h-sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "mish": "Mish",
    "softmax": "softmax",
}
_OTHER_OPS = {
    "flatten": "flatten",
    "view": "reshape",
    "reshape": "reshape",
    "getitem": "slice",
    "pad": "zero pad",
    "chunk": "split",
    "split": "split",
    "transpose": "transpose",
    "permute": "permute",
    "interpolate": "resize",
    "upsample": "upsample",
}
_MERGE_GLYPH = {"add": "+", "mul": "×", "cat": "concat", "sub": "−"}


def _pair(v: Any) -> tuple[int, ...]:
    if isinstance(v, int | float):
        return (int(v), int(v))
    if isinstance(v, Sequence) and v and all(isinstance(e, int | float) for e in v):
        return tuple(int(e) for e in v)
    return ()


def _kxk(k: tuple[int, ...]) -> str:
    if not k:
        return ""
    return "x".join(str(v) for v in k) if len(set(k)) > 1 else f"{k[0]}x{k[0]}"


def _stride(s: tuple[int, ...]) -> int:
    return max(s) if s else 1


#: function calls that change nothing a slide shows (a memory layout; stochastic depth,
#: which passes its input through at inference)
HIDDEN_OPS = frozenset({"contiguous", "clone", "detach", "stochastic_depth"})


def is_hidden(b: Block) -> bool:
    """A layer that does nothing (Identity, a placeholder, dropout with p = 0): not drawn."""
    if not b.is_leaf or len(b.in_shapes) > 1:
        return False
    if ":" in b.id and (b.op or "").strip("_") in HIDDEN_OPS:
        return True
    return b.type in HIDDEN_TYPES or (b.kind == "dropout" and b.hparams.get("p") == 0)


def is_merge(b: Block) -> str | None:
    """ "add", "mul", "cat" or "sub" for a function call that merges tensors, else None."""
    if not b.is_leaf or b.op is None or ":" not in b.id:
        return None
    return MERGE_OPS.get(b.op.strip("_"))


def conv_parts(b: Block) -> dict[str, Any] | None:
    """Kernel, output channels, stride, groups, dilation and depthwise flag of a conv leaf."""
    if b.kind != "conv":
        return None
    hp = b.hparams
    k = _pair(hp.get("kernel_size"))
    cout = hp.get("out_channels")
    cin = hp.get("in_channels")
    stride = _stride(_pair(hp.get("stride", 1)))
    groups = int(hp.get("groups", 1) or 1)
    dil = _stride(_pair(hp.get("dilation", 1)))
    if not k and len(b.in_shapes) >= 2 and len(b.in_shapes[1]) >= 3:  # F.conv2d(x, w, ...)
        w = b.in_shapes[1]
        k, cout = tuple(w[2:]), w[0]
        stride = _stride(_pair(hp.get("stride", hp.get("arg3", 1))))
        groups = int(hp.get("groups", hp.get("arg6", 1)) or 1)
        cin = w[1] * groups
    if cout is None and b.out_shape and len(b.out_shape) >= 2:
        cout = b.out_shape[1]
    if cin is None and b.in_shapes and len(b.in_shapes[0]) >= 2:
        cin = b.in_shapes[0][1]
    depthwise = groups > 1 and cin is not None and groups == cin
    return {
        "k": k,
        "cout": cout,
        "stride": stride,
        "groups": groups,
        "dilation": dil,
        "depthwise": depthwise,
    }


def conv_label(b: Block) -> str:
    p = conv_parts(b)
    assert p is not None
    name = "depthwise conv" if p["depthwise"] else "conv"
    if "transpose" in b.type.lower():
        name = "transposed conv"
    out = f"{_kxk(p['k'])} {name}".strip()
    if p["cout"] is not None:
        out += f", {p['cout']}"
    if p["stride"] > 1:
        out += f", /{p['stride']}"
    if p["groups"] > 1 and not p["depthwise"]:
        out += f", g={p['groups']}"
    if p["dilation"] > 1:
        out += f", d={p['dilation']}"
    return out


def _pool_label(b: Block) -> str:
    t = f"{b.type} {b.op or ''}".lower()
    how = "max" if "max" in t else "avg" if ("avg" in t or "mean" in t) else ""
    hp = b.hparams
    adaptive = "adaptive" in t or t.startswith("mean") or b.op in ("mean", "amax")
    out_sp = b.out_shape[2:] if b.out_shape and len(b.out_shape) > 2 else []
    if adaptive or (b.out_shape and len(b.out_shape) == 2):
        if not out_sp or all(v == 1 for v in out_sp):
            return f"global {how} pool".replace("  ", " ")
        return f"adaptive {how} pool, {_kxk(tuple(out_sp))}".replace("  ", " ")
    k = _pair(hp.get("kernel_size", hp.get("arg1")))
    s = _pair(hp.get("stride", hp.get("arg2")) or k)
    label = f"{_kxk(k)} {how} pool".strip()
    if _stride(s) > 1:
        label += f", /{_stride(s)}"
    return label.replace("  ", " ")


def norm_label(b: Block) -> str:
    act = b.hparams.get("act")  # a norm-and-activation layer (timm's BatchNormAct2d)
    for key, short in _NORMS.items():
        if b.type.startswith(key):
            if "Act" not in b.type or act == "Identity":
                return short
            if act is None:
                return short + "+act"
            return f"{short}+{_ACTS.get(act.lower(), act)}"
    if "norm" in b.type.lower():
        return "norm"
    return b.type


def act_label(b: Block) -> str:
    key = (b.op if not b.hparams and ":" in b.id else b.type) or b.type
    return _ACTS.get(key.lower().strip("_"), _ACTS.get(b.type.lower(), b.type))


def leaf_label(b: Block) -> str:
    """The slide label of one leaf (a module call or a function call)."""
    if b.id == INPUT_ID:
        return "input " + "x".join(map(str, (b.out_shape or [])[1:]))
    if b.id == OUTPUT_ID:
        return "output"
    m = is_merge(b)
    if m is not None:
        if m == "sub" and len(b.in_shapes) == 1:  # a constant and a tensor
            c = b.hparams.get("arg1", b.hparams.get("other"))
            return f"x − {c:g}" if isinstance(c, int | float) else "−"
        return _MERGE_GLYPH[m]
    kind = b.kind
    if kind == "conv":
        return conv_label(b)
    if kind == "linear":
        out = b.hparams.get("out_features")
        if out is None and b.out_shape:
            out = b.out_shape[-1]
        return f"FC {out}"
    if kind == "pool":
        return _pool_label(b)
    if kind == "norm":
        return norm_label(b)
    if kind == "act":
        return act_label(b)
    if kind == "dropout":
        p = b.hparams.get("p")
        if "path" in b.type.lower() or "depth" in b.type.lower():
            return "drop path"
        return f"dropout {p:g}" if isinstance(p, int | float) else "dropout"
    t = (b.op or b.type).lower().strip("_")
    if t in _OTHER_OPS:
        return _OTHER_OPS[t]
    return b.op if ":" in b.id and b.op else b.type


def mark_label(b: Block) -> str:
    """The short tag of a norm, activation or dropout folded into a box."""
    if b.kind == "norm":
        return norm_label(b)
    if b.kind == "act":
        return act_label(b)
    return "drop"


# -- containers -------------------------------------------------------------------------


def _leaves(tree: BlockTree, bid: str) -> list[Block]:
    b = tree.blocks[bid]
    return [tree.blocks[n] for n in b.nodes if n in tree.blocks and tree.blocks[n].is_leaf]


def _short_conv(b: Block) -> str:
    """``3x3 64`` (``/2`` when strided; ``dw`` for depthwise): a conv inside a summary."""
    p = conv_parts(b)
    assert p is not None
    s = f"{_kxk(p['k'])}{' dw' if p['depthwise'] else ''} {p['cout']}"
    if p["stride"] > 1:
        s += f" /{p['stride']}"
    return s


def _branch_summary(tree: BlockTree, nodes: list[str]) -> str:
    """An inception branch: its convs after the first 1x1 reduction, or ``pool C``."""
    leaves = [tree.blocks[n] for n in nodes if n in tree.blocks and tree.blocks[n].is_leaf]
    convs = [b for b in leaves if b.kind == "conv"]
    pools = [b for b in leaves if b.kind == "pool"]
    if pools and (not convs or pools[0].order < convs[0].order):
        if not convs:  # a pooling branch without projection (a reduction block)
            return _pool_label(pools[0]).replace(", /", " /")
        return f"pool {conv_parts(convs[-1])['cout']}"
    if not convs:
        return "id" if not leaves else leaf_label(leaves[-1])
    body = convs[1:] if len(convs) > 1 and conv_parts(convs[0])["k"] in ((1, 1), (1,)) else convs
    kernels = [_kxk(conv_parts(c)["k"]) for c in body]
    if len(kernels) > 1 and all(k == "3x3" for k in kernels):
        shown = [f"3x3 x{len(kernels)}"]  # stacked 3x3s (the factorised 5x5)
    else:  # a run of 3x3s inside a longer branch said once
        shown = [k for i, k in enumerate(kernels) if not (i and k == kernels[i - 1] == "3x3")]
    out = f"{','.join(shown)} {conv_parts(body[-1])['cout']}"
    if any(conv_parts(c)["stride"] > 1 for c in body):
        out += " /2"
    return out


def _pretty_name(b: Block) -> str:
    """``Inception 3a`` for torchvision's ``inception3a``, else the class name."""
    short = b.id.rpartition(".")[2]
    m = re.fullmatch(r"inception_?(\d\w*)", short, flags=re.IGNORECASE)
    if m:
        return f"Inception {m.group(1)}"
    return b.type


def _convs(tree: BlockTree, nodes: list[str]) -> list[Block]:
    return [
        tree.blocks[n]
        for n in nodes
        if n in tree.blocks and tree.blocks[n].is_leaf and tree.blocks[n].kind == "conv"
    ]


def _sequential_label(tree: BlockTree, b: Block) -> str:
    leaves = [x for x in _leaves(tree, b.id) if not is_hidden(x)]
    core = [x for x in leaves if x.kind not in FOLD_KINDS and x.kind != "other"]
    convs = [x for x in core if x.kind == "conv"]
    if len(convs) == 2 and convs[0].hparams.get("groups", 1) > 1 and len(core) == 2:
        # a separable conv drawn as one: depthwise then pointwise
        dw = conv_parts(convs[0])
        pw = conv_parts(convs[1])
        if dw and pw and dw["depthwise"] and pw["k"] in ((1, 1), (1,)):
            s = f"{_kxk(dw['k'])} separable conv, {pw['cout']}"
            return s + (f", /{dw['stride']}" if dw["stride"] > 1 else "")
    if len(core) == 1:
        return leaf_label(core[0])
    if not core:
        return ", ".join(dict.fromkeys(leaf_label(x) for x in leaves)) or b.id.rpartition(".")[2]
    if len(core) <= 3:
        return " → ".join(leaf_label(x) for x in core)
    name = b.id.rpartition(".")[2] or b.type
    if name.isdigit():
        name = b.id
    kids = [
        tree.blocks[c]
        for c in b.children
        if tree.blocks[c].executed and not is_hidden(tree.blocks[c])
    ]
    kinds = [k.kind for k in kids if not k.is_leaf]
    chans = (b.out_shape or [0, 0])[1] if b.out_shape and len(b.out_shape) > 1 else None
    ch = f", {chans} ch" if chans else ""
    if kinds and len(set(kinds)) == 1 and kinds[0] != "sequential":
        return f"{name}: {len(kinds)} {kinds[0]} blocks{ch}"
    return f"{name}: {len(convs)} convs{ch}" if convs else f"{name}: {len(core)} layers"


def block_label(tree: BlockTree, bid: str) -> str:
    """The slide label of a block: a leaf's notation, a container's summary."""
    b = tree.blocks[bid]
    if b.is_leaf:
        if is_merge(b) == "sub" and len(b.in_shapes) == 1 and _from_gate(tree, b):
            return "1 − T"  # a highway layer's carry gate
        return leaf_label(b)
    if bid == "":
        return "model"
    mo = b.motif
    if b.kind == "inception" and mo is not None:
        parts = [_branch_summary(tree, br) for br in mo.branches]
        return f"{_pretty_name(b)}: " + " | ".join(parts)
    if b.kind == "residual" and mo is not None:
        return _residual_label(tree, b)
    if b.kind == "highway" and mo is not None:
        convs = _convs(tree, mo.branches[0])
        h = f", {_short_conv(convs[0])}" if convs else ""
        return f"highway: T*H + (1-T)*x{h}"
    if b.kind == "se":
        convs = [x for x in _leaves(tree, bid) if x.kind in ("conv", "linear")]
        chans = []
        for c in convs:
            p = conv_parts(c)
            chans.append(p["cout"] if p else c.hparams.get("out_features"))
        c_in = (b.out_shape or [0, 0])[1]
        return "SE: " + " → ".join(str(c) for c in [c_in, *chans]) + ", sigmoid"
    if b.kind == "repvgg" and mo is not None:
        kernels = []
        for br in mo.branches:
            cs = _convs(tree, br)
            kernels.append(conv_parts(cs[0])["k"] if cs else ())
        # the paper's order: 3x3, then 1x1, then identity, whatever the module order
        parts = [_kxk(k) if k else "id" for k in sorted(kernels, key=lambda k: -max(k, default=0))]
        stride = max((conv_parts(c)["stride"] for c in _convs(tree, b.nodes)), default=1)
        c_out = (b.out_shape or [0, 0])[1]
        s = f"RepVGG: {' + '.join(parts)}, {c_out}"
        return s + (f", /{stride}" if stride > 1 else "")
    if b.kind == "separable":
        return _sequential_label(tree, b)
    if b.kind == "dense" and mo is not None:
        convs = _convs(tree, b.nodes)
        return "dense: " + ", ".join(_short_conv(c) for c in convs) + " ⊕ input"
    return _sequential_label(tree, b)


def _from_gate(tree: BlockTree, b: Block) -> bool:
    """Whether ``b``'s tensor input is a sigmoid gate's output."""
    g = tree.graph.g
    for p in g.predecessors(b.id) if b.id in g else ():
        d = g.nodes[p]
        if d.get("kind") == "act" and "sigmoid" in f"{d.get('name')} {d.get('target')}".lower():
            return True
    return False


def _in_se(tree: BlockTree, leaf: Block, stop: str) -> bool:
    p = leaf.parent
    while p is not None and p != stop:
        if tree.blocks[p].kind == "se":
            return True
        p = tree.blocks[p].parent
    return False


def _conv_items(convs: list[Block], before: dict[str, str] | None = None) -> list[str]:
    """Convs in a summary, a depthwise conv and the 1x1 after it said as one separable conv;
    ``before``: conv id -> what precedes it (``BN-ReLU-``, a pre-activation unit's)."""
    before = before or {}
    items: list[str] = []
    i = 0
    while i < len(convs):
        p = conv_parts(convs[i])
        nxt = conv_parts(convs[i + 1]) if i + 1 < len(convs) else None
        pre = before.get(convs[i].id, "")
        if p["depthwise"] and nxt is not None and nxt["k"] in ((1, 1), (1,)):
            item = f"{pre}sep {_kxk(p['k'])} {nxt['cout']}"
            items.append(item + (f" /{p['stride']}" if p["stride"] > 1 else ""))
            i += 2
            continue
        items.append(pre + _short_conv(convs[i]))
        i += 1
    out: list[str] = []
    i = 0
    while i < len(items):  # runs of three or more of the same conv: "sep 3x3 728 ×3"
        j = i
        while j < len(items) and items[j] == items[i]:
            j += 1
        out.extend([f"{items[i]} ×{j - i}"] if j - i >= 3 else items[i:j])
        i = j
    return out


def _norm_act_before(tree: BlockTree, node: str) -> list[Block]:
    """The norms and activations that lead into ``node``, each the only input of the next
    (``[BN, ReLU]`` before a pre-activation conv), in order."""
    g = tree.graph.g
    chain: list[Block] = []
    preds = list(g.predecessors(node))
    while len(preds) == 1:
        pb = tree.blocks.get(preds[0])
        if pb is None or not pb.is_leaf or pb.kind not in ("norm", "act"):
            break
        chain.append(pb)
        preds = list(g.predecessors(pb.id))
    return chain[::-1]


def pre_activation(tree: BlockTree, bid: str) -> dict[str, str]:
    """For a pre-activation residual unit (He et al. 2016: BN-ReLU before every conv, the
    last conv's output summed as it is), conv id -> its prefix (``"BN-ReLU-"``); else empty.

    A post-activation block (conv first, BN after its last conv) gives an empty dict, though
    its second conv also follows a BN and a ReLU.
    """
    b = tree.blocks[bid]
    mo = b.motif
    if b.kind != "residual" or mo is None:
        return {}
    into_sum = tree.blocks.get(mo.operands[0])
    convs = [c for c in _convs(tree, mo.branches[0]) if not _in_se(tree, c, bid)]
    if into_sum is None or into_sum.kind != "conv" or not convs:
        return {}
    if not _norm_act_before(tree, convs[0].id):
        return {}
    out = {}
    for c in convs:
        chain = _norm_act_before(tree, c.id)
        if chain:
            out[c.id] = "".join(f"{mark_label(x)}-" for x in chain)
    return out


def _residual_label(tree: BlockTree, b: Block) -> str:
    mo = b.motif
    assert mo is not None
    main_nodes = mo.branches[0]
    tail = {"projection": " + proj", "parameter-free": " + pad"}.get(mo.shortcut or "", "")
    g = tree.graph.g
    cats = [n for n in main_nodes if n in tree.blocks and is_merge(tree.blocks[n]) == "cat"]
    if cats:  # Inception-ResNet: branches concatenated, a 1x1 conv, then the sum
        cat = cats[0]
        kids: list[str] = []
        for p in sorted(g.predecessors(cat), key=lambda n: g.nodes[n]["order"]):
            kid = p
            while kid in tree.blocks and tree.blocks[kid].parent not in (b.id, None):
                kid = tree.blocks[kid].parent
            kids.append(kid)
        parts = [_branch_summary(tree, tree.blocks[k].nodes) for k in kids if k in tree.blocks]
        order = tree.blocks[cat].order
        after = [c for c in _convs(tree, main_nodes) if c.order > order]
        body = " | ".join(parts) + ("".join(f" → {_short_conv(c)}" for c in after))
        return f"{_pretty_name(b)} (residual): {body}{tail}"
    main = [c for c in _convs(tree, main_nodes) if not _in_se(tree, c, b.id)]
    items = _conv_items(main, pre_activation(tree, b.id))
    pools = [
        x for x in (tree.blocks.get(n) for n in main_nodes) if x is not None and x.kind == "pool"
    ]
    if pools and not _in_se(tree, pools[0], b.id):
        items.append(_pool_label(pools[0]).replace(", /", " /"))
    se = any(x.kind == "se" for x in tree.blocks.values() if x.parent == b.id)
    body = ", ".join(items) + (" + SE" if se else "")
    return f"residual: {body}{tail}" if body else "residual" + tail


def single_layer(tree: BlockTree, bid: str) -> Block | None:
    """The one layer a container computes (conv + BN + ReLU, a pool with its flatten), or
    None when it computes several or is no plain container."""
    b = tree.blocks[bid]
    if b.is_leaf or b.kind != "sequential" or not b.executed:
        return None
    leaves = [x for x in _leaves(tree, bid) if not is_hidden(x)]
    core = [x for x in leaves if x.kind not in FOLD_KINDS and x.kind != "other"]
    if not core and len(leaves) == 1:  # a module wrapping one activation (timm's gate)
        return leaves[0]
    return core[0] if len(core) == 1 else None


def block_marks(tree: BlockTree, bid: str) -> list[str]:
    """Norms and activations a closed container applies after its one conv (``BN``, ``ReLU``)."""
    b = tree.blocks[bid]
    if b.is_leaf or b.kind != "sequential":
        return []
    leaves = [x for x in _leaves(tree, bid) if not is_hidden(x)]
    core = [x for x in leaves if x.kind not in FOLD_KINDS and x.kind != "other"]
    if len(core) != 1:
        return []
    return [mark_label(x) for x in leaves if x.kind in FOLD_KINDS and x.order > core[0].order]


def group_label(tree: BlockTree, members: list[str]) -> str:
    """A run of identical blocks: the first one's label and the count (``residual ×5: ...``)."""
    label = block_label(tree, members[0])
    head, sep, body = label.partition(": ")
    if sep:
        return f"{head} ×{len(members)}: {body}"
    return f"{label} ×{len(members)}"
