"""Training a small network on digits, reproducibly on the CPU (Qt-free).

:func:`train` is a generator: it yields a :class:`Step` after every batch and an
:class:`Epoch` after every epoch, and returns a :class:`TrainResult` (``StopIteration.value``;
:func:`run_training` drives it and collects it). A ``KeyboardInterrupt`` (Ctrl+C) stops it
between batches and keeps the last completed epoch.

Reproducibility: the model's initialisation, the order of the batches and the augmentation all
come from ``seed``; the run uses ``threads`` CPU threads (default 1) and torch's deterministic
algorithms, so the same command on the same torch build gives the same bytes. (Another thread
count may change the last bits: reductions are then summed in another order.)

Checkpoints are stored compactly (:func:`pack_state_dict`): float tensors in float16 (BN
running statistics too), the BN step counters dropped, and where that is still over 2 MB the
largest weights in 8 bits; :func:`explorer.models.checkpoint.read_state_dict` reads them back.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.files import atomic_path
from explorer.graph.counting import count_params
from explorer.runtime.datasets import digits
from explorer.runtime.evalset import DataError, EvalSet

if TYPE_CHECKING:
    import torch
    from torch import nn

    from explorer.models.registry import ModelSpec
    from explorer.runtime.preprocess import Preprocess

#: the largest checkpoint the program ships
MAX_CHECKPOINT_BYTES = 2_000_000


@dataclass
class TrainConfig:
    """The settings of one training run (all recorded in the curve file)."""

    data: str = "digits"
    epochs: int = 15
    seed: int = 0
    lr: float = 0.05
    batch_size: int = 32
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str = "cosine"  # "cosine" (per step, to 0) or "step" (x0.1 at 50 % and 75 %)
    augment: bool = True  # random shifts of up to `shift` pixels
    shift: int = 2
    threads: int = 1

    def check(self) -> None:
        if self.data.split(":")[0].lower() != "digits":
            raise DataError(
                f"training data '{self.data}': only digits is supported (its fixed train split)"
            )
        if self.epochs <= 0 or self.batch_size <= 0 or self.threads <= 0:
            raise ValueError("epochs, batch size and threads must be positive")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number, not {self.lr}")
        if self.schedule not in ("cosine", "step"):
            raise ValueError(f"unknown schedule '{self.schedule}'; choose cosine or step")


@dataclass
class Step:
    """Progress inside an epoch."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float  # running mean over the epoch so far


@dataclass
class Epoch:
    """One finished epoch. Train figures are running means over the epoch (train mode,
    augmented); test figures are measured afterwards in eval mode."""

    epoch: int
    train_loss: float
    train_top1: float
    test_loss: float
    test_top1: float
    lr: float
    seconds: float


@dataclass
class TrainResult:
    model: Any  # nn.Module, in eval mode, holding the last completed epoch's weights
    history: list[Epoch]
    seconds: float
    params: int
    stopped_early: bool = False
    #: the last completed epoch's state_dict
    state: dict[str, Any] = field(default_factory=dict)


def evaluate(model: nn.Module, es: EvalSet, batch_size: int = 256) -> tuple[float, float]:
    """Mean cross-entropy and top-1 accuracy in % of ``model`` (put in eval mode) on ``es``."""
    import torch
    import torch.nn.functional as F

    model.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.inference_mode():
        for x, y in es.batches(batch_size):
            if y is None:
                raise DataError(f"{es.name}: has no labels")
            out = model(x)
            loss += float(F.cross_entropy(out, y, reduction="sum"))
            correct += int((out.argmax(1) == y).sum())
            n += len(y)
    if n == 0:
        raise DataError(f"{es.name}: no image could be read")
    return loss / n, 100.0 * correct / n


def _shifted(x: torch.Tensor, fill: torch.Tensor, shift: int, g: torch.Generator) -> torch.Tensor:
    """Each image moved by up to ``shift`` px in x and y; uncovered pixels are ``fill`` (black)."""
    import torch
    import torch.nn.functional as F

    b, _, h, w = x.shape
    s = shift
    padded = F.pad(x - fill, (s, s, s, s)) + fill
    offs = torch.randint(0, 2 * s + 1, (b, 2), generator=g)
    return torch.stack(
        [padded[i, :, dy : dy + h, dx : dx + w] for i, (dy, dx) in enumerate(offs.tolist())]
    )


def _tensors(es: EvalSet) -> tuple[torch.Tensor, torch.Tensor]:
    import torch

    xs, ys = zip(*es.batches(1024), strict=True)
    return torch.cat(xs), torch.cat(ys)  # type: ignore[arg-type]


