"""``summary --conventions`` and the ``counts`` object of ``summary --json``."""

from __future__ import annotations

import json

from cli_expect import run


def test_summary_conventions_names_each_counter_and_its_source(capsys) -> None:
    code, out, err = run(capsys, "summary", "resnet50", "--conventions")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "resnet50: operations per image by category, input 3x224x224"
    table = {line.split("  ")[0].strip(): line for line in lines if "  " in line}
    assert "4,089,184,256" in table["MACs (weights)"]
    for label in ("biases", "norms", "activations", "pooling", "additions", "all categories"):
        assert label in table
    assert "8,178,368,512" in table["FLOPs = 2 x MACs"]
    # each counter: its total, the categories it sums, what it counts and where that was read
    assert "papers' FLOPs (as ResNet's): 4.09 G FLOPs" in out
    assert "4.09 G 'FLOPS' (torchvision's word for MACs)" in out
    assert "published: 3.80 G (He et al. 2015, Table 1" in out
    assert "fvcore FlopCountAnalysis: 4.11 G flops" in out
    assert "= weights 4.09 G + 2 x norms 11.11 M + pooling 100.35 K (its own rule)" in out
    assert "ptflops (pytorch backend): 4.12 G MACs" in out
    assert "published: 4.12 G (ptflops README" in out
    assert "FLOPs = 2 x MACs: 8.18 G FLOPs" in out
    assert out.count("  source: ") == 5 and out.count("  counts: ") == 5


def test_summary_json_has_strict_counts(capsys) -> None:
    code, out, _ = run(capsys, "summary", "resnet18", "--json", "--depth", "0")
    assert code == 0
    d = json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    counts = d["counts"]
    assert counts["macs_weights"] == d["macs"]
    assert counts["flops_2x_macs"] == 2 * d["macs"]
    cats = {c["key"]: c["count"] for c in counts["categories"]}
    assert counts["macs_all"] == sum(cats.values())
    by = {c["key"]: c for c in counts["counters"]}
    assert by["torchvision"]["published"]["value"] == 1.814e9
    assert by["ptflops"]["total"] == sum(by["ptflops"]["by_category"].values())


def test_other_input_sizes_show_no_published_figure(capsys) -> None:
    code, out, _ = run(capsys, "summary", "resnet18", "--conventions", "--input-size", "112")
    assert code == 0
    assert "input 3x112x112" in out and "published:" not in out
