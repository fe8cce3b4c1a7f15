"""Published ImageNet figures (the Compare chart's data) against their sources.

torchvision's figures are compared with ``get_model_weights(tv_name).DEFAULT.meta`` read here
directly, for every registered torchvision model; timm's with :data:`TIMM_RESULTS` and timm's
own pretrained configs. No model is built: these tests only read metadata.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from torchvision.models import get_model_weights

from explorer.models.published import (
    TIMM_RESULTS,
    Figures,
    Missing,
    chart_data,
    figures_for,
    timm_figures,
    torchvision_figures,
)
from explorer.models.registry import UnknownModelError, get, list_models
from explorer.present.chart import chart_points

TV_SPECS = [s.name for s in list_models() if s.tv_name is not None]
TIMM_SPECS = [s.name for s in list_models() if s.timm_name in TIMM_RESULTS]


def tv_default(tv_name: str) -> Any:
    return get_model_weights(tv_name).DEFAULT


@pytest.fixture(scope="module")
def zoo() -> tuple[list[Figures], list[Missing]]:
    return chart_data()


def by_name(items: list[Any]) -> dict[str, Any]:
    return {i.name: i for i in items}


def test_the_zoo_has_torchvision_and_timm_models() -> None:
    # the parametrised tests below would pass vacuously on an empty list
    assert len(TV_SPECS) >= 20 and "resnet18" in TV_SPECS and "inception_v3" in TV_SPECS
    assert len(TIMM_SPECS) >= 10 and "repvgg_b0" in TIMM_SPECS


@pytest.mark.parametrize("name", TV_SPECS)
def test_torchvision_figures_equal_the_weights_metadata(
    name: str, zoo: tuple[list[Figures], list[Missing]]
) -> None:
    """The issue's test: the chart's data equal torchvision's metadata for every model."""
    spec = get(name)
    weights = tv_default(spec.tv_name)
    meta = weights.meta
    metrics = meta["_metrics"]["ImageNet-1K"]
    found = by_name(zoo[0])
    assert name in found, f"{name} is missing: {by_name(zoo[1]).get(name)}"
    f = found[name]
    assert f.top1 == metrics["acc@1"]
    assert f.top5 == metrics["acc@5"]
    assert f.params == meta["num_params"]
    assert f.gmacs == meta["_ops"]
    assert f.resolution == weights.transforms().crop_size[0]
    assert (f.family, f.year) == (spec.family, spec.year)
    assert weights.name in f.source and "torchvision" in f.source
    assert torchvision_figures(spec) == f

    points, left_off = chart_points([f], "gmacs", "top1")
    assert left_off == []
    assert [(p.name, p.x, p.y) for p in points] == [(name, meta["_ops"], metrics["acc@1"])]


def test_chart_points_of_the_whole_zoo_match_torchvision(
    zoo: tuple[list[Figures], list[Missing]],
) -> None:
    """The same, on the chart of the whole zoo (one point per model, nothing left off)."""
    points, left_off = chart_points(zoo[0], "gmacs", "top1")
    assert left_off == []
    assert sorted(p.name for p in points) == sorted(f.name for f in zoo[0])
    pts = {p.name: p for p in points}
    for name in TV_SPECS:
        weights = tv_default(get(name).tv_name)
        assert pts[name].x == weights.meta["_ops"]
        assert pts[name].y == weights.meta["_metrics"]["ImageNet-1K"]["acc@1"]
        assert pts[name].params == weights.meta["num_params"]


def test_inception_v3_says_its_count_includes_the_aux_head() -> None:
    f = figures_for(get("inception_v3"))
    assert isinstance(f, Figures)
    assert f.params == 27_161_264 and f.resolution == 299
    assert "auxiliary" in f.note and "23,834,568" in f.note


def test_tv_names_work() -> None:
    found, missing = chart_data(["tv:resnet18"])
    assert missing == []
    (f,) = found
    meta = tv_default("resnet18").meta
    assert f.name == "tv:resnet18"
    assert f.top1 == meta["_metrics"]["ImageNet-1K"]["acc@1"] == 69.758
    assert f.params == meta["num_params"] and f.gmacs == meta["_ops"]


def test_names_keep_their_order() -> None:
    found, missing = chart_data(["resnet50", "resnet20", "alexnet", "repvgg_a0"])
    assert [f.name for f in found] == ["resnet50", "alexnet"]
    assert [m.name for m in missing] == ["resnet20", "repvgg_a0"]


