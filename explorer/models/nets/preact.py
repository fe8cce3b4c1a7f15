"""Pre-activation ResNets for CIFAR-10 (He et al. 2016, "Identity mappings in deep residual
networks"): every residual unit is BN-ReLU-conv, the sum is left as it is (no ReLU after it),
so the identity path runs unchanged from the first unit to the last.

Built as the authors' released code builds them (``KaimingHe/resnet-1k-layers``,
``resnet-pre-act.lua``):

- a 3x3 conv with 16 channels, then 3 stages of ``n`` units at 32, 16 and 8 px, then BN-ReLU,
  global average pool and a linear classifier;
- a unit that changes the shape (the first of each stage) applies its BN-ReLU before the paths
  split, and its shortcut is a 1x1 convolution (stride 2 where the resolution halves) of that
  activated input; every other unit keeps its BN-ReLU on the residual path and adds its input
  unchanged;
- the bottleneck unit (ResNet-164, -1001: depth 9n + 2) is 1x1 (stride here), 3x3, 1x1 with a
  4x expansion (stages of 64, 128, 256 output channels); the basic unit (ResNet-110: depth
  6n + 2) two 3x3 (16, 32, 64 channels);
- convolutions without bias (the released code drops them: BN follows every conv but the last
  of a unit, whose output the next unit's BN normalises);
- one departure, in the initialisation only: the last conv of each unit starts at zero (see
  :func:`_init`: untrained, ResNet-1001's forward pass overflows otherwise).

For the basic-unit network the paper gives no code; the same rules are applied (its first unit,
16 to 16 channels, shares the BN-ReLU that follows conv1, as the paper's Sec. 4.1 says).
"""

from __future__ import annotations

import torch
from torch import nn


def _init(model: nn.Module) -> None:
    """He initialisation (fan out) as the released code does, BN at (1, 0), FC bias 0; then
    the last conv of every unit at zero, so that each unit starts as the identity.

    Why the zeros: untrained, a BN in eval mode (running mean 0, variance 1) normalises
    nothing, and with He initialisation every unit multiplies the variance of the identity
    path by ~1.3-2: through the 333 units of ResNet-1001 the activations overflow float32
    (inf after ~190 units, then NaN), and the random network's prediction and activation
    statistics are NaN. Zeroing the last layer of each residual branch is Goyal et al. 2017's
    remedy (torchvision's ``zero_init_residual`` zeroes the BN after it; a pre-activation unit
    has none) and Fixup's (Zhang et al. 2019); it changes no parameter count or shape.
    """
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)
    for m in model.modules():
        if isinstance(m, PreActBlock):
            nn.init.zeros_(getattr(m, f"conv{m.depth}").weight)


class PreActBlock(nn.Module):
    """A pre-activation unit: ``convs`` 3x3 (basic) or 1x1, 3x3, 1x1 (bottleneck), each after
    BN-ReLU, added to the shortcut.

    Layers are ``bn1, relu1, conv1, bn2, relu2, conv2`` (``bn3, relu3, conv3`` for a
    bottleneck); ``shortcut`` is the 1x1 projection of a unit that changes the shape. With
    ``shared`` the first BN-ReLU is applied before the paths split (both take its output).
    """

    def __init__(
        self, cin: int, cout: int, stride: int = 1, bottleneck: bool = False, shared: bool = False
    ):
        super().__init__()
        mid = cout // 4 if bottleneck else cout
        if bottleneck:
            # the authors' code strides the first 1x1 convolution
            specs = [(cin, mid, 1, stride), (mid, mid, 3, 1), (mid, cout, 1, 1)]
        else:
            specs = [(cin, cout, 3, stride), (cout, cout, 3, 1)]
        self.depth = len(specs)
        for i, (ci, co, k, s) in enumerate(specs, start=1):
            self.add_module(f"bn{i}", nn.BatchNorm2d(ci))
            self.add_module(f"relu{i}", nn.ReLU())
            self.add_module(f"conv{i}", nn.Conv2d(ci, co, k, stride=s, padding=k // 2, bias=False))
        self.shared = shared or cin != cout or stride != 1
        if cin != cout or stride != 1:
            self.shortcut: nn.Module = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu1(self.bn1(x))
        short = self.shortcut(out if self.shared else x)
        out = self.conv1(out)
        out = self.conv2(self.relu2(self.bn2(out)))
        if self.depth == 3:
            out = self.conv3(self.relu3(self.bn3(out)))
        return out + short


class PreActResNet(nn.Module):
    """conv 3x3 16, stages ``layer1``-``layer3`` of ``n`` pre-activation units, then ``bn``,
    ``relu``, ``avgpool``, ``flatten``, ``fc``; units are ``layer1.0`` ...

    ``bottleneck``: depth 9n + 2, stages of 64, 128, 256 channels; else depth 6n + 2 with
    16, 32, 64 channels.
    """

    def __init__(
        self, n: int, bottleneck: bool, num_classes: int = 10, in_channels: int = 3
    ) -> None:
        super().__init__()
        stem = 16
        widths = (64, 128, 256) if bottleneck else (16, 32, 64)
        self.conv1 = nn.Conv2d(in_channels, stem, 3, padding=1, bias=False)
        prev = stem
        for i, w in enumerate(widths, start=1):
            units = [
                PreActBlock(
                    prev if j == 0 else w,
                    w,
                    stride=2 if (j == 0 and i > 1) else 1,
                    bottleneck=bottleneck,
                    shared=(i == 1 and j == 0),
                )
                for j in range(n)
            ]
            self.add_module(f"layer{i}", nn.Sequential(*units))
            prev = w
        self.bn = nn.BatchNorm2d(prev)
        self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(prev, num_classes)
        _init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        x = self.relu(self.bn(x))
        return self.fc(self.flatten(self.avgpool(x)))


def preact_resnet(depth: int, bottleneck: bool, num_classes: int = 10) -> PreActResNet:
    """The CIFAR pre-activation ResNet of ``depth`` layers (9n + 2 with bottleneck units,
    6n + 2 with basic ones)."""
    per = 9 if bottleneck else 6
    if depth < per + 2 or (depth - 2) % per:
        raise ValueError(f"depth must be {per}n + 2 for {'bottleneck' if bottleneck else 'basic'}")
    return PreActResNet((depth - 2) // per, bottleneck, num_classes)


def preact_resnet110() -> PreActResNet:
    return preact_resnet(110, bottleneck=False)


def preact_resnet164() -> PreActResNet:
    return preact_resnet(164, bottleneck=True)


def preact_resnet1001() -> PreActResNet:
    return preact_resnet(1001, bottleneck=True)
