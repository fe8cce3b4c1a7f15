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
from explorer.runtime.preprocess import Preprocess, check_input, to_batch

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
    skipped_files
        Files skipped as unreadable so far, each once (it grows while :meth:`batches` runs):
        their name (a folder's: relative to it, ``cat/broken.png``) -> why.
    problems
        The first few skipped files' messages.
    origin
        The file or folder the images come from, for messages (default: ``name``).
    """

    name: str
    n: int
    classes: list[str] | None
    labels: np.ndarray | None
    load: Callable[[int, int], tuple[torch.Tensor, torch.Tensor | None]] = field(repr=False)
    skipped_files: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    origin: str = ""

    @property
    def skipped(self) -> int:
        """How many files were skipped as unreadable (so far)."""
        return len(self.skipped_files)

    def skip(self, name: str, why: str, message: str) -> None:
        """Record an unreadable file (once, however many times it is met)."""
        if name not in self.skipped_files:
            self.skipped_files[name] = why
            if len(self.problems) < 5:
                self.problems.append(message)

    def batches(
        self, batch_size: int, limit: int | None = None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Yield ``(x, y)``: float ``[B, C, H, W]`` inputs and int64 ``[B]`` labels (or None).

        Images are loaded and preprocessed one batch at a time, in a fixed order; with
        ``limit``, no more images than that are loaded (an unreadable file costs one more).
        Raises :class:`DataError` when the images read were all unreadable.
        """
        if batch_size <= 0:
            raise ValueError(f"batch size must be positive, not {batch_size}")
        left = self.n if limit is None else min(self.n, limit)
        start = 0
        read = 0
        while start < self.n and left > 0:
            stop = min(self.n, start + min(batch_size, left))
            x, y = self.load(start, stop)
            start = stop
            if len(x):
                read += len(x)
                left -= len(x)
                yield x, y
        if not read and self.skipped_files:
            self._none_readable()

    def _none_readable(self) -> None:
        first, why = next(iter(self.skipped_files.items()))
        more = len(self.skipped_files) - 1
        also = f" (and {more} more unreadable file{'s' if more > 1 else ''})" if more else ""
        raise DataError(f"no readable image in {self.origin or self.name}: {first}: {why}{also}")


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
            check_input(prep.channels, prep.size, len(chunk))
            x = torch.empty(len(chunk), prep.channels, prep.size, prep.size)
            t = torch.from_numpy(np.ascontiguousarray(chunk))
            t = t.unsqueeze(1) if chunk.ndim == 3 else t.permute(0, 3, 1, 2)
            x.copy_(t.expand(-1, prep.channels, -1, -1) if t.shape[1] != prep.channels else t)
            x.div_(255.0).sub_(mean).div_(std)  # in place: no other float copy
        else:
            x = to_batch([from_array(a, name, name) for a in chunk], prep)
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
