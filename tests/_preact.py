"""He et al. 2016's CIFAR pre-activation ResNets counted from the paper's description."""

from __future__ import annotations


def preact_params(depth: int, bottleneck: bool, bn: bool = True) -> int:
    """Parameters of the CIFAR pre-activation ResNet of ``depth`` layers: conv 3x3 3->16; per
    unit a BN (scale, shift) before each conv, convs without bias (1x1-3x3-1x1 with a 4x
    expansion, or 3x3-3x3), a 1x1 projection where the shape changes; a final BN and FC 10.
    ``bn=False``: the convolution and FC weights alone."""
    per = 9 if bottleneck else 6
    n = (depth - 2) // per
    widths = (64, 128, 256) if bottleneck else (16, 32, 64)
    total = 3 * 16 * 9
    prev = 16
    for w in widths:
        for j in range(n):
            cin = prev if j == 0 else w
            if bottleneck:
                m = w // 4
                convs = [(cin, m, 1), (m, m, 3), (m, w, 1)]
            else:
                convs = [(cin, w, 3), (w, w, 3)]
            total += sum(ci * co * k * k + (2 * ci if bn else 0) for ci, co, k in convs)
            if cin != w:
                total += cin * w  # the 1x1 projection
        prev = w
    return total + (2 * prev if bn else 0) + prev * 10 + 10
