"""Directions in weight space: random ones with filter normalisation, the difference of two
checkpoints, and their files.

Filter normalisation (Li et al. 2018, section 4): a Gaussian direction ``d`` is drawn for
every parameter; for each filter ``i`` of a weight tensor (its first dimension: a conv's output
channel, a linear layer's output unit) ``d[i]`` is scaled to the norm of the weights' filter,
``d[i] *= ||w[i]|| / ||d[i]||``. Biases and BatchNorm parameters (tensors of one dimension)
get a zero direction, as the reference code's ``--xignore biasbn --yignore biasbn``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from explorer.errors import ExplorerError

Direction = dict[str, torch.Tensor]

#: how parameters of one dimension (biases, BatchNorm's weight and bias) are treated
IGNORED = "biasbn"
NORMALIZATION = "filter"


class LandscapeError(ExplorerError):
    """A landscape that cannot be computed as asked: one line for the user."""


def parameters_of(model: nn.Module) -> dict[str, nn.Parameter]:
    """``model.named_parameters()`` as a dict (shared parameters once); LandscapeError for a
    model without any."""
    params = dict(model.named_parameters())
    if not params:
        raise LandscapeError("the model has no parameters: there is no landscape to walk")
    return params


def filter_normalized(d: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """``d`` with each filter (slice of the first dimension) scaled to the norm of ``w``'s;
    a tensor of one dimension (bias, BatchNorm) gives zeros."""
    if d.dim() <= 1:
        return torch.zeros_like(d)
    flat_d = d.reshape(d.shape[0], -1)
    flat_w = w.detach().reshape(w.shape[0], -1).to(d.dtype)
    scale = flat_w.norm(dim=1) / (flat_d.norm(dim=1) + 1e-10)
    return (flat_d * scale[:, None]).reshape(d.shape)


def random_directions(model: nn.Module, seed: int, dims: int) -> dict[str, Direction]:
    """``{"x": {name: tensor}, "y": ...}`` (``"y"`` only when ``dims`` is 2): Gaussian, drawn
    on the CPU from ``seed`` in the order of ``named_parameters()`` (x first, then y), then
    filter-normalised against the model's weights. The same seed and network give the same
    directions on every machine."""
    params = parameters_of(model)
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    out: dict[str, Direction] = {}
    for axis in ("x", "y")[:dims]:
        d: Direction = {}
        for name, p in params.items():
            w = p.detach().cpu()
            dtype = w.dtype if w.is_floating_point() else torch.float32
            raw = torch.randn(tuple(w.shape), generator=gen, dtype=torch.float32).to(dtype)
            d[name] = filter_normalized(raw, w)
        out[axis] = d
    return out


def difference(model: nn.Module, target: Mapping[str, torch.Tensor]) -> Direction:
    """theta1 - theta0 for every floating-point tensor of the model's state (parameters and
    buffers such as BatchNorm's running statistics, so that the point a = 1 is the second
    checkpoint as it was saved); ``target`` must hold every one of them with the same shape."""
    own = {k: v for k, v in model.state_dict().items() if v.is_floating_point()}
    every = set(model.state_dict())
    extra = [k for k in target if k not in every]
    if extra:
        raise LandscapeError(
            f"the --to checkpoint does not fit this network: {len(extra)} tensors it lacks "
            f"({', '.join(extra[:3])})"
        )
    for k in own:
        t = target.get(k)
        if t is None:
            continue
        if not t.is_floating_point():
            raise LandscapeError(
                f"the --to checkpoint does not fit this network: {k} holds {t.dtype}, not "
                "floating point numbers"
            )
        if not bool(torch.isfinite(t).all()):
            raise LandscapeError(f"the --to checkpoint holds values that are not finite ({k})")
    missing = [k for k in own if k not in target]
    shapes = [
        f"{k} {tuple(target[k].shape)} vs {tuple(v.shape)}"
        for k, v in own.items()
        if k in target and tuple(target[k].shape) != tuple(v.shape)
    ]
    if missing or shapes:
        what = (
            f"{len(missing)} tensors missing ({', '.join(missing[:3])})"
            if missing
            else f"{len(shapes)} of another shape ({', '.join(shapes[:3])})"
        )
        raise LandscapeError(f"the --to checkpoint does not fit this network: {what}")
    return {k: target[k].detach().to(v.dtype).cpu() - v.detach().cpu() for k, v in own.items()}


def check_directions(model: nn.Module, dirs: Mapping[str, Any], dims: int, source: str) -> None:
    """Refuse directions that are not this network's: every parameter by name and shape, a
    floating tensor of finite values each, and ``dims`` axes."""
    if not isinstance(dirs, Mapping) or "x" not in dirs:
        raise LandscapeError(f"{source}: not a directions file (no 'x' direction)")
    if dims == 2 and "y" not in dirs:
        raise LandscapeError(f"{source}: holds one direction ('x'); --dims 2 needs 'x' and 'y'")
    params = parameters_of(model)
    for axis in ("x", "y")[:dims]:
        d = dirs[axis]
        if not isinstance(d, Mapping):
            raise LandscapeError(f"{source}: '{axis}' is not a mapping of parameter names")
        missing = [k for k in params if k not in d]
        extra = [k for k in d if k not in params]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"{len(missing)} parameters missing ({', '.join(missing[:3])})")
            if extra:
                parts.append(f"{len(extra)} the network lacks ({', '.join(map(str, extra[:3]))})")
            raise LandscapeError(
                f"{source}: direction '{axis}' is for another network: " + "; ".join(parts)
            )
        for k, p in params.items():
            t = d[k]
            if not isinstance(t, torch.Tensor) or not t.is_floating_point():
                raise LandscapeError(f"{source}: '{axis}' {k} is not a floating-point tensor")
            if tuple(t.shape) != tuple(p.shape):
                raise LandscapeError(
                    f"{source}: direction '{axis}' is for another network: {k} has shape "
                    f"{tuple(t.shape)}, the network's {tuple(p.shape)}"
                )
            if not bool(torch.isfinite(t).all()):
                raise LandscapeError(f"{source}: '{axis}' {k} holds values that are not finite")


def save_directions(path: str | os.PathLike[str], dirs: Mapping[str, Direction]) -> None:
    """Write ``{"x": {...}, "y": {...}}`` (tensors only: ``torch.load(weights_only=True)``
    reads it) to a temporary file that replaces ``path`` once complete."""
    from explorer.files import atomic_path

    plain = {a: {k: v.detach().cpu().contiguous() for k, v in d.items()} for a, d in dirs.items()}
    with atomic_path(path, keep_name=True) as tmp:
        torch.save(plain, tmp)


def load_directions(path: str | os.PathLike[str], model: nn.Module) -> dict[str, Direction]:
    """Read a directions file written by :func:`save_directions` (or by hand in its layout),
    never unpickling code; its size is bounded by the model's before it is read."""
    from explorer.files import FileError, regular_input
    from explorer.limits import check_bytes

    try:
        p = regular_input(path, "directions file")
    except FileError as exc:
        raise LandscapeError(str(exc)) from None
    from explorer.models.checkpoint_bounds import measure_file, read_head

    model_bytes = sum(t.numel() * t.element_size() for t in model.parameters())
    try:
        extent = measure_file(p, read_head(p))
    except Exception as exc:  # noqa: BLE001 - a damaged file: one line
        raise LandscapeError(f"{p.name}: not a directions file ({_first(exc)})") from None
    held = max(extent.tensor_bytes, p.stat().st_size) + extent.other_bytes
    if held > 3 * model_bytes + (1 << 20):  # two directions and their names, with room
        raise LandscapeError(
            f"{p.name}: {held:,} bytes, more than two directions of this network take "
            f"({2 * model_bytes:,} bytes): is it for another network?"
        )
    check_bytes(held, f"the directions file {p.name}")
    try:
        with warnings.catch_warnings():  # torch's advice on weights_only: not for our users
            warnings.simplefilter("ignore")
            obj = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever the bytes hold: one line, never run
        raise LandscapeError(
            f"{p.name}: not a directions file readable without running code ({_first(exc)})"
        ) from None
    if not isinstance(obj, dict):
        raise LandscapeError(f"{p.name}: not a directions file (holds {type(obj).__name__})")
    return obj


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]


def check_moves(dx: Direction, dy: Direction | None) -> None:
    """Refuse directions that move nothing (a network whose parameters are all biases or
    BatchNorm, or zero tensors in a file): its landscape would be flat by construction."""
    for axis, d in (("x", dx), ("y", dy)):
        if d is not None and not any(bool(t.any()) for t in d.values()):
            raise LandscapeError(
                f"direction '{axis}' moves no weight (only tensors of more than one dimension "
                "are moved; biases and BatchNorm are not): the landscape would be flat"
            )
