"""The fuse workflow gives the window each block's pictured kernels, from the model it shows."""

from __future__ import annotations

import pytest
import torch

from explorer.app.workflows import drive
from explorer.app.workflows.fuse import FuseSettings, fuse
from explorer.app.workflows.run import load_model, load_weights


def conv_of(model: torch.nn.Module, q: str) -> torch.nn.Conv2d:
    return next(m for m in model.get_submodule(q).modules() if isinstance(m, torch.nn.Conv2d))


@pytest.mark.parametrize("weights", ["auto", "random"])
def test_pictured_kernels_sum_to_the_shown_models_fused_kernels(weights: str) -> None:
    an = drive(load_model("repvgg_small"))
    info = drive(load_weights(an, weights, fresh=True))
    out = drive(fuse(an.spec, an.model, info, FuseSettings(repeats=2, warmup=1)))
    assert out.calibrated == (weights == "random")
    assert set(out.kernels) == set(out.report.blocks_fused)
    for q, k in out.kernels.items():
        assert (k.block, k.out_channel, k.in_channel) == (q, 0, 0)
        # the fused model the window shows (its own weights, not the calibrated copy's)
        conv = conv_of(out.fused_model, q)
        got = torch.tensor(k.fused, dtype=torch.float64)
        torch.testing.assert_close(got, conv.weight.detach()[0, 0].double(), rtol=1e-5, atol=1e-6)
        assert k.fused_bias == pytest.approx(float(conv.bias.detach()[0]), rel=1e-5, abs=1e-6)


def test_conv_bn_folding_has_no_pictures() -> None:
    an = drive(load_model("resnet20"))
    info = drive(load_weights(an, "auto", fresh=True))
    out = drive(fuse(an.spec, an.model, info, FuseSettings(kinds=("conv-bn",), repeats=2)))
    assert out.folded is not None and out.folded.pairs and out.kernels == {}
