"""Operation graph details: ids, shapes, MACs, parameters."""

from __future__ import annotations

import torch
from _models import analysis
from torch import nn

from explorer.graph.trace import build_graph


def test_node_ids_and_shapes_resnet18() -> None:
    g = analysis("resnet18").graph.g
    assert g.nodes["conv1"]["out_shape"] == [1, 64, 112, 112]
    assert g.nodes["conv1"]["macs"] == 64 * 112 * 112 * 3 * 7 * 7
    assert g.nodes["conv1"]["hparams"]["kernel_size"] == [7, 7]
    assert g.nodes["conv1"]["hparams"]["stride"] == [2, 2]
    # a ReLU module called twice: the second call is a node of its own
    assert "layer1.0.relu" in g and "layer1.0.relu@1" in g
    assert g.nodes["layer1.0.relu@1"]["params"] == 0
    # function calls are named by the module whose forward made them
    assert g.nodes["layer1.0:add"]["name"] in ("add", "iadd")
    assert g.nodes[":flatten"]["out_shape"] == [1, 512]
    assert g.nodes["fc"]["macs"] == 512 * 1000
    assert g.has_edge("@input", "conv1") and g.has_edge("fc", "@output")


def test_shared_weights_counted_once() -> None:
    class Shared(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.other = self.conv  # the same module under two names

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.other(self.conv(x))

    mg = build_graph(Shared(), (1, 4, 8, 8))
    assert mg.total_params == 4 * 4 * 9 + 4
    assert mg.total_macs == 2 * 4 * 8 * 8 * 4 * 9  # two uses, two sets of MACs


def test_in_place_mutation_is_rewired() -> None:
    class Gain(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Conv2d(2, 2, 1)
            self.b = nn.Conv2d(2, 2, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.a(x)
            y.mul_(2.0)  # result unused: later uses of y see the product
            return self.b(y)

    g = build_graph(Gain(), (1, 2, 4, 4)).g
    assert g.has_edge("a", ":mul_") and g.has_edge(":mul_", "b")
    assert not g.has_edge("a", "b")


def test_model_mode_restored() -> None:
    m = nn.Sequential(nn.Conv2d(1, 1, 1), nn.Dropout())
    m.train()
    build_graph(m, (1, 1, 4, 4))
    assert m.training


def test_meta_shapes_do_not_touch_weights() -> None:
    m = nn.Sequential(nn.Conv2d(3, 3, 3), nn.BatchNorm2d(3))
    before = [p.clone() for p in m.state_dict().values()]
    build_graph(m, (1, 3, 8, 8))
    after = list(m.state_dict().values())
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))
    assert all(t.device.type == "cpu" for t in after)


def test_receptive_fields_match_published_values() -> None:
    r50 = analysis("resnet50").tree.blocks
    assert (r50["conv1"].rf, r50["conv1"].rf_stride) == (7, 2)
    assert (r50["layer4"].rf, r50["layer4"].rf_stride) == (427, 32)
    alex = analysis("alexnet2012").tree.blocks
    assert (alex["conv1"].rf, alex["conv5"].rf, alex["pool5"].rf) == (11, 163, 195)
    vgg = analysis("vgg16").tree.blocks
    assert (vgg["features.29"].rf, vgg["features.30"].rf) == (196, 212)  # conv5_3, pool5


def test_input_too_small_or_mismatched_is_an_error() -> None:
    import pytest

    from explorer.graph.analysis import analyze
    from explorer.graph.fit import InputSizeRefused, InputTooSmall
    from explorer.models.registry import get

    with pytest.raises(InputSizeRefused, match="lenet5 cannot take a 16x16 input; its layers"):
        analyze(get("lenet5"), input_size=16)  # c5 would have a negative size
    with pytest.raises(InputTooSmall, match="inception_small needs at least 8x8 input; got 4x4"):
        analyze(get("inception_small"), input_size=4)
    with pytest.raises(InputSizeRefused, match="its layers are sized for 32x32"):
        analyze(get("lenet5"), input_size=64)  # f6 would see 9720 features, not 120
    mg = build_graph(nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU()), (1, 3, 16, 16))
    assert mg.g.nodes["0"]["out_shape"] == [1, 6, 12, 12]


def test_receptive_field_ignores_weights_computed_in_forward() -> None:
    from timm.layers import StdConv2d

    m = nn.Sequential(StdConv2d(3, 8, 3, padding=1), StdConv2d(8, 8, 3, padding=1))
    from explorer.graph.blocks import build_blocks

    tree = build_blocks(build_graph(m, (1, 3, 16, 16)))
    assert (tree.blocks["0"].rf, tree.blocks["1"].rf) == (3, 5)
