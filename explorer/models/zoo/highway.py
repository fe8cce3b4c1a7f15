"""A convolutional Highway network."""

from explorer.models.registry import ModelSpec, register
from explorer.models.zoo.small import bundled_extra


def _build():
    from explorer.models.nets.highway import HighwayNet

    return HighwayNet(num_classes=10, in_channels=1)


register(
    ModelSpec(
        name="highway",
        family="Highway",
        paper="Srivastava, Greff and Schmidhuber, Training very deep networks (Highway networks)",
        year=2015,
        builder=_build,
        input_size=(1, 32, 32),
        mean=(0.5,),
        std=(0.5,),
        classes="digits",
        num_classes=10,
        lecture=True,
        ref_source="analytic count of its layers (tests)",
        description="y = H(x)*T(x) + x*(1-T(x)) with convolutional H and T; 3 stages of 3 layers.",
        extra=bundled_extra("highway"),
    )
)
