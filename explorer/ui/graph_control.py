"""The block graph's interactions: layout, opening and closing, selection, deletion, find,
export. Qt wiring only; what is drawn is computed by :mod:`explorer.present.layout` and what
a deletion means by :mod:`explorer.studies.lesion.surgery`.

The control gets the session, the graph view, the inspector and a status outlet, never the
window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from explorer.app.events import Event
from explorer.app.session import Session
from explorer.present.layout import (
    GROUP_SEP,
    Layout,
    compute_layout,
    default_expanded,
    expand_all,
)
from explorer.present.wrap import wrap_layout
from explorer.ui.export import DEFAULT_SIZE, save_graph


class GraphControl(QObject):
    """Wires the graph view and the inspector to the session."""

    panelRequested = Signal(str)  # noqa: N815 - "Show feature maps" from a block's menu

    def __init__(
        self,
        session: Session,
        graph: Any,
        inspector: Any,
        status: Callable[[str], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.session = session
        self.graph = graph
        self.inspector = inspector
        self.status = status
        self.layout_data: Layout | None = None
        self.fold = True  # norm/act after a conv drawn as marks of its box (not as boxes)
        self._focus: str | None = None  # a block to keep in view when the layout changes
        self._find_hits: list[str] = []
        self._find_pos = 0
        graph.blockClicked.connect(self._on_block_clicked)
        # queued: expanding rebuilds the scene, which must not happen inside the item's handler
        graph.blockDoubleClicked.connect(
            self._on_block_double_clicked, Qt.ConnectionType.QueuedConnection
        )
        graph.blockContextMenu.connect(self._on_block_context_menu)
        graph.viewResized.connect(self._on_view_resized)
        inspector.deleted_box.toggled.connect(lambda _c: self.toggle_deleted())
        s = session
        s.connect(Event.SELECTION_CHANGED, self._on_selection_changed)
        s.connect(Event.EXPANDED_CHANGED, lambda _e: self.relayout())
        s.connect(Event.COLOUR_BY_CHANGED, lambda _m: self.relayout())
        s.connect(Event.DELETED_CHANGED, self._on_deleted_changed)
        s.connect(Event.ANALYSIS_SWAPPED, self._on_analysis_swapped)

    def _on_analysis_swapped(self, analysis: Any) -> None:
        """Fused or unfused: the same model drawn from its other analysis."""
        self.relayout()
        self.inspector.show_block(analysis, self.session.selected)
        self._on_deleted_changed(self.session.deleted)

    def relayout(self, fit: bool = False) -> None:
        an = self.session.analysis
        if an is None:
            return
        center = self.graph.mapToScene(self.graph.viewport().rect().center())
        transform = self.graph.transform()
        self.layout_data = self.wrapped(
            compute_layout(an.tree, self.session.expanded, fold=self.fold)
        )
        self.graph.show_layout(self.layout_data, an.tree.blocks, self.session.colour_by)
        self.graph.set_deleted(self.session.deleted)
        sel = self.session.selected
        self.graph.set_selected(self.graph.unit_for_block(sel) if sel is not None else None)
        if fit:
            self.graph.readable_fit()
        else:  # keep the user's zoom and place
            self.graph.setTransform(transform)
            self.graph.centerOn(center)
            # the block just opened or closed may have moved to another column: follow it
            focus, self._focus = self._focus, None
            unit = self.graph.unit_for_block(focus.partition(GROUP_SEP)[0]) if focus else None
            if unit is not None and not self.graph.unit_visible(unit):
                self.graph.center_on_unit(unit)

    def wrapped(self, lay: Layout) -> Layout:
        """``lay`` wrapped into columns for the graph view's current size."""
        w, h = self.graph.graph_area()
        self.graph.laid_out_for_this_size()
        return wrap_layout(lay, w / h, view_px=(w, h), enough_px=20.0 / self.graph.style.scale)

    def set_fold(self, fold: bool) -> None:
        """Norms and activations as marks inside their conv's box (True) or boxes (False)."""
        if fold != self.fold:
            self.fold = fold
            self.relayout(fit=True)

    def _on_view_resized(self) -> None:
        """The view's shape changed: wrap again for it, then show the whole graph."""
        if self.session.analysis is not None and self.layout_data is not None:
            self.relayout(fit=True)

    def expand_all(self) -> None:
        an = self.session.analysis
        if an is not None:
            lay = compute_layout(an.tree, expand_all(an.tree))
            groups = {b.id for b in lay.boxes.values() if b.count > 1}
            self.session.set_expanded(expand_all(an.tree) | groups)

    def collapse_to_depth(self, depth: int) -> None:
        an = self.session.analysis
        if an is None:
            return
        from explorer.present.layout import expand_to_depth

        self.session.set_expanded(expand_to_depth(an.tree, depth))

    def default_view(self) -> None:
        an = self.session.analysis
        if an is not None:
            self.session.set_expanded(default_expanded(an.tree))
            self.graph.fit()

    def _on_block_clicked(self, unit_id: str) -> None:
        self.session.select(unit_id or None)

    def _on_block_double_clicked(self, unit_id: str) -> None:
        self._focus = unit_id
        self.session.toggle_expanded(unit_id)

    def block_menu(self, unit_id: str) -> QMenu:
        """The right-click menu of a drawn box."""
        menu = QMenu(self.graph)
        item = self.graph.boxes.get(unit_id)
        self.session.select(unit_id)
        if item is not None and (item.box.open or item.box.count > 1 or not item.block.is_leaf):
            label = self.tr("Collapse") if item.box.open else self.tr("Expand")
            menu.addAction(label, lambda: self.session.toggle_expanded(unit_id))
        block_id = item.box.block if item is not None else unit_id
        why = self.deletion_problem(block_id)
        deleted = block_id in self.session.deleted
        act = menu.addAction(
            self.tr("Restore block") if deleted else self.tr("Delete block"),
            lambda: self.toggle_deleted(block_id),
        )
        act.setShortcut(QKeySequence.Delete)
        act.setEnabled(deleted or why is None)
        if why is not None and not deleted:
            act.setText(
                self.tr("Delete block (not possible: {why})").format(why=why.split(": ", 1)[-1])
            )
        menu.addAction(
            self.tr("Show feature maps"), lambda: self.panelRequested.emit("Feature maps")
        )
        menu.addAction(
            self.tr("Copy qualname"), lambda: QGuiApplication.clipboard().setText(block_id)
        )
        menu.addAction(self.tr("Fit"), self.graph.fit)
        return menu

    # -- deleting blocks -----------------------------------------------------------------------

    def deletion_problem(self, block_id: str) -> str | None:
        """Why ``block_id`` cannot be deleted, or None."""
        an = self.session.analysis
        if an is None:
            return self.tr("no model")
        if not an.built:  # its stored graph is drawn: deleting waits for the model
            return self.tr("{model} is still loading").format(model=an.spec.name)
        from explorer.studies.lesion.surgery import LesionError, plan_deletion

        try:
            plan_deletion(an, block_id)
        except LesionError as exc:
            return str(exc)
        return None

    def toggle_deleted(self, block_id: str | None = None) -> bool:
        """Delete the block (the selected one by default), or restore it; False if refused."""
        block_id = self.session.selected if block_id is None else block_id
        if block_id is None:
            self.status(self.tr("Select a block to delete it"))
            return False
        if block_id not in self.session.deleted:
            why = self.deletion_problem(block_id)
            if why is not None:
                self.status(self.tr("Cannot delete: {why}").format(why=why))
                self.inspector.show_deleted(False, False, why)
                return False
        unit = self.graph.unit_for_block(block_id)
        if unit is not None and unit != block_id and GROUP_SEP in unit:
            # a deleted block no longer looks like its neighbours: show it on its own
            self.session.set_expanded(self.session.expanded | {unit})
        self.session.toggle_deleted(block_id)
        return True

    def _on_deleted_changed(self, deleted: frozenset[str]) -> None:
        self.graph.set_deleted(deleted)
        self.show_deleted_state(self.session.selected)

    def show_deleted_state(self, block_id: str | None) -> None:
        if block_id is None or self.session.analysis is None:
            self.inspector.show_deleted(False, False)
            return
        deleted = block_id in self.session.deleted
        why = None if deleted else self.deletion_problem(block_id)
        self.inspector.show_deleted(deleted or why is None, deleted, why or "")

    def _on_block_context_menu(self, unit_id: str, pos: QPoint) -> None:
        self.block_menu(unit_id).popup(pos)

    def _on_selection_changed(self, block_id: str | None) -> None:
        self.inspector.show_block(self.session.analysis, block_id)
        self.show_deleted_state(block_id)
        unit = self.graph.unit_for_block(block_id) if block_id is not None else None
        self.graph.set_selected(unit)

    def select_block(self, block_id: str, zoom: bool = False) -> bool:
        """Select a block by qualname, opening what hides it, and centre it (with ``zoom``,
        close enough to read it: Find); True if it exists."""
        an = self.session.analysis
        if an is None or block_id not in an.tree.blocks:
            return False
        self.session.reveal(block_id)  # opening its ancestors also breaks up their groups
        self.session.select(block_id)
        unit = self.graph.unit_for_block(block_id)
        if unit is not None and zoom:
            self.graph.zoom_to_unit(unit)
        elif unit is not None:
            self.graph.center_on_unit(unit)
        return True

    def find(self, text: str) -> None:
        """Select the next block whose qualname contains ``text`` (an exact name first)."""
        text = text.strip()
        if not text:
            return
        hits = list(self.session.find(text))
        if not hits:
            self.status(self.tr("No block matches '{text}'").format(text=text))
            return
        if text in hits:  # an exact name first, then the others in order
            hits.remove(text)
            hits.insert(0, text)
        if hits != self._find_hits:
            self._find_hits, self._find_pos = hits, 0
        else:
            self._find_pos = (self._find_pos + 1) % len(hits)
        self.select_block(hits[self._find_pos], zoom=True)
        self.status(
            self.tr("'{text}': match {i} of {n}").format(
                text=text, i=self._find_pos + 1, n=len(hits)
            )
        )

    def export_dialog(self, fmt: str) -> None:
        """Ask where and at what size, then save the graph as ``fmt`` (png, svg or pdf)."""
        if self.layout_data is None:
            self.status(self.tr("Nothing to export yet"))
            return
        size = self.ask_size()
        if size is None:
            return
        name = self.session.model_name or "graph"
        filters = "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"
        first = {"png": "PNG (*.png)", "svg": "SVG (*.svg)", "pdf": "PDF (*.pdf)"}.get(fmt, "")
        path, chosen = QFileDialog.getSaveFileName(
            self.graph.window(),
            self.tr("Export graph"),
            str(Path.home() / f"{name}.{fmt}"),
            filters,
            first,
        )
        if path:
            if "." not in Path(path).name:
                path += "." + (chosen.split("*.")[-1].rstrip(")") if chosen else fmt)
            self.export(path, size)

    def ask_size(self) -> tuple[int, int] | None:
        """The figure's size in pixels, asked in a small dialog (16:9 first); None if cancelled."""
        from PySide6.QtWidgets import QInputDialog

        sizes = [
            "1920x1080 (16:9)",
            "1280x720 (16:9)",
            "3840x2160 (16:9, 4K)",
            "1600x1200 (4:3)",
        ]
        text, ok = QInputDialog.getItem(
            self.graph.window(),
            self.tr("Export graph"),
            self.tr("Size in pixels (WxH):"),
            sizes,
            0,
            True,
        )
        if not ok:
            return None
        from explorer.app.argtypes import figure_fits, wxh

        try:
            w, h = wxh((text.split() or [""])[0])  # "1920x1080 (16:9)": its first word
        except ValueError:
            self.status(
                self.tr("Not a size: '{text}' (expected WxH such as 1920x1080)").format(text=text)
            )
            return None
        if not figure_fits(w, h):
            self.status(
                self.tr("The size must be between 160x90 and 8192x8192, not {w}x{h}").format(
                    w=w, h=h
                )
            )
            return None
        return w, h

    def export(self, path: str, size: tuple[int, int] = DEFAULT_SIZE) -> None:
        """Save the graph as the window shows it (what is open), wrapped and fitted to
        ``size``, with the model's name and a legend: PNG, SVG or PDF by the suffix."""
        an = self.session.analysis
        if an is None or self.layout_data is None:
            raise RuntimeError("no graph to export")
        lay = compute_layout(an.tree, self.session.expanded, fold=self.fold)
        try:
            save_graph(
                lay,
                an.tree.blocks,
                path,
                size,
                title=an.spec.name,
                colour_by=self.session.colour_by,
            )
        except OSError as exc:
            QMessageBox.warning(
                self.graph.window(),
                self.tr("Export failed"),
                self.tr("Could not write {path}:\n{error}").format(path=path, error=exc),
            )
            return
        self.status(self.tr("Saved {path} ({w}x{h})").format(path=path, w=size[0], h=size[1]))
