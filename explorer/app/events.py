"""The session's events, declared: connecting a misspelt one is an error, not silence.

Each is emitted with the arguments noted beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from enum import Enum
from typing import Any


class Event(Enum):
    MODEL_LOADING = "model_loading"  # (name): a model was asked for
    # (analysis): the stored graph of the model asked for is shown while the model loads
    # (analysis.built False); MODEL_CHANGED follows with the built one, or MODEL_FAILED
    MODEL_PREVIEWED = "model_previewed"
    MODEL_CHANGED = "model_changed"  # (analysis): a new model is ready (graph and blocks)
    MODEL_FAILED = "model_failed"  # (name, message): building or tracing failed; the last stays
    MODEL_CANCELLED = "model_cancelled"  # (): the pending request was cancelled
    SELECTION_CHANGED = "selection_changed"  # (block id or None)
    EXPANDED_CHANGED = "expanded_changed"  # (frozenset): which blocks are drawn open
    COLOUR_BY_CHANGED = "colour_by_changed"  # ("kind", "params" or "macs")
    WEIGHTS_REQUESTED = "weights_requested"  # (choice): auto, pretrained, random, a file ...
    WEIGHTS_CHANGED = "weights_changed"  # (info): the model now holds them
    WEIGHTS_FAILED = "weights_failed"  # (choice, message): the model kept its weights
    IMAGES_CHANGED = "images_changed"  # (images, index, compare index)
    DEVICE_CHANGED = "device_changed"  # (device, precision)
    PREPROCESSING_CHANGED = "preprocessing_changed"  # (normalisation): what the network sees
    # the last run's results no longer describe the model (new model, weights, image, device)
    RESULTS_INVALIDATED = "results_invalidated"  # ()
    RESULTS_CHANGED = "results_changed"  # (result): a run's results arrived
    RUN_FAILED = "run_failed"  # (message)
    DELETED_CHANGED = "deleted_changed"  # (frozenset): the blocks deleted (undoable)
    # the same model, weights and images, another Analysis of it (fused, or back): views
    # redraw the graph and run again; nothing is rebuilt or reloaded
    ANALYSIS_SWAPPED = "analysis_swapped"  # (analysis)
    FUSED_CHANGED = "fused_changed"  # (fused, FusionReport or None)
    # work the user asked for failed (its own event, if any, says what that does to the
    # state): what ("model", "weights", "run", "accuracy", "sweep", "fusion"), the user's
    # line, and whether the user caused it (a refused input: a scripted run exits 2) or it
    # is a bug (exit 1)
    FAILED = "failed"  # (what, message, user)


class EventBus:
    """Handlers by declared event; ``emit`` calls them in the order they connected."""

    def __init__(self) -> None:
        self._handlers: dict[Event, list[Callable[..., Any]]] = defaultdict(list)

    def connect(self, event: Event, handler: Callable[..., Any]) -> None:
        if not isinstance(event, Event):
            raise TypeError(f"not a session event: {event!r}")
        self._handlers[event].append(handler)

    def emit(self, event: Event, *args: Any) -> None:
        if not isinstance(event, Event):
            raise TypeError(f"not a session event: {event!r}")
        for h in list(self._handlers[event]):
            h(*args)
