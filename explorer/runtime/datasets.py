"""Where the labelled image sets to evaluate (and train) a model on come from (Qt-free).

Each source gives an :class:`~explorer.runtime.evalset.EvalSet`: scikit-learn's digits (a
fixed, seeded, stratified split), a folder of class sub-folders (ImageFolder layout), a ``.npz``
file of arrays, and torchvision's CIFAR-10 and MNIST test splits (downloaded only when asked and
the network answers). :func:`open_eval_set` picks the source a user's reference names.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from explorer.errors import first_line
from explorer.files import FileError, regular_input
from explorer.limits import LimitError, check_bytes
from explorer.runtime.evalset import DataError, EvalSet, array_loader, check_fits, check_labels
from explorer.runtime.images import SUPPORTED_SUFFIXES, ImageError, is_image_file, load_image
from explorer.runtime.preprocess import Preprocess, check_input, to_tensor

if TYPE_CHECKING:
    import torch

    from explorer.models.registry import ModelSpec

#: the preprocessing of the small digits models: 1x32x32, mean 0.5, std 0.5
DIGITS_PREP = Preprocess(size=32, resize=32, mean=(0.5,), std=(0.5,), channels=1)
#: digits held out for testing: 20 % of 1,797, stratified by class
DIGITS_TEST_SIZE = 360
#: where cifar10/mnist are looked for when no root is given
DATA_ENV = "CNN_EXPLORER_DATA"

_SYNSET = re.compile(r"^n\d{8}$")
_TV_SETS = {
    "cifar10": ("CIFAR-10", "CIFAR10", "https://www.cs.toronto.edu/"),
    "mnist": ("MNIST", "MNIST", "https://ossci-datasets.s3.amazonaws.com/"),
}
_REFS = (
    "digits, digits:train, a folder of class sub-folders, a .npz file, cifar10[:ROOT], mnist[:ROOT]"
)


# --- digits --------------------------------------------------------------------------------------


@functools.cache
def _digits_32() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as 32x32 uint8 images (as the digits samples are made), and labels."""
    from explorer.runtime.digits_file import load_digits_arrays

    images, target = load_digits_arrays()
    small = np.rint(images * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    big = np.stack(
        [np.asarray(Image.fromarray(a).resize((32, 32), Image.Resampling.BILINEAR)) for a in small]
    )
    return big, target.astype(np.int64)


@functools.cache
def digits_split(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of the fixed stratified split: 1,437 and 360 images."""
    from sklearn.model_selection import train_test_split

    _, y = _digits_32()
    idx = np.arange(len(y))
    train, test = train_test_split(
        idx, test_size=DIGITS_TEST_SIZE, stratify=y, random_state=seed, shuffle=True
    )
    return np.sort(train), np.sort(test)


def digits(split: str = "test", prep: Preprocess | None = None, seed: int = 0) -> EvalSet:
    """scikit-learn's digits: 8x8 scans (values 0..16) upsampled to 32x32, 10 classes.

    Parameters
    ----------
    split
        ``"train"`` (1,437 images) or ``"test"`` (360), from a stratified split that is the
        same every time (``seed`` fixes it; the bundled models used seed 0).
    prep
        The model's preprocessing (default: 1x32x32, mean 0.5, std 0.5, the small models'
        own). Pixels are scaled to [0, 1] and normalised with its mean and std; a 3-channel
        model gets the grey image repeated.
    """
    if split not in ("train", "test"):
        raise DataError(f"digits: unknown split '{split}'; choose train or test")
    prep = prep or DIGITS_PREP
    images, y = _digits_32()
    idx = digits_split(seed)[0 if split == "train" else 1]
    x, labels = images[idx], y[idx]
    return EvalSet(
        name=f"digits ({split})",
        n=len(idx),
        classes=[str(d) for d in range(10)],
        labels=labels,
        load=array_loader(x, labels, prep, "digits"),
    )


# --- .npz ----------------------------------------------------------------------------------------


def npz(
    path: str | os.PathLike[str],
    prep: Preprocess,
    num_outputs: int | None = None,
    limit: int | None = None,
) -> EvalSet:
    """A ``.npz`` file with ``x`` (N, H, W) or (N, H, W, C) uint8 and ``y`` (N,) class indices.

    An optional ``classes`` array names the classes. The file is read lazily: its zip
    directory and the arrays' headers say the shapes, and only the first ``limit`` images and
    labels are read (all without ``limit``), once their bytes are checked against the memory
    limit. Raises :class:`DataError` for a missing file or one that is not a regular file
    (checked before it is opened: a FIFO would block), a missing key, wrong shapes or types,
    an array of Python objects (never unpickled), or labels outside ``num_outputs``;
    :class:`~explorer.limits.LimitError` for more images than the limit allows.
    """
    p = Path(path)
    what = p.name
    try:
        regular_input(p)
    except FileError as exc:
        raise DataError(str(exc)) from None
    try:
        with zipfile.ZipFile(p) as zf:
            x, y, classes, total = _read_npz(zf, what, limit)
    except (DataError, LimitError):
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        # not a zip, a damaged member or header, a compression zipfile cannot read
        raise DataError(f"{what}: not a readable .npz file ({first_line(exc, 120)})") from None
    if x.ndim == 4 and x.shape[3] == 1:
        x = x[:, :, :, 0]
    labels = check_labels(y, len(x), what, num_outputs)
    if classes is not None and len(labels) and labels.max() >= len(classes):
        raise DataError(f"{what}: class index {int(labels.max())} but only {len(classes)} classes")
    return EvalSet(
        name=what if len(x) == total else f"{what} (first {len(x)} of {total})",
        n=len(x),
        classes=classes,
        labels=labels,
        load=array_loader(x, labels, prep, what),
        origin=str(p),
    )


@dataclass(frozen=True)
class _Member:
    """One array of a .npz: its zip entry and what its .npy header says."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    fortran: bool
    dtype: np.dtype[Any]
    offset: int  # where the data starts in the member


_WANTED = {"x": "a uint8 array", "y": "an integer array", "classes": "an array of strings"}


def _read_npz(
    zf: zipfile.ZipFile, what: str, limit: int | None
) -> tuple[np.ndarray, np.ndarray, list[str] | None, int]:
    """(the first ``limit`` images, their labels, the class names, the number of images)."""
    entries = {i.filename.removesuffix(".npy"): i for i in zf.infolist() if not i.is_dir()}
    missing = [k for k in ("x", "y") if k not in entries]
    if missing:
        raise DataError(
            f"{what}: no array '{missing[0]}' (it holds {', '.join(sorted(entries)) or 'nothing'}; "
            "expected x (N,H,W[,C]) uint8 and y (N,) labels)"
        )
    mx = _member(zf, entries["x"], what, "x")
    my = _member(zf, entries["y"], what, "y")
    mc = _member(zf, entries["classes"], what, "classes") if "classes" in entries else None
    shape = mx.shape
    if len(shape) not in (3, 4) or (len(shape) == 4 and shape[3] not in (1, 3)):
        raise DataError(f"{what}: x must be (N, H, W) or (N, H, W, C) with C 1 or 3, not {shape}")
    if mx.dtype != np.uint8:
        raise DataError(f"{what}: x must be uint8 (0..255), not {mx.dtype}")
    total = shape[0]
    if total == 0 or shape[1] == 0 or shape[2] == 0:
        raise DataError(f"{what}: holds no images (x has shape {shape})")
    if my.shape != (total,):
        raise DataError(f"{what}: y must hold one label per image ({total}), not shape {my.shape}")
    if my.dtype.kind not in "iuf":
        raise DataError(f"{what}: y must hold integer class indices, not {my.dtype}")
    k = total if limit is None else max(0, min(total, int(limit)))
    image = int(np.prod(shape[1:]))
    nbytes = (total if mx.fortran else k) * image + k * my.dtype.itemsize
    if mc is not None:
        nbytes += mc.info.file_size
    h, w = shape[1], shape[2]
    c = shape[3] if len(shape) == 4 else 1
    first = f"the first {k} of {total}" if k < total else str(total)
    check_bytes(nbytes, f"{what}: reading {first} images of {h}x{w}x{c} uint8")
    x = _rows(zf, mx, k, what, "x")
    y = _rows(zf, my, k, what, "y")
    classes = None
    if mc is not None:
        with zf.open(mc.info) as f:
            names = np.lib.format.read_array(f, allow_pickle=False)
        classes = [str(c) for c in np.asarray(names).reshape(-1).tolist()]
    return x, y, classes, total


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, key: str) -> _Member:
    """Read an array's .npy header only; refuse an array of Python objects (a pickle)."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise DataError(f"{what}: {key} is in .npy format {version[0]}.{version[1]}, not read")
        offset = f.tell()
    if dtype.hasobject:
        raise DataError(
            f"{what}: {key} holds Python objects (a pickled array), which are not read; "
            f"save {key} as {_WANTED[key]}"
        )
    m = _Member(info, tuple(int(d) for d in shape), bool(fortran), dtype, offset)
    need = int(np.prod(m.shape)) * dtype.itemsize
    if info.file_size < offset + need:
        raise DataError(
            f"{what}: not a readable .npz file ({key}'s header promises shape {m.shape} "
            f"but the file holds {max(info.file_size - offset, 0)} of its {need} bytes)"
        )
    return m


def _rows(zf: zipfile.ZipFile, m: _Member, k: int, what: str, key: str) -> np.ndarray:
    """The first ``k`` rows of an array: only their bytes are read (a Fortran-ordered array,
    whose rows are not contiguous, is read whole)."""
    with zf.open(m.info) as f:
        if m.fortran:
            return np.ascontiguousarray(np.lib.format.read_array(f, allow_pickle=False)[:k])
        f.seek(m.offset)
        row = int(np.prod(m.shape[1:])) * m.dtype.itemsize
        buf = bytearray(k * row)
        view = memoryview(buf)
        got = 0
        while got < len(buf):
            # in pieces: a compressed member's readinto makes a bytes copy of what it is asked
            n = f.readinto(view[got : got + (16 << 20)])
            if not n:
                raise DataError(f"{what}: not a readable .npz file ({key} is cut short)")
            got += n
    return np.frombuffer(buf, dtype=m.dtype).reshape((k, *m.shape[1:]))


# --- a folder of class sub-folders ---------------------------------------------------------------


@functools.cache
def imagenet_synsets() -> list[str]:
    """The 1,000 ImageNet-1k synset ids in the class order of torchvision and timm (sorted).

    Read offline from timm's bundled ``imagenet_synsets.txt``.
    """
    from timm.data import ImageNetInfo

    return list(ImageNetInfo().label_names())


def _images_in(folder: Path) -> list[Path]:
    return sorted(f for f in folder.iterdir() if is_image_file(f))


def _not_files(folder: Path) -> list[Path]:
    """Entries named like images that are not regular files (a folder, a pipe, a device, a
    broken or looping link): skipped, and named as skipped."""
    return sorted(
        f
        for f in folder.iterdir()
        if f.suffix.lower() in SUPPORTED_SUFFIXES
        and not f.name.startswith(".")
        and not is_image_file(f)
    )


def image_folder(
    path: str | os.PathLike[str],
    prep: Preprocess,
    class_names: Sequence[str] | None = None,
    num_outputs: int | None = None,
) -> EvalSet:
    """A folder with one sub-folder of images per class (torchvision's ImageFolder layout).

    Sub-folders are mapped to the model's class indices, first rule that applies:

    1. ImageNet synset names (``n01440764`` ...) and a model with 1,000 outputs: the
       synset's index in ImageNet's class order (sorted synsets);
    2. names equal to the model's class names, ignoring case (``cat``, ``7``);
    3. as many sub-folders as the model has outputs: in sorted order.

    Otherwise :class:`DataError` (e.g. "the folder's 12 classes do not fit the model's 10
    outputs"). Images are read per batch; files that cannot be read are skipped, named in
    :attr:`EvalSet.skipped_files` and not counted; when none can be read, :meth:`EvalSet.batches`
    raises :class:`DataError` ("no readable image in FOLDER: ...").
    """
    root = Path(path)
    what = str(root)
    if not root.is_dir():
        raise DataError(f"{what}: no such folder" if not root.exists() else f"{what}: not a folder")
    try:
        subs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
        per_class = {d.name: _images_in(d) for d in subs}
        odd = [f for d in subs for f in _not_files(d)]
    except OSError as exc:
        raise DataError(f"{what}: cannot read ({exc.strerror or first_line(exc, 120)})") from None
    per_class = {k: v for k, v in per_class.items() if v}
    if not per_class:
        raise DataError(
            f"{what}: no images in class sub-folders (expected {what}/CLASS/IMAGE, "
            f"with {' '.join(SUPPORTED_SUFFIXES)})"
        )
    names = sorted(per_class)
    outputs = (
        num_outputs if num_outputs is not None else (len(class_names) if class_names else None)
    )
    mapping, classes = _class_mapping(names, class_names, outputs, what)
    files: list[Path] = []
    labels: list[int] = []
    for name in names:
        files += per_class[name]
        labels += [mapping[name]] * len(per_class[name])
    y = np.asarray(labels, dtype=np.int64)
    es = EvalSet(
        name=f"folder: {what}",
        n=len(files),
        classes=classes,
        labels=y,
        load=None,  # type: ignore[arg-type]  # set below: the loader records skips in es
        origin=what,
    )
    for f in odd:
        rel = f"{f.parent.name}/{f.name}"
        why = "not a regular file (a folder, pipe, device or broken link)"
        es.skip(rel, why, f"{rel}: {why}")

    def load(start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        import torch

        check_input(prep.channels, prep.size, stop - start)
        xs, ys = [], []
        for f, label in zip(files[start:stop], labels[start:stop], strict=True):
            try:
                xs.append(to_tensor(load_image(f), prep))
            except ImageError as exc:
                message = str(exc)
                why = message.removeprefix(f"{f.name}: ")
                es.skip(f.relative_to(root).as_posix(), why, message)
                continue
            ys.append(label)
        if not xs:
            empty = torch.empty(0, prep.channels, prep.size, prep.size)
            return empty, torch.empty(0, dtype=torch.int64)
        return torch.stack(xs), torch.tensor(ys, dtype=torch.int64)

    es.load = load
    return es


def _class_mapping(
    names: list[str], class_names: Sequence[str] | None, outputs: int | None, what: str
) -> tuple[dict[str, int], list[str] | None]:
    if all(_SYNSET.match(n) for n in names) and outputs == 1000:
        index = {s: i for i, s in enumerate(imagenet_synsets())}
        unknown = [n for n in names if n not in index]
        if unknown:
            raise DataError(f"{what}: {unknown[0]} is not one of ImageNet-1k's 1,000 synsets")
        return {n: index[n] for n in names}, list(class_names) if class_names else None
    if class_names:
        lower = {c.lower(): i for i, c in enumerate(class_names)}
        if all(n.lower() in lower for n in names):
            return {n: lower[n.lower()] for n in names}, list(class_names)
    if outputs is None or len(names) == outputs:
        return {n: i for i, n in enumerate(names)}, names if not class_names else list(class_names)
    if class_names:
        known = [n for n in names if n.lower() in {c.lower() for c in class_names}]
        hint = (
            f" ({len(known)} of them match the model's class names)"
            if known
            else " (their names are not the model's class names)"
        )
    else:
        hint = ""
    raise DataError(
        f"the folder's {len(names)} classes do not fit the model's {outputs} outputs{hint}"
    )


# --- torchvision's CIFAR-10 and MNIST ------------------------------------------------------------


def default_root() -> Path:
    """Where ``cifar10``/``mnist`` are kept: ``$CNN_EXPLORER_DATA`` or ~/.cache/cnn-explorer/data."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "cnn-explorer" / "data"


def torchvision_set(
    name: str,
    root: str | os.PathLike[str] | None,
    prep: Preprocess,
    download: bool = False,
    timeout: float = 3.0,
) -> EvalSet:
    """The test split of torchvision's ``cifar10`` (10,000 32x32 RGB) or ``mnist`` (28x28 grey).

    Read from ``root`` (default :func:`default_root`). Downloaded only when ``download`` is
    true and the server answers within ``timeout`` seconds; otherwise a missing set is a
    :class:`DataError` saying what to do.
    """
    key = name.lower()
    if key not in _TV_SETS:
        raise DataError(f"unknown data set '{name}'; choose cifar10 or mnist")
    title, cls_name, url = _TV_SETS[key]
    where = Path(root).expanduser() if root else default_root()
    import torchvision.datasets as tvd

    cls = getattr(tvd, cls_name)
    try:
        ds = cls(str(where), train=False, download=False)
    except RuntimeError:
        if not download:
            raise DataError(
                f"{title} is not in {where}; pass --download with a network, or use "
                "digits, a folder of class sub-folders or a .npz file"
            ) from None
        from explorer.models.weights import reachable

        if not reachable(url, timeout):
            raise DataError(
                f"{title} is not in {where} and its server does not answer (no network?); "
                "use digits, a folder of class sub-folders or a .npz file"
            ) from None
        try:
            ds = cls(str(where), train=False, download=True)
        except (OSError, RuntimeError) as exc:
            raise DataError(
                f"downloading {title} into {where} failed: {first_line(exc, 120)}"
            ) from None
    data = ds.data.numpy() if hasattr(ds.data, "numpy") else np.asarray(ds.data)
    labels = np.asarray(ds.targets, dtype=np.int64)
    classes = [str(c).split(" - ")[-1] for c in ds.classes]
    return EvalSet(
        name=f"{key} (test)",
        n=len(labels),
        classes=classes,
        labels=labels,
        load=array_loader(np.asarray(data, np.uint8), labels, prep, key),
    )


# --- one entry point -----------------------------------------------------------------------------


def open_eval_set(
    ref: str,
    spec: ModelSpec | None,
    prep: Preprocess,
    num_outputs: int | None,
    class_names: Sequence[str] | None = None,
    download: bool = False,
    limit: int | None = None,
) -> EvalSet:
    """Open the set named by ``ref`` for a model with ``num_outputs`` outputs.

    ``ref``: ``digits`` (the test split), ``digits:train``, ``digits:test``, a folder of class
    sub-folders, a ``.npz`` file, ``cifar10[:ROOT]`` or ``mnist[:ROOT]``. ``spec`` only names
    the model in messages. ``limit``: only the first so many images will be used (a ``.npz``
    file then reads no more). Raises :class:`DataError` for anything else, and for a set
    whose labels do not fit the model (:func:`check_fits`).
    """
    text = ref.strip()
    head, _, tail = text.partition(":")
    low = head.lower()
    if low == "digits":
        es = digits(tail or "test", prep)
    elif low in _TV_SETS and not Path(text).exists():
        es = torchvision_set(low, tail or None, prep, download)
    else:
        p = Path(text).expanduser()
        if p.is_dir():
            es = image_folder(p, prep, class_names, num_outputs)
        elif p.suffix.lower() == ".npz":
            es = npz(p, prep, num_outputs, limit)
        elif not p.exists():
            raise DataError(f"'{ref}': no such file or folder, nor a known data set ({_REFS})")
        else:
            raise DataError(f"'{ref}': not an evaluation set; use {_REFS}")
    if num_outputs is not None:
        check_fits(es, num_outputs, spec.name if spec is not None else None)
    return es
