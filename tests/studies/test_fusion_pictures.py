"""The kernels the merge animation draws: each branch folded, padded, and summed to the fused one.

The sum of the three pictured kxk kernels must be the fused convolution's actual kernel
``[o, i]`` (and their biases its bias), for the built-in RepVGG, timm's repvgg_a0 and a
grouped timm RepVGG; the 1x1 lands at the centre and the identity is a delta there.
"""

from __future__ import annotations

import pytest
import torch

from explorer.models.registry import get
from explorer.studies.fusion.pictures import block_kernels, model_kernels
from explorer.studies.fusion.repvgg import calibrate_bn, find_repvgg_blocks, fuse_repvgg


def calibrated(name: str) -> torch.nn.Module:
    spec = get(name)
    c, h, _ = spec.input_size
    torch.manual_seed(0)
    model = spec.build()
    calibrate_bn(model, n_batches=2, batch=4, size=min(64, h), seed=0, channels=c)
    return model.eval()


def fused_conv(fused: torch.nn.Module, q: str) -> torch.nn.Conv2d:
    convs = [m for m in fused.get_submodule(q).modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 1
    return convs[0]


def check_sums(model: torch.nn.Module, pairs: list[tuple[int, int]]) -> int:
    """Every block's pictured sum equals its fused kernel; returns the blocks checked."""
    rep = fuse_repvgg(model)
    n = 0
    for q in rep.blocks_fused:
        conv = fused_conv(rep.model, q)
        for o, i in pairs:
            o, i = o % conv.out_channels, i % (conv.in_channels // conv.groups)
            k = block_kernels(model.get_submodule(q), q, o, i)
            assert k is not None
            want = conv.weight.detach()[o, i].double()
            got = torch.tensor(k.fused, dtype=torch.float64)
            # the pictures' own sum, done here again: what the card shows adds up
            summed = sum(torch.tensor(b.padded, dtype=torch.float64) for b in k.branches)
            torch.testing.assert_close(summed, got, rtol=0, atol=1e-12)
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6, msg=f"{q} [{o},{i}]")
            assert k.fused_bias == pytest.approx(float(conv.bias.detach()[o]), rel=1e-5, abs=1e-6)
            assert sum(b.bias for b in k.branches) == pytest.approx(k.fused_bias, abs=1e-12)
        n += 1
    return n


def tiny_timm_repvgg(groups: int = 4) -> torch.nn.Module:
    """A small timm RepVGG, every second block grouped (as in B1g4)."""
    from timm.models.byobnet import ByoBlockCfg, ByobNet, ByoModelCfg

    def gs(chs: int, idx: int) -> int:
        return chs // groups if (idx + 1) % 2 == 0 else 0

    blocks = (ByoBlockCfg(type="rep", d=2, c=16, gs=gs), ByoBlockCfg(type="rep", d=3, c=32, gs=gs))
    return ByobNet(ByoModelCfg(blocks=blocks, stem_type="rep", stem_chs=16), num_classes=10).eval()


def test_built_in_repvgg_pictures_sum_to_the_fused_kernel() -> None:
    model = calibrated("repvgg_small")
    assert check_sums(model, [(0, 0), (3, 0), (5, 5), (1, 2)]) == len(find_repvgg_blocks(model))


def test_timm_repvgg_a0_pictures_sum_to_the_fused_kernel() -> None:
    model = calibrated("repvgg_a0")
    assert check_sums(model, [(0, 0), (7, 2), (2, 2)]) > 20


def test_grouped_timm_repvgg_pictures() -> None:
    torch.manual_seed(0)
    model = tiny_timm_repvgg()
    calibrate_bn(model, n_batches=2, batch=4, size=32)
    grouped = [
        q
        for q, m in model.named_modules()
        if q in find_repvgg_blocks(model) and m.conv_kxk.conv.groups > 1
    ]
    assert grouped
    check_sums(model, [(0, 0), (5, 1), (9, 1), (13, 3)])
    # grouped: output channel 9 copies its group's input channel 9 % 4 = 1
    q = next(q for q in grouped if model.get_submodule(q).identity is not None)
    k = block_kernels(model.get_submodule(q), q, 9, 1)
    assert k is not None and k.groups > 1
    ident = k.branch("identity")
    assert ident is not None and ident.raw == [[1.0]]
    assert block_kernels(model.get_submodule(q), q, 9, 0).branch("identity").raw == [[0.0]]


def test_what_each_branch_looks_like() -> None:
    model = calibrated("repvgg_small")
    q = next(q for q, m in model.named_modules() if getattr(m, "identity", None) is not None)
    block = model.get_submodule(q)
    k = block_kernels(block, q, 2, 2)
    assert k is not None and [b.role for b in k.branches] == ["kxk", "1x1", "identity"]
    kxk, one, ident = k.branches
    # BN folded: s = gamma / sqrt(var + eps), applied to the raw kernel
    bn = block.conv_1x1.bn
    s = float(bn.weight.detach()[2] / torch.sqrt(bn.running_var[2] + bn.eps))
    assert one.scale == pytest.approx(s, rel=1e-6)
    assert one.raw == [[pytest.approx(float(block.conv_1x1.conv.weight.detach()[2, 2, 0, 0]))]]
    assert one.folded[0][0] == pytest.approx(one.raw[0][0] * s)
    # 1x1 in the centre of a 3x3 of zeros; the identity a delta scaled by its BN
    assert one.padded[1][1] == one.folded[0][0]
    assert sum(abs(v) for r in one.padded for v in r) == pytest.approx(abs(one.folded[0][0]))
    assert ident.padded[1][1] == pytest.approx(ident.scale) and ident.raw == [[1.0]]
    assert sum(abs(v) for r in ident.padded for v in r) == pytest.approx(abs(ident.scale))
    assert kxk.folded == kxk.padded and len(kxk.raw) == 3
    assert k.label() == f"3x3 conv, {block.conv_kxk.conv.out_channels}"
    # another input channel: the identity contributes nothing
    assert block_kernels(block, q, 2, 0).branch("identity").padded[1][1] == 0.0
    with pytest.raises(ValueError, match="out of range"):
        block_kernels(block, q, 10_000, 0)


def test_not_a_repvgg_block() -> None:
    assert block_kernels(torch.nn.Conv2d(3, 3, 3)) is None
    model = calibrated("repvgg_small")
    found = model_kernels(model, ["stem", "no.such", "head"] + list(find_repvgg_blocks(model)))
    assert "no.such" not in found and set(found) == set(find_repvgg_blocks(model))
    # a fused model has nothing left to picture
    assert model_kernels(fuse_repvgg(model).model, list(find_repvgg_blocks(model))) == {}
