"""Bounds on what a user's input makes the program allocate, read or count (Qt-free).

An input size, an image, a data file: each is refused before allocating when it would take
more than the memory limit (``$CNN_EXPLORER_MAX_MEMORY`` here, so that the figures do not
depend on the machine), with the figure, the limit and how to raise it. A data file that is
not a regular file is refused before it is opened (a FIFO would block forever). What is
evaluated is what is counted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as TF
from blocking import finishes
from PIL import Image
from torchvision.transforms import InterpolationMode

from explorer.errors import ExplorerError
from explorer.limits import ENV, LimitError
from explorer.models import registry
from explorer.runtime.datasets import DIGITS_PREP, image_folder, npz, open_eval_set
from explorer.runtime.evalset import DataError, EvalSet
from explorer.runtime.evaluate import ModelError, Tally, evaluate, first_images
from explorer.runtime.images import ImageError, load_image
from explorer.runtime.preprocess import (
    NORMALIZE,
    Preprocess,
    check_input,
    preprocess_for,
    to_batch,
    to_tensor,
)

GREY32 = DIGITS_PREP


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """``limit("64M")``: the memory limit for this test."""

    def set_limit(size: str) -> None:
        monkeypatch.setenv(ENV, size)

    return set_limit


# --- the input size -------------------------------------------------------------------------------


def test_a_huge_input_size_is_refused_before_allocating(limit) -> None:
    limit("1G")
    prep = Preprocess(100000, 100000, (0.5,), (0.5,), channels=1)
    img = Image.new("L", (40, 30), 7)
    for call in (lambda: to_batch([img], prep), lambda: to_tensor(img, prep)):
        with pytest.raises(LimitError) as info:
            call()
        msg = str(info.value)
        assert "1x1x100000x100000 float32 input" in msg and "37.3 GiB" in msg
        assert "memory limit of 1.0 GiB" in msg and ENV in msg and "\n" not in msg
    with pytest.raises(LimitError, match="64x3x2000x2000 float32 input"):
        check_input(3, 2000, batch=64)
    check_input(3, 2000, batch=1)  # 46 MiB: within


def test_a_batch_is_checked_as_a_whole(limit) -> None:
    limit("1M")
    prep = Preprocess(100, 100, (0.5,), (0.5,), channels=1)  # 39 KiB an image
    imgs = [Image.new("L", (100, 100), 7)] * 40
    assert to_batch(imgs[:4], prep).shape == (4, 1, 100, 100)
    with pytest.raises(LimitError, match="40x1x100x100 float32 input"):
        to_batch(imgs, prep)


def _torchvision(img: Image.Image, prep: Preprocess) -> np.ndarray:
    """torchvision's Resize(shorter side) and CenterCrop, as uint8 HxWxC."""
    mode = {"bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC,
            "nearest": InterpolationMode.NEAREST}[prep.interpolation]  # fmt: skip
    out = TF.center_crop(TF.resize(img, prep.resize, interpolation=mode), prep.size)
    a = np.asarray(out, dtype=np.uint8)
    return a[:, :, None] if a.ndim == 2 else a


