"""Training curves of the built-in small models (the JSON files written by ``train``)."""

from __future__ import annotations

import json
import math
from typing import Any

#: the lecture's plain-vs-residual comparison (He et al. 2015, Fig. 1 and 6)
PLAIN_VS_RESIDUAL = ("plain20", "plain56", "resnet20", "resnet56")


def bundled_curve(name: str) -> dict[str, Any] | None:
    """The curve file shipped beside a built-in model's weights, or None."""
    from importlib.resources import files

    from explorer.models.registry import RegistryError, get

    try:
        rel = get(name).extra.get("curve")  # where the registry says the curve ships
    except RegistryError:
        return None
    if not rel:
        return None
    res = files("explorer.resources").joinpath(rel)
    try:
        return json.loads(res.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return None


def error_series(curve: dict[str, Any], which: str = "train") -> tuple[list[int], list[float]]:
    """(epochs, error in %) of the ``train`` or ``test`` accuracy recorded per epoch."""
    key = f"{which}_top1"
    hist = [h for h in curve.get("history", []) if h.get(key) is not None]
    return [int(h["epoch"]) for h in hist], [100.0 - float(h[key]) for h in hist]


def final_errors(names: tuple[str, ...] = PLAIN_VS_RESIDUAL) -> dict[str, tuple[float, float]]:
    """name -> (final training error %, final test error %) of the shipped curves."""
    out = {}
    for n in names:
        c = bundled_curve(n)
        if c is not None and c.get("history"):
            out[n] = (error_series(c, "train")[1][-1], error_series(c, "test")[1][-1])
    return out


#: a log axis has no 0: an error of 0 % is drawn at this floor, and the plot says so
ERROR_FLOOR = 0.1


def floored(errors: list[float], floor: float = ERROR_FLOOR) -> tuple[list[float], int]:
    """The errors as a log axis can draw them (``floor`` for anything below it), and how many
    were raised to the floor."""
    out = [max(float(e), floor) for e in errors]
    return out, sum(1 for e in errors if float(e) < floor)


def floor_note(n_floored: int, floor: float = ERROR_FLOOR) -> str:
    """What the plot says when some errors were raised to the floor (else nothing)."""
    return f"0 % drawn at {floor:g} % (a log axis has no 0)" if n_floored else ""


def log_ticks(lo: float, hi: float) -> list[list[tuple[float, str]]]:
    """Major and minor ticks of a log-scaled error axis from ``lo`` to ``hi`` (in %), as
    pyqtgraph's ``setTicks`` takes them in log mode: positions in log10, labels as plain
    numbers ("0.1", "1", "10", "100", not "10^-1" or "9x10^1").

    Major ticks: the powers of ten, labelled; minor: 2 and 5 times them, labelled only when
    the axis spans at most two decades (else the labels crowd).
    """
    lo, hi = max(lo, 1e-6), max(hi, lo * 1.0001)
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    major, minor = [], []
    few = math.log10(hi / lo) <= 2.05
    for d in range(first, last + 1):
        v = 10.0**d
        if lo / 1.0001 <= v <= hi * 1.0001:
            major.append((math.log10(v), _pct(v)))
        for m in (2, 5):
            w = m * v
            if lo <= w <= hi:
                minor.append((math.log10(w), _pct(w) if few else ""))
    return [major, minor]


def _pct(v: float) -> str:
    return f"{v:g}"
