"""The figures of the last fusion, in a panel beside the graph (the window docks it).

One quantity a row, before -> after and the change under its name, so that it reads in a
narrow dock at 1280x720; the rows are :meth:`explorer.app.workflows.fuse.FuseOutcome.rows`,
the same figures as ``cnn-explorer fuse``.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from explorer.app.workflows.fuse import KINDS

EMPTY = (
    "No fusion yet. <b>Fuse for deployment</b> (toolbar, or Model menu) merges a RepVGG "
    "block's three branches into one 3x3 conv, or folds each BatchNorm into its conv; the "
    "check, the speed and the counts appear here."
)


class FusionResults(QWidget):
    """Before and after of the last fusion: parameters, MACs, convs, speed, the check."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fusionResults")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.body)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._rows: list[tuple[str, str, str, str]] = []
        self.outcome: Any = None
        self.clear()

    def clear(self, note: str = "") -> None:
        """No results: what the panel is for (and ``note``, e.g. a fusion that failed)."""
        self.outcome, self._rows = None, []
        self.title.setText("<b>Fusion</b>")
        extra = f"<p><i>{html.escape(note)}</i></p>" if note else ""
        self.body.setText(EMPTY + extra)

    def show_outcome(self, out: Any, fused_now: bool = True) -> None:
        """Show a FuseOutcome; ``fused_now`` False: the model shown is the unfused one again."""
        self.outcome = out
        rows = list(out.rows())
        # what a lecture asks first: the same outputs? how much faster? then the counts
        first = ("latency", "max |difference|", "max relative difference")
        self._rows = [r for k in first for r in rows if r[0].startswith(k)]
        self._rows += [r for r in rows if r not in self._rows]
        kind = " + ".join(KINDS[k] for k in out.kind.split("+"))
        state = "" if fused_now else " <i>(unfused again)</i>"
        self.title.setText(
            f"<b>{html.escape(out.spec.name)}</b>: {html.escape(kind)}{state}"
            f"<br>{html.escape(out.report.summary().split('; ')[0])}"
        )
        parts = []
        for name, before, after, change in self._rows:
            fig = " → ".join(html.escape(x) for x in (before, after) if x)
            note = f" <span style='color:#555'>({html.escape(change)})</span>" if change else ""
            parts.append(
                f"<p style='margin:0 0 6px 0'><b>{html.escape(name)}</b><br>"
                f"&nbsp;&nbsp;{fig}{note}</p>"
            )
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in out.notes())
        self.body.setText("".join(parts) + notes)

    def rows(self) -> list[list[str]]:
        """(quantity, before, after, change) as shown."""
        return [list(r) for r in self._rows]
