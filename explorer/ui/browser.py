"""The model browser: registered models grouped by family, searchable (no torch needed).

A single click opens a network; Enter in the search box opens the best match. Matches are
ranked: the exact name, then names that start with the text, then names that contain it,
then models whose family or description mention it (searching "resnet56" lists resnet56
before plain56, whose description names resnet56).
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.models.registry import ModelSpec, list_models


def natural(name: str) -> tuple:
    """A sort key that reads the numbers in a name as numbers (resnet18 < resnet101)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name.lower()))


class ModelBrowser(QWidget):
    """Emits ``modelChosen(name)`` when a model is activated."""

    modelChosen = Signal(str)  # noqa: N815
    compareChosen = Signal()  # noqa: N815 - the "Compare architectures" entry

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search models... (Enter opens)"))
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Model"), self.tr("Year")])
        self.tree.setColumnWidth(0, 170)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._order: dict[int, list[QTreeWidgetItem]] = {}  # each group's children as listed
        self._last: tuple[str, float] = ("", 0.0)  # the last network opened, and when
        self._populate(list_models())
        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self.open_best)
        # one click opens; a double click (click, click, activation) opens it once
        self.tree.itemClicked.connect(self._on_activated)
        self.tree.itemActivated.connect(self._on_activated)

    def _populate(self, specs: list[ModelSpec]) -> None:
        groups: dict[tuple[bool, str], QTreeWidgetItem] = {}
        for s in specs:
            key = (s.lecture, s.family)
            if key not in groups:
                label = (
                    s.family
                    if s.lecture
                    else self.tr("{family} (beyond the lecture)").format(family=s.family)
                )
                g = QTreeWidgetItem([label, ""])
                g.setFlags(g.flags() & ~Qt.ItemIsSelectable)
                self.tree.addTopLevelItem(g)
                groups[key] = g
            it = QTreeWidgetItem([s.name, str(s.year)])
            it.setData(0, Qt.UserRole, s.name)
            it.setToolTip(0, f"{s.paper} ({s.year})\n{s.description}".strip())
            groups[key].addChild(it)
            self.items[s.name] = it
        self.compare_item = QTreeWidgetItem([self.tr("Compare architectures"), ""])
        self.compare_item.setToolTip(
            0, self.tr("Accuracy against operations, measured speed and compute density (Ctrl+K)")
        )
        f = self.compare_item.font(0)
        f.setItalic(True)
        self.compare_item.setFont(0, f)
        self.tree.addTopLevelItem(self.compare_item)
        self.tree.expandAll()
        self.best: QTreeWidgetItem | None = None

    @staticmethod
    def rank(text: str, name: str, family: str, tooltip: str) -> int | None:
        """How well ``name`` matches ``text`` (lower is better); None for no match."""
        t, n = text.lower().strip(), name.lower()
        if not t:
            return 0
        if n == t:
            return 0
        if n.startswith(t):
            return 1
        if t in n:
            return 2
        if t in family.lower():
            return 3
        if t in tooltip.lower():
            return 4
        return None

    def _on_search(self, text: str) -> None:
        t = text.lower().strip()
        if not hasattr(self, "_groups"):  # the groups and their children as first listed
            self._groups = [
                self.tree.topLevelItem(i)
                for i in range(self.tree.topLevelItemCount())
                if self.tree.topLevelItem(i) is not self.compare_item
            ]
            self._children = {
                id(g): [g.child(j) for j in range(g.childCount())] for g in self._groups
            }
        shown: list[tuple[tuple[int, int], QTreeWidgetItem, list[QTreeWidgetItem]]] = []
        hidden: list[QTreeWidgetItem] = []
        for i, g in enumerate(self._groups):
            ranked = []
            for j, c in enumerate(self._children[id(g)]):
                r = self.rank(t, c.text(0), g.text(0), c.toolTip(0))
                if r is not None:  # ties: resnet18 before resnet101 (numbers read as numbers)
                    ranked.append(((r, natural(c.text(0)) if t else (), j), c))
            ranked.sort(key=lambda x: x[0])
            if ranked:
                shown.append(((ranked[0][0][0] if t else 0, i), g, [c for _k, c in ranked]))
            else:
                hidden.append(g)
        shown.sort(key=lambda x: x[0])  # groups with the best matches first
        # rows taken out and put back: their hidden and expanded states are set afresh
        for g in self._groups:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(g))
            g.takeChildren()
        for k, (_key, g, matches) in enumerate(shown):
            self.tree.insertTopLevelItem(k, g)
            g.addChildren(matches)
            for c in matches:
                c.setHidden(False)
            rest = [c for c in self._children[id(g)] if c not in matches]
            g.addChildren(rest)
            for c in rest:
                c.setHidden(True)
            g.setHidden(False)
            g.setExpanded(True)
        for g in hidden:
            self.tree.insertTopLevelItem(self.tree.topLevelItemCount() - 1, g)
            g.addChildren(self._children[id(g)])
            for c in self._children[id(g)]:
                c.setHidden(True)
            g.setHidden(True)
        self.compare_item.setHidden(bool(t) and t not in self.compare_item.text(0).lower())
        self.best = shown[0][2][0] if shown and t else None
        if self.best is not None:
            self.tree.setCurrentItem(self.best)
            self.tree.scrollToItem(self.best)

    def open_best(self) -> None:
        """Enter in the search box: open the best match (the one highlighted)."""
        if self.best is not None:
            self._on_activated(self.best)
        elif self.compare_item is not None and not self.compare_item.isHidden():
            if self.search.text().strip():
                self._on_activated(self.compare_item)

    def _on_activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        name = "\ncompare" if item is self.compare_item else item.data(0, Qt.UserRole)
        if not name:
            return  # a family's heading
        now = time.monotonic()
        last, when = self._last
        if name == last and now - when < QApplication.doubleClickInterval() / 1000:
            return  # the second half of a double click
        self._last = (name, now)
        if item is self.compare_item:
            self.compareChosen.emit()
        else:
            self.modelChosen.emit(name)

    def mark_current(self, name: str | None) -> None:
        for n, it in self.items.items():
            f = it.font(0)
            f.setBold(n == name)
            it.setFont(0, f)
            if n == name:
                self.tree.setCurrentItem(it)
