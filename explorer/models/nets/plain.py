"""Plain (no-skip) twins of the ResNets: the same layers, the shortcuts removed (He et al. 2015)."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet


class PlainBasicBlock(BasicBlock):
    """A BasicBlock without its shortcut: conv-bn-relu-conv-bn-relu."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)))


class PlainBottleneck(Bottleneck):
    """A Bottleneck without its shortcut."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)))


def plain_resnet(layers: list[int], bottleneck: bool = False, num_classes: int = 1000) -> ResNet:
    """A torchvision ResNet whose blocks have no shortcut (projection convs dropped too)."""
    block: type[nn.Module] = PlainBottleneck if bottleneck else PlainBasicBlock
    model = ResNet(block, layers, num_classes=num_classes)  # type: ignore[arg-type]
    for m in model.modules():
        if isinstance(m, BasicBlock | Bottleneck):
            m.downsample = None
    return model
