"""What a checkpoint file would take, known before its tensors are read (convention 15).

The bytes of a file's tensors come from its zip directory (``torch.save``), its header
(safetensors) or, for a legacy pickle, its size, never from loading them. :func:`check_extent`
refuses a file over the memory limit (:mod:`explorer.limits`), and one read whole (a deflated
zip, a legacy pickle, safetensors) that holds more than :func:`allowance` of the model's own
tensors: 4 times their size plus 1 MiB, room for a training checkpoint that keeps the model,
an EMA copy and Adam's two moments. A zip whose records are stored, as torch.save writes
them, is mapped (``torch.load(mmap=True)``): only the tensors a model takes are ever read, so
it is held to the memory limit alone. A failed allocation is told as out of memory.

:mod:`explorer.models.checkpoint` reads the file; this module is Qt-free and needs no torch
but for :func:`state_bytes` and :func:`storages_fit` (given tensors).
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import ExplorerError
from explorer.files import FileError, regular_input
from explorer.limits import LimitError, check_bytes, fmt_bytes

if TYPE_CHECKING:
    from torch import nn

#: a checkpoint read whole may hold this many times the model's own tensor bytes: the model,
#: an EMA copy and Adam's two moments (timm's training checkpoints), or a float64 copy with
#: SGD momentum...
ALLOWANCE_FACTOR = 4
#: ... plus this much: a tiny model's checkpoint with a few extras (a class-name table)
ALLOWANCE_EXTRA = 1 << 20
#: the largest safetensors header read (the safetensors library's own limit)
_SAFETENSORS_MAX_HEADER = 100_000_000


class WeightsError(ExplorerError):
    """Weights that cannot be used; ``str()`` is one line for the user."""


class WeightsTooLarge(WeightsError, LimitError):
    """A checkpoint whose tensors exceed the memory limit: refused before reading them."""


def looks_like_safetensors(head: bytes) -> bool:
    """Whether a file's first bytes are a safetensors header's start."""
    # safetensors: an 8-byte little-endian header length, then the JSON header
    return len(head) > 8 and head[8:9] == b"{"


def is_zip(head: bytes) -> bool:
    """Whether a file's first bytes are a zip's (torch.save's format since PyTorch 1.6)."""
    return head.startswith(b"PK\x03\x04")


@dataclass(frozen=True)
class Extent:
    """What reading a checkpoint file would take, known without loading its tensors.

    ``tensor_bytes``: the bytes of all its tensors (a legacy pickle: its size, an upper bound,
    so ``exact`` is False). ``other_bytes``: the rest it reads into memory (a zip's pickle).
    ``records``: the sizes of a zip's tensor records; ``mappable``: all of them are stored
    uncompressed, as torch.save writes them, so ``torch.load(mmap=True)`` maps them and only
    the tensors the model takes are ever read (a deflated record would be mapped as its
    compressed bytes). ``form`` names a file that is read whole, for a refusal.
    """

    tensor_bytes: int
    exact: bool = True
    other_bytes: int = 0
    records: tuple[int, ...] = ()
    mappable: bool = False
    form: str = "a legacy (non-zip) checkpoint"


def allowance(model_bytes: int) -> int:
    """The most tensor bytes a checkpoint for a model of ``model_bytes`` may hold."""
    return ALLOWANCE_FACTOR * model_bytes + ALLOWANCE_EXTRA


def state_bytes(model: nn.Module) -> int:
    """The bytes of ``model``'s state_dict tensors."""
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())


def measure(path: str | os.PathLike[str]) -> Extent:
    """The :class:`Extent` of a checkpoint file, read from its directory or header only.

    Raises
    ------
    WeightsError
        Not a readable regular file, a damaged zip or safetensors header, a TorchScript archive.
    """
    p = checked_input(path)
    return measure_file(p, read_head(p))


def checked_input(path: str | os.PathLike[str]) -> Path:
    """``path`` if it is a regular, non-empty file; else a one-line :class:`WeightsError`
    (unreadable files are told by :func:`read_head`, as "cannot read")."""
    p = Path(path)
    try:
        regular_input(p)  # a FIFO or a device would block the reader, or never end
    except FileError as exc:
        if not str(exc).endswith(": permission denied"):  # told as "cannot read" below
            raise WeightsError(str(exc)) from None
    if p.stat().st_size == 0:
        raise WeightsError(f"{p.name}: empty file")
    return p


def read_head(p: Path) -> bytes:
    """The first 16 bytes of ``p``, which tell its format."""
    try:
        f = p.open("rb")
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
        raise WeightsError(f"{p.name}: cannot read ({why})") from exc
    with f:
        return f.read(16)


def measure_file(p: Path, head: bytes) -> Extent:
    """The :class:`Extent` of ``p``, whose first bytes are ``head`` (:func:`read_head`)."""
    if looks_like_safetensors(head):
        return _measure_safetensors(p, head)
    if is_zip(head):
        return _measure_zip(p)
    # a legacy pickle stores its tensors raw after the pickle: they fit in the file
    return Extent(tensor_bytes=p.stat().st_size, exact=False)


