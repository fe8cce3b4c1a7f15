"""Evaluation sets: digits' fixed split, .npz files, image folders, torchvision's sets offline."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.runtime import datasets
from explorer.runtime.datasets import (
    DIGITS_PREP,
    digits,
    digits_split,
    image_folder,
    imagenet_synsets,
    npz,
    open_eval_set,
    torchvision_set,
)
from explorer.runtime.evalset import DataError, EvalSet, check_fits
from explorer.runtime.images import load_sample
from explorer.runtime.preprocess import Preprocess, to_tensor

GREY32 = DIGITS_PREP
RGB32 = Preprocess(size=32, resize=32, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), channels=3)


def _all(es: EvalSet, batch_size: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = zip(*es.batches(batch_size), strict=True)
    return torch.cat(xs), torch.cat(ys)  # type: ignore[arg-type]


# --- digits --------------------------------------------------------------------------------------


def test_digits_split_sizes_and_stratification() -> None:
    from sklearn.datasets import load_digits

    y = load_digits().target
    train, test = digits_split(0)
    assert (len(train), len(test)) == (1437, 360)
    assert not set(train) & set(test) and len(set(train) | set(test)) == 1797
    for k in range(10):
        share = np.sum(y[test] == k) / np.sum(y == k)
        assert abs(share - 0.2) < 0.02, (k, share)
    es = digits("test")
    assert (es.n, es.name, es.classes) == (360, "digits (test)", [str(d) for d in range(10)])
    assert digits("train").n == 1437


def test_digits_split_is_the_same_every_time() -> None:
    # the uncached function, twice: the split must not depend on anything but the seed
    a, b = digits_split.__wrapped__(0), digits_split.__wrapped__(0)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    c = digits_split.__wrapped__(1)
    assert not np.array_equal(a[1], c[1])
    x1, y1 = _all(digits("test"))
    x2, y2 = _all(digits("test"), batch_size=7)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)


def test_digits_tensors_and_range() -> None:
    x, y = _all(digits("test"))
    assert x.shape == (360, 1, 32, 32) and x.dtype == torch.float32
    assert y.dtype == torch.int64 and sorted(set(y.tolist())) == list(range(10))
    # [0, 1] normalised with mean 0.5, std 0.5: [-1, 1]; the background is black
    assert float(x.min()) == -1.0 and float(x.max()) <= 1.0 and float(x.max()) > 0.9
    rgb, _ = _all(digits("test", RGB32))
    assert rgb.shape == (360, 3, 32, 32)
    assert torch.equal(rgb[:, 0], x[:, 0]) and torch.equal(rgb[:, 2], x[:, 0])


def test_digits_images_are_the_samples() -> None:
    """A digit in the set is the same tensor as the sample ``digits-K`` (the same upsampling)."""
    from sklearn.datasets import load_digits

    target = load_digits().target
    train, test = digits_split(0)
    for k in (0, 3):
        first = int(np.flatnonzero(target == k)[0])
        split, idx = ("train", train) if first in set(train) else ("test", test)
        pos = int(np.flatnonzero(idx == first)[0])
        x, y = _all(digits(split))
        assert int(y[pos]) == k
        assert torch.equal(x[pos], to_tensor(load_sample(f"digits-{k}"), GREY32))


def test_digits_bad_split() -> None:
    with pytest.raises(DataError, match="unknown split 'valid'"):
        digits("valid")


# --- .npz ----------------------------------------------------------------------------------------


def _npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def test_npz_grey_and_rgb(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (5, 32, 32), dtype=np.uint8)
    y = np.array([0, 1, 2, 1, 0])
    es = npz(_npz(tmp_path / "g.npz", x=grey, y=y), GREY32)
    assert (es.n, es.name, es.classes) == (5, "g.npz", None)
    x, labels = _all(es, 2)
    assert x.shape == (5, 1, 32, 32) and labels.tolist() == y.tolist()
    want = torch.from_numpy(grey).float().div(255.0).sub(0.5).div(0.5)
    assert torch.allclose(x[:, 0], want)
    # RGB images for a 3-channel model, and named classes
    rgb = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    es = npz(_npz(tmp_path / "c.npz", x=rgb, y=np.array([2, 0, 1]), classes=["a", "b", "c"]), RGB32)
    x, _ = _all(es)
    assert es.classes == ["a", "b", "c"] and x.shape == (3, 3, 32, 32)
    # another size: resized image by image exactly as a single image is
    small = rng.integers(0, 256, (2, 28, 28), dtype=np.uint8)
    x, _ = _all(npz(_npz(tmp_path / "m.npz", x=small, y=np.array([1, 2])), GREY32))
    assert x.shape == (2, 1, 32, 32)
    assert torch.equal(x[1], to_tensor(Image.fromarray(small[1]), GREY32))


@pytest.mark.parametrize(
    ("arrays", "expect"),
    [
        ({"x": np.zeros((2, 8, 8), np.uint8)}, "no array 'y'"),
        ({"images": np.zeros((2, 8, 8), np.uint8), "y": np.zeros(2)}, "no array 'x'"),
        ({"x": np.zeros((2, 8), np.uint8), "y": np.zeros(2, int)}, "x must be (N, H, W)"),
        ({"x": np.zeros((2, 8, 8, 2), np.uint8), "y": np.zeros(2, int)}, "C 1 or 3"),
        ({"x": np.zeros((2, 8, 8), np.float32), "y": np.zeros(2, int)}, "x must be uint8"),
        ({"x": np.zeros((2, 8, 8), np.uint8), "y": np.zeros(3, int)}, "one label per image (2)"),
        ({"x": np.zeros((2, 8, 8), np.uint8), "y": np.array([0.5, 1])}, "integer class indices"),
        ({"x": np.zeros((2, 8, 8), np.uint8), "y": np.array([-1, 1])}, "negative class index"),
        ({"x": np.zeros((2, 8, 8), np.uint8), "y": np.array([3, 10])}, "does not fit the model's 10"),
        ({"x": np.zeros((0, 8, 8), np.uint8), "y": np.zeros(0, int)}, "holds no images"),
    ],
    ids=["no-y", "no-x", "x-2d", "x-2-channels", "x-float", "y-length", "y-float", "y-negative",
         "y-too-big", "empty"],
)  # fmt: skip
def test_npz_bad(tmp_path: Path, arrays: dict[str, np.ndarray], expect: str) -> None:
    path = _npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError) as info:
        npz(path, GREY32, num_outputs=10)
    assert expect in str(info.value) and "\n" not in str(info.value)


def test_npz_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(DataError, match="junk.npz: not a readable .npz file"):
        npz(tmp_path / "junk.npz", GREY32)
    with pytest.raises(DataError, match="gone.npz: no such file"):
        npz(tmp_path / "gone.npz", GREY32)


# --- image folders -------------------------------------------------------------------------------


def _folder(root: Path, classes: dict[str, int], size: int = 12) -> Path:
    for i, (name, count) in enumerate(classes.items()):
        (root / name).mkdir(parents=True)
        for j in range(count):
            a = np.full((size, size), 20 * i + j, np.uint8)
            Image.fromarray(a).save(root / name / f"img{j}.png")
    return root


def test_folder_by_class_names(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {"3": 2, "7": 3})
    names = [str(d) for d in range(10)]
    es = image_folder(root, GREY32, names, num_outputs=10)
    assert es.n == 5 and es.labels is not None and es.labels.tolist() == [3, 3, 7, 7, 7]
    assert es.classes == names and es.name == f"folder: {root}"
    x, y = _all(es, 2)
    assert x.shape == (5, 1, 32, 32) and y.tolist() == [3, 3, 7, 7, 7]
    img = Image.open(root / "7" / "img1.png")
    assert torch.equal(x[3], to_tensor(img, GREY32))
    # names are matched ignoring case
    up = _folder(tmp_path / "animals", {"Cat": 1, "DOG": 1})
    es = image_folder(up, GREY32, ["bird", "cat", "dog"], num_outputs=3)
    assert es.labels is not None and es.labels.tolist() == [1, 2]


def test_folder_by_count_in_sorted_order(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {"b": 1, "a": 1, "c": 2})
    es = image_folder(root, RGB32, ["x", "y", "z"], num_outputs=3)
    assert es.labels is not None and es.labels.tolist() == [0, 1, 2, 2]
    x, _ = _all(es)
    assert x.shape == (4, 3, 32, 32)


def test_folder_classes_do_not_fit(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {chr(ord("a") + i): 1 for i in range(12)}, size=4)
    with pytest.raises(
        DataError, match="the folder's 12 classes do not fit the model's 10 outputs"
    ):
        image_folder(root, GREY32, [str(d) for d in range(10)], num_outputs=10)


def test_folder_empty(tmp_path: Path) -> None:
    (tmp_path / "empty" / "cat").mkdir(parents=True)
    (tmp_path / "empty" / "cat" / "notes.txt").write_text("no image here")
    with pytest.raises(DataError, match="no images in class sub-folders"):
        image_folder(tmp_path / "empty", GREY32)
    with pytest.raises(DataError, match="no such folder"):
        image_folder(tmp_path / "gone", GREY32)


def test_folder_corrupt_file_skipped_and_counted(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {"0": 2, "1": 2})
    (root / "1" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    es = image_folder(root, GREY32, num_outputs=2)
    assert es.n == 5 and es.skipped == 0
    x, y = _all(es, 2)
    assert len(x) == 4 and y.tolist() == [0, 0, 1, 1]
    assert es.skipped == 1 and "broken.png" in es.problems[0]


def test_folder_imagenet_synsets(tmp_path: Path) -> None:
    synsets = imagenet_synsets()
    assert len(synsets) == 1000 and synsets == sorted(synsets)
    assert (synsets[0], synsets[1], synsets[999]) == ("n01440764", "n01443537", "n15075141")
    root = _folder(tmp_path / "val", {"n01440764": 1, "n01443537": 2, "n15075141": 1}, size=4)
    es = image_folder(root, GREY32, num_outputs=1000)
    assert es.labels is not None and es.labels.tolist() == [0, 1, 1, 999]
    bogus = _folder(tmp_path / "bogus", {"n00000001": 1}, size=4)
    with pytest.raises(DataError, match="n00000001 is not one of ImageNet-1k's 1,000 synsets"):
        image_folder(bogus, GREY32, num_outputs=1000)


# --- torchvision's sets, offline -----------------------------------------------------------------


def test_torchvision_set_absent_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = time.perf_counter()
    with pytest.raises(DataError) as info:
        torchvision_set("cifar10", tmp_path, RGB32, download=False)
    assert f"CIFAR-10 is not in {tmp_path}; pass --download with a network" in str(info.value)
    # asked to download, with no network: a clear error, no attempt
    import explorer.models.weights as weights

    asked: list[str] = []
    monkeypatch.setattr(weights, "reachable", lambda url, timeout: asked.append(url) or False)
    with pytest.raises(DataError, match="MNIST is not in .* its server does not answer"):
        torchvision_set("mnist", tmp_path, GREY32, download=True)
    assert len(asked) == 1
    assert not any(tmp_path.iterdir())
    assert time.perf_counter() - t0 < 10


def test_torchvision_set_reads_local_cifar(tmp_path: Path) -> None:
    """A CIFAR-10 test batch in torchvision's layout is read without a network."""
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(1)
    data = rng.integers(0, 256, (4, 3072), dtype=np.uint8)
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({"data": data, "labels": [3, 1, 4, 1]}, f)
    names = "airplane automobile bird cat deer dog frog horse ship truck".split()
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": names}, f)
    from torchvision.datasets import cifar

    # torchvision checks the files' MD5 sums; these are ours, so skip that check
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cifar.CIFAR10, "_check_integrity", lambda self: True)
        mp.setattr(cifar, "check_integrity", lambda path, md5=None: True)
        es = torchvision_set("cifar10", tmp_path, RGB32)
    assert (es.n, es.classes) == (4, names)
    x, y = _all(es)
    assert x.shape == (4, 3, 32, 32) and y.tolist() == [3, 1, 4, 1]
    want = torch.from_numpy(data[0].reshape(3, 32, 32)).float().div(255).sub(0.5).div(0.5)
    assert torch.allclose(x[0], want)


