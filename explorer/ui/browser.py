"""The model browser: registered models grouped by family, searchable (no torch needed)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from explorer.models.registry import ModelSpec, list_models


class ModelBrowser(QWidget):
    """Emits ``modelChosen(name)`` when a model is activated."""

    modelChosen = Signal(str)  # noqa: N815
    compareChosen = Signal()  # noqa: N815 - the "Compare architectures" entry

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search models...")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Model", "Year"])
        self.tree.setColumnWidth(0, 170)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._populate(list_models())
        self.search.textChanged.connect(self._on_search)
        self.tree.itemActivated.connect(self._on_activated)
        self.tree.itemDoubleClicked.connect(self._on_activated)

    def _populate(self, specs: list[ModelSpec]) -> None:
        groups: dict[tuple[bool, str], QTreeWidgetItem] = {}
        for s in specs:
            key = (s.lecture, s.family)
            if key not in groups:
                label = s.family if s.lecture else f"{s.family} (beyond the lecture)"
                g = QTreeWidgetItem([label, ""])
                g.setFlags(g.flags() & ~Qt.ItemIsSelectable)
                self.tree.addTopLevelItem(g)
                groups[key] = g
            it = QTreeWidgetItem([s.name, str(s.year)])
            it.setData(0, Qt.UserRole, s.name)
            it.setToolTip(0, f"{s.paper} ({s.year})\n{s.description}".strip())
            groups[key].addChild(it)
            self.items[s.name] = it
        self.compare_item = QTreeWidgetItem(["Compare architectures", ""])
        self.compare_item.setToolTip(
            0, "Accuracy against operations, measured speed and compute density (Ctrl+K)"
        )
        f = self.compare_item.font(0)
        f.setItalic(True)
        self.compare_item.setFont(0, f)
        self.tree.addTopLevelItem(self.compare_item)
        self.tree.expandAll()

    def _on_search(self, text: str) -> None:
        t = text.lower().strip()
        for i in range(self.tree.topLevelItemCount()):
            g = self.tree.topLevelItem(i)
            if g is self.compare_item:
                g.setHidden(bool(t) and t not in g.text(0).lower())
                continue
            any_shown = False
            for j in range(g.childCount()):
                c = g.child(j)
                name = c.text(0).lower()
                show = not t or t in name or t in g.text(0).lower() or t in c.toolTip(0).lower()
                c.setHidden(not show)
                any_shown |= show
            g.setHidden(not any_shown)

    def _on_activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        if item is self.compare_item:
            self.compareChosen.emit()
            return
        name = item.data(0, Qt.UserRole)
        if name:
            self.modelChosen.emit(name)

    def mark_current(self, name: str | None) -> None:
        for n, it in self.items.items():
            f = it.font(0)
            f.setBold(n == name)
            it.setFont(0, f)
            if n == name:
                self.tree.setCurrentItem(it)
