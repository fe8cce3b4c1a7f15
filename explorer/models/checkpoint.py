"""Checkpoint files: read one into a state_dict, and load the tensors that fit a model.

A file is read without ever unpickling code (``torch.load(..., weights_only=True)`` or
safetensors); the wrappers training scripts add (``"state_dict"``, ``"model"``, ``"ema"`` ...,
``module.`` prefixes) are taken off, and only tensors whose name and shape fit the model are
loaded, with a :class:`LoadReport` of what did not. The weights a model can come with
(library pretrained, bundled, random) are :mod:`explorer.models.weights`.

Bounds come before loading (:mod:`explorer.models.checkpoint_bounds`): a file over the memory
limit, or read whole and far larger than the model it is for, is refused before its tensors
are read; a zip as torch.save writes it is mapped, not copied (``torch.load(mmap=True)``).
A failed allocation says out of memory, not "damaged".

Values are checked before they reach the model: NaN or Inf, also those a cast to the model's
dtype creates (a float64 1e300 in a float32 model), refuse the file; integer or boolean values
cast into floating-point tensors load, with a line in :attr:`WeightsInfo.warnings`.

This module is Qt-free, and imports torch and safetensors lazily.
"""

from __future__ import annotations

import os
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import first_line
from explorer.models.checkpoint_bounds import (
    ALLOWANCE_EXTRA,
    ALLOWANCE_FACTOR,
    Extent,
    WeightsError,
    WeightsTooLarge,
    allowance,
    check_extent,
    checked_input,
    is_out_of_memory,
    looks_like_safetensors,
    measure,
    measure_file,
    out_of_memory,
    read_head,
    state_bytes,
    storages_fit,
)

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = [
    "ALLOWANCE_EXTRA",
    "ALLOWANCE_FACTOR",
    "Q8_SCALE_SUFFIX",
    "Q8_SUFFIX",
    "LoadReport",
    "WeightsError",
    "WeightsInfo",
    "WeightsTooLarge",
    "allowance",
    "check_values",
    "compare_state_dict",
    "load_checkpoint",
    "load_fitting",
    "measure",
    "read_state_dict",
    "state_bytes",
]

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
    #: one line each: what loaded but deserves the user's eye (integer values cast to float)
    warnings: tuple[str, ...] = ()


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (", ..." if len(names) > n else "")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape) if shape else "scalar"


# --- reading a file -------------------------------------------------------------------------


def read_state_dict(
    path: str | os.PathLike[str],
    *,
    model_bytes: int | None = None,
    model_name: str = "the model",
) -> dict[str, torch.Tensor]:
    """Read a checkpoint file into a flat ``{name: tensor}`` dict, never unpickling code.

    ``path`` is a ``.safetensors`` file or a PyTorch file (zip or legacy) holding a state_dict,
    bare or under ``"state_dict"``, ``"model"``, ``"model_state_dict"``, ``"ema"``... A leading
    ``module.`` (DataParallel) is removed from the keys; entries that are not tensors dropped.
    Its size is checked first (:func:`check_extent`): with ``model_bytes``, the bytes of the
    model it is for (named ``model_name`` in the message), also against :func:`allowance`.

    Raises
    ------
    WeightsError
        Missing, empty, damaged or truncated file, or not a regular file; a pickle that holds
        Python code or objects (refused, never run); a file that holds no tensors; tensors
        too large (:class:`WeightsTooLarge` over the memory limit); out of memory.
    """
    p = checked_input(path)
    head = read_head(p)
    if p.suffix == ".safetensors" and not looks_like_safetensors(head):
        raise WeightsError(f"{p.name}: not a checkpoint (not a safetensors file)")
    extent = measure_file(p, head)
    check_extent(p.name, extent, model_bytes, model_name)
    try:
        if looks_like_safetensors(head):
            obj: Any = _load_safetensors(p)
        else:
            obj = _load_torch(p, head, extent)
        return _tensors_of(obj, p.name)
    except Exception as exc:
        if is_out_of_memory(exc):
            raise out_of_memory(p.name, extent) from exc
        raise


def _load_safetensors(p: Path) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(p), device="cpu")
    except SafetensorError as exc:
        raise WeightsError(
            f"{p.name}: damaged or truncated checkpoint ({first_line(exc)})"
        ) from exc


def _load_torch(p: Path, head: bytes, extent: Extent) -> Any:
    import torch

    try:
        with warnings.catch_warnings():
            # a plain pickle.dump file makes torch warn about its protocol; harmless here
            warnings.simplefilter("ignore", UserWarning)
            obj = torch.load(p, map_location="cpu", weights_only=True, mmap=extent.mappable)
    except pickle.UnpicklingError as exc:
        if "weights only load failed" in str(exc).lower():
            raise WeightsError(
                f"{p.name}: refused: the file holds Python code/objects, not only tensors "
                "(it is never unpickled)"
            ) from exc
        raise WeightsError(f"{p.name}: damaged or truncated checkpoint") from exc
    except Exception as exc:  # noqa: BLE001 - arbitrary bytes make the unpickler raise anything
        if is_out_of_memory(exc):
            raise
        # a zip or pickle header means a checkpoint that broke; anything else never was one
        if head.startswith(b"PK") or head[:1] == b"\x80":
            raise WeightsError(f"{p.name}: damaged or truncated checkpoint") from exc
        raise WeightsError(
            f"{p.name}: not a checkpoint (neither a PyTorch nor a safetensors file)"
        ) from exc
    if extent.mappable and not storages_fit(obj, extent.records):
        # a mapped storage is not checked against its record: a short one would read past it
        raise WeightsError(
            f"{p.name}: damaged or truncated checkpoint (a tensor is larger than its record)"
        )
    return obj


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


