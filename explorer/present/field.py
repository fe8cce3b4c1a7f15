"""The receptive field panel as data: which blocks the depth slider walks, where a click on
the input lands in a block's output, and the lecture's "three 3x3 against one 7x7"."""

from __future__ import annotations

from typing import Any

from explorer.graph.blocks import BlockTree
from explorer.graph.labels import is_hidden
from explorer.present.panels import FeaturePage


def chain(tree: BlockTree) -> list[str]:
    """The layers the depth slider walks, in order: each executed conv and pool with a
    spatial output (VGG's cascade: 3, 5, 7 ... px)."""
    out = []
    for b in sorted(tree.blocks.values(), key=lambda b: b.order):
        if not (b.is_leaf and b.executed) or is_hidden(b) or b.kind not in ("conv", "pool"):
            continue
        shape = b.out_shape
        if not shape or len(shape) < 4 or tuple(shape[2:]) == (1, 1):
            continue
        if "@" in b.id:
            continue
        out.append(b.id)
    return out


def nearest_in_chain(tree: BlockTree, links: list[str], block_id: str | None) -> int:
    """The slider's place for a selected block: the last layer of the chain at or before its
    output (0 when none)."""
    b = tree.blocks.get(block_id or "")
    if b is None or not links:
        return 0
    last = b.order
    if not b.is_leaf:
        inside = [tree.blocks[i].order for i in links if i == b.id or i.startswith(b.id + ".")]
        last = max(inside) if inside else b.order
    best = 0
    for i, bid in enumerate(links):
        if tree.blocks[bid].order <= last:
            best = i
    return best


def position_at(field: dict[str, Any], pixel: tuple[float, float]) -> tuple[int, int]:
    """The output position whose field is centred nearest to input ``pixel`` (y, x), from a
    :func:`~explorer.graph.receptive.block_field` answer."""
    y0, x0, y1, x1 = field["box"]
    py, px = field["position"]
    stride = field["stride"] if isinstance(field["stride"], list) else [field["stride"]] * 2
    out = []
    for centre, p, s, pix, n in (
        ((y0 + y1) / 2, py, stride[0], pixel[0], field["output"][0]),
        ((x0 + x1) / 2, px, stride[1], pixel[1], field["output"][1]),
    ):
        start = centre - p * s
        out.append(min(max(round((pix - start) / s), 0), n - 1))
    return out[0], out[1]


def neighbour_centres(field: dict[str, Any]) -> list[tuple[float, float]]:
    """The centres (y, x) of the chosen output and its eight neighbours: the stride grid."""
    y0, x0, y1, x1 = field["box"]
    cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
    stride = field["stride"] if isinstance(field["stride"], list) else [field["stride"]] * 2
    h, w = field["output"]
    py, px = field["position"]
    out = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if 0 <= py + dy < h and 0 <= px + dx < w:
                out.append((cy + dy * stride[0], cx + dx * stride[1]))
    return out


def cascade(n: int, channels: int) -> dict[str, Any]:
    """n stacked 3x3 convs against the one (2n+1)x(2n+1) conv of the same field, C channels
    in and out, no bias (Simonyan and Zisserman 2015, Sec. 2.3): field, weights, MACs per
    output pixel and non-linearities of each."""
    k = 2 * n + 1
    c2 = channels * channels
    return {
        "field": k,
        "stack": {"layers": n, "params": 9 * n * c2, "macs_per_pixel": 9 * n * c2, "relus": n},
        "single": {"kernel": k, "params": k * k * c2, "macs_per_pixel": k * k * c2, "relus": 1},
    }


def cascade_text(n: int, channels: int) -> str:
    """One line of :func:`cascade` for the panel: "three 3x3 (27C²) vs one 7x7 (49C²)"."""
    c = cascade(n, channels)
    s, one = c["stack"], c["single"]
    return (
        f"{n} stacked 3x3 convs see {c['field']}x{c['field']} of the map they take, as one "
        f"{one['kernel']}x{one['kernel']} conv does: {9 * n}C² = {s['params']:,} weights "
        f"against {one['kernel'] ** 2}C² = {one['params']:,} (C = {channels}), {n} ReLUs "
        "against 1"
    )


