"""Conv-BN folding for any model, and what every fusion shares: the report and the maths.

At inference a BatchNorm is an affine map per channel, ``bn(y) = s * y + t`` with
``s = gamma / sqrt(var + eps)`` and ``t = beta - mean * s``, so one that directly follows a
convolution can be folded into it: ``W' = s * W``, ``b' = s * b + t``, and the BatchNorm
becomes ``nn.Identity`` (timm's BatchNormAct2d: its activation). Computed in float64.

Which BatchNorms follow a convolution is read from a torch.fx trace (the project's tracer,
torch.nn layers and timm's norm layers as leaves), never guessed from names: a BatchNorm is
folded only when its sole input is the output of a Conv2d and that output feeds nothing
else, and both modules are called once and live under one name. A model (or block) that
does not trace is traced part by part (its children); a BatchNorm whose parent cannot be
traced is left alone. Qt-free.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx, nn
from torch.nn.modules.batchnorm import _BatchNorm

from explorer.graph.counting import count_params
from explorer.graph.trace import QualnameTracer

#: modules that are the identity at inference (dropout-like): allowed inside a branch
_PASS_NAMES = {"Identity", "DropPath", "DropBlock2d", "StochasticDepth"}


class FusionSkip(Exception):
    """Why one block or one BatchNorm was left as it was."""


@dataclass
class FusionReport:
    """What a fusion did.

    ``blocks_fused``: for :func:`fuse_repvgg` the qualnames of the re-parameterised blocks,
    for :func:`~explorer.studies.fusion.bn.fold_conv_bn` those of the folded BatchNorms
    (``pairs`` then holds the (conv, bn) qualnames). ``skipped``: (qualname, reason) of what
    was left alone. ``model`` is the fused model (the input itself with ``inplace=True``,
    except where the input was itself the one block replaced).
    """

    kind: str
    params_before: int
    params_after: int
    convs_before: int
    convs_after: int
    bn_before: int
    bn_after: int
    blocks_fused: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    model: nn.Module | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), without the model."""
        return {
            "kind": self.kind,
            "params_before": self.params_before,
            "params_after": self.params_after,
            "convs_before": self.convs_before,
            "convs_after": self.convs_after,
            "bn_before": self.bn_before,
            "bn_after": self.bn_after,
            "blocks_fused": list(self.blocks_fused),
            "skipped": [list(s) for s in self.skipped],
            "pairs": [list(p) for p in self.pairs],
        }

    def summary(self) -> str:
        """One line for a status bar or a log."""
        what = "blocks re-parameterised" if self.kind == "repvgg" else "BatchNorms folded"
        line = (
            f"{len(self.blocks_fused)} {what}; params {self.params_before:,} -> "
            f"{self.params_after:,}; convs {self.convs_before} -> {self.convs_after}; "
            f"BatchNorms {self.bn_before} -> {self.bn_after}"
        )
        return line + (f"; {len(self.skipped)} left as they were" if self.skipped else "")


def model_counts(model: nn.Module) -> tuple[int, int, int]:
    """(parameters, nn.Conv2d modules, BatchNorm modules); shared ones counted once."""
    params = count_params(model)
    convs = sum(isinstance(m, nn.Conv2d) for m in model.modules())
    bns = sum(isinstance(m, _BatchNorm) for m in model.modules())
    return params, convs, bns


def make_report(kind: str, before: tuple[int, int, int], model: nn.Module) -> FusionReport:
    after = model_counts(model)
    return FusionReport(kind, before[0], after[0], before[1], after[1], before[2], after[2])


# -- the maths ------------------------------------------------------------------------------


def bn_scale_shift(bn: _BatchNorm) -> tuple[torch.Tensor, torch.Tensor]:
    """(s, t) with ``bn(y) = s * y + t`` per channel at inference, in float64."""
    assert bn.running_mean is not None and bn.running_var is not None
    s = torch.rsqrt(bn.running_var.double() + bn.eps)
    if bn.weight is not None:
        s = s * bn.weight.detach().double()
    t = -bn.running_mean.double() * s
    if bn.bias is not None:
        t = t + bn.bias.detach().double()
    return s, t


