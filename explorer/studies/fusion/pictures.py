"""The kernels of one RepVGG block at each step of its fusion, for one channel pair (Qt-free).

What the window's merge animation draws, from the block's real weights: for one output
channel ``o`` and one input channel ``i``, each branch's kernel before and after its
BatchNorm is folded in (``W' = s * W``, ``b' = s * b + t``), the 1x1 kernel padded into the
centre of a kxk one, the identity branch written as a kxk delta (its BN scale at the centre
when ``i`` is the channel that ``o`` copies, zero otherwise), and their sum, which is the
fused convolution's kernel ``[o, i]`` (see :func:`explorer.studies.fusion.repvgg.fuse_branches`).
Values are float64, returned as plain lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from explorer.studies.fusion.bn import bn_scale_shift
from explorer.studies.fusion.repvgg import Branch, block_branches

Grid = list[list[float]]


@dataclass(frozen=True)
class BranchKernel:
    """One branch for the channel pair: its kernel raw, folded and at the fused size."""

    name: str  # the branch's module name in the block (conv_kxk, conv_1x1, identity, ...)
    role: str  # "kxk", "1x1" or "identity"
    raw: Grid  # the conv's kernel [o, i] (1x1 for the 1x1 branch); identity: [[1]] or [[0]]
    scale: float  # the BatchNorm's s[o] = gamma / sqrt(var + eps)
    shift: float  # its t[o] = beta - mean * s
    folded: Grid  # raw * scale, at the branch's own size
    padded: Grid  # folded, written as a kxk kernel (1x1 and identity: at the centre)
    bias: float  # the folded bias of channel o: s * conv bias + t


@dataclass(frozen=True)
class BlockKernels:
    """A RepVGG block's branches for one (output, input) channel pair, and their sum."""

    block: str
    out_channel: int
    in_channel: int
    in_channels: int
    out_channels: int
    groups: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    branches: list[BranchKernel] = field(default_factory=list)
    fused: Grid = field(default_factory=list)  # the sum of the padded kernels
    fused_bias: float = 0.0

    def branch(self, role: str) -> BranchKernel | None:
        return next((b for b in self.branches if b.role == role), None)

    @property
    def vmax(self) -> float:
        """The largest magnitude among the kernels drawn (one colour scale for all steps)."""
        grids = [self.fused] + [g for b in self.branches for g in (b.raw, b.folded, b.padded)]
        return max((abs(v) for g in grids for row in g for v in row), default=0.0)

    def label(self) -> str:
        """The fused block in the papers' notation: ``3x3 conv, 48[, /2][, g=G]``."""
        kh, kw = self.kernel_size
        text = f"{kh}x{kw} conv, {self.out_channels}"
        if self.stride != (1, 1):
            text += f", /{self.stride[0]}" if self.stride[0] == self.stride[1] else ""
        if self.groups > 1:
            text += f", g={self.groups}"
        return text


def _grid(t: torch.Tensor) -> Grid:
    return [[float(v) for v in row] for row in t.tolist()]


def _role(br: Branch) -> str:
    if br.conv is None:
        return "identity"
    return "1x1" if br.conv.kernel_size == (1, 1) else "kxk"


def block_kernels(
    block: nn.Module, name: str = "", out_channel: int = 0, in_channel: int = 0
) -> BlockKernels | None:
    """The kernels of an unfused RepVGG ``block`` for the pair (``out_channel``, ``in_channel``).

    ``in_channel`` counts within the output channel's group (the conv weight's second axis).
    None when ``block`` is no unfused RepVGG block or its geometry does not fuse (an even
    kernel); ValueError for a channel out of range.
    """
    branches = block_branches(block)
    if branches is None or branches[0].conv is None:
        return None
    ref = branches[0].conv
    kh, kw = ref.kernel_size
    if kh % 2 == 0 or kw % 2 == 0:
        return None
    cout, cin, g = ref.out_channels, ref.in_channels, ref.groups
    per_group = cin // g
    if not 0 <= out_channel < cout or not 0 <= in_channel < per_group:
        raise ValueError(
            f"channel pair ({out_channel}, {in_channel}) out of range ({cout}, {per_group})"
        )
    o, i = out_channel, in_channel
    out: list[BranchKernel] = []
    total = torch.zeros(kh, kw, dtype=torch.float64)
    total_bias = 0.0
    for br in branches:
        s, t = bn_scale_shift(br.bn)
        so, to = float(s[o]), float(t[o])
        if br.conv is not None:
            raw = br.conv.weight.detach()[o, i].double().cpu()
            cb = 0.0 if br.conv.bias is None else float(br.conv.bias.detach()[o])
        else:  # the identity copies channel o from input channel o (within its group)
            raw = torch.ones(1, 1, dtype=torch.float64) * float(o % per_group == i)
            cb = 0.0
        folded = raw * so
        padded = torch.zeros(kh, kw, dtype=torch.float64)
        fh, fw = folded.shape
        top, left = (kh - fh) // 2, (kw - fw) // 2
        padded[top : top + fh, left : left + fw] = folded
        bias = so * cb + to
        total += padded
        total_bias += bias
        out.append(
            BranchKernel(
                name=br.name,
                role=_role(br),
                raw=_grid(raw),
                scale=so,
                shift=to,
                folded=_grid(folded),
                padded=_grid(padded),
                bias=bias,
            )
        )
    return BlockKernels(
        block=name,
        out_channel=o,
        in_channel=i,
        in_channels=cin,
        out_channels=cout,
        groups=g,
        kernel_size=(kh, kw),
        stride=tuple(ref.stride),  # type: ignore[arg-type]
        branches=out,
        fused=_grid(total),
        fused_bias=total_bias,
    )


def model_kernels(
    model: nn.Module, blocks: list[str], out_channel: int = 0, in_channel: int = 0
) -> dict[str, BlockKernels]:
    """:func:`block_kernels` of each named block of ``model`` that is an unfused RepVGG block."""
    found: dict[str, BlockKernels] = {}
    for q in blocks:
        try:
            k = block_kernels(model.get_submodule(q), q, out_channel, in_channel)
        except (AttributeError, ValueError):
            continue
        if k is not None:
            found[q] = k
    return found
