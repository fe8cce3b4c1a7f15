"""The Compare view: the window's centre when "Compare architectures" is chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.app.jobs import JobRunner
from explorer.ui.compare.chart import ChartTab
from explorer.ui.compare.density import DensityTab
from explorer.ui.compare.kernels_tab import KernelsTab
from explorer.ui.compare.speed import SpeedTab
from explorer.ui.export import widget_saved
from explorer.ui.i18n import translate
from explorer.ui.workers import qt_jobs

#: the tabs, in order, by the names ``show_tab`` and the exported file take
TABS = ("chart", "speed", "density", "kernels")


def _devices() -> Any:
    """Generator for a worker: the devices here (``available_devices`` imports torch)."""
    yield 0.0, translate("CompareView", "looking for devices")
    from explorer.runtime.inference import available_devices

    return available_devices()


class CompareView(QWidget):
    """Chart, Speed, Density and Kernels tabs; a measurement feeds the chart and the density."""

    modelChosen = Signal(str)  # noqa: N815 - open this network in the graph
    backRequested = Signal()  # noqa: N815

    def __init__(self, jobs: JobRunner | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        # the window's job runner (its own when the view stands alone)
        self.jobs = jobs if jobs is not None else qt_jobs(self)
        # the device lists need torch: the CPU until a worker has imported it (on first show)
        self.chart = ChartTab(self.jobs)
        self.speed = SpeedTab(self.jobs, devices=["auto", "cpu"])
        self.density = DensityTab()
        self.kernels = KernelsTab(self.jobs, devices=["auto", "cpu"])
        self._devices_asked = False
        self.tabs = QTabWidget()
        self.tabs.addTab(self.chart, self.tr("Chart"))
        self.tabs.addTab(self.speed, self.tr("Speed"))
        self.tabs.addTab(self.density, self.tr("Density"))
        self.tabs.addTab(self.kernels, self.tr("Kernels"))
        head = QHBoxLayout()
        title = QLabel(
            self.tr(
                "<b>Compare architectures</b>: published ImageNet figures, and speed "
                "measured on this machine"
            )
        )
        back = QPushButton(self.tr("Back to the graph"))
        back.clicked.connect(self.backRequested)
        head.addWidget(title, 1)
        head.addWidget(back)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(head)
        box.addWidget(self.tabs, 1)

        # one timing at a time: two at once would disturb each other
        self.speed.blocked_by = lambda: (
            self.tr("the kernel-size experiment") if self.kernels.busy else None
        )
        self.kernels.blocked_by = lambda: (
            self.tr("the speed measurement") if self.speed.busy else None
        )
        self.speed.reportChanged.connect(self.chart.set_speed)
        self.speed.reportChanged.connect(self.density.show_report)
        self.chart.modelChosen.connect(self.modelChosen)
        self.density.modelChosen.connect(self.modelChosen)

    def show_tab(self, name: str) -> None:
        """Show the tab titled ``name`` (Chart, Speed, Density, Kernels)."""
        if name.lower() in TABS:
            self.tabs.setCurrentIndex(TABS.index(name.lower()))
            return
        raise ValueError(f"no tab '{name}' (Chart, Speed, Density, Kernels)")

    def showEvent(self, event: Any) -> None:  # noqa: N802
        self.chart.load()
        if not self._devices_asked:
            self._devices_asked = True
            self.jobs.start("compare-devices", _devices, on_done=self._on_devices)
        super().showEvent(event)

    def set_devices(self, devices: list[str]) -> None:
        """The devices this machine offers, in the Speed and Kernels tabs."""
        self.speed.set_devices(devices)
        self.kernels.set_devices(devices)

    def _on_devices(self, devices: object) -> None:
        self.set_devices(list(devices))  # type: ignore[call-overload]

    def export_dialog(self, say: Any) -> None:
        """Ctrl+E in the Compare view: its current tab as a PNG."""
        tab = TABS[self.tabs.currentIndex()]
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export PNG"), str(Path.home() / f"compare_{tab}.png"), "PNG (*.png)"
        )
        if not path:
            return
        if self.export_png(path):
            say(self.tr("Saved {path}").format(path=path))
        else:
            QMessageBox.warning(
                self, self.tr("Export failed"), self.tr("Could not write {path}").format(path=path)
            )

    def export_png(self, path: str) -> bool:
        """The current tab as shown, as a PNG; False when it cannot be written."""
        return widget_saved(self.tabs.currentWidget(), path, "PNG")

    @property
    def busy(self) -> bool:
        return self.jobs.busy(("compare-devices", "compare-chart", "speed", "kernels"))

    def wait_all(self) -> None:
        """Cancel every measurement and wait for its thread (a view standing alone closes)."""
        self.jobs.close()