def _lr_at(cfg: TrainConfig, step: int, total: int) -> float:
    if cfg.schedule == "cosine":
        return 0.5 * cfg.lr * (1.0 + math.cos(math.pi * step / total))
    frac = step / total
    return cfg.lr * (0.01 if frac >= 0.75 else 0.1 if frac >= 0.5 else 1.0)


def train(
    spec: ModelSpec, cfg: TrainConfig, prep: Preprocess | None = None
) -> Generator[Step | Epoch, None, TrainResult]:
    """Train ``spec``'s model from a seeded initialisation on digits' train split.

    Yields a :class:`Step` per batch and an :class:`Epoch` per epoch; returns the
    :class:`TrainResult`. The test split is only evaluated, never trained on or selected by.
    A ``KeyboardInterrupt`` (raised inside, or thrown in at a yield) ends the run with the
    last completed epoch's weights and ``stopped_early`` set; before the first epoch ends
    it propagates.
    """
    import torch
    import torch.nn.functional as F

    from explorer.runtime.preprocess import preprocess_for

    cfg.check()
    prep = prep or preprocess_for(spec)
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(cfg.threads)
    torch.use_deterministic_algorithms(True)
    try:
        torch.manual_seed(cfg.seed)
        model = spec.build().train()
        test_set = digits("test", prep)
        x_all, y_all = _tensors(digits("train", prep))
        g = torch.Generator().manual_seed(cfg.seed)
        black = [(0.0 - m) / s for m, s in zip(prep.mean, prep.std, strict=True)]
        fill = torch.tensor(black).view(1, -1, 1, 1)
        opt = torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad],
            lr=cfg.lr,
            momentum=cfg.momentum,
            weight_decay=cfg.weight_decay,
        )
        n = len(y_all)
        steps = math.ceil(n / cfg.batch_size)
        total = steps * cfg.epochs
        result = TrainResult(model, [], 0.0, count_params(model))
        start = time.perf_counter()
        try:
            for epoch in range(1, cfg.epochs + 1):
                t0 = time.perf_counter()
                model.train()
                order = torch.randperm(n, generator=g)
                loss_sum, correct, seen, lr = 0.0, 0, 0, cfg.lr
                for k in range(steps):
                    idx = order[k * cfg.batch_size : (k + 1) * cfg.batch_size]
                    x, y = x_all[idx], y_all[idx]
                    if cfg.augment and cfg.shift > 0:
                        x = _shifted(x, fill, cfg.shift, g)
                    lr = _lr_at(cfg, (epoch - 1) * steps + k, total)
                    for group in opt.param_groups:
                        group["lr"] = lr
                    out = model(x)
                    loss = F.cross_entropy(out, y)
                    value = float(loss.detach())
                    if not math.isfinite(value):
                        raise FloatingPointError(
                            f"the loss became {value} at epoch {epoch}; try a smaller --lr"
                        )
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    loss_sum += value * len(y)
                    correct += int((out.detach().argmax(1) == y).sum())
                    seen += len(y)
                    yield Step(epoch, cfg.epochs, k + 1, steps, loss_sum / seen)
                test_loss, test_top1 = evaluate(model, test_set)
                ep = Epoch(
                    epoch=epoch,
                    train_loss=loss_sum / seen,
                    train_top1=100.0 * correct / seen,
                    test_loss=test_loss,
                    test_top1=test_top1,
                    lr=lr,
                    seconds=time.perf_counter() - t0,
                )
                result.history.append(ep)
                result.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                yield ep
        except KeyboardInterrupt:
            if not result.history:
                raise
            result.stopped_early = True
            model.load_state_dict(result.state)  # the last completed epoch
        model.eval()
        result.seconds = time.perf_counter() - start
        return result
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def run_training(
    gen: Generator[Step | Epoch, None, TrainResult],
    on_progress: Callable[[Step | Epoch], object] | None = None,
) -> TrainResult:
    """Drive :func:`train` to its end, calling ``on_progress(item)`` for each yield.

    A ``KeyboardInterrupt`` (Ctrl+C), wherever it lands, ends the run as :func:`train`
    describes.
    """
    try:
        while True:
            try:
                item = next(gen)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if on_progress is not None:
                on_progress(item)
    except KeyboardInterrupt:
        if gen.gi_frame is None:  # raised inside and propagated: no epoch had finished
            raise
        try:
            gen.throw(KeyboardInterrupt())
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        gen.close()
        raise


# --- storing -------------------------------------------------------------------------------------


