"""A convolutional Highway network."""

from explorer.models.registry import register
from explorer.models.zoo.small import digits_spec


def _build():
    from explorer.models.nets.highway import HighwayNet

    return HighwayNet(num_classes=10, in_channels=1)


register(
    digits_spec(
        "highway",
        family="Highway",
        paper="Srivastava, Greff and Schmidhuber, Training very deep networks (Highway networks)",
        year=2015,
        builder=_build,
        ref_source="analytic count of its layers (tests)",
        description="y = H(x)*T(x) + x*(1-T(x)) with convolutional H and T; 3 stages of 3 layers.",
    )
)
