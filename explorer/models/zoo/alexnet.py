"""AlexNet: torchvision's variant and the 2012 paper's single-tower layout."""

from explorer.models.registry import LayerRef, ModelSpec, register, tv_builder

_PAPER = "Krizhevsky, Sutskever and Hinton, ImageNet classification with deep CNNs"


def _build_2012():
    from explorer.models.nets.alexnet import AlexNet2012

    return AlexNet2012()


register(
    ModelSpec(
        name="alexnet",
        family="AlexNet",
        paper=_PAPER + " (torchvision's one-GPU variant, 64-192-384-256-256)",
        year=2012,
        builder=tv_builder("alexnet"),
        tv_name="alexnet",
        lecture=True,
        ref_source="torchvision weights metadata",
    )
)

register(
    ModelSpec(
        name="alexnet2012",
        family="AlexNet",
        paper=_PAPER,
        year=2012,
        builder=_build_2012,
        input_size=(3, 227, 227),
        ref_params=62_378_344,
        ref_source="lecture's AlexNet table (single tower)",
        ref_layers=(
            LayerRef("conv1 11x11/4, 96", ("conv1",), 34_944),
            LayerRef("conv2 5x5, 256", ("conv2",), 614_656),
            LayerRef("conv3 3x3, 384", ("conv3",), 885_120),
            LayerRef("conv4 3x3, 384", ("conv4",), 1_327_488),
            LayerRef("conv5 3x3, 256", ("conv5",), 884_992),
            LayerRef("FC-1 9216->4096", ("fc1",), 37_752_832),
            LayerRef("FC-2 4096->4096", ("fc2",), 16_781_312),
            LayerRef("FC-3 4096->1000", ("fc3",), 4_097_000),
        ),
        lecture=True,
        description="227x227 input, LRN after conv1 and conv2, all layers on one tower.",
    )
)