def pack_state_dict(
    state: dict[str, torch.Tensor], max_bytes: int = MAX_CHECKPOINT_BYTES
) -> dict[str, torch.Tensor]:
    """The state_dict as stored: float tensors as float16 (BN running statistics too, where
    they stay finite), the BN step counters dropped.

    Where that is still over ``max_bytes``, the largest weight tensors (their float16
    values) are stored as int8 with one float32 scale per output channel (``NAME#q8`` and
    ``NAME#q8scale``), largest first, until it fits;
    :func:`explorer.models.checkpoint.read_state_dict` restores them.
    """
    import torch

    from explorer.models.checkpoint import Q8_SCALE_SUFFIX, Q8_SUFFIX

    out: dict[str, torch.Tensor] = {}
    for k, v in state.items():
        if k.endswith("num_batches_tracked"):
            continue
        v = v.detach().to("cpu")
        if v.is_floating_point():
            half = v.to(torch.float16)
            if bool(torch.isfinite(half).all()) or not bool(torch.isfinite(v).all()):
                v = half
        out[k] = v.contiguous().clone()
    # torch.save adds a zip record of ~100-200 bytes per tensor and aligns data to 64 bytes
    budget = max_bytes - 4096 - 256 * (len(out) + 8)

    def size() -> int:
        return sum(t.numel() * t.element_size() for t in out.values())

    big = sorted(
        (k for k, v in out.items() if v.is_floating_point() and v.ndim >= 2),
        key=lambda k: -out[k].numel(),
    )
    for k in big:
        if size() + 256 * 2 <= budget:
            break
        w = out.pop(k).float()
        scale = w.abs().amax(dim=tuple(range(1, w.ndim))).clamp_min(1e-12) / 127.0
        view = scale.view(-1, *([1] * (w.ndim - 1)))
        out[k + Q8_SUFFIX] = torch.round(w / view).clamp(-127, 127).to(torch.int8)
        out[k + Q8_SCALE_SUFFIX] = scale
    return out


def write_checkpoint(
    state: dict[str, torch.Tensor],
    path: str | os.PathLike[str],
    max_bytes: int = MAX_CHECKPOINT_BYTES,
) -> int:
    """Write the packed state_dict with ``torch.save`` straight to ``path`` (a temporary file
    of :func:`explorer.files.atomic_path` with ``keep_name``); returns its size in bytes."""
    import torch

    torch.save(pack_state_dict(state, max_bytes), path)
    return Path(path).stat().st_size


def save_checkpoint(
    state: dict[str, torch.Tensor],
    path: str | os.PathLike[str],
    max_bytes: int = MAX_CHECKPOINT_BYTES,
) -> int:
    """Write the packed state_dict to ``path`` through a temporary file (an interrupted write
    leaves the old file); returns the file's size in bytes.

    ``torch.save`` records the file's name inside the archive: the temporary file is named
    so that the bytes are those of ``path`` (the same state, the same name, the same file).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(p, keep_name=True) as tmp:
        write_checkpoint(state, tmp, max_bytes)
    return p.stat().st_size


def curve_dict(
    spec: ModelSpec,
    cfg: TrainConfig,
    result: TrainResult,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON record of a run: settings, per-epoch history, final figures."""
    import torch

    last = result.history[-1] if result.history else None
    d: dict[str, Any] = {
        "model": spec.name,
        "data": cfg.data,
        "epochs": len(result.history),
        "epochs_planned": cfg.epochs,
        "seed": cfg.seed,
        "settings": asdict(cfg),
        "optimizer": "SGD (momentum, weight decay on all parameters)",
        "torch": torch.__version__,
        "history": [
            {
                "epoch": e.epoch,
                "train_loss": round(e.train_loss, 5),
                "train_top1": round(e.train_top1, 3),
                "test_loss": round(e.test_loss, 5),
                "test_top1": round(e.test_top1, 3),
                "lr": round(e.lr, 6),
                "seconds": round(e.seconds, 2),
            }
            for e in result.history
        ],
        "test_top1": round(last.test_top1, 3) if last else None,
        "params": result.params,
        "seconds": round(result.seconds, 1),
        "stopped_early": result.stopped_early,
    }
    d.update(extra or {})
    return d


def stored_accuracy(spec: ModelSpec, path: str | os.PathLike[str]) -> dict[str, float]:
    """Loss and top-1 on digits' train (eval mode, no augmentation) and test splits of the
    checkpoint as stored (float16 read back as float32)."""
    from explorer.models.checkpoint import load_checkpoint
    from explorer.runtime.preprocess import preprocess_for

    model = spec.builder()
    load_checkpoint(model, path)
    prep = preprocess_for(spec)  # as training saw them (3 channels for a colour network)
    train_loss, train_top1 = evaluate(model, digits("train", prep))
    test_loss, test_top1 = evaluate(model, digits("test", prep))
    return {
        "stored_train_loss": round(train_loss, 5),
        "stored_train_top1": round(train_top1, 3),
        "stored_test_loss": round(test_loss, 5),
        "stored_test_top1": round(test_top1, 3),
    }
