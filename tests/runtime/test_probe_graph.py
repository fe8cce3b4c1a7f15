"""Probes in the traced graph against the hooks they replace, on the same input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from explorer.graph.analysis import analyze
from explorer.graph.blocks import build_blocks
from explorer.graph.trace import build_graph
from explorer.models import registry
from explorer.runtime import probe_calls, probe_graph
from explorer.runtime.inference import run
from explorer.runtime.probe_graph import probe_pass, prober_for
from explorer.runtime.probe_plan import make_plan


def _analysis(name: str, seed: int = 0, input_size: int | None = None):
    torch.manual_seed(seed)
    an = analyze(registry.get(name), input_size=input_size)
    # BatchNorm statistics that are not the identity, so that a wrong channel shows
    for m in an.model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return an


def _x(an, batch: int, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(batch, *an.graph.input_shape[1:], generator=g)


def _both(model, x, plan, feature=None):
    with torch.inference_mode():
        lh, rh = probe_pass(model, x, plan, feature, "hooks")
        lg, rg = probe_pass(model, x, plan, feature, "graph")
    assert rh.method == "hooks" and rg.method == "graph"
    return (lh, rh), (lg, rg)


def _assert_same(h, g) -> None:
    (lh, rh), (lg, rg) = h, g
    torch.testing.assert_close(lg, lh, rtol=1e-5, atol=1e-6)
    assert rg.block_ids == rh.block_ids and rg.kinds == rh.kinds
    assert rg.out_shapes == rh.out_shapes
    np.testing.assert_allclose(rg.mean, rh.mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(rg.std, rh.std, rtol=1e-5, atol=1e-7)
    assert sorted(rg.se_gates) == sorted(rh.se_gates)
    for k, v in rh.se_gates.items():
        np.testing.assert_allclose(rg.se_gates[k], v, rtol=1e-6)
    assert sorted(rg.highway_gates) == sorted(rh.highway_gates)
    for k, v in rh.highway_gates.items():
        np.testing.assert_allclose(rg.highway_gates[k], v, rtol=1e-6)
    assert rg.feature_block == rh.feature_block
    assert (rg.features is None) == (rh.features is None)
    if rh.features is not None:
        torch.testing.assert_close(rg.features, rh.features, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(rg.channel_mean, rh.channel_mean, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(rg.channel_std, rh.channel_std, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("batch", [1, 3])
def test_resnet50_statistics_equal_the_hooks(batch):
    an = _analysis("resnet50", input_size=64)
    plan = make_plan(an.tree)
    x = _x(an, batch)
    h, g = _both(an.model, x, plan, "layer2.0.bn1")
    _assert_same(h, g)
    res = g[1]
    assert len(res.block_ids) == len(plan.stats) > 150
    # each BatchNorm is measured from its input's channel sums, not read again; its
    # statistics against float64 arithmetic on the output itself
    prober = prober_for(an.model, plan, "layer2.0.bn1")
    bns = [p for p in prober.probes if p.role == "bn"]
    assert len(bns) == sum(isinstance(m, nn.BatchNorm2d) for m in an.model.modules()) == 53
    assert sum(p.role == "bn-input" for p in prober.probes) == 53  # the convolutions
    with torch.no_grad():
        m = an.model
        y = m.layer1[0].bn2(m.layer1[0].conv2(m.relu(m.layer1[0].bn1(m.layer1[0].conv1(
            m.maxpool(m.relu(m.bn1(m.conv1(x)))))))))  # fmt: skip
    flat = y.double().reshape(batch, -1)
    mean, std = (
        res.mean[res.block_ids.index("layer1.0.bn2")],
        res.std[res.block_ids.index("layer1.0.bn2")],
    )
    np.testing.assert_allclose(mean, flat.mean(1).numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(std, flat.std(1, unbiased=False).numpy(), rtol=1e-5)
    # the BatchNorm output is measured before the in-place ReLU that follows it
    assert (res.features < 0).any()
    assert res.stat("layer1.0.bn1")[0] < res.stat("layer1.0.relu")[0]


@pytest.mark.parametrize(
    "feature", ["layer1.0:add", "layer2", "layer1.0.conv1", "fc", "layer3.1.relu@1"]
)
def test_feature_maps_of_every_kind_of_block(feature):
    """A function block (the residual sum, before the in-place ReLU), a container, a layer,
    the last layer, a later call of a module."""
    an = _analysis("resnet18", input_size=64)
    plan = make_plan(an.tree)
    h, g = _both(an.model, _x(an, 2), plan, feature)
    assert g[1].features is not None
    _assert_same(h, g)


def test_se_gates_equal_the_hooks():
    an = _analysis("timm:seresnet18", input_size=64)
    plan = make_plan(an.tree)
    h, g = _both(an.model, _x(an, 2), plan, "layer1.0")
    assert len(g[1].se_gates) == 8
    _assert_same(h, g)


def test_highway_gates_equal_the_hooks():
    an = _analysis("highway")
    plan = make_plan(an.tree)
    h, g = _both(an.model, _x(an, 3), plan)
    assert len(g[1].highway_gates) == 9
    _assert_same(h, g)


@pytest.mark.parametrize("name", ["inception_small", "googlenet"])
def test_inception_branches_equal_the_hooks(name):
    an = _analysis(name, input_size=64 if name == "googlenet" else None)
    plan = make_plan(an.tree)
    branch = next(b.children[1] for b in an.tree.blocks.values() if b.kind == "inception")
    h, g = _both(an.model, _x(an, 2), plan, branch)
    assert g[1].features is not None
    _assert_same(h, g)
    # every branch of every inception block is measured
    for b in an.tree.blocks.values():
        if b.kind == "inception":
            assert any(i == c or i.startswith(c + ".") for c in b.children for i in g[1].block_ids)


def test_a_network_with_deleted_blocks():
    from explorer.studies.lesion.surgery import lesioned_model

    an = _analysis("resnet18", input_size=64)
    plan = make_plan(an.tree)
    net, _ = lesioned_model(an, ["layer1.1", "layer3.0"])
    x = _x(an, 2)
    h, g = _both(net, x, plan, "layer2.0.bn2")
    _assert_same(h, g)
    ids = g[1].block_ids
    # the residual branch is gone; the ReLU after the sum still runs
    assert "layer1.0.bn1" in ids and "layer1.1.relu@1" in ids
    assert "layer1.1.conv1" not in ids and "layer3.0.bn2" not in ids
    # the deleted block changed the statistics after it, not before it
    with torch.inference_mode():
        _, whole = probe_pass(an.model, x, plan, None, "graph")
    assert whole.stat("layer1.0.bn2") == pytest.approx(g[1].stat("layer1.0.bn2"))
    assert whole.stat("layer2.0.bn2") != pytest.approx(g[1].stat("layer2.0.bn2"))
    # the deleted block's feature maps: neither way shows them
    h, g = _both(net, x, plan, "layer1.1.bn1")
    assert g[1].features is None and h[1].features is None


def test_the_fused_repvgg_network():
    from explorer.studies.fusion.repvgg import fuse_repvgg

    torch.manual_seed(0)
    spec = registry.get("repvgg_small")
    model = fuse_repvgg(spec.build(), inplace=True).model
    an = analyze(spec, model=model)
    plan = make_plan(an.tree)
    feature = next(b.id for b in an.tree.blocks.values() if b.kind == "conv" and b.depth > 1)
    h, g = _both(an.model, _x(an, 2), plan, feature)
    assert len(g[1].block_ids) > 10
    _assert_same(h, g)


class _Untraceable(nn.Module):
    """Control flow on a tensor's value: torch.fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.relu(self.bn(self.conv(x)))
        if h.mean() > 0:
            h = h * 2
        return self.fc(h.mean((2, 3)))


