"""The steps of a RepVGG block's fusion as the window draws them: captions and kernel pictures.

Qt-free: what each step says and which small kernels it shows (from
:func:`explorer.studies.fusion.pictures.block_kernels`, the block's real weights for one
channel pair), and how long it lasts. The window's merge animation plays them in order
while the branches' boxes move; without a block to picture the captions still play.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names only: pictures imports torch, which the window loads later
    from explorer.studies.fusion.pictures import BlockKernels, Grid

#: the steps in order: (key, milliseconds); 1.8 s in all, inside the 1.5-2 s a student follows
STEP_MS: tuple[tuple[str, int], ...] = (
    ("fold", 380),
    ("pad", 330),
    ("identity", 330),
    ("sum", 360),
    ("fused", 400),
)
TOTAL_MS = sum(ms for _, ms in STEP_MS)


@dataclass(frozen=True)
class Picture:
    """One small kernel: its values (rows of columns), a title above, a note below."""

    title: str
    values: Grid
    note: str = ""
    highlight: tuple[tuple[int, int], ...] = ()  # cells drawn with a heavy border


@dataclass(frozen=True)
class MergeStep:
    """One step: its caption, the pictures in a row with the operators between them."""

    key: str
    number: int
    caption: str
    duration_ms: int
    pictures: list[Picture] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)  # between pictures: "+", "=", ""
    vmax: float = 0.0  # one colour scale for every step of the block


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _same(text: str) -> str:
    return text


def merge_steps(
    k: BlockKernels | None, fused_label: str = "3x3 conv", tr: Callable[[str], str] = _same
) -> list[MergeStep]:
    """The five steps of fusing a RepVGG block; pictures drawn from ``k`` when given.

    ``fused_label`` names the fused block when ``k`` is None (else ``k.label()``). ``tr``
    gives each English text (a template filled with ``str.format``) in the reader's
    language: the window passes its translation; the templates are the strings below.
    """
    label = k.label() if k is not None else fused_label
    kk = f"{k.kernel_size[0]}x{k.kernel_size[1]}" if k is not None else "3x3"
    pair = (
        tr(" (weights of output channel {out}, input {inp})").format(
            out=k.out_channel, inp=k.in_channel
        )
        if k
        else ""
    )
    captions = {
        "fold": tr(
            "Fold each branch's BatchNorm into its conv: W' = s·W, b' = β − s·μ with s = γ/σ"
        )
        + pair,
        "pad": tr("Pad the 1x1 kernel with zeros into the centre of a {kk}").format(kk=kk),
        "identity": tr(
            "Write the identity branch as a {kk} delta kernel (its BN scale folded in)"
        ).format(kk=kk),
        "sum": tr("Sum the three {kk} kernels and their biases").format(kk=kk),
        "fused": tr("One block: {label} (with bias)").format(label=label),
    }
    if k is not None and k.branch("identity") is None:
        captions["identity"] = tr(
            "No identity branch in this block (its stride or width changes): nothing to add"
        )
    steps: list[MergeStep] = []
    for n, (key, ms) in enumerate(STEP_MS, start=1):
        pics, ops = _pictures(key, k, tr) if k is not None else ([], [])
        steps.append(
            MergeStep(
                key=key,
                number=n,
                caption=captions[key],
                duration_ms=ms,
                pictures=pics,
                ops=ops,
                vmax=k.vmax if k is not None else 0.0,
            )
        )
    return steps


def _centre(g: Grid) -> tuple[tuple[int, int], ...]:
    return ((len(g) // 2, len(g[0]) // 2),) if g else ()


def _pictures(
    key: str, k: BlockKernels, tr: Callable[[str], str] = _same
) -> tuple[list[Picture], list[str]]:
    kxk, one, ident = k.branch("kxk"), k.branch("1x1"), k.branch("identity")
    assert kxk is not None
    kk = f"{k.kernel_size[0]}x{k.kernel_size[1]}"
    if key == "fold":
        pics = [Picture(f"{kk} · s", kxk.folded, f"s = {_fmt(kxk.scale)}")]
        if one is not None:
            pics.append(Picture("1x1 · s", one.folded, f"s = {_fmt(one.scale)}"))
        if ident is not None:
            pics.append(Picture(tr("identity · s"), ident.folded, f"s = {_fmt(ident.scale)}"))
        return pics, [""] * (len(pics) - 1)
    if key in ("pad", "identity"):
        pics = [Picture(kk, kxk.padded)]
        if one is not None:
            pics.append(Picture(f"1x1 → {kk}", one.padded, tr("zeros around"), _centre(one.padded)))
        if ident is not None:
            if key == "identity":
                note = tr("delta") if ident.raw[0][0] else tr("zero: another channel")
                pics.append(
                    Picture(
                        tr("identity → {kk}").format(kk=kk),
                        ident.padded,
                        note,
                        _centre(ident.padded),
                    )
                )
            else:
                pics.append(Picture(tr("identity · s"), ident.folded, tr("still 1x1")))
        return pics, [""] * (len(pics) - 1)
    if key == "sum":
        pics = [Picture(kk, kxk.padded, f"b = {_fmt(kxk.bias)}")]
        if one is not None:
            pics.append(Picture("1x1", one.padded, f"b = {_fmt(one.bias)}", _centre(one.padded)))
        if ident is not None:
            pics.append(
                Picture(
                    tr("identity"), ident.padded, f"b = {_fmt(ident.bias)}", _centre(ident.padded)
                )
            )
        pics.append(Picture(tr("fused"), k.fused, f"b = {_fmt(k.fused_bias)}"))
        return pics, ["+"] * (len(pics) - 2) + ["="]
    return [Picture(k.label(), k.fused, tr("bias {b}").format(b=_fmt(k.fused_bias)))], []


def value_scale(vmax: float) -> tuple[float, str]:
    """A power of ten that brings the kernels' values to about 1-10, and how to say it
    (``"values ×10⁻²"``); ``(1.0, "")`` when they are already of that order."""
    if vmax <= 0 or 0.01 <= vmax < 100:
        return 1.0, ""
    exp = math.floor(math.log10(vmax))
    sup = str(exp).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return 10.0 ** (-exp), f"values ×10{sup}"


def cell_text(v: float, factor: float = 1.0) -> str:
    """A kernel value as drawn in its cell (times ``factor``): two or three digits, ``0`` for
    an exact zero (a padded tap), ``≈0`` for a value that rounds to it."""
    if v == 0:
        return "0"
    x = v * factor
    if abs(x) >= 1:
        return f"{x:.1f}" if abs(x) < 10 else f"{x:.0f}"
    if abs(x) < 0.0005:
        return "≈0"
    text = f"{x:.2f}" if abs(x) >= 0.095 else f"{x:.3f}"
    return text.replace("0.", ".", 1)
