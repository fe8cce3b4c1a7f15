"""RepVGG re-parameterisation and conv-BN folding: equivalence, structure, timm as the anchor.

Every model here has random weights, so the BatchNorms are first given non-trivial statistics
and affine parameters (:func:`calibrate_bn`): with the initial ones (mean 0, var 1, gamma 1,
beta 0) a BatchNorm is nearly the identity and a wrong fold would still pass.

The fp32 bound 1e-5 is the task's; fp32 itself differs from float64 by 1-4e-6 on these
networks (different summation orders), so fused and unfused differ by about that much. That
the maths is exact is shown in float64, where the fused model agrees to ~1e-14.
"""

from __future__ import annotations

import copy
import json

import pytest
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from explorer.models.registry import get, list_models
from explorer.studies.fusion.repvgg import (
    FusionReport,
    RepVGGReparam,
    calibrate_bn,
    check_equivalence,
    compare_latency,
    find_repvgg_blocks,
    fold_conv_bn,
    fuse_repvgg,
    latency_ms,
)

REL = 1e-5
#: the variants also compared with timm's own re-parameterisation (one plain, one grouped)
TIMM_ANCHORS = {"repvgg_a0", "repvgg_b1g4"}
REPVGG = [
    pytest.param(s.name, id=s.name, marks=[pytest.mark.slow] if s.slow else [])
    for s in list_models(family="RepVGG")
]


def calibrated(name: str, size: int = 64, seed: int = 0) -> tuple[nn.Module, torch.Tensor]:
    """A registered model with calibrated BatchNorms, and a batch of 2 inputs."""
    spec = get(name)
    c, h, _ = spec.input_size
    size = min(size, h)
    torch.manual_seed(seed)
    model = spec.build()
    calibrate_bn(model, n_batches=2, batch=4, size=size, seed=seed, channels=c)
    x = torch.randn(2, c, size, size, generator=torch.Generator().manual_seed(seed + 1))
    return model, x


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_same_state(model: nn.Module, before: dict[str, torch.Tensor]) -> None:
    now = model.state_dict()
    assert list(now) == list(before)
    assert all(torch.equal(now[k], v) for k, v in before.items())


def convs_in(m: nn.Module) -> list[nn.Conv2d]:
    return [c for c in m.modules() if isinstance(c, nn.Conv2d)]


def tiny_timm_repvgg(groups: int = 4) -> nn.Module:
    """A small timm RepVGG with grouped blocks (every second block, as in B1g4) and stages
    whose first block changes stride and width (no identity branch)."""
    from timm.models.byobnet import ByoBlockCfg, ByobNet, ByoModelCfg

    def gs(chs: int, idx: int) -> int:
        return chs // groups if (idx + 1) % 2 == 0 else 0

    blocks = (ByoBlockCfg(type="rep", d=2, c=16, gs=gs), ByoBlockCfg(type="rep", d=3, c=32, gs=gs))
    return ByobNet(ByoModelCfg(blocks=blocks, stem_type="rep", stem_chs=16), num_classes=10).eval()


# --- every RepVGG of the registry ---------------------------------------------------------------


@pytest.mark.parametrize("name", REPVGG)
def test_repvgg_variant_fuses_to_one_conv_per_block(name: str) -> None:
    model, x = calibrated(name)
    before = snapshot(model)
    rep = fuse_repvgg(model)
    fused = rep.model
    assert fused is not model
    assert_same_state(model, before)  # inplace=False leaves the original alone

    eq = check_equivalence(model, fused, x)
    assert eq["max_rel_diff"] <= REL, eq

    assert rep.blocks_fused and not rep.skipped
    assert rep.convs_after < rep.convs_before
    assert rep.convs_after == len(rep.blocks_fused)  # RepVGG: every conv is in a block
    assert rep.params_after < rep.params_before
    assert rep.bn_after == 0
    for q in rep.blocks_fused:
        convs = convs_in(fused.get_submodule(q))
        assert len(convs) == 1 and convs[0].kernel_size == (3, 3), q
        assert convs[0].bias is not None
    assert set(find_repvgg_blocks(fused)) == set(rep.blocks_fused)
    assert all(find_repvgg_blocks(fused).values())

    if name in TIMM_ANCHORS:
        from timm.utils.model import reparameterize_model

        theirs = reparameterize_model(model)
        eq_t = check_equivalence(theirs, fused, x)
        assert eq_t["max_rel_diff"] <= REL, eq_t
        # the same layout as timm's own, and the same kernels
        ours_sd, theirs_sd = fused.state_dict(), theirs.state_dict()
        assert list(ours_sd) == list(theirs_sd)
        for k, v in theirs_sd.items():
            torch.testing.assert_close(ours_sd[k], v, rtol=1e-5, atol=1e-6, msg=k)