def _pixels(t: torch.Tensor, prep: Preprocess) -> np.ndarray:
    """The uint8 pixels a ``to_tensor`` result was made of (its normalisation undone)."""
    mean = torch.tensor(prep.mean)[:, None, None]
    std = torch.tensor(prep.std)[:, None, None]
    return (t * std + mean).mul(255).round().permute(1, 2, 0).numpy().astype(np.int64)


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic", "nearest"])
def test_ordinary_images_are_preprocessed_exactly_as_torchvision(interpolation: str) -> None:
    rng = np.random.default_rng(0)
    for w, h in [(500, 375), (375, 500), (40, 30), (33, 97), (300, 224), (640, 100), (7, 60)]:
        img = Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        for resize, size in [(256, 224), (224, 224), (36, 32), (20, 20)]:
            prep = Preprocess(size, resize, *NORMALIZE["none"], 3, interpolation)
            got = _pixels(to_tensor(img, prep), prep)
            assert np.array_equal(got, _torchvision(img, prep)), (w, h, resize, size)


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic", "nearest"])
def test_a_thin_image_is_cropped_before_it_is_resized(limit, interpolation: str) -> None:
    # 1 x 40000: the shorter side resized 1 -> 224 would make the longer one 8,960,000 pixels
    limit("64M")
    a = ((np.arange(40000) // 100) % 256).astype(np.uint8)[:, None]  # rows 19900..19999: 199
    prep = Preprocess(224, 224, *NORMALIZE["none"], 3, interpolation)
    t = to_tensor(Image.fromarray(a), prep)
    assert t.shape == (3, 224, 224)
    assert np.all(np.abs(_pixels(t, prep) - 199) <= 1)
    # where resizing the whole image is affordable, nearly the same pixels as torchvision
    rng = np.random.default_rng(1)
    for w, h in [(3, 400), (500, 6), (1, 2000)]:
        img = Image.fromarray(rng.integers(0, 256, (h, w), dtype=np.uint8))
        prep = Preprocess(32, 36, *NORMALIZE["none"], 3, interpolation)
        diff = np.abs(_pixels(to_tensor(img, prep), prep) - _torchvision(img.convert("RGB"), prep))
        if interpolation == "nearest":  # a row may come from the neighbouring source row
            assert np.mean(diff == 0) > 0.9, (w, h)
        else:
            assert diff.max() <= 2, (w, h)


def test_a_thin_image_too_large_for_the_limit_even_cropped(limit) -> None:
    limit("1M")
    prep = Preprocess(600, 600, (0.5,), (0.5,), channels=1)  # 1.4 MiB of float32
    with pytest.raises(LimitError, match="1x1x600x600 float32 input"):
        to_tensor(Image.new("L", (1, 5000)), prep)


# --- decoding ------------------------------------------------------------------------------------


def test_decoded_pixels_are_checked(tmp_path: Path, limit) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGB", (3000, 2000)).save(path)  # a few KiB on disk, 17 MiB decoded
    limit("4M")
    with pytest.raises(ImageError) as info:
        load_image(path)
    assert isinstance(info.value, LimitError)
    msg = str(info.value)
    assert msg.startswith("wide.png: decoding a 3000 x 2000 image (RGB) would take ")
    assert "memory limit of 4.0 MiB" in msg and ENV in msg
    limit("64M")
    assert load_image(path).image.size == (3000, 2000)


def test_a_file_larger_than_the_limit_is_not_read(tmp_path: Path, limit) -> None:
    path = tmp_path / "big.png"
    Image.new("L", (8, 8)).save(path)
    with path.open("ab") as f:
        f.write(b"\0" * (3 << 20))  # trailing bytes: the file is 3 MiB
    limit("1M")
    with pytest.raises(ImageError, match=r"big.png: reading the file would take 3.0 MiB"):
        load_image(path)


# --- normalisation values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mean", "std", "match"),
    [
        ("resnet50", (0, 0, 0), (1e-300, 1, 1), "std must be > 0 in float32"),
        ("resnet50", (0, 0, 0), (float("nan"), 1, 1), "std values must be finite"),
        ("resnet50", (0, 0, 0), (float("inf"), 1, 1), "std values must be finite"),
        ("resnet50", (float("nan"), 0, 0), (1, 1, 1), "mean values must be finite"),
        ("resnet50", (1e39, 0, 0), (1, 1, 1), "mean values must be finite in float32"),
        ("resnet50", (0, 0, 0), (1e-40, 1, 1), "overflow float32"),
        ("lenet5", (0, 0, 0), (1.5, -1, 1), "std values must be > 0, got (1.5, -1, 1)"),
        ("lenet5", (0, 0, 0), (1e-300, 1, 1), "std must be > 0 in float32"),
    ],
)
def test_normalisation_values_are_checked_per_channel_in_float32(
    name: str, mean: tuple[float, ...], std: tuple[float, ...], match: str
) -> None:
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace(")", r"\)")):
        preprocess_for(registry.get(name), mean=mean, std=std)


