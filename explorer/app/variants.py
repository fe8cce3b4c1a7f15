"""A model's structural variants named on the command line and in the window.

``NAME+fused`` is the deploy form of a RepVGG network (Ding et al. 2021): every block's
3x3, 1x1 and identity branches re-parameterised into one 3x3 conv with a bias. It is what
``summary``, ``render``, ``diff`` and the side-by-side view draw beside the network as
trained (the counts depend on the structure alone, not on the weights).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis

FUSED = "+fused"


class VariantError(ExplorerError):
    """A variant the model has not (``vgg16+fused``: no RepVGG block to fuse)."""


def split_variant(name: str) -> tuple[str, str | None]:
    """("repvgg_a0", "fused") for "repvgg_a0+fused"; (name, None) for a plain name."""
    if name.endswith(FUSED) and len(name) > len(FUSED):
        return name[: -len(FUSED)], "fused"
    return name, None


def analyze_variant(name: str, input_size: int | None = None) -> Analysis:
    """Build and trace ``name`` (a registry name, or one with ``+fused``).

    Raises the registry's errors for an unknown name, :class:`VariantError` for a variant the
    model has not, and the tracer's for a model that cannot be traced at that size.
    """
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get

    base, variant = split_variant(name)
    spec = get(base)
    if variant is None:
        return analyze(spec, input_size=input_size)
    from explorer.studies.fusion.repvgg import find_repvgg_blocks, fuse_repvgg

    model = spec.build()
    if not any(not done for done in find_repvgg_blocks(model).values()):
        raise VariantError(f"{spec.name} has no RepVGG block to fuse ('+fused' is for RepVGG)")
    fused = fuse_repvgg(model, inplace=True).model
    an = analyze(spec, input_size=input_size, model=fused)
    an.variant = "fused"
    return an


def display_name(an: Analysis) -> str:
    """ "repvgg_a0 (fused)" for a variant, the model's name otherwise."""
    variant = an.variant
    return f"{an.spec.name} (fused)" if variant == "fused" else an.spec.name


def variant_name(an: Analysis) -> str:
    """The name that builds ``an`` again: "repvgg_a0+fused" or "repvgg_a0"."""
    return an.spec.name + (FUSED if an.variant == "fused" else "")
