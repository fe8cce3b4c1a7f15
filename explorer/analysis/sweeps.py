"""Lesion sweeps (Veit et al. 2016): one block deleted at a time (with prefix caching),
k random blocks deleted together, and blocks of equal shapes reordered (Qt-free)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from explorer.analysis.evaluate import Batches, EvalResult, Tally, evaluate, quiet
from explorer.analysis.lesion import (
    Chain,
    LesionedModel,
    LesionError,
    deletable_units,
    plan_deletion,
)

if TYPE_CHECKING:
    from explorer.core.summary import Analysis


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
    chain = Chain(an)
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
    chain = Chain(an)
    intact_res = yield from evaluate(chain.lesioned([]), batches, n, device)
    out: dict[int, list[EvalResult]] = {}
    total = k_max * trials
    step = 0
    for k in range(1, k_max + 1):
        for _t in range(trials):
            chosen = sorted(rng.sample(units, k), key=units.index)
            model = chain.lesioned([plan_deletion(an, b) for b in chosen])
            gen = evaluate(model, batches, n, device, chosen, intact_res.preds)
            res = yield from quiet(gen)
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


def reorder_groups(an: Analysis, chain: Chain) -> list[list[int]]:
    """Runs of consecutive segments that are whole blocks with equal input and output shapes."""
    units = {u for u in deletable_units(an) if an.tree.blocks[u].kind == "residual"}
    seg_of_unit: dict[int, str] = {}
    for u in units:
        d = plan_deletion(an, u)
        s = chain.segment_of(d)
        b = an.tree.blocks[u]
        mo = b.motif
        if s is not None and mo is not None and mo.shortcut == "identity":
            seg_of_unit[s] = u
    groups: list[list[int]] = []
    for s in sorted(seg_of_unit):
        if groups and groups[-1][-1] == s - 1:
            groups[-1].append(s)
        else:
            groups.append([s])
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

    chain = Chain(an)
    groups = reorder_groups(an, chain)
    if not groups:
        raise LesionError(f"{an.spec.name}: no run of interchangeable blocks to reorder")
    rng = random.Random(seed)
    order = list(range(len(chain.segments)))
    intact_res = yield from evaluate(chain.lesioned([]), batches, n, device)
    base = [chain.module(i) for i in order]
    out: list[tuple[float, EvalResult]] = []
    movable = sum(len(g) for g in groups)
    for t in range(trials):
        perm = list(order)
        swaps = 1 + (t * movable) // max(trials, 1)
        for _ in range(swaps):
            grp = rng.choice(groups)
            i = rng.randrange(len(grp) - 1)
            a, b = grp[i], grp[i + 1]
            perm[a], perm[b] = perm[b], perm[a]
        model = LesionedModel([base[i] for i in perm], chain.root)
        res = yield from quiet(evaluate(model, batches, n, device, [], intact_res.preds))
        out.append((kendall_tau([perm[i] for g in groups for i in g]), res))
        yield (t + 1) / trials, f"order {t + 1} of {trials}", out
    return intact_res, out