def test_ordinary_normalisation_values_pass() -> None:
    grey = preprocess_for(registry.get("lenet5"), mean=(0.5, 0.5, 0.5), std=(0.1, 0.2, 0.3))
    assert grey.std == pytest.approx((0.2,))
    assert preprocess_for(registry.get("resnet50"), normalize="none").std == (1.0, 1.0, 1.0)


# --- .npz files ----------------------------------------------------------------------------------


def test_npz_reads_only_what_the_limit_needs(tmp_path: Path, limit) -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (2000, 32, 32), dtype=np.uint8)  # 2.0 MiB
    y = rng.integers(0, 10, 2000)
    for save in (np.savez, np.savez_compressed):
        path = tmp_path / f"{save.__name__}.npz"
        save(path, x=x, y=y)
        limit("1M")
        es = npz(path, GREY32, num_outputs=10, limit=10)
        assert es.n == 10 and es.name == f"{path.name} (first 10 of 2000)"
        assert es.labels is not None and es.labels.tolist() == y[:10].tolist()
        got = torch.cat([b for b, _ in es.batches(4)])
        want = torch.from_numpy(x[:10]).float().div(255).sub(0.5).div(0.5)
        assert torch.equal(got[:, 0], want)
        with pytest.raises(LimitError) as info:
            npz(path, GREY32, num_outputs=10)
        assert f"{path.name}: reading 2000 images of 32x32x1 uint8 would take" in str(info.value)
        assert "memory limit of 1.0 MiB" in str(info.value)
        limit("64M")
        assert npz(path, GREY32, num_outputs=10).n == 2000


def test_npz_open_eval_set_passes_the_limit_on(tmp_path: Path) -> None:
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((50, 32, 32), np.uint8), y=np.zeros(50, np.int64))
    es = open_eval_set(str(path), None, GREY32, 10, limit=7)
    assert es.n == 7


def test_npz_fortran_order_and_rgb(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = np.asfortranarray(rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8))
    path = tmp_path / "f.npz"
    np.savez(path, x=x, y=np.arange(6), classes=np.array(list("abcdef")))
    prep = Preprocess(32, 32, (0.5,) * 3, (0.5,) * 3, channels=3)
    es = npz(path, prep, limit=4)
    assert es.n == 4 and es.classes == list("abcdef")
    got = torch.cat([b for b, _ in es.batches(3)])
    assert torch.equal(got, torch.from_numpy(x[:4]).permute(0, 3, 1, 2).float() / 255 * 2 - 1)


def test_npz_fifo_is_refused_before_opening(tmp_path: Path) -> None:
    fifo = tmp_path / "x.npz"
    os.mkfifo(fifo)
    for call in (lambda: npz(fifo, GREY32), lambda: open_eval_set(str(fifo), None, GREY32, 10)):
        with pytest.raises(DataError, match="x.npz: not a regular file"):
            finishes(call, fifo)


@pytest.mark.parametrize("key", ["x", "y", "classes"])
def test_npz_pickled_arrays_are_refused_in_one_line(tmp_path: Path, key: str) -> None:
    arrays = {"x": np.zeros((2, 8, 8), np.uint8), "y": np.zeros(2, np.int64)}
    arrays[key] = np.array([{"a": 1}, None], dtype=object)
    path = tmp_path / "p.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError) as info:
        npz(path, GREY32)
    msg = str(info.value)
    assert msg.startswith(f"p.npz: {key} holds Python objects") and "\n" not in msg
    assert "allow_pickle" not in msg


def test_npz_damaged_or_lying(tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    np.savez(good, x=np.zeros((20, 8, 8), np.uint8), y=np.zeros(20, np.int64))
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:900])
    with pytest.raises(DataError, match="cut.npz: not a readable .npz file"):
        npz(cut, GREY32)
    with pytest.raises(DataError, match="folder.npz: is a folder"):
        (tmp_path / "folder.npz").mkdir()
        npz(tmp_path / "folder.npz", GREY32)


