"""Small networks of the lecture's families for 1x32x32 digits, 10 classes (the project's design).

Each family keeps what makes it itself, at a size that trains on a CPU in minutes:

- :class:`VGGSmall`: stages of equal-width 3x3 conv+BN+ReLU layers joined by 2x2 max pooling;
  every layer but the first of a stage keeps its shape, so it can be deleted as the identity.
- :class:`CifarResNet`: He et al.'s CIFAR ResNets (6n + 2 layers, 16/32/64 channels) with
  "option A" shortcuts (identity, or subsample and zero-pad the channels: no parameters), so a
  residual net and its plain twin (``residual=False``) have exactly the same parameters.
  With ``se=True`` every block gets a Squeeze-and-Excitation gate (Hu et al.).
- :class:`RepVGGSmall`: RepVGG training-time blocks: 3x3 conv+BN, 1x1 conv+BN and (where the
  shapes allow) a BN-only identity branch, summed, then ReLU; named as timm names them
  (``conv_kxk.conv``, ``conv_kxk.bn``, ``conv_1x1.conv``, ``conv_1x1.bn``, ``identity``).
- :class:`InceptionSmall`: GoogLeNet-style modules of four branches (1x1; 1x1 -> 3x3;
  1x1 -> 5x5; 3x3 max pool -> 1x1) concatenated.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch
from torch import nn


def _init(model: nn.Module) -> None:
    """He initialisation of convolutions and linear layers, BN at (1, 0)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, a=5**0.5)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def _head(model: nn.Module, features: int, num_classes: int) -> None:
    """The classifier every small network ends with (global average pool, flatten, linear as
    ``avgpool``, ``flatten``, ``fc``), then the initialisation of the whole network."""
    model.avgpool = nn.AdaptiveAvgPool2d(1)
    model.flatten = nn.Flatten()
    model.fc = nn.Linear(features, num_classes)
    _init(model)


# --- VGG ---------------------------------------------------------------------------------------


class ConvBNReLU(nn.Module):
    """3x3 convolution (no bias), batch norm, ReLU."""

    def __init__(self, cin: int, cout: int, kernel: int = 3):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))


