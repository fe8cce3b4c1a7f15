"""Effective fields compared: a network against itself with random weights, and against its
plain twin, over the same images (the workflow the window's Receptive field panel and
``rf --effective --compare`` share)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from cli_expect import assert_one_error, run
from torch import nn

from explorer.app.workflows import drive
from explorer.app.workflows.field import (
    RANDOM,
    CompareError,
    compare_effective,
    effective_field,
)
from explorer.app.workflows.lesion import EvalSettings
from explorer.graph.analysis import analyze
from explorer.models.registry import get
from explorer.runtime.pipeline import apply_weights, preprocess
from explorer.studies.field.effective import random_copy, spread


def _trained(name: str):
    """(analysis, weights info, preprocessing) of a built-in digits network, trained."""
    spec = get(name)
    an = analyze(spec)
    info = apply_weights(spec, an.model, "bundled")
    return an, info, preprocess(spec, info, None, None, None, None)


@pytest.fixture(scope="module")
def resnet20():
    return _trained("resnet20")


# -- random weights --------------------------------------------------------------------------


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())


def test_random_weights_are_drawn_from_the_seed_and_leave_the_global_state() -> None:
    trained = _net()
    with torch.no_grad():
        trained[0].weight.fill_(0.5)
        trained[1].running_mean.fill_(3.0)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, how = random_copy(trained, _net, seed=7)
    after = torch.rand(1)
    assert torch.equal(before, after)  # the caller's random stream goes on as it was
    b, _ = random_copy(trained, _net, seed=7)
    c, _ = random_copy(trained, _net, seed=8)
    assert "fresh build" in how and not a.training
    assert torch.equal(a[0].weight, b[0].weight) and not torch.equal(a[0].weight, c[0].weight)
    assert not torch.equal(a[0].weight, trained[0].weight)
    assert torch.equal(a[1].running_mean, torch.zeros(4))  # BatchNorm's statistics anew
    assert torch.equal(a[1].running_var, torch.ones(4))
    assert torch.equal(trained[0].weight, torch.full_like(trained[0].weight, 0.5))


def test_random_weights_of_a_network_the_builder_does_not_give() -> None:
    """A fused or edited model (its builder gives other tensors): its layers' own reset."""
    trained = _net()
    with torch.no_grad():
        trained[1].running_var.fill_(9.0)
    other = lambda: nn.Sequential(nn.Conv2d(1, 8, 3))  # noqa: E731
    a, how = random_copy(trained, other, seed=0)
    assert "reset_parameters" in how
    assert a[0].weight.shape == trained[0].weight.shape
    assert not torch.equal(a[0].weight, trained[0].weight)
    assert torch.equal(a[1].running_var, torch.ones(4)) and not a.training
    assert torch.equal(trained[1].running_var, torch.full((4,), 9.0))  # a copy was reset


# -- the comparison --------------------------------------------------------------------------


def test_trained_against_random_and_plain_over_the_same_images(resnet20) -> None:
    an, info, prep = resnet20
    settings = EvalSettings(None, 4, 2)
    res = drive(
        compare_effective(
            an,
            "layer1",
            None,
            [RANDOM, "plain20"],
            data=(prep, info.categories, settings),
            weights=info.label,
        )
    )
    nets = res["nets"]
    assert [(n["model"], n["weights"]) for n in nets] == [
        ("resnet20", info.label),
        ("resnet20", "random, seed 0"),
        ("plain20", "bundled (digits, 99.7 %)"),
    ]
    assert res["data"] == "digits (test)" and res["images"] == 4
    assert res["position"] == [15, 15] and "init" in nets[1] and "init" not in nets[0]
    for n in nets:
        m = n["map"]
        assert m.shape == (32, 32) and m.dtype == np.float32
        assert float(m.sum()) == pytest.approx(1.0, abs=1e-5)
        # the figures are those of the map shown
        again = spread(torch.from_numpy(m).double(), n["images"])
        assert n["std_px"] == pytest.approx(again["std_px"], abs=1e-3)
        assert n["mass95_px"] == pytest.approx(again["mass95_px"], abs=2)
        assert n["rf"] == 15 and n["box"] == n["inside"] == [8, 8, 22, 22]
        # the share of the theoretical field (15x15 px, all on the image) that holds 95 %
        assert n["mass95_share"] == pytest.approx(n["mass95_px"] / 15**2, abs=1e-4)
    assert not np.allclose(nets[0]["map"], nets[1]["map"], atol=1e-4)
    # the trained network's own figures are those --effective gives alone
    alone, _map = drive(
        effective_field(an, prep, info.categories, "cpu", "layer1", (15, 15), settings)
    )
    for k in ("std_px", "mass95_px", "mass95_share", "images"):
        assert nets[0][k] == alone[k]
    # the model shown keeps its weights
    assert torch.equal(an.model.conv1.weight, _trained("resnet20")[0].model.conv1.weight)