def _measure_zip(p: Path) -> Extent:
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise WeightsError(
            f"{p.name}: damaged or truncated checkpoint (its zip directory cannot be read)"
        ) from exc
    names = [i.filename for i in infos]
    if any(n == "constants.pkl" or n.endswith("/constants.pkl") for n in names):
        raise WeightsError(
            f"{p.name}: a TorchScript archive (torch.jit.save), not a state_dict; "
            "save model.state_dict() with torch.save instead"
        )
    data = [i for i in infos if i.filename.split("/")[-2:-1] == ["data"]]
    records = tuple(i.file_size for i in data)
    return Extent(
        tensor_bytes=sum(records),
        # torch reads the pickle whole; records it does not name are never read
        other_bytes=sum(i.file_size for i in infos if i.filename.endswith("data.pkl")),
        records=records,
        mappable=all(i.compress_type == zipfile.ZIP_STORED for i in data),
        form="a compressed zip",
    )


def _measure_safetensors(p: Path, head: bytes) -> Extent:
    size = p.stat().st_size
    (n,) = struct.unpack("<Q", head[:8])
    damaged = f"{p.name}: damaged or truncated checkpoint"
    if n > min(size - 8, _SAFETENSORS_MAX_HEADER):
        raise WeightsError(f"{damaged} (its header claims {n} bytes, the file holds {size})")
    try:
        with p.open("rb") as f:
            f.seek(8)
            header = json.loads(f.read(n))
        spans = [v["data_offsets"] for k, v in header.items() if k != "__metadata__"]
        spans = [(int(b), int(e)) for b, e in spans]
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise WeightsError(f"{damaged} (its header cannot be read)") from exc
    total = sum(e - b for b, e in spans)
    end = max((e for _b, e in spans), default=0)
    if end > size - 8 - n or any(e < b for b, e in spans):
        raise WeightsError(
            f"{damaged} (its header describes {fmt_bytes(end)} of tensors, "
            f"the file holds {fmt_bytes(size - 8 - n)})"
        )
    return Extent(tensor_bytes=total, form="a safetensors file")


def check_extent(
    name: str, extent: Extent, model_bytes: int | None = None, model_name: str = "the model"
) -> None:
    """Refuse a checkpoint over the memory limit, or, read whole (not mapped) for a model of
    ``model_bytes`` (named ``model_name``), over :func:`allowance` of it.

    A mapped zip is not held to the allowance: only the tensors the model takes are read, so
    a training checkpoint (optimizer state, EMA copies) costs no more than the model, and a
    file for another network is told as such once its names are compared.
    ``name`` is the file's name, for the message.
    """
    held = f"{'up to ' if not extent.exact else ''}{fmt_bytes(extent.tensor_bytes)}"
    allow = None if model_bytes is None else allowance(model_bytes)
    if allow is not None and not extent.mappable and extent.tensor_bytes > allow:
        raise WeightsError(
            f"{name}: holds {held} of tensors, but {model_name} needs only "
            f"{fmt_bytes(model_bytes or 0)}; {extent.form} is read whole, and refused over "
            f"{fmt_bytes(allow)} ({ALLOWANCE_FACTOR} times the model's size plus "
            f"{ALLOWANCE_EXTRA >> 20} MiB; save the state_dict alone, or with torch.save, "
            "whose files are mapped, not read)"
        )
    try:
        check_bytes(extent.tensor_bytes, f"{name}: its tensors")
        check_bytes(extent.other_bytes, f"{name}: its pickle and other records")
    except LimitError as exc:
        raise WeightsTooLarge(exc.args[0], hint=exc.hint) from None


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is a failed allocation (Python's, or torch's allocator's)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(
        s in text
        for s in ("not enough memory", "can't allocate memory", "cannot allocate memory",
                  "out of memory", "bad_alloc")
    )  # fmt: skip


def out_of_memory(name: str, extent: Extent | None) -> WeightsError:
    """The error for an allocation that failed while loading the checkpoint ``name``."""
    if extent is None:
        what = "its tensors"
    else:
        what = (
            f"{'up to' if not extent.exact else 'its'} {fmt_bytes(extent.tensor_bytes)} of tensors"
        )
    return WeightsError(
        f"{name}: out of memory while loading {what} (free some memory, or use a "
        "smaller checkpoint)"
    )


def storages_fit(obj: Any, records: tuple[int, ...]) -> bool:
    """Whether every storage of ``obj``'s tensors has the size of a record of its own."""
    import torch

    sizes: dict[int, int] = {}
    seen: set[int] = set()
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, torch.Tensor):
            storage = o.untyped_storage()
            if storage.nbytes():
                sizes[storage.data_ptr()] = storage.nbytes()
        elif isinstance(o, (dict, list, tuple)) and id(o) not in seen:
            seen.add(id(o))  # a pickle can make a list that holds itself
            stack.extend(o.values() if isinstance(o, dict) else o)
    return not Counter(sizes.values()) - Counter(r for r in records if r)
