"""An evaluation set: labelled images, preprocessed batch by batch (Qt-free).

Every set is an :class:`EvalSet`: a name, a size, class names, and :meth:`EvalSet.batches`,
which yields preprocessed float tensors ``[B, C, H, W]`` and int64 labels. Images go through
the same preprocessing as a single image does (:func:`explorer.runtime.preprocess.to_tensor`),
so an accuracy here and a ``predict`` of one image agree. Where the sets come from is
:mod:`explorer.runtime.datasets`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from explorer.errors import ExplorerError
from explorer.runtime.images import from_array
from explorer.runtime.preprocess import Preprocess, to_tensor

if TYPE_CHECKING:
    import torch


class DataError(ExplorerError, ValueError):
    """An evaluation set that cannot be used; ``str()`` is one line for the user."""


@dataclass
class EvalSet:
    """A labelled (or unlabelled) set of images, preprocessed batch by batch.

    Attributes
    ----------
    name
        For the user: ``"digits (test)"``, ``"folder: /path"``, ``"cifar10-test.npz"`` ...
    n
        Number of images (for a folder: of image files; unreadable ones are skipped).
    classes
        Names of the label indices, or ``None``.
    labels
        All labels (int64, ``n``), or ``None`` for an unlabelled set.
    skipped
        Files skipped as unreadable so far (grows while :meth:`batches` runs).
    problems
        The first few skipped files' messages.
    """

    name: str
    n: int
    classes: list[str] | None
    labels: np.ndarray | None
    load: Callable[[int, int], tuple[torch.Tensor, torch.Tensor | None]] = field(repr=False)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def batches(self, batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Yield ``(x, y)``: float ``[B, C, H, W]`` inputs and int64 ``[B]`` labels (or None).

        Images are loaded and preprocessed one batch at a time, in a fixed order.
        """
        if batch_size <= 0:
            raise ValueError(f"batch size must be positive, not {batch_size}")
        for start in range(0, self.n, batch_size):
            x, y = self.load(start, min(self.n, start + batch_size))
            if len(x):
                yield x, y


# --- arrays --------------------------------------------------------------------------------------


def _label_tensor(labels: np.ndarray | None, start: int, stop: int) -> torch.Tensor | None:
    import torch

    if labels is None:
        return None
    return torch.from_numpy(np.ascontiguousarray(labels[start:stop], dtype=np.int64))


def array_loader(
    images: np.ndarray, labels: np.ndarray | None, prep: Preprocess, name: str
) -> Callable[[int, int], tuple[torch.Tensor, torch.Tensor | None]]:
    """Batches of an (N, H, W) or (N, H, W, C) uint8 array, preprocessed as single images are.

    Where nothing but scaling is needed (the size already fits, grey to grey, RGB to RGB or
    grey repeated to RGB) the batch is computed at once; otherwise image by image with PIL.
    """
    import torch

    n, h, w = images.shape[:3]
    c = images.shape[3] if images.ndim == 4 else 1
    direct = h == w == prep.size == prep.resize and (c == prep.channels or c == 1)
    mean = torch.tensor(prep.mean, dtype=torch.float32).view(1, -1, 1, 1)
    std = torch.tensor(prep.std, dtype=torch.float32).view(1, -1, 1, 1)

    def load(start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        chunk = images[start:stop]
        if direct:
            t = torch.from_numpy(np.ascontiguousarray(chunk)).float() / 255.0
            t = t.unsqueeze(1) if chunk.ndim == 3 else t.permute(0, 3, 1, 2)
            if t.shape[1] != prep.channels:
                t = t.expand(-1, prep.channels, -1, -1)
            x = ((t - mean) / std).contiguous()
        else:
            x = torch.stack(
                [to_tensor(from_array(a, name, name), prep) for a in chunk]  # type: ignore[arg-type]
            )
        return x, _label_tensor(labels, start, stop)

    return load


def check_labels(y: np.ndarray, n: int, what: str, num_outputs: int | None) -> np.ndarray:
    """``y`` as int64 class indices for ``n`` images, or the :class:`DataError` saying why not."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise DataError(f"{what}: y must hold one label per image ({n}), not shape {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.rint(y)):
            y = y.astype(np.int64)
        else:
            raise DataError(f"{what}: y must hold integer class indices, not {y.dtype}")
    y = y.astype(np.int64)
    if len(y) and y.min() < 0:
        raise DataError(f"{what}: negative class index {int(y.min())} in y")
    if num_outputs is not None and len(y) and y.max() >= num_outputs:
        raise DataError(
            f"{what}: class index {int(y.max())} in y does not fit the model's "
            f"{num_outputs} outputs"
        )
    return y


def check_fits(es: EvalSet, num_outputs: int, model: str | None = None) -> None:
    """Raise :class:`DataError` when a label of ``es`` is not an output of the model."""
    if es.labels is None or not len(es.labels):
        return
    top = int(es.labels.max())
    if top >= num_outputs:
        who = f"{model}'s" if model else "the model's"
        raise DataError(
            f"an evaluation set whose classes do not fit the model: {es.name} has class "
            f"index {top}, {who} outputs are 0..{num_outputs - 1}"
        )
