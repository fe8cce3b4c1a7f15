"""The core's English words on the graph, in the window's language.

The core (Qt-free) writes the slide-style labels in the papers' English notation
(``3x3 conv, 64``, ``3x3 max pool, /2``, ``FC 4096``, ``residual: 1x1 64, 3x3 64 + proj``,
``56x56, 256 ch``) and names the block kinds (``residual``, ``inception`` ...). The window
translates their words here, through Qt's catalogue: every word the core may write is
registered below for ``pyside6-lupdate``. Numbers, kernel sizes, layer names and the
papers' own names (BN, ReLU, SE, RepVGG, Inception) stay as they are. The command line, the
SVG export and the JSON outputs stay in English.
"""

from __future__ import annotations

import re
from functools import cache

from explorer.ui.i18n import QT_TRANSLATE_NOOP, SOURCE_LANGUAGE, current_language, translate

#: the block kinds (explorer/resources/kinds.json), as the legend and the inspector name them
KIND_NAMES = {
    "residual": QT_TRANSLATE_NOOP("Kinds", "residual"),
    "inception": QT_TRANSLATE_NOOP("Kinds", "inception"),
    "dense": QT_TRANSLATE_NOOP("Kinds", "dense"),
    "se": QT_TRANSLATE_NOOP("Kinds", "se"),
    "repvgg": QT_TRANSLATE_NOOP("Kinds", "repvgg"),
    "highway": QT_TRANSLATE_NOOP("Kinds", "highway"),
    "separable": QT_TRANSLATE_NOOP("Kinds", "separable"),
    "sequential": QT_TRANSLATE_NOOP("Kinds", "sequential"),
    "conv": QT_TRANSLATE_NOOP("Kinds", "conv"),
    "linear": QT_TRANSLATE_NOOP("Kinds", "linear"),
    "norm": QT_TRANSLATE_NOOP("Kinds", "norm"),
    "act": QT_TRANSLATE_NOOP("Kinds", "act"),
    "pool": QT_TRANSLATE_NOOP("Kinds", "pool"),
    "dropout": QT_TRANSLATE_NOOP("Kinds", "dropout"),
    "other": QT_TRANSLATE_NOOP("Kinds", "other"),
    "input": QT_TRANSLATE_NOOP("Kinds", "input"),
    "output": QT_TRANSLATE_NOOP("Kinds", "output"),
    # the kinds of edges the legend shows
    "data": QT_TRANSLATE_NOOP("Kinds", "data"),
    "skip": QT_TRANSLATE_NOOP("Kinds", "skip"),
    "branch": QT_TRANSLATE_NOOP("Kinds", "branch"),
    "gate": QT_TRANSLATE_NOOP("Kinds", "gate"),
}

#: what each kind means (kinds.json's "meaning"), for tooltips
KIND_MEANINGS = (
    QT_TRANSLATE_NOOP("Kinds", "output = branch + shortcut (identity or projection)"),
    QT_TRANSLATE_NOOP("Kinds", "parallel branches concatenated"),
    QT_TRANSLATE_NOOP("Kinds", "the block's input concatenated with what it computed"),
    QT_TRANSLATE_NOOP("Kinds", "squeeze-and-excitation gate: pool, FC, sigmoid, multiply"),
    QT_TRANSLATE_NOOP("Kinds", "short conv/BN branches summed (fusable into one conv)"),
    QT_TRANSLATE_NOOP("Kinds", "gated carry: H*T + x*(1-T)"),
    QT_TRANSLATE_NOOP("Kinds", "depthwise then pointwise convolution"),
    QT_TRANSLATE_NOOP("Kinds", "a plain container"),
    QT_TRANSLATE_NOOP("Kinds", "convolution"),
    QT_TRANSLATE_NOOP("Kinds", "fully connected layer"),
    QT_TRANSLATE_NOOP("Kinds", "normalisation"),
    QT_TRANSLATE_NOOP("Kinds", "activation"),
    QT_TRANSLATE_NOOP("Kinds", "pooling"),
    QT_TRANSLATE_NOOP("Kinds", "dropout / drop path"),
    QT_TRANSLATE_NOOP("Kinds", "other operation (add, cat, flatten ...)"),
    QT_TRANSLATE_NOOP("Kinds", "network input"),
    QT_TRANSLATE_NOOP("Kinds", "network output"),
)

