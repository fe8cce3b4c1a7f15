"""Accuracy and agreement of a network on an evaluation set, as a generator (Qt-free)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.errors import ExplorerError, first_line, log_unexpected, one_line

if TYPE_CHECKING:
    import torch


class ModelError(ExplorerError, TypeError):
    """A model that fails in its forward pass, or whose output is not class scores
    ``[batch, classes]``: one line for the user (the traceback goes to the log)."""


def class_scores(out: Any, batch: int | None = None) -> torch.Tensor:
    """``out`` if it is a ``[batch, classes]`` tensor (at least one class), else
    :class:`ModelError` saying what the model returned instead."""
    import torch

    want = f"[{batch if batch is not None else 'batch'}, classes]"
    if not isinstance(out, torch.Tensor):
        raise ModelError(
            f"the model returned {type(out).__name__}, not a tensor of class scores {want}"
        )
    if out.ndim != 2 or out.shape[1] < 1 or (batch is not None and out.shape[0] != batch):
        raise ModelError(
            f"the model returned a tensor of shape {tuple(out.shape)}, not class scores {want}"
        )
    return out


def forward_failed(exc: BaseException) -> ModelError:
    """``the forward pass failed: <reason>`` for an error raised inside a model (its
    traceback kept in the log); torch's own errors (RuntimeError) need no class name."""
    log_unexpected(exc, "the forward pass")
    reason = first_line(exc) if isinstance(exc, RuntimeError) else one_line(exc)
    return ModelError(f"the forward pass failed: {reason}")


@dataclass
class EvalResult:
    """Accuracy of one network on one evaluation set (percentages; loss per image)."""

    n: int
    top1: float | None
    top5: float | None
    loss: float | None
    preds: Any  # numpy int array [n]: the predicted class per image
    agreement: float | None = None  # % of images predicted as the intact network does
    deleted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # unreadable files -> why (not in n)

    def as_dict(self) -> dict[str, Any]:
        d = {"top1": self.top1, "top5": self.top5, "loss": self.loss}
        if self.deleted or self.agreement is not None:
            d = {"deleted": list(self.deleted), **d, "agreement": self.agreement}
        return d


class Tally:
    """Running counts of one network's answers."""

    def __init__(self) -> None:
        self.n = 0
        self.c1 = 0
        self.c5 = 0
        self.loss = 0.0
        self.labelled = 0
        self.preds: list[Any] = []

    def add(self, logits: torch.Tensor, y: torch.Tensor | None, batch: int | None = None) -> None:
        """Count one batch's answers; :class:`ModelError` when ``logits`` are not class scores
        (``[batch, classes]``; ``batch`` defaults to the labels' count)."""
        import torch

        if batch is None and y is not None:
            batch = len(y)
        logits = class_scores(logits, batch).float()
        bad = int((~torch.isfinite(logits)).any(1).sum())
        if bad:  # an argmax of NaN is no answer: never counted as one
            raise ModelError(
                f"the model's outputs are not finite (NaN or infinity) for {bad} of "
                f"{logits.shape[0]} images: no accuracy can be measured (are the weights "
                "finite?)"
            )
        self.preds.append(logits.argmax(1).cpu())
        self.n += logits.shape[0]
        if y is not None:
            y = y.to(logits.device)
            k = min(5, logits.shape[1])
            top = logits.topk(k, dim=1).indices
            self.c1 += int((top[:, 0] == y).sum())
            self.c5 += int((top == y[:, None]).any(1).sum())
            self.loss += float(torch.nn.functional.cross_entropy(logits, y, reduction="sum"))
            self.labelled += logits.shape[0]

    def merge(self, other: Tally) -> Tally:
        """``other``'s counts added to these (its images after these ones); returns self."""
        self.n += other.n
        self.c1 += other.c1
        self.c5 += other.c5
        self.loss += other.loss
        self.labelled += other.labelled
        self.preds.extend(other.preds)
        return self

    def result(self, deleted: Sequence[str] = (), intact: Any = None) -> EvalResult:
        import numpy as np
        import torch

        preds = torch.cat(self.preds).numpy() if self.preds else np.zeros(0, dtype=int)
        lab = self.labelled
        res = EvalResult(
            n=self.n,
            top1=100.0 * self.c1 / lab if lab else None,
            top5=100.0 * self.c5 / lab if lab else None,
            loss=self.loss / lab if lab else None,
            preds=preds,
            deleted=list(deleted),
        )
        if intact is not None and len(intact) == len(preds) and len(preds):
            res.agreement = 100.0 * float((intact == preds).mean())
        return res


Batches = Callable[[], Iterable[tuple[Any, Any]]]


def first_images(es: Any, limit: int | None, batch_size: int) -> tuple[Batches, int]:
    """(batches of the first ``limit`` images of evaluation set ``es``, how many that is at
    most: files found unreadable while reading are skipped and not counted)."""
    n = es.n if limit is None else min(es.n, limit)

    def batches() -> Iterable[tuple[Any, Any]]:
        left = n
        for x, y in es.batches(batch_size, limit=n):
            if left <= 0:
                return
            k = min(left, x.shape[0])
            left -= k
            yield x[:k], (y[:k] if y is not None else None)

    return batches, n


def evaluate(
    model: Any,
    batches: Batches,
    n: int,
    device: Any = "cpu",
    deleted: Sequence[str] = (),
    intact_preds: Any = None,
) -> Any:
    """Generator: yields (fraction done, message); returns an :class:`EvalResult`.

    ``batches()`` gives (x, y) pairs (y may be None: no labels), ``n`` images in all (for the
    progress: the result's ``n`` is the number evaluated). A model that fails, or returns
    anything but class scores, raises :class:`ModelError`.
    """
    import torch

    tally = Tally()
    with torch.inference_mode():
        for x, y in batches():
            try:
                out = model(x.to(device))
            except ExplorerError:
                raise
            except Exception as exc:  # noqa: BLE001 - a user's model can raise anything
                raise forward_failed(exc) from None
            tally.add(out, y, batch=x.shape[0])
            yield tally.n / max(n, 1), f"evaluated {tally.n} of {n} images"
    return tally.result(deleted, intact_preds)


def quiet(gen: Any) -> Any:
    """Run a sub-generator without passing its progress on; return its value."""
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value
