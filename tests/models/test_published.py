"""Published ImageNet figures (the Compare chart's data) against their sources.

torchvision's figures are compared with ``get_model_weights(tv_name)`` metadata read here
directly, for every registered torchvision model and both recipes (original =
``IMAGENET1K_V1``, improved = ``DEFAULT`` where it is other weights); timm's with
:data:`TIMM_RESULTS` and timm's own pretrained configs. No model is built: these tests only
read metadata.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from torchvision.models import get_model_weights

from explorer.models.published import (
    IMPROVED,
    ORIGINAL,
    PAPER_RESULTS,
    TIMM_RESULTS,
    Figures,
    Missing,
    chart_data,
    figures_for,
    paper_figures,
    timm_figures,
    torchvision_entries,
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
    """Name -> item; for figures, the first of a network's (its original recipe's)."""
    out: dict[str, Any] = {}
    for i in items:
        out.setdefault(i.name, i)
    return out


def of(found: list[Figures], name: str) -> dict[str, Figures]:
    """A network's figures by recipe."""
    return {f.recipe: f for f in found if f.name == name}


def expect_tv(weights: Any) -> tuple[float, float, int, float, int]:
    meta = weights.meta
    metrics = meta["_metrics"]["ImageNet-1K"]
    crop = weights.transforms().crop_size[0]
    return (metrics["acc@1"], metrics["acc@5"], meta["num_params"], meta["_ops"], crop)


def figures_tuple(f: Figures) -> tuple[float, float | None, int, float, int]:
    return (f.top1, f.top5, f.params, f.gmacs, f.resolution)


def paper_improved(weights: Any) -> bool:
    """torchvision's own words for weights of a later recipe than the paper's."""
    docs = " ".join(str(weights.meta.get("_docs", "")).split())
    return "upon the results of the original paper" in docs and "improve" in docs


def test_the_zoo_has_torchvision_and_timm_models() -> None:
    # the parametrised tests below would pass vacuously on an empty list
    assert len(TV_SPECS) >= 20 and "resnet18" in TV_SPECS and "inception_v3" in TV_SPECS
    assert len(TIMM_SPECS) >= 10 and "repvgg_b0" in TIMM_SPECS


@pytest.mark.parametrize("name", TV_SPECS)
def test_torchvision_figures_equal_the_weights_metadata(
    name: str, zoo: tuple[list[Figures], list[Missing]]
) -> None:
    """The issue's test, for every torchvision network of the zoo and both recipes: the
    original recipe's figures are IMAGENET1K_V1's, the improved one's DEFAULT's where that is
    other weights, each equal to torchvision's metadata."""
    spec = get(name)
    enum = get_model_weights(spec.tv_name)
    v1, default = enum["IMAGENET1K_V1"], enum.DEFAULT
    figs = of(zoo[0], name)
    assert figs, f"{name} is missing: {[m for m in zoo[1] if m.name == name]}"
    expected = {}
    if paper_improved(v1):  # convnext_tiny: torchvision's only weights are a later recipe
        assert default is v1
        expected[IMPROVED] = v1
    else:
        expected[ORIGINAL] = v1
        if default is not v1:
            assert paper_improved(default), default
            expected[IMPROVED] = default
    assert set(figs) == set(expected)
    for recipe, weights in expected.items():
        f = figs[recipe]
        assert figures_tuple(f) == expect_tv(weights), (name, recipe)
        assert f.weights == weights.name and f.recipe == recipe
        assert f"{type(weights).__name__}.{weights.name}" in f.source and "torchvision" in f.source
        assert (f.family, f.year) == (spec.family, spec.year)
        assert torchvision_figures(spec, weights.name) == f
        assert f.recipe_text == f"{recipe} recipe ({weights.name}), {f.resolution} px"
    assert torchvision_entries(spec) == [figs[r] for r in (ORIGINAL, IMPROVED) if r in figs]
    assert [f for f in zoo[0] if f.name == name] == torchvision_entries(spec)  # original first

    for recipe in ("original", "best"):
        points, left_off = chart_points(figs.values(), "gmacs", "top1", recipe=recipe)
        assert left_off == []
        want = expected.get(ORIGINAL if recipe == "original" else IMPROVED) or v1
        metrics = want.meta["_metrics"]["ImageNet-1K"]
        assert [(p.name, p.x, p.y, p.weights) for p in points] == [
            (name, want.meta["_ops"], metrics["acc@1"], want.name)
        ]


def test_the_issues_figures() -> None:
    """The figures the issue quotes: resnet50 and resnet152, original and improved."""
    found, _ = chart_data(["resnet50", "resnet101", "resnet152", "vgg16", "resnet18"])
    r50, r152 = of(found, "resnet50"), of(found, "resnet152")
    assert (r50[ORIGINAL].top1, r50[ORIGINAL].top5) == (76.13, 92.862)
    assert (r152[ORIGINAL].top1, r152[ORIGINAL].top5) == (78.312, 94.046)
    assert (r50[IMPROVED].top1, r152[IMPROVED].top1) == (80.858, 82.284)
    assert of(found, "resnet101")[IMPROVED].top1 == 81.886
    assert set(of(found, "vgg16")) == set(of(found, "resnet18")) == {ORIGINAL}


