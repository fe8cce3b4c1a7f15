"""Lesion sweeps (Veit et al. 2016): one block deleted at a time (with prefix caching),
k random blocks deleted together, and blocks of equal shapes reordered (Qt-free).

Each sweep hands its independent evaluations to an executor
(:mod:`explorer.runtime.executor`): in this process (the default) or on Ray workers. A single
sweep's units are shards of the data (each shard walks the intact chain once and runs every
deletion from where it starts), a random sweep's are deletion sets, a reorder sweep's are
orders of the segments; the intact network is unit 0 of the last two. Every worker gets the
chain (the network) and the data once; the results come back as counts (:class:`Tally`),
merged here in the data's order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.runtime.evaluate import (
    Batches,
    EvalResult,
    Tally,
    forward_failed,
    quiet,  # noqa: F401 - the sweeps' callers run them with it
)
from explorer.runtime.executor import InProcess, Work
from explorer.studies.lesion.surgery import (
    Chain,
    Deletion,
    LesionedModel,
    LesionError,
    chain_for,
    deletable_units,
    plan_deletion,
)

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis

#: a shard of a single sweep on Ray holds about this many of a worker's share of the batches
#: (several shards per worker: the faster ones take more, and the progress moves)
SHARDS_PER_WORKER = 4


@dataclass
class Lesions:
    """What every worker of a sweep needs once: the chain (the network), the evaluation
    batches (``batches()`` in this process; a list on Ray workers) and, for a single sweep,
    the deletions, each made alone."""

    chain: Chain
    batches: Any
    plans: Sequence[Deletion] = ()
    prefix_cache: bool = True


@dataclass
class _State:
    lesions: Lesions
    device: Any
    intact: LesionedModel
    variants: list[LesionedModel]
    starts: list[int | None]


def lesions_setup(p: Lesions, device: Any) -> _State:
    """A worker's state: the network on ``device`` in eval mode and, for a single sweep, each
    deletion's network built once."""
    chain = p.chain
    if chain.root is not None:
        chain.root.eval().to(device)
    variants = [chain.lesioned([d]) for d in p.plans]
    for v in variants:
        v.eval().to(device)
    starts = [chain.segment_of(d) for d in p.plans]
    return _State(p, device, chain.lesioned([]).eval().to(device), variants, starts)


def _forward(model: Any, x: Any, i: int | None = None) -> Any:
    from explorer.errors import ExplorerError

    try:
        return model(x) if i is None else model.run_from(i, x)
    except ExplorerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user's model can raise anything
        raise forward_failed(exc) from None


def _shard(state: _State, unit: Any) -> list[tuple[Any, Any]]:
    """A unit's batches: ``range`` of the kept list, or one batch ``(x, y)`` itself."""
    kept = state.lesions.batches
    return list(kept[unit.start : unit.stop]) if isinstance(unit, range) else [unit]


def single_unit(state: _State, unit: Any) -> list[Tally]:
    """One shard through the intact network and every single deletion: [intact, each]."""
    import torch

    base = Tally()
    tallies = [Tally() for _ in state.variants]
    dev = state.device
    with torch.inference_mode():
        for x, y in _shard(state, unit):
            x = x.to(dev)
            if state.lesions.prefix_cache:
                # walk the intact chain once; at each segment, run the deletions starting there
                h = x
                for i, seg in enumerate(state.intact.segments):
                    for j, s in enumerate(state.starts):
                        if s == i:
                            tallies[j].add(_forward(state.variants[j], h.clone(), i), y)
                        elif s is None and i == 0:
                            tallies[j].add(_forward(state.variants[j], x), y)
                    h = _forward(LesionedModel([seg]), h)
                base.add(h, y)
            else:
                base.add(_forward(state.intact, x), y)
                for j, v in enumerate(state.variants):
                    tallies[j].add(_forward(v, x), y)
    return [base, *tallies]


def _all_batches(state: _State) -> Any:
    b = state.lesions.batches
    return b() if callable(b) else b


def _tally(state: _State, model: Any) -> Tally:
    import torch

    t = Tally()
    with torch.inference_mode():
        for x, y in _all_batches(state):
            t.add(_forward(model, x.to(state.device)), y, batch=x.shape[0])
    return t


def deleted_unit(state: _State, unit: Sequence[Deletion]) -> Tally:
    """The whole data through the network with ``unit``'s blocks deleted ([]: intact)."""
    chain = state.lesions.chain
    model = chain.lesioned(list(unit)).eval().to(state.device) if unit else state.intact
    return _tally(state, model)


