"""Which input sizes a network can take, found on the meta device (no real computation).

A network whose pooling and striding shrink the input 32 times cannot take 8x8 images: its
forward pass fails deep inside a layer with a message about "output size (2048x0x0)". The
user's line is instead "resnet50 needs at least 32x32 input; got 8x8", found by trying sizes
on the meta device, where a forward pass only propagates shapes (milliseconds, no memory).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from explorer.errors import ExplorerError


class InputTooSmall(ExplorerError):
    """An input side below what the network can take."""

    def __init__(self, name: str, smallest: int, got: Sequence[int]) -> None:
        h, w = got[-2], got[-1]
        super().__init__(f"{name} needs at least {smallest}x{smallest} input; got {h}x{w}")
        self.smallest = smallest


def meta_copy(model: nn.Module) -> nn.Module | None:
    """A copy of ``model`` whose parameters and buffers are on the meta device (no data: the
    weights are not copied), in eval mode and without hooks; None where it cannot be copied.

    The model itself is never touched, so another thread may run it meanwhile.
    """
    import copy

    memo: dict[int, object] = {}
    for p in model.parameters():
        memo[id(p)] = nn.Parameter(torch.empty_like(p, device="meta"), p.requires_grad)
    for b in model.buffers():
        memo[id(b)] = torch.empty_like(b, device="meta")
    try:
        twin = copy.deepcopy(model, memo)
    except Exception:  # noqa: BLE001 - a user's model may hold what cannot be copied
        return None
    for m in twin.modules():  # a probe's hooks on the original must not see meta tensors
        for hooks in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks"):
            d = getattr(m, hooks, None)
            if d is not None:
                d.clear()
    return twin.eval()


def runs_on_meta(model: nn.Module, shape: Sequence[int]) -> bool | None:
    """Whether ``model`` takes an input of ``shape``: True, False, or None where the meta
    device cannot tell (an operation without a meta kernel, a model that cannot be copied)."""
    twin = meta_copy(model)
    if twin is None:
        return None
    try:
        with torch.inference_mode():
            twin(torch.empty(*shape, device="meta"))
        return True
    except NotImplementedError:  # no meta kernel: the meta device cannot tell
        return None
    except (RuntimeError, ValueError, IndexError, TypeError, AssertionError):
        return False
    except Exception:  # noqa: BLE001 - a user's model may raise anything: cannot tell
        return None


def smallest_side(model: nn.Module, shape: Sequence[int], largest: int) -> int | None:
    """The smallest square side above ``shape``'s that the model takes, searched up to
    ``largest`` (bisection: a network that takes N takes every size above it); None where
    nothing up to ``largest`` runs or the meta device cannot tell."""
    lead = tuple(int(s) for s in shape[:-2])
    got = min(int(shape[-2]), int(shape[-1]))
    hi = max(int(largest), got + 1)
    if runs_on_meta(model, (*lead, hi, hi)) is not True:
        return None
    lo = got  # known not to run (the caller's failure)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        ok = runs_on_meta(model, (*lead, mid, mid))
        if ok is None:
            return None
        if ok:
            hi = mid
        else:
            lo = mid
    return hi


class InputSizeRefused(ExplorerError):
    """An input size the network's layers are not sized for (a classifier of fixed width)."""


def wrong_size(
    name: str, model: nn.Module, shape: Sequence[int], native: Sequence[int], reason: str = ""
) -> ExplorerError | None:
    """The one-line error for an input of ``shape`` the network failed on, where its size is
    the cause: too small ("needs at least 32x32"), or other than the size its layers are built
    for (``native``, (C, H, W)); None where the size is not the cause or it cannot be told."""
    if runs_on_meta(model, shape) is not False:
        return None
    lead = tuple(int(s) for s in shape[:-2])
    side = smallest_side(model, shape, 2 * max(native[-2], native[-1]))
    if side is not None and side > min(shape[-2], shape[-1]):
        return InputTooSmall(name, side, shape)
    if runs_on_meta(model, (*lead, native[-2], native[-1])) is True:
        why = f": {reason}" if reason else ""
        return InputSizeRefused(
            f"{name} cannot take a {shape[-2]}x{shape[-1]} input; its layers are sized for "
            f"{native[-2]}x{native[-1]}{why}"
        )
    return None