def test_the_current_image_alone(resnet20) -> None:
    an, _info, _prep = resnet20
    x = torch.randn(1, 1, 32, 32)
    res = drive(compare_effective(an, "layer2", (3, 4), [RANDOM], images=x, seed=3))
    assert res["data"] == "this image" and res["images"] == 1
    assert res["nets"][1]["weights"] == "random, seed 3" and res["position"] == [3, 4]
    again = drive(compare_effective(an, "layer2", (3, 4), [RANDOM], images=x, seed=3))
    assert np.array_equal(res["nets"][1]["map"], again["nets"][1]["map"])  # seeded


def test_networks_that_cannot_stand_beside_it(resnet20) -> None:
    an, _info, _prep = resnet20
    x = torch.randn(1, 1, 32, 32)

    def compare(*what: str) -> None:
        drive(compare_effective(an, "layer1", None, list(what), images=x))

    with pytest.raises(CompareError, match="other images"):
        compare("vgg16")
    with pytest.raises(CompareError, match="no block 'layer1'"):
        compare("lenet5")
    with pytest.raises(CompareError, match="nothing to compare"):
        compare()


@pytest.mark.slow
def test_resnet56s_effective_field_is_narrower_than_plain56s() -> None:
    """The figures the README gives: over 16 digits, the trained residual network's field at
    the end of its first stage spreads about half as far as its plain twin's, and less than
    with random weights (Luo et al. 2016 see training and skip connections shrink it)."""
    an, info, prep = _trained("resnet56")
    res = drive(
        compare_effective(
            an,
            "layer1",
            None,
            [RANDOM, "plain56"],
            data=(prep, info.categories, EvalSettings(None, 16, 8)),
        )
    )
    trained, random, plain = (n["std_px"] for n in res["nets"])
    assert max(trained) < 0.7 * min(plain) and max(trained) < 0.7 * min(random)


# -- rf --effective --compare ----------------------------------------------------------------


def test_rf_compare_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("rf", "resnet20", "--block", "layer1", "--effective", "--limit", "4")
    code, out, err = run(capsys, *args, "--compare", "random", "--json")
    assert code == 0, err
    d = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in strict JSON"))
    (c,) = d["compared"]
    assert c["model"] == "resnet20" and c["weights"] == "random, seed 0"
    assert "fresh build" in c["init"] and "map" not in c
    assert c["std_px"] != d["effective"]["std_px"] and c["images"] == 4
    code, out, err = run(capsys, *args, "--json")
    assert code == 0 and json.loads(out)["compared"] is None
    assert json.loads(out)["effective"]["std_px"] == d["effective"]["std_px"]
    code, out, err = run(capsys, *args, "--compare", "plain20", "--seed", "1")
    assert code == 0, err
    assert "plain20 (bundled (digits, 99.7 %)): std" in out
    assert_one_error(run(capsys, *args[:4], "--compare", "random"), "goes with --effective", "rf")
    assert_one_error(run(capsys, *args, "--compare", "vgg16"), "other images", "rf")
    assert_one_error(run(capsys, *args, "--compare", "nosuch"), "unknown model", "rf")
