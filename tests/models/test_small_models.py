"""The small digits models and the weights the program ships for them.

Each is built, run, counted and grouped into blocks; its bundled checkpoint is small, fits
every tensor, and gives on digits' test split the accuracy its registry entry records.
"""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
import torch

from explorer.graph.analysis import analyze
from explorer.models import registry
from explorer.models.weights import WeightsError, bundled_weights, load_bundled
from explorer.runtime.datasets import digits
from explorer.runtime.pipeline import apply_weights
from explorer.studies.training.train import evaluate

SMALL = [
    "lenet5",
    "highway",
    "vgg_small",
    "resnet20",
    "resnet56",
    "plain20",
    "plain56",
    "se_resnet20",
    "repvgg_small",
    "inception_small",
]
NEW = SMALL[2:]
FAMILY = {
    "vgg_small": ("VGG", 2014),
    "resnet20": ("ResNet", 2015),
    "resnet56": ("ResNet", 2015),
    "plain20": ("ResNet", 2015),
    "plain56": ("ResNet", 2015),
    "se_resnet20": ("SENet", 2018),
    "repvgg_small": ("RepVGG", 2021),
    "inception_small": ("Inception", 2014),
}
#: name -> {kind: number of blocks of that kind}
KINDS = {
    "vgg_small": {"residual": 0},
    "resnet20": {"residual": 9},
    "resnet56": {"residual": 27},
    "plain20": {"residual": 0},
    "plain56": {"residual": 0},
    "se_resnet20": {"se": 9, "residual": 9},
    "repvgg_small": {"repvgg": 9, "residual": 0},
    "inception_small": {"inception": 5},
    "highway": {"highway": 9},
}


@pytest.mark.parametrize("name", NEW)
def test_spec(name: str) -> None:
    spec = registry.get(name)
    assert (spec.family, spec.year) == FAMILY[name]
    assert spec.input_size == (1, 32, 32) and (spec.mean, spec.std) == ((0.5,), (0.5,))
    assert (spec.classes, spec.num_classes, spec.lecture) == ("digits", 10, True)
    assert "trained by the project" in spec.description


@pytest.mark.parametrize("name", SMALL)
def test_build_forward_count_blocks(name: str) -> None:
    spec = registry.get(name)
    torch.manual_seed(0)
    an = analyze(spec)
    with torch.inference_mode():
        out = an.model(torch.randn(2, 1, 32, 32))
    assert out.shape == (2, 10)
    params = sum(p.numel() for p in an.model.parameters())
    if spec.reference_params() is not None:
        assert params == spec.reference_params()
    for kind, count in KINDS.get(name, {}).items():
        assert an.tree.count(kind) == count, kind


def test_twins_have_the_same_parameters() -> None:
    """Option-A shortcuts have no parameters: a residual net and its plain twin match."""
    for depth in (20, 56):
        res, plain = registry.get(f"resnet{depth}").build(), registry.get(f"plain{depth}").build()
        shapes = {k: v.shape for k, v in res.state_dict().items()}
        assert shapes == {k: v.shape for k, v in plain.state_dict().items()}
    an = analyze(registry.get("resnet20"))
    shortcuts = sorted(
        b.motif.shortcut for b in an.tree.blocks.values() if b.kind == "residual" and b.motif
    )
    assert shortcuts == ["identity"] * 7 + ["parameter-free"] * 2
    se = registry.get("se_resnet20").build()
    assert isinstance(se.layer1[0].se.gate, torch.nn.Sigmoid)


@pytest.fixture(scope="module")
def test_split():  # noqa: ANN201
    return digits("test")


@pytest.mark.parametrize("name", SMALL)
def test_bundled_checkpoint(name: str, test_split) -> None:  # noqa: ANN001
    spec = registry.get(name)
    path = bundled_weights(spec)
    assert path is not None, f"no bundled weights for {name}"
    assert path.name == f"{name}.pt" and path.stat().st_size <= 2_000_000
    model = spec.build()
    info = load_bundled(spec, model)
    report = info.report
    assert report is not None and report.matched == report.model_keys
    assert not (report.missing or report.unexpected or report.mismatched)
    assert all(
        t.dtype == torch.float32 for t in model.state_dict().values() if t.is_floating_point()
    )
    recorded = spec.extra["digits_test_top1"]
    assert (info.kind, info.trained) == ("bundled", True)
    assert info.label == f"bundled (digits, {recorded:.1f} %)"
    assert info.categories == [str(d) for d in range(10)]
    _, top1 = evaluate(model, test_split)
    assert abs(top1 - recorded) <= 0.01
    assert top1 >= 90.0
    # the training curve beside it records the same figure and the command
    curve = json.loads(
        files("explorer.resources").joinpath(f"small/{name}.json").read_text(encoding="utf-8")
    )
    assert curve["model"] == name and curve["params"] == sum(p.numel() for p in model.parameters())
    assert abs(curve["test_top1"] - recorded) <= 0.01
    assert curve["command"] == spec.extra["trained_by"]
    assert len(curve["history"]) == curve["epochs"] >= 1


def test_auto_and_bundled_choices() -> None:
    spec = registry.get("resnet20")
    assert apply_weights(spec, spec.build(), "auto").kind == "bundled"
    assert apply_weights(spec, spec.build(), "bundled").kind == "bundled"
    assert apply_weights(spec, spec.build(), "random").kind == "random"
    # a model that holds other weights gets every tensor replaced
    model = spec.build()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.123)
    apply_weights(spec, model, "bundled", fresh=False)
    fresh = spec.build()
    load_bundled(spec, fresh)
    for key, value in fresh.state_dict().items():
        if not key.endswith("num_batches_tracked"):
            assert torch.equal(value, model.state_dict()[key]), key


def test_no_bundled_weights() -> None:
    spec = registry.get("plain18")
    assert bundled_weights(spec) is None
    with pytest.raises(WeightsError, match="plain18: has no bundled weights"):
        apply_weights(spec, spec.build(), "bundled")
    with pytest.raises(WeightsError, match="has no bundled weights"):
        load_bundled(spec, spec.build())


def test_pack_stores_float16_and_8_bit_only_where_needed(tmp_path) -> None:  # noqa: ANN001
    from explorer.models.checkpoint import Q8_SUFFIX, read_state_dict
    from explorer.studies.training.train import pack_state_dict, save_checkpoint

    torch.manual_seed(0)
    state = registry.get("vgg_small").build().state_dict()
    packed = pack_state_dict(state)
    assert {t.dtype for t in packed.values()} == {torch.float16}
    assert set(packed) == {k for k in state if not k.endswith("num_batches_tracked")}
    # under a tighter limit the largest weights go to 8 bits, largest first, until it fits
    size = save_checkpoint(state, tmp_path / "q.pt", max_bytes=200_000)
    assert size <= 200_000
    raw = torch.load(tmp_path / "q.pt", weights_only=True)
    q8 = [k.removesuffix(Q8_SUFFIX) for k in raw if k.endswith(Q8_SUFFIX)]
    assert q8 and "stage3.2.conv.weight" in q8 and "fc.weight" not in q8
    back = read_state_dict(tmp_path / "q.pt")
    assert set(back) == set(packed)
    for k in q8:
        w = state[k].half().float()  # quantised from the float16 values
        step = w.abs().amax(dim=(1, 2, 3), keepdim=True) / 127
        assert back[k].dtype == torch.float32
        assert bool(((back[k] - w).abs() <= step * 0.501).all()), k
