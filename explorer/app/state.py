"""The session's state, split by concern: one typed record per part.

:class:`~explorer.app.session.Session` owns one of each and changes them only through its
methods, which emit the :class:`~explorer.app.session.Event` that says what changed. Views read
them (``session.model.analysis``, ``session.images.current`` ...) and never assign to them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis
    from explorer.models.weights import WeightsInfo
    from explorer.runtime.images import LoadedImage
    from explorer.runtime.inference import RunResult
    from explorer.studies.fusion.bn import FusionReport

COLOUR_MODES = ("kind", "params", "macs")
NORMALIZATIONS = (None, "imagenet", "cifar", "none")


@dataclass
class ModelState:
    """The model shown: its name, its analysis, the pending request's generation."""

    name: str | None = None
    analysis: Analysis | None = None
    generation: int = 0  # bumped on every model request; older results are dropped
    input_size: int | None = None  # the user's input size (None: the model's own)
    # one user of the model at a time: runs, weight loads, evaluations, fusion copies
    lock: Any = field(default_factory=threading.Lock)


@dataclass
class ViewState:
    """How the graph is drawn: the selected block, the open blocks, the colouring."""

    selected: str | None = None
    expanded: frozenset[str] = frozenset({""})
    colour_by: str = "kind"


@dataclass
class WeightsState:
    """The weights asked for and held, and the preprocessing the user chose."""

    choice: str = "auto"  # auto, bundled, pretrained, random or a checkpoint path
    previous_choice: str = "auto"
    info: WeightsInfo | None = None
    normalize: str | None = None  # None: as the weights say; imagenet, cifar, none


@dataclass
class ImageState:
    """The images opened, the one shown and a second one run beside it."""

    items: list[LoadedImage] = field(default_factory=list)
    index: int = -1
    compare_index: int = -1

    @property
    def current(self) -> LoadedImage | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    @property
    def compare(self) -> LoadedImage | None:
        i = self.compare_index
        return self.items[i] if 0 <= i < len(self.items) and i != self.index else None


@dataclass
class RunState:
    """Where images run and the last run's result."""

    device: str = "auto"
    precision: str = "fp32"
    result: RunResult | None = None
    generation: int = 0  # bumped on every run request; older results are dropped


@dataclass
class DeletionState:
    """The blocks deleted from the network, with undo and redo."""

    deleted: frozenset[str] = frozenset()
    undo: list[frozenset[str]] = field(default_factory=list)
    redo: list[frozenset[str]] = field(default_factory=list)


@dataclass
class FusionState:
    """Whether the model is shown fused for deployment, and what to go back to."""

    fused: bool = False
    report: FusionReport | None = None
    unfused_analysis: Analysis | None = None  # the training-time analysis while fused
    open_before: frozenset[str] = frozenset()  # the blocks open before fusing
