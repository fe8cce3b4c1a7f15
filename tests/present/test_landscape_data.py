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
