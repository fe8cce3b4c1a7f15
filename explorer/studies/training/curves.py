"""Training curves of the built-in small models (the JSON files written by ``train``)."""

from __future__ import annotations

import json
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
