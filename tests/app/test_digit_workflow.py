"""Digits networks meet real drawings: the run workflow (the window's) and ``predict`` (the
command line's) check the images the same way and say the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_expect import run
from PIL import Image, ImageOps

from explorer.app.workflows import drive
from explorer.app.workflows.run import digit_inputs, load_model, load_weights, run_images
from explorer.runtime.digit_input import INVERTED_NOTE, PHOTO_WARNING, drawn_image
from explorer.runtime.images import load_sample


@pytest.fixture(scope="module")
def resnet56():
    an = drive(load_model("resnet56"))
    info = drive(load_weights(an, "auto", fresh=True))
    assert info.trained
    return an, info


def _run(an, info, images, invert=True):
    from explorer.runtime.pipeline import preprocess

    prep = preprocess(an.spec, info)
    return drive(run_images(an, images, prep, "cpu", "fp32", info.categories, invert=invert))


def _stroke_one() -> np.ndarray:
    """A "1" as drawn on the pad: a vertical stroke, white on black."""
    a = np.zeros((280, 280), np.uint8)
    a[40:240, 128:152] = 255
    return a


def test_a_drawn_one_is_read_by_the_trained_resnet56(resnet56) -> None:
    an, info = resnet56
    res = _run(an, info, [drawn_image(_stroke_one())])
    assert res.top[0][0].label == "1", res.top[0][:3]
    assert not any(PHOTO_WARNING in n or INVERTED_NOTE in n for n in res.notes)


def test_a_photo_is_warned_about_and_a_paper_digit_inverted(resnet56) -> None:
    an, info = resnet56
    res = _run(an, info, [load_sample("chelsea")])
    assert res.notes[0] == PHOTO_WARNING
    three = load_sample("digits-3")
    paper = type(three)("paper 3", "paper3.png", ImageOps.invert(three.image))
    res = _run(an, info, [paper])
    assert res.notes[0] == INVERTED_NOTE
    assert res.top[0][0].label == "3"
    # the model saw the sample itself
    ref = _run(an, info, [three])
    assert np.array_equal(res.input.numpy(), ref.input.numpy())
    # without inversion the model sees the paper (and is not told it is a digit on paper)
    raw = _run(an, info, [paper], invert=False)
    assert not np.array_equal(raw.input.numpy(), ref.input.numpy())
    # two images: each note names its image
    both = _run(an, info, [load_sample("coffee"), paper])
    assert both.notes[:2] == [f"coffee: {PHOTO_WARNING}", f"paper 3: {INVERTED_NOTE}"]


def test_other_networks_get_images_as_they_are() -> None:
    from explorer.models.registry import get

    img = load_sample("chelsea")
    out, notes = digit_inputs(get("resnet18"), [img])
    assert out == [img] and notes == [[]]


def test_predict_says_the_same_as_the_window(resnet56, tmp_path: Path, capsys) -> None:
    an, info = resnet56
    three = load_sample("digits-3")
    path = tmp_path / "paper3.png"
    ImageOps.invert(three.image).save(path)
    drawn = tmp_path / "drawn1.png"
    Image.fromarray(np.asarray(drawn_image(_stroke_one()).image)).save(drawn)
    code, out, err = run(
        capsys, "predict", "resnet56", str(path), "sample:chelsea", str(drawn), "--json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["notes"] == [INVERTED_NOTE] and rows[0]["top5"][0]["label"] == "3"
    assert rows[1]["notes"] == [PHOTO_WARNING]
    assert rows[2]["notes"] == [] and rows[2]["top5"][0]["label"] == "1"
    assert f"cnn-explorer: paper3.png: {INVERTED_NOTE}" in err
    assert f"cnn-explorer: chelsea: {PHOTO_WARNING}" in err
    # the window's run gives the same answer for the same files
    from explorer.runtime.images import load_image

    win = _run(an, info, [load_image(path)])
    assert win.top[0][0].label == rows[0]["top5"][0]["label"]
    assert win.top[0][0].prob == pytest.approx(rows[0]["top5"][0]["prob"], abs=1e-5)
    # --no-invert: the paper is left as it is, and said
    code, out, err = run(capsys, "predict", "resnet56", str(path), "--json", "--no-invert")
    assert code == 0
    assert "inversion off" in json.loads(out)[0]["notes"][0]


def test_stats_notes(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "stats", "lenet5", "sample:coffee", "--json")
    assert code == 0, err
    assert json.loads(out)["notes"][0] == PHOTO_WARNING
    assert PHOTO_WARNING in err
