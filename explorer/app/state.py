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
    loading: str | None = None  # the model asked for and not yet installed, failed or cancelled
    # the analysis shown is the stored graph of the model asked for (analysis.built False):
    # drawn while torch loads; nothing runs on it (explorer.graph.cache)
    preview: bool = False
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
    loads: int = 0  # weights put into the model so far: two random draws share a label


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
    #: where the studies' independent evaluations go: None (this process), "local" (a Ray
    #: instance on this machine) or a Ray cluster's address
    ray: str | None = None


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


class Read:
    """A read-only name of the session for one field of one of its parts."""

    def __init__(self, part: str, field: str) -> None:
        self.part, self.field = part, field

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(getattr(obj, self.part), self.field)

    def __set__(self, obj: Any, value: Any) -> None:
        raise AttributeError(f"{self.field} is changed through the session's methods, not assigned")


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

    # -- reading the parts: each name reads one field of one part -------------------------

    lock: Any = Read("model", "lock")  # type: ignore[assignment]
    analysis: Analysis | None = Read("model", "analysis")  # type: ignore[assignment]
    model_name: str | None = Read("model", "name")  # type: ignore[assignment]
    generation: int = Read("model", "generation")  # type: ignore[assignment]
    loading: str | None = Read("model", "loading")  # type: ignore[assignment]
    previewing: bool = Read("model", "preview")  # type: ignore[assignment]
    input_size: int | None = Read("model", "input_size")  # type: ignore[assignment]
    selected: str | None = Read("view", "selected")  # type: ignore[assignment]
    expanded: frozenset[str] = Read("view", "expanded")  # type: ignore[assignment]
    colour_by: str = Read("view", "colour_by")  # type: ignore[assignment]
    weights_choice: str = Read("weights", "choice")  # type: ignore[assignment]
    weights_info: WeightsInfo | None = Read("weights", "info")  # type: ignore[assignment]
    normalize: str | None = Read("weights", "normalize")  # type: ignore[assignment]
    images: list[LoadedImage] = Read("images_state", "items")  # type: ignore[assignment]
    image_index: int = Read("images_state", "index")  # type: ignore[assignment]
    compare_index: int = Read("images_state", "compare_index")  # type: ignore[assignment]
    image: LoadedImage | None = Read("images_state", "current")  # type: ignore[assignment]
    compare_image: LoadedImage | None = Read("images_state", "compare")  # type: ignore[assignment]
    device: str = Read("run", "device")  # type: ignore[assignment]
    precision: str = Read("run", "precision")  # type: ignore[assignment]
    ray: str | None = Read("run", "ray")  # type: ignore[assignment]
    result: RunResult | None = Read("run", "result")  # type: ignore[assignment]
    run_generation: int = Read("run", "generation")  # type: ignore[assignment]
    deleted: frozenset[str] = Read("deletions", "deleted")  # type: ignore[assignment]
    fused: bool = Read("fusion", "fused")  # type: ignore[assignment]
    fusion_report: Any = Read("fusion", "report")  # type: ignore[assignment]
    unfused_analysis: Analysis | None = Read("fusion", "unfused_analysis")  # type: ignore[assignment]

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
