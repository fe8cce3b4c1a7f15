"""The core's progress and weights messages, in the window's language.

The core (Qt-free) says what it does in English (``building resnet50``, ``forward pass``,
``resnet56: bundled weights, trained by the project on digits``); the command line prints
those words as they are. The window shows them in the status bar through :func:`message`,
which knows their shapes: a message of another shape (an error's own words, say) stays
English.
"""

from __future__ import annotations

import re

from explorer.ui.i18n import QT_TRANSLATE_NOOP, SOURCE_LANGUAGE, current_language, translate

#: (the core's message as a pattern, its template here: the pattern's groups by name)
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"looking up (?P<name>\S+)", QT_TRANSLATE_NOOP("CoreWords", "looking up {name}")),
        (r"importing torch", QT_TRANSLATE_NOOP("CoreWords", "importing torch")),
        (r"building (?P<name>\S+)", QT_TRANSLATE_NOOP("CoreWords", "building {name}")),
        (r"tracing and grouping", QT_TRANSLATE_NOOP("CoreWords", "tracing and grouping")),
        (r"naming block kinds", QT_TRANSLATE_NOOP("CoreWords", "naming block kinds")),
        (
            r"reading the stored graph of (?P<name>\S+)",
            QT_TRANSLATE_NOOP("CoreWords", "reading the stored graph of {name}"),
        ),
        (
            r"(?P<name>\S+): the stored graph; importing torch",
            QT_TRANSLATE_NOOP("CoreWords", "{name}: the stored graph; importing torch"),
        ),
        (r"preprocessing", QT_TRANSLATE_NOOP("CoreWords", "preprocessing")),
        (r"(?P<n>\d+) block\(s\) deleted", QT_TRANSLATE_NOOP("CoreWords", "{n} block(s) deleted")),
        (r"forward pass", QT_TRANSLATE_NOOP("CoreWords", "forward pass")),
        (
            r"opened (?P<data>.+): (?P<n>\d+) images",
            QT_TRANSLATE_NOOP("CoreWords", "opened {data}: {n} images"),
        ),
        (
            r"(?P<names>.+): (?P<n>\d+) stages, aligned by downsampling step",
            QT_TRANSLATE_NOOP("CoreWords", "{names}: {n} stages, aligned by downsampling step"),
        ),
        (
            r"(?P<small>\d+x\d+) digit upscaled to (?P<size>\d+x\d+)",
            QT_TRANSLATE_NOOP("CoreWords", "{small} digit upscaled to {size}"),
        ),
        (
            r"loading weights: (?P<what>.+)",
            QT_TRANSLATE_NOOP("CoreWords", "loading weights: {what}"),
        ),
        (
            r"(?P<name>\S+): random \(untrained\) weights",
            QT_TRANSLATE_NOOP("CoreWords", "{name}: random (untrained) weights"),
        ),
        (
            r"(?P<name>\S+): bundled weights, trained by the project on digits(?P<rest>.*)",
            QT_TRANSLATE_NOOP(
                "CoreWords", "{name}: bundled weights, trained by the project on digits{rest}"
            ),
        ),
        (
            r"pretrained (?P<label>.+) weights \((?P<source>.+)\)",
            QT_TRANSLATE_NOOP("CoreWords", "pretrained {label} weights ({source})"),
        ),
    )
)
_TOP1 = re.compile(r" \((?P<top1>[\d.]+) % test top-1\)")


def message(text: str) -> str:
    """One of the core's messages in the window's language (as it is when unknown)."""
    if current_language() == SOURCE_LANGUAGE or not text:
        return text
    for pattern, template in _SHAPES:
        m = pattern.fullmatch(text)
        if m:
            groups = m.groupdict()
            if "rest" in groups:
                groups["rest"] = _TOP1.sub(
                    lambda t: translate("CoreWords", " ({top1} % test top-1)").format(
                        top1=t.group("top1")
                    ),
                    groups["rest"],
                )
            return translate("CoreWords", template).format(**groups)
    return text


_BUNDLED = re.compile(r"bundled \(digits, (?P<top1>[\d.]+) %\)")


def weights_label(label: str) -> str:
    """The weights' short label (``random (untrained)``, ``bundled (digits, 97.2 %)``) in
    the window's language; a file's or a library's name as it is."""
    if current_language() == SOURCE_LANGUAGE:
        return label
    if label == "random (untrained)":
        return translate("CoreWords", "random (untrained)")
    if label == "bundled":
        return translate("CoreWords", "bundled")
    m = _BUNDLED.fullmatch(label)
    if m:
        return translate("CoreWords", "bundled (digits, {top1} %)").format(top1=m.group("top1"))
    return label
