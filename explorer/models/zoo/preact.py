"""Pre-activation ResNets for CIFAR-10 (He et al. 2016): ResNet-110, -164 and -1001.

Named ``preact_`` because every ``resnetN`` of the zoo is a 2015 (post-activation) ResNet and
the 2016 paper has an original and a pre-activation network at each of these depths (its
Fig. 1 sets the original ResNet-1001 against the pre-activation one). Random weights: nothing
is trained or downloaded for them.

The paper's parameter counts (Table 3: 1.7 M, 1.7 M, 10.2 M) are rounded; the tests count the
layers of the paper's units analytically and check both against the build.
"""

from explorer.models.registry import ModelSpec, register

_PAPER = "He et al., Identity mappings in deep residual networks"
#: CIFAR-10's per-channel mean and std (as ``explorer.runtime.preprocess`` normalises "cifar")
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)

#: name -> (depth, bottleneck, the paper's rounded count, description)
MODELS: dict[str, tuple[int, bool, str, str]] = {
    "preact_resnet110": (
        110,
        False,
        "1.7M",
        "3 stages of 18 basic pre-activation units (BN-ReLU-3x3 conv, twice; 16, 32, 64 "
        "channels), the sum left as it is; 1x1 projection shortcuts where the shape changes.",
    ),
    "preact_resnet164": (
        164,
        True,
        "1.7M",
        "3 stages of 18 bottleneck pre-activation units (BN-ReLU-1x1, BN-ReLU-3x3, "
        "BN-ReLU-1x1 conv; 64, 128, 256 channels); 1x1 projection shortcuts where the shape "
        "changes.",
    ),
    "preact_resnet1001": (
        1001,
        True,
        "10.2M",
        "The paper's 1001-layer network: 3 stages of 111 bottleneck pre-activation units "
        "(333 in all; 64, 128, 256 channels); 1x1 projection shortcuts where the shape changes.",
    ),
}

_NOTE_1001 = (
    "The paper's 10.2M (Table 3) is rounded, and fits the count of the convolution and FC "
    "weights alone; with the BatchNorm scales and shifts, which the total here includes (as "
    "for every network), the network built as the authors' code builds it has 10.3M."
)


def _builder(name: str):  # noqa: ANN202
    def build():  # noqa: ANN202
        from explorer.models.nets import preact

        return getattr(preact, name)()

    build.__qualname__ = f"preact.{name}"
    return build


for _name, (_depth, _bottleneck, _paper_count, _desc) in MODELS.items():
    register(
        ModelSpec(
            name=_name,
            family="ResNet",
            paper=_PAPER + f" (CIFAR-10 ResNet-{_depth}, pre-activation)",
            year=2016,
            builder=_builder(_name),
            input_size=(3, 32, 32),
            mean=CIFAR10_MEAN,
            std=CIFAR10_STD,
            classes="cifar10",
            num_classes=10,
            lecture=True,
            slow=_depth > 200,
            ref_source=f"He et al. 2016, Table 3: {_paper_count} (rounded); tests count the "
            "layers of its units exactly",
            ref_note=_NOTE_1001 if _depth == 1001 else "",
            description=_desc + " Random weights (nothing trained ships for it).",
            extra={"depth": _depth, "bottleneck": _bottleneck, "paper_params": _paper_count},
        )
    )