def test_chart_points_of_the_whole_zoo_match_torchvision(
    zoo: tuple[list[Figures], list[Missing]],
) -> None:
    """The same, on the chart of the whole zoo (one point per model, nothing left off), in
    both recipes."""
    names = sorted({f.name for f in zoo[0]})
    for recipe in ("original", "best"):
        points, left_off = chart_points(zoo[0], "gmacs", "top1", recipe=recipe)
        assert left_off == []
        assert sorted(p.name for p in points) == names
        pts = {p.name: p for p in points}
        for name in TV_SPECS:
            enum = get_model_weights(get(name).tv_name)
            weights = enum["IMAGENET1K_V1"] if recipe == "original" else enum.DEFAULT
            assert pts[name].x == weights.meta["_ops"]
            assert pts[name].y == weights.meta["_metrics"]["ImageNet-1K"]["acc@1"], (recipe, name)
            assert pts[name].params == weights.meta["num_params"]
            assert pts[name].weights == weights.name


def test_resnet50_no_longer_beats_inception_v4_by_default(
    zoo: tuple[list[Figures], list[Missing]],
) -> None:
    """The lecture's order, in the original recipe: Inception-v4 and Xception above ResNet-50;
    only the later recipe lifts ResNet-50 above them."""
    original = {p.name: p.y for p in chart_points(zoo[0])[0]}
    assert original["resnet50"] < original["xception"] < original["inception_v4"]
    best = {p.name: p.y for p in chart_points(zoo[0], recipe="best")[0]}
    assert best["resnet50"] > best["inception_v4"]


def test_inception_v3_says_its_count_includes_the_aux_head() -> None:
    (f,) = figures_for(get("inception_v3"))
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
    assert [(f.name, f.recipe) for f in found] == [
        ("resnet50", ORIGINAL),
        ("resnet50", IMPROVED),
        ("alexnet", ORIGINAL),
    ]
    assert [m.name for m in missing] == ["resnet20", "repvgg_a0"]


@pytest.mark.parametrize("name", TIMM_SPECS)
def test_timm_rows_are_used_for_timm_models(
    name: str, zoo: tuple[list[Figures], list[Missing]]
) -> None:
    spec = get(name)
    row = TIMM_RESULTS[spec.timm_name]
    f = of(zoo[0], name)[row.recipe]
    assert (f.top1, f.top5, f.gmacs, f.resolution) == (row.top1, row.top5, row.gmacs, row.img_size)
    assert f.params == spec.reference_params() == spec.ref_params
    assert row.tag in f.source and "timm" in f.source
    assert f.weights == row.tag.split(".", 1)[1]
    assert timm_figures(spec) == f
    # the original authors' weights, except seresnet50's later "ResNet strikes back" recipe
    assert f.recipe == (IMPROVED if name == "seresnet50" else ORIGINAL)


def test_repvgg_b0_from_timms_table() -> None:
    (f,) = figures_for(get("repvgg_b0"))
    assert (f.top1, f.top5, f.gmacs, f.resolution) == (75.142, 92.416, 3.41, 224)
    assert f.params == get("repvgg_b0").reference_params() == 15_817_960
    assert f.source == "timm results-imagenet.csv, repvgg_b0.rvgg_in1k"
    assert f.note == ""


def test_a_row_at_another_size_says_so() -> None:
    _, f = figures_for(get("seresnet50"))
    assert f.resolution == 288 and "288" in f.note and "224" in f.note
    assert f.recipe == IMPROVED and f.recipe_text == "improved recipe (a1_in1k), 288 px"
    assert "strikes back" in f.note


def test_seresnet50_original_is_the_papers_table() -> None:
    """SE-ResNet-50 in Hu et al., Table 2: top-1 error 23.29 %, top-5 6.62 %, 3.87 GFLOPs."""
    spec = get("seresnet50")
    original, improved = figures_for(spec)
    assert original == paper_figures(spec)
    assert (original.recipe, improved.recipe) == (ORIGINAL, IMPROVED)
    assert (original.top1, original.top5, original.gmacs, original.resolution) == (
        76.71,
        93.38,
        3.87,
        224,
    )
    assert original.params == improved.params == spec.reference_params() == 28_088_024
    assert "Hu et al." in original.source and "Table 2" in original.source
    assert original.url == "https://arxiv.org/abs/1709.01507" and original.weights == "paper"
    assert set(PAPER_RESULTS) == {"seresnet50"}  # only where the library's figure is later


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
            meta = get_model_weights(spec.tv_name)[f.weights].meta
            assert (f.top1, f.params) == (
                meta["_metrics"]["ImageNet-1K"]["acc@1"],
                meta["num_params"],
            )
        elif f.weights == "paper":
            assert f.top1 == PAPER_RESULTS[spec.timm_name].top1
        else:
            row = TIMM_RESULTS[spec.timm_name]
            assert (f.top1, f.gmacs) == (row.top1, row.gmacs)
        assert f.url.startswith("https://")


def test_every_zoo_model_is_in_exactly_one_list(zoo: tuple[list[Figures], list[Missing]]) -> None:
    pairs = [(f.name, f.recipe) for f in zoo[0]]
    assert len(pairs) == len(set(pairs))  # at most one figure per network and recipe
    names = sorted({f.name for f in zoo[0]}) + [m.name for m in zoo[1]]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(s.name for s in list_models())


def test_figures_are_json() -> None:
    found, missing = chart_data(["resnet18", "resnet20"])
    d = json.loads(json.dumps([found[0].as_dict(), missing[0].as_dict()]))
    assert d[0]["name"] == "resnet18" and d[0]["top1"] == 69.758 and d[0]["params"] == 11_689_512
    assert (d[0]["recipe"], d[0]["weights"]) == ("original", "IMAGENET1K_V1")
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
