"""Checking a fusion: output equivalence, BatchNorm calibration for random weights, timing.

Qt-free; used by :mod:`explorer.studies.fusion.repvgg` and re-exported there.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from explorer.errors import ExplorerError
from explorer.runtime.inference import timed
from explorer.runtime.probes import logits_of


class FusionCheckError(ExplorerError):
    """The fused and unfused networks' outputs cannot be compared (they are not finite)."""


def check_equivalence(a: nn.Module, b: nn.Module, x: torch.Tensor) -> dict[str, float]:
    """Largest difference of the outputs of ``a`` and ``b`` on ``x`` (eval mode, inference).

    ``max_rel_diff`` is ``max|a(x) - b(x)| / max|a(x)|``: relative to the output's scale, so
    that it means the same for logits of size 1 and of size 1000.
    """
    modes = a.training, b.training
    a.eval()
    b.eval()
    try:
        with torch.inference_mode():
            ya = logits_of(a(x.clone())).double()
            yb = logits_of(b(x.clone())).double()
    finally:
        a.train(modes[0])
        b.train(modes[1])
    for name, y in (("before", ya), ("after", yb)):
        bad = int((~torch.isfinite(y)).sum())
        if bad:
            raise FusionCheckError(
                f"the check failed: {bad} of {y.numel()} outputs {name} fusion are not finite "
                "(NaN or infinity), so no difference can be measured; the weights hold "
                "non-finite values or overflow"
            )
    diff = float((ya - yb).abs().max())
    scale = float(ya.abs().max())
    rel = diff / scale if scale > 0 else (0.0 if diff == 0 else float("inf"))
    return {"max_abs_diff": diff, "max_rel_diff": rel}


def calibrate_bn(
    model: nn.Module,
    n_batches: int = 4,
    batch: int = 8,
    size: int | tuple[int, int] = 224,
    seed: int = 0,
    channels: int = 3,
    affine: bool = True,
) -> int:
    """Give every BatchNorm non-trivial statistics (and affine parameters) from noise inputs.

    Why: a freshly built model's BatchNorms hold mean 0, var 1, gamma 1, beta 0 (timm's RepVGG
    blocks: gamma ~ N(0.1, 0.1)), so each is nearly the identity and folding it changes almost
    nothing; an equivalence check would then pass even with wrong maths (a forgotten mean
    term, a wrong eps). With ``affine`` gamma ~ U(0.5, 1.5) and beta ~ N(0, 0.2) are drawn,
    then ``n_batches`` forward passes of N(0, 1) noise in train mode with ``momentum=None``
    (a cumulative average) record the running mean and variance each BatchNorm really
    sees, which also keeps the activations at unit scale through the depth, so that a
    relative error means something. Only for random weights: it overwrites trained ones.

    The model is left in eval mode; returns the number of BatchNorms calibrated.
    """
    gen = torch.Generator().manual_seed(seed)
    h, w = (size, size) if isinstance(size, int) else size
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]
    momenta = [bn.momentum for bn in bns]
    try:
        with torch.no_grad():
            for bn in bns:
                if affine and bn.affine:
                    n = bn.num_features
                    bn.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                    bn.bias.copy_(torch.randn(n, generator=gen) * 0.2)
                bn.reset_running_stats()
                bn.momentum = None
            model.train()
            for _ in range(n_batches):
                model(torch.randn(batch, channels, h, w, generator=gen).to(device))
    finally:
        for bn, m in zip(bns, momenta, strict=True):
            bn.momentum = m
        model.eval()
    return len(bns)


def compare_latency(
    models: Mapping[str, nn.Module],
    x: torch.Tensor,
    repeats: int = 10,
    warmup: int = 2,
    record: dict[str, list[float]] | None = None,
) -> dict[str, float]:
    """Median milliseconds of one forward pass of each model on ``x``, measured interleaved.

    Each round runs every model once (the order reversed every other round), so that noise
    from other processes falls on all of them alike. Eval mode and inference mode. Every
    time is also appended to ``record[name]`` when ``record`` is given.
    """
    items = list(models.items())
    modes = [m.training for _, m in items]
    times: dict[str, list[float]] = {k: [] for k, _ in items}
    try:
        with torch.inference_mode():
            for _, m in items:
                m.eval()
            for _ in range(warmup):
                for _, m in items:
                    m(x)
            for i in range(repeats):
                for name, m in items if i % 2 == 0 else items[::-1]:
                    times[name].append(timed(lambda m=m: m(x), x.device) * 1e3)
    finally:
        for (_, m), mode in zip(items, modes, strict=True):
            m.train(mode)
        if record is not None:
            for k, v in times.items():
                record.setdefault(k, []).extend(v)
    return {k: statistics.median(v) for k, v in times.items()}


def latency_ms(model: nn.Module, x: torch.Tensor, repeats: int = 10, warmup: int = 2) -> float:
    """Median milliseconds of one forward pass of ``model`` on ``x`` (see compare_latency)."""
    return compare_latency({"model": model}, x, repeats, warmup)["model"]
