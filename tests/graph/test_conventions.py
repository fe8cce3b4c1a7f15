"""Operations by category and each published counter's total, checked by hand and by torch."""

from __future__ import annotations

import json

import pytest
import torch
from _models import analysis
from torch import nn

from explorer.graph.blocks import build_blocks
from explorer.graph.conventions import (
    CATEGORIES,
    COUNTER_KEYS,
    composition_text,
    count_block,
    count_network,
    counts_dict,
    cumulative_rows,
    pool_ops,
)
from explorer.graph.trace import build_graph


class Toy(nn.Module):
    """conv (bias) + bn + relu + maxpool, a 1x1 conv added to its input, global pool, fc."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=True)
        self.bn = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.proj = nn.Conv2d(4, 4, 1, bias=False)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.relu(self.bn(self.conv(x))))
        x = x + self.proj(x)
        return self.fc(torch.flatten(self.gap(x), 1))


def _toy_tree():  # noqa: ANN202
    return build_blocks(build_graph(Toy(), (1, 3, 8, 8)))


def test_the_toy_counted_by_hand() -> None:
    tree = _toy_tree()
    c = count_network(tree.graph)
    # conv 4x8x8 out x 3x3x3 ; 1x1 conv 4x4x4 out x 4 ; fc 4 x 2
    weights = 256 * 27 + 64 * 4 + 8
    assert c.categories == {
        "weights": weights,
        "biases": 256 + 2,  # conv: one per output element; fc: one per output
        "norms": 256,  # one multiply-add per element
        "activations": 256,
        "pooling": 64 * 4 + 64,  # 2x2 window per max-pool output; the global pool reads 64
        "merges": 64,  # x + proj(x)
    }
    assert weights == tree.graph.total_macs
    assert c.counter_total("paper") == weights
    assert c.counter_total("torchvision") == weights
    assert c.counter_total("2x") == 2 * weights
    # fvcore: weights, batch norm 2 per element (affine), adaptive_avg_pool2d 1 per input
    assert c.counters["fvcore"] == {**dict.fromkeys(CATEGORIES, 0), "weights": weights,
                                    "norms": 512, "pooling": 64}  # fmt: skip
    # ptflops: + biases, bn 2 per element, relu per element, each pool per input element
    assert c.counters["ptflops"] == {
        "weights": weights,
        "biases": 258,
        "norms": 512,
        "activations": 256,
        "pooling": 256 + 64,
        "merges": 0,
    }
    assert composition_text(c, "fvcore") == (
        "weights 7.18 K + 2 x norms 256 + pooling 64 (its own rule)"
    )


def test_a_block_counts_its_own_nodes_and_children_sum_to_the_whole() -> None:
    tree = _toy_tree()
    assert count_block(tree, "conv").categories["biases"] == 256
    assert count_block(tree, "pool").categories["pooling"] == 256
    for name in ("resnet50", "densenet121", "mobilenet_v2"):
        tree = analysis(name).tree
        whole = count_network(tree.graph)
        root = count_block(tree, "")
        assert root.categories == whole.categories
        parts = [count_block(tree, ch) for ch in tree.root.children]
        for k in CATEGORIES:
            assert sum(p.categories[k] for p in parts) == whole.categories[k], (name, k)
            for key in COUNTER_KEYS:
                assert sum(p.counters[key][k] for p in parts) == whole.counters[key][k]
        assert whole.categories["weights"] == tree.graph.total_macs


def test_resnet50_the_published_figures_from_the_categories() -> None:
    an = analysis("resnet50")
    c = count_network(an.graph)
    assert c.categories["weights"] == an.graph.total_macs == 4_089_184_256
    assert round(c.counter_total("torchvision") / 1e9, 3) == 4.089  # weights meta '_ops'
    assert round(c.counter_total("ptflops") / 1e9, 2) == 4.12  # ptflops README benchmark
    assert round(c.counter_total("2x") / 1e9, 1) == 8.2
    # current fvcore counts batch norms and the global pool beyond the weights' 4.09
    assert c.counter_total("fvcore") == (
        c.categories["weights"] + 2 * c.categories["norms"] + 2048 * 7 * 7
    )
    assert c.categories["merges"] == sum(
        d["out_shape"][1] * d["out_shape"][2] * d["out_shape"][3]
        for _, d in an.graph.g.nodes(data=True)
        if d.get("name") == "add"
    )


def test_the_paper_figures_are_the_weights_of_the_paper_layout() -> None:
    """He et al. 2015 put a bottleneck's stride in its first 1x1 conv (torchvision: in the
    3x3, 'ResNet V1.5'); with the stride moved back the weights give Table 1's figures."""
    import torchvision

    for name, paper in (("resnet50", 3.8e9), ("resnet101", 7.6e9)):
        model = getattr(torchvision.models, name)().eval()
        for m in model.modules():
            if isinstance(m, torchvision.models.resnet.Bottleneck) and m.conv2.stride == (2, 2):
                m.conv1.stride, m.conv2.stride = (2, 2), (1, 1)
        weights = count_network(build_graph(model, (1, 3, 224, 224))).categories["weights"]
        assert abs(weights - paper) / paper < 0.02, (name, weights)


