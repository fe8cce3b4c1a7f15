"""The computed difference of two networks: stages, deltas, what only one of them has."""

from __future__ import annotations

import json

import pytest

from explorer.app.variants import analyze_variant
from explorer.graph.diff import align, diff, octave
from explorer.graph.stages import stages, units
from explorer.present.summary import summary_dict
from tests._models import analysis


def _only(d: dict, side: str) -> dict[str, int]:
    return {f["kind"]: f["count"] for f in d[f"only_in_{side}"]}


def _check_sums(d: dict, a, b) -> None:
    """Deltas as summary --json counts them; stages (and what is outside them) add up."""
    sa, sb = summary_dict(a), summary_dict(b)
    assert d["params_delta"] == sb["params"] - sa["params"]
    assert d["macs_delta"] == sb["macs"] - sa["macs"]
    for side, s in (("a", sa), ("b", sb)):
        assert sum(row[side]["params"] for row in d["stages"]) == s["params"]
        assert sum(row[side]["macs"] for row in d["stages"]) == s["macs"]
    json.dumps(d, allow_nan=False)


@pytest.mark.slow
def test_plain34_resnet34_differ_by_skip_connections_and_projections():
    a, b = analysis("plain34"), analysis("resnet34")
    d = diff(a, b)
    _check_sums(d, a, b)
    assert _only(d, "a") == {}
    assert _only(d, "b") == {"skip connection": 16, "projection shortcut": 3}
    proj = next(f for f in d["only_in_b"] if f["kind"] == "projection shortcut")
    assert proj["ids"] == ["layer2.0.downsample", "layer3.0.downsample", "layer4.0.downsample"]
    assert [r["resolution"] for r in d["stages"]] == [112, 56, 28, 14, 7, 1]
    # the same layers in each stage: the blocks counted are the same
    assert [r["a"]["blocks"] for r in d["stages"]] == [r["b"]["blocks"] for r in d["stages"]]


@pytest.mark.slow
def test_resnet50_seresnet50_differ_by_16_se_gates():
    a, b = analysis("resnet50"), analysis("seresnet50")
    d = diff(a, b)
    _check_sums(d, a, b)
    assert _only(d, "a") == {}
    assert _only(d, "b") == {"SE gate": 16}
    gates = d["only_in_b"][0]["ids"]
    assert gates[0] == "layer1.0.se" and len(set(gates)) == 16
    # three gates at 56x56, four at 28, six at 14, three at 7 (the bottlenecks of each stage)
    per = {r["resolution"]: r["b"]["kinds"].get("se", 0) for r in d["stages"]}
    assert per == {112: 0, 56: 3, 28: 4, 14: 6, 7: 3, 1: 0}
    assert d["params_delta"] == 2_530_992


@pytest.mark.slow
def test_vgg16_against_vgg16_bn_is_13_batch_norms():
    a, b = analysis("vgg16"), analysis("vgg16_bn")
    d = diff(a, b)
    _check_sums(d, a, b)
    assert _only(d, "a") == {}
    assert _only(d, "b") == {"norm": 13}
    assert [r["resolution"] for r in d["stages"]] == [224, 112, 56, 28, 14, 7, 1]


def test_repvgg_trained_against_fused_is_its_extra_branches():
    a = analyze_variant("repvgg_a0")
    b = analyze_variant("repvgg_a0+fused")
    assert b.variant == "fused"
    d = diff(a, b, "repvgg_a0", "repvgg_a0+fused")
    _check_sums(d, a, b)
    assert d["b"] == "repvgg_a0+fused"
    only_a = _only(d, "a")
    # 22 blocks: each has a 1x1 branch; those keeping shape (17) an identity branch too; the
    # 3x3 branch's BN folds into the fused conv's bias
    assert only_a == {"1x1 branch": 22, "identity branch": 17, "norm": 22}
    assert _only(d, "b") == {}
    assert d["params_delta"] < 0 and d["macs_delta"] < 0


def test_the_same_network_has_no_difference():
    a = analysis("resnet20")
    d = diff(a, a)
    assert d["only_in_a"] == [] and d["only_in_b"] == []
    assert d["params_delta"] == 0 and d["macs_delta"] == 0
    assert [r["resolution"] for r in d["stages"]] == [32, 16, 8, 1]


def test_stages_follow_the_output_resolution():
    tree = analysis("resnet20").tree
    st = stages(tree)
    assert [s.label for s in st.stages] == ["32x32", "16x16", "8x8", "1x1"]
    # the block that downsamples opens the next stage, as in the ResNet paper's Table 1
    assert "layer2.0" in st.stages[1].units
    assert sum(s.params for s in st.stages) == tree.root.params
    # each unit in exactly one stage
    assert sorted(st.unit_stage) == sorted(units(tree))


def test_a_gate_inside_a_stage_does_not_open_a_stage_of_its_own():
    tree = analysis("se_resnet20").tree
    assert [s.label for s in stages(tree).stages] == ["32x32", "16x16", "8x8", "1x1"]


def test_octaves_align_networks_of_other_input_sizes():
    assert octave((112, 112), 224) == 1
    assert octave((149, 149), 299) == octave((147, 147), 299) == 1
    assert octave((8, 8), 299) == octave((7, 7), 224) == 5
    assert octave((32, 32), 32) == 0
    a, b = stages(analysis("resnet20").tree), stages(analysis("plain20").tree)
    rows = align([(a, 32), (b, 32)])
    assert rows == [[[0], [0]], [[1], [1]], [[2], [2]], [[3], [3]]]


@pytest.mark.slow
def test_the_whole_network_is_no_add_on():
    """A ViT concatenates its class token in the model's own forward: no inception module."""
    a = analyze_variant("tv:vit_b_16")
    d = diff(a, analysis("resnet20"))
    assert "inception module" not in {f["kind"] for f in d["only_in_a"]}
    assert all("" not in f["ids"] for f in d["only_in_a"])
