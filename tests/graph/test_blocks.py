"""Block kinds are read from structure: the lecture's families, counted."""

from __future__ import annotations

import pytest
import torch
from _models import analysis
from torch import nn

from explorer.graph.blocks import build_blocks
from explorer.graph.trace import build_graph


def kinds(name: str, kind: str) -> list:
    return [b for b in analysis(name).tree.blocks.values() if b.kind == kind]


def edge_kinds(name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, _, d in analysis(name).graph.g.edges(data=True):
        out[d["kind"]] = out.get(d["kind"], 0) + 1
    return out


def test_resnet50_residual_blocks_and_skips() -> None:
    res = kinds("resnet50", "residual")
    assert len(res) == 16
    proj = sorted(b.id for b in res if b.motif.shortcut == "projection")
    assert proj == ["layer1.0", "layer2.0", "layer3.0", "layer4.0"]
    assert edge_kinds("resnet50").get("skip") == 16
    # the projection shortcut is the downsample path, the main branch has the three convs
    b = analysis("resnet50").tree.blocks["layer2.0"]
    main, short = b.motif.branches
    assert short == ["layer2.0.downsample.0", "layer2.0.downsample.1"]
    assert {"layer2.0.conv1", "layer2.0.conv2", "layer2.0.conv3"} <= set(main)
    assert b.in_shapes == [[1, 256, 56, 56]] and b.out_shape == [1, 512, 28, 28]


def test_plain34_has_no_residual_blocks() -> None:
    assert kinds("plain34", "residual") == []
    assert "skip" not in edge_kinds("plain34")


def test_googlenet_nine_inception_blocks_of_four_branches() -> None:
    inc = kinds("googlenet", "inception")
    assert len(inc) == 9
    assert all(b.branches == 4 for b in inc)
    assert edge_kinds("googlenet")["branch"] == 36


def test_inception_v3_eleven_inception_blocks() -> None:
    inc = kinds("inception_v3", "inception")
    assert sorted(b.id for b in inc) == sorted(
        [
            "Mixed_5b",
            "Mixed_5c",
            "Mixed_5d",
            "Mixed_6a",
            "Mixed_6b",
            "Mixed_6c",
            "Mixed_6d",
            "Mixed_6e",
            "Mixed_7a",
            "Mixed_7b",
            "Mixed_7c",
        ]
    )
    # the auxiliary head is counted in the parameters but does not run at inference
    tree = analysis("inception_v3").tree
    assert tree.blocks["AuxLogits"].executed is False
    assert tree.blocks["AuxLogits"].params == 3_326_696
    assert tree.root.params == 27_161_264


def test_seresnet50_se_gates_and_residuals() -> None:
    assert len(kinds("seresnet50", "se")) == 16
    assert len(kinds("seresnet50", "residual")) == 16
    ek = edge_kinds("seresnet50")
    assert ek["gate"] == 16 and ek["skip"] == 16
    se = analysis("seresnet50").tree.blocks["layer1.0.se"]
    assert se.branches == 2 and se.motif.gate  # the side path that makes the gate


def test_repvgg_a0_twenty_two_repvgg_blocks() -> None:
    rep = kinds("repvgg_a0", "repvgg")
    assert len(rep) == 22
    # blocks that keep their shape have the identity-BN branch as a third branch
    assert {b.branches for b in rep} == {2, 3}
    assert sum(1 for b in rep if b.branches == 3) == 22 - 5  # first block of stem + 4 stages


@pytest.mark.slow
def test_inception_v4_inception_blocks() -> None:
    inc = kinds("inception_v4", "inception")
    # stem mixes 3a/4a/5a, 4 x A, reduction A, 7 x B, reduction B, 3 x C
    assert len(inc) == 19
    assert kinds("inception_v4", "residual") == []


@pytest.mark.slow
def test_inception_resnet_v2_inception_and_residual_blocks() -> None:
    tree = analysis("inception_resnet_v2").tree
    res = kinds("inception_resnet_v2", "residual")
    assert len(res) == 40  # 10 x Block35, 20 x Block17, 9 x Block8 + the final Block8
    # each residual block's branch is itself an inception module
    assert all("inception" in b.traits for b in res)
    assert all(b.motif.shortcut == "identity" for b in res)
    assert sorted(b.id for b in kinds("inception_resnet_v2", "inception")) == [
        "mixed_5b",
        "mixed_6a",
        "mixed_7a",
    ]
    assert tree.count("inception", trait=True) == 43


@pytest.mark.slow
def test_xception_separable_convs() -> None:
    sep = kinds("xception", "separable")
    assert len(sep) == 34  # 2 + 2 + 2 (entry) + 8 x 3 (middle) + 2 + 2 (exit)
    assert all(b.type == "SeparableConv2d" for b in sep)
    res = kinds("xception", "residual")
    assert len(res) == 12
    assert sum(1 for b in res if b.motif.shortcut == "projection") == 4


def test_highway_gates() -> None:
    hw = kinds("highway", "highway")
    assert len(hw) == 9
    ek = edge_kinds("highway")
    assert ek["gate"] == 18 and ek["skip"] == 9  # T and 1-T into the products; the carry


def test_block_counts_add_up() -> None:
    tree = analysis("resnet50").tree
    for b in tree.blocks.values():
        if b.children and b.executed:
            kids = [tree.blocks[c] for c in b.children]
            assert b.macs == sum(k.macs for k in kids)
            assert b.params == sum(k.params for k in kids)


class _DataDependent(nn.Module):
    """fx cannot trace a branch on a tensor's value: the graph comes from hooks instead."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.a = nn.Conv2d(8, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        if x.sum() > float("-inf"):
            x = x + self.a(x)
        else:
            x = self.b(x)
        return self.fc(x.mean((2, 3)))


def test_untraceable_model_gets_a_graph_from_hooks() -> None:
    mg = build_graph(_DataDependent(), (1, 3, 16, 16))
    assert mg.method == "hooks" and mg.trace_error
    tree = build_blocks(mg)
    g = mg.g
    assert {"conv", "a", "fc"} <= set(g.nodes) and "b" not in g.nodes
    assert g.nodes["a"]["out_shape"] == [1, 8, 16, 16]
    assert g.nodes["a"]["macs"] == 8 * 16 * 16 * 8 * 9
    # the residual structure is recovered from the recorded additions
    assert tree.root.kind in ("residual", "sequential")
    assert any(d["name"] == "add" for _, d in g.nodes(data=True))
    assert g.has_edge("conv", "a")


def test_shortcut_kinds_of_a_users_cifar_resnet():
    """nn.Identity is an identity shortcut; option A (subsample + zero-pad) has no weights."""
    from pathlib import Path

    from explorer.graph.analysis import analyze
    from explorer.models import registry

    example = Path(__file__).resolve().parents[2] / "examples" / "cifar_resnet.py"
    an = analyze(registry.get(f"{example}:resnet20"), input_size=32)
    kinds = {b.id: b.motif.shortcut for b in an.tree.blocks.values() if b.kind == "residual"}
    assert kinds["layer1.0"] == "identity"
    assert kinds["layer2.0"] == kinds["layer3.0"] == "parameter-free"
    assert sum(k == "identity" for k in kinds.values()) == 7