class VGGSmall(nn.Module):
    """``len(widths)`` stages of ``depth`` 3x3 conv+BN+ReLU layers, 2x2 max pool between them.

    Default: 16/32/64 channels at 32/16/8 px, 3 layers a stage, global average pool, linear.
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        widths: tuple[int, ...] = (16, 32, 64),
        depth: int = 3,
    ):
        super().__init__()
        prev = in_channels
        for i, w in enumerate(widths, start=1):
            layers = [ConvBNReLU(prev if j == 0 else w, w) for j in range(depth)]
            self.add_module(f"stage{i}", nn.Sequential(*layers))
            if i < len(widths):
                self.add_module(f"pool{i}", nn.MaxPool2d(2))
            prev = w
        self.num_stages = len(widths)
        _head(self, prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in range(1, self.num_stages + 1):
            x = getattr(self, f"stage{i}")(x)
            if i < self.num_stages:
                x = getattr(self, f"pool{i}")(x)
        return self.fc(self.flatten(self.avgpool(x)))


# --- ResNet, plain, SE -------------------------------------------------------------------------


class PadShortcut(nn.Module):
    """Option-A shortcut: subsample by 2, then zero-pad the channels on both sides."""

    def __init__(self, pad: int):
        super().__init__()
        self.pad = pad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::2, ::2]
        # zeros made from x (slice, times 0) rather than F.pad: every op here has a shape
        # rule, so the graph is built without running the model (needs pad <= channels)
        zeros = x[:, : self.pad] * 0.0
        return torch.cat([zeros, x, zeros], 1)


class SqueezeExcite(nn.Module):
    """SE gate: global average pool, 1x1 reduce by ``reduction``, ReLU, 1x1 expand, sigmoid."""

    def __init__(self, channels: int, reduction: int = 4):
        super().__init__()
        mid = max(1, channels // reduction)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, mid, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(mid, channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(self.fc2(self.relu(self.fc1(self.avgpool(x)))))


def _two_convs(block: nn.Module, cin: int, cout: int, stride: int) -> None:
    """conv3x3-BN-ReLU-conv3x3-BN as ``conv1``, ``bn1``, ``relu1``, ``conv2``, ``bn2``: the
    layers a residual block and its plain twin share (so their parameters are the same)."""
    block.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
    block.bn1 = nn.BatchNorm2d(cout)
    block.relu1 = nn.ReLU()
    block.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
    block.bn2 = nn.BatchNorm2d(cout)


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN (-SE), added to the option-A shortcut, then ReLU."""

    def __init__(self, cin: int, cout: int, stride: int = 1, se: bool = False):
        super().__init__()
        _two_convs(self, cin, cout, stride)
        if se:
            self.se = SqueezeExcite(cout)
        if stride != 1 or cin != cout:
            self.shortcut: nn.Module = PadShortcut((cout - cin) // 2)
        else:
            self.shortcut = nn.Identity()
        self.relu2 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        if hasattr(self, "se"):
            out = self.se(out)
        return self.relu2(out + self.shortcut(x))


class PlainBlock(nn.Module):
    """The BasicBlock without its shortcut: conv-BN-ReLU-conv-BN-ReLU (the same parameters)."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        _two_convs(self, cin, cout, stride)
        self.relu2 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu1(self.bn1(self.conv1(x)))
        return self.relu2(self.bn2(self.conv2(out)))


class CifarResNet(nn.Module):
    """He et al.'s CIFAR ResNet of depth 6n + 2: conv 3x3 16, then 3 stages of n blocks
    (16, 32, 64 channels; the first block of stages 2 and 3 has stride 2), average pool, linear.

    ``residual=False`` gives the plain twin (no shortcuts); ``se=True`` adds an SE gate to
    every block. Stages are ``layer1``-``layer3``, so blocks are ``layer1.0`` ...
    """

    def __init__(
        self,
        n: int,
        num_classes: int = 10,
        in_channels: int = 1,
        residual: bool = True,
        se: bool = False,
        widths: tuple[int, int, int] = (16, 32, 64),
    ):
        super().__init__()
        if se and not residual:
            raise ValueError("an SE gate is only defined here for residual blocks")
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        prev = widths[0]
        for i, w in enumerate(widths, start=1):
            blocks: list[nn.Module] = []
            for j in range(n):
                stride = 2 if (j == 0 and i > 1) else 1
                cin = prev if j == 0 else w
                if residual:
                    blocks.append(BasicBlock(cin, w, stride, se=se))
                else:
                    blocks.append(PlainBlock(cin, w, stride))
            self.add_module(f"layer{i}", nn.Sequential(*blocks))
            prev = w
        _head(self, prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))


# --- RepVGG ------------------------------------------------------------------------------------


def _conv_bn(cin: int, cout: int, kernel: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(
            conv=nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
            bn=nn.BatchNorm2d(cout),
        )
    )


class RepVGGBlock(nn.Module):
    """3x3 conv+BN + 1x1 conv+BN (+ BN identity when shapes allow), summed, then ReLU."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv_kxk = _conv_bn(cin, cout, 3, stride)
        self.conv_1x1 = _conv_bn(cin, cout, 1, stride)
        if cin == cout and stride == 1:
            self.identity = nn.BatchNorm2d(cout)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_kxk(x) + self.conv_1x1(x)
        if hasattr(self, "identity"):
            out = out + self.identity(x)
        return self.act(out)


class RepVGGSmall(nn.Module):
    """A RepVGG block as stem, then stages of ``depths`` blocks at ``widths`` channels.

    The first block of stages 2 and 3 has stride 2 (and so no identity branch).
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        widths: tuple[int, ...] = (16, 32, 64),
        depths: tuple[int, ...] = (2, 3, 3),
    ):
        super().__init__()
        self.stem = RepVGGBlock(in_channels, widths[0])
        prev = widths[0]
        for i, (w, d) in enumerate(zip(widths, depths, strict=True), start=1):
            blocks = [RepVGGBlock(prev, w, 2 if i > 1 else 1)]
            blocks += [RepVGGBlock(w, w) for _ in range(d - 1)]
            self.add_module(f"stage{i}", nn.Sequential(*blocks))
            prev = w
        self.num_stages = len(widths)
        _head(self, prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for i in range(1, self.num_stages + 1):
            x = getattr(self, f"stage{i}")(x)
        return self.fc(self.flatten(self.avgpool(x)))


# --- Inception ---------------------------------------------------------------------------------


class Inception(nn.Module):
    """Four branches concatenated: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max pool -> 1x1."""

    def __init__(self, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pool: int):
        super().__init__()
        self.branch1 = ConvBNReLU(cin, c1, 1)
        self.branch2 = nn.Sequential(ConvBNReLU(cin, c3r, 1), ConvBNReLU(c3r, c3, 3))
        self.branch3 = nn.Sequential(ConvBNReLU(cin, c5r, 1), ConvBNReLU(c5r, c5, 5))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), ConvBNReLU(cin, pool, 1))
        self.out_channels = c1 + c3 + c5 + pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionSmall(nn.Module):
    """Stem 3x3 conv (32) at 32 px, then inception 3a-3b at 16 px, 4a-4b at 8 px, 5a at 4 px
    (2x2 max pools between), global average pool, linear."""

    #: (name, c1, c3 reduce, c3, c5 reduce, c5, pool projection); a bare name: 2x2 max pool
    CONFIG: tuple[tuple[Any, ...], ...] = (
        ("pool1",),
        ("inception3a", 16, 16, 24, 4, 8, 8),
        ("inception3b", 24, 24, 32, 8, 16, 16),
        ("pool3",),
        ("inception4a", 32, 24, 48, 8, 16, 16),
        ("inception4b", 40, 32, 56, 8, 24, 24),
        ("pool4",),
        ("inception5a", 48, 32, 64, 12, 24, 24),
    )

    def __init__(self, num_classes: int = 10, in_channels: int = 1, stem: int = 32):
        super().__init__()
        self.stem = ConvBNReLU(in_channels, stem, 3)
        prev = stem
        self.order: list[str] = []
        for name, *cfg in self.CONFIG:
            if not cfg:
                self.add_module(name, nn.MaxPool2d(2))
            else:
                mod = Inception(prev, *cfg)
                self.add_module(name, mod)
                prev = mod.out_channels
            self.order.append(name)
        _head(self, prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for name in self.order:
            x = getattr(self, name)(x)
        return self.fc(self.flatten(self.avgpool(x)))


# --- factories ---------------------------------------------------------------------------------


def vgg_small() -> VGGSmall:
    return VGGSmall()


def resnet20() -> CifarResNet:
    return CifarResNet(3)


def resnet56() -> CifarResNet:
    return CifarResNet(9)


def plain20() -> CifarResNet:
    return CifarResNet(3, residual=False)


def plain56() -> CifarResNet:
    return CifarResNet(9, residual=False)


def se_resnet20() -> CifarResNet:
    return CifarResNet(3, se=True)


def repvgg_small() -> RepVGGSmall:
    return RepVGGSmall()


def inception_small() -> InceptionSmall:
    return InceptionSmall()