@pytest.mark.parametrize("make", [Toy, lambda: __import__("torchvision").models.resnet18()])
def test_two_x_macs_is_what_torch_flop_counter_measures(make) -> None:
    from torch.utils.flop_counter import FlopCounterMode

    model = make().eval()
    shape = (1, 3, 8, 8) if isinstance(model, Toy) else (1, 3, 64, 64)
    with torch.inference_mode():
        counter = FlopCounterMode(display=False)
        with counter:
            model(torch.zeros(shape))
    ours = count_network(build_graph(model, shape)).counter_total("2x")
    assert ours == counter.get_total_flops()


def test_adaptive_windows_are_exact() -> None:
    d = {
        "op": "module",
        "target": "AdaptiveAvgPool2d",
        "in_shapes": [[1, 2, 5, 5]],
        "out_shape": [1, 2, 3, 3],
        "hparams": {"output_size": [3, 3]},
    }
    # windows [0,2) [1,4) [3,5): 2 + 3 + 2 = 7 per axis
    assert pool_ops(d) == 2 * 7 * 7
    d["out_shape"] = [1, 2, 1, 1]
    assert pool_ops(d) == 2 * 25  # global: every input element once


def test_counts_json_is_strict_and_rows_add_up() -> None:
    an = analysis("resnet50")
    c = count_network(an.graph)
    d = counts_dict(c, an.spec, an.input_shape)
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text) == d
    assert [x["key"] for x in d["categories"]] == list(CATEGORIES)
    assert d["macs_all"] == sum(x["count"] for x in d["categories"])
    by = {x["key"]: x for x in d["counters"]}
    assert set(by) == set(COUNTER_KEYS)
    assert by["ptflops"]["published"]["value"] == 4.12e9
    assert by["paper"]["published"]["value"] == 3.8e9
    for x in d["counters"]:
        assert x["total"] == sum(x["by_category"].values())
        assert x["convention"] and x["source"]
    rows = dict(cumulative_rows(c))
    assert rows["+ additions"].endswith("= 4.12 G")
    assert rows["FLOPs = 2 x MACs"] == "8.18 G (weights)"


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "alexnet", "densenet121"])
def test_ptflops_rules_give_its_readme_figures(name: str) -> None:
    """ptflops's README lists MACs(G) of torchvision models at 224 px, to two decimals."""
    from explorer.graph.conventions import published_figures

    an = analysis(name)
    published, _where = published_figures(an.spec)["ptflops"]
    assert round(count_network(an.graph).counter_total("ptflops") / 1e9, 2) == published / 1e9


def test_fvcore_counts_a_functional_norm_by_its_aten_op() -> None:
    class Ln(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(torch.ones(4))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return nn.functional.layer_norm(x, (4,), self.w)

    c = count_network(build_graph(Ln(), (1, 3, 4)))
    assert c.categories["norms"] == 12
    assert c.counters["fvcore"]["norms"] == 12 * 5  # aten::layer_norm with a weight
    assert c.counters["ptflops"]["norms"] == 0  # no module: ptflops's hooks see nothing