# --- one entry point -----------------------------------------------------------------------------


def test_open_eval_set(tmp_path: Path) -> None:
    assert open_eval_set("digits", None, GREY32, 10).name == "digits (test)"
    assert open_eval_set("digits:train", None, GREY32, 10).n == 1437
    root = _folder(tmp_path / "set", {"0": 1, "1": 1})
    es = open_eval_set(str(root), None, GREY32, 10, [str(d) for d in range(10)])
    assert es.labels is not None and es.labels.tolist() == [0, 1]
    path = _npz(tmp_path / "s.npz", x=np.zeros((2, 32, 32), np.uint8), y=np.array([1, 9]))
    assert open_eval_set(str(path), None, GREY32, 10).n == 2
    with pytest.raises(DataError, match="does not fit the model's 5 outputs"):
        open_eval_set(str(path), None, GREY32, 5)
    with pytest.raises(DataError, match="CIFAR-10 is not in"):
        open_eval_set(f"cifar10:{tmp_path / 'none'}", None, RGB32, 10)
    with pytest.raises(DataError, match="no such file or folder, nor a known data set"):
        open_eval_set("imagenet-val", None, RGB32, 1000)
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(DataError, match="not an evaluation set"):
        open_eval_set(str(tmp_path / "a.txt"), None, RGB32, 10)


def test_check_fits() -> None:
    es = digits("test")
    check_fits(es, 10)
    with pytest.raises(DataError, match="an evaluation set whose classes do not fit the model"):
        check_fits(es, 9, "mine")
    unlabelled = EvalSet("u", 0, None, None, load=lambda a, b: (torch.empty(0), None))
    check_fits(unlabelled, 1)


def test_default_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasets.DATA_ENV, "/data/sets")
    assert datasets.default_root() == Path("/data/sets")
