"""The curves the panels draw from a probed pass: activation std by depth, SE gates.

Qt-free, so that what a panel shows is computed (and tested) without a screen.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from explorer.runtime.probe_plan import ProbePlan
    from explorer.runtime.probes import ProbeResult

#: levels of the activation-std curve
STD_LEVELS = ("layers", "norm", "blocks")


def std_by_layer(
    res: ProbeResult, plan: ProbePlan, level: str = "layers", image: int = 0
) -> tuple[list[str], np.ndarray]:
    """The activation-std curve along the depth: (block ids, std), in execution order.

    ``level``: ``"layers"`` every leaf layer; ``"norm"`` normalisation outputs only (the
    responses the ResNet paper's Fig. 7 plots: after BN, before the nonlinearity);
    ``"blocks"`` the blocks one level below the stages (residual, inception ... units).
    """
    if level not in STD_LEVELS:
        raise ValueError(f"level must be one of {STD_LEVELS}")
    ids, vals = [], []
    unit_depth = _unit_depth(plan)
    for i, b in enumerate(res.block_ids):
        leaf = plan.leaf.get(b, True)
        kind = plan.kinds.get(b, "other")
        if level == "layers":
            keep = leaf
        elif level == "norm":
            keep = leaf and kind == "norm"
        else:
            keep = plan.depth.get(b, 0) == unit_depth and not leaf
        if keep and math.isfinite(res.std[i, image]):
            ids.append(b)
            vals.append(res.std[i, image])
    return ids, np.asarray(vals, dtype=np.float64)


def _unit_depth(plan: ProbePlan) -> int:
    """The depth of the model's repeated units.

    The shallowest depth with a merge block (residual, inception ...); without any (a
    plain network), the depth that holds the most containers (its conv-bn-relu blocks).
    """
    merged = [plan.depth[b] for b, k in plan.kinds.items() if k in _UNIT_KINDS and b]
    if merged:
        return min(merged)
    counts: dict[int, int] = {}
    for b, leaf in plan.leaf.items():
        if b and not leaf:
            counts[plan.depth[b]] = counts.get(plan.depth[b], 0) + 1
    return max(counts, key=lambda d: (counts[d], -d)) if counts else 1


_UNIT_KINDS = ("residual", "inception", "dense", "repvgg", "highway", "separable")


def sorted_descending(values: np.ndarray) -> np.ndarray:
    """The curve sorted by magnitude, largest first (the ResNet paper's lower plot)."""
    return np.sort(np.asarray(values))[::-1]


def se_matrix(res: ProbeResult, image: int = 0) -> tuple[list[str], np.ndarray]:
    """SE gates as a blocks x channels matrix (rows padded with NaN to the widest block)."""
    ids = list(res.se_gates)
    if not ids:
        return [], np.zeros((0, 0))
    width = max(res.se_gates[i].shape[1] for i in ids)
    m = np.full((len(ids), width), np.nan)
    for r, i in enumerate(ids):
        g = res.se_gates[i][image]
        m[r, : g.size] = g
    return ids, m
