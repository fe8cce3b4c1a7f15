"""The Compare chart as data: positions, ball sizes, colours, tooltips, recipes, labels
(no Qt, no timing).

The measured speeds here are hand-made :class:`SpeedReport` values, so every expected
position is known exactly.
"""

from __future__ import annotations

import math

import pytest

from explorer.models.published import IMPROVED, ORIGINAL, Figures, chart_data
from explorer.present.chart import (
    EXTRA_COLOURS,
    FAMILY_COLOURS,
    MAX_SIZE,
    MIN_SIZE,
    LabelSpot,
    ball_size,
    chart_points,
    edge_segment,
    family_colour,
    label_priority,
    pick_recipe,
    place_labels,
    recipe_arrows,
    recipe_note,
    size_key,
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


@pytest.mark.parametrize("recipe", ["original", "best"])
def test_tooltips_name_the_source_recipe_and_resolution(zoo: list[Figures], recipe: str) -> None:
    pts, _ = chart_points(zoo, recipe=recipe)
    figs = {(f.name, f.weights): f for f in zoo}
    for p in pts:
        f = figs[(p.name, p.weights)]
        assert f"source: {f.source}" in p.tooltip
        assert f"top-1 {f.top1:.2f} %" in p.tooltip
        assert f"parameters {f.params:,}" in p.tooltip
        assert f"{f.recipe} recipe ({f.weights}), {f.resolution} px" in p.tooltip
        assert (p.recipe, p.resolution) == (f.recipe, f.resolution)
        # the drawn name says the resolution where it is not 224 px
        assert p.text == p.label + ("" if f.resolution == 224 else f" {f.resolution}px")
    tips = {p.name: p.tooltip for p in pts}
    assert "torchvision ResNet18_Weights.IMAGENET1K_V1" in tips["resnet18"]
    # the other recipe's top-1, with the gain
    if recipe == "original":
        assert (
            "improved recipe (IMAGENET1K_V2): top-1 80.86 % at 224 px (+4.73 points)"
            in (tips["resnet50"])
        )
    else:
        assert (
            "original recipe (IMAGENET1K_V1): top-1 76.13 % at 224 px (-4.73 points)"
            in (tips["resnet50"])
        )
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


# ---------------------------------------------------------------------------------------------
# recipes


def two(name: str, top1: float, better: float, **kw: object) -> list[Figures]:
    """A network with an original and an improved recipe's figures."""
    return [
        fig(name, 25_000_000, top1=top1, recipe=ORIGINAL, weights="V1", **kw),
        fig(name, 25_000_000, top1=better, recipe=IMPROVED, weights="V2", **kw),
    ]


def test_pick_recipe_takes_one_figure_per_network() -> None:
    figures = [
        *two("r50", 76.1, 80.9),
        fig("vgg", 138_000_000, family="VGG"),  # one figure: the original
        fig("cnx", 28_000_000, recipe=IMPROVED, weights="V1", top1=82.5),  # only improved
    ]
    original = pick_recipe(figures, "original")
    best = pick_recipe(figures, "best")
    assert [(f.name, f.top1) for f in original] == [("r50", 76.1), ("vgg", 70.0), ("cnx", 82.5)]
    assert [(f.name, f.top1) for f in best] == [("r50", 80.9), ("vgg", 70.0), ("cnx", 82.5)]
    with pytest.raises(ValueError, match="recipe"):
        pick_recipe(figures, "newest")


def test_the_default_chart_is_the_original_recipe() -> None:
    figures = [*two("r50", 76.1, 80.9)]
    (p,) = chart_points(figures)[0]
    assert (p.y, p.recipe, p.weights) == (76.1, ORIGINAL, "V1")
    (p,) = chart_points(figures, recipe="best")[0]
    assert (p.y, p.recipe, p.weights) == (80.9, IMPROVED, "V2")
    with pytest.raises(ValueError):
        chart_points(figures, recipe="v2")


def test_recipe_arrows_go_from_original_to_improved() -> None:
    figures = [
        *two("r50", 76.1, 80.9, gmacs=4.1),
        fig("vgg", 138_000_000, family="VGG"),
        fig("cnx", 28_000_000, recipe=IMPROVED, weights="V1"),
    ]
    arrows = recipe_arrows(figures, "gmacs", "top1")
    assert [(a.start.name, a.start.y, a.end.y) for a in arrows] == [("r50", 76.1, 80.9)]
    (a,) = arrows
    assert (a.start.recipe, a.end.recipe) == (ORIGINAL, IMPROVED)
    assert a.start.x == a.end.x == 4.1 and a.start.size == a.end.size
    assert recipe_arrows(figures, "params", "top5")[0].start.x == 25.0


def test_arrows_of_the_zoo(zoo: list[Figures]) -> None:
    arrows = {a.start.name: a for a in recipe_arrows(zoo)}
    assert set(arrows) == {
        "resnet50",
        "resnet101",
        "resnet152",
        "wide_resnet50_2",
        "resnext50_32x4d",
        "mobilenet_v2",
        "mobilenet_v3_large",
        "regnet_y_400mf",
        "seresnet50",
    }
    r50 = arrows["resnet50"]
    assert (r50.start.y, r50.end.y) == (76.13, 80.858)
    se = arrows["seresnet50"]  # the paper's 224 px figure to timm's 288 px one
    assert (se.start.resolution, se.end.resolution) == (224, 288)
    assert se.end.text == "seresnet50 288px"


def test_recipe_note_says_what_is_shown(zoo: list[Figures]) -> None:
    original = recipe_note(zoo, "original")
    assert original.startswith("Recipe: each network's original")
    assert "IMAGENET1K_V1" in original and "9 networks have improved weights too" in original
    assert "convnext_tiny" in original  # its only torchvision weights are a later recipe
    best = recipe_note(zoo, "best")
    assert best.startswith("Recipe: the best available") and "9 networks gain" in best


def test_size_key_balls_are_at_the_charts_scale() -> None:
    key = size_key(100_000_000)
    assert [t for t, _ in key] == ["5M parameters", "25M parameters", "100M parameters"]
    assert [d for _, d in key] == [ball_size(v, 100_000_000) for v in (5e6, 25e6, 1e8)]
    assert key[2][1] == MAX_SIZE and key[1][1] == pytest.approx(MAX_SIZE / 2)
    # the zoo's chart: its largest ball is vgg19_bn's
    zoo_max = 143_678_248
    assert size_key(zoo_max)[2][1] == pytest.approx(MAX_SIZE * math.sqrt(1e8 / zoo_max))


# ---------------------------------------------------------------------------------------------
# labels


def _box(spot: LabelSpot, size: tuple[float, float]) -> tuple[float, float, float, float]:
    w, h = size
    return (spot.x - w / 2, spot.y - h / 2, spot.x + w / 2, spot.y + h / 2)


def _dist(box: tuple[float, float, float, float], x: float, y: float) -> float:
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return math.hypot(nx - x, ny - y)


def test_a_lone_ball_gets_its_label_beside_it() -> None:
    (spot,) = place_labels([(100.0, 100.0, 10.0)], [(40.0, 12.0)])
    assert spot == LabelSpot(100.0, 100.0 - 12.0 - 6.0)  # above, no leader
    assert not spot.covers


def check_labels(balls, sizes, spots, bounds=None) -> None:
    boxes = {i: _box(s, sizes[i]) for i, s in enumerate(spots) if s is not None}
    for i, a in boxes.items():
        for j, b in boxes.items():
            if i < j:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
        x, y, r = balls[i]
        own = _dist(a, x, y) - r
        assert own >= 0  # never over its own ball
        spot = spots[i]
        if bounds is not None:
            assert bounds[0] <= a[0] and a[2] <= bounds[2] and bounds[1] <= a[1]
        if spot.leader is None:  # beside its ball: nearer to it than to any other ball
            assert own <= 12
            for j, (bx, by, br) in enumerate(balls):
                if j != i:
                    assert _dist(a, bx, by) - br > own
        else:  # a leader from its own ball's edge to the label
            x0, y0, x1, y1 = spot.leader
            assert math.hypot(x0 - x, y0 - y) == pytest.approx(r)
            assert _dist(a, x1, y1) == pytest.approx(0, abs=1e-6)
        if not spot.covers:
            for bx, by, br in balls:
                assert _dist(a, bx, by) >= br - 1e-9


def test_a_crowd_gets_leader_lines_and_no_label_sits_on_another_ball() -> None:
    """The issue's case: balls on top of each other (inception_v4, inception_resnet_v2,
    xception ...): each label is beside its own ball or joined to it by a leader line."""
    balls = [
        (300.0, 200.0, 16.0),
        (310.0, 196.0, 18.0),
        (292.0, 210.0, 12.0),
        (320.0, 215.0, 20.0),
        (305.0, 185.0, 9.0),
        (100.0, 100.0, 5.0),
    ]
    sizes = [(90.0, 14.0)] * len(balls)
    bounds = (0.0, 0.0, 600.0, 400.0)
    spots = place_labels(balls, sizes, bounds=bounds)
    assert all(s is not None for s in spots)
    assert any(s.leader is not None for s in spots)
    assert spots[5].leader is None  # the lone ball's label stays beside it
    check_labels(balls, sizes, spots, bounds)


def test_no_room_gives_none() -> None:
    spots = place_labels([(50.0, 50.0, 10.0)], [(300.0, 20.0)], bounds=(0.0, 0.0, 100.0, 100.0))
    assert spots == [None]


def test_labels_keep_clear_of_obstacles_and_follow_priority() -> None:
    balls = [(100.0, 100.0, 10.0)]
    ring = (100.0, 75.0, 12.0)  # where the label would go: above
    (spot,) = place_labels(balls, [(40.0, 12.0)], obstacles=[ring])
    assert spot is not None and _dist(_box(spot, (40.0, 12.0)), 100.0, 75.0) >= 12.0
    # two balls whose labels compete for one place (above both): priority 0 gets it
    balls = [(100.0, 100.0, 10.0), (180.0, 100.0, 10.0)]
    sizes = [(120.0, 12.0)] * 2
    above = [LabelSpot(100.0, 82.0), LabelSpot(180.0, 82.0)]
    for priority, winner in (([1, 0], 1), ([0, 1], 0)):
        spots = place_labels(balls, sizes, priority=priority)
        assert spots[winner] == above[winner]
        assert spots[1 - winner] != above[1 - winner]


def test_edge_segment_runs_between_the_balls_edges() -> None:
    seg = edge_segment((0.0, 0.0, 5.0), (100.0, 0.0, 10.0), gap=1.0)
    assert seg == pytest.approx((6.0, 0.0, 89.0, 0.0))
    assert edge_segment((0.0, 0.0, 5.0), (10.0, 0.0, 10.0)) is None  # overlapping balls


def test_lecture_networks_are_labelled_first(zoo: list[Figures]) -> None:
    pts = {p.name: p for p in chart_points(zoo)[0]}
    assert label_priority(pts["inception_v4"]) == label_priority(pts["resnet50"]) == 0
    assert label_priority(pts["repvgg_b0"]) == 1
    assert label_priority(pts["convnext_tiny"]) == 2
