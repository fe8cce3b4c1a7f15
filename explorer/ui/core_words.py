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
            r"(?P<k>\d+) of (?P<n>\d+) images, (?P<d>\d+) deletions",
            QT_TRANSLATE_NOOP("CoreWords", "{k} of {n} images, {d} deletions"),
        ),
        (
            r"(?P<k>\d+) of (?P<n>\d+) networks evaluated",
            QT_TRANSLATE_NOOP("CoreWords", "{k} of {n} networks evaluated"),
        ),
        (
            r"(?P<k>\d+) of (?P<n>\d+) orders evaluated",
            QT_TRANSLATE_NOOP("CoreWords", "{k} of {n} orders evaluated"),
        ),
        (
            r"evaluated (?P<k>\d+) of (?P<n>\d+) images",
            QT_TRANSLATE_NOOP("CoreWords", "evaluated {k} of {n} images"),
        ),
        (
            r"random weights: at initialisation the residual sum grows with depth; the ResNet "
            r"paper's Fig\. 7 is about trained networks",
            QT_TRANSLATE_NOOP(
                "CoreWords",
                "random weights: at initialisation the residual sum grows with depth; the ResNet "
                "paper's Fig. 7 is about trained networks",
            ),
        ),
        (
            r"random weights: these are responses at initialisation; the ResNet paper's Fig\. 7 "
            r"is about trained networks",
            QT_TRANSLATE_NOOP(
                "CoreWords",
                "random weights: these are responses at initialisation; the ResNet paper's Fig. 7 "
                "is about trained networks",
            ),
        ),
        (
            r"trained weights: (?P<label>.+)",
            QT_TRANSLATE_NOOP("CoreWords", "trained weights: {label}"),
        ),
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


