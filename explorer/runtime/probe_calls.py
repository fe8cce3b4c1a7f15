"""The calls a probed graph makes (:mod:`explorer.runtime.probe_graph`), Qt-free.

Module-level functions: the generated code calls them by name. Each returns what the pass
hands back; nothing is moved off the device before the pass ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


def probe_sums(value: Any) -> Any:
    """Sum and sum of squares of each image's output, float32, and the elements per image:
    ``(s1, s2, n)`` (s1, s2: [batch], or 0-d for one image), or None for a value that is not
    a floating tensor with a batch dimension."""
    import torch

    t = _first(value)
    if t is None or t.dim() == 0 or not t.is_floating_point():
        return None
    if t.dtype != torch.float32:
        t = t.float()
    b = t.shape[0]
    if b == 1:  # one vector: a dot product is the fastest sum of squares
        v = t.reshape(-1)
        return v.sum(), torch.dot(v, v), v.numel()
    flat = t.reshape(b, -1)
    norm = torch.linalg.vector_norm(flat, dim=1)
    return flat.sum(1), norm * norm, flat.shape[1]


def probe_channel_sums(value: Any) -> Any:
    """Per image and channel: the sum and the 2-norm (its square is the sum of squares) of a
    BatchNorm's input, float32 ``([batch, C], [batch, C], elements per channel)``."""
    import torch

    t = _first(value)
    if t is None or t.dim() < 2 or not t.is_floating_point():
        return None
    if t.dtype != torch.float32:
        t = t.float()
    flat = t.reshape(t.shape[0], t.shape[1], -1)
    return flat.sum(2), torch.linalg.vector_norm(flat, dim=2), flat.shape[2]


def probe_copy(value: Any) -> Any:
    """A float copy of the value (an in-place op later in the pass would change a view)."""
    t = _first(value)
    return None if t is None else t.detach().float().clone()


def probe_gate(value: Any) -> Any:
    """A gate's values, one row per image."""
    t = _first(value)
    return None if t is None or t.dim() == 0 else t.reshape(t.shape[0], -1).float()


def probe_gate_mean(value: Any) -> Any:
    """A gate's mean per image (a highway block's transform gate)."""
    t = _first(value)
    return None if t is None or t.dim() == 0 else t.reshape(t.shape[0], -1).float().mean(1)


def add_into(a: Any, b: Any) -> Any:
    """``a + b`` written into ``a`` where that is the same tensor (same shape and dtype, no
    gradient): a ResNet's ``out += identity`` traces as an out-of-place sum, and a new
    tensor for each sum costs ~2 ms a pass of resnet50 on a CPU. Placed only where nothing
    reads ``a`` after the sum (``probe_graph._restore_in_place``)."""
    import torch

    if (
        isinstance(a, torch.Tensor)
        and isinstance(b, torch.Tensor)
        and a.shape == b.shape
        and a.dtype == b.dtype
        and a.device == b.device
        and not (torch.is_grad_enabled() and (a.requires_grad or b.requires_grad))
    ):
        return a.add_(b)
    return a + b


def _first(value: Any) -> torch.Tensor | None:
    import torch

    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, list | tuple) and value and isinstance(value[0], torch.Tensor):
        return value[0]
    return None
