"""LeNet-5."""

from explorer.models.registry import LayerRef, register
from explorer.models.zoo.small import digits_spec


def _build():
    from explorer.models.nets.lenet import LeNet5

    return LeNet5()


register(
    digits_spec(
        "lenet5",
        family="LeNet",
        paper="LeCun et al., Gradient-based learning applied to document recognition",
        year=1998,
        builder=_build,
        ref_params=61_706,
        ref_source="lecture: C1 156, C3 2,416, C5 48,120, F6 10,164, output 850",
        ref_layers=(
            LayerRef("C1 conv 5x5, 6", ("c1",), 156),
            LayerRef("C3 conv 5x5, 16", ("c3",), 2_416),
            LayerRef("C5 conv 5x5, 120", ("c5",), 48_120),
            LayerRef("F6 FC 84", ("f6",), 10_164),
            LayerRef("output FC 10", ("output",), 850),
        ),
        description="tanh, average pooling; the lecture's 1x32x32 version.",
    )
)
