"""Every zoo entry, tested the same way: build, forward, trace, counts, layout geometry."""

from __future__ import annotations

import math

import pytest
import torch
from _preact import preact_params

from explorer.graph.analysis import analyze
from explorer.graph.shapes import TensorShape, infer_shapes
from explorer.graph.trace import meta_values
from explorer.models import registry
from explorer.present.layout import compute_layout, default_expanded, expand_all

# models with a layer that has no shape rule (their shapes come from a meta-device run)
META_SHAPES = {"dm_nfnet_f0"}

torch.manual_seed(0)


def _params(spec: registry.ModelSpec) -> list:
    marks = [pytest.mark.slow] if spec.slow else []
    return pytest.param(spec.name, marks=marks, id=spec.name)


ALL = [_params(s) for s in registry.list_models()]


def reference_params(name: str) -> int:
    spec = registry.get(name)
    ref = spec.reference_params()
    if ref is not None:
        return ref
    if name.startswith("plain"):
        # the residual twin's published count minus its projection shortcuts
        # (1x1 conv, no bias, + BN with 2 parameters per channel) at stages 2-4
        twin = registry.get(spec.extra["twin"]).reference_params()
        assert twin is not None
        proj = sum(cin * cout + 2 * cout for cin, cout in ((64, 128), (128, 256), (256, 512)))
        return twin - proj
    if name == "highway":
        # stem conv3x3 1->32 + BN; per stage s of width w: 3 highway layers
        # (H conv3x3 w*w*9 + BN 2w, T conv3x3 w*w*9 + bias w); transitions 1x1 conv + BN; fc
        widths = (32, 64, 128)
        n = 1 * 32 * 9 + 2 * 32
        prev = 32
        for i, w in enumerate(widths):
            if i:
                n += prev * w + 2 * w
            n += 3 * (w * w * 9 + 2 * w + w * w * 9 + w)
            prev = w
        return n + 128 * 10 + 10
    if name.startswith("preact_resnet"):
        return preact_params(spec.extra["depth"], spec.extra["bottleneck"])
    raise AssertionError(f"no reference for {name}")


def _check_layout_geometry(an, expanded, collapse_repeats: bool) -> None:
    lay = compute_layout(an.tree, expanded, collapse_repeats=collapse_repeats)
    by_parent: dict = {}
    for b in lay.boxes.values():
        by_parent.setdefault(b.parent, []).append(b)
        if b.parent is not None:
            f = lay.boxes[b.parent]
            assert f.open
            assert f.x <= b.x and b.x + b.w <= f.x + f.w + 1e-6, (b.id, f.id)
            assert f.y <= b.y and b.y + b.h <= f.y + f.h + 1e-6, (b.id, f.id)
    for sibs in by_parent.values():
        sibs.sort(key=lambda b: (b.y, b.x))
        for i, a in enumerate(sibs):
            for b in sibs[i + 1 :]:
                if b.y >= a.y + a.h:
                    break
                assert not a.overlaps(b), (a.id, b.id)
    # every graph edge between different units is drawn between exactly those units
    drawn = {(e.src, e.dst): e for e in lay.edges}
    for u, v in an.graph.g.edges():
        su, sv = lay.unit_of_node[u], lay.unit_of_node[v]
        if su == sv:
            continue
        e = drawn[(su, sv)]
        assert lay.boxes[su].contains_point(*e.points[0])
        assert lay.boxes[sv].contains_point(*e.points[-1])
    for e in lay.edges:
        assert not lay.boxes[e.src].open and not lay.boxes[e.dst].open


@pytest.mark.parametrize("name", ALL)
def test_zoo_entry(name: str) -> None:
    spec = registry.get(name)
    an = analyze(spec)
    model, mg = an.model, an.graph
    # builds and runs a forward pass on its input size
    x = torch.randn(1, *spec.input_size)
    with torch.inference_mode():
        y = model(x)
    assert y.shape == (1, spec.num_classes)
    # traced with fx, and the traced module computes what the model computes
    assert mg.method == "fx", mg.trace_error
    with torch.inference_mode():
        y_fx = mg.gm(x)
    torch.testing.assert_close(y_fx, y, rtol=1e-4, atol=1e-5)
    assert mg.g.nodes["@output"]["out_shape"] == [1, spec.num_classes]
    # the parameter count equals the reference exactly
    assert mg.total_params == reference_params(name)
    assert an.tree.root.params == mg.total_params
    # torchvision's published GFLOPS are GMACs: within 1%
    ref_macs = spec.reference_macs()
    if ref_macs is not None:
        assert math.isclose(mg.total_macs, ref_macs, rel_tol=0.01), (mg.total_macs, ref_macs)
    # shapes by rule equal shapes from running the graph on the meta device
    if mg.shape_method == "rules":
        meta = meta_values(mg.fx_graph, model, mg.input_shape)
        rules = infer_shapes(mg.fx_graph, model, mg.input_shape)
        for node in mg.fx_graph.nodes:
            if isinstance(meta[node], TensorShape):
                assert rules[node] == meta[node], node.name
    else:
        assert name in META_SHAPES, f"{name} fell back to meta shapes"
    # the layout has no overlapping boxes and every edge joins the right boxes
    _check_layout_geometry(an, default_expanded(an.tree), True)
    _check_layout_geometry(an, expand_all(an.tree), True)
    _check_layout_geometry(an, expand_all(an.tree), False)


def test_zoo_covers_the_lecture() -> None:
    names = set(registry.model_names())
    lecture = {
        "lenet5",
        "alexnet",
        "alexnet2012",
        "vgg11",
        "vgg13",
        "vgg16",
        "vgg19",
        "vgg11_bn",
        "vgg13_bn",
        "vgg16_bn",
        "vgg19_bn",
        "googlenet",
        "inception_v3",
        "inception_v4",
        "inception_resnet_v2",
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "plain18",
        "plain34",
        "highway",
        "xception",
        "seresnet50",
        "senet154",
        "repvgg_a0",
        "repvgg_b3g4",
        "resnext50_32x4d",
        "wide_resnet50_2",
        "densenet121",
        "squeezenet1_1",
        "mobilenet_v2",
        "mobilenet_v3_large",
        "shufflenet_v2_x1_0",
        "efficientnet_b0",
        "regnet_y_400mf",
        "convnext_tiny",
        "dm_nfnet_f0",
    }
    assert lecture <= names, lecture - names
