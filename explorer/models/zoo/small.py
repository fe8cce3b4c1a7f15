"""Small digits versions of the lecture's families, trained by the project (bundled weights).

Each takes a 1x32x32 digit (scikit-learn's 8x8 digits upsampled), normalised with mean 0.5 and
std 0.5, and gives 10 classes. Their parameter counts are those of the project's own designs
(``explorer.models.nets.small``); their weights ship in ``explorer/resources/small/NAME.pt`` with the
training curve in ``explorer/resources/small/NAME.json``, made by ``cnn-explorer train NAME``.
"""

from __future__ import annotations

from typing import Any

from explorer.models.registry import ModelSpec, register

#: name -> (family, year, paper, parameters, description)
_MODELS: dict[str, tuple[str, int, str, int, str]] = {
    "vgg_small": (
        "VGG",
        2014,
        "Simonyan and Zisserman, Very deep convolutional networks for large-scale image "
        "recognition",
        121_274,
        "3 stages of 3 equal-width 3x3 conv+BN+ReLU layers (16, 32, 64 channels), 2x2 max "
        "pooling between them, global average pool, linear.",
    ),
    "resnet20": (
        "ResNet",
        2015,
        "He et al., Deep residual learning for image recognition (CIFAR ResNet, 6n+2, n=3)",
        269_434,
        "He et al.'s CIFAR ResNet-20: 3 stages of 3 basic blocks (16, 32, 64 channels), "
        "option-A shortcuts (identity, or subsample and zero-pad: no parameters).",
    ),
    "resnet56": (
        "ResNet",
        2015,
        "He et al., Deep residual learning for image recognition (CIFAR ResNet, 6n+2, n=9)",
        852_730,
        "He et al.'s CIFAR ResNet-56: 3 stages of 9 basic blocks (16, 32, 64 channels), "
        "option-A shortcuts (parameter-free).",
    ),
    "plain20": (
        "ResNet",
        2015,
        "He et al., Deep residual learning for image recognition (the plain baseline, n=3)",
        269_434,
        "resnet20 without its shortcuts: the same layers and parameters, no skip connection.",
    ),
    "plain56": (
        "ResNet",
        2015,
        "He et al., Deep residual learning for image recognition (the plain baseline, n=9)",
        852_730,
        "resnet56 without its shortcuts: the same layers and parameters, no skip connection.",
    ),
    "se_resnet20": (
        "SENet",
        2018,
        "Hu, Shen and Sun, Squeeze-and-excitation networks (on a CIFAR ResNet-20)",
        277_918,
        "resnet20 with a Squeeze-and-Excitation gate (reduction 4) in every block, before the sum.",
    ),
    "repvgg_small": (
        "RepVGG",
        2021,
        "Ding et al., RepVGG: making VGG-style ConvNets great again",
        135_722,
        "Training-time RepVGG blocks (3x3 conv+BN, 1x1 conv+BN and a BN identity branch, "
        "summed, then ReLU): a stem block and stages of 2, 3, 3 blocks at 16, 32, 64 channels.",
    ),
    "inception_small": (
        "Inception",
        2014,
        "Szegedy et al., Going deeper with convolutions (GoogLeNet-style modules)",
        118_746,
        "A 3x3 stem, then five inception modules of four branches (1x1; 1x1-3x3; 1x1-5x5; "
        "max pool-1x1) at 16, 8 and 4 px, global average pool, linear.",
    ),
}

#: what training recorded (explorer/resources/small/NAME.json): name -> (digits test top-1 in % of the
#: stored weights, on the 360 test images; epochs)
TRAINED: dict[str, tuple[float, int]] = {
    "lenet5": (98.89, 15),
    "highway": (99.72, 15),
    "vgg_small": (99.44, 15),
    "resnet20": (100.0, 15),
    "resnet56": (99.72, 15),
    "plain20": (99.72, 15),
    "plain56": (92.5, 15),
    "se_resnet20": (99.72, 15),
    "repvgg_small": (100.0, 15),
    "inception_small": (99.72, 15),
}


def bundled_extra(name: str) -> dict[str, Any]:
    """``extra`` for a model whose trained weights ship in explorer/resources/small/NAME.pt."""
    if name not in TRAINED:
        return {}
    top1, epochs = TRAINED[name]
    return {
        "digits_test_top1": top1,
        "trained_by": f"cnn-explorer train {name} --data digits --epochs {epochs} --seed 0",
        "weights": f"small/{name}.pt",
        "curve": f"small/{name}.json",
    }


def digits_spec(name: str, **fields: Any) -> ModelSpec:
    """The spec of a lecture model that reads a 1x32x32 digit (mean 0.5, std 0.5) into 10
    classes, with the weights the project trained for it (``fields["extra"]`` adds to those)."""
    extra = {**bundled_extra(name), **fields.pop("extra", {})}
    return ModelSpec(
        name=name,
        input_size=(1, 32, 32),
        mean=(0.5,),
        std=(0.5,),
        classes="digits",
        num_classes=10,
        lecture=True,
        extra=extra,
        **fields,
    )


def _builder(name: str):  # noqa: ANN202
    def build():  # noqa: ANN202
        from explorer.models.nets import small

        return getattr(small, name)()

    build.__qualname__ = f"small.{name}"
    return build


for _name, (_family, _year, _paper, _params, _desc) in _MODELS.items():
    register(
        digits_spec(
            _name,
            family=_family,
            paper=_paper,
            year=_year,
            builder=_builder(_name),
            ref_params=_params,
            ref_source="the project's own design (explorer.models.nets.small), counted exactly",
            description=_desc + " A small digits version trained by the project.",
            extra={"twin": "resnet" + _name[5:]} if _name.startswith("plain") else {},
        )
    )