# --- counts --------------------------------------------------------------------------------------


def _folder(root: Path, good: dict[str, int], bad: dict[str, int]) -> Path:
    for cls, k in good.items():
        (root / cls).mkdir(parents=True, exist_ok=True)
        for j in range(k):
            Image.fromarray(np.full((12, 12), 30 * j, np.uint8)).save(root / cls / f"img{j}.png")
    for cls, k in bad.items():
        (root / cls).mkdir(parents=True, exist_ok=True)
        for j in range(k):
            (root / cls / f"bad{j}.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    return root


def test_skipped_files_are_named_once_and_not_counted(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {"0": 1, "1": 1}, {"1": 1})
    es = image_folder(root, GREY32, num_outputs=2)
    for _ in range(2):  # an evaluation passes over the set more than once
        xs = [x for x, _ in es.batches(2)]
        assert sum(len(x) for x in xs) == 2
    assert list(es.skipped_files) == ["1/bad0.png"] and es.skipped == 1
    assert "not an image" in es.skipped_files["1/bad0.png"]


def test_a_limit_reads_only_the_files_it_needs(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {"0": 3}, {"1": 2})
    es = image_folder(root, GREY32, num_outputs=2)
    batches, n = first_images(es, 2, 64)
    assert n == 2 and sum(len(x) for x, _ in batches()) == 2
    assert es.skipped == 0  # class 1's broken files come after the first two images


def test_no_readable_image_is_an_error(tmp_path: Path) -> None:
    root = _folder(tmp_path / "set", {}, {"0": 2, "1": 1})
    es = image_folder(root, GREY32, num_outputs=2)
    with pytest.raises(DataError) as info:
        list(es.batches(8))
    msg = str(info.value)
    assert msg.startswith(f"no readable image in {root}: 0/bad0.png: ") and "\n" not in msg


# --- a model's output ----------------------------------------------------------------------------


class _Returns(torch.nn.Module):
    def __init__(self, fn: Callable[[torch.Tensor], object]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> object:
        return self.fn(x)


@pytest.mark.parametrize(
    ("fn", "expect"),
    [
        (lambda x: {"logits": x.flatten(1)}, "the model returned dict, not a tensor"),
        (lambda x: (x.flatten(1), x), "the model returned tuple, not a tensor"),
        (lambda x: None, "the model returned NoneType, not a tensor"),
        (lambda x: x.flatten(), "a tensor of shape (128,), not class scores [4, classes]"),
        (lambda x: x[:, :, 0, :0].flatten(1), "shape (4, 0), not class scores"),
    ],
)
def test_a_model_output_that_is_not_class_scores(fn, expect: str) -> None:
    model = _Returns(fn)
    batches = lambda: [(torch.zeros(4, 2, 4, 4), torch.zeros(4, dtype=torch.int64))]  # noqa: E731
    with pytest.raises(ModelError) as info:
        list(evaluate(model, batches, 4))
    assert expect in str(info.value) and isinstance(info.value, ExplorerError)
    with pytest.raises(ModelError, match="not"):
        Tally().add(fn(torch.zeros(4, 2, 4, 4)), None)  # type: ignore[arg-type]


def test_a_model_failing_in_forward_is_one_line() -> None:
    def boom(x: torch.Tensor) -> object:
        raise ValueError("my model broke\non two lines")

    batches = lambda: [(torch.zeros(2, 1, 4, 4), None)]  # noqa: E731
    with pytest.raises(ModelError) as info:
        list(evaluate(_Returns(boom), batches, 2))
    assert str(info.value) == "the forward pass failed: ValueError: my model broke"


def test_evalset_batches_stop_at_the_limit() -> None:
    calls: list[tuple[int, int]] = []

    def load(start: int, stop: int) -> tuple[torch.Tensor, None]:
        calls.append((start, stop))
        return torch.zeros(stop - start, 1, 2, 2), None

    es = EvalSet("t", 100, None, None, load)
    assert sum(len(x) for x, _ in es.batches(8, limit=10)) == 10
    assert calls == [(0, 8), (8, 10)]
