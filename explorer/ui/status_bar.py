"""The status bar: one message line, a model's loading progress with Cancel, and the standing
figures (the model's counts, weights, deleted blocks, device, last latency).

It follows the session's events and the run control's signals; the controllers write to it
only through :meth:`StatusBar.say`, the status outlet they get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from explorer.app.events import Event
from explorer.app.jobs import Progress
from explorer.app.session import Session
from explorer.ui import core_words
from explorer.ui.i18n import integer, number, translate

RED = "#c0392b"


def weights_warnings(info: Any) -> tuple[str, ...]:
    """What the weights' loader warns of (NaN or infinite tensors ...); none if it says none."""
    return tuple(getattr(info, "warnings", None) or ())


def info_text(analysis: Any, fused: bool, compact: bool = False) -> str:
    """The model's standing figures: parameters, GMACs, input, how it was traced (``compact``:
    the counts alone, for presentation mode)."""
    mg = analysis.graph
    if compact:
        return translate("StatusBar", "{params} params \u00b7 {gmacs} GMACs").format(
            params=integer(mg.total_params), gmacs=number(mg.total_macs / 1e9, 2)
        ) + (" \u00b7 " + translate("StatusBar", "fused") if fused else "")
    return translate(
        "StatusBar", "{params} params | {gmacs} GMACs | input {shape} | graph by {how}"
    ).format(
        params=integer(mg.total_params),
        gmacs=number(mg.total_macs / 1e9, 2),
        shape="x".join(map(str, mg.input_shape[1:])),
        how=mg.method,
    ) + (" | " + translate("StatusBar", "fused") if fused else "")


class StatusBar(QObject):
    """Owns the status bar's widgets and keeps its figures current."""

    def __init__(
        self, bar: QStatusBar, session: Session, on_cancel: Callable[[], None], parent: Any
    ):
        super().__init__(parent)
        self.session = session
        self.presenting = False
        self._analysis: Any = None
        self.label = QLabel(self.tr("Ready"))
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(on_cancel)
        self.info_label = QLabel("")
        self.device_label = QLabel(self.tr("device: -"))
        self.latency_label = QLabel("")
        self.weights_label = QLabel("")
        # what the weights hold that the user must know (NaN or infinite tensors ...)
        self.warnings_label = QLabel("")
        self.warnings_label.setStyleSheet(f"color: {RED}; font-weight: bold;")
        self.warnings_label.setWordWrap(False)
        self.warnings_label.hide()
        self.deleted_label = QLabel("")
        self.deleted_label.setStyleSheet(f"color: {RED}; font-weight: bold;")
        bar.addWidget(self.label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        for w in (
            self.info_label,
            self.weights_label,
            self.warnings_label,
            self.deleted_label,
            self.device_label,
            self.latency_label,
        ):
            bar.addPermanentWidget(w)
        session.connect(Event.DELETED_CHANGED, self.show_deleted)
        # another model holds no weights yet: the last one's warnings are not its own
        session.connect(Event.MODEL_CHANGED, lambda _a: self.show_warnings(()))
        session.connect(Event.ANALYSIS_SWAPPED, self._on_analysis_swapped)

    def say(self, text: str) -> None:
        """The one message line (a core's message of a known shape in the window's language)."""
        self.label.setText(core_words.message(text))

    # -- loading a model ----------------------------------------------------------------------

    def loading(self, name: str) -> None:
        self.say(self.tr("Loading {name}...").format(name=name))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()

    def load_progress(self, p: Progress) -> None:
        self.progress.setValue(int(100 * (p.fraction or 0.0)))
        self.say(core_words.message(p.message))

    def end_loading(self, message: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.say(message)

    # -- standing figures ---------------------------------------------------------------------

    def show_model(self, analysis: Any) -> None:
        self._analysis = analysis
        self.info_label.setText(info_text(analysis, self.session.fused, self.presenting))

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the model's counts and the last forward pass in bold, the
        device (said in the toolbar) left out; off: as before."""
        self.presenting = on
        bold = "font-weight: bold;" if on else ""
        self.info_label.setStyleSheet(bold)
        self.latency_label.setStyleSheet(bold)
        self.device_label.setVisible(not on)
        if self._analysis is not None:
            self.show_model(self._analysis)

    def show_weights(self, info: Any) -> None:
        self.weights_label.setText(
            self.tr("weights: {label}").format(label=core_words.weights_label(info.label))
        )
        self.show_warnings(weights_warnings(info))

    def show_warnings(self, warnings: tuple[str, ...]) -> None:
        """The weights' warnings in red (the first, and how many more); hidden when none."""
        text = warnings[0] if warnings else ""
        if len(text) > 90:  # the rest in the tooltip: the bar keeps its other figures
            text = text[:87] + "..."
        if len(warnings) > 1:
            text += self.tr(" (+{n} more)").format(n=len(warnings) - 1)
        self.warnings_label.setText(text)
        self.warnings_label.setToolTip("\n".join(warnings))
        self.warnings_label.setVisible(bool(warnings))

    def show_run(self, res: Any) -> None:
        self.device_label.setText(
            self.tr("device {device} ({precision})").format(
                device=res.device, precision=res.precision
            )
        )
        self.latency_label.setText(
            self.tr("last forward {ms} ms").format(ms=number(res.latency_ms, 0))
        )
        self.latency_label.setToolTip(
            self.tr("on {device} ({precision})").format(device=res.device, precision=res.precision)
        )

    def show_deleted(self, deleted: frozenset[str]) -> None:
        n = len(deleted)
        text = self.tr("{n} block deleted") if n == 1 else self.tr("{n} blocks deleted")
        self.deleted_label.setText(text.format(n=n) if n else "")

    def _on_analysis_swapped(self, analysis: Any) -> None:
        self.show_model(analysis)
        self.show_deleted(self.session.deleted)
