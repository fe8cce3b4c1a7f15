"""The Compare chart's screenshot against its data (not pixel-exact): in each recipe, the
pixel at a ball's centre has that ball's colour, and in the best available view the faint
ring of a network's original figures is where the data put it."""

from __future__ import annotations

import pytest

from explorer.models.published import chart_data


@pytest.fixture(scope="module")
def published():
    return chart_data()


@pytest.fixture
def chart(qtbot, published, jobs):
    from explorer.ui.compare.chart import ChartTab

    tab = ChartTab(jobs)
    qtbot.addWidget(tab)
    tab.resize(1280, 720)
    tab.show()
    tab.set_figures(*published)
    return tab


def _pixel(chart, image, scene_x, scene_y):
    from PySide6.QtCore import QPoint, QPointF

    view = chart.plot.mapFromScene(QPointF(scene_x, scene_y))
    ratio = image.devicePixelRatio()
    p = QPoint(round(view.x() * ratio), round(view.y() * ratio))
    return image.pixelColor(p).getRgb()[:3]


def _blend(colour, alpha=150):
    """A ball's fill over the white plot background."""
    return tuple(round(c * alpha / 255 + 255 * (1 - alpha / 255)) for c in colour)


@pytest.mark.parametrize("recipe", ["original", "best"])
def test_each_lone_ball_is_drawn_in_its_colour_where_its_figures_put_it(chart, recipe):
    chart.set_recipe(recipe)
    image = chart.plot.grab().toImage()
    balls = {p.name: chart._ball(p) for p in chart.points}
    checked = 0
    for p in chart.points:
        x, y, r = balls[p.name]
        others = [b for n, b in balls.items() if n != p.name]
        ghosts = [chart._ball(a.start) for a in chart.arrows]
        if any((x - bx) ** 2 + (y - by) ** 2 < (r + br + 2) ** 2 for bx, by, br in others + ghosts):
            continue  # overlapping balls mix their colours
        if r < 8:  # a small ball is mostly its outline
            continue
        got = _pixel(chart, image, x, y)
        want = _blend(p.colour)
        assert all(abs(g - w) <= 12 for g, w in zip(got, want, strict=True)), (p.name, got, want)
        checked += 1
    assert checked >= 3  # e.g. alexnet, resnet18, resnet34


def test_the_arrow_of_mobilenet_v3_runs_from_its_faint_ring_to_its_ball(chart):
    chart.set_recipe("best")
    (a,) = [a for a in chart.arrows if a.start.name == "mobilenet_v3_large"]
    image = chart.plot.grab().toImage()
    x0, y0, _ = chart._ball(a.start)
    x1, y1, _ = chart._ball(a.end)
    assert x0 == pytest.approx(x1, abs=0.5) and y1 < y0  # straight up: 74.04 % to 75.27 %
    ring = _pixel(chart, image, x0, y0)  # the faint ring's fill: almost white
    ball = _pixel(chart, image, x1, y1)
    assert min(ring) > 200 and ring != (255, 255, 255)
    assert ball == pytest.approx(_blend(a.end.colour), abs=12)
    # the arrow's shaft, half way between the balls' edges, is darker than the background
    mid = _pixel(chart, image, x0, (y0 + y1) / 2)
    assert max(mid) < 245
