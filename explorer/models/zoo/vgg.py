"""VGG 11/13/16/19, with and without batch norm (torchvision)."""

from explorer.models.registry import ModelSpec, register, tv_builder

for _depth in (11, 13, 16, 19):
    for _bn in ("", "_bn"):
        _name = f"vgg{_depth}{_bn}"
        register(
            ModelSpec(
                name=_name,
                family="VGG",
                paper="Simonyan and Zisserman, Very deep convolutional networks"
                + (" (with batch norm)" if _bn else ""),
                year=2014,
                builder=tv_builder(_name),
                tv_name=_name,
                lecture=True,
                slow=True,
                ref_source="torchvision weights metadata",
            )
        )
