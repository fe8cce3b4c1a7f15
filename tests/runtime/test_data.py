"""Tests of explorer.runtime.images: loading awkward images, samples, preprocessing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bad_inputs import BAD_IMAGES, BadInput, encode, file_with, half, noise, png_claiming
from PIL import Image, ImageFile

from explorer.models import registry
from explorer.runtime.images import (
    ImageError,
    from_array,
    image_files,
    load_image,
    load_image_bytes,
    load_sample,
    sample_names,
)
from explorer.runtime.preprocess import (
    NORMALIZE,
    Preprocess,
    model_view,
    parse_triple,
    preprocess_for,
    to_batch,
    to_tensor,
)

# ---------------------------------------------------------------------------------------------
# awkward files: the shared table of tests/bad_inputs.py


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.id) for e in BAD_IMAGES])
def test_bad_inputs(tmp_path: Path, entry: BadInput) -> None:
    path = entry.write(tmp_path)
    if entry.outcome == "error":
        with pytest.raises(ImageError) as info:
            load_image(path)
        msg = str(info.value)
        assert entry.expect in msg
        assert "\n" not in msg and "Traceback" not in msg
        assert msg.startswith(path.name + ": ")
        return
    li = load_image(path)
    assert any(entry.expect in n for n in li.notes), li.notes
    assert li.image.mode == entry.mode
    assert li.name == path.name and li.source == str(path)
    if entry.check is not None:
        entry.check(li)


def test_permission_error_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The chmod row is skipped as root; this keeps the message covered everywhere.
    p = file_with(b"x")(tmp_path)

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ImageError, match=r"^file\.png: cannot read \(permission denied\)$"):
        load_image(p)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_refused_even_when_pillow_allows_it(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ImageError, match="truncated or damaged image"):
        load_image_bytes(half(noise(), fmt)(), "half")
    assert load_image_bytes(encode(noise(), fmt), "whole").image.size == (64, 64)


def test_bomb_refusal_leaves_warning_filters_alone() -> None:
    import warnings

    before = list(warnings.filters)
    with pytest.raises(ImageError, match="image too large"):
        load_image_bytes(png_claiming(10000, 10000), "big")
    assert warnings.filters == before


def test_load_image_bytes_and_plain_rgb() -> None:
    li = load_image_bytes(encode(Image.new("RGB", (5, 3), (1, 2, 3)), "PNG"))
    assert (li.name, li.source) == ("pasted image", "pasted image")
    assert (li.image.size, li.notes) == ((5, 3), [])
    with pytest.raises(ImageError, match="^pasted image: empty"):
        load_image_bytes(b"")
    with pytest.raises(ImageError, match="^clip: not an image"):
        load_image_bytes(b"not an image", "clip")


def test_from_array() -> None:
    grey = from_array(np.full((3, 4), 7, np.uint8), "g", "clip")
    assert (grey.image.mode, grey.image.size, grey.notes) == ("L", (4, 3), [])
    rgba = from_array(np.zeros((2, 2, 4), np.uint8), "a", "clip")
    assert rgba.image.mode == "RGB" and rgba.image.getpixel((0, 0)) == (255, 255, 255)
    wide = from_array(np.array([[0, 1000]], np.uint16), "w", "clip")
    assert wide.image.getextrema() == (0, 255) and wide.notes
    with pytest.raises(ImageError, match="^bad: not an image"):
        from_array(np.zeros((2, 2, 2), np.uint8), "bad", "clip")


# ---------------------------------------------------------------------------------------------
# samples


def test_every_sample_loads() -> None:
    names = sample_names("digits")
    assert names[:10] == [f"digits-{k}" for k in range(10)]
    assert names[10:] == sample_names() == sample_names("cifar10")
    assert len(sample_names()) == 8
    for name in names:
        li = load_sample(name)
        assert li.name == name and li.source == f"sample:{name}"
        assert li.image.mode in ("RGB", "L") and min(li.image.size) >= 32


def test_digit_samples() -> None:
    from sklearn.datasets import load_digits

    d = load_digits()
    arrays = []
    for k in range(10):
        li = load_sample(f"digits-{k}")
        assert (li.image.mode, li.image.size) == ("L", (32, 32))
        a = np.asarray(li.image)
        assert a.max() > 200 and a[0, 0] < 30  # white digit on black
        small = np.asarray(li.image.resize((8, 8), Image.Resampling.BOX), np.float64)
        first = d.images[np.flatnonzero(d.target == k)[0]] * 255 / 16
        assert np.corrcoef(small.ravel(), first.ravel())[0, 1] > 0.9
        arrays.append(a)
    for i in range(10):
        for j in range(i):
            assert not np.array_equal(arrays[i], arrays[j])


def test_unknown_sample() -> None:
    with pytest.raises(ImageError) as info:
        load_sample("lena")
    msg = str(info.value)
    assert msg.startswith("lena: unknown sample")
    assert "coffee" in msg and "digits-9" in msg


# ---------------------------------------------------------------------------------------------
# image_files


def test_image_files(tmp_path: Path) -> None:
    for name in ["img10.png", "img2.png", "B.JPG", "a.jpeg", "notes.txt", ".hidden.png", "c.webp"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.png").mkdir()
    got = [p.name for p in image_files(tmp_path)]
    assert got == ["a.jpeg", "B.JPG", "c.webp", "img2.png", "img10.png"]


def test_image_files_errors(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no image files"):
        image_files(tmp_path)
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(ImageError, match="no image files"):
        image_files(tmp_path)
    with pytest.raises(ImageError, match="readme.txt: not a folder"):
        image_files(tmp_path / "readme.txt")
    with pytest.raises(ImageError, match="gone: no such folder"):
        image_files(tmp_path / "gone")


# ---------------------------------------------------------------------------------------------
# preprocessing

TRANSFORMS = {
    "resize": 256,
    "crop": 224,
    "mean": (0.485, 0.456, 0.406),
    "std": (0.229, 0.224, 0.225),
    "interpolation": "bicubic",
}


@pytest.fixture(scope="module")
def resnet50() -> registry.ModelSpec:
    spec = registry.get("resnet50")
    assert spec.input_size == (3, 224, 224)
    return spec


@pytest.fixture(scope="module")
def lenet5() -> registry.ModelSpec:
    spec = registry.get("lenet5")
    assert spec.input_size == (1, 32, 32)
    return spec


def test_preprocess_from_spec(resnet50: registry.ModelSpec, lenet5: registry.ModelSpec) -> None:
    p = preprocess_for(resnet50)
    assert (p.size, p.resize, p.channels, p.interpolation) == (224, 224, 3, "bilinear")
    assert (p.mean, p.std) == (resnet50.mean, resnet50.std)
    q = preprocess_for(lenet5)
    assert (q.size, q.resize, q.channels) == (32, 32, 1)
    assert (q.mean, q.std) == (tuple(lenet5.mean), tuple(lenet5.std))


def test_preprocess_with_transforms(resnet50: registry.ModelSpec) -> None:
    p = preprocess_for(resnet50, transforms=TRANSFORMS)
    assert (p.size, p.resize, p.interpolation) == (224, 256, "bicubic")
    assert p.describe() == (
        "resize 256, centre-crop 224, mean (0.485, 0.456, 0.406), "
        "std (0.229, 0.224, 0.225), RGB, bicubic"
    )
    # torchvision's own form: sizes as lists
    q = preprocess_for(resnet50, transforms={**TRANSFORMS, "resize": [232], "crop": [224]})
    assert (q.size, q.resize) == (224, 232)


def test_preprocess_input_size_override(resnet50: registry.ModelSpec) -> None:
    p = preprocess_for(resnet50, input_size=160, transforms=TRANSFORMS)
    assert (p.size, p.resize) == (160, round(160 * 256 / 224))
    q = preprocess_for(resnet50, input_size=160)
    assert (q.size, q.resize) == (160, 160)
    with pytest.raises(ValueError, match="positive"):
        preprocess_for(resnet50, input_size=0)


def test_preprocess_normalisation(resnet50: registry.ModelSpec, lenet5: registry.ModelSpec) -> None:
    p = preprocess_for(resnet50, normalize="cifar", transforms=TRANSFORMS)
    assert (p.mean, p.std) == NORMALIZE["cifar"]
    q = preprocess_for(resnet50, normalize="cifar", mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    assert (q.mean, q.std) == ((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    grey = preprocess_for(lenet5, normalize="imagenet")
    assert grey.mean == pytest.approx((0.449,)) and grey.std == pytest.approx((0.226,))
    assert preprocess_for(lenet5, normalize="none").std == (1.0,)
    assert "grey" in grey.describe()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"normalize": "coco"}, "unknown normalisation 'coco'"),
        ({"mean": (0.5, 0.5, 0.5)}, "both mean and std"),
        ({"std": (0.5, 0.5, 0.5)}, "both mean and std"),
        ({"mean": (0.5, 0.5), "std": (0.5, 0.5)}, "needs 3 value"),
        ({"mean": (0.5, 0.5, 0.5), "std": (0.5, 0.0, 0.5)}, "std values must be > 0"),
        ({"mean": (0.5, 0.5, 0.5), "std": (0.5, -1.0, 0.5)}, "std values must be > 0"),
    ],
)
def test_preprocess_bad_values(
    resnet50: registry.ModelSpec, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        preprocess_for(resnet50, **kwargs)  # type: ignore[arg-type]


def test_preprocess_bad_length_for_grey(lenet5: registry.ModelSpec) -> None:
    with pytest.raises(ValueError, match="needs 1 value"):
        preprocess_for(lenet5, mean=(0.5, 0.5), std=(0.5, 0.5))


def test_parse_triple() -> None:
    assert parse_triple("0.5,0.5,0.5") == (0.5, 0.5, 0.5)
    assert parse_triple(" (0.1, 0.2 ,3) ") == (0.1, 0.2, 3.0)
    assert parse_triple("1 2 3") == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="three numbers.*got 2"):
        parse_triple("0.5,0.5")
    with pytest.raises(ValueError, match="'b' is not a number"):
        parse_triple("1,b,3")
    with pytest.raises(ValueError, match="three numbers.*got 0"):
        parse_triple("")
    with pytest.raises(ValueError, match="finite"):
        parse_triple("1,nan,3")


# ---------------------------------------------------------------------------------------------
# tensors

IMAGENET = Preprocess(32, 36, *NORMALIZE["imagenet"], channels=3)
RAW = Preprocess(20, 40, *NORMALIZE["none"], channels=3, interpolation="nearest")


def test_constant_image_tensor() -> None:
    colour = (10, 128, 250)
    li = from_array(np.full((40, 50, 3), colour, np.uint8), "c", "test")
    t = to_tensor(li, IMAGENET)
    assert t.shape == (3, 32, 32) and str(t.dtype) == "torch.float32"
    for c in range(3):
        expected = (colour[c] / 255 - IMAGENET.mean[c]) / IMAGENET.std[c]
        assert np.allclose(t[c].numpy(), expected, atol=1e-5)


def test_grey_to_rgb_and_rgb_to_grey() -> None:
    t = to_tensor(Image.new("L", (40, 40), 100), IMAGENET)
    for c, (m, sd) in enumerate(zip(IMAGENET.mean, IMAGENET.std, strict=True)):
        assert np.allclose(t[c].numpy(), (100 / 255 - m) / sd, atol=1e-5)
    grey = Preprocess(32, 32, (0.5,), (0.5,), channels=1)
    g = to_tensor(Image.new("RGB", (32, 32), (200, 50, 10)), grey)
    luma = round(200 * 0.299 + 50 * 0.587 + 10 * 0.114)  # ITU-R 601, as PIL converts
    assert g.shape == (1, 32, 32)
    assert np.allclose(g.numpy(), (luma / 255 - 0.5) / 0.5, atol=1 / 255 / 0.5)


def test_centre_crop_picks_the_centre() -> None:
    # red = x, green = y: the crop's corner tells where it was taken
    w, h = 60, 40
    a = np.zeros((h, w, 3), np.uint8)
    a[..., 0] = np.arange(w)[None, :]
    a[..., 1] = np.arange(h)[:, None]
    t = to_tensor(Image.fromarray(a), RAW).numpy() * 255
    assert np.allclose(t[0, 0, :], np.arange(20, 40), atol=1e-3)
    assert np.allclose(t[1, :, 0], np.arange(10, 30), atol=1e-3)


def test_resize_shorter_side_first() -> None:
    # 80x40 -> 40x20 (resize 20), centre crop 20x20 = original columns 20..60
    a = np.zeros((40, 80, 3), np.uint8)
    a[..., 0] = 3 * np.arange(80)[None, :]
    prep = Preprocess(20, 20, *NORMALIZE["none"], channels=3)
    t = to_tensor(Image.fromarray(a), prep).numpy() * 255
    assert t.shape == (3, 20, 20)
    assert abs(t[0, 0, 0] - 3 * 20.5) < 4 and abs(t[0, 0, -1] - 3 * 58.5) < 4


def test_model_view_inverts_to_tensor() -> None:
    colour = (10, 128, 250)
    li = from_array(np.full((40, 50, 3), colour, np.uint8), "c", "test")
    view = model_view(to_tensor(li, IMAGENET), IMAGENET)
    assert view.shape == (32, 32, 3) and view.dtype == np.uint8
    assert np.abs(view.astype(int) - colour).max() <= 1
    grey = Preprocess(32, 32, (0.449,), (0.226,), channels=1)
    g = model_view(to_tensor(Image.new("L", (32, 32), 77), grey)[None], grey)
    assert g.shape == (32, 32, 3) and np.abs(g.astype(int) - 77).max() <= 1


def test_to_batch() -> None:
    images = [load_sample("digits-1"), load_sample("coins")]
    b = to_batch(images, IMAGENET)
    assert b.shape == (2, 3, 32, 32)
    assert np.allclose(b[1].numpy(), to_tensor(images[1], IMAGENET).numpy())
    with pytest.raises(ValueError):
        to_batch([], IMAGENET)


def test_preprocess_validates() -> None:
    with pytest.raises(ValueError):
        Preprocess(32, 16, (0.5,), (0.5,), channels=1)
    with pytest.raises(ValueError):
        Preprocess(32, 32, (0.5,), (0.5,), channels=1, interpolation="lanczos9")


def test_module_is_qt_free_and_torch_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, explorer.runtime.images; "
        "print(sorted(m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
