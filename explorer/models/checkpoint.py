"""Checkpoint files: read one into a state_dict, and load the tensors that fit a model.

A file is read without ever unpickling code (``torch.load(..., weights_only=True)`` or
safetensors); the wrappers training scripts add (``"state_dict"``, ``"model"``, ``"ema"`` ...,
``module.`` prefixes) are taken off, and only tensors whose name and shape fit the model are
loaded, with a :class:`LoadReport` of what did not. The weights a model can come with
(library pretrained, bundled, random) are :mod:`explorer.models.weights`.

This module is Qt-free, and imports torch and safetensors lazily.
"""

from __future__ import annotations

import os
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import ExplorerError, first_line

if TYPE_CHECKING:
    import torch
    from torch import nn

#: wrappers under which training scripts keep the state_dict, in order of preference
_WRAPPER_KEYS = ("state_dict", "model", "model_state_dict", "state_dict_ema", "model_ema", "ema")
#: key prefixes added by DataParallel/DistributedDataParallel and by torch.compile
_KEY_PREFIXES = ("module.", "_orig_mod.")
#: a BN step counter, not a weight; old checkpoints (torchvision's own, akamaster's) lack it
_BOOKKEEPING = "num_batches_tracked"

#: suffixes of a weight stored as int8 with one scale per output channel (bundled checkpoints
#: that would be over 2 MB in float16); read_state_dict restores ``NAME`` from the two
Q8_SUFFIX = "#q8"
Q8_SCALE_SUFFIX = "#q8scale"


class WeightsError(ExplorerError):
    """Weights that cannot be used; ``str()`` is one line for the user."""


@dataclass
class LoadReport:
    """How a state_dict fitted a model.

    ``num_batches_tracked`` buffers are not counted: they are a step counter that
    many checkpoints do not carry, and their absence changes nothing at inference.
    """

    matched: int
    model_keys: int
    missing: list[str]
    unexpected: list[str]
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]

    def summary(self) -> str:
        """One line, e.g. ``loaded 8 of 10 tensors, 1 missing (f6.bias), ...``."""
        parts = [f"loaded {self.matched} of {self.model_keys} tensors"]
        if self.missing:
            parts.append(f"{len(self.missing)} missing ({_few(self.missing)})")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected ({_few(self.unexpected)})")
        if self.mismatched:
            shapes = [f"{k} {_shape(f)} in file vs {_shape(m)}" for k, f, m in self.mismatched]
            parts.append(f"{len(self.mismatched)} of another shape ({_few(shapes)})")
        return ", ".join(parts)


@dataclass
class WeightsInfo:
    """What weights a model holds, for the status bar and the preprocessing."""

    kind: str  # "random" | "pretrained" | "bundled" | "file"
    label: str
    trained: bool
    message: str
    report: LoadReport | None = None
    transforms: dict[str, Any] | None = None
    categories: list[str] | None = None


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (", ..." if len(names) > n else "")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape) if shape else "scalar"


# --- reading a file -------------------------------------------------------------------------


def _looks_like_safetensors(head: bytes) -> bool:
    # safetensors: an 8-byte little-endian header length, then the JSON header
    return len(head) > 8 and head[8:9] == b"{"


