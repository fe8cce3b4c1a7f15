"""The Analysis: a built model with its traced graph and block tree, and how to make one."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from explorer.graph.blocks import BlockTree, build_blocks
from explorer.graph.modelgraph import ModelGraph
from explorer.models.registry import ModelSpec


@dataclass
class Analysis:
    """A built model with its graph and block tree.

    ``model`` is None for an analysis read from the analysis cache
    (:mod:`explorer.graph.stored`): its graph can be drawn, but nothing can run on it.
    """

    spec: ModelSpec
    model: Any
    graph: ModelGraph
    tree: BlockTree
    variant: str | None = None  # "fused": a RepVGG network's deploy form (explorer.app.variants)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.graph.input_shape

    @property
    def built(self) -> bool:
        """Whether the model is here (False: a stored graph, drawn while torch loads)."""
        return self.model is not None


def input_shape_for(spec: ModelSpec, input_size: int | None = None) -> tuple[int, int, int, int]:
    """(1, C, H, W) for the spec, with H = W = ``input_size`` when given."""
    c, h, w = spec.input_size
    if input_size is not None:
        h = w = int(input_size)
    return (1, c, h, w)


def analyze(spec: ModelSpec, input_size: int | None = None, model: Any = None) -> Analysis:
    """Build (unless given), trace and group a model."""
    if model is None:
        model = spec.build()
    mg = traced(spec, model, input_shape_for(spec, input_size))
    return Analysis(spec=spec, model=model, graph=mg, tree=build_blocks(mg))


def traced(spec: ModelSpec, model: Any, shape: tuple[int, ...]) -> ModelGraph:
    """:func:`build_graph`, where a failure caused by the input's size is said as such
    ("vgg16 needs at least 32x32 input; got 16x16")."""
    from explorer.graph.trace import TraceError, build_graph

    try:
        return build_graph(model, shape)
    except TraceError:
        native = spec.input_size
        if tuple(shape[-2:]) != tuple(native[-2:]):
            from explorer.graph.fit import wrong_size

            better = wrong_size(spec.name, model, shape, native)
            if better is not None:
                raise better from None
        raise


def analyze_steps(
    name: str, input_size: int | None = None
) -> Generator[tuple[float, str], None, Analysis]:
    """:func:`analyze` as a generator of (fraction done, what is happening); returns the Analysis.

    Meant for a worker thread: the first step imports torch.
    """
    from explorer.models.registry import get

    yield 0.0, "looking up " + name
    spec = get(name)
    yield 0.05, "importing torch"
    import torch  # noqa: F401 - timm and torchvision come with the builders that need them

    yield 0.4, f"building {spec.name}"
    model = spec.build()
    yield 0.7, "tracing and grouping"
    mg = traced(spec, model, input_shape_for(spec, input_size))
    yield 0.9, "naming block kinds"
    tree = build_blocks(mg)
    return Analysis(spec=spec, model=model, graph=mg, tree=tree)
