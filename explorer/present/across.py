"""What the side-by-side panels draw for one image run through several networks (Qt-free).

From the per-network results of :func:`explorer.app.workflows.across.run_across` (objects
with ``name``, ``image``, ``result`` (a RunResult or None), ``weights`` (a WeightsInfo or
None) and ``error``): the top-5 rows of each network, the activation-std curves of all of
them on one axis (the ResNet paper's Fig. 7: the std of each normalisation output, after BN
and before the nonlinearity, along the depth, and sorted by magnitude), and the SE gates of
each network that has squeeze-and-excitation blocks, with a line naming those that have none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explorer.present.panels import prediction_rows
from explorer.runtime.probe_curves import STD_LEVELS, se_matrix, sorted_descending, std_by_layer

#: the level of the activation-std curve shown by default (as the single-model panel): the
#: normalisation outputs, the responses the ResNet paper's Fig. 7 plots
FIG7_LEVEL = "norm"

#: what each level of :data:`~explorer.runtime.probe_curves.STD_LEVELS` is called on screen
LEVEL_NAMES = {"layers": "every layer", "norm": "norm outputs (Fig. 7)", "blocks": "blocks"}


@dataclass(frozen=True)
class PredictionColumn:
    """One network's column of the predictions: its top-5, or why it has none."""

    name: str
    rows: list[tuple[str, str, float]]  # (rank, "label (index)", probability)
    pane: int = 0  # its place among the results (the panes' order)
    weights: str = ""  # the weights' label ("bundled (digits, 100.0 %)", "random ...")
    trained: bool | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StdCurve:
    """One network's activation-std curve: x is the layer index along the depth (1-based)."""

    name: str
    ids: list[str]  # the block of each point, in execution order
    values: np.ndarray
    pane: int = 0
    trained: bool | None = None
    weights: str = ""

    @property
    def x(self) -> np.ndarray:
        return np.arange(1, len(self.values) + 1)

    def y(self, sort: bool = False) -> np.ndarray:
        """In order of depth, or sorted by magnitude, largest first (Fig. 7's lower plot)."""
        return sorted_descending(self.values) if sort else self.values

    @property
    def label(self) -> str:
        """The legend's entry: the network, how many points, and its kind of weights."""
        w = f", {short_weights(self.weights)}" if self.weights else ""
        return f"{self.name} ({len(self.values)}{w})"


@dataclass(frozen=True)
class SEGates:
    """One SE network's gates on the image: SE blocks x channels (NaN past a block's width)."""

    name: str
    ids: list[str]
    matrix: np.ndarray
    pane: int = 0
    trained: bool | None = None

    @property
    def block_means(self) -> np.ndarray:
        """Each SE block's mean gate over its channels."""
        return np.nanmean(self.matrix, axis=1) if self.matrix.size else np.zeros(0)

    def describe(self) -> str:
        """One line: blocks, widest block, mean gate."""
        if not self.ids:
            return f"{self.name}: no SE gates measured"
        mean = float(np.nanmean(self.matrix))
        return (
            f"{self.name}: {len(self.ids)} SE blocks, up to {self.matrix.shape[1]} channels, "
            f"mean gate {mean:.2f}"
        )


@dataclass(frozen=True)
class AcrossData:
    """Everything the side-by-side panels draw for one set of results."""

    image: str
    level: str
    predictions: list[PredictionColumn]
    curves: list[StdCurve]
    se: list[SEGates]
    #: networks that ran but have no SE block (they get no heat map)
    without_se: list[str]
    #: networks without a curve at this level: "name: why"
    missing_curves: list[str]

    @property
    def se_line(self) -> str:
        """Which networks have SE blocks and which have none, in one line."""
        return se_line(self.se, self.without_se)

    @property
    def source(self) -> str:
        """What the figures are of: the image, the networks, the level."""
        names = ", ".join(p.name for p in self.predictions) or "no network"
        return (
            f"{self.image or 'no image'} through {names}; activation std of "
            f"{LEVEL_NAMES.get(self.level, self.level)}, one image, measured by this program"
        )