def order_unit(state: _State, unit: Sequence[int] | None) -> Tally:
    """The whole data through the segments in order ``unit`` (None: intact)."""
    if unit is None:
        return _tally(state, state.intact)
    chain = state.lesions.chain
    model = LesionedModel([chain.module(i) for i in unit], chain.root).eval().to(state.device)
    return _tally(state, model)


def _executor(executor: Any, device: Any) -> Any:
    return executor if executor is not None else InProcess(device)


def _kept(ex: Any, batches: Batches) -> Any:
    """In this process the batches are read as they go; workers elsewhere get them kept."""
    return batches if isinstance(ex, InProcess) else list(batches())


def single_sweep(
    an: Analysis,
    batches: Batches,
    n: int,
    blocks: Sequence[str] | None = None,
    device: Any = "cpu",
    prefix_cache: bool = True,
    executor: Any = None,
) -> Any:
    """Generator: each block deleted alone (Veit et al. Fig. 3).

    Yields (fraction, message, partial results); returns (intact EvalResult, [EvalResult]).
    With ``prefix_cache`` the activations before each deleted block are computed once per
    batch and reused; without, every deletion re-runs the whole network (for comparison).
    """
    blocks = list(blocks) if blocks is not None else deletable_units(an)
    plans = [plan_deletion(an, b) for b in blocks]
    ex = _executor(executor, device)
    kept = _kept(ex, batches)
    if isinstance(ex, InProcess):
        units: Any = (b for b in batches())  # one batch a unit, read as it goes
    else:
        share = max(1, -(-len(kept) // (SHARDS_PER_WORKER * max(ex.workers, 1))))
        units = [range(i, min(i + share, len(kept))) for i in range(0, len(kept), share)]
    work = Work(lesions_setup, single_unit, Lesions(chain_for(an), kept, plans, prefix_cache))
    running = [Tally() for _ in range(len(plans) + 1)]
    got: dict[int, list[Tally]] = {}
    for u, tallies in ex.map(work, units):
        got[u] = tallies
        for r, t in zip(running, tallies, strict=True):
            r.merge(t)
        done = running[0].n
        partial = [t.result([b]) for t, b in zip(running[1:], blocks, strict=True)]
        yield done / max(n, 1), f"{done} of {n} images, {len(blocks)} deletions", partial
    final = [Tally() for _ in range(len(plans) + 1)]  # in the data's order
    for u in sorted(got):
        for r, t in zip(final, got[u], strict=True):
            r.merge(t)
    intact_res = final[0].result()
    return intact_res, [
        t.result([b], intact_res.preds) for t, b in zip(final[1:], blocks, strict=True)
    ]


def _results(
    ex: Any, work: Work, units: Sequence[Any]
) -> Iterator[tuple[int, EvalResult | None, dict[int, Tally]]]:
    """Run ``units`` (unit 0: the intact network); yields (units done, the intact result once
    known, the tallies by unit so far)."""
    got: dict[int, Tally] = {}
    intact: EvalResult | None = None
    for u, tally in ex.map(work, units):
        got[u] = tally
        if u == 0:
            intact = tally.result()
        yield len(got), intact, got


def random_sweep(
    an: Analysis,
    batches: Batches,
    n: int,
    k_max: int,
    trials: int = 5,
    seed: int = 0,
    device: Any = "cpu",
    blocks: Sequence[str] | None = None,
    executor: Any = None,
) -> Any:
    """Generator: k random blocks deleted together, k = 1..k_max, ``trials`` each (Fig. 5a).

    Returns (intact, {k: [EvalResult, ...]}).
    """
    import random

    units = list(blocks) if blocks is not None else deletable_units(an)
    k_max = min(k_max, len(units))
    rng = random.Random(seed)
    sets: list[tuple[int, list[str]]] = []
    for k in range(1, k_max + 1):
        for _t in range(trials):
            sets.append((k, sorted(rng.sample(units, k), key=units.index)))
    todo: list[list[Deletion]] = [[]]
    todo += [[plan_deletion(an, b) for b in chosen] for _k, chosen in sets]
    ex = _executor(executor, device)
    work = Work(lesions_setup, deleted_unit, Lesions(chain_for(an), _kept(ex, batches)))
    out: dict[int, list[EvalResult]] = {}
    intact: EvalResult | None = None
    for count, intact, got in _results(ex, work, todo):
        out = _by_k(sets, got, intact)
        yield count / len(todo), f"{count} of {len(todo)} networks evaluated", out
    assert intact is not None
    return intact, out


def _by_k(
    sets: list[tuple[int, list[str]]], got: dict[int, Tally], intact: EvalResult | None
) -> dict[int, list[EvalResult]]:
    out: dict[int, list[EvalResult]] = {}
    if intact is None:
        return out
    for u, (k, chosen) in enumerate(sets, start=1):
        if u in got:
            out.setdefault(k, []).append(got[u].result(chosen, intact.preds))
    return out


def kendall_tau(perm: Sequence[int]) -> float:
    """Kendall's tau between ``perm`` and the identity order (1: unchanged, -1: reversed)."""
    n = len(perm)
    if n < 2:
        return 1.0
    conc = disc = 0
    for i in range(n):
        for j in range(i + 1, n):
            if perm[i] < perm[j]:
                conc += 1
            else:
                disc += 1
    return (conc - disc) / (n * (n - 1) / 2)


def _span(an: Analysis, chain: Chain, block_id: str) -> tuple[int, int] | None:
    """The first and last segment that compute a block's nodes."""
    g = an.graph.g
    segs = {
        chain.where[g.nodes[n]["fx"]]
        for n in an.tree.blocks[block_id].nodes  # its subtree's nodes
        if g.nodes[n].get("fx") in chain.where
    }
    return (min(segs), max(segs)) if segs else None


def reorder_groups(an: Analysis, chain: Chain) -> list[list[tuple[int, int]]]:
    """Runs of adjacent identity-shortcut blocks (equal input and output shapes), each block
    as the span of segments (first, last) that computes it."""
    spans = []
    for u in deletable_units(an):
        b = an.tree.blocks[u]
        if b.kind == "residual" and b.motif is not None and b.motif.shortcut == "identity":
            sp = _span(an, chain, u)
            if sp is not None:
                spans.append(sp)
    groups: list[list[tuple[int, int]]] = []
    for sp in sorted(spans):
        if groups and groups[-1][-1][1] == sp[0] - 1:
            groups[-1].append(sp)
        else:
            groups.append([sp])
    return [g for g in groups if len(g) > 1]


def reorder_sweep(
    an: Analysis,
    batches: Batches,
    n: int,
    trials: int = 10,
    seed: int = 0,
    device: Any = "cpu",
    executor: Any = None,
) -> Any:
    """Generator: blocks of equal shapes swapped (Fig. 5b). Returns (intact, [(tau, EvalResult)]).

    Within each run of identity-shortcut blocks, ``d`` random swaps of neighbours are made for
    increasing ``d``, and the accuracy is reported against Kendall's tau of the whole order.
    """
    import random

    chain = chain_for(an)
    groups = reorder_groups(an, chain)
    if not groups:
        raise LesionError(f"{an.spec.name}: no run of interchangeable blocks to reorder")
    rng = random.Random(seed)
    taus: list[float] = []
    todo: list[list[int] | None] = [None]
    movable = sum(len(g) for g in groups)
    for t in range(trials):
        orders = [list(range(len(g))) for g in groups]  # per group: which block goes where
        swaps = 1 + (t * movable) // max(trials, 1)
        for _ in range(swaps):
            k = rng.randrange(len(groups))
            i = rng.randrange(len(orders[k]) - 1)
            orders[k][i], orders[k][i + 1] = orders[k][i + 1], orders[k][i]
        segs = list(range(len(chain.segments)))
        for grp, order in zip(groups, orders, strict=True):
            start, end = grp[0][0], grp[-1][1]
            segs[start : end + 1] = [i for j in order for i in range(grp[j][0], grp[j][1] + 1)]
        todo.append(segs)
        flat = [i + sum(len(g) for g in groups[:k]) for k, o in enumerate(orders) for i in o]
        taus.append(kendall_tau(flat))
    ex = _executor(executor, device)
    work = Work(lesions_setup, order_unit, Lesions(chain, _kept(ex, batches)))
    out: list[tuple[float, EvalResult]] = []
    intact: EvalResult | None = None
    for count, intact, got in _results(ex, work, todo):
        if intact is not None:
            out = [(taus[u - 1], got[u].result([], intact.preds)) for u in sorted(got) if u]
        yield count / len(todo), f"{count - 1} of {trials} orders evaluated", out
    assert intact is not None
    return intact, out
