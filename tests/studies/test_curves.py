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
