"""The figures of the last fusion, in a panel beside the graph (the window docks it).

One quantity a row, before -> after and the change under its name, so that it reads in a
narrow dock at 1280x720; the rows are :meth:`explorer.app.workflows.fuse.FuseOutcome.rows`,
the same figures as ``cnn-explorer fuse``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from explorer.app.workflows.fuse import KINDS
from explorer.ui.i18n import QT_TRANSLATE_NOOP, translate

EMPTY = QT_TRANSLATE_NOOP(
    "FusionResults",
    "No fusion yet. <b>Fuse for deployment</b> (toolbar, or Model menu) merges a RepVGG "
    "block's three branches into one 3x3 conv, or folds each BatchNorm into its conv; the "
    "check, the speed and the counts appear here.",
)
#: the core's words in the results (FuseOutcome's rows, kinds, summary and notes)
WORDS = (
    QT_TRANSLATE_NOOP("FusionResults", "parameters"),
    QT_TRANSLATE_NOOP("FusionResults", "MACs"),
    QT_TRANSLATE_NOOP("FusionResults", "graph nodes"),
    QT_TRANSLATE_NOOP("FusionResults", "convolutions"),
    QT_TRANSLATE_NOOP("FusionResults", "BatchNorms"),
    QT_TRANSLATE_NOOP("FusionResults", "blocks fused"),
    QT_TRANSLATE_NOOP("FusionResults", "BatchNorms folded"),
    QT_TRANSLATE_NOOP("FusionResults", "max |difference|"),
    QT_TRANSLATE_NOOP("FusionResults", "max relative difference"),
    QT_TRANSLATE_NOOP("FusionResults", "on seeded noise"),
    QT_TRANSLATE_NOOP("FusionResults", "of the output scale"),
    QT_TRANSLATE_NOOP("FusionResults", "RepVGG re-parameterisation"),
    QT_TRANSLATE_NOOP("FusionResults", "conv-BN folding"),
    QT_TRANSLATE_NOOP(
        "FusionResults",
        "untrained weights: the check and the timing ran on a copy whose BatchNorm "
        "statistics were calibrated on noise (as 'cnn-explorer fuse' does), so that the "
        "check means something; the model shown keeps its own weights",
    ),
)
_LATENCY = re.compile(r"latency \((.+), batch (\d+), median of (\d+)\)")
_SUMMARY = re.compile(r"(\d+) (blocks re-parameterised|BatchNorms folded)")


def words(text: str) -> str:
    """The core's English words of a fusion's results, in the window's language."""
    m = _LATENCY.fullmatch(text)
    if m:
        return translate("FusionResults", "latency ({device}, batch {n}, median of {r})").format(
            device=m.group(1), n=m.group(2), r=m.group(3)
        )
    m = _SUMMARY.fullmatch(text)
    if m:
        what = (
            translate("FusionResults", "{n} blocks re-parameterised")
            if m.group(2).startswith("blocks")
            else translate("FusionResults", "{n} BatchNorms folded")
        )
        return what.format(n=m.group(1))
    return translate("FusionResults", text) if text in WORDS else text


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
        self.title.setText("<b>" + self.tr("Fusion") + "</b>")
        extra = f"<p><i>{html.escape(note)}</i></p>" if note else ""
        self.body.setText(self.tr(EMPTY) + extra)

    def show_outcome(self, out: Any, fused_now: bool = True) -> None:
        """Show a FuseOutcome; ``fused_now`` False: the model shown is the unfused one again."""
        self.outcome = out
        rows = list(out.rows())
        # what a lecture asks first: the same outputs? how much faster? then the counts
        first = ("latency", "max |difference|", "max relative difference")
        self._rows = [r for k in first for r in rows if r[0].startswith(k)]
        self._rows += [r for r in rows if r not in self._rows]
        kind = " + ".join(words(KINDS[k]) for k in out.kind.split("+"))
        state = "" if fused_now else " <i>" + self.tr("(unfused again)") + "</i>"
        self.title.setText(
            f"<b>{html.escape(out.spec.name)}</b>: {html.escape(kind)}{state}"
            f"<br>{html.escape(words(out.report.summary().split('; ')[0]))}"
        )
        parts = []
        for name, before, after, change in self._rows:
            fig = " → ".join(html.escape(x) for x in (before, after) if x)
            change = words(change)
            note = f" <span style='color:#555'>({html.escape(change)})</span>" if change else ""
            parts.append(
                f"<p style='margin:0 0 6px 0'><b>{html.escape(words(name))}</b><br>"
                f"&nbsp;&nbsp;{fig}{note}</p>"
            )
        notes = "".join(f"<p><i>{html.escape(words(n))}</i></p>" for n in out.notes())
        self.body.setText("".join(parts) + notes)

    def rows(self) -> list[list[str]]:
        """(quantity, before, after, change) as shown."""
        return [list(r) for r in self._rows]