@pytest.mark.parametrize("name", TIMM_SPECS)
def test_timm_rows_are_used_for_timm_models(
    name: str, zoo: tuple[list[Figures], list[Missing]]
) -> None:
    spec = get(name)
    row = TIMM_RESULTS[spec.timm_name]
    f = by_name(zoo[0])[name]
    assert (f.top1, f.top5, f.gmacs, f.resolution) == (row.top1, row.top5, row.gmacs, row.img_size)
    assert f.params == spec.reference_params() == spec.ref_params
    assert row.tag in f.source and "timm" in f.source
    assert timm_figures(spec) == f


def test_repvgg_b0_from_timms_table() -> None:
    f = figures_for(get("repvgg_b0"))
    assert isinstance(f, Figures)
    assert (f.top1, f.top5, f.gmacs, f.resolution) == (75.142, 92.416, 3.41, 224)
    assert f.params == get("repvgg_b0").reference_params() == 15_817_960
    assert f.source == "timm results-imagenet.csv, repvgg_b0.rvgg_in1k"
    assert f.note == ""


def test_a_row_at_another_size_says_so() -> None:
    f = figures_for(get("seresnet50"))
    assert isinstance(f, Figures)
    assert f.resolution == 288 and "288" in f.note and "224" in f.note


@pytest.mark.parametrize("timm_name", sorted(TIMM_RESULTS))
def test_timm_rows_are_of_the_weights_timm_loads(timm_name: str) -> None:
    """Each row's tag is timm's default pretrained tag, evaluated at its test size."""
    import timm

    cfg = timm.get_pretrained_cfg(timm_name)
    row = TIMM_RESULTS[timm_name]
    assert row.tag == f"{cfg.architecture}.{cfg.tag}"
    size = cfg.test_input_size or cfg.input_size
    assert row.img_size == size[1]
    assert 0 < row.top1 < row.top5 < 100
    assert row.gmacs is not None and row.gmacs > 0


def test_models_without_figures_are_listed_not_invented(
    zoo: tuple[list[Figures], list[Missing]],
) -> None:
    found, missing = by_name(zoo[0]), by_name(zoo[1])
    for name in ("resnet20", "resnet56", "lenet5", "vgg_small", "repvgg_small"):
        assert name in missing and "digits" in missing[name].reason, name
    # ImageNet networks with no published weights in either library
    for name in ("plain18", "plain34", "alexnet2012"):
        assert name in missing and "no published ImageNet weights" in missing[name].reason
    # timm has these weights but no row in its published table
    for name in ("repvgg_a0", "repvgg_a1"):
        assert name in missing
        assert "timm" in missing[name].reason and name in missing[name].reason
    assert all(m.reason and m.family == get(m.name).family for m in missing.values())
    assert not set(found) & set(missing)


def test_every_figure_comes_from_a_source(zoo: tuple[list[Figures], list[Missing]]) -> None:
    for f in zoo[0]:
        spec = get(f.name)
        if spec.tv_name is not None:
            meta = tv_default(spec.tv_name).meta
            assert (f.top1, f.params) == (
                meta["_metrics"]["ImageNet-1K"]["acc@1"],
                meta["num_params"],
            )
        else:
            row = TIMM_RESULTS[spec.timm_name]
            assert (f.top1, f.gmacs) == (row.top1, row.gmacs)
        assert f.url.startswith("https://")


def test_every_zoo_model_is_in_exactly_one_list(zoo: tuple[list[Figures], list[Missing]]) -> None:
    names = [f.name for f in zoo[0]] + [m.name for m in zoo[1]]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(s.name for s in list_models())


def test_figures_are_json() -> None:
    found, missing = chart_data(["resnet18", "resnet20"])
    d = json.loads(json.dumps([found[0].as_dict(), missing[0].as_dict()]))
    assert d[0]["name"] == "resnet18" and d[0]["top1"] == 69.758 and d[0]["params"] == 11_689_512
    assert d[1] == {"name": "resnet20", "family": "ResNet", "reason": missing[0].reason}


@pytest.mark.parametrize("name", ["resnet_18", "tv:resnet_does_not_exist", "nope"])
def test_unknown_names_raise(name: str) -> None:
    with pytest.raises(UnknownModelError):
        chart_data(["resnet18", name])


def test_timm_name_with_a_row_is_not_said_to_have_none() -> None:
    found, missing = chart_data(["timm:repvgg_b0"])
    if found:
        assert found[0].top1 == 75.142
    else:
        assert "no row" not in missing[0].reason, missing[0].reason