def test_grouped_tiny_timm_repvgg_matches_timm() -> None:
    from timm.utils.model import reparameterize_model

    torch.manual_seed(0)
    model = tiny_timm_repvgg()
    calibrate_bn(model, n_batches=2, batch=4, size=32)
    x = torch.randn(2, 3, 32, 32)
    grouped = [c for c in convs_in(model) if c.groups == 4]
    assert grouped, "the model has grouped blocks"
    rep = fuse_repvgg(model)
    theirs = reparameterize_model(model)
    assert check_equivalence(model, rep.model, x)["max_rel_diff"] <= REL
    assert check_equivalence(theirs, rep.model, x)["max_rel_diff"] <= REL
    for k, v in theirs.state_dict().items():
        torch.testing.assert_close(rep.model.state_dict()[k], v, rtol=1e-5, atol=1e-6, msg=k)
    # the first block of each stage has no identity branch, the others have one
    assert model.stages[1][0].identity is None and model.stages[1][1].identity is not None


@pytest.mark.parametrize("name", ["repvgg_a0", "tiny"])
def test_fusion_is_exact_in_float64(name: str) -> None:
    """In float64 the fused model agrees to rounding: the maths has no approximation."""
    if name == "tiny":
        torch.manual_seed(0)
        model, x = tiny_timm_repvgg(), torch.randn(2, 3, 32, 32)
        calibrate_bn(model, n_batches=2, batch=4, size=32)
    else:
        model, x = calibrated(name)
    model = model.double()
    rep = fuse_repvgg(model)
    assert check_equivalence(model, rep.model, x.double())["max_rel_diff"] < 1e-12


# --- the project's own kind of block (not timm's class) -----------------------------------------


def conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)
    )


class DingBlock(nn.Module):
    """The original RepVGG block (DingXiaoH/RepVGG): ``id_out = 0`` without identity."""

    def __init__(self, cin: int, cout: int, stride: int = 1, groups: int = 1) -> None:
        super().__init__()
        self.rbr_identity = nn.BatchNorm2d(cin) if cin == cout and stride == 1 else None
        self.rbr_dense = conv_bn(cin, cout, 3, stride, groups)
        self.rbr_1x1 = conv_bn(cin, cout, 1, stride, groups)
        self.se = nn.Identity()
        self.nonlinearity = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        id_out = 0 if self.rbr_identity is None else self.rbr_identity(x)
        return self.nonlinearity(self.se(self.rbr_dense(x) + self.rbr_1x1(x) + id_out))


class NotSummed(DingBlock):
    """Has the branches of a RepVGG block but multiplies them: must be left alone."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinearity(self.rbr_dense(x) * self.rbr_1x1(x))


class PostNorm(nn.Module):
    """A 3x3 and a 1x1 conv-BN summed, then a BatchNorm of the sum (not a branch)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.a, self.b, self.norm = conv_bn(c, c, 3), conv_bn(c, c, 1), nn.BatchNorm2d(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.a(x) + self.b(x))


def small_net(block: type[nn.Module]) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        block(3, 8, 2), block(8, 8), block(8, 8, 1, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten()
    ).eval()


def test_structural_detection_fuses_a_non_timm_block() -> None:
    model = small_net(DingBlock)
    calibrate_bn(model, n_batches=2, batch=4, size=16)
    x = torch.randn(2, 3, 16, 16)
    assert find_repvgg_blocks(model) == {"0": False, "1": False, "2": False}
    rep = fuse_repvgg(model)
    assert rep.blocks_fused == ["0", "1", "2"]
    assert all(isinstance(rep.model[i], RepVGGReparam) for i in range(3))
    assert [len(convs_in(rep.model[i])) for i in range(3)] == [1, 1, 1]
    assert rep.model[2].reparam_conv.groups == 2
    assert check_equivalence(model, rep.model, x)["max_rel_diff"] <= 1e-6
    # fused blocks are recognised as such (also in a deep copy)
    again = fuse_repvgg(copy.deepcopy(rep.model))
    assert again.blocks_fused == [] and {r for _, r in again.skipped} == {
        "already re-parameterised"
    }


