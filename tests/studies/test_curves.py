"""The shipped training curves reproduce the lecture's plain-vs-residual finding."""

from __future__ import annotations

from explorer.studies.training.curves import (
    PLAIN_VS_RESIDUAL,
    bundled_curve,
    error_series,
    final_errors,
)


def test_curves_ship_for_the_four_networks():
    for name in PLAIN_VS_RESIDUAL:
        c = bundled_curve(name)
        assert c is not None and c["model"] == name
        epochs, err = error_series(c, "train")
        assert epochs == list(range(1, len(epochs) + 1)) and len(err) >= 10
        assert all(0.0 <= e <= 100.0 for e in err)
    assert bundled_curve("no_such_model") is None


def test_deeper_plain_trains_worse_deeper_residual_does_not():
    """He et al. 2015: the 56-layer plain net has a higher *training* error than the 20-layer
    one (degradation); with shortcuts the deeper net is not worse."""
    e = final_errors()
    assert e["plain56"][0] > e["plain20"][0] + 2.0
    assert e["resnet56"][0] <= e["resnet20"][0] + 0.5
    assert e["resnet56"][0] < e["plain56"][0]


def test_log_ticks_are_plain_numbers():
    """The training curves' error axis: "0.1", "1", "10", "100", never "9x10^1"."""
    from explorer.studies.training.curves import log_ticks

    major, minor = log_ticks(0.1, 100.0)
    assert [label for _, label in major] == ["0.1", "1", "10", "100"]
    assert [round(v, 6) for v, _ in major] == [-1.0, 0.0, 1.0, 2.0]  # log10 positions
    assert all(label == "" for _, label in minor)  # three decades: minor ticks unlabelled
    major, minor = log_ticks(0.5, 30.0)
    assert [label for _, label in major] == ["1", "10"]
    assert [label for _, label in minor] == ["0.5", "2", "5", "20"]
    for _, label in major + minor:
        assert "^" not in label and "x" not in label and "e" not in label


def test_zero_error_is_drawn_at_the_floor_and_said():
    from explorer.studies.training.curves import ERROR_FLOOR, floor_note, floored

    shown, n = floored([5.0, 0.0, 0.05, 0.1])
    assert shown == [5.0, ERROR_FLOOR, ERROR_FLOOR, 0.1] and n == 2
    assert floor_note(n) == "0 % drawn at 0.1 % (a log axis has no 0)"
    assert floor_note(0) == ""
    # the shipped curves reach 0 % training error: the dialog has something to say
    assert any(floored(error_series(bundled_curve(m), "train")[1])[1] for m in PLAIN_VS_RESIDUAL)
