"""Networks side by side: which ones (names or a preset), traced on a worker, laid out aligned.

The window's View > Side by side and its ``--side-by-side A,B[,C]`` option both come here;
the numbers it shows per stage are those of ``cnn-explorer diff`` (one core,
:mod:`explorer.graph.diff`).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

from explorer.app.jobs import Progress
from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.present.side_by_side import SideBySide

#: short names of the presets for the command line (``--side-by-side fig3``)
PRESET_KEYS = {
    "fig3": "ResNet Fig. 3",
    "cifar": "plain vs residual, CIFAR",
    "se": "SE",
    "repvgg": "RepVGG train vs deploy",
    "inception": "Inception v1 vs v3",
}


class PanesError(ExplorerError):
    """The networks asked for cannot be set side by side (one line for the user)."""


def parse_panes(text: str) -> list[str]:
    """``"A,B[,C]"`` or a preset's key (``fig3``, ``cifar``, ``se``, ``repvgg``,
    ``inception``) or title: the networks' names, checked against the registry.

    Raises :class:`PanesError` with one line for a wrong count, an unknown name or a variant
    the model has not (``vgg16+fused``).
    """
    from explorer.app.variants import split_variant
    from explorer.models.registry import RegistryError, get
    from explorer.present.side_by_side import MAX_PANES, PRESETS

    text = text.strip()
    titles = {t.lower(): t for t in PRESETS}
    if text.lower() in PRESET_KEYS:
        return list(PRESETS[PRESET_KEYS[text.lower()]])
    if text.lower() in titles:
        return list(PRESETS[titles[text.lower()]])
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not 2 <= len(names) <= MAX_PANES:
        keys = ", ".join(PRESET_KEYS)
        raise PanesError(
            f"side by side takes 2 or 3 networks, as A,B or A,B,C, or a preset ({keys}); "
            f"got {len(names)}"
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PanesError(f"{twice[0]} is named twice: name two or three different networks")
    for n in names:
        base, variant = split_variant(n)
        try:
            spec = get(base)
        except RegistryError as exc:
            raise PanesError(str(exc)) from None
        if variant == "fused" and not _repvgg(spec):
            raise PanesError(f"{spec.name} has no RepVGG block to fuse ('+fused' is for RepVGG)")
    return names


def _repvgg(spec: Any) -> bool:
    return spec.family == "RepVGG"


def build(
    names: Sequence[str],
    detail: str = "blocks",
    aspect: float | None = None,
    input_size: int | None = None,
    cached: dict[str, Any] | None = None,
    text_scale: float = 1.0,
) -> Generator[Progress, None, SideBySide]:
    """Trace each network (or take it from ``cached``: name -> Analysis) and lay them out
    side by side; a generator of Progress for a worker thread, returning the
    :class:`~explorer.present.side_by_side.SideBySide`.

    Raises the registry's, the tracer's and :class:`~explorer.app.variants.VariantError`
    for a network that cannot be traced: the caller says it in one line.
    """
    from explorer.app.variants import analyze_variant
    from explorer.present.side_by_side import side_by_side

    named: list[tuple[str, Any]] = []
    n = len(names)
    for i, name in enumerate(names):
        an = (cached or {}).get(name)
        if an is None:
            yield Progress(0.9 * i / n, f"building and tracing {name} ({i + 1} of {n})")
            an = analyze_variant(name, input_size=input_size)
        named.append((name, an))
    yield Progress(0.92, "aligning the stages")
    return side_by_side(named, detail=detail, aspect=aspect, text_scale=text_scale)