@pytest.mark.parametrize("block", [NotSummed, PostNorm], ids=["product", "post-norm"])
def test_block_whose_forward_does_not_only_sum_is_left_alone(block: type[nn.Module]) -> None:
    model = small_net(NotSummed) if block is NotSummed else nn.Sequential(PostNorm(4)).eval()
    before = snapshot(model)
    rep = fuse_repvgg(model, inplace=True)
    assert rep.blocks_fused == []
    assert rep.skipped and all("sum" in why or "branch" in why for _, why in rep.skipped)
    assert_same_state(model, before)


# --- bad input, idempotence, in place -----------------------------------------------------------


def test_model_without_repvgg_blocks_raises() -> None:
    with pytest.raises(ValueError, match="no RepVGG blocks"):
        fuse_repvgg(get("tv:resnet18").build())


def test_fusing_twice_is_a_no_op_with_a_clear_report() -> None:
    model, x = calibrated("repvgg_a0")
    first = fuse_repvgg(model)
    second = fuse_repvgg(first.model)
    assert second.blocks_fused == []
    assert second.skipped == [(q, "already re-parameterised") for q in first.blocks_fused]
    assert (second.params_before, second.convs_before) == (second.params_after, 22)
    assert "0 blocks re-parameterised" in second.summary()
    assert check_equivalence(first.model, second.model, x)["max_abs_diff"] == 0.0


def test_inplace_changes_and_returns_the_model_itself() -> None:
    torch.manual_seed(0)
    model, x = tiny_timm_repvgg(), torch.randn(2, 3, 32, 32)
    calibrate_bn(model, n_batches=2, batch=4, size=32)
    reference = copy.deepcopy(model)
    rep = fuse_repvgg(model, inplace=True)
    assert rep.model is model
    assert len(convs_in(model)) == rep.convs_after < rep.convs_before
    assert check_equivalence(reference, model, x)["max_rel_diff"] <= REL


def test_report_as_dict_is_plain_json() -> None:
    rep = fuse_repvgg(small_net(DingBlock))
    d = rep.as_dict()
    assert "model" not in d
    assert json.loads(json.dumps(d)) == d
    assert d["kind"] == "repvgg" and d["blocks_fused"] == ["0", "1", "2"]
    assert isinstance(rep, FusionReport) and rep.model is not None


# --- conv-BN folding ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tv:resnet18", "tv:vgg11_bn", "timm:resnet18"])
def test_fold_conv_bn(name: str) -> None:
    model, x = calibrated(name)
    before = snapshot(model)
    rep = fold_conv_bn(model)
    assert_same_state(model, before)
    assert check_equivalence(model, rep.model, x)["max_rel_diff"] <= REL
    assert rep.bn_after == 0 and rep.skipped == []  # every BN here follows a conv
    assert len(rep.pairs) == rep.bn_before
    assert rep.params_after < rep.params_before
    assert rep.convs_after == rep.convs_before
    assert not any(isinstance(m, _BatchNorm) for m in rep.model.modules())
    assert all(c.bias is not None for c in convs_in(rep.model))


class Tricky(nn.Module):
    """BatchNorms that must stay: after the input, after an add, after a conv whose output is
    also used elsewhere, after a shared conv; one that folds (conv with its own bias)."""

    def __init__(self) -> None:
        super().__init__()
        self.bn_in = nn.BatchNorm2d(3)
        self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=True)
        self.bn = nn.BatchNorm2d(4)  # folds
        self.conv2 = nn.Conv2d(4, 4, 1)
        self.bn2 = nn.BatchNorm2d(4)  # conv2's output also feeds the add
        self.bn_sum = nn.BatchNorm2d(4)  # after an add
        self.shared = nn.Conv2d(4, 4, 1)
        self.bn_shared = nn.BatchNorm2d(4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn(self.conv(self.bn_in(x)))
        z = self.conv2(y)
        s = self.bn_sum(self.bn2(z) + z)
        return self.bn_shared(self.shared(s)) + self.shared(s)


def test_fold_only_where_the_conv_feeds_the_bn_alone() -> None:
    torch.manual_seed(0)
    model = Tricky().eval()
    calibrate_bn(model, n_batches=2, batch=4, size=8)
    x = torch.randn(2, 3, 8, 8)
    rep = fold_conv_bn(model)
    assert rep.pairs == [("conv", "bn")]
    why = dict(rep.skipped)
    assert set(why) == {"bn_in", "bn2", "bn_sum", "bn_shared"}
    assert "the model's input" in why["bn_in"]
    assert "also feeds" in why["bn2"]
    assert "add" in why["bn_sum"]
    assert "more than once" in why["bn_shared"]
    assert rep.bn_after == 4
    assert check_equivalence(model, rep.model, x)["max_rel_diff"] <= 1e-6


def test_fold_leaves_convs_with_tied_weights() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3), nn.Conv2d(3, 3, 3, padding=1),
        nn.BatchNorm2d(3),
    ).eval()  # fmt: skip
    model[2].weight = model[0].weight
    calibrate_bn(model, n_batches=2, batch=4, size=8)
    rep = fold_conv_bn(model)
    assert rep.pairs == [] and [q for q, _ in rep.skipped] == ["1", "3"]
    assert all("shared" in why for _, why in rep.skipped)