def fold_kernel(
    weight: torch.Tensor, bias: torch.Tensor | None, bn: _BatchNorm
) -> tuple[torch.Tensor, torch.Tensor]:
    """Kernel and bias of ``bn(conv(x))`` as one convolution: ``(s*W, s*b + t)``, float64."""
    s, t = bn_scale_shift(bn)
    w = weight.detach().double() * s.reshape(-1, *([1] * (weight.dim() - 1)))
    b = t if bias is None else t + bias.detach().double() * s
    return w, b


def is_pass_through(m: nn.Module | None) -> bool:
    """The identity at inference (Identity, dropout, drop-path, an empty Sequential)."""
    if m is None or isinstance(m, nn.Identity | nn.modules.dropout._DropoutNd):
        return True
    if isinstance(m, nn.Sequential):
        return all(is_pass_through(c) for c in m)
    return type(m).__name__ in _PASS_NAMES


def bn_tail(m: nn.Module) -> list[nn.Module] | None:
    """For a BatchNorm2d that folds, the modules its forward applies after the affine map.

    ``[]`` for torch's own BatchNorm2d (and timm's BatchNormAct2d without activation);
    ``[act]`` for timm's BatchNormAct2d with one; ``None`` when ``m`` is no such BatchNorm
    (another class with its own forward, or no running statistics).
    """
    if not isinstance(m, nn.BatchNorm2d) or m.running_mean is None or m.running_var is None:
        return None
    if type(m).forward is _BatchNorm.forward:
        return []
    if type(m).__name__ == "BatchNormAct2d":  # timm: batch_norm, then self.drop, self.act
        tail = [getattr(m, n, None) for n in ("drop", "act")]
        return [t for t in tail if t is not None and not is_pass_through(t)]
    return None


def plain_conv(m: nn.Module) -> bool:
    """A Conv2d whose forward is torch's (no weight standardisation, no dynamic padding)."""
    return isinstance(m, nn.Conv2d) and type(m).forward is nn.Conv2d.forward


# -- conv-BN folding ------------------------------------------------------------------------


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def set_module(root: nn.Module, qualname: str, new: nn.Module) -> None:
    """Put ``new`` where ``qualname`` is (its parent's attribute, a Sequential's index ...)."""
    parent, _, name = qualname.rpartition(".")
    setattr(root.get_submodule(parent) if parent else root, name, new)


def traced_regions(module: nn.Module, prefix: str = "") -> Iterator[tuple[str, fx.Graph]]:
    """(qualname, fx graph) of the largest parts of ``module`` that trace, top down."""
    try:
        graph = QualnameTracer(thin=True).trace(module)
    except Exception:  # noqa: BLE001 - any failure: try the children one by one
        for name, child in module.named_children():
            yield from traced_regions(child, _join(prefix, name))
        return
    yield prefix, graph


def _describe(node: Any, root: nn.Module, prefix: str) -> str:
    if not isinstance(node, fx.Node):
        return f"a constant ({type(node).__name__})"
    if node.op == "placeholder":
        return f"the input of '{prefix}'" if prefix else "the model's input"
    if node.op == "call_module":
        q = _join(prefix, str(node.target))
        return f"{type(root.get_submodule(q)).__name__} '{q}'"
    name = getattr(node.target, "__name__", str(node.target))
    return f"{name}()" if node.op != "get_attr" else f"attribute '{node.target}'"


def _aliased(model: nn.Module) -> set[int]:
    """ids of the modules and parameters that live under more than one qualname (shared)."""
    seen = Counter(id(m) for _, m in model.named_modules(remove_duplicate=False))
    seen.update(id(p) for _, p in model.named_parameters(remove_duplicate=False))
    return {k for k, n in seen.items() if n > 1}