def read_state_dict(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """Read a checkpoint file into a flat ``{name: tensor}`` dict, never unpickling code.

    ``path`` is a ``.safetensors`` file or a PyTorch file (zip or legacy) holding a state_dict,
    bare or under ``"state_dict"``, ``"model"``, ``"model_state_dict"``, ``"ema"``... A leading
    ``module.`` (DataParallel) is removed from the keys; entries that are not tensors dropped.

    Raises
    ------
    WeightsError
        Missing, empty, damaged or truncated file; a pickle that holds Python code or
        objects (refused, never run); a file that holds no tensors.
    """
    import torch

    p = Path(path)
    if not p.exists():
        raise WeightsError(f"{p}: no such file")
    if p.is_dir():
        raise WeightsError(f"{p.name}: is a folder, not a checkpoint file")
    if p.stat().st_size == 0:
        raise WeightsError(f"{p.name}: empty file")
    try:
        f = p.open("rb")
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
        raise WeightsError(f"{p.name}: cannot read ({why})") from exc
    with f:
        head = f.read(16)

    if p.suffix == ".safetensors" or _looks_like_safetensors(head):
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            obj: Any = load_file(str(p), device="cpu")
        except SafetensorError as exc:
            if not _looks_like_safetensors(head):
                raise WeightsError(f"{p.name}: not a checkpoint (not a safetensors file)") from exc
            raise WeightsError(
                f"{p.name}: damaged or truncated checkpoint ({first_line(exc)})"
            ) from exc
    else:
        try:
            with warnings.catch_warnings():
                # a plain pickle.dump file makes torch warn about its protocol; harmless here
                warnings.simplefilter("ignore", UserWarning)
                obj = torch.load(p, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            if "weights only load failed" in str(exc).lower():
                raise WeightsError(
                    f"{p.name}: refused: the file holds Python code/objects, not only tensors "
                    "(it is never unpickled)"
                ) from exc
            raise WeightsError(f"{p.name}: damaged or truncated checkpoint") from exc
        except Exception as exc:  # noqa: BLE001 - arbitrary bytes make the unpickler raise anything
            # a zip or pickle header means a checkpoint that broke; anything else never was one
            if head.startswith(b"PK") or head[:1] == b"\x80":
                raise WeightsError(f"{p.name}: damaged or truncated checkpoint") from exc
            raise WeightsError(
                f"{p.name}: not a checkpoint (neither a PyTorch nor a safetensors file)"
            ) from exc
    return _tensors_of(obj, p.name)


def _tensors_of(obj: Any, name: str) -> dict[str, torch.Tensor]:
    import torch

    if not isinstance(obj, dict):
        raise WeightsError(
            f"{name}: holds a {type(obj).__name__}, not a state_dict (a dict of tensors)"
        )
    wrapped = (obj.get(k) for k in _WRAPPER_KEYS)
    sd = next(
        (w for w in wrapped if isinstance(w, dict) and any(torch.is_tensor(v) for v in w.values())),
        obj,
    )
    out: dict[str, torch.Tensor] = {}
    for key, value in sd.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            continue  # epochs, optimiser settings, best accuracy ...
        for prefix in _KEY_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
        out[key] = value
    if not out:
        raise WeightsError(f"{name}: holds no tensors (not a state_dict)")
    return _dequantized(out)


def _dequantized(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``NAME#q8`` (int8) and ``NAME#q8scale`` (one scale per output channel) -> ``NAME``."""
    import torch

    for key in [k for k in sd if k.endswith(Q8_SUFFIX)]:
        base = key[: -len(Q8_SUFFIX)]
        scale = sd.get(base + Q8_SCALE_SUFFIX)
        q = sd[key]
        if scale is None or q.dtype != torch.int8 or scale.numel() != (q.shape[0] if q.ndim else 0):
            continue  # not ours: left as it is
        del sd[key], sd[base + Q8_SCALE_SUFFIX]
        sd[base] = q.float() * scale.float().view(-1, *([1] * (q.ndim - 1)))
    return sd


# --- fitting a state_dict to a model ----------------------------------------------------------


def compare_state_dict(
    model: nn.Module, sd: dict[str, torch.Tensor]
) -> tuple[LoadReport, dict[str, Any]]:
    """How ``sd`` fits ``model``: the report, and the tensors of the same name and shape."""
    own = model.state_dict()
    fits: dict[str, Any] = {}
    missing: list[str] = []
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
    counted = 0
    for key, tensor in own.items():
        bookkeeping = key.rsplit(".", 1)[-1] == _BOOKKEEPING
        counted += not bookkeeping
        if key not in sd:
            if not bookkeeping:
                missing.append(key)
        elif tuple(sd[key].shape) != tuple(tensor.shape):
            mismatched.append((key, tuple(sd[key].shape), tuple(tensor.shape)))
        else:
            fits[key] = sd[key]
    unexpected = [k for k in sd if k not in own]
    matched = sum(k.rsplit(".", 1)[-1] != _BOOKKEEPING for k in fits)
    return LoadReport(matched, counted, missing, unexpected, mismatched), fits


def load_fitting(model: nn.Module, fits: dict[str, Any]) -> None:
    """Copy ``fits`` (from :func:`compare_state_dict`) into ``model``; the rest stays."""
    import torch

    with torch.no_grad():
        model.load_state_dict(fits, strict=False)


def load_checkpoint(model: nn.Module, path: str | os.PathLike[str]) -> WeightsInfo:
    """Load the tensors of a checkpoint file that fit ``model`` (same name and shape).

    The model's other tensors are left as they were. Returns ``kind="file"`` with the
    :class:`LoadReport`, whose summary is the message.

    Raises
    ------
    WeightsError
        The file cannot be read, or fewer than half of the model's tensors fit (then the
        model is left untouched: such a file is almost surely for another network).
    """
    name = Path(path).name
    sd = read_state_dict(path)
    report, fits = compare_state_dict(model, sd)
    if report.matched == 0:
        raise WeightsError(
            f"{name}: matches nothing of this model (0 of {report.model_keys} tensors; "
            "is it for another architecture?)"
        )
    if 2 * report.matched < report.model_keys:
        raise WeightsError(
            f"{name}: matches only {report.matched} of {report.model_keys} tensors of this "
            "model (fewer than half; is it for another architecture?); nothing loaded"
        )
    try:
        load_fitting(model, fits)
    except RuntimeError as exc:  # e.g. a dtype that cannot be copied
        raise WeightsError(f"{name}: loading failed: {first_line(exc)}") from exc
    return WeightsInfo(
        kind="file", label=name, trained=True, message=report.summary(), report=report
    )
