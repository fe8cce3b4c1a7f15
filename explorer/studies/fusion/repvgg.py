"""RepVGG structural re-parameterisation (Qt-free), and the public fusion API in one place.

A RepVGG block sums three branches of the same input: 3x3 conv + BN, 1x1 conv + BN and a
BatchNorm alone (the identity branch, absent where the stride or the width changes). Each
BatchNorm folds into its conv (see :mod:`explorer.studies.fusion.bn`), the 1x1 kernel
padded to 3x3 and the identity written as a 3x3 kernel (a 1 at the centre, channel i to i
within its group for a grouped conv) give three 3x3 convolutions of the same geometry, and
their sum is one convolution with the summed kernels and biases (Ding et al. 2021, Sec.
3.3); the two centred kernels are added into the centre tap directly. The maths is done
here, in float64; the tests check it against timm's own ``reparameterize()``.

Everything a caller needs is importable from here: :func:`fuse_repvgg`,
:func:`fold_conv_bn`, :class:`FusionReport`, :func:`check_equivalence`,
:func:`calibrate_bn`, :func:`latency_ms`, :func:`compare_latency`.
"""

from __future__ import annotations

import copy
import operator
import sys
from dataclasses import dataclass

import torch
from torch import fx, nn
from torch.nn.utils import skip_init

from explorer.graph.trace import QualnameTracer
from explorer.studies.fusion.bn import (
    FusionReport,
    FusionSkip,
    bn_scale_shift,
    bn_tail,
    fold_conv_bn,
    fold_kernel,
    is_pass_through,
    make_report,
    model_counts,
    plain_conv,
    set_module,
)
from explorer.studies.fusion.check import (
    calibrate_bn,
    check_equivalence,
    compare_latency,
    latency_ms,
)

__all__ = [
    "FusionReport",
    "RepVGGReparam",
    "calibrate_bn",
    "check_equivalence",
    "compare_latency",
    "find_repvgg_blocks",
    "fold_conv_bn",
    "fuse_repvgg",
    "latency_ms",
]

_ADDS = {operator.add, operator.iadd, torch.add}


# -- RepVGG blocks --------------------------------------------------------------------------


@dataclass
class Branch:
    name: str
    conv: nn.Conv2d | None  # None: the identity branch (BN alone)
    bn: nn.BatchNorm2d


def _as_branch(name: str, m: nn.Module) -> Branch | None:
    """A child that is conv + BN (a Sequential, or timm's ConvNormAct) or a lone BN."""
    if bn_tail(m) == []:
        return Branch(name, None, m)  # type: ignore[arg-type]
    if isinstance(m, nn.Sequential):
        mods = [c for c in m if not is_pass_through(c)]
        if len(mods) == 2 and plain_conv(mods[0]) and bn_tail(mods[1]) == []:
            return Branch(name, mods[0], mods[1])  # type: ignore[arg-type]
        return None
    if type(m).__name__ == "ConvNormAct":  # timm: conv, bn, then aa when present
        conv, bn = getattr(m, "conv", None), getattr(m, "bn", None)
        if conv is not None and plain_conv(conv) and bn is not None and bn_tail(bn) == []:
            if is_pass_through(getattr(m, "aa", None)):
                return Branch(name, conv, bn)  # type: ignore[arg-type]
    return None


def _timm_block(m: nn.Module) -> bool:
    # a model holding timm's block has loaded its module; importing timm to find out costs
    # 1.5 s (on the window's thread, when the fusion menu is updated for any model)
    byobnet = sys.modules.get("timm.models.byobnet")
    return byobnet is not None and isinstance(m, byobnet.RepVggBlock)


class RepVGGReparam(fx.GraphModule):
    """A RepVGG block (not timm's) after re-parameterisation: its branches are one conv."""


def block_branches(m: nn.Module) -> list[Branch] | None:
    """The summed branches of a RepVGG block, kxk first; None if ``m`` is not one."""
    if _timm_block(m):
        if m.reparam_conv is not None:
            return None
        found = [
            b
            for n in ("conv_kxk", "conv_1x1", "identity")
            if getattr(m, n, None) is not None
            for b in [_as_branch(n, getattr(m, n))]
        ]
    elif isinstance(m, nn.Sequential | nn.ModuleList | nn.ModuleDict | fx.GraphModule):
        return None
    else:
        found = [_as_branch(n, c) for n, c in m.named_children()]
    branches = [b for b in found if b is not None]
    kxk = [b for b in branches if b.conv is not None and b.conv.kernel_size != (1, 1)]
    one = [b for b in branches if b.conv is not None and b.conv.kernel_size == (1, 1)]
    ident = [b for b in branches if b.conv is None]
    if len(kxk) != 1 or len(one) > 1 or len(ident) > 1 or len(branches) < 2:
        return None
    if _timm_block(m) and len(branches) != len(found):
        return None
    return kxk + one + ident


