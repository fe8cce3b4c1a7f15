"""What the window shows when it is opened with no model: the lecture's central network
working, and one line of what to try.

``cnn-explorer`` with no argument (and ``--screenshot FILE`` alone) opens
:data:`DEFAULT_MODEL`, the CIFAR-style ResNet-56 the project trained on digits and ships: it
is built in a few milliseconds, its weights are bundled, and its run gives every panel its
figures (a digit is opened with it, as for any digits network).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from explorer.ui.i18n import QT_TRANSLATE_NOOP

#: the network opened at a first launch: the residual network of the lecture's central paper
DEFAULT_MODEL = "resnet56"

#: the one line of what to try
HINT = QT_TRANSLATE_NOOP(
    "HintBar",
    "Try: click a block to see its figures \u00b7 Delete removes it (Ctrl+Z brings it back) "
    "\u00b7 Ctrl+K compares the architectures \u00b7 F5 presentation mode",
)

#: the panels a run fills (the first launch waits for these)
RUN_PANELS = ("Predictions", "Feature maps", "Activation std")


class HintBar(QWidget):
    """A one-line banner above the graph, with a button that closes it."""

    closed = Signal()

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        text = text or self.tr(HINT)
        self.setObjectName("hint_bar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "#hint_bar { background: #fff4c2; border-bottom: 1px solid #d9c36a; }"
            "#hint_bar QLabel { color: #222; }"
        )
        self.label = QLabel(text)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.label.setToolTip(text)
        self.close_button = QToolButton()
        self.close_button.setText("\u00d7")
        self.close_button.setToolTip(self.tr("Hide this hint"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self._on_close)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 2, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.close_button)
        self.hide()

    def _on_close(self) -> None:
        self.hide()
        self.closed.emit()
