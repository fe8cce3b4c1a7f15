"""``diff A B``: the table, strict JSON equal to the core's, and one-line errors."""

from __future__ import annotations

import json

import pytest
from cli_expect import assert_one_error, run

from explorer.graph.diff import diff
from tests._models import analysis


def test_diff_json_is_the_core_diff(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", "plain20", "resnet20", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d == json.loads(json.dumps(diff(analysis("plain20"), analysis("resnet20"))))
    assert {"a", "b", "params_delta", "macs_delta", "stages", "only_in_a", "only_in_b"} <= set(d)
    assert d["a"] == "plain20" and d["b"] == "resnet20"
    row = d["stages"][0]
    assert set(row["a"]) >= {"blocks", "params", "macs", "kinds"} and row["resolution"] == 32
    # CIFAR option A: a parameter-free shortcut, so skip connections and no projections
    assert [(f["kind"], f["count"]) for f in d["only_in_b"]] == [("skip connection", 9)]


def test_diff_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", "resnet20", "se_resnet20")
    assert code == 0, err
    assert "32x32" in out and "16x16" in out and "8x8" in out
    assert "Only in se_resnet20:" in out and "9 x SE gate" in out
    assert "Only in resnet20: nothing (se_resnet20 has every block and edge resnet20 has)" in out


def test_diff_fused_variant_and_input_size(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", "repvgg_small", "repvgg_small+fused", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["b"] == "repvgg_small+fused" and d["params_delta"] < 0
    code, out, err = run(capsys, "diff", "resnet20", "plain20", "--input-size", "64", "--json")
    assert code == 0, err
    assert [r["resolution"] for r in json.loads(out)["stages"]] == [64, 32, 16, 1]


@pytest.mark.parametrize(
    "argv, expect",
    [
        (("diff", "nope", "resnet20"), "unknown model 'nope'"),
        (("diff", "resnet20", "resnet20+fused"), "has no RepVGG block to fuse"),
        (("diff", "resnet20", "resnet20"), "the same network"),
    ],
)
def test_diff_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv, expect) -> None:
    assert_one_error(run(capsys, *argv), expect, "diff")


def test_summary_takes_the_fused_variant(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summary", "repvgg_small+fused", "--json")
    assert code == 0, err
    fused = json.loads(out)
    code, out, err = run(capsys, "summary", "repvgg_small", "--json")
    assert fused["params"] < json.loads(out)["params"]


def test_diff_says_the_inputs_and_small_counts_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", "lenet5", "resnet20")
    assert code == 0, err
    assert "input 1x32x32 for both" in out
    assert "61,706" in out  # lenet5's parameters, not 0.06M nor 0.00M
    code, out, err = run(capsys, "diff", "resnet20", "resnet20", "--input-size", "64")
    assert code == 2
