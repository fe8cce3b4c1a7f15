"""The residual blocks along a network's main path, and the network rebuilt so that the
gradient of a backward pass can be let through only some of their branches.

Each block's sum ``branch + skip`` is replaced by :class:`RoutedSum`: its forward value is the
same sum (bit for bit), and its backward pass sends the incoming gradient to the branch, to the
skip connection, or to both, as :attr:`Router.gates` say at the moment of the backward pass. One
forward pass then serves many backward passes, each through another set of branches: the
gradient of one path of the unraveled view (Veit et al. 2016, section 5). A shortcut that is
not an identity (a projection, or the CIFAR ResNets' subsample-and-pad) belongs to the skip
path, as in the paper.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from torch import fx

    from explorer.graph.analysis import Analysis


class PathsError(ExplorerError, ValueError):
    """A network whose paths cannot be counted or sampled: one line for the user."""


@dataclass(frozen=True)
class ResidualUnit:
    """One residual block on the main path: its id, the fx names of its sum and of the two
    operands (``branch``: the residual branch's output; ``skip``: the shortcut's output, the
    block's input for an identity), and its shortcut (identity, projection, parameter-free)."""

    id: str
    merge: str
    branch: str
    skip: str
    shortcut: str


def residual_units(an: Analysis) -> list[ResidualUnit]:
    """The residual blocks along the main path, in order (downsampling blocks too): a block
    whose sum is where one tensor carries everything forward. Residual blocks nested in
    another's branch, or inside a parallel branch, are not on the main path. PathsError for a
    network without any (a plain network has one path) or one torch.fx cannot trace."""
    from explorer.studies.lesion.surgery import cut_points

    name = an.spec.name
    graph = an.graph.fx_graph
    residual = [b for b in an.tree.blocks.values() if b.kind == "residual" and b.executed]
    if not residual:
        raise PathsError(
            f"{name} has no residual blocks: its one path is the network itself "
            "(give a residual network: resnet20, resnet56 ...)"
        )
    if graph is None:
        raise PathsError(f"{name}: the paths are counted only in a model torch.fx can trace")
    on_path = {n.name for n in cut_points(graph)}
    nodes = {n.name: n for n in graph.nodes}
    g = an.graph.g
    units: list[ResidualUnit] = []
    for b in sorted(residual, key=lambda b: b.order):
        mo = b.motif
        if mo is None or len(mo.operands) != 2:
            continue
        merge, branch, skip = (g.nodes[n].get("fx") for n in (mo.merge, *mo.operands))
        if merge not in on_path or merge not in nodes:
            continue
        args = [a.name for a in nodes[merge].args if hasattr(a, "name")]
        if sorted(args) != sorted([branch, skip]) or len(nodes[merge].args) != 2:
            raise PathsError(
                f"{name}: the sum of {b.id} is not branch + shortcut in the traced graph"
            )
        if nodes[merge].kwargs:  # torch.add(branch, x, alpha=3): a weighted sum
            keys = ", ".join(f"{k}=" for k in nodes[merge].kwargs)
            raise PathsError(
                f"{name}: the sum of {b.id} is weighted ({keys}), not branch + shortcut: its "
                "paths are not counted"
            )
        units.append(ResidualUnit(b.id, merge, branch, skip, mo.shortcut or "identity"))
    if not units:
        raise PathsError(
            f"{name}: none of its {len(residual)} residual blocks is on the main path "
            "(each sits inside another block's branch)"
        )
    if len(units) > MAX_BLOCKS:
        raise PathsError(
            f"{name}: {len(units)} residual blocks on the main path; the paths are counted "
            f"for up to {MAX_BLOCKS} (2^{MAX_BLOCKS} paths)"
        )
    return units


#: C(n, k) times a gradient must stay a float: 2^1000 is near float64's largest
MAX_BLOCKS = 1000


class RoutedSum(torch.autograd.Function):
    """``branch + skip``; the gradient goes on to the operands ``gates[i]`` lets through
    (read when the backward pass runs)."""

    @staticmethod
    def forward(ctx: Any, branch: torch.Tensor, skip: torch.Tensor, gates: Any, i: int) -> Any:
        ctx.gates, ctx.i = gates, i
        ctx.shapes = (branch.shape, skip.shape)
        return branch + skip

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> Any:
        through_branch, through_skip = ctx.gates[ctx.i]
        outs = []
        for through, shape in zip((through_branch, through_skip), ctx.shapes, strict=True):
            if not through:
                outs.append(None)
            else:
                outs.append(grad if grad.shape == shape else grad.sum_to_size(shape))
        return outs[0], outs[1], None, None


class _Sum(nn.Module):
    """The module the traced graph calls in place of a residual block's sum."""

    def __init__(self, gates: list[tuple[bool, bool]], i: int) -> None:
        super().__init__()
        self.gates, self.i = gates, i

    def forward(self, branch: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return RoutedSum.apply(branch, skip, self.gates, self.i)  # type: ignore[no-any-return]


class Router:
    """A traced network whose residual sums route the gradient.

    ``module(x)`` computes what the network computes; :meth:`through` sets, for the backward
    passes that follow, which blocks pass the gradient through their residual branch (the
    others through their skip connection only); :meth:`full` lets it through both everywhere
    (the ordinary gradient). ``copy_model``: the network's modules are copied first, so the
    network shown elsewhere is never touched.
    """

    def __init__(self, an: Analysis, units: Sequence[ResidualUnit], *, copy_model: bool = False):
        from torch import fx

        graph = an.graph.fx_graph
        if graph is None:
            raise PathsError(f"{an.spec.name}: the paths are counted only in a traced model")
        root = copy.deepcopy(an.graph.root) if copy_model else an.graph.root
        self.units = list(units)
        self.gates: list[tuple[bool, bool]] = [(True, True)] * len(self.units)
        new = fx.Graph()
        env: dict[fx.Node, fx.Node] = {}
        out = new.graph_copy(graph, env)
        new.output(out)
        by_name = {n.name: n for n in new.nodes}
        owner: dict[str, Any] = {}
        for n in new.nodes:
            if n.op in ("call_module", "get_attr"):
                owner[str(n.target)] = _attr(root, str(n.target))
        for i, u in enumerate(self.units):
            node = by_name[u.merge]
            target = f"paths_routed_sum_{i}"
            owner[target] = _Sum(self.gates, i)
            with new.inserting_after(node):
                routed = new.call_module(target, (by_name[u.branch], by_name[u.skip]))
            node.replace_all_uses_with(routed)
            new.erase_node(node)
            # a block whose input is this sum (no ReLU between: pre-activation, ``out += x``)
            # takes the routed sum as its skip
            by_name[u.merge] = routed
        new.lint()
        self.module = fx.GraphModule(owner, new, "Routed")
        self.root = root

    def full(self) -> None:
        """The ordinary gradient: through every branch and every skip connection."""
        self.gates[:] = [(True, True)] * len(self.units)

    def through(self, chosen: Iterable[int]) -> None:
        """One path: the gradient through the branches of the blocks ``chosen`` (indices
        into :attr:`units`) and through the skip connections of all the others."""
        picked = set(chosen)
        self.gates[:] = [(i in picked, i not in picked) for i in range(len(self.units))]

    def __call__(self, x: torch.Tensor) -> Any:
        return self.module.forward(x)


def _attr(root: nn.Module, target: str) -> Any:
    obj: Any = root
    for part in target.split("."):
        obj = getattr(obj, part)
    return obj


def input_gradient(
    router: Router, x: torch.Tensor, loss: torch.Tensor, chosen: Iterable[int]
) -> torch.Tensor:
    """The gradient of ``loss`` (computed from ``router(x)``, its graph kept) at the input
    ``x`` through the one path that takes the branches of the blocks ``chosen`` and the skip
    connections of the others; zeros where nothing reaches the input."""
    router.through(chosen)
    try:
        (grad,) = torch.autograd.grad(loss, x, retain_graph=True, allow_unused=True)
    finally:
        router.full()
    return torch.zeros_like(x) if grad is None else grad
