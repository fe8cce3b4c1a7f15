"""A convolutional Highway network (Srivastava, Greff and Schmidhuber 2015).

Each highway layer computes ``y = H(x) * T(x) + x * (1 - T(x))`` with
``H = relu(bn(conv3x3(x)))`` and the transform gate ``T = sigmoid(conv3x3(x))``,
whose bias starts negative so that the network begins by carrying its input.
"""

from __future__ import annotations

import torch
from torch import nn


class HighwayConv(nn.Module):
    """One convolutional highway layer; keeps channels and resolution."""

    def __init__(self, channels: int, gate_bias: float = -2.0):
        super().__init__()
        self.h_conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.h_bn = nn.BatchNorm2d(channels)
        self.h_act = nn.ReLU()
        self.t_conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.t_gate = nn.Sigmoid()
        nn.init.constant_(self.t_conv.bias, gate_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.h_act(self.h_bn(self.h_conv(x)))
        t = self.t_gate(self.t_conv(x))
        return h * t + x * (1.0 - t)


class HighwayNet(nn.Module):
    """Stem conv, then stages of highway layers joined by 2x2 max pooling, then a linear head."""

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 3,
        widths: tuple[int, ...] = (32, 64, 128),
        depth_per_stage: int = 3,
    ):
        super().__init__()
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        ]
        self.stem = nn.Sequential(*layers)
        stages: list[nn.Module] = []
        prev = widths[0]
        for i, w in enumerate(widths):
            blocks: list[nn.Module] = []
            if i > 0:
                blocks += [nn.MaxPool2d(2), nn.Conv2d(prev, w, 1, bias=False), nn.BatchNorm2d(w)]
            blocks += [HighwayConv(w) for _ in range(depth_per_stage)]
            stages.append(nn.Sequential(*blocks))
            prev = w
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.stem(x))
        return self.fc(self.flatten(self.pool(x)))