#: the parts of the core's captions under the landscape and paths plots
#: (explorer.present.landscape.caption, explorer.present.paths.caption), each a pattern and
#: its template here
_CAPTION_PARTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"(?<=: )(?P<n>\d+) points over", QT_TRANSLATE_NOOP("CoreWords", "{n} points over")),
        (r" over (?P<span>\[[^\]]*\]²?)", QT_TRANSLATE_NOOP("CoreWords", " over {span}")),
        (
            r"(?P<n>\d+) images of (?P<data>[^;,]+)",
            QT_TRANSLATE_NOOP("CoreWords", "{n} images of {data}"),
        ),
        (r"(?<![\w.])(?P<x>[\d.]+) s\b", QT_TRANSLATE_NOOP("CoreWords", "{x} s")),
        (r"\b(?P<m>\d+) min\b", QT_TRANSLATE_NOOP("CoreWords", "{m} min")),
        (r"\b(?P<h>\d+) h\b", QT_TRANSLATE_NOOP("CoreWords", "{h} h")),
        (r"trained point: loss", QT_TRANSLATE_NOOP("CoreWords", "trained point: loss")),
        (
            r"largest second difference (?P<d>\S+), (?P<n>\d+) local minim(?:um|a)",
            QT_TRANSLATE_NOOP("CoreWords", "largest second difference {d}, local minima: {n}"),
        ),
        (r"(?P<k>\d+) of (?P<n>\d+) points", QT_TRANSLATE_NOOP("CoreWords", "{k} of {n} points")),
        (
            r"(?P<n>\d+) residual blocks, 2\^(?P<n2>\d+) = (?P<p>[\d,]+) paths",
            QT_TRANSLATE_NOOP("CoreWords", "{n} residual blocks, 2^{n2} = {p} paths"),
        ),
        (
            r"effective paths (?P<lo>\d+)-(?P<hi>\d+) of (?P<n>\d+) \(90 % of the total gradient\)",
            QT_TRANSLATE_NOOP(
                "CoreWords", "effective paths {lo}-{hi} of {n} (90 % of the total gradient)"
            ),
        ),
        (r"effective paths: not yet", QT_TRANSLATE_NOOP("CoreWords", "effective paths: not yet")),
        (
            r"(?P<model>\S+) in the paper: (?P<lo>\d+)-(?P<hi>\d+) of (?P<n>\d+)",
            QT_TRANSLATE_NOOP("CoreWords", "{model} in the paper: {lo}-{hi} of {n}"),
        ),
        (
            r"(?P<n>\d+) stacked 3x3 convs see (?P<f>\d+x\d+) of the map they take, as one "
            r"(?P<k>\d+x\d+) conv does: (?P<a>\d+)C² = (?P<pa>[\d,]+) weights against "
            r"(?P<b>\d+)C² = (?P<pb>[\d,]+) \(C = (?P<c>\d+)\), (?P<n2>\d+) ReLUs against 1",
            QT_TRANSLATE_NOOP(
                "CoreWords",
                "{n} stacked 3x3 convs see {f} of the map they take, as one {k} conv does: "
                "{a}C² = {pa} weights against {b}C² = {pb} (C = {c}), {n2} ReLUs against 1",
            ),
        ),
        (r", random weights<br>", QT_TRANSLATE_NOOP("CoreWords", ", random weights<br>")),
        (
            r"(?<=, )bundled \(digits, (?P<top1>[\d.]+) %\)",
            QT_TRANSLATE_NOOP("CoreWords", "bundled (digits, {top1} %)"),
        ),
        (
            r"std (?P<sy>[\d.]+) x (?P<sx>[\d.]+) px, 95 % in (?P<px>[\d,]+) px",
            QT_TRANSLATE_NOOP("CoreWords", "std {sy} x {sx} px, 95 % in {px} px"),
        ),
        (
            r"Effective field of (?P<block><b>[^<]+</b>) at \((?P<y>\d+), (?P<x>\d+)\) over ",
            QT_TRANSLATE_NOOP("CoreWords", "Effective field of {block} at ({y}, {x}) over "),
        ),
        (r"(?<= over )this image(?=:)", QT_TRANSLATE_NOOP("CoreWords", "this image")),
        (
            r": the gradient of that value on the input, summed over channels and images, each "
            r"map scaled to sum 1 and drawn on one colour scale; std in rows x columns, and the "
            r"pixels that hold 95 % of it \(their share of the theoretical field, the "
            r"(?P<rf>\S+) px square, dashed past the image\)\.",
            QT_TRANSLATE_NOOP(
                "CoreWords",
                ": the gradient of that value on the input, summed over channels and images, each "
                "map scaled to sum 1 and drawn on one colour scale; std in rows x columns, and the "
                "pixels that hold 95 % of it (their share of the theoretical field, the {rf} px "
                "square, dashed past the image).",
            ),
        ),
        (
            r" Random weights: random, seed (?P<seed>\d+), a fresh build, the network's own "
            r"initialisation;",
            QT_TRANSLATE_NOOP(
                "CoreWords",
                " Random weights: seed {seed}, a fresh build, the network's own initialisation;",
            ),
        ),
        (
            r" BatchNorm in eval mode \(running mean 0, variance 1\)\.",
            QT_TRANSLATE_NOOP("CoreWords", " BatchNorm in eval mode (running mean 0, variance 1)."),
        ),
        (
            r" Random weights: (?P<w>[^,]+), (?P<init>.+?); BatchNorm in eval mode \(running "
            r"mean 0, variance 1\)\.",
            QT_TRANSLATE_NOOP(
                "CoreWords",
                " Random weights: {w}, {init}; BatchNorm in eval mode (running mean 0, "
                "variance 1).",
            ),
        ),
        (
            r"up to (?P<n>\d+) paths per length, seed (?P<seed>\d+)",
            QT_TRANSLATE_NOOP("CoreWords", "up to {n} paths per length, seed {seed}"),
        ),
    )
)


def caption(text: str) -> str:
    """A caption of the core's under a plot (the landscape's, the paths') with its known
    parts in the window's language; names, numbers and unknown parts as they are."""
    if current_language() == SOURCE_LANGUAGE or not text:
        return text
    for pattern, template in _CAPTION_PARTS:
        text = pattern.sub(
            lambda m, t=template: translate("CoreWords", t).format(**m.groupdict()), text
        )
    return text
