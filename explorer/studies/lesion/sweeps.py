"""Lesion sweeps (Veit et al. 2016): one block deleted at a time (with prefix caching),
k random blocks deleted together, and blocks of equal shapes reordered (Qt-free)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from explorer.runtime.evaluate import Batches, EvalResult, Tally, evaluate, quiet
from explorer.studies.lesion.surgery import (
    Chain,
    LesionedModel,
    LesionError,
    chain_for,
    deletable_units,
    plan_deletion,
)

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis


def single_sweep(
    an: Analysis,
    batches: Batches,
    n: int,
    blocks: Sequence[str] | None = None,
    device: Any = "cpu",
    prefix_cache: bool = True,
) -> Any:
    """Generator: each block deleted alone (Veit et al. Fig. 3).

    Yields (fraction, message, partial results); returns (intact EvalResult, [EvalResult]).
    With ``prefix_cache`` the activations before each deleted block are computed once per
    batch and reused; without, every deletion re-runs the whole network (for comparison).
    """
    import torch

    blocks = list(blocks) if blocks is not None else deletable_units(an)
    chain = chain_for(an)
    plans = [plan_deletion(an, b) for b in blocks]
    segs = [chain.segment_of(d) for d in plans]
    variants = [chain.lesioned([d]) for d in plans]
    intact = chain.lesioned([])
    tallies = [Tally() for _ in plans]
    base = Tally()
    done = 0
    with torch.inference_mode():
        for x, y in batches():
            x = x.to(device)
            if prefix_cache:
                # walk the intact chain once; at each segment, run the deletions that start there
                h = x
                for i, seg in enumerate(intact.segments):
                    for j, s in enumerate(segs):
                        if s == i:
                            tallies[j].add(variants[j].run_from(i, h.clone()), y)
                        elif s is None and i == 0:
                            tallies[j].add(variants[j](x), y)
                    h = seg(h)
                base.add(h, y)
            else:
                base.add(intact(x), y)
                for j, v in enumerate(variants):
                    tallies[j].add(v(x), y)
            done += x.shape[0]
            partial = [t.result([b]) for t, b in zip(tallies, blocks, strict=True)]
            yield done / max(n, 1), f"{done} of {n} images, {len(blocks)} deletions", partial
    intact_res = base.result()
    return intact_res, [
        t.result([b], intact_res.preds) for t, b in zip(tallies, blocks, strict=True)
    ]


def random_sweep(
    an: Analysis,
    batches: Batches,
    n: int,
    k_max: int,
    trials: int = 5,
    seed: int = 0,
    device: Any = "cpu",
    blocks: Sequence[str] | None = None,
) -> Any:
    """Generator: k random blocks deleted together, k = 1..k_max, ``trials`` each (Fig. 5a).

    Returns (intact, {k: [EvalResult, ...]}).
    """
    import random

    units = list(blocks) if blocks is not None else deletable_units(an)
    k_max = min(k_max, len(units))
    rng = random.Random(seed)
    chain = chain_for(an)
    intact_res = yield from evaluate(chain.lesioned([]), batches, n, device)
    out: dict[int, list[EvalResult]] = {}
    total = k_max * trials
    step = 0
    for k in range(1, k_max + 1):
        for _t in range(trials):
            chosen = sorted(rng.sample(units, k), key=units.index)
            model = chain.lesioned([plan_deletion(an, b) for b in chosen])
            gen = evaluate(model, batches, n, device, chosen, intact_res.preds)
            res = quiet(gen)
            out.setdefault(k, []).append(res)
            step += 1
            yield step / total, f"k = {k}: trial {_t + 1} of {trials}", out
    return intact_res, out


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
    intact_res = yield from evaluate(chain.lesioned([]), batches, n, device)
    base = [chain.module(i) for i in range(len(chain.segments))]
    out: list[tuple[float, EvalResult]] = []
    movable = sum(len(g) for g in groups)
    for t in range(trials):
        orders = [list(range(len(g))) for g in groups]  # per group: which block goes where
        swaps = 1 + (t * movable) // max(trials, 1)
        for _ in range(swaps):
            k = rng.randrange(len(groups))
            i = rng.randrange(len(orders[k]) - 1)
            orders[k][i], orders[k][i + 1] = orders[k][i + 1], orders[k][i]
        segs = list(range(len(base)))
        for grp, order in zip(groups, orders, strict=True):
            start, end = grp[0][0], grp[-1][1]
            segs[start : end + 1] = [i for j in order for i in range(grp[j][0], grp[j][1] + 1)]
        model = LesionedModel([base[i] for i in segs], chain.root)
        res = quiet(evaluate(model, batches, n, device, [], intact_res.preds))
        flat = [i + sum(len(g) for g in groups[:k]) for k, o in enumerate(orders) for i in o]
        out.append((kendall_tau(flat), res))
        yield (t + 1) / trials, f"order {t + 1} of {trials}", out
    return intact_res, out
