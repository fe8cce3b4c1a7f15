"""The inspector: the numbers of the selected block, as ``summary --json`` gives them."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.graph.blocks import block_to_dict
from explorer.graph.conventions import count_block, cumulative_rows, headline
from explorer.graph.labels import block_label
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate
from explorer.ui.label_words import kind_name, label_text


def inspector_rows(analysis: Any, block_id: str) -> list[tuple[str, str]]:
    """(field, value) rows shown for a block: the same figures as the summary JSON."""
    tree = analysis.tree
    b = tree.blocks[block_id]
    d = block_to_dict(b)
    total_p = max(analysis.graph.total_params, 1)
    total_m = max(analysis.graph.total_macs, 1)
    own = analysis.graph.param_owner_numel.get(block_id, 0) if not b.is_leaf else d["params"]
    rows = [
        ("layer", label_text(block_label(tree, block_id)) if b.executed else "-"),
        ("qualname", d["id"] or "(model)"),
        ("type", d["type"]),
        ("kind", kind_name(d["kind"])),
    ]
    if d["shortcut"]:
        rows.append(("shortcut", d["shortcut"]))
    if d["branches"]:
        rows.append(("branches", str(d["branches"])))
    if d["traits"] and d["traits"] != [d["kind"]]:
        rows.append(("contains", ", ".join(d["traits"])))
    rows += [
        ("input", "; ".join("x".join(map(str, s[1:])) for s in d["in_shapes"]) or "-"),
        ("output", "x".join(map(str, d["out_shape"][1:])) if d["out_shape"] else NOT_RUN),
        ("params", f"{d['params']:,} ({d['params'] / total_p:.1%})"),
        ("params (own)", f"{own:,}"),
        ("MACs", f"{d['macs']:,} ({d['macs'] / total_m:.1%})"),
    ]
    if d["rf"] is not None:
        rows.append(
            (
                "receptive field",
                translate("Inspector", "{rf} px, stride {stride}").format(
                    rf=d["rf"], stride=d["rf_stride"]
                ),
            )
        )
    for k, v in (d.get("hparams") or {}).items():
        rows.append((k, "x".join(map(str, v)) if isinstance(v, list) else str(v)))
    if not b.executed:
        rows.append(("note", translate("Inspector", "not part of the inference graph")))
    return rows


def convention_rows(analysis: Any, block_id: str) -> tuple[str, list[tuple[str, str]]]:
    """A headline and the block's MACs with each category of operation added, then 2 x MACs
    (from :mod:`explorer.graph.conventions`); nothing for a block that did not run."""
    b = analysis.tree.blocks[block_id]
    if not b.executed or not b.nodes:
        return "", []
    counts = count_block(analysis.tree, block_id)
    return headline(counts), cumulative_rows(counts)


COUNTS_HEADER = "operations"
#: a residual block's shortcut (the core's words)
SHORTCUTS = (
    QT_TRANSLATE_NOOP("Inspector", "identity"),
    QT_TRANSLATE_NOOP("Inspector", "projection"),
    QT_TRANSLATE_NOOP("Inspector", "parameter-free"),
)
#: the words of the operation counts' rows (explorer.graph.conventions)
COUNT_WORDS = (
    QT_TRANSLATE_NOOP("Inspector", "all kinds"),
    QT_TRANSLATE_NOOP("Inspector", "MACs (weights)"),
    QT_TRANSLATE_NOOP("Inspector", "biases"),
    QT_TRANSLATE_NOOP("Inspector", "norms"),
    QT_TRANSLATE_NOOP("Inspector", "activations"),
    QT_TRANSLATE_NOOP("Inspector", "pooling"),
    QT_TRANSLATE_NOOP("Inspector", "additions"),
    QT_TRANSLATE_NOOP("Inspector", "weights"),
)
_COUNT_WORD = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(w) for w in sorted(COUNT_WORDS, key=len, reverse=True))
    + r")(?!\w)"
)


def _counts_words(text: str) -> str:
    """A row of the operation counts (``+ norms``, ``4.12 G, all kinds``) translated."""
    return _COUNT_WORD.sub(lambda m: translate("Inspector", m.group(1)), text)


NOT_RUN = QT_TRANSLATE_NOOP("Inspector", "(not run)")
#: the rows' names, for the catalogue (the rows stay keyed by them in English)
ROW_NAMES = (
    QT_TRANSLATE_NOOP("Inspector", "layer"),
    QT_TRANSLATE_NOOP("Inspector", "qualname"),
    QT_TRANSLATE_NOOP("Inspector", "type"),
    QT_TRANSLATE_NOOP("Inspector", "kind"),
    QT_TRANSLATE_NOOP("Inspector", "shortcut"),
    QT_TRANSLATE_NOOP("Inspector", "branches"),
    QT_TRANSLATE_NOOP("Inspector", "contains"),
    QT_TRANSLATE_NOOP("Inspector", "input"),
    QT_TRANSLATE_NOOP("Inspector", "output"),
    QT_TRANSLATE_NOOP("Inspector", "params"),
    QT_TRANSLATE_NOOP("Inspector", "params (own)"),
    QT_TRANSLATE_NOOP("Inspector", "MACs"),
    QT_TRANSLATE_NOOP("Inspector", "receptive field"),
    QT_TRANSLATE_NOOP("Inspector", "note"),
    QT_TRANSLATE_NOOP("Inspector", "operations"),
)


class Inspector(QWidget):
    """A two-column table of the selected block's figures."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(self.tr("No block selected"))
        self.title.setStyleSheet("font-weight: bold; padding: 2px;")
        self.title.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setColumnCount(2)
        self.table.setHeaderLabels(["", ""])
        self.table.setHeaderHidden(True)
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QTreeWidget.NoSelection)
        self.table.setIndentation(10)
        self.table.itemClicked.connect(self._on_item_clicked)
        self._counts_open = False
        self.footer = QLabel(
            self.tr(
                "Params: unique parameters, the block's own and its children's; % of the "
                "model. MACs: multiply-accumulates of weights per image; 'operations' adds "
                "norms, activations, pooling and additions one by one (summary --conventions "
                "names each counter's). Receptive field: input pixels one output value sees "
                "(first spatial axis)."
            )
        )
        self.footer.setWordWrap(True)
        self.deleted_box = QCheckBox(self.tr("deleted (Delete key)"))
        self.deleted_box.setToolTip(
            self.tr(
                "Delete this block from the network: a residual branch is removed and its "
                "shortcut kept; an inception or RepVGG branch is removed; an SE gate is fixed "
                "to 1; a highway layer only carries; other layers become the identity where "
                "shapes allow."
            )
        )
        self.deleted_box.setEnabled(False)
        self.footer.setStyleSheet("color: #666; font-size: 10px;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.deleted_box)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.footer)
        self.rows: dict[str, str] = {}

    def show_deleted(self, enabled: bool, checked: bool, why: str = "") -> None:
        blocker = self.deleted_box.blockSignals(True)
        self.deleted_box.setEnabled(enabled)
        self.deleted_box.setChecked(checked)
        self.deleted_box.setToolTip(why or self.deleted_box.toolTip())
        self.deleted_box.blockSignals(blocker)

    def show_block(self, analysis: Any, block_id: str | None) -> None:
        self.table.clear()
        self.rows = {}
        if analysis is None or block_id is None or block_id not in analysis.tree.blocks:
            self.title.setText(
                self.tr("No block selected") if analysis is not None else self.tr("No model")
            )
            return
        self.title.setText(
            block_id or self.tr("{model} (whole model)").format(model=analysis.spec.name)
        )
        for key, value in inspector_rows(analysis, block_id):
            shown = translate("Inspector", key) if key in ROW_NAMES else key
            if value == NOT_RUN or (key == "shortcut" and value in SHORTCUTS):
                value = translate("Inspector", value)
            item = QTreeWidgetItem([shown, value])
            item.setTextAlignment(0, Qt.AlignLeft | Qt.AlignVCenter)
            item.setToolTip(1, value)
            self.table.addTopLevelItem(item)
            self.rows[key] = value
        line, counts = convention_rows(analysis, block_id)
        if counts:
            # collapsed under one row (click to open) so the inspector stays short at 1280x720
            line = _counts_words(line)
            head = QTreeWidgetItem([translate("Inspector", COUNTS_HEADER) + " \u25b8", line])
            head.setToolTip(
                0, self.tr("click: MACs with norms, activations, pooling and additions")
            )
            for key, value in counts:
                child = QTreeWidgetItem([_counts_words(key), _counts_words(value)])
                child.setToolTip(1, value)
                head.addChild(child)
                self.rows[key] = value
            keys = list(self.rows)
            at = keys.index("MACs") + 1 if "MACs" in keys else len(keys)
            self.table.insertTopLevelItem(at, head)  # right under the weights' MACs
            self.rows[COUNTS_HEADER] = line
            self._show_open(head, self._counts_open)
        self.table.resizeColumnToContents(0)

    def _on_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.childCount():
            self._counts_open = not item.isExpanded()
            self._show_open(item, self._counts_open)

    def _show_open(self, item: QTreeWidgetItem, open_: bool) -> None:
        item.setExpanded(open_)
        item.setText(0, translate("Inspector", COUNTS_HEADER) + (" \u25be" if open_ else " \u25b8"))
        self.table.resizeColumnToContents(0)  # the open rows' labels are the longest
