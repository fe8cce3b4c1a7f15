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
    from collections.abc import Iterator

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


class SessionState:
    """The parts of a session, and the reads views make of them (they never assign to them)."""

    def __init__(self) -> None:
        super().__init__()  # the session's other base (its event bus)
        self.model = ModelState()
        self.view = ViewState()
        self.weights = WeightsState()
        self.images_state = ImageState()
        self.run = RunState()
        self.deletions = DeletionState()
        self.fusion = FusionState()

    # -- reading the parts --------------------------------------------------------------------

    @property
    def lock(self) -> Any:
        return self.model.lock

    @property
    def analysis(self) -> Analysis | None:
        return self.model.analysis

    @property
    def model_name(self) -> str | None:
        return self.model.name

    @property
    def generation(self) -> int:
        return self.model.generation

    @property
    def input_size(self) -> int | None:
        return self.model.input_size

    @property
    def selected(self) -> str | None:
        return self.view.selected

    @property
    def expanded(self) -> frozenset[str]:
        return self.view.expanded

    @property
    def colour_by(self) -> str:
        return self.view.colour_by

    @property
    def weights_choice(self) -> str:
        return self.weights.choice

    @property
    def weights_info(self) -> WeightsInfo | None:
        return self.weights.info

    @property
    def normalize(self) -> str | None:
        return self.weights.normalize

    @property
    def images(self) -> list[LoadedImage]:
        return self.images_state.items

    @property
    def image_index(self) -> int:
        return self.images_state.index

    @property
    def compare_index(self) -> int:
        return self.images_state.compare_index

    @property
    def image(self) -> LoadedImage | None:
        return self.images_state.current

    @property
    def compare_image(self) -> LoadedImage | None:
        return self.images_state.compare

    @property
    def device(self) -> str:
        return self.run.device

    @property
    def precision(self) -> str:
        return self.run.precision

    @property
    def result(self) -> RunResult | None:
        return self.run.result

    @property
    def run_generation(self) -> int:
        return self.run.generation

    @property
    def deleted(self) -> frozenset[str]:
        return self.deletions.deleted

    @property
    def fused(self) -> bool:
        return self.fusion.fused

    @property
    def fusion_report(self) -> Any:
        return self.fusion.report

    @property
    def unfused_analysis(self) -> Analysis | None:
        return self.fusion.unfused_analysis

    def preprocessing(self) -> Any:
        """The preprocessing the model, its weights and the user's choices make: the one place
        it is computed (runs, evaluations and checks all use it). ValueError for a choice that
        does not fit the model."""
        from explorer.runtime.pipeline import preprocess

        return preprocess(self.analysis.spec, self.weights_info, self.input_size, self.normalize)

    def find(self, text: str) -> Iterator[str]:
        """Block ids whose qualname contains ``text`` (case-insensitive), in execution order."""
        if self.analysis is None or not text:
            return iter(())
        t = text.lower()
        blocks = sorted(self.analysis.tree.blocks.values(), key=lambda b: b.order)
        return (b.id for b in blocks if b.id and b.executed and t in b.id.lower())

    def can_undo(self) -> bool:
        return bool(self.deletions.undo)

    def can_redo(self) -> bool:
        return bool(self.deletions.redo)