# -- a click on a tile of the feature-map panel ------------------------------------------------


def tile_position(page: FeaturePage, x: float, y: float) -> tuple[int, int, int] | None:
    """(channel, row, column) of the output value under pixel (x, y) of a page of feature
    maps (:func:`~explorer.present.panels.feature_page`), or None between the tiles."""
    c = page.tile_at(x, y)
    if c is None:
        return None
    h, w = page.tile
    return c, int(y) % (h + page.gap), int(x) % (w + page.gap)


def map_position(
    shape: tuple[int, int], shown: tuple[int, int], x: float, y: float
) -> tuple[int, int] | None:
    """The output position (row, column) of a ``shape`` map drawn stretched over ``shown``
    (height, width) pixels (the enlarged map, over the input image or alone) under (x, y)."""
    if not (0 <= x < shown[1] and 0 <= y < shown[0]):
        return None
    return int(y * shape[0] / shown[0]), int(x * shape[1] / shown[1])


# -- effective fields compared -------------------------------------------------------------------

#: what the comparison box offers: (text, what ``compare_effective`` compares with); a twin
#: network is put in for ``TWIN``
TWIN = "{twin}"
COMPARISONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("with random weights", ("random",)),
    ("with {twin}", (TWIN,)),
    ("with random weights and {twin}", ("random", TWIN)),
)


def twin_of(name: str) -> str | None:
    """The network that differs from ``name`` by its skip connections alone (the built-in
    plain56 for resnet56 and the other way round), or None."""
    from explorer.models.registry import RegistryError, get, model_names

    try:
        spec = get(name)
    except RegistryError:
        return None
    twin = (spec.extra or {}).get("twin")
    if twin:
        return str(twin)
    for other in model_names():
        if (get(other).extra or {}).get("twin") == name:
            return other
    return None


def comparisons(name: str) -> list[tuple[str, list[str]]]:
    """The comparison box's items for network ``name``: (text, what to compare with)."""
    twin = twin_of(name)
    out = []
    for text, what in COMPARISONS:
        if TWIN in what and twin is None:
            continue
        out.append((text.format(twin=twin), [twin if w == TWIN else w for w in what]))
    return out


def net_title(net: dict[str, Any]) -> str:
    """The heading of one compared map: the network, its weights, its spread."""
    sy, sx = net["std_px"]
    weights = "random weights" if net.get("init") else net["weights"]
    return (
        f"<b>{net['model']}</b>, {weights}<br>std {sy:.1f} x {sx:.1f} px, 95 % in "
        f"{net['mass95_px']:,} px ({net['mass95_share'] * 100:.0f} %)"
    )


def shared_top(nets: list[dict[str, Any]]) -> float:
    """The top of the one colour scale of the compared maps (each sums to 1)."""
    return max(float(n["map"].max()) for n in nets)


def compare_caption(res: dict[str, Any]) -> str:
    """What the compared maps are: the value, the images, what random weights mean."""
    y, x = res["position"]
    nets = res["nets"]
    f = nets[0]
    rf = f["rf"] if isinstance(f["rf"], int) else f"{f['rf'][0]}x{f['rf'][1]}"
    images = "this image" if res["data"] == "this image" else f"{res['images']} images of "
    images += "" if res["data"] == "this image" else res["data"]
    text = (
        f"Effective field of <b>{res['block']}</b> at ({y}, {x}) over {images}: the gradient "
        f"of that value on the input, summed over channels and images, each map scaled to sum "
        f"1 and drawn on one colour scale; std in rows x columns, and the pixels that hold 95 % "
        f"of it (their share of the theoretical field, the {rf} px square, dashed past the "
        "image)."
    )
    random = next((n for n in nets if n.get("init")), None)
    if random is not None:
        text += (
            f" Random weights: {random['weights']}, {random['init']}; BatchNorm in eval mode "
            "(running mean 0, variance 1)."
        )
    return text
