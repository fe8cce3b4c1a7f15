"""The receptive-field panel's data: the slider's chain, clicks to positions, the cascade."""

from __future__ import annotations

from explorer.graph.receptive import block_field
from explorer.present.field import cascade, chain, nearest_in_chain, neighbour_centres, position_at
from tests._models import analysis


def test_the_chain_walks_vggs_cascade() -> None:
    tree = analysis("vgg16").tree
    links = chain(tree)
    assert len(links) == 19  # 13 convs, 5 max pools and the adaptive average pool (7x7)
    fields = [block_field(tree, b)["rf"] for b in links[:5]]
    assert fields == [3, 5, 6, 10, 14]  # conv, conv, pool /2, conv, conv
    assert nearest_in_chain(tree, links, "features.5") == 3
    assert nearest_in_chain(tree, links, "classifier.0") == len(links) - 1


def test_a_click_lands_on_the_output_whose_field_is_centred_there() -> None:
    tree = analysis("vgg16").tree
    f = block_field(tree, "features.14")  # stride 4
    for pixel in [(0, 0), (100, 37), (223, 223)]:
        pos = position_at(f, pixel)
        centre = [(a + b) / 2 for a, b in zip(f["box"][:2], f["box"][2:], strict=True)]
        g = block_field(tree, "features.14", pos)
        c = [(a + b) / 2 for a, b in zip(g["box"][:2], g["box"][2:], strict=True)]
        assert all(abs(c[i] - pixel[i]) <= 2 or pos[i] in (0, 55) for i in (0, 1)), (pixel, c)
        assert centre  # the centre value's field is where it was
    assert len(neighbour_centres(f)) == 9
    corner = block_field(tree, "features.14", (0, 0))
    assert len(neighbour_centres(corner)) == 4


def test_three_3x3_against_one_7x7() -> None:
    c = cascade(3, 64)
    assert c["field"] == 7
    assert c["stack"]["params"] == 27 * 64 * 64 and c["single"]["params"] == 49 * 64 * 64
    assert (c["stack"]["relus"], c["single"]["relus"]) == (3, 1)


def test_a_click_on_a_feature_map_is_an_output_value() -> None:
    import numpy as np

    from explorer.present.field import map_position, tile_position
    from explorer.present.panels import feature_page

    maps = np.arange(5 * 6 * 7, dtype=np.float32).reshape(5, 6, 7)
    page = feature_page(maps, np.array([4, 3, 2, 1, 0]), per_page=4, gap=1)
    assert page.cols == 3 and page.tile == (6, 7)
    assert tile_position(page, 0.5, 0.5) == (4, 0, 0)
    assert tile_position(page, 8 + 6.9, 5.2) == (3, 5, 6)  # the second tile's last value
    assert tile_position(page, 7.5, 2) is None  # the gap between tiles
    assert tile_position(page, 3, 7 + 2) == (1, 2, 3)  # the second row's first tile
    assert tile_position(page, 8 + 3, 7 + 2) is None  # past the last tile of the page
    assert map_position((16, 16), (32, 32), 20.5, 9.5) == (4, 10)
    assert map_position((8, 8), (8, 8), 7.9, 0) == (0, 7)
    assert map_position((8, 8), (32, 32), 32, 0) is None


def test_what_a_network_is_compared_with() -> None:
    from explorer.present.field import comparisons, twin_of

    assert twin_of("resnet56") == "plain56" and twin_of("plain56") == "resnet56"
    assert twin_of("vgg16") is None and twin_of("nosuch") is None
    assert comparisons("resnet56") == [
        ("with random weights", ["random"]),
        ("with plain56", ["plain56"]),
        ("with random weights and plain56", ["random", "plain56"]),
    ]
    assert comparisons("vgg16") == [("with random weights", ["random"])]


def test_the_compared_maps_headings_and_caption() -> None:
    import numpy as np

    from explorer.present.field import compare_caption, net_title, shared_top

    a = {"model": "resnet56", "weights": "bundled", "std_px": [2.115, 2.25], "mass95_px": 88,
         "mass95_share": 0.0859, "rf": 39, "map": np.full((2, 2), 0.25, np.float32)}  # fmt: skip
    b = {**a, "weights": "random, seed 0", "init": "a fresh build", "std_px": [3.9, 4.0],
         "map": np.array([[0.7, 0.1], [0.1, 0.1]], np.float32)}  # fmt: skip
    assert net_title(a) == ("<b>resnet56</b>, bundled<br>std 2.1 x 2.2 px, 95 % in 88 px (9 %)")
    assert "random weights<br>std 3.9 x 4.0 px" in net_title(b)
    assert shared_top([a, b]) == np.float32(0.7)
    res = {"block": "layer1", "position": [15, 15], "images": 16, "data": "digits (test)",
           "nets": [a, b]}  # fmt: skip
    text = compare_caption(res)
    assert "layer1</b> at (15, 15) over 16 images of digits (test)" in text
    assert "the 39 px square" in text
    assert "Random weights: random, seed 0, a fresh build; BatchNorm in eval mode" in text
    assert "Random weights" not in compare_caption({**res, "nets": [a], "data": "this image"})
