"""The pre-activation ResNets of He et al. 2016 (CIFAR-10): counts, blocks, kinds, labels."""

from __future__ import annotations

import pytest
import torch
from _models import analysis
from _preact import preact_params
from torch import nn

from explorer.graph.labels import block_label, group_label
from explorer.models import registry
from explorer.models.nets.preact import PreActBlock, preact_resnet
from explorer.present.layout import compute_layout
from explorer.runtime.preprocess import NORMALIZE

#: name -> (units, units with a projection shortcut, convs a unit, the paper's rounded count)
NETS = {
    "preact_resnet110": (54, 2, 2, 1.7),
    "preact_resnet164": (54, 3, 3, 1.7),
    "preact_resnet1001": (333, 3, 3, 10.2),
}
PARAMS = [pytest.param(n, marks=[pytest.mark.slow] if n.endswith("1001") else []) for n in NETS]


def _count(model: nn.Module, bn: bool = True) -> int:
    return sum(
        p.numel()
        for m in model.modules()
        if bn or not isinstance(m, nn.BatchNorm2d)
        for p in m.parameters(recurse=False)
    )


@pytest.mark.parametrize("name", PARAMS)
def test_parameter_count_against_the_paper(name: str) -> None:
    spec = registry.get(name)
    model = spec.build()
    depth, bottleneck = spec.extra["depth"], spec.extra["bottleneck"]
    total = _count(model)
    assert total == preact_params(depth, bottleneck)
    paper = NETS[name][3]
    assert spec.extra["paper_params"] == f"{paper}M"
    weights = _count(model, bn=False)
    assert weights == preact_params(depth, bottleneck, bn=False)
    # the paper's figure, rounded to 0.1 M as the paper rounds: the weights' count
    assert round(weights / 1e6, 1) == paper
    if name == "preact_resnet1001":
        # with the BN scales and shifts 10.3 M, as its note says (10,327,706)
        assert round(total / 1e6, 1) == 10.3 and "10.3M" in spec.ref_note
    else:
        assert round(total / 1e6, 1) == paper


def test_specs_read_cifar10() -> None:
    for name in NETS:
        spec = registry.get(name)
        assert spec.input_size == (3, 32, 32) and spec.num_classes == 10
        assert spec.classes == "cifar10" and spec.year == 2016 and spec.family == "ResNet"
        assert (spec.mean, spec.std) == NORMALIZE["cifar"]
    assert registry.get("preact_resnet1001").slow


def test_names_beside_the_2015_resnets() -> None:
    """``resnet1001`` is not a name: every ``resnetN`` is a 2015 network; asked for, the
    pre-activation one is suggested."""
    with pytest.raises(registry.UnknownModelError) as info:
        registry.get("resnet1001")
    assert "preact_resnet1001" in info.value.suggestions


@pytest.mark.parametrize("name", PARAMS)
def test_blocks_are_residual_units(name: str) -> None:
    units, projections, convs, _ = NETS[name]
    an = analysis(name)
    tree = an.tree
    res = [b for b in tree.blocks.values() if b.kind == "residual"]
    assert len(res) == units
    assert {b.id.rpartition(".")[0] for b in res} == {"layer1", "layer2", "layer3"}
    assert sum(b.motif.shortcut == "projection" for b in res) == projections
    assert {b.motif.shortcut for b in res} == {"projection", "identity"}
    for b in res:
        assert len([n for n in b.motif.branches[0] if tree.blocks[n].kind == "conv"]) == convs
    skips = [e for e in an.graph.g.edges(data=True) if e[2].get("kind") == "skip"]
    assert len(skips) == units


def test_the_1001_layers() -> None:
    """1001 = 333 units x 3 convs + conv1 + FC, 111 units a stage."""
    model = registry.get("preact_resnet1001").build()
    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    shortcuts = [m.shortcut for m in model.modules() if isinstance(m, PreActBlock)]
    projections = [s for s in shortcuts if isinstance(s, nn.Conv2d)]
    assert len(layers) - len(projections) == 1001
    assert [len(getattr(model, f"layer{i}")) for i in (1, 2, 3)] == [111, 111, 111]