def _dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def check_values(model: nn.Module, fits: dict[str, Any], name: str) -> tuple[str, ...]:
    """Check the tensors about to be copied into ``model`` (``fits``, of the same names).

    NaN and Inf refuse them, counted for the first tensors that hold some, also those a cast to
    the model's dtype creates (a float64 1e300 in a float32 model), unless the model's own
    tensor holds them too (a mask of -inf is the architecture's). Complex values for a real
    tensor are refused. Returns the warnings: integer or boolean values cast to floating point
    (quantized weights saved without their scales?) and floating-point values cast to integers.

    Raises
    ------
    WeightsError
        Non-finite or complex values; ``name`` (the file's) begins the message.
    """
    import torch

    own = model.state_dict()
    bad: list[str] = []
    ints: list[str] = []
    floats: list[str] = []
    for key, value in fits.items():
        target = own[key]
        if value.is_complex() and not target.is_complex():
            raise WeightsError(f"{name}: complex values in {key} for a real tensor; nothing loaded")
        if not (target.is_floating_point() or target.is_complex()):
            if value.is_floating_point() and key.rsplit(".", 1)[-1] != _BOOKKEEPING:
                floats.append(f"{key} ({_dtype(value.dtype)} to {_dtype(target.dtype)})")
            continue
        if not (value.is_floating_point() or value.is_complex()):
            ints.append(f"{key} ({_dtype(value.dtype)})")  # integers are finite
            continue
        cast = value if value.dtype == target.dtype else value.to(target.dtype)
        if bool(torch.isfinite(cast).all()) or not bool(torch.isfinite(target).all()):
            continue
        nan, inf = int(torch.isnan(cast).sum()), int(torch.isinf(cast).sum())
        if cast is not value and bool(torch.isfinite(value).all()):
            why = f"Inf once cast from {_dtype(value.dtype)} to {_dtype(target.dtype)}"
        else:
            why = f"{nan} NaN, {inf} Inf" if nan and inf else "NaN" if nan else "Inf"
        bad.append(f"{nan + inf} {'non-finite values ' if not bad else ''}in {key} ({why})")
    if bad:
        more = f", and {len(bad) - 3} more tensors" if len(bad) > 3 else ""
        raise WeightsError(f"{name}: {', '.join(bad[:3])}{more}; nothing loaded")
    notes = []
    if ints:
        notes.append(
            f"{name}: integer values cast to floating point in {', '.join(ints)}: "
            "are they quantized weights without their scales?"
        )
    if floats:
        notes.append(
            f"{name}: floating-point values cast to integers in {', '.join(floats)} "
            "(fractions dropped)"
        )
    return tuple(notes)


def load_fitting(model: nn.Module, fits: dict[str, Any], name: str = "weights") -> None:
    """Copy ``fits`` (from :func:`compare_state_dict`) into ``model``; the rest stays.

    ``name`` (the file's) begins the message of a :class:`WeightsError`: out of memory, or a
    tensor that cannot be copied.
    """
    import torch

    try:
        with torch.no_grad():
            model.load_state_dict(fits, strict=False)
    except Exception as exc:
        if is_out_of_memory(exc):
            raise WeightsError(f"{name}: out of memory while loading its tensors") from exc
        if isinstance(exc, RuntimeError):  # e.g. a dtype that cannot be copied
            raise WeightsError(f"{name}: loading failed: {first_line(exc)}") from exc
        raise


def load_checkpoint(
    model: nn.Module, path: str | os.PathLike[str], *, model_name: str | None = None
) -> WeightsInfo:
    """Load the tensors of a checkpoint file that fit ``model`` (same name and shape).

    The model's other tensors are left as they were. Returns ``kind="file"`` with the
    :class:`LoadReport`, whose summary is the message, and the warnings of
    :func:`check_values`. ``model_name`` (``"resnet20"``) names the model in a refusal of
    a checkpoint too large for it; by default its class is named.

    Raises
    ------
    WeightsError
        The file cannot be read, is too large (:func:`check_extent`), holds non-finite values
        (:func:`check_values`), or fewer than half of the model's tensors fit (then the
        model is left untouched: such a file is almost surely for another network).
    """
    name = Path(path).name
    who = model_name or f"the model ({type(model).__name__})"
    sd = read_state_dict(path, model_bytes=state_bytes(model), model_name=who)
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
        notes = check_values(model, fits, name)
    except Exception as exc:
        if is_out_of_memory(exc):
            raise out_of_memory(name, None) from exc
        raise
    load_fitting(model, fits, name)
    if report.unexpected and not (report.missing or report.mismatched):
        notes = (
            *notes,
            f"{name}: {len(report.unexpected)} tensors the model does not have were not used "
            f"({_few(report.unexpected)})",
        )
    if report.missing or report.mismatched:  # a partial load is never silent
        notes = (
            *notes,
            f"{name}: {report.summary()}; the model's other tensors keep their random values",
        )
    return WeightsInfo(
        kind="file",
        label=name,
        trained=True,
        message=report.summary(),
        report=report,
        warnings=tuple(notes),
    )
