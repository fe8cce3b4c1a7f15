"""The Landscape tab's data: a grid in progress filled from its finest complete level, the log
scale, one colour range for two landscapes."""

from __future__ import annotations

import numpy as np

from explorer.present.landscape import caption, colour_range, filled, from_json, shown
from explorer.studies.landscape.grid import progressive_order


def test_a_grid_in_progress_is_filled_from_its_finest_complete_level() -> None:
    n = 9
    truth = np.arange(n * n, dtype=float).reshape(n, n)
    levels = progressive_order(n, n)
    loss = np.full((n, n), np.nan)
    done = np.zeros((n, n), dtype=bool)
    for i, j in levels[0]:
        loss[i, j], done[i, j] = truth[i, j], True
    f = filled(loss, done)
    assert np.isfinite(f).all()
    # level 0 holds rows and columns 0, 4, 8: the nearest of them (a tie: the lower)
    assert f[1, 3] == truth[0, 4] and f[3, 3] == truth[4, 4] and f[7, 7] == truth[8, 8]
    assert f[2, 6] == truth[0, 4]
    assert (f[done] == truth[done]).all()
    # half of the next level: still drawn from level 0 where not computed
    i, j = levels[1][0]
    loss[i, j], done[i, j] = truth[i, j], True
    g = filled(loss, done)
    assert g[i, j] == truth[i, j]
    nothing = filled(np.full((3, 3), np.nan), np.zeros((3, 3), dtype=bool))
    assert np.isnan(nothing).all()
    full = np.ones((3, 3), dtype=bool)
    assert (filled(truth[:3, :3], full) == truth[:3, :3]).all()


def test_log_scale_and_one_colour_range() -> None:
    a = np.array([[0.1, 1.0], [10.0, np.inf]])
    s = shown(a, log=True)
    assert np.allclose(s[0], [-1, 0]) and s[1, 0] == 1 and np.isnan(s[1, 1])
    assert colour_range([s, np.array([[2.0]])]) == (-1.0, 2.0)
    assert colour_range([np.full((2, 2), np.nan)]) is None


def test_a_saved_landscape_reads_back_with_its_caption() -> None:
    obj = {
        "model": "resnet56", "data": {"name": "digits (test)", "n": 360}, "dims": 1,
        "x": [-1.0, 0.0, 1.0], "y": None, "loss": [2.0, 0.5, None], "top1": [10.0, 99.0, None],
        "center": {"loss": 0.5, "top1": 99.0}, "elapsed_s": 3725.0,
    }  # fmt: skip
    ls = from_json(obj)
    assert ls.dims == 1 and ls.loss.shape == (1, 3) and np.isnan(ls.loss[0, 2])
    text = caption(ls)
    assert "resnet56: 3 points over [-1, 1]" in text and "1 h 02 min" in text
    assert "loss 0.5, top-1 99.0 %" in text


def test_saved_files_the_program_would_not_write_are_one_line(tmp_path) -> None:
    import json

    import pytest

    from explorer.present.landscape import LandscapeFileError, read, same_kind

    base = {
        "model": "m", "data": {"name": "d", "n": 3}, "dims": 1, "x": [-1.0, 0.0, 1.0],
        "y": None, "loss": [1.0, 0.5, 1.0], "top1": [1.0, 2.0, 3.0],
        "center": {"loss": 0.5, "top1": 2.0},
    }  # fmt: skip
    bad = {
        "nan axis": {**base, "x": [-1.0, float("nan"), 1.0]},
        "string axis": {**base, "x": "12"},
        "reversed": {**base, "x": [1.0, 0.0, -1.0]},
        "huge": {**base, "x": [float(i) for i in range(202)], "loss": [0.0] * 202},
        "top1 list": {**base, "center": {"loss": 0.5, "top1": [1]}},
        "n string": {**base, "data": {"name": "d", "n": "many"}},
        "dims lie": {**base, "dims": 2},
    }
    for name, obj in bad.items():
        f = tmp_path / "f.json"
        f.write_text(json.dumps(obj).replace("NaN", "NaN"))
        try:
            ls = read(f)
        except LandscapeFileError as exc:
            assert "\n" not in str(exc)
            continue
        # kept: what it says must be sane
        assert name in ("top1 list", "n string"), name
        assert ls.center["top1"] is None or isinstance(ls.center["top1"], float)
        assert isinstance(ls.n, int)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(LandscapeFileError):
        read(deep)
    one = read_obj(tmp_path, base)
    two = read_obj(tmp_path, {**base, "dims": 2, "y": [0.0, 1.0], "loss": [[1.0] * 3] * 2,
                              "top1": [[1.0] * 3] * 2})  # fmt: skip
    with pytest.raises(LandscapeFileError, match="a.json is 1-D, b.json is 2-D"):
        same_kind([one, two], ["a.json", "b.json"])


def read_obj(tmp_path, obj):
    import json

    from explorer.present.landscape import read

    f = tmp_path / "o.json"
    f.write_text(json.dumps(obj))
    return read(f)
