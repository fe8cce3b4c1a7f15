"""Images for the digits networks: photos told apart, paper inverted, drawings made into digits."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from explorer.runtime.digit_input import (
    BLANK_WARNING,
    INVERTED_NOTE,
    NOT_INVERTED_NOTE,
    PHOTO_WARNING,
    adapt_for_digits,
    digit_from_drawing,
    digit_image,
    drawn_image,
    look,
)
from explorer.runtime.images import LoadedImage, from_array, load_sample

DIGITS = [f"digits-{k}" for k in range(10)]


@pytest.mark.parametrize("name", ["chelsea", "astronaut", "coffee"])
def test_photos_are_flagged(name: str) -> None:
    img = load_sample(name)
    out, notes = adapt_for_digits(img)
    assert look(img).photo
    assert notes == [PHOTO_WARNING]
    assert out is img  # a photo is warned about, never inverted


def test_every_builtin_photo_is_flagged() -> None:
    for name in ("rocket", "hubble_deep_field", "immunohistochemistry", "camera", "coins"):
        assert look(load_sample(name)).photo, name


@pytest.mark.parametrize("name", DIGITS)
def test_digit_samples_pass_unchanged(name: str) -> None:
    img = load_sample(name)
    out, notes = adapt_for_digits(img)
    assert notes == []
    assert out is img


def test_no_digit_of_the_data_set_is_a_photo() -> None:
    from sklearn.datasets import load_digits

    d = load_digits()
    for a in d.images[::7]:  # 257 of the 1,797, made as the samples are
        im = digit_image(a)
        seen = look(im)
        assert not seen.photo and not seen.light
        assert look(ImageOps.invert(im)).light


@pytest.mark.parametrize("name", ["digits-0", "digits-4", "digits-8"])
def test_black_on_white_digit_is_inverted_back(name: str) -> None:
    img = load_sample(name)
    paper = LoadedImage("paper", "paper.png", ImageOps.invert(img.image))
    out, notes = adapt_for_digits(paper)
    assert notes == [INVERTED_NOTE]
    assert INVERTED_NOTE in out.notes and out.source == "paper.png"
    assert np.array_equal(np.asarray(out.image), np.asarray(img.image))
    # the user's choice: left as it is, and said
    same, notes = adapt_for_digits(paper, invert=False)
    assert same is paper and notes == [NOT_INVERTED_NOTE]


def _paper_drawing(rgb: bool = False) -> Image.Image:
    """A "3" drawn in ink on slightly shaded, noisy paper, as a phone photo of it would be."""
    im = Image.new("L", (400, 300), 235)
    ImageDraw.Draw(im).line(
        [(120, 60), (200, 50), (220, 110), (150, 150), (230, 190), (200, 250), (110, 240)],
        fill=20,
        width=18,
    )
    a = np.asarray(im, np.float64) * (1 - 0.2 * np.linspace(0, 1, 400))[None, :]
    a += np.random.default_rng(0).normal(0, 6, a.shape)
    a = np.clip(a, 0, 255).astype(np.uint8)
    if rgb:
        a = np.clip(a[:, :, None] * np.array([1.0, 0.97, 0.9]), 0, 255).astype(np.uint8)
    return Image.fromarray(a)


@pytest.mark.parametrize("rgb", [False, True])
def test_a_digit_on_paper_is_not_a_photo_and_is_inverted(rgb: bool) -> None:
    img = from_array(np.asarray(_paper_drawing(rgb)), "paper", "paper.png")
    out, notes = adapt_for_digits(img)
    assert notes == [INVERTED_NOTE]
    # the paper became dark, the ink bright
    a = np.asarray(out.image.convert("L"))
    assert a[:5].mean() < 60 and a.max() > 200


def test_tiny_and_flat_images_are_judged_without_error() -> None:
    for arr in (np.zeros((1, 1), np.uint8), np.full((3, 500), 255, np.uint8)):
        adapt_for_digits(from_array(arr, "x", "x"))


@pytest.mark.parametrize("value", [0, 128, 255])
def test_a_blank_image_is_warned_about_not_answered_quietly(value: int) -> None:
    """White, black or grey all over: a digits network said '1' at 100 % without a word."""
    for shape in ((64, 64), (1, 1)):
        image = from_array(np.full(shape, value, np.uint8), "blank", "blank")
        out, notes = adapt_for_digits(image)
        assert notes == [BLANK_WARNING]
        assert np.array_equal(np.asarray(out.image), np.asarray(image.image))  # not inverted


# --- a drawing as a digit ---------------------------------------------------------------------


def test_vertical_stroke_downsampled_exactly() -> None:
    # a bar 20 px wide and 200 high: scaled to 32 high it is round(3.2) = 3 wide, placed
    # at columns 14..16 ((32 - 3) // 2 = 14): 2 columns in block 3, 1 in block 4
    a = np.zeros((280, 280), np.uint8)
    a[40:240, 130:150] = 255
    d = digit_from_drawing(a, stroke=None)
    want = np.zeros((8, 8), np.uint8)
    want[:, 3], want[:, 4] = 8, 4
    assert np.array_equal(d, want)


def test_drawing_is_scaled_and_centred_by_its_box() -> None:
    a = np.zeros((280, 280), np.uint8)
    a[40:240, 130:150] = 255
    b = np.zeros((500, 300), np.uint8)
    b[10:110, 250:260] = 255  # the same bar, half the size, in a corner of another canvas
    assert np.array_equal(digit_from_drawing(a, None), digit_from_drawing(b, None))


def test_thin_strokes_are_thickened_to_the_data_sets() -> None:
    a = np.zeros((280, 280), np.uint8)
    a[40:240, 137:143] = 255  # a 6 px line: under 1 px at 32x32
    thin = digit_from_drawing(a, stroke=None)
    thick = digit_from_drawing(a)
    assert thin.sum() < thick.sum()
    ink_columns = np.flatnonzero(thick.sum(axis=0))
    assert set(ink_columns) <= {2, 3, 4, 5} and thick[:, 3:5].min() > 0
    assert 5 <= thick.sum() / 8 / 4 <= 10  # about 7 px of ink per bitmap row, as the data


def test_empty_drawing_and_bad_shapes() -> None:
    assert not digit_from_drawing(np.zeros((50, 50))).any()
    with pytest.raises(ValueError):
        digit_from_drawing(np.zeros(5))
    with pytest.raises(ValueError):
        digit_image(np.zeros((4, 4)))


def test_digit_image_makes_the_samples() -> None:
    from sklearn.datasets import load_digits

    d = load_digits()
    i = int(np.flatnonzero(d.target == 5)[0])
    assert np.array_equal(
        np.asarray(digit_image(d.images[i])), np.asarray(load_sample("digits-5").image)
    )


def test_drawn_image_is_a_white_on_black_digit() -> None:
    a = np.zeros((280, 280), np.uint8)
    a[40:240, 130:150] = 255
    img = drawn_image(a)
    assert img.source == "draw:pad" and img.image.size == (32, 32) and img.image.mode == "L"
    assert adapt_for_digits(img) == (img, [])
