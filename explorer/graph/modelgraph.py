"""The traced graph's record (:class:`ModelGraph`), readable without torch.

:mod:`explorer.graph.trace` makes one from a model; :mod:`explorer.graph.stored` makes one
from the analysis cache, before torch is imported, so that the window can draw a network
while the libraries load. Only :attr:`ModelGraph.gm` needs torch (imported when first read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx
    from torch import fx, nn


@dataclass
class ModelGraph:
    """A traced model: the operation graph plus what is known of its modules.

    Attributes
    ----------
    g
        ``networkx.DiGraph``; node attributes: ``op`` (input, module, function, method,
        output), ``name`` (short operation name), ``target`` (module type or function
        name), ``module`` (qualname of the called module, or None), ``scope`` (block the
        node belongs to directly: the module itself for a module call), ``kind``,
        ``in_shapes``, ``out_shape``, ``params`` (own), ``macs``, ``hparams``, ``order``.
        Edge attribute ``shape`` (the tensor that flows) and ``kind`` (data, skip,
        branch, gate; set by :mod:`explorer.graph.blocks`).
    modules
        qualname -> module, for every module of the model (root ``""``); for a graph read
        from the analysis cache, a stand-in of each module called in the graph, holding what
        the operation counters read (:class:`explorer.graph.stored.StoredModule`).
    method
        ``"fx"`` or ``"hooks"`` (the fallback for models fx cannot trace).
    shape_method
        ``"rules"`` (shape rules), ``"meta"`` (a meta-device run) or ``"forward"``.
    """

    g: nx.DiGraph
    input_shape: tuple[int, ...]
    modules: dict[str, nn.Module]
    param_owner_numel: dict[str, int]
    total_params: int
    trainable_params: int
    method: str
    shape_method: str = "rules"
    fx_graph: fx.Graph | None = None
    root: nn.Module | None = None
    trace_error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    _subtree_params: dict[str, int] | None = field(default=None, repr=False)
    _gm: fx.GraphModule | None = field(default=None, repr=False)

    @property
    def gm(self) -> fx.GraphModule | None:
        """The traced module (made on first use: code generation costs ~20 ms)."""
        if self._gm is None and self.fx_graph is not None and self.root is not None:
            from torch import fx

            self._gm = fx.GraphModule(self.root, self.fx_graph, type(self.root).__name__)
        return self._gm

    @property
    def total_macs(self) -> int:
        return sum(int(d.get("macs", 0)) for _, d in self.g.nodes(data=True))

    def module_params(self, qualname: str) -> int:
        """Unique parameters of a module and its children (shared weights counted once)."""
        if self._subtree_params is None:
            self._subtree_params = subtree_param_counts(self.param_owner_numel)
        return self._subtree_params.get(qualname, 0)


def subtree_param_counts(owners: dict[str, int]) -> dict[str, int]:
    """qualname -> parameters of that module and all below it (each parameter once)."""
    acc: dict[str, int] = {}
    for owner, n in owners.items():
        acc[""] = acc.get("", 0) + n
        if owner:
            parts = owner.split(".")
            for i in range(1, len(parts) + 1):
                key = ".".join(parts[:i])
                acc[key] = acc.get(key, 0) + n
    return acc