def test_an_untraceable_network_is_probed_with_hooks():
    torch.manual_seed(0)
    model = _Untraceable().eval()
    mg = build_graph(model, (1, 3, 16, 16))
    assert mg.method == "hooks" and mg.fx_graph is None
    plan = make_plan(build_blocks(mg))
    assert prober_for(model, plan) is None
    x = torch.randn(2, 3, 16, 16)
    with torch.inference_mode():
        logits, res = probe_pass(model, x, plan, "bn")
        with pytest.raises(ValueError, match="no traced graph"):
            probe_pass(model, x, plan, None, "graph")
        direct = model.bn(model.conv(x))
    assert res.method == "hooks"
    i = res.block_ids.index("bn")
    flat = direct.double().reshape(2, -1)
    np.testing.assert_allclose(res.mean[i], flat.mean(1).numpy(), rtol=1e-5)
    np.testing.assert_allclose(res.std[i], flat.std(1, unbiased=False).numpy(), rtol=1e-5)
    torch.testing.assert_close(res.features, direct)
    # and the run the window makes takes the same way
    out = run(model, x, "cpu", plan=plan)
    assert out.probes is not None and out.probes.method == "hooks"
    torch.testing.assert_close(out.logits, logits)


def test_the_graph_path_dispatches_no_module_hook(monkeypatch):
    an = _analysis("resnet18", input_size=64)
    plan = make_plan(an.tree)
    registered = []
    real = nn.Module.register_forward_hook
    real_pre = nn.Module.register_forward_pre_hook
    ours = {id(m) for m in an.model.modules()}  # not the meta copy that sizes activations

    def counting(self, *a, **k):
        if id(self) in ours:
            registered.append(type(self).__name__)
        return real(self, *a, **k)

    def counting_pre(self, *a, **k):
        if id(self) in ours:
            registered.append(type(self).__name__)
        return real_pre(self, *a, **k)

    monkeypatch.setattr(nn.Module, "register_forward_hook", counting)
    monkeypatch.setattr(nn.Module, "register_forward_pre_hook", counting_pre)
    # a module called with hooks of its own (the global hook below is this test's)
    hooked_calls = []

    def watch(m, _i, _o):
        if id(m) in ours and (m._forward_hooks or m._forward_pre_hooks):
            hooked_calls.append(m)

    handle = nn.modules.module.register_module_forward_hook(watch)
    try:
        x = _x(an, 1)
        res = run(an.model, x, "cpu", plan=plan, feature_block="layer1.0:add")
        assert res.probes is not None and res.probes.method == "graph"
        assert registered == [] and hooked_calls == []
        # the test can fail: the hooks' way registers and dispatches them
        res = run(an.model, x, "cpu", plan=plan, feature_block="layer1.0:add", probes="hooks")
        assert res.probes is not None and res.probes.method == "hooks"
        assert len(registered) > 40 and len(hooked_calls) > 40
    finally:
        handle.remove()