#: the words of the slide labels, longest first (a phrase before the words inside it)
LABEL_WORDS = (
    QT_TRANSLATE_NOOP("GraphLabels", "global avg pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "global max pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "global pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "adaptive avg pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "adaptive max pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "adaptive pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "depthwise conv"),
    QT_TRANSLATE_NOOP("GraphLabels", "transposed conv"),
    QT_TRANSLATE_NOOP("GraphLabels", "separable conv"),
    QT_TRANSLATE_NOOP("GraphLabels", "max pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "avg pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "drop path"),
    QT_TRANSLATE_NOOP("GraphLabels", "zero pad"),
    QT_TRANSLATE_NOOP("GraphLabels", "conv"),
    QT_TRANSLATE_NOOP("GraphLabels", "pool"),
    QT_TRANSLATE_NOOP("GraphLabels", "FC"),
    QT_TRANSLATE_NOOP("GraphLabels", "concat"),
    QT_TRANSLATE_NOOP("GraphLabels", "input"),
    QT_TRANSLATE_NOOP("GraphLabels", "output"),
    QT_TRANSLATE_NOOP("GraphLabels", "dropout"),
    QT_TRANSLATE_NOOP("GraphLabels", "drop"),
    QT_TRANSLATE_NOOP("GraphLabels", "flatten"),
    QT_TRANSLATE_NOOP("GraphLabels", "reshape"),
    QT_TRANSLATE_NOOP("GraphLabels", "slice"),
    QT_TRANSLATE_NOOP("GraphLabels", "split"),
    QT_TRANSLATE_NOOP("GraphLabels", "transpose"),
    QT_TRANSLATE_NOOP("GraphLabels", "permute"),
    QT_TRANSLATE_NOOP("GraphLabels", "resize"),
    QT_TRANSLATE_NOOP("GraphLabels", "upsample"),
    QT_TRANSLATE_NOOP("GraphLabels", "model"),
    QT_TRANSLATE_NOOP("GraphLabels", "residual"),
    QT_TRANSLATE_NOOP("GraphLabels", "dense"),
    QT_TRANSLATE_NOOP("GraphLabels", "proj"),
    QT_TRANSLATE_NOOP("GraphLabels", "pad"),
    QT_TRANSLATE_NOOP("GraphLabels", "sep"),
    QT_TRANSLATE_NOOP("GraphLabels", "sigmoid"),
    QT_TRANSLATE_NOOP("GraphLabels", "vector"),
    QT_TRANSLATE_NOOP("GraphLabels", "params"),
    QT_TRANSLATE_NOOP("GraphLabels", "ch"),
    QT_TRANSLATE_NOOP("GraphLabels", "act"),
    QT_TRANSLATE_NOOP("GraphLabels", "norm"),
)

#: "3 residual blocks" (a stage's summary): a block of a kind, counted
BLOCKS_OF_KIND = {
    "residual": QT_TRANSLATE_NOOP("GraphLabels", "residual block"),
    "inception": QT_TRANSLATE_NOOP("GraphLabels", "inception block"),
    "dense": QT_TRANSLATE_NOOP("GraphLabels", "dense block"),
    "se": QT_TRANSLATE_NOOP("GraphLabels", "se block"),
    "repvgg": QT_TRANSLATE_NOOP("GraphLabels", "repvgg block"),
    "highway": QT_TRANSLATE_NOOP("GraphLabels", "highway block"),
    "separable": QT_TRANSLATE_NOOP("GraphLabels", "separable block"),
}

_COUNTED = re.compile(r"\b(\d+) (\w+) blocks\b")
_CONVS = re.compile(r"\b(\d+) convs\b")
_LAYERS = re.compile(r"\b(\d+) layers\b")
_WORDS = re.compile(r"(?<![\w.])(" + "|".join(re.escape(w) for w in LABEL_WORDS) + r")(?![\w])")


def colour_name(mode: str) -> str:
    """A colouring's name in the toolbar's box and the View menu."""
    names = {
        "kind": translate("Window", "kind"),
        "params": translate("Window", "params"),
        "macs": translate("Window", "MACs"),
    }
    return names[mode]


def kind_name(kind: str) -> str:
    """A block kind's name in the window's language (an unknown kind as it is)."""
    return translate("Kinds", KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def kind_meaning(meaning: str) -> str:
    """A kind's meaning (from kinds.json) in the window's language."""
    return translate("Kinds", meaning)


def label_text(label: str) -> str:
    """A slide label, or a stage band's, with its words in the window's language."""
    lang = current_language()
    if not label or lang == SOURCE_LANGUAGE:
        return label
    return _translated(label, lang)


@cache
def _translated(label: str, _lang: str) -> str:
    def counted(m: re.Match[str]) -> str:
        kind = m.group(2)
        if kind not in BLOCKS_OF_KIND:
            return m.group(0)
        block = translate("GraphLabels", BLOCKS_OF_KIND[kind])
        return translate("GraphLabels", "{block} ×{n}").format(block=block, n=m.group(1))

    out = _COUNTED.sub(counted, label)
    out = _CONVS.sub(lambda m: translate("GraphLabels", "{n} convs").format(n=m.group(1)), out)
    out = _LAYERS.sub(lambda m: translate("GraphLabels", "{n} layers").format(n=m.group(1)), out)
    return _WORDS.sub(lambda m: translate("GraphLabels", m.group(1)), out)
