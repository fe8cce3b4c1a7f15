"""The Compare chart as data: positions, ball sizes, colours and tooltips (no Qt, no timing).

The measured speeds here are hand-made :class:`SpeedReport` values, so every expected
position is known exactly.
"""

from __future__ import annotations

import math

import pytest

from explorer.models.published import Figures, chart_data
from explorer.present.chart import (
    EXTRA_COLOURS,
    FAMILY_COLOURS,
    MAX_SIZE,
    MIN_SIZE,
    ball_size,
    chart_points,
    family_colour,
    tooltip,
)
from explorer.studies.speed.rounds import Peak, SpeedReport, SpeedResult, Timing


def fig(
    name: str,
    params: int,
    family: str = "ResNet",
    top1: float = 70.0,
    top5: float | None = 90.0,
    gmacs: float = 1.0,
    **kw: object,
) -> Figures:
    return Figures(
        name=name,
        family=family,
        year=2015,
        top1=top1,
        top5=top5,
        params=params,
        gmacs=gmacs,
        resolution=224,
        source=f"source of {name}",
        **kw,  # type: ignore[arg-type]
    )


def result(name: str, seconds: list[float], batch: int = 8, fused: bool = False) -> SpeedResult:
    return SpeedResult(
        name=name,
        label=name + (" (fused)" if fused else ""),
        family="RepVGG",
        fused=fused,
        batch=batch,
        resolution=224,
        macs=1_000_000_000,
        params=10_000_000,
        timing=Timing(seconds),
    )


@pytest.fixture(scope="module")
def zoo() -> list[Figures]:
    return chart_data()[0]


# ---------------------------------------------------------------------------------------------
# ball size


def test_ball_area_is_proportional_to_parameters() -> None:
    figures = [
        fig("a", 1_000_000),
        fig("b", 4_000_000),
        fig("c", 16_000_000),
        fig("d", 100_000_000),
    ]
    points, _ = chart_points(figures)
    size = {p.name: p.size for p in points}
    assert size["d"] == MAX_SIZE
    # 1 M of 100 M would be 5.6 px across: raised to the minimum so it stays visible
    assert size["a"] == MIN_SIZE
    assert size["b"] ** 2 / size["c"] ** 2 == pytest.approx(4 / 16, rel=1e-12)
    assert size["c"] ** 2 / size["d"] ** 2 == pytest.approx(16 / 100, rel=1e-12)
    assert size["b"] == pytest.approx(MAX_SIZE * math.sqrt(0.04))


def test_ball_area_over_the_whole_zoo(zoo: list[Figures]) -> None:
    points, _ = chart_points(zoo, "params", "top1")
    big = [p for p in points if p.size > MIN_SIZE]
    assert len(big) > len(points) // 2
    per_param = [p.size**2 / p.params for p in big]
    assert max(per_param) == pytest.approx(min(per_param), rel=1e-9)
    assert max(p.size for p in points) == MAX_SIZE
    biggest = max(points, key=lambda p: p.params)
    assert biggest.size == MAX_SIZE
    for p in points:
        assert p.size == max(MIN_SIZE, ball_size(p.params, biggest.params))


def test_ball_size_edge_cases() -> None:
    assert ball_size(0, 0) == MIN_SIZE
    assert ball_size(10, 10) == MAX_SIZE
    assert ball_size(1, 10**9) == MIN_SIZE


# ---------------------------------------------------------------------------------------------
# axes


def test_axes_take_the_published_values() -> None:
    figures = [
        fig("a", 3_000_000, gmacs=0.3, top1=71.0, top5=90.5),
        fig("b", 25_000_000, gmacs=4.1),
    ]
    pts, left = chart_points(figures, "gmacs", "top1")
    assert left == [] and [(p.x, p.y) for p in pts] == [(0.3, 71.0), (4.1, 70.0)]
    pts, _ = chart_points(figures, "params", "top5")
    assert [(p.x, p.y) for p in pts] == [(3.0, 90.5), (25.0, 90.0)]
    assert [p.label for p in pts] == ["a", "b"]


