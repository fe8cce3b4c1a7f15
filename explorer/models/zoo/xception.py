"""Xception (timm's legacy_xception, the paper's network)."""

from explorer.models.registry import (
    INCEPTION_MEAN,
    INCEPTION_STD,
    ModelSpec,
    register,
    timm_builder,
)

register(
    ModelSpec(
        name="xception",
        family="Xception",
        paper="Chollet, Xception: deep learning with depthwise separable convolutions",
        year=2017,
        builder=timm_builder("legacy_xception"),
        input_size=(3, 299, 299),
        mean=INCEPTION_MEAN,
        std=INCEPTION_STD,
        timm_name="legacy_xception",
        ref_params=22_855_952,
        ref_source="timm 1.0 build; Xception paper 22,855,952",
        lecture=True,
        slow=True,
    )
)
