"""The fusion's steps as the window draws them: in order, 1.5-2 s, pictures from the weights."""

from __future__ import annotations

import torch

from explorer.models.registry import get
from explorer.present.fusion_steps import STEP_MS, TOTAL_MS, merge_steps
from explorer.studies.fusion.pictures import block_kernels
from explorer.studies.fusion.repvgg import calibrate_bn, fuse_repvgg


def kernels(with_identity: bool = True):
    torch.manual_seed(0)
    model = get("repvgg_small").build()
    calibrate_bn(model, n_batches=1, batch=4, size=32, seed=0, channels=1)
    model.eval()
    q = next(
        q
        for q, m in model.named_modules()
        if hasattr(m, "conv_kxk")
        and (getattr(m, "identity", None) is not None) == with_identity
        and m.conv_kxk.conv.in_channels > 1
    )
    return model, q, block_kernels(model.get_submodule(q), q, 1, 1)


def test_five_steps_in_order_within_two_seconds() -> None:
    assert [k for k, _ in STEP_MS] == ["fold", "pad", "identity", "sum", "fused"]
    assert 1500 <= TOTAL_MS <= 2000
    steps = merge_steps(None, "3x3 conv, 16")
    assert [s.number for s in steps] == [1, 2, 3, 4, 5]
    assert sum(s.duration_ms for s in steps) == TOTAL_MS
    assert all(not s.pictures for s in steps)  # no block to picture: captions alone
    assert steps[-1].caption == "One block: 3x3 conv, 16 (with bias)"
    assert "BatchNorm" in steps[0].caption and "1x1" in steps[1].caption
    assert "identity" in steps[2].caption and "Sum" in steps[3].caption


def test_pictures_come_from_the_block() -> None:
    model, q, k = kernels()
    steps = {s.key: s for s in merge_steps(k)}
    kxk, one, ident = k.branches
    assert [p.values for p in steps["fold"].pictures] == [kxk.folded, one.folded, ident.folded]
    pad = steps["pad"].pictures
    assert pad[1].values == one.padded and pad[1].highlight == ((1, 1),)
    assert pad[2].values == [[ident.scale]]  # the identity is still 1x1 here
    assert steps["identity"].pictures[2].values == ident.padded
    assert steps["identity"].pictures[2].note == "delta"
    s = steps["sum"]
    assert s.ops == ["+", "+", "="] and s.pictures[-1].values == k.fused
    # what the sum shows is the fused conv's kernel [1, 1]
    fused = fuse_repvgg(model).model.get_submodule(q)
    conv = next(m for m in fused.modules() if isinstance(m, torch.nn.Conv2d))
    torch.testing.assert_close(
        torch.tensor(s.pictures[-1].values, dtype=torch.float64),
        conv.weight.detach()[1, 1].double(),
    )
    assert steps["fused"].caption == f"One block: {k.label()} (with bias)"
    assert {st.vmax for st in steps.values()} == {k.vmax} and k.vmax > 0


def test_a_block_without_identity() -> None:
    _m, _q, k = kernels(with_identity=False)
    steps = {s.key: s for s in merge_steps(k)}
    assert len(steps["sum"].pictures) == len(k.branches) + 1
    assert k.branch("identity") is None
    assert steps["sum"].ops[-1] == "="


def test_values_as_drawn() -> None:
    from explorer.present.fusion_steps import cell_text, value_scale

    assert value_scale(0.4) == (1.0, "") and value_scale(0.0) == (1.0, "")
    assert value_scale(0.004) == (1000.0, "values ×10⁻³")
    assert value_scale(250.0) == (0.01, "values ×10²")
    assert [cell_text(v) for v in (0.0, -0.0042, 0.013, 0.21, -1.26, 12.4, 1e-5)] == [
        "0", "-.004", ".013", ".21", "-1.3", "12", "≈0",
    ]  # fmt: skip
    assert cell_text(0.0042, 1000.0) == "4.2"
