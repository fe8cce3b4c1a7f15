"""GoogLeNet and the Inception family (v3 from torchvision, v4 and Inception-ResNet-v2 from timm)."""

from explorer.models.registry import (
    INCEPTION_MEAN,
    INCEPTION_STD,
    LayerRef,
    ModelSpec,
    register,
    timm_builder,
    tv_builder,
)

# Szegedy et al. 2014, Table 1: input channels, then #1x1, #3x3 reduce, #3x3, #5x5 reduce,
# #5x5, pool proj; the printed params and ops of the row.
_GOOGLENET_TABLE = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32, 159_000, 128_000_000),
    "inception3b": (256, 128, 128, 192, 32, 96, 64, 380_000, 304_000_000),
    "inception4a": (480, 192, 96, 208, 16, 48, 64, 364_000, 73_000_000),
    "inception4b": (512, 160, 112, 224, 24, 64, 64, 437_000, 88_000_000),
    "inception4c": (512, 128, 128, 256, 24, 64, 64, 463_000, 100_000_000),
    "inception4d": (512, 112, 144, 288, 32, 64, 64, 580_000, 119_000_000),
    "inception4e": (528, 256, 160, 320, 32, 128, 128, 840_000, 170_000_000),
    "inception5a": (832, 256, 160, 320, 32, 128, 128, 1_072_000, 54_000_000),
    "inception5b": (832, 384, 192, 384, 48, 128, 128, 1_388_000, 71_000_000),
}


def _conv(cin: int, cout: int, k: int, bn: bool) -> int:
    """Parameters of a conv with bias (the paper) or without bias but with BN (torchvision)."""
    return cin * cout * k * k + (2 * cout if bn else cout)


def inception_params(
    cin: int, c1: int, r3: int, c3: int, r5: int, c5: int, pp: int, k5: int = 5, bn: bool = False
) -> int:
    """Parameters of an inception module from its filter counts."""
    return (
        _conv(cin, c1, 1, bn)
        + _conv(cin, r3, 1, bn)
        + _conv(r3, c3, 3, bn)
        + _conv(cin, r5, 1, bn)
        + _conv(r5, c5, k5, bn)
        + _conv(cin, pp, 1, bn)
    )


_GOOGLENET_PAPER = (
    LayerRef(
        "convolution 7x7/2",
        ("conv1",),
        2_700,
        exact=False,
        macs=34_000_000,
        from_description=_conv(3, 64, 7, False),
        expected=_conv(3, 64, 7, True),
    ),
    LayerRef(
        "convolution 3x3/1 (+ 1x1 reduce)",
        ("conv2", "conv3"),
        112_000,
        exact=False,
        macs=360_000_000,
        from_description=_conv(64, 64, 1, False) + _conv(64, 192, 3, False),
        expected=_conv(64, 64, 1, True) + _conv(64, 192, 3, True),
    ),
    *(
        LayerRef(
            f"inception ({k[9:]})",
            (k,),
            v[7],
            exact=False,
            macs=v[8],
            from_description=inception_params(*v[:7]),
            expected=inception_params(*v[:7], k5=3, bn=True),
        )
        for k, v in _GOOGLENET_TABLE.items()
    ),
    LayerRef(
        "linear",
        ("fc",),
        1_000_000,
        exact=False,
        macs=1_000_000,
        from_description=1024 * 1000 + 1000,
        expected=1024 * 1000 + 1000,
    ),
)

_GOOGLENET_NOTE = (
    "Why the counts differ. (1) The paper's params column is rounded and does not follow "
    "exactly from its own filter columns (e.g. inception (4c): its filters give 510,104, the "
    "table prints 463K); the 'paper filters' column counts them. (2) torchvision departs "
    "from the paper twice: its '5x5' branch (branch3) is a 3x3 convolution (a slip kept "
    "for compatibility with its pretrained weights), and every convolution has BatchNorm "
    "(2 parameters per channel) instead of a bias (1 per channel). The 'expected' column "
    "applies both changes to the paper's filters and equals ours row by row."
)

register(
    ModelSpec(
        name="googlenet",
        family="Inception",
        paper="Szegedy et al., Going deeper with convolutions (GoogLeNet, Inception v1)",
        year=2014,
        builder=tv_builder("googlenet", aux_logits=False, init_weights=True),
        tv_name="googlenet",
        lecture=True,
        ref_source="torchvision weights metadata (without the auxiliary heads)",
        ref_layers=_GOOGLENET_PAPER,
        ref_note=_GOOGLENET_NOTE,
    )
)

register(
    ModelSpec(
        name="inception_v3",
        family="Inception",
        paper="Szegedy et al., Rethinking the Inception architecture (Inception v2/v3)",
        year=2015,
        builder=tv_builder("inception_v3", aux_logits=True, init_weights=True),
        input_size=(3, 299, 299),
        tv_name="inception_v3",
        lecture=True,
        slow=True,
        ref_source="torchvision weights metadata: 27,161,264 including the auxiliary "
        "classifier (AuxLogits, 3,326,696), which runs only in training; "
        "23,834,568 in the inference graph",
        ref_note="The auxiliary classifier is counted in the total but is not part of the "
        "inference graph.",
    )
)

register(
    ModelSpec(
        name="inception_v4",
        family="Inception",
        paper="Szegedy et al., Inception-v4, Inception-ResNet and the impact of residual "
        "connections",
        year=2016,
        builder=timm_builder("inception_v4"),
        input_size=(3, 299, 299),
        mean=INCEPTION_MEAN,
        std=INCEPTION_STD,
        timm_name="inception_v4",
        ref_params=42_679_816,
        ref_source="timm 1.0 build; timm's published 42.68 M",
        lecture=True,
        slow=True,
    )
)

register(
    ModelSpec(
        name="inception_resnet_v2",
        family="Inception-ResNet",
        paper="Szegedy et al., Inception-v4, Inception-ResNet and the impact of residual "
        "connections",
        year=2016,
        builder=timm_builder("inception_resnet_v2"),
        input_size=(3, 299, 299),
        mean=INCEPTION_MEAN,
        std=INCEPTION_STD,
        timm_name="inception_resnet_v2",
        ref_params=55_843_464,
        ref_source="timm 1.0 build; timm's published 55.84 M",
        lecture=True,
        slow=True,
    )
)
