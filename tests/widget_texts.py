"""Every text a widget tree shows a user: labels, buttons, actions and menus, tabs, docks,
placeholders, tooltips, combo boxes' items, and the plots' titles and axes. Two trees built
the same way (one per language) give the same keys, in the same order."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QToolBar,
    QWidget,
)

#: what stays the same in every language: names of networks, devices, formats, units and
#: the notation of the papers
NAMES = {
    "cnn-explorer",
    "fp32",
    "bf16",
    "fp16",
    "imagenet",
    "cifar",
    "digits",
    "ReLU",
    "BN",
    "SE",
    "RepVGG",
    "PNG",
    "SVG",
    "PDF",
    "CSV",
    "JSON",
    "GMACs",
    "MACs",
    "cuda",
    "cpu",
    "mps",
    "px",
    "x",
    "viridis",
    "magma",
    "inferno",
    "gray",
    "plasma",
    "cividis",
    "turbo",
    "RdBu",
    "bwr",
    "seismic",
    "coolwarm",
    "top",
    "std",
    "id",
    "lenet5",
    "resnet56",
    "vgg_small",
    "Ctrl",
    "Shift",
    "Del",
    "Esc",
    "Enter",
    "F5",
    "1-D",
    "2-D",
    "3-D",
    "Veit",
    "al",
    "et",
    "Li",
    "He",
    "English",
    "CET",
    "ImageNet",
    "TFLOP",
    "GFLOP",
    "auto",
}


def _plot_texts(view: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    plot = getattr(view, "getPlotItem", lambda: None)()
    if plot is None:
        return out
    if plot.titleLabel is not None and plot.titleLabel.text:
        out.append(("title", plot.titleLabel.text))
    for side in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(side)
        if axis is not None and axis.isVisible() and axis.labelText:
            out.append((f"axis {side}", axis.labelText))
    return out


def widget_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text ``root`` and its children show, in a fixed order."""
    out: list[tuple[str, str]] = []

    def add(where: str, text: str | None) -> None:
        if text and text.strip():
            out.append((where, text))

    for w in [root, *root.findChildren(QWidget)]:
        where = f"{type(w).__name__} {w.objectName()}".strip()
        add(f"{where} tooltip", w.toolTip())
        if isinstance(w, QLabel):
            add(where, w.text())
        elif isinstance(w, QAbstractButton):
            add(where, w.text())
        elif isinstance(w, QLineEdit):
            add(f"{where} placeholder", w.placeholderText())
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                add(f"{where} item {i}", w.itemText(i))
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(f"{where} tab {i}", w.tabText(i))
                add(f"{where} tab {i} tooltip", w.tabToolTip(i))
        elif isinstance(w, QGroupBox):
            add(where, w.title())
        elif isinstance(w, QMenu):
            add(where, w.title())
        elif isinstance(w, QDockWidget | QToolBar):
            add(where, w.windowTitle())
        for a in w.actions():
            add(f"{where} action", a.text())
            add(f"{where} action tooltip", a.toolTip() if a.toolTip() != a.text() else "")
            if a.menu() is not None:
                add(f"{where} action menu", a.menu().title())
        for key, text in _plot_texts(w):
            add(f"{where} {key}", text)
    return out


def _words(text: str) -> list[str]:
    """The words of ``text`` that could be English: not identifiers (``vgg16_bn``,
    ``repvgg_a0+fused``, ``Ctrl+F``), nor rich text's tags and entities."""
    plain = re.sub(r"<[^>]+>|&\w+;", " ", text).replace("&", "")
    tokens = re.findall(r"[A-Za-z][\w+\-]*", plain)
    return [t for t in tokens if not re.search(r"[\d_+]", t) and len(t) > 1]


def untranslated(
    en: list[tuple[str, str]], other: list[tuple[str, str]], names: set[str] = NAMES
) -> list[tuple[str, str]]:
    """The texts equal in both trees that say more than names and numbers."""
    assert [w for w, _ in en] == [w for w, _ in other], "the trees differ"
    bad = []
    for (where, a), (_, b) in zip(en, other, strict=True):
        if a == b and any(w not in names for w in _words(a)):
            bad.append((where, a))
    return bad
