"""CIFAR-10 ResNets (He et al. 2015, section 4.2): an example of a user's own model file.

Plain PyTorch: this file does not import the explorer, it only defines the networks. Each
factory (``resnet20``, ``resnet32``, ``resnet44``, ``resnet56``) takes no arguments and returns
an ``nn.Module`` whose state_dict keys match the pretrained checkpoints of
akamaster/pytorch_resnet_cifar10 (``conv1``, ``bn1``, ``layer1``-``layer3``, ``linear``).

Use it with the program, e.g.::

    cnn-explorer predict examples/cifar_resnet.py:resnet20 IMAGE \\
        --weights ../shared/data/checkpoints/resnet20-12fca82f.th --input-size 32 \\
        --normalize imagenet

or open it in the window as the model ``examples/cifar_resnet.py:resnet56``. The input is a
32x32 RGB image scaled to [0, 1] and normalised with ImageNet's mean and std. A model's
``class_names`` attribute gives the names of its classes.

The architecture: a 3x3 convolution to 16 channels, then three stages of n basic blocks each
(16, 32, 64 channels at 32x32, 16x16, 8x8; depth = 6n + 2), global average pooling and a
linear layer to 10 classes. The shortcuts are "option A": identity, or, where a stage halves
the resolution and doubles the width, the input subsampled by 2 and zero-padded with a quarter
of the new width of channels on each side, so that no shortcut has parameters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class PadShortcut(nn.Module):
    """Option-A shortcut: subsample by 2, then zero-pad the channels on both sides."""

    def __init__(self, pad: int):
        super().__init__()
        self.pad = pad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # F.pad's last pair pads dimension 1 (channels) of an NCHW tensor
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, added to the (parameter-free) shortcut."""

    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        if stride != 1 or in_planes != planes:
            self.shortcut: nn.Module = PadShortcut((planes - in_planes) // 2)
        else:
            self.shortcut = nn.Identity()
        self.relu2 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu2(out + self.shortcut(x))


CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip


class CifarResNet(nn.Module):
    """ResNet for 32x32 inputs: 6n + 2 layers with n blocks per stage.

    ``class_names`` (a list of strings, one per output) is what the program shows as the
    names of the classes of a user's own model.
    """

    def __init__(self, n: int, num_classes: int = 10):
        super().__init__()
        self.class_names = list(CIFAR10_CLASSES) if num_classes == 10 else None
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        self.layer1 = self._stage(16, 16, n, stride=1)
        self.layer2 = self._stage(16, 32, n, stride=2)
        self.layer3 = self._stage(32, 64, n, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.linear = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                nn.init.kaiming_normal_(m.weight)

    @staticmethod
    def _stage(in_planes: int, planes: int, n: int, stride: int) -> nn.Sequential:
        blocks = [BasicBlock(in_planes, planes, stride)]
        blocks += [BasicBlock(planes, planes) for _ in range(n - 1)]
        return nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.linear(self.flatten(self.avgpool(x)))


def resnet20() -> CifarResNet:
    """ResNet-20 (n = 3): 269,722 parameters, 91.73 % published CIFAR-10 test accuracy."""
    return CifarResNet(3)


def resnet32() -> CifarResNet:
    """ResNet-32 (n = 5): 92.63 % published."""
    return CifarResNet(5)


def resnet44() -> CifarResNet:
    """ResNet-44 (n = 7): 93.10 % published."""
    return CifarResNet(7)


def resnet56() -> CifarResNet:
    """ResNet-56 (n = 9): 853,018 parameters, 93.39 % published."""
    return CifarResNet(9)
