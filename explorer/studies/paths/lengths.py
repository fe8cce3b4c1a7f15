"""Path lengths: how many paths of each length a network of n residual blocks has, the
gradient each length carries to the input (sampled as Veit et al. 2016 measure it, section
5), the total each length contributes, and the shortest range of lengths that holds most of
it (the "effective paths", Fig. 6)."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from explorer.studies.paths.routing import PathsError, Router, input_gradient

#: the share of the total gradient the effective range holds
EFFECTIVE_SHARE = 0.9
MAX_SAMPLES = 100_000


def num_paths(n: int) -> list[int]:
    """C(n, k) for k = 0 .. n: the paths through k residual branches (and n - k skips)."""
    return [math.comb(n, k) for k in range(n + 1)]


def effective_range(
    contribution: Sequence[float | None], share: float = EFFECTIVE_SHARE
) -> tuple[int, int] | None:
    """The shortest range of lengths [lo, hi] whose contributions sum to at least ``share``
    of the total (of the ranges that short, the one holding the most); None when a length
    has no value yet or the total is not positive."""
    if any(c is None for c in contribution):
        return None
    vals = [float(c) for c in contribution]  # type: ignore[arg-type]
    total = sum(vals)
    if not vals or not math.isfinite(total) or total <= 0:
        return None
    need = share * total
    best: tuple[int, int] | None = None
    best_sum = -1.0
    for width in range(1, len(vals) + 1):
        for lo in range(len(vals) - width + 1):
            s = sum(vals[lo : lo + width])
            if s >= need * (1 - 1e-12) and s > best_sum:
                best, best_sum = (lo, lo + width - 1), s
        if best is not None:
            return best
    return None


def subsets(n: int, k: int, samples: int, rng: random.Random) -> list[tuple[int, ...]]:
    """The sets of k blocks (of n) whose paths are measured: all of them when there are no
    more than ``samples`` (the mean is then exact), else ``samples`` drawn uniformly at
    random (with repetition)."""
    if math.comb(n, k) <= samples:
        return list(itertools.combinations(range(n), k))
    return [tuple(sorted(rng.sample(range(n), k))) for _ in range(samples)]


@dataclass
class PathLengths:
    """The path-length distribution of one network, complete or (as a partial result) in
    progress: ``grad_sum[k]`` sums, over the measured paths of length k and the images seen,
    the norm of each image's gradient at the input; ``count[k]`` counts those terms.
    ``samples[k]``: the paths of length k measured per batch of images."""

    model: str
    weights: str
    data: str
    n_images: int
    blocks: list[str]
    shortcuts: list[str]
    seed: int
    samples_per_length: int
    samples: list[int]
    grad_sum: list[float]
    count: list[int]
    images_done: int = 0
    labels: str = "labels of the data set"
    elapsed_s: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    @property
    def lengths(self) -> list[int]:
        return list(range(self.n_blocks + 1))

    @property
    def num_paths(self) -> list[int]:
        return num_paths(self.n_blocks)

    @property
    def grad_norm(self) -> list[float | None]:
        """The mean gradient norm at the input of one path of each length (None: none
        measured yet)."""
        return [s / c if c else None for s, c in zip(self.grad_sum, self.count, strict=True)]

    @property
    def contribution(self) -> list[float | None]:
        """The number of paths of each length times their mean gradient norm."""
        return [
            None if g is None else p * g
            for p, g in zip(self.num_paths, self.grad_norm, strict=True)
        ]

    @property
    def effective(self) -> tuple[int, int] | None:
        return effective_range(self.contribution)

    @property
    def complete(self) -> bool:
        return self.images_done >= self.n_images and all(self.count)

    def snapshot(self) -> PathLengths:
        """A copy the UI thread may keep while the sampling goes on."""
        return replace(
            self,
            samples=list(self.samples),
            grad_sum=list(self.grad_sum),
            count=list(self.count),
        )

    def as_json(self) -> dict[str, Any]:
        """The ``paths --json`` object (a length without a sample: null)."""

        def plain(v: Sequence[float | None]) -> list[float | None]:
            return [None if x is None or not math.isfinite(x) else float(x) for x in v]

        eff = self.effective
        return {
            "model": self.model,
            "weights": self.weights,
            "data": {
                "name": self.data,
                "n": self.n_images,
                **({"skipped": list(self.skipped)} if self.skipped else {}),
            },
            "n_blocks": self.n_blocks,
            "blocks": list(self.blocks),
            "lengths": self.lengths,
            "num_paths": self.num_paths,
            "grad_norm": plain(self.grad_norm),
            "contribution": plain(self.contribution),
            "effective": list(eff) if eff is not None else None,
            "samples": list(self.samples),
        }


Batch = tuple[torch.Tensor, torch.Tensor | None]


def sample(
    router: Router,
    batches: Iterable[Batch],
    result: PathLengths,
    *,
    scores: Callable[[Any, int], torch.Tensor] | None = None,
) -> Generator[tuple[float, str, PathLengths | None], None, PathLengths]:
    """Measure the gradient per path length on ``batches`` (on the router's device), adding
    to ``result``; yields (fraction of the work done, message, snapshot or None) after every
    path, with a snapshot once a length is done. For each batch: one forward pass through the
    whole network, then, for each length k, a backward pass per path of :func:`subsets`
    (drawn from ``result.seed``, the same sets for every batch), each giving every image's
    gradient norm at the input.

    The loss is each image's cross-entropy against its label (a set without labels: the
    network's own top-1 class), summed, so that an image's gradient is its own loss's."""
    import torch.nn.functional as F

    n = result.n_blocks
    if n != len(router.units):
        raise PathsError("the result and the router count different blocks")
    rng = random.Random(result.seed)
    sets = [subsets(n, k, result.samples_per_length, rng) for k in range(n + 1)]
    result.samples = [len(s) for s in sets]
    # a path through k branches costs about k branches' backward passes (and one more for
    # the layers every path shares): the progress counts that work, not the paths
    per_batch = sum(len(s) * (k + 1) for k, s in enumerate(sets))
    total = max(1, result.n_images) * per_batch
    done = 0
    for x, y in batches:
        b = int(x.shape[0])
        x = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            out = router(x)
            logits = scores(out, b) if scores is not None else out
            target = y if y is not None else logits.detach().argmax(dim=1)
            loss = F.cross_entropy(logits.float(), target.to(logits.device), reduction="sum")
            for k in range(n + 1):
                for m, chosen in enumerate(sets[k]):
                    grad = input_gradient(router, x, loss, chosen)
                    norms = grad.detach().flatten(1).double().norm(dim=1)
                    result.grad_sum[k] += float(norms.sum())
                    result.count[k] += b
                    done += b * (k + 1)
                    last = m + 1 == len(sets[k])
                    # after every path (a cancel waits for one backward pass at most), with a
                    # snapshot once a length is done
                    yield (
                        done / total,
                        f"images {result.images_done + 1}-{result.images_done + b}: paths of "
                        f"length {k} of {n}",
                        result.snapshot() if last else None,
                    )
        result.images_done += b
        if y is None:
            result.labels = "the network's own top-1 class (the images have no labels)"
        del loss, out, logits
    return result


def empty(
    model: str,
    weights: str,
    data: str,
    n_images: int,
    blocks: Sequence[str],
    shortcuts: Sequence[str],
    samples: int,
    seed: int,
) -> PathLengths:
    """A result with nothing measured yet."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise PathsError(f"--samples {samples}: give 1 to {MAX_SAMPLES:,} paths per length")
    n = len(blocks)
    return PathLengths(
        model=model,
        weights=weights,
        data=data,
        n_images=n_images,
        blocks=list(blocks),
        shortcuts=list(shortcuts),
        seed=seed,
        samples_per_length=samples,
        samples=[0] * (n + 1),
        grad_sum=[0.0] * (n + 1),
        count=[0] * (n + 1),
    )
