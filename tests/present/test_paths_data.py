"""The Paths tab's data: the unraveled view is a binary tree of 2^n paths whose lengths
count C(n, k); the curves and the ticks of the log axis."""

from __future__ import annotations

import math

import numpy as np

from explorer.present.paths import caption, curves, decade_ticks, unraveled
from explorer.studies.paths.lengths import empty


def test_three_blocks_unravel_into_eight_paths() -> None:
    u = unraveled(["layer1.0", "layer1.1", "layer1.2", "layer1.3"])
    assert u.n == 3 and u.rows == 8 and u.lengths == [1, 3, 3, 1]
    boxes = [nd for nd in u.nodes if nd.kind == "branch"]
    assert sorted(nd.label for nd in boxes) == ["f1", "f2", "f2", "f3", "f3", "f3", "f3"]
    ends = [e for e in u.edges if e.kind == "path"]
    assert len(ends) == 8 and sorted(e.length for e in ends) == [0, 1, 1, 1, 2, 2, 2, 3]
    # each path's length is the number of boxes on its way: walk back from its end
    for e in ends:
        x, y, boxes_on_way = e.x0, e.y0, 0
        while x > 0:
            into = [d for d in u.edges if d.kind != "path" and (d.x1, d.y1) == (x, y)]
            assert len(into) == 1
            boxes_on_way += into[0].kind == "branch"
            x, y = into[0].x0, into[0].y0
        assert boxes_on_way == e.length
    assert all(e.y1 == 3.5 for e in ends)  # one sum, in the middle
    assert unraveled(["only"]).rows == 2 and unraveled([]).rows == 1


def test_the_curves_and_the_caption() -> None:
    r = empty("resnet56", "bundled", "digits", 16, [f"b{i}" for i in range(4)], ["identity"] * 4,
              6, 0)  # fmt: skip
    for k, g in enumerate([1e-2, 1e-3, 1e-4, 1e-5, 0.0]):
        r.grad_sum[k], r.count[k] = g * 16, 16
    r.images_done = 16
    c = curves(r)
    assert list(c.num_paths) == [math.comb(4, k) for k in range(5)]
    np.testing.assert_allclose(c.contribution, [1e-2, 4e-3, 6e-4, 4e-5, 0.0])
    assert c.effective == (0, 1) and abs(np.nansum(c.share) - 1) < 1e-12
    text = caption(r)
    assert "2^4 = 16 paths" in text and "effective paths 0-1 of 4" in text
    assert "ResNet-110 in the paper: 5-17 of 54" in text


def test_the_log_axis_is_labelled_within_the_values() -> None:
    (ticks,) = decade_ticks(np.log10([7e-4, 2e-4, 3e-4]))
    assert len(ticks) >= 3 and all(
        np.log10(2e-4) - 0.1 <= v <= np.log10(7e-4) + 0.1 for v, _ in ticks
    )
    (ticks,) = decade_ticks(np.log10([1e-16, 1e-2]))
    assert 3 <= len(ticks) <= 8 and ticks[0][1] == "1e-16"
