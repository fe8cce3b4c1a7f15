"""What the plotted panels compute without a screen: axis ranges, notes, legends, the
highway gates' bars."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.present.panels import (
    RANDOM_STD_NOTE,
    LegendEntry,
    ScoreRange,
    highway_bars,
    legend_html,
    legend_inline,
    score_range,
    sparse_ticks,
    sweep_title,
    weights_note,
    wrapped,
)


def share(r: ScoreRange, a: float, b: float) -> float:
    """The fraction of the axis's height between two values."""
    return abs(a - b) / (r.hi - r.lo)


def test_sweep_range_shows_97_against_99_7() -> None:
    """On a 0-100 axis 97 and 99.7 % are 2.7 % of the height apart (a few pixels)."""
    r = score_range([97.0, 99.7, 99.5], baseline=99.7)
    assert share(ScoreRange(0, 100), 97.0, 99.7) < 0.03
    assert share(r, 97.0, 99.7) >= 0.5
    assert r.lo < 97.0 and r.hi >= 99.7 and r.hi <= 100.0
    assert not r.from_zero and r.note == f"axis from {r.lo:g} %, not 0"
    assert "not 0" in sweep_title(99.7, r) and "intact network 99.70 %" in sweep_title(99.7, r)


@pytest.mark.parametrize(
    ("scores", "baseline"),
    [([99.0, 99.1, 99.2], 99.72), ([60.0, 91.0, 99.0], 99.7), ([50.5], None), ([99.9], 99.9)],
)
def test_sweep_range_holds_every_score_and_the_baseline(scores, baseline) -> None:
    r = score_range(scores, baseline)
    pts = scores + ([baseline] if baseline is not None else [])
    assert 0.0 <= r.lo < min(pts) and max(pts) <= r.hi <= 100.0
    assert r.hi - r.lo >= 1.0  # equal scores still get an axis


def test_sweep_range_starts_at_zero_when_scores_go_low() -> None:
    """A network that breaks (10 % on digits is chance) is seen against the whole axis."""
    r = score_range([10.0, 95.0, 99.0], baseline=99.0)
    assert r == ScoreRange(0.0, 100.0) and r.from_zero and r.note == ""
    assert "not 0" not in sweep_title(99.0, r)
    assert score_range([float("nan")], None) == ScoreRange(0.0, 100.0)


def test_weights_note_random_and_trained() -> None:
    note, warn = weights_note(False, "random (untrained)", residual=True)
    assert note == RANDOM_STD_NOTE and warn
    assert "residual sum grows with depth" in note and "Fig. 7" in note
    plain, warn = weights_note(False, "random (untrained)", residual=False)
    assert warn and "Fig. 7" in plain and "residual" not in plain
    note, warn = weights_note(True, "bundled (digits, 99.7 %)")
    assert not warn and "random" not in note and "bundled (digits, 99.7 %)" in note
    assert weights_note(None, "") == ("", False)


def test_legends_escape_and_wrap() -> None:
    text = legend_html([LegendEntry("a <b> & c", "#123456"), LegendEntry("d", "#654321", True)])
    assert "a &lt;b&gt; &amp; c" in text and "#123456" in text and "#654321" in text
    assert text.count("<br>") == 1
    long = legend_html([LegendEntry("x" * 10 + " " + "y" * 10, "#000")], width=12)
    assert long.count("<br>") == 1  # the label broken in two
    assert wrapped(RANDOM_STD_NOTE, 40).count("<br>") >= 2
    assert all(len(part) <= 40 for part in wrapped(RANDOM_STD_NOTE, 40).split("<br>"))
    inline = legend_inline([LegendEntry("coffee", "#2e86c1"), LegendEntry("cat", "#e67e22")])
    assert "coffee" in inline and "cat" in inline and "<br>" not in inline


def test_sparse_ticks() -> None:
    ids = [f"layer{i}.{j}" for i in range(1, 4) for j in range(20)]
    ticks = sparse_ticks(ids, most=30)
    assert len(ticks) <= 30 and ticks[0] == (0, "L1.0")
    assert all(ids[i].replace("layer", "L") == label for i, label in ticks)
    assert len(sparse_ticks(ids[:5])) == 5


class _Probes:
    def __init__(self, ids: list[str], gates: dict[str, np.ndarray]):
        self.block_ids, self.highway_gates = ids, gates


def test_highway_bars_follow_the_depth() -> None:
    """Rows in the order of the blocks, whatever the dict's order; one value per image."""
    p = _Probes(
        ["", "a", "a.0", "b", "c"],
        {"c": np.array([0.3, 0.4]), "a": np.array([0.1, 0.2]), "b": np.array([0.5, 0.6])},
    )
    ids, v = highway_bars(p)
    assert ids == ["a", "b", "c"] and v.shape == (2, 3)
    assert np.allclose(v, [[0.1, 0.5, 0.3], [0.2, 0.6, 0.4]])
    ids, v = highway_bars(_Probes(["x"], {}))
    assert ids == [] and v.size == 0


def test_highway_bars_of_the_highway_network() -> None:
    """One value per highway block of the zoo's highway network, each a mean of sigmoids."""
    import torch

    from explorer.graph.analysis import analyze
    from explorer.models.registry import get
    from explorer.runtime.probe_plan import make_plan
    from explorer.runtime.probes import run_probes

    an = analyze(get("highway"))
    _, res = run_probes(an.model, torch.randn(2, *an.input_shape[1:]), make_plan(an.tree))
    ids, v = highway_bars(res)
    assert len(ids) == an.tree.count("highway") == 9 and v.shape == (2, 9)
    assert ids == [b for b in res.block_ids if b in res.highway_gates]
    assert all(0.0 < x < 1.0 and math.isfinite(x) for x in v.ravel())


def test_export_sizes_scale_the_figure_with_the_slide() -> None:
    from explorer.present.panels import EXPORT_SIZES, export_name, export_scale

    assert export_scale((1920, 1080)) == 2.0  # laid out at 960x540, drawn twice as large
    assert export_scale((1280, 720)) == pytest.approx(1280 / 960)
    assert export_scale((1920, 540)) == 1.0  # a strip: its own height
    assert export_scale((400, 300)) == 1.0  # a small file is never shrunk
    assert EXPORT_SIZES[0][1] == (1920, 1080) and EXPORT_SIZES[-1][1] is None
    assert export_name("Activation std", (1920, 1080)) == "activation_std_1920x1080.png"
    assert export_name("Highway gates", None, "pdf") == "highway_gates.pdf"
