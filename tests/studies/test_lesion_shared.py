"""Lesions on real external material: a user's model file with the pretrained CIFAR-10
ResNet-56 of ../shared/data, through the command line (skips when ../shared is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from explorer.__main__ import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cifar_resnet.py"
PUBLISHED = 93.39  # resnet56, akamaster's checkpoint, on the 10,000 CIFAR-10 test images


def _lesion(capsys, shared: Path, *extra: str) -> dict:
    code = main(
        [
            "lesion",
            f"{EXAMPLE}:resnet56",
            "--weights",
            str(shared / "checkpoints" / "resnet56-4bfd9763.th"),
            "--data",
            str(shared / "cifar10_test_first1000_lossless.npz"),
            "--input-size",
            "32",
            "--normalize",
            "imagenet",
            "--device",
            "cpu",
            "--batch-size",
            "250",
            "--json",
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_published_accuracy_and_one_deletion(capsys, shared_data):
    res = _lesion(capsys, shared_data, "--delete", "layer2.0,layer3.4")
    assert res["data"]["n"] == 1000
    # 1,000 images: a sampling s.d. of ~0.8 points around the published 93.39 %
    assert abs(res["intact"]["top1"] - PUBLISHED) < 2.5
    (run,) = res["runs"]
    assert run["deleted"] == ["layer2.0", "layer3.4"]
    assert run["top1"] < res["intact"]["top1"] and 0 < run["agreement"] < 100


@pytest.mark.slow
def test_single_deletions_show_veits_pattern(capsys, shared_data):
    """Deleting one block of a ResNet costs little; the downsampling blocks cost the most."""
    res = _lesion(capsys, shared_data, "--sweep", "single", "--limit", "300")
    intact = res["intact"]["top1"]
    runs = res["runs"]
    assert [r["deleted"][0] for r in runs] == [f"layer{s}.{i}" for s in (1, 2, 3) for i in range(9)]
    drops = np.array([intact - r["top1"] for r in runs])
    assert np.median(drops) < 3.0
    assert (drops < 5.0).sum() >= 21  # most of the 27 blocks
    worst = {runs[i]["deleted"][0] for i in np.argsort(-drops)[:3]}
    assert "layer2.0" in worst  # a block that halves the resolution and doubles the width
    assert min(r["agreement"] for r in runs) > 60.0  # far from chance (10 %)
