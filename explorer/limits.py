"""Memory bounds, checked before anything is allocated.

One limit for everything a user's input makes the program allocate at once (an input batch,
an image's pixels, a checkpoint's tensors, an array read from a data file): half of the memory
this process may still take, that is the smaller of the machine's available memory and what
is left under an address-space limit (``ulimit -v``). ``$CNN_EXPLORER_MAX_MEMORY`` (``800M``,
``16G``, bytes) sets it instead. A refusal names the figure, the limit and how to raise it.
"""

from __future__ import annotations

import os
import re
import resource

from explorer.errors import ExplorerError

ENV = "CNN_EXPLORER_MAX_MEMORY"
#: the share of the memory still free that one allocation may take
SHARE = 0.5
#: where the machine cannot say what is free
FALLBACK = 4 << 30

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class LimitError(ExplorerError):
    """An input that would take more memory than the limit: refused before allocating."""


def parse_size(text: str) -> int:
    """``"800M"``, ``"16G"``, ``"1.5g"``, ``"123456"`` -> bytes (powers of 1024)."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not m:
        raise ValueError(f"'{text}' is not a size (e.g. 800M, 16G)")
    value = float(m.group(1)) * _UNITS[m.group(2)]
    if not value >= 1:
        raise ValueError(f"'{text}' is not a size above zero")
    return int(value)


def fmt_bytes(n: float) -> str:
    """``1536 -> '1.5 KiB'``: the figure a refusal quotes."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover - the loop always returns


def available_memory() -> int | None:
    """The machine's MemAvailable in bytes, or None where /proc/meminfo cannot say."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _address_space_left() -> int | None:
    """What an ``RLIMIT_AS`` still allows this process to map, or None without one."""
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    used = 0
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return max(soft - used, 0)


def _data_limit_left() -> int | None:
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_DATA)
    except (OSError, ValueError, AttributeError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft


def free_memory() -> int | None:
    """Bytes this process may still allocate (machine and ``ulimit``), or None if unknown."""
    known = [v for v in (available_memory(), _address_space_left(), _data_limit_left()) if v]
    return min(known) if known else None


def memory_limit() -> int:
    """The most one input may make the program allocate at once, in bytes."""
    own = os.environ.get(ENV)
    if own:
        try:
            return parse_size(own)
        except ValueError as exc:
            raise LimitError(f"${ENV}: {exc}") from None
    free = free_memory()
    return int((free if free is not None else FALLBACK) * SHARE)


def how_to_raise() -> str:
    return f"set {ENV} to raise it, e.g. {ENV}=16G"


def check_bytes(nbytes: int, what: str, limit: int | None = None) -> None:
    """Refuse ``what`` (``"a 1x3x100000x100000 float32 input"``) when it would take more than
    the memory limit."""
    limit = memory_limit() if limit is None else limit
    if nbytes > limit:
        raise LimitError(
            f"{what} would take {fmt_bytes(nbytes)}, more than the memory limit of "
            f"{fmt_bytes(limit)}",
            hint=how_to_raise(),
        )


def tensor_bytes(shape: tuple[int, ...] | list[int], itemsize: int = 4) -> int:
    n = itemsize
    for d in shape:
        n *= int(d)
    return n