@pytest.mark.parametrize("name", PARAMS)
def test_labels_say_bn_relu_conv(name: str) -> None:
    tree = analysis(name).tree
    if name == "preact_resnet110":
        assert block_label(tree, "layer1.1") == "residual: BN-ReLU-3x3 16, BN-ReLU-3x3 16"
        assert block_label(tree, "layer2.0") == (
            "residual: BN-ReLU-3x3 32 /2, BN-ReLU-3x3 32 + proj"
        )
        return
    assert block_label(tree, "layer1.1") == (
        "residual: BN-ReLU-1x1 16, BN-ReLU-3x3 16, BN-ReLU-1x1 64"
    )
    assert block_label(tree, "layer3.0") == (
        "residual: BN-ReLU-1x1 64 /2, BN-ReLU-3x3 64, BN-ReLU-1x1 256 + proj"
    )
    n = NETS[name][0] // 3
    run = [f"layer2.{i}" for i in range(1, n)]
    assert group_label(tree, run) == (
        f"residual ×{n - 1}: BN-ReLU-1x1 32, BN-ReLU-3x3 32, BN-ReLU-1x1 128"
    )


def test_an_open_unit_draws_bn_relu_before_each_conv() -> None:
    """Opened, a unit reads BN → ReLU → conv, three times, into the sum; the first unit of a
    stage applies its BN-ReLU before the paths split, so that pair stays two boxes, feeding
    the projection and the first conv alike."""
    tree = analysis("preact_resnet164").tree
    lay = compute_layout(tree, {"", "layer1", "layer1.0", "layer1.1"})
    inside = {b.id: b for b in lay.boxes.values() if b.parent == "layer1.1"}
    assert [b.label for b in sorted(inside.values(), key=lambda b: b.y)] == [
        "BN → ReLU → 1x1 conv, 16",
        "BN → ReLU → 3x3 conv, 16",
        "BN → ReLU → 1x1 conv, 64",
        "+",
    ]
    assert all(not b.marks for b in inside.values())
    first = {b.id: b.label for b in lay.boxes.values() if b.parent == "layer1.0"}
    assert first["layer1.0.bn1"] == "BN" and first["layer1.0.relu1"] == "ReLU"
    assert first["layer1.0.conv1"] == "1x1 conv, 16"
    assert first["layer1.0.shortcut"] == "1x1 conv, 64"
    edges = {(e.src, e.dst) for e in lay.edges}
    assert {("layer1.0.relu1", "layer1.0.conv1"), ("layer1.0.relu1", "layer1.0.shortcut")} <= edges


def test_post_activation_blocks_keep_conv_bn_relu() -> None:
    """A 2015 block (conv, then BN and ReLU) is not read as a pre-activation one, though its
    second conv also follows a BN and a ReLU."""
    tree = analysis("resnet20").tree
    assert block_label(tree, "layer1.1") == "residual: 3x3 16, 3x3 16"
    lay = compute_layout(tree, {"", "layer1", "layer1.1"})
    inside = sorted((b for b in lay.boxes.values() if b.parent == "layer1.1"), key=lambda b: b.y)
    assert [(b.label, b.marks) for b in inside][:2] == [
        ("3x3 conv, 16", ["BN", "ReLU"]),
        ("3x3 conv, 16", ["BN"]),
    ]


def test_untrained_forward_stays_finite() -> None:
    """With He initialisation alone 333 units overflow float32 (NaN out); each unit's last
    conv starts at zero, so every unit starts as the identity."""
    torch.manual_seed(0)
    model = registry.get("preact_resnet1001").build()
    with torch.inference_mode():
        y = model(torch.randn(2, 3, 32, 32))
    assert torch.isfinite(y).all()
    for unit in model.layer2:
        assert not unit.conv3.weight.any() and unit.conv2.weight.any()


def test_depth_must_fit_the_unit() -> None:
    assert (
        sum(1 for m in preact_resnet(20, bottleneck=False).modules() if isinstance(m, PreActBlock))
        == 9
    )
    assert (
        sum(1 for m in preact_resnet(29, bottleneck=True).modules() if isinstance(m, PreActBlock))
        == 9
    )
    for depth, bottleneck in ((21, False), (30, True), (2, False)):
        with pytest.raises(ValueError, match="n \\+ 2"):
            preact_resnet(depth, bottleneck)