def short_weights(label: str) -> str:
    """A weights label without its details: ``"bundled (digits, 100.0 %)"`` -> ``"bundled"``."""
    return label.split(" (")[0].strip() or label


def prediction_columns(results: Sequence[Any]) -> list[PredictionColumn]:
    """Per network (in order) its top-5 rows, or its error."""
    out = []
    for i, r in enumerate(results):
        w = r.weights
        label, trained = (w.label, bool(w.trained)) if w is not None else ("", None)
        res = r.result
        if res is None:
            error = r.error or "no result"
            out.append(PredictionColumn(r.name, [], i, label, trained, error, list(r.notes)))
            continue
        rows = prediction_rows(res.top[0]) if res.top else []
        out.append(PredictionColumn(r.name, rows, i, label, trained, None, list(res.notes)))
    return out


def std_curves(results: Sequence[Any], level: str = FIG7_LEVEL) -> tuple[list[StdCurve], list[str]]:
    """One activation-std curve per network that ran with the probes on, at ``level``
    (:data:`~explorer.runtime.probe_curves.STD_LEVELS`); and "name: why" for each network
    without one (failed, not probed, or no output at that level)."""
    if level not in STD_LEVELS:
        raise ValueError(f"level must be one of {STD_LEVELS}")
    curves, missing = [], []
    for i, r in enumerate(results):
        res = r.result
        if res is None:
            missing.append(f"{r.name}: {r.error or 'no result'}")
            continue
        if res.probes is None or res.plan is None:
            missing.append(f"{r.name}: not probed")
            continue
        ids, values = std_by_layer(res.probes, res.plan, level)
        if not len(values):
            missing.append(f"{r.name}: no {LEVEL_NAMES.get(level, level)}")
            continue
        w = r.weights
        curves.append(
            StdCurve(
                r.name,
                ids,
                values,
                i,
                bool(w.trained) if w is not None else None,
                w.label if w is not None else "",
            )
        )
    return curves, missing


def se_gates(results: Sequence[Any]) -> tuple[list[SEGates], list[str]]:
    """The SE gates of each network that has SE blocks; the names of those that ran without
    any (a failed network is neither: it is said with its error)."""
    gates, without = [], []
    for i, r in enumerate(results):
        res = r.result
        if res is None:
            continue
        pr = res.probes
        if pr is None or not pr.se_gates:
            without.append(r.name)
            continue
        ids, m = se_matrix(pr, image=0)
        w = r.weights
        gates.append(SEGates(r.name, ids, m, i, bool(w.trained) if w is not None else None))
    return gates, without


def se_line(gates: Sequence[SEGates], without: Sequence[str]) -> str:
    """E.g. ``"SE gates: se_resnet20. No SE blocks: resnet20, plain20."``"""
    parts = []
    if gates:
        parts.append("SE gates: " + ", ".join(g.name for g in gates) + ".")
    if without:
        parts.append("No SE blocks: " + ", ".join(without) + ".")
    return " ".join(parts) or "No network ran."


def random_weights_line(curves: Sequence[StdCurve]) -> str:
    """Said beside the curves when some network holds random weights: Fig. 7 is about
    trained networks (at initialisation a residual network's std grows along the depth)."""
    names = [c.name for c in curves if c.trained is False]
    if not names:
        return ""
    return (
        f"random weights: {', '.join(names)}; the ResNet paper's Fig. 7 is about trained networks"
    )


def across_data(results: Sequence[Any], level: str = FIG7_LEVEL) -> AcrossData:
    """All the side-by-side panels' data for ``results`` (in the panes' order)."""
    curves, missing = std_curves(results, level)
    gates, without = se_gates(results)
    image = next((r.image for r in results if getattr(r, "image", "")), "")
    return AcrossData(image, level, prediction_columns(results), curves, gates, without, missing)