def _fused(m: nn.Module) -> bool:
    if _timm_block(m):
        return m.reparam_conv is not None
    return isinstance(m, RepVGGReparam)


def find_repvgg_blocks(model: nn.Module) -> dict[str, bool]:
    """Qualnames of the RepVGG blocks in ``model`` -> already re-parameterised or not.

    A block is timm's ``RepVggBlock``, or any module whose children are one kxk conv + BN
    branch, at most one 1x1 conv + BN branch and at most one BatchNorm (the identity branch);
    that its forward sums them is checked (by tracing it) when it is fused.
    """
    out: dict[str, bool] = {}
    for q, m in model.named_modules():
        if _fused(m):
            out[q] = True
        elif block_branches(m) is not None:
            out[q] = False
    return out


def fuse_branches(branches: list[Branch]) -> nn.Conv2d:
    """One kxk Conv2d (with bias) equal to the sum of the branches; FusionSkip if impossible."""
    ref = branches[0].conv
    assert ref is not None
    (kh, kw), (dh, dw) = ref.kernel_size, ref.dilation
    if kh % 2 == 0 or kw % 2 == 0:
        raise FusionSkip(f"even kernel {kh}x{kw}")
    if isinstance(ref.padding, str) or ref.padding != (dh * (kh // 2), dw * (kw // 2)):
        raise FusionSkip(f"the {kh}x{kw} conv is not padded to keep its centre ({ref.padding})")
    cout, cin, g = ref.out_channels, ref.in_channels, ref.groups
    for br in branches:
        if br.bn.num_features != cout:
            raise FusionSkip(f"'{br.name}': {br.bn.num_features} BN channels, {cout} conv outputs")
        c = br.conv
        if c is None and (cin != cout or ref.stride != (1, 1)):
            raise FusionSkip(f"identity branch '{br.name}' with a stride or channel change")
        if c is not None and (c.in_channels, c.out_channels, c.groups, c.stride) != (
            cin, cout, g, ref.stride,
        ):  # fmt: skip
            raise FusionSkip(f"'{br.name}': channels, groups or stride differ from the kxk conv")
        if c is not None and c is not ref and c.padding != (0, 0):
            raise FusionSkip(f"'{br.name}': a padded 1x1 conv")
    weight, bias = fold_kernel(ref.weight, ref.bias, branches[0].bn)
    centre = weight[:, :, kh // 2, kw // 2]  # a view: the 1x1 and identity kernels land here
    for br in branches[1:]:
        if br.conv is not None:  # the 1x1 kernel, zero-padded to kxk
            w, b = fold_kernel(br.conv.weight, br.conv.bias, br.bn)
            centre += w[:, :, 0, 0]
        else:  # the identity as a kxk kernel: 1 at the centre, channel i -> i in its group
            s, b = bn_scale_shift(br.bn)
            idx = torch.arange(cout, device=weight.device)
            centre[idx, idx % (cin // g)] += s
        bias += b
    # skip_init: the conv's own random initialisation would be overwritten at once
    conv = skip_init(
        nn.Conv2d, cin, cout, (kh, kw), ref.stride, ref.padding, ref.dilation, g, bias=True,
        padding_mode=ref.padding_mode, device=ref.weight.device, dtype=ref.weight.dtype,
    )  # fmt: skip
    with torch.no_grad():
        conv.weight.copy_(weight)
        conv.bias.copy_(bias)
    return conv.train(ref.training)


def _is_add(n: fx.Node) -> bool:
    if n.op == "call_function" and n.target in _ADDS:
        return len(n.args) == 2 and not n.kwargs
    return n.op == "call_method" and n.target in ("add", "add_") and len(n.args) == 2


class _BranchTracer(QualnameTracer):
    """The project's tracer, with a block's branches as leaves."""

    def __init__(self, leaves: set[int]) -> None:
        super().__init__(thin=True)
        self._leaves = leaves

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return id(m) in self._leaves or super().is_leaf_module(m, module_qualified_name)


def _reparam_generic(block: nn.Module, branches: list[Branch], conv: nn.Conv2d) -> fx.GraphModule:
    """Trace ``block``, check that its forward only sums the branches of its one input, and
    replace that sum by ``conv``; FusionSkip when the forward does anything else with them."""
    by_name = {b.name: b for b in branches}
    try:
        graph = _BranchTracer({id(getattr(block, n)) for n in by_name}).trace(block)
    except Exception as exc:  # noqa: BLE001 - any trace failure means: leave it alone
        raise FusionSkip(f"cannot trace its forward ({type(exc).__name__})") from None
    inputs = [n for n in graph.nodes if n.op == "placeholder"]
    calls = [n for n in graph.nodes if n.op == "call_module" and n.target in by_name]
    if len(inputs) != 1 or sorted(str(n.target) for n in calls) != sorted(by_name):
        raise FusionSkip("its forward does not call each branch once on one input")
    if any(n.args != (inputs[0],) or n.kwargs for n in calls):
        raise FusionSkip("a branch is not applied to the block's input")
    combo: set[fx.Node] = set(calls)
    for n in graph.nodes:  # topological order: one pass grows the sum
        args = [a for a in n.args if isinstance(a, fx.Node)]
        if n in combo or not args or not all(a in combo for a in args):
            continue
        consts = [a for a in n.args if not isinstance(a, fx.Node)]
        if _is_add(n) and len(set(args)) == len(args) and all(c == 0 for c in consts):
            combo.add(n)
        elif n.op == "call_module" and len(n.args) == 1 and not n.kwargs:
            if is_pass_through(block.get_submodule(str(n.target))):
                combo.add(n)
    ends = [n for n in combo if not n.users or any(u not in combo for u in n.users)]
    if len(ends) != 1 or any(len(n.users) != 1 for n in combo if n is not ends[0]):
        raise FusionSkip("its forward does not only sum the branches")
    name = "reparam_conv"
    while hasattr(block, name):
        name = "_" + name
    block.add_module(name, conv)
    with graph.inserting_before(ends[0]):
        new = graph.call_module(name, (inputs[0],))
    ends[0].replace_all_uses_with(new)
    for n in reversed(list(graph.nodes)):
        if n in combo:
            graph.erase_node(n)
    return RepVGGReparam(block, graph, class_name=f"{type(block).__name__}Reparam")


def fuse_repvgg(model: nn.Module, inplace: bool = False) -> FusionReport:
    """Re-parameterise every RepVGG block: its branches become one kxk conv with bias.

    The block then computes ``act(attn(conv(x)))``. timm's ``RepVggBlock`` gets the conv as
    its ``reparam_conv`` (the layout of timm's own ``reparameterize()``, so the state dicts
    match); another RepVGG block (see :func:`find_repvgg_blocks`) becomes a
    :class:`RepVGGReparam` graph module. The fused model is for inference (BN running
    statistics are used); it is returned in eval mode as ``report.model``.

    Parameters
    ----------
    model
        Left untouched unless ``inplace`` (a deep copy is fused).

    Raises
    ------
    ValueError
        ``model`` has no RepVGG blocks (fused or not). Fusing a fused model is a no-op whose
        report lists each block as skipped, "already re-parameterised".
    """
    blocks = find_repvgg_blocks(model)
    if not blocks:
        raise ValueError(f"no RepVGG blocks in {type(model).__name__}")
    target = model if inplace else copy.deepcopy(model)
    target.eval()
    before = model_counts(target)
    done: list[str] = []
    skipped: list[tuple[str, str]] = []
    for q, fused in blocks.items():
        if fused:
            skipped.append((q, "already re-parameterised"))
            continue
        block = target.get_submodule(q)
        branches = block_branches(block)
        assert branches is not None
        try:
            conv = fuse_branches(branches)
            if _timm_block(block):
                block.reparam_conv = conv
                for n in ("conv_kxk", "conv_1x1", "identity", "drop_path"):
                    delattr(block, n)
            else:
                gm = _reparam_generic(block, branches, conv)
                if q:
                    set_module(target, q, gm)
                else:
                    target = gm
        except FusionSkip as exc:
            skipped.append((q, str(exc)))
            continue
        done.append(q)
    rep = make_report("repvgg", before, target.eval())
    rep.blocks_fused, rep.skipped, rep.model = done, skipped, target
    return rep