def test_the_probed_module_is_made_once_per_network_and_selection():
    from explorer.studies.lesion.surgery import lesioned_model

    an = _analysis("resnet18", input_size=64)
    plan = make_plan(an.tree)
    made = []
    real = probe_graph._make
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(probe_graph, "_make", lambda *a: made.append(a[2]) or real(*a))
        x = _x(an, 1)
        a = run(an.model, x, "cpu", plan=plan, feature_block="layer1")
        run(an.model, x, "cpu", plan=plan, feature_block="layer1")
        assert made == ["layer1"]
        run(an.model, x, "cpu", plan=plan, feature_block="layer2")
        assert made == ["layer1", "layer2"]
        # deleted blocks: another network, another module
        net, _ = lesioned_model(an, ["layer1.0"])
        b = run(net, x, "cpu", plan=plan, feature_block="layer1")
        assert len(made) == 3 and b.probes.method == "graph"
        assert a.probes.stat("layer1.0.bn1") != b.probes.stat("layer2.0.bn1")
        # another plan (a new analysis: another model, a fused one) is another module
        other = make_plan(an.tree)
        run(an.model, x, "cpu", plan=other, feature_block="layer1")
        assert len(made) == 4
    # new weights loaded into the model are seen by the kept module (it shares the layers)
    before = a.probes.stat("conv1")
    with torch.no_grad():
        an.model.conv1.weight.mul_(2.0)
    after = run(an.model, x, "cpu", plan=plan, feature_block="layer1").probes.stat("conv1")
    assert after[1] == pytest.approx(2 * before[1], rel=1e-5)
    # and new BatchNorm statistics (the BatchNorms' outputs are worked out from them)
    bn_before = run(an.model, x, "cpu", plan=plan, feature_block="layer1").probes.stat("bn1")
    with torch.no_grad():
        an.model.bn1.running_var.mul_(4.0)
    bn_after = run(an.model, x, "cpu", plan=plan, feature_block="layer1").probes
    hooked = run(an.model, x, "cpu", plan=plan, feature_block="layer1", probes="hooks").probes
    assert bn_after.stat("bn1") == pytest.approx(hooked.stat("bn1"), rel=1e-5)
    assert bn_after.stat("bn1")[1] < 0.6 * bn_before[1]