def _why_not(
    bn_node: fx.Node, root: nn.Module, prefix: str, calls: Counter, aliased: set[int]
) -> tuple[str, str | None]:
    """(conv qualname, None) when the BN at ``bn_node`` folds, else ("", the reason)."""
    bn = root.get_submodule(_join(prefix, str(bn_node.target)))
    if len(bn_node.args) != 1 or bn_node.kwargs:
        return "", "called with more than one argument"
    src = bn_node.args[0]
    if not isinstance(src, fx.Node) or src.op != "call_module":
        return "", f"follows {_describe(src, root, prefix)}, not a convolution"
    conv_q = _join(prefix, str(src.target))
    conv = root.get_submodule(conv_q)
    if not isinstance(conv, nn.Conv2d):
        return "", f"follows {_describe(src, root, prefix)}, not a convolution"
    if not plain_conv(conv):
        return "", f"follows {type(conv).__name__} '{conv_q}', which has its own forward"
    if calls[src.target] > 1 or calls[bn_node.target] > 1:
        return "", f"'{conv_q}' or the BatchNorm is called more than once"
    if len(src.users) != 1:
        others = ", ".join(_describe(u, root, prefix) for u in src.users if u is not bn_node)
        return "", f"the output of '{conv_q}' also feeds {others}"
    if {id(conv), id(bn), id(conv.weight), id(conv.bias)} & aliased:
        return "", f"'{conv_q}', its weights or the BatchNorm are shared (two names)"
    if bn_tail(bn) is None:
        return "", f"{type(bn).__name__} is not a plain BatchNorm2d with running statistics"
    if bn.num_features != conv.out_channels:
        return "", f"{bn.num_features} channels after {conv.out_channels} conv outputs"
    return conv_q, None


def fold_conv_bn(model: nn.Module, inplace: bool = False) -> FusionReport:
    """Fold every BatchNorm that directly follows a Conv2d into it.

    The conv gets ``s * W`` and a bias ``s * b + t``; the BatchNorm is replaced by
    ``nn.Identity`` (timm's BatchNormAct2d by its activation). BatchNorms after anything
    else (an addition, a concatenation, the input, a pooling) are left, each in
    ``report.skipped`` with the reason. The result is for inference: it is returned in eval
    mode as ``report.model``; ``model`` is untouched unless ``inplace``.
    """
    target = model if inplace else copy.deepcopy(model)
    target.eval()
    before = model_counts(target)
    aliased = _aliased(target)
    pairs: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for prefix, graph in traced_regions(target):
        calls = Counter(n.target for n in graph.nodes if n.op == "call_module")
        for n in graph.nodes:
            if n.op != "call_module":
                continue
            q = _join(prefix, str(n.target))
            if q in seen or not isinstance(target.get_submodule(q), _BatchNorm):
                continue
            seen.add(q)
            conv_q, reason = _why_not(n, target, prefix, calls, aliased)
            if reason is None:
                pairs.append((conv_q, q))
            else:
                skipped.append((q, reason))
    for q, m in target.named_modules():
        if isinstance(m, _BatchNorm) and q not in seen:
            skipped.append((q, "not called in any part of the model that traces"))
    for conv_q, bn_q in pairs:
        conv, bn = target.get_submodule(conv_q), target.get_submodule(bn_q)
        w, b = fold_kernel(conv.weight, conv.bias, bn)
        tail = bn_tail(bn) or []
        with torch.no_grad():
            conv.weight.copy_(w)
            if conv.bias is None:
                conv.bias = nn.Parameter(b.to(conv.weight), requires_grad=conv.weight.requires_grad)
            else:
                conv.bias.copy_(b)
        new = nn.Identity() if not tail else tail[0] if len(tail) == 1 else nn.Sequential(*tail)
        set_module(target, bn_q, new)
    rep = make_report("conv-bn", before, target.eval())
    rep.blocks_fused = [bn_q for _, bn_q in pairs]
    rep.pairs, rep.skipped, rep.model = pairs, skipped, target
    return rep