def test_fold_counts_the_bns_that_follow_no_conv() -> None:
    torch.manual_seed(0)
    # pre-activation: BN first, then conv + BN + ReLU, then BN after a pooling
    model = nn.Sequential(
        nn.BatchNorm2d(3), nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.BatchNorm2d(8),
    ).eval()  # fmt: skip
    calibrate_bn(model, n_batches=2, batch=4, size=12)
    rep = fold_conv_bn(model)
    assert rep.pairs == [("1", "2")] and rep.bn_after == 2
    assert [q for q, _ in rep.skipped] == ["0", "5"]
    assert isinstance(rep.model[2], nn.Identity)


def test_fold_timm_conv_norm_act_keeps_the_activation() -> None:
    from timm.layers import ConvNormAct

    torch.manual_seed(0)
    model = nn.Sequential(ConvNormAct(3, 8, 3), ConvNormAct(8, 8, 1, apply_act=False)).eval()
    calibrate_bn(model, n_batches=2, batch=4, size=8)
    rep = fold_conv_bn(model)
    assert rep.bn_after == 0
    assert isinstance(rep.model[0].bn, nn.ReLU) and isinstance(rep.model[1].bn, nn.Identity)
    x = torch.randn(2, 3, 8, 8)
    assert check_equivalence(model, rep.model, x)["max_rel_diff"] <= 1e-6


def test_fold_after_fuse_has_nothing_left() -> None:
    rep = fold_conv_bn(fuse_repvgg(small_net(DingBlock)).model)
    assert rep.pairs == [] and rep.bn_before == rep.bn_after == 0


# --- the helpers --------------------------------------------------------------------------------


def test_check_equivalence_definition() -> None:
    a = nn.Linear(2, 2, bias=False)
    b = copy.deepcopy(a).eval()
    with torch.no_grad():
        a.weight.copy_(torch.tensor([[2.0, 0.0], [0.0, -4.0]]))
        b.weight.copy_(torch.tensor([[2.0, 0.0], [0.0, -3.0]]))
    a.train()
    eq = check_equivalence(a, b, torch.tensor([[1.0, 1.0]]))
    assert eq == {"max_abs_diff": 1.0, "max_rel_diff": 0.25}
    assert a.training and not b.training  # modes are restored


def test_calibrate_bn_gives_non_trivial_statistics() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8, momentum=0.3), nn.ReLU())
    n = calibrate_bn(model, n_batches=3, batch=4, size=10, seed=5)
    bn = model[1]
    assert n == 1 and not model.training
    assert bn.momentum == 0.3 and int(bn.num_batches_tracked) == 3
    assert not torch.allclose(bn.running_mean, torch.zeros(8))
    assert not torch.allclose(bn.running_var, torch.ones(8))
    assert not torch.allclose(bn.weight, torch.ones(8)) and bn.weight.min() >= 0.5
    # the same seed gives the same statistics
    again = copy.deepcopy(model)
    calibrate_bn(again, n_batches=3, batch=4, size=10, seed=5)
    assert torch.equal(again[1].running_var, bn.running_var)


def test_latency_helpers() -> None:
    a, b = nn.Conv2d(3, 4, 3).train(), nn.Conv2d(3, 4, 1)
    x = torch.randn(1, 3, 16, 16)
    t = compare_latency({"a": a, "b": b}, x, repeats=3, warmup=1)
    assert set(t) == {"a", "b"} and all(v > 0 for v in t.values())
    assert a.training  # restored
    assert latency_ms(b, x, repeats=2, warmup=0) > 0