def test_a_model_left_in_training_mode_is_probed_in_eval_and_restored():
    an = _analysis("resnet18", input_size=64)
    plan = make_plan(an.tree)
    an.model.train()
    x = _x(an, 2)
    with torch.inference_mode():
        _, g = probe_pass(an.model, x, plan, None, "graph")
    assert an.model.training
    an.model.eval()
    with torch.inference_mode():
        _, h = probe_pass(an.model, x, plan, None, "hooks")
    np.testing.assert_allclose(g.std, h.std, rtol=1e-5)


class _SumThenReuse(nn.Module):
    """A layer's output summed, then read again: the sum must not be written into it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.conv2 = nn.Conv2d(3, 3, 1)
        self.fc = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn(self.conv(x))
        z = y + x  # y is read again below
        w = self.conv2(z)
        w = w + x  # w is not: this sum may be written into it
        return self.fc((z + y + w).mean((2, 3)))


def test_sums_are_made_in_place_only_where_nothing_reads_the_operand_again():
    torch.manual_seed(0)
    model = _SumThenReuse().eval()
    mg = build_graph(model, (1, 3, 8, 8))
    plan = make_plan(build_blocks(mg))
    prober = prober_for(model, plan)
    targets = [n.target for n in prober.gm.graph.nodes if n.op == "call_function"]
    assert targets.count(probe_calls.add_into) == 1
    x = torch.randn(2, 3, 8, 8)
    with torch.inference_mode():
        logits, _ = probe_pass(model, x, plan, None, "graph")
        torch.testing.assert_close(logits, model(x))
    # resnet50's 16 residual sums are in place again, as in its own forward (out += identity)
    an = _analysis("resnet50", input_size=64)
    gm = prober_for(an.model, make_plan(an.tree)).gm
    assert sum(n.target is probe_calls.add_into for n in gm.graph.nodes) == 16


def test_hooks_set_on_the_model_or_a_replaced_forward_still_run():
    """The graph does not call the model's own forward, nor a container's: where someone
    hooked them or replaced a forward, the pass runs the model as it is."""
    an = _analysis("resnet18", input_size=64)
    plan = make_plan(an.tree)
    x = _x(an, 1)
    calls = []
    h = an.model.layer1.register_forward_pre_hook(lambda *_a: calls.append("layer1"))
    try:
        res = run(an.model, x, "cpu", plan=plan)
        assert calls == ["layer1"] and res.probes.method == "hooks"
    finally:
        h.remove()
    assert run(an.model, x, "cpu", plan=plan).probes.method == "graph"
    # a hook on a layer the graph calls runs in the graph as well
    h = an.model.layer1[0].conv1.register_forward_hook(lambda *_a: calls.append("conv1"))
    try:
        res = run(an.model, x, "cpu", plan=plan)
        assert calls[-1] == "conv1" and res.probes.method == "graph"
    finally:
        h.remove()

    def broken(*_a, **_k):
        raise RuntimeError("replaced on purpose")

    an.model.forward = broken
    try:
        with pytest.raises(RuntimeError, match="on purpose"):
            run(an.model, x, "cpu", plan=plan)
    finally:
        del an.model.forward
    assert run(an.model, x, "cpu", plan=plan).probes.method == "graph"
