"""On the built-in default (trained on digits, nothing downloaded): a ResNet survives the
deletion of any one block, a VGG does not (Veit et al. 2016)."""

from __future__ import annotations

import json

import numpy as np

from explorer.__main__ import main


def _sweep(capsys, model: str) -> dict:
    code = main(["lesion", model, "--sweep", "single", "--device", "cpu", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_resnet56_keeps_its_accuracy_under_any_single_deletion(capsys):
    res = _sweep(capsys, "resnet56")
    assert res["weights"].startswith("bundled") and res["data"]["n"] == 360
    intact = res["intact"]["top1"]
    assert intact > 99.0
    top1 = np.array([r["top1"] for r in res["runs"]])
    assert len(top1) == 27
    # far above chance (10 %) whichever block goes; all but a few (the first block of the
    # network and of a stage, as in Veit et al.'s Fig. 3) within a few points of intact
    assert top1.min() > 50.0 and np.median(top1) > intact - 2.0
    assert (top1 > 90.0).sum() >= 24


def test_vgg_small_falls_apart_when_one_layer_goes(capsys):
    res = _sweep(capsys, "vgg_small")
    assert res["intact"]["top1"] > 98.0
    top1 = np.array([r["top1"] for r in res["runs"]])
    assert len(top1) >= 4
    assert np.median(top1) < 50.0  # near chance (10 %) for a 10-class problem


def test_random_and_reorder_sweeps_through_the_cli(capsys):
    code = main(["lesion", "resnet20", "--sweep", "random", "--k-max", "2", "--trials", "2",
                 "--limit", "100", "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    runs = json.loads(out)["runs"]
    assert [len(r["deleted"]) for r in runs] == [1, 1, 2, 2]
    code = main(["lesion", "resnet20", "--sweep", "reorder", "--trials", "3", "--limit", "100",
                 "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    runs = json.loads(out)["runs"]
    assert len(runs) == 3 and all(-1 <= r["kendall_tau"] <= 1 for r in runs)


def test_bad_lesion_requests_are_one_line(capsys):
    for args, expect in (
        (["--delete", "conv1"], "differs from its input"),
        (["--delete", "layer9.9"], "no block 'layer9.9'"),
        (["--data", "/no/such/folder"], "no such file or folder"),
        (["--sweep", "single", "--delete", "layer1.0"], "go separately"),
    ):
        code = main(["lesion", "resnet20", *args, "--json"])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and expect in err and len(err.strip().splitlines()) == 1
