"""The evented state that a window shows (Qt-free).

Views subscribe with :meth:`Session.connect` to the events declared in
:class:`explorer.app.events.Event` and change the state only through the session's methods;
the session never calls a view directly. The state itself is split by concern into the typed
records of :mod:`explorer.app.state`.

Fusion swaps the analysis, nothing else: the weights info and the images stay, the deleted
blocks (whose ids belong to the other graph) are cleared with their undo history, and the
results are invalidated. Weights always go to the training-time model: asking for weights
while fused unfuses first (:meth:`Session.request_weights`), and a new model is never fused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from explorer.app.events import Event, EventBus
from explorer.app.state import COLOUR_MODES, FusionState, SessionState
from explorer.errors import ExplorerError, one_line
from explorer.present.layout import GROUP_SEP, opening

__all__ = ["COLOUR_MODES", "Event", "Session"]


class Session(SessionState, EventBus):
    """One window's state (:class:`~explorer.app.state.SessionState`: read it there) and the
    only way to change it: each method changes the parts and emits the events that say so."""

    # -- preprocessing ----------------------------------------------------------------------

    def set_input_size(self, size: int | None) -> None:
        """The user's input size for the next model (None: the model's own)."""
        self.model.input_size = size

    def set_normalize(self, normalize: str | None) -> None:
        """None (as the weights say), ``imagenet``, ``cifar`` or ``none``."""
        if normalize == self.normalize:
            return
        self.weights.normalize = normalize
        self.invalidate()
        self.emit(Event.PREPROCESSING_CHANGED, normalize)

    # -- model ----------------------------------------------------------------------------

    def request_model(self, name: str) -> int:
        """Note that ``name`` is being loaded; returns the request's generation.

        The results shown are the replaced model's: they are dropped at once (a run of it
        still in flight is stale), so that no view shows them under the new model's name.
        The graph, the deletions and the fusion stay until the model arrives (a failed or
        cancelled load keeps them).
        """
        self.model.generation += 1
        self.model.loading = name
        self.invalidate()
        self.emit(Event.MODEL_LOADING, name)
        return self.generation

    def show_preview(self, analysis: Any, generation: int, expanded: Iterable[str]) -> bool:
        """Show the stored graph of the model being loaded (``analysis.built`` is False)
        unless a newer request superseded it. The request stays pending (:attr:`loading`):
        weights, runs, deletions and fusion wait for :meth:`set_analysis`."""
        if generation != self.generation or self.loading is None:
            return False
        self.model.preview = True
        self._install(analysis, expanded, None)
        self.emit(Event.MODEL_PREVIEWED, analysis)
        return True

    def set_analysis(self, analysis: Any, generation: int, expanded: Iterable[str]) -> bool:
        """Install a loaded model unless a newer request superseded it. After a preview of
        the same model, the view the user made of it (open blocks, selection) stays."""
        if generation != self.generation:
            return False
        selected = None
        if self.previewing and self.model_name == analysis.spec.name:
            blocks = analysis.tree.blocks
            expanded = [u for u in self.expanded if u.split(GROUP_SEP)[0] in blocks]
            selected = self.selected if self.selected in blocks else None
        self.model.loading = None
        self.model.preview = False
        self._install(analysis, expanded, selected)
        self.emit(Event.MODEL_CHANGED, analysis)
        return True

    def _install(self, analysis: Any, expanded: Iterable[str], selected: str | None) -> None:
        self.model.analysis = analysis
        self.model.name = analysis.spec.name
        self.view.selected = selected
        self.weights.info = None
        was_fused = self.fused
        self._forget_fusion()
        if was_fused:
            self.emit(Event.FUSED_CHANGED, False, None)
        self._clear_deletions()
        self.view.expanded = frozenset(expanded) | {""}
        self.emit(Event.SELECTION_CHANGED, selected)

    def cancel_request(self) -> None:
        """Drop whatever a model request still delivers; a pending one is said cancelled."""
        self.model.generation += 1
        if self.loading is not None:
            self.model.loading = None
            self.emit(Event.MODEL_CANCELLED)

    def fail(self, name: str, error: BaseException | str, generation: int) -> None:
        """Loading ``name`` failed (said unless a newer request superseded it)."""
        if generation == self.generation:
            self.model.loading = None
            self.emit(Event.MODEL_FAILED, name, _message(error))
            self.report_failure("model", error)

    # -- view state -------------------------------------------------------------------------

    def select(self, block_id: str | None) -> None:
        if self.analysis is not None and block_id is not None:
            blocks = self.analysis.tree.blocks
            if block_id not in blocks and GROUP_SEP in block_id:
                block_id = block_id.split(GROUP_SEP)[0]
            if block_id not in blocks:
                return
        if block_id != self.selected:
            self.view.selected = block_id
            self.emit(Event.SELECTION_CHANGED, block_id)

    def set_expanded(self, expanded: Iterable[str]) -> None:
        new = frozenset(expanded) | {""}
        if new != self.expanded:
            self.view.expanded = new
            self.emit(Event.EXPANDED_CHANGED, new)

    def toggle_expanded(self, unit_id: str) -> None:
        """Open a closed block or group, or close an open one (and everything inside)."""
        if self.analysis is None or unit_id == "":
            return
        blocks = self.analysis.tree.blocks
        if unit_id in self.expanded:
            # the block itself and what is inside it; a sibling group that starts with the
            # block's own id (layer1.0..2) is not inside it
            inside = {
                u
                for u in self.expanded
                if u == unit_id or u.split(GROUP_SEP)[0].startswith(unit_id + ".")
            }
            self.set_expanded(self.expanded - inside)
        elif GROUP_SEP in unit_id:
            self.set_expanded(self.expanded | {unit_id})
        elif unit_id in blocks and not blocks[unit_id].is_leaf:
            # an inception block opens with its branches: columns of layers
            self.set_expanded(self.expanded | opening(self.analysis.tree, unit_id))

    def set_colour_by(self, mode: str) -> None:
        if mode not in COLOUR_MODES:
            raise ValueError(f"colour mode must be one of {COLOUR_MODES}")
        if mode != self.colour_by:
            self.view.colour_by = mode
            self.emit(Event.COLOUR_BY_CHANGED, mode)

    def reveal(self, block_id: str) -> None:
        """Open every ancestor of ``block_id`` so that it shows (a view opens its group)."""
        if self.analysis is None or block_id not in self.analysis.tree.blocks:
            return
        anc = [a for a in self.analysis.tree.ancestors(block_id) if a]
        self.set_expanded(set(self.expanded) | set(anc))

    # -- weights, images, device, results ---------------------------------------------------

    def request_weights(self, choice: str) -> None:
        """Ask for weights; they are for the training-time model, so a fused one is unfused."""
        self.set_unfused()
        self.weights.previous_choice = self.weights.choice
        self.weights.choice = choice
        self.emit(Event.WEIGHTS_REQUESTED, choice)

    def set_weights(self, info: Any) -> None:
        self.weights.info = info
        self.weights.loads += 1
        self.invalidate()
        self.emit(Event.WEIGHTS_CHANGED, info)

    def weights_failed(self, choice: str, error: BaseException | str) -> None:
        """The model keeps its weights; the next model is not offered the refused choice."""
        if self.weights_choice == choice:
            self.weights.choice = self.weights.previous_choice
        self.emit(Event.WEIGHTS_FAILED, choice, _message(error))
        self.report_failure("weights", error)

    def add_images(self, images: Iterable[Any], select: bool = True) -> None:
        """Append images (an image already listed, by source, is not added twice)."""
        known = {im.source: i for i, im in enumerate(self.images)}
        first = None
        for im in images:
            if im.source in known:
                idx = known[im.source]
            else:
                self.images_state.items.append(im)
                idx = known[im.source] = len(self.images) - 1
            first = idx if first is None else first
        if first is not None and (select or self.image_index < 0):
            self.set_image(first)
        else:
            self._images_changed()

    def put_image(self, image: Any) -> None:
        """Show ``image`` in place of the one of the same source (a drawing drawn on), or add
        it; either way it becomes the current image."""
        for i, im in enumerate(self.images):
            if im.source == image.source:
                self.images_state.items[i] = image
                self.set_image(i)
                return
        self.add_images([image])

    def set_image(self, index: int) -> None:
        if not 0 <= index < len(self.images):
            raise IndexError(f"no image {index}")
        self.images_state.index = index
        self.invalidate()
        self._images_changed()

    def set_compare(self, index: int) -> None:
        """The second image (-1 for none)."""
        self.images_state.compare_index = index if 0 <= index < len(self.images) else -1
        self.invalidate()
        self._images_changed()

    def _images_changed(self) -> None:
        self.emit(Event.IMAGES_CHANGED, list(self.images), self.image_index, self.compare_index)

    def set_device(self, device: str, precision: str = "fp32") -> None:
        if (device, precision) != (self.device, self.precision):
            self.run.device, self.run.precision = device, precision
            self.invalidate()
            self.emit(Event.DEVICE_CHANGED, device, precision)

    def set_executor(self, ray: str | None) -> None:
        """Landscapes and sweeps from now on in this process (None), on a local Ray instance
        ("local") or on the Ray cluster at that address; ExecutorError for an address that is
        none. Results already shown stay: they do not depend on where they were computed."""
        from explorer.runtime.executor import check_address

        self.run.ray = None if ray is None else check_address(ray)

    def invalidate(self) -> None:
        """The results shown no longer hold; a run started before now is stale."""
        self.run.generation += 1
        had = self.result is not None
        self.run.result = None
        if had:
            self.emit(Event.RESULTS_INVALIDATED)

    def next_run(self) -> int:
        """A generation for a new run (a newer one supersedes it)."""
        self.run.generation += 1
        return self.run_generation

    def set_result(self, result: Any, generation: int) -> bool:
        if generation != self.run_generation:
            return False
        self.run.result = result
        self.emit(Event.RESULTS_CHANGED, result)
        return True

    def run_failed(self, error: BaseException | str, generation: int) -> None:
        """A run failed (said unless a newer one superseded it). Whatever a forward pass
        raises is the user's model or input failing, as on the command line."""
        if generation == self.run_generation:
            message = _message(error)
            self.emit(Event.RUN_FAILED, message)
            self.report_failure("run", message)

    def report_failure(self, what: str, error: BaseException | str) -> None:
        """Work the user asked for failed: :attr:`Event.FAILED` with the user's line and
        whether the user caused it. A text is a line already made for the user; of an
        exception, a refused input (:class:`~explorer.errors.ExplorerError`) or memory that
        ran out is the user's, anything else a bug."""
        user = isinstance(error, str | ExplorerError | MemoryError)
        self.emit(Event.FAILED, what, _message(error), user)

    # -- deleted blocks -------------------------------------------------------------------------

    def _clear_deletions(self) -> None:
        """Another network: no block deleted, nothing to undo, the results stale. Views that
        showed deletions (the status bar's count, Undo) are told."""
        had = bool(self.deletions.deleted or self.deletions.undo or self.deletions.redo)
        self.deletions.deleted = frozenset()
        self.deletions.undo.clear()
        self.deletions.redo.clear()
        self.invalidate()
        if had:
            self.emit(Event.DELETED_CHANGED, frozenset())

    def set_deleted(self, blocks: Iterable[str], undoable: bool = True) -> None:
        """The blocks deleted from the network (the caller has checked they can be)."""
        new = frozenset(blocks)
        if new == self.deleted:
            return
        if undoable:
            self.deletions.undo.append(self.deleted)
            self.deletions.redo.clear()
        self.deletions.deleted = new
        self.invalidate()
        self.emit(Event.DELETED_CHANGED, new)

    def toggle_deleted(self, block_id: str) -> frozenset[str]:
        """Delete ``block_id``, or restore it; returns the new set."""
        self.set_deleted(self.deleted ^ {block_id})
        return self.deleted

    def restore_all(self) -> None:
        self.set_deleted(())

    def undo(self) -> None:
        if self.deletions.undo:
            self.deletions.redo.append(self.deleted)
            self.set_deleted(self.deletions.undo.pop(), undoable=False)

    def redo(self) -> None:
        if self.deletions.redo:
            self.deletions.undo.append(self.deleted)
            self.set_deleted(self.deletions.redo.pop(), undoable=False)

    # -- fusion -----------------------------------------------------------------------------------

    def set_fused(self, analysis: Any, report: Any) -> None:
        """Show ``analysis``, a fused copy of the current model, in place of the model.

        The weights info, images, device and selection (where the block still exists) stay;
        the deleted blocks and their undo history are cleared; the fused blocks are drawn
        closed (one box each). Fusing a fused model replaces the fused analysis and keeps
        the training-time one.
        """
        if self.analysis is None:
            raise ValueError("no model to fuse")
        if not self.fused:
            self.fusion.unfused_analysis = self.analysis
            self.fusion.open_before = self.expanded
        fused_ids = set(getattr(report, "blocks_fused", ()) or ())
        self.fusion.fused, self.fusion.report = True, report
        self._swap(analysis, closed=fused_ids)
        self.emit(Event.FUSED_CHANGED, True, report)

    def set_unfused(self) -> None:
        """Back to the training-time model (a no-op when not fused)."""
        if not self.fused:
            return
        analysis = self.unfused_analysis
        fused = tuple(getattr(self.fusion_report, "blocks_fused", ()) or ())
        reopen = {
            u
            for u in self.fusion.open_before
            for b in [u.split(GROUP_SEP)[0]]
            if any(b == q or b.startswith(q + ".") for q in fused)
        }
        self._forget_fusion()
        self._swap(analysis, reopen=reopen)
        self.emit(Event.FUSED_CHANGED, False, None)

    def _forget_fusion(self) -> None:
        self.fusion = FusionState()

    def _swap(self, analysis: Any, closed: Iterable[str] = (), reopen: Iterable[str] = ()) -> None:
        self.model.analysis = analysis
        blocks = analysis.tree.blocks
        closed = set(closed)

        def valid(u: str) -> bool:
            b = u.split(GROUP_SEP)[0]
            return u == "" or (b in blocks and (GROUP_SEP in u or not blocks[u].is_leaf))

        # what was open stays open where it still exists; blocks that were fused close, and
        # those that unfuse open again as they were before the fusion
        self.view.expanded = frozenset(
            u for u in (*self.expanded, *reopen) if valid(u) and u not in closed
        ) | {""}
        lost = self.selected is not None and self.selected not in blocks
        if lost:
            self.view.selected = None
        self._clear_deletions()
        self.emit(Event.ANALYSIS_SWAPPED, analysis)
        if lost:
            self.emit(Event.SELECTION_CHANGED, None)


def _message(error: BaseException | str) -> str:
    return error if isinstance(error, str) else one_line(error)
