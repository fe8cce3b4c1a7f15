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
