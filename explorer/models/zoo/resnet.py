"""ResNet 18-152 (torchvision) and their plain twins without shortcuts."""

from explorer.models.registry import ModelSpec, register, tv_builder

_PAPER = "He et al., Deep residual learning for image recognition"

for _depth in (18, 34, 50, 101, 152):
    register(
        ModelSpec(
            name=f"resnet{_depth}",
            family="ResNet",
            paper=_PAPER,
            year=2015,
            builder=tv_builder(f"resnet{_depth}"),
            tv_name=f"resnet{_depth}",
            lecture=True,
            slow=_depth >= 101,
            ref_source="torchvision weights metadata",
        )
    )


def _plain(layers: list[int]):
    def build():
        from explorer.models.nets.plain import plain_resnet

        return plain_resnet(layers)

    return build


# The plain nets' reference: resnet's published count minus its projection shortcuts
# (1x1 conv + BN at the first block of stages 2-4), computed in the tests.
for _name, _layers in (("plain18", [2, 2, 2, 2]), ("plain34", [3, 4, 6, 3])):
    register(
        ModelSpec(
            name=_name,
            family="ResNet",
            paper=_PAPER + " (the plain baseline, shortcuts removed)",
            year=2015,
            builder=_plain(_layers),
            lecture=True,
            extra={"twin": "resnet" + _name[5:]},
            ref_source=f"resnet{_name[5:]}'s count minus its projection shortcuts",
            description="The residual network's layers without any skip connection.",
        )
    )
