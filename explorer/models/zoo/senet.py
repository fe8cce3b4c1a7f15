"""Squeeze-and-Excitation networks (timm)."""

from explorer.models.registry import ModelSpec, register, timm_builder

_PAPER = "Hu, Shen and Sun, Squeeze-and-excitation networks"

register(
    ModelSpec(
        name="seresnet50",
        family="SENet",
        paper=_PAPER,
        year=2018,
        builder=timm_builder("seresnet50"),
        timm_name="seresnet50",
        ref_params=28_088_024,
        ref_source="timm 1.0 build; timm's published 28.09 M",
        lecture=True,
    )
)

register(
    ModelSpec(
        name="senet154",
        family="SENet",
        paper=_PAPER + " (SENet-154, the ILSVRC 2017 winner)",
        year=2018,
        builder=timm_builder("legacy_senet154"),
        timm_name="legacy_senet154",
        ref_params=115_088_984,
        ref_source="timm 1.0 build; timm's published 115.09 M",
        lecture=True,
        slow=True,
    )
)
