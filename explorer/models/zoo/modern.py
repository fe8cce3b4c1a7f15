"""Networks beyond the lecture's part 1 ("what was not covered")."""

from explorer.models.registry import ModelSpec, register, timm_builder, tv_builder

_TV = [
    # name, family, year, paper, slow
    ("resnext50_32x4d", "ResNeXt", 2017, "Xie et al., Aggregated residual transformations", False),
    (
        "wide_resnet50_2",
        "Wide ResNet",
        2016,
        "Zagoruyko and Komodakis, Wide residual networks",
        True,
    ),
    (
        "densenet121",
        "DenseNet",
        2017,
        "Huang et al., Densely connected convolutional networks",
        False,
    ),
    ("squeezenet1_1", "SqueezeNet", 2016, "Iandola et al., SqueezeNet", False),
    ("mobilenet_v2", "MobileNet", 2018, "Sandler et al., MobileNetV2: inverted residuals", False),
    ("mobilenet_v3_large", "MobileNet", 2019, "Howard et al., Searching for MobileNetV3", False),
    ("shufflenet_v2_x1_0", "ShuffleNet", 2018, "Ma et al., ShuffleNet V2", False),
    ("efficientnet_b0", "EfficientNet", 2019, "Tan and Le, EfficientNet", False),
    (
        "regnet_y_400mf",
        "RegNet",
        2020,
        "Radosavovic et al., Designing network design spaces",
        False,
    ),
    ("convnext_tiny", "ConvNeXt", 2022, "Liu et al., A ConvNet for the 2020s", False),
]

for _name, _family, _year, _paper, _slow in _TV:
    register(
        ModelSpec(
            name=_name,
            family=_family,
            paper=_paper,
            year=_year,
            builder=tv_builder(_name),
            tv_name=_name,
            slow=_slow,
            ref_source="torchvision weights metadata",
        )
    )

register(
    ModelSpec(
        name="dm_nfnet_f0",
        family="NFNet",
        paper="Brock et al., High-performance large-scale image recognition without normalization",
        year=2021,
        builder=timm_builder("dm_nfnet_f0"),
        input_size=(3, 192, 192),
        timm_name="dm_nfnet_f0",
        ref_params=71_489_284,
        ref_source="timm 1.0 build; timm's published 71.49 M",
        slow=True,
    )
)
