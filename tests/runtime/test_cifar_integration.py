"""A user's own model file plus a real checkpoint: the CIFAR-10 ResNets of examples/.

Uses ../shared/data (skips without it): akamaster's pretrained checkpoints and the first
1,000 CIFAR-10 test images, exact pixels. With 1,000 images the accuracy's sampling s.d. is
about 0.85 points, so 2.5 points around the published figure is a three-sigma band.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from explorer.models import registry
from explorer.models.checkpoint import load_checkpoint
from explorer.models.registry import IMAGENET_MEAN, IMAGENET_STD

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cifar_resnet.py"

# depth: (checkpoint, parameters, published test accuracy in %)
CASES = {
    20: ("resnet20-12fca82f.th", 269_722, 91.73),
    56: ("resnet56-4bfd9763.th", 853_018, 93.39),
}


@pytest.fixture(scope="module")
def test_images(shared_data: Path) -> tuple[torch.Tensor, np.ndarray]:
    """The 1,000 images as a normalised NCHW float tensor, and their labels."""
    data = np.load(shared_data / "cifar10_test_first1000_lossless.npz")
    x = torch.from_numpy(data["x"]).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std, data["y"]


def _accuracy(model: nn.Module, images: tuple[torch.Tensor, np.ndarray]) -> float:
    x, y = images
    model.eval()
    with torch.inference_mode():
        pred = torch.cat([model(x[i : i + 250]).argmax(1) for i in range(0, len(x), 250)])
    return 100.0 * float((pred.numpy() == y).mean())


@pytest.mark.parametrize("depth", sorted(CASES))
def test_pretrained_cifar_resnet_reaches_published_accuracy(
    depth: int, shared_data: Path, test_images: tuple[torch.Tensor, np.ndarray]
) -> None:
    checkpoint, params, published = CASES[depth]
    spec = registry.get(f"{EXAMPLE}:resnet{depth}")

    torch.manual_seed(0)
    untrained = spec.build()
    assert sum(p.numel() for p in untrained.parameters()) == params
    chance = _accuracy(untrained, test_images)

    model = spec.build()
    info = load_checkpoint(model, shared_data / "checkpoints" / checkpoint)
    report = info.report
    assert report is not None
    assert report.matched == report.model_keys
    assert not (report.missing or report.unexpected or report.mismatched)
    assert info.message == f"loaded {report.matched} of {report.matched} tensors"

    accuracy = _accuracy(model, test_images)
    print(f"resnet{depth}: {accuracy:.1f} % (published {published} %, random {chance:.1f} %)")
    assert abs(accuracy - published) <= 2.5
    assert chance < 20.0
