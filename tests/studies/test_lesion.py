"""Block deletion: each kind checked against the same deletion made by hand on the eager model."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from explorer.graph.analysis import analyze
from explorer.models import registry
from explorer.studies.lesion import surgery as lesion
from explorer.studies.lesion import sweeps
from explorer.studies.lesion.surgery import LesionError, lesioned_model, plan_deletion
from explorer.studies.lesion.sweeps import kendall_tau


def _an(name: str, seed: int = 0, input_size: int | None = None):
    torch.manual_seed(seed)
    an = analyze(registry.get(name), input_size=input_size)
    # random but non-trivial BatchNorm affine parameters: timm zero-initialises the last BN of a
    # residual branch, which would make a deleted branch indistinguishable from a kept one
    g = torch.Generator().manual_seed(seed)
    for m in an.model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data = 0.5 + torch.rand(m.weight.shape, generator=g)
            m.bias.data = 0.1 * torch.randn(m.bias.shape, generator=g)
    an.model.eval()
    return an


def _x(an, n: int = 2, seed: int = 1) -> torch.Tensor:
    return torch.randn(n, *an.graph.input_shape[1:], generator=torch.Generator().manual_seed(seed))


def _by_hook(model: nn.Module, module: str, fn) -> list:
    m = dict(model.named_modules())[module]
    return [m.register_forward_hook(lambda _m, i, o: fn(i, o))]


def _run(model, x, hooks=()):
    try:
        with torch.no_grad():
            return model(x)
    finally:
        for h in hooks:
            h.remove()


def test_the_chain_equals_the_model():
    an = _an("resnet18")
    x = _x(an)
    chain = lesion.Chain(an)
    assert len(chain.segments) > 10
    torch.testing.assert_close(_run(chain.lesioned([]), x), _run(an.model, x))


@pytest.mark.parametrize("block", ["layer1.0", "layer2.0"])
def test_residual_deletion_keeps_the_shortcut(block):
    an = _an("resnet18")
    x = _x(an)
    got = _run(lesioned_model(an, [block])[0], x)
    # by hand: the block becomes relu(shortcut(x)) (identity, or the 1x1 projection)
    model = copy.deepcopy(an.model)
    stage, idx = block.split(".")
    orig = getattr(model, stage)[int(idx)]

    class Shortcut(nn.Module):
        def forward(self, t):
            return torch.relu(orig.downsample(t) if orig.downsample is not None else t)

    getattr(model, stage)[int(idx)] = Shortcut()
    want = _run(model, x)
    torch.testing.assert_close(got, want)
    assert not torch.allclose(got, _run(an.model, x))  # it changed something


def test_se_gate_fixed_to_one():
    an = _an("timm:seresnet18", input_size=64)
    x = _x(an)
    d = plan_deletion(an, "layer2.1.se")
    assert d.action == "gate fixed to 1"
    got = _run(lesioned_model(an, ["layer2.1.se"])[0], x)
    want = _run(
        an.model, x, _by_hook(an.model, "layer2.1.se.gate", lambda i, o: torch.ones_like(o))
    )
    torch.testing.assert_close(got, want)
    assert not torch.allclose(got, _run(an.model, x))


def test_highway_carry_only():
    an = _an("highway")
    x = _x(an)
    got = _run(lesioned_model(an, ["stages.1.4"])[0], x)
    hook = _by_hook(an.model, "stages.1.4.t_gate", lambda i, o: torch.zeros_like(o))
    torch.testing.assert_close(got, _run(an.model, x, hook))


def test_inception_branch_zeroed_and_block_refused():
    an = _an("googlenet", input_size=96)
    x = _x(an)
    got = _run(lesioned_model(an, ["inception4b.branch2"])[0], x)
    hook = _by_hook(an.model, "inception4b.branch2", lambda i, o: torch.zeros_like(o))
    torch.testing.assert_close(got, _run(an.model, x, hook))
    with pytest.raises(LesionError, match="delete one of its branches"):
        plan_deletion(an, "inception4b")


def test_repvgg_branch_removed_from_the_sum():
    an = _an("repvgg_a0", input_size=64)
    x = _x(an)
    for branch in ("stages.1.1.conv_1x1", "stages.1.1.identity", "stages.1.1.conv_kxk"):
        got = _run(lesioned_model(an, [branch])[0], x)
        hook = _by_hook(an.model, branch, lambda i, o: torch.zeros_like(o))
        torch.testing.assert_close(got, _run(an.model, x, hook), msg=branch)


def test_equal_shape_layer_becomes_identity_else_refused():
    an = _an("vgg11_bn", input_size=64)
    x = _x(an)
    got = _run(lesioned_model(an, ["features.11"])[0], x)
    model = copy.deepcopy(an.model)
    model.features[11] = nn.Identity()
    torch.testing.assert_close(got, _run(model, x))
    with pytest.raises(LesionError, match="differs from its input"):
        plan_deletion(an, "features.8")  # 128 -> 256 channels
    with pytest.raises(LesionError, match="no block 'features.99'"):
        plan_deletion(an, "features.99")
    with pytest.raises(LesionError, match="cannot be deleted"):
        plan_deletion(an, "")


def test_deleting_every_residual_block_leaves_stem_and_head():
    an = _an("resnet18")
    x = _x(an)
    units = lesion.deletable_units(an)
    assert units == [f"layer{s}.{i}" for s in range(1, 5) for i in range(2)]
    model, dels = lesioned_model(an, units)
    out = _run(model, x)
    assert out.shape == (2, 1000) and len(dels) == 8
    # no convolution of a residual branch runs any more
    names = {n.target for s in model.segments for n in s.graph.nodes if n.op == "call_module"}
    assert not any(".conv" in str(t) for t in names)
    assert "layer2.0.downsample.0" in names and "conv1" in names


def test_prefix_cached_sweep_equals_naive_reevaluation():
    an = _an("resnet18", input_size=64)
    g = torch.Generator().manual_seed(5)
    xs = torch.randn(12, 3, 64, 64, generator=g)
    ys = torch.randint(0, 1000, (12,), generator=g)

    def batches():
        for i in range(0, 12, 5):
            yield xs[i : i + 5], ys[i : i + 5]

    results = {}
    for cache in (True, False):
        gen = sweeps.single_sweep(an, batches, 12, prefix_cache=cache)
        try:
            while True:
                next(gen)
        except StopIteration as stop:
            results[cache] = stop.value
    (i1, r1), (i2, r2) = results[True], results[False]
    assert len(r1) == 8
    np.testing.assert_array_equal(i1.preds, i2.preds)
    for a, b in zip(r1, r2, strict=True):
        assert a.deleted == b.deleted
        np.testing.assert_array_equal(a.preds, b.preds)
        assert a.loss == pytest.approx(b.loss, rel=1e-5)
        assert a.agreement == pytest.approx(b.agreement)
    # the intact network through the chain equals the model itself
    with torch.no_grad():
        np.testing.assert_array_equal(i1.preds, an.model(xs).argmax(1).numpy())


def test_kendall_tau():
    assert kendall_tau([0, 1, 2, 3]) == 1.0
    assert kendall_tau([3, 2, 1, 0]) == -1.0
    assert kendall_tau([1, 0, 2, 3]) == pytest.approx(1 - 2 / 6)


def test_probes_follow_the_lesioned_network():
    """A deleted branch has no statistics; the block's output is its shortcut's, through relu."""
    from explorer.runtime.inference import run
    from explorer.runtime.probe_plan import make_plan

    an = _an("resnet18", input_size=64)
    x = _x(an)
    plan = make_plan(an.tree)
    net, _ = lesioned_model(an, ["layer1.0"])
    res = run(net, x, "cpu", plan=plan, feature_block="layer1.0").probes
    seen: dict[str, torch.Tensor] = {}
    hooks = _by_hook(an.model, "maxpool", lambda i, o: seen.setdefault("pool", o.clone()))
    _run(an.model, x, hooks)
    want = torch.relu(seen["pool"])
    assert "layer1.0.conv1" not in res.block_ids and "layer1.0.bn2" not in res.block_ids
    torch.testing.assert_close(res.features, want)
    mean, std = res.stat("layer1.0", 1)
    assert mean == pytest.approx(float(want[1].mean()), rel=1e-5)
    assert std == pytest.approx(float(want[1].double().std(unbiased=False)), rel=1e-4)
    assert "layer1.1" in res.block_ids and "layer1.1.conv1" in res.block_ids


def test_random_and_reorder_sweeps_run_to_their_end():
    an = _an("resnet18", input_size=64)
    g = torch.Generator().manual_seed(6)
    xs = torch.randn(6, 3, 64, 64, generator=g)

    def batches():
        yield xs, None  # no labels: agreement only

    intact, by_k = sweeps.quiet(sweeps.random_sweep(an, batches, 6, k_max=3, trials=2))
    assert sorted(by_k) == [1, 2, 3] and all(len(v) == 2 for v in by_k.values())
    assert all(len(r.deleted) == k for k, v in by_k.items() for r in v)
    assert intact.top1 is None and all(r.agreement is not None for v in by_k.values() for r in v)
    intact, pairs = sweeps.quiet(sweeps.reorder_sweep(an, batches, 6, trials=3))
    assert len(pairs) == 3 and all(-1.0 <= tau <= 1.0 for tau, _ in pairs)
    assert any(tau < 1.0 for tau, _ in pairs)  # something was reordered
