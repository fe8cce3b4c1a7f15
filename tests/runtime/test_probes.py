"""Probes against a direct computation with plain hooks on the same input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.graph.analysis import analyze
from explorer.models import registry
from explorer.runtime.probe_curves import se_matrix, sorted_descending, std_by_layer
from explorer.runtime.probe_plan import make_plan
from explorer.runtime.probes import run_probes


def _analysis(name: str, seed: int = 0):
    torch.manual_seed(seed)
    return analyze(registry.get(name))


def _plain_outputs(model, x):
    """Every module call's output, cloned at once (an in-place op cannot change it later)."""
    outs: dict[str, list[torch.Tensor]] = {}
    handles = []
    for name, m in model.named_modules():

        def hook(_m, _i, o, name=name):
            if isinstance(o, torch.Tensor):
                outs.setdefault(name, []).append(o.detach().clone())

        handles.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return outs


def _direct(outs, block_id: str) -> torch.Tensor:
    base, _, k = block_id.partition("@")
    return outs[base][int(k) if k else 0]


@pytest.fixture(scope="module")
def resnet18():
    an = _analysis("resnet18")
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    return an, make_plan(an.tree), x


def test_block_stats_equal_plain_hooks(resnet18):
    an, plan, x = resnet18
    logits, res = run_probes(an.model, x, plan)
    outs = _plain_outputs(an.model, x)
    with torch.no_grad():
        assert torch.allclose(logits, an.model(x), atol=1e-5)
    assert len(res.block_ids) == len(plan.stats) > 60
    for i, b in enumerate(res.block_ids):
        t = _direct(outs, b).double().reshape(2, -1)
        np.testing.assert_allclose(res.mean[i], t.mean(1).numpy(), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(
            res.std[i], t.std(1, unbiased=False).numpy(), rtol=1e-4, atol=1e-6, err_msg=b
        )
    # a BatchNorm output followed by an in-place ReLU keeps its negative values
    m, s = res.stat("layer1.0.bn1")
    assert m == pytest.approx(float(_direct(outs, "layer1.0.bn1")[0].mean()), abs=1e-5)
    assert res.stat("layer1.0.relu")[0] > m


def test_feature_maps_of_module_and_function_blocks(resnet18):
    an, plan, x = resnet18
    outs = _plain_outputs(an.model, x)
    _, res = run_probes(an.model, x, plan, feature_block="layer1.0.bn1")
    direct = outs["layer1.0.bn1"][0]
    assert res.features is not None and torch.allclose(res.features, direct, atol=1e-6)
    assert (res.features < 0).any()  # taken before the in-place ReLU
    ch = direct.double().reshape(2, 64, -1)
    np.testing.assert_allclose(res.channel_mean, ch.mean(2).numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        res.channel_std, ch.std(2, unbiased=False).numpy(), rtol=1e-4, atol=1e-6
    )
    order = res.channel_order(0)
    assert res.channel_mean[0, order[0]] == res.channel_mean[0].max()
    # the residual sum is a function call: seen as the input of the ReLU that follows
    _, res2 = run_probes(an.model, x, plan, feature_block="layer1.0:add")
    relu_in = outs["layer1.0.bn2"][0] + outs["maxpool"][0]
    assert res2.features is not None and torch.allclose(res2.features, relu_in, atol=1e-5)


def test_se_gates_equal_plain_hooks():
    an = _analysis("timm:seresnet18")
    plan = make_plan(an.tree)
    x = torch.randn(2, 3, 128, 128, generator=torch.Generator().manual_seed(2))
    _, res = run_probes(an.model, x, plan)
    outs = _plain_outputs(an.model, x)
    se_blocks = [b for b in an.tree.blocks.values() if b.kind == "se"]
    assert len(res.se_gates) == len(se_blocks) == 8
    for b in se_blocks:
        direct = outs[b.id + ".gate"][0].reshape(2, -1).numpy()
        np.testing.assert_allclose(res.se_gates[b.id], direct, rtol=1e-6)
        assert ((direct > 0) & (direct < 1)).all()
    ids, m = se_matrix(res, image=1)
    assert m.shape == (8, 512) and np.isnan(m[0, 64:]).all() and not np.isnan(m[-1]).any()
    np.testing.assert_allclose(m[0, :64], res.se_gates[ids[0]][1])


def test_highway_gate_means_equal_plain_hooks():
    an = _analysis("highway")
    plan = make_plan(an.tree)
    x = torch.randn(3, *an.graph.input_shape[1:], generator=torch.Generator().manual_seed(3))
    _, res = run_probes(an.model, x, plan)
    outs = _plain_outputs(an.model, x)
    assert len(res.highway_gates) == 9
    for b, v in res.highway_gates.items():
        direct = outs[b + ".t_gate"][0].reshape(3, -1).mean(1).numpy()
        np.testing.assert_allclose(v, direct, rtol=1e-6)


def test_hooks_removed_and_mode_restored_after_an_error(resnet18):
    an, plan, _ = resnet18
    model = an.model.train()
    try:
        with pytest.raises(RuntimeError):
            run_probes(model, torch.randn(1, 5, 32, 32), plan, feature_block="layer2")
        assert model.training
        assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
        model.eval()
        _, res = run_probes(model, torch.randn(1, 3, 64, 64), plan)
        assert not model.training
        assert all(not m._forward_hooks for m in model.modules())
        assert res.mean.shape == (len(plan.stats), 1)
    finally:
        model.eval()


def test_std_curves(resnet18):
    an, plan, x = resnet18
    _, res = run_probes(an.model, x, plan)
    ids, v = std_by_layer(res, plan, "norm", image=1)
    assert len(ids) == 20 and all(an.tree.blocks[i].kind == "norm" for i in ids)
    assert v[3] == pytest.approx(res.stat(ids[3], 1)[1])
    blocks, bv = std_by_layer(res, plan, "blocks")
    assert blocks == [f"layer{s}.{i}" for s in range(1, 5) for i in range(2)]
    layers, _ = std_by_layer(res, plan, "layers")
    assert set(ids) < set(layers) and "layer1" not in layers
    d = sorted_descending(bv)
    assert list(d) == sorted(bv, reverse=True)
    with pytest.raises(ValueError):
        std_by_layer(res, plan, "everything")


def test_std_blocks_of_a_plain_network_are_its_conv_blocks():
    an = _analysis("plain18")
    plan = make_plan(an.tree)
    _, res = run_probes(an.model, torch.randn(1, 3, 64, 64), plan)
    blocks, _ = std_by_layer(res, plan, "blocks")
    assert blocks == [f"layer{s}.{i}" for s in range(1, 5) for i in range(2)]


def test_one_image_takes_the_fast_path_and_agrees(resnet18):
    """Statistics of one image (the fast hook) equal those of the same image in a batch."""
    an, plan, x = resnet18
    _, one = run_probes(an.model, x[:1], plan)
    _, two = run_probes(an.model, x, plan)
    assert one.block_ids == two.block_ids and one.mean.shape == (len(one.block_ids), 1)
    np.testing.assert_allclose(one.mean[:, 0], two.mean[:, 0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(one.std[:, 0], two.std[:, 0], rtol=1e-4, atol=1e-6)