def test_top5_axis_leaves_off_models_without_top5() -> None:
    figures = [fig("with", 1_000_000), fig("without", 2_000_000, top5=None)]
    pts, left = chart_points(figures, "gmacs", "top5")
    assert [p.name for p in pts] == ["with"]
    assert len(left) == 1 and left[0].startswith("without") and "top-5" in left[0]
    # on the top-1 axis both are there
    pts, left = chart_points(figures, "gmacs", "top1")
    assert [p.name for p in pts] == ["with", "without"] and left == []


@pytest.mark.parametrize(
    ("x", "y"), [("flops", "top1"), ("gmacs", "top3"), ("", ""), ("top1", "gmacs")]
)
def test_bad_axis_names_raise(x: str, y: str) -> None:
    with pytest.raises(ValueError):
        chart_points([fig("a", 1)], x, y)


def speed_report(peak: bool = True) -> SpeedReport:
    report = SpeedReport("cpu (fp32)", "fp32", batch=8, repeats=3, warmup=1)
    report.results = [
        result("repvgg_b0", [0.4, 0.5, 0.8]),
        result("repvgg_b0", [0.2, 0.25, 0.3], fused=True),
        result("resnet50", [1.0, 1.0, 1.0]),  # measured, but no figures given below
    ]
    if peak:
        report.peak = Peak(256, "fp32", Timing([0.001, 0.001, 0.002]))
    return report


def test_speed_axis_places_only_measured_models_and_fused_has_its_own_point() -> None:
    figures = [
        fig("repvgg_b0", 15_817_960, family="RepVGG", top1=75.142),
        fig("vgg16", 138_357_544, family="VGG", top1=71.592),
    ]
    pts, left = chart_points(figures, "speed", "top1", speed=speed_report())
    assert [p.label for p in pts] == ["repvgg_b0", "repvgg_b0 (fused)"]
    assert all(p.name == "repvgg_b0" for p in pts)
    assert [p.x for p in pts] == [8 / 0.5, 8 / 0.25]  # batch / median seconds
    assert [p.y for p in pts] == [75.142, 75.142]
    assert pts[0].colour == pts[1].colour
    # the fused ball's area follows the fused network's own parameters
    rep = speed_report()
    assert (pts[1].size / pts[0].size) ** 2 == pytest.approx(rep.results[1].params / 15_817_960)
    assert left == ["vgg16: not measured"]


def test_speed_axis_without_a_report_places_nothing() -> None:
    pts, left = chart_points([fig("a", 1), fig("b", 2)], "speed", "top1", speed=None)
    assert pts == [] and len(left) == 2


def test_published_axes_keep_one_point_per_model_with_a_report() -> None:
    figures = [fig("repvgg_b0", 15_817_960, family="RepVGG", gmacs=3.41)]
    pts, _ = chart_points(figures, "gmacs", "top1", speed=speed_report())
    assert len(pts) == 1 and pts[0].x == 3.41
    assert "measured:" in pts[0].tooltip


# ---------------------------------------------------------------------------------------------
# colours


def test_lecture_families_have_fixed_colours(zoo: list[Figures]) -> None:
    pts, _ = chart_points(zoo)
    for p in pts:
        if p.family in FAMILY_COLOURS:
            assert p.colour == FAMILY_COLOURS[p.family]
    assert family_colour("ResNet") == family_colour("ResNet", ["VGG", "ResNet"]) == (214, 39, 40)
    # a family's colour does not depend on which other models are on the chart
    few, _ = chart_points([f for f in zoo if f.family in ("VGG", "RepVGG")])
    assert {p.family: p.colour for p in few} == {
        "VGG": FAMILY_COLOURS["VGG"],
        "RepVGG": FAMILY_COLOURS["RepVGG"],
    }


