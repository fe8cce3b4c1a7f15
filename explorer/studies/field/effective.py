"""The effective receptive field of one output value (Luo et al. 2016, "Understanding the
Effective Receptive Field in Deep Convolutional Neural Networks").

The gradient of the chosen value of a block's output (summed over its channels) with respect
to the input, its magnitude summed over the input's channels and over the images, is a map
over the input. Normalised to sum 1 it is a distribution: its spread along each axis is the
standard deviation of its marginal, in input pixels, and ``mass95_px`` is the number of
pixels (the largest first) that hold 95 % of it. Luo et al. show it is much smaller than the
theoretical field and Gaussian-like; for a stack of n convolutions with equal weights and no
non-linearity it is the n-fold convolution of a box filter, whose std is sqrt(n (k^2 - 1)/12).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from explorer.errors import ExplorerError


class EffectiveFieldError(ExplorerError):
    """The block cannot be hooked (a function call), or the gradient is zero everywhere."""


def hookable(model: nn.Module, block_id: str) -> nn.Module:
    """The module whose output is the block's (a function call or a second call of a module
    has none to hook)."""
    if ":" in block_id or "@" in block_id or block_id == "":
        raise EffectiveFieldError(
            f"'{block_id or '(model)'}' is not a module of its own: choose a module block "
            "(cnn-explorer summary lists them)"
        )
    try:
        return model.get_submodule(block_id)
    except AttributeError:
        raise EffectiveFieldError(f"no module '{block_id}' in the model") from None


def gradient_map(
    model: nn.Module, block_id: str, x: torch.Tensor, position: tuple[int, int]
) -> torch.Tensor:
    """|d out[:, :, y, x].sum() / d input| summed over the input's channels and the batch:
    a float64 ``[H, W]`` map on the CPU. The model runs as it is (eval mode: BatchNorm with
    its running statistics)."""
    module = hookable(model, block_id)
    seen: list[torch.Tensor] = []

    def keep(_m: nn.Module, _inputs: Any, output: Any) -> None:
        if not seen:  # the first call (a module called twice: its first output)
            seen.append(output[0] if isinstance(output, tuple | list) else output)

    handle = module.register_forward_hook(keep)
    try:
        inp = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            model(inp)
            if not seen or not isinstance(seen[0], torch.Tensor) or seen[0].dim() != 4:
                raise EffectiveFieldError(f"'{block_id}' gives no feature maps to take a value of")
            y, xx = position
            value = seen[0][:, :, y, xx].float().sum()
            (grad,) = torch.autograd.grad(value, inp)
    finally:
        handle.remove()
    return grad.detach().abs().sum(dim=(0, 1)).double().cpu()


def spread(total: torch.Tensor, images: int) -> dict[str, Any]:
    """The statistics of a summed gradient map (see the module's doc): ``std_px`` [sy, sx],
    ``centre_px`` [cy, cx] (the mean), ``mass95_px`` and the number of images."""
    mass = float(total.sum())
    if not mass > 0:
        raise EffectiveFieldError(
            "the gradient is zero everywhere on the input (a dead unit: no path from the "
            "image reaches this value)"
        )
    p = total / mass
    stats: list[tuple[float, float]] = []
    for axis in (1, 0):  # rows: sum over columns; columns: sum over rows
        marginal = p.sum(dim=axis)
        idx = torch.arange(marginal.numel(), dtype=torch.float64)
        mean = float((marginal * idx).sum())
        var = float((marginal * (idx - mean) ** 2).sum())
        stats.append((mean, max(var, 0.0) ** 0.5))
    ordered = torch.sort(p.flatten(), descending=True).values
    k = int(torch.searchsorted(torch.cumsum(ordered, 0), torch.tensor(0.95, dtype=torch.float64)))
    return {
        "std_px": [round(stats[0][1], 4), round(stats[1][1], 4)],
        "centre_px": [round(stats[0][0], 4), round(stats[1][0], 4)],
        "mass95_px": min(k + 1, ordered.numel()),
        "images": images,
    }


def random_copy(
    model: nn.Module, build: Callable[[], nn.Module] | None, seed: int
) -> tuple[nn.Module, str]:
    """``model``'s architecture with random weights drawn from ``seed``, in eval mode, and how
    they were drawn.

    A fresh ``build()`` gives the network's own initialisation (He-normal convolutions and the
    like, as training starts from); where it cannot be had or holds other tensors than
    ``model`` (a fused or hand-edited model), a copy of ``model`` whose modules' own
    ``reset_parameters`` are called. Either way BatchNorm has weight 1, bias 0 and its running
    statistics reset (mean 0, variance 1), used as such in eval mode. The global random state
    is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        fresh = None
        if build is not None:
            try:
                fresh = build()
            except Exception:  # noqa: BLE001 - any failure: the reset below still gives one
                fresh = None
        if fresh is not None and _same_tensors(fresh, model):
            return fresh.eval(), "a fresh build, the network's own initialisation"
        out = copy.deepcopy(model)
        for m in out.modules():
            reset = getattr(m, "reset_parameters", None)
            if callable(reset):
                reset()
        return out.eval(), "each layer's reset_parameters"


def _same_tensors(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(sa[k].shape == sb[k].shape for k in sa)