def test_every_family_of_the_zoo_has_its_own_colour(zoo: list[Figures]) -> None:
    pts, _ = chart_points(zoo)
    colours = {p.family: p.colour for p in pts}
    # one colour per family ...
    for p in pts:
        assert p.colour == colours[p.family]
    # ... and no two families share one
    assert len(set(colours.values())) == len(colours)
    extra = {f: c for f, c in colours.items() if f not in FAMILY_COLOURS}
    assert extra and all(c in EXTRA_COLOURS for c in extra.values())
    assert not set(EXTRA_COLOURS) & set(FAMILY_COLOURS.values())


def test_colours_are_stable() -> None:
    families = ["MobileNet", "DenseNet", "VGG", "ConvNeXt"]
    first = [family_colour(f, families) for f in families]
    assert [family_colour(f, list(reversed(families))) for f in families] == first
    assert family_colour("Something new") == family_colour("Something new")
    assert family_colour("Something new") in EXTRA_COLOURS


# ---------------------------------------------------------------------------------------------
# tooltips


def test_tooltips_name_the_source(zoo: list[Figures]) -> None:
    pts, _ = chart_points(zoo)
    figs = {f.name: f for f in zoo}
    for p in pts:
        f = figs[p.name]
        assert f"source: {f.source}" in p.tooltip
        assert f"top-1 {f.top1:.2f} %" in p.tooltip
        assert f"parameters {f.params:,}" in p.tooltip
    tips = {p.name: p.tooltip for p in pts}
    assert "torchvision ResNet18_Weights.IMAGENET1K_V1" in tips["resnet18"]
    assert "timm results-imagenet.csv, repvgg_b0.rvgg_in1k" in tips["repvgg_b0"]
    assert "auxiliary head" in tips["inception_v3"]
    assert "measured" not in tips["resnet18"]


def test_tooltip_of_a_measured_point() -> None:
    f = fig("repvgg_b0", 15_817_960, family="RepVGG")
    report = speed_report()
    r = report.results[0]
    text = tooltip(f, r, report.peak)
    assert "measured: 16.0 images/s (10.0-20.0)" in text
    assert f"{r.gflops:,.1f} GFLOP/s" in text
    assert f"= {r.gflops / report.peak.gflops:.0%} of peak" in text
    assert "of peak" not in tooltip(f, r, None)
    assert "top-5" not in tooltip(fig("x", 1, top5=None))


def test_fused_tooltip_says_fused() -> None:
    figures = [fig("repvgg_b0", 15_817_960, family="RepVGG")]
    pts, _ = chart_points(figures, "speed", "top1", speed=speed_report())
    fused = [p for p in pts if p.label.endswith("(fused)")]
    assert len(fused) == 1 and "fused" in fused[0].tooltip


def test_fused_ball_tells_the_fused_counts() -> None:
    from explorer.models.published import chart_data

    found, _ = chart_data(["repvgg_b0"])
    rep = SpeedReport("cpu (fp32)", "fp32", 8, 3, 1, Peak(256, "fp32", Timing([0.01])))
    rep.results = [
        SpeedResult(
            "repvgg_b0",
            "repvgg_b0",
            "RepVGG",
            False,
            8,
            224,
            3_400_000_000,
            15_817_960,
            Timing([0.4]),
        ),
        SpeedResult(
            "repvgg_b0",
            "repvgg_b0 (fused)",
            "RepVGG",
            True,
            8,
            224,
            3_060_000_000,
            14_339_048,
            Timing([0.2]),
        ),
    ]
    points, _ = chart_points(found, "speed", "top1", rep)
    fused = next(p for p in points if p.label.endswith("(fused)"))
    plain = next(p for p in points if not p.label.endswith("(fused)"))
    assert "fused here: 14,339,048 parameters, 3.06 GMACs" in fused.tooltip
    assert "fused here" not in plain.tooltip
    assert (fused.size / plain.size) ** 2 == pytest.approx(14_339_048 / 15_817_960)
