"""The receptive field as a box on the input: per axis, with padding, stride and dilation,
checked against the support of the gradient (every weight 1: no cancellation)."""

from __future__ import annotations

import json

import pytest
import torch
from cli_expect import assert_one_error, run
from torch import nn

from explorer.graph.blocks import build_blocks
from explorer.graph.receptive import FieldError, block_field
from explorer.graph.trace import build_graph
from tests._models import analysis


def _tree(model: nn.Module, size: tuple[int, int] = (40, 40)):
    return build_blocks(build_graph(model, (1, 1, *size)))


def _support(model: nn.Module, size: tuple[int, int], position: tuple[int, int]):
    """(y0, x0, y1, x1) of the input pixels whose gradient is not zero, for the output value
    at ``position`` (channel 0), with every weight 1 and no bias: the true field on the
    image."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.ones_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    x = torch.ones(1, 1, *size, requires_grad=True)
    model(x)[0, 0, position[0], position[1]].backward()
    nz = x.grad[0, 0].nonzero()
    return (int(nz[:, 0].min()), int(nz[:, 1].min()), int(nz[:, 0].max()), int(nz[:, 1].max()))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_a_stack_of_n_3x3_convs_sees_2n_plus_1(n: int) -> None:
    model = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(n)])
    f = block_field(_tree(model), str(n - 1), (10, 12))
    assert f["rf"] == 2 * n + 1 and f["stride"] == 1
    assert f["box"] == [10 - n, 12 - n, 10 + n, 12 + n]


@pytest.mark.parametrize(
    "layers, size, position",
    [
        (
            [nn.Conv2d(1, 1, 3, stride=2, padding=1), nn.Conv2d(1, 1, 3, padding=1)],
            (40, 40),
            (5, 7),
        ),
        (
            [nn.Conv2d(1, 1, 3, padding=2, dilation=2), nn.Conv2d(1, 1, 5, stride=3)],
            (41, 41),
            (4, 2),
        ),
        (
            [nn.Conv2d(1, 1, 7, stride=2, padding=3), nn.AvgPool2d(3, 2, 1), nn.Conv2d(1, 1, 3)],
            (64, 64),
            (3, 6),
        ),
        (
            [nn.Conv2d(1, 1, (1, 7), padding=(0, 3)), nn.Conv2d(1, 1, (7, 1), stride=(2, 1))],
            (30, 30),
            (4, 9),
        ),
        ([nn.Conv2d(1, 1, 4, stride=2, padding=1), nn.Conv2d(1, 1, 2, stride=2)], (32, 32), (3, 4)),
    ],
)
def test_the_box_is_where_the_gradient_reaches(layers, size, position) -> None:
    model = nn.Sequential(*layers)
    f = block_field(_tree(model, size), str(len(layers) - 1), position)
    assert f["inside"] == list(_support(model, size, position))
    y0, x0, y1, x1 = f["box"]
    rf = f["rf"] if isinstance(f["rf"], list) else [f["rf"], f["rf"]]
    assert [y1 - y0 + 1, x1 - x0 + 1] == rf


def test_the_published_fields() -> None:
    vgg = analysis("vgg16").tree
    f = block_field(vgg, "features.30")  # pool5
    assert (f["rf"], f["stride"], f["output"]) == (212, 32, [7, 7])
    assert f["box"] == [6, 6, 217, 217]  # the centre value: centred on the image
    r50 = analysis("resnet50").tree
    f = block_field(r50, "layer4", (0, 0))
    assert (f["rf"], f["stride"]) == (427, 32)
    assert f["box"] == [-213, -213, 213, 213] and f["inside"] == [0, 0, 213, 213]
    assert block_field(r50, "conv1", (0, 0))["box"] == [-3, -3, 3, 3]


@pytest.mark.parametrize(
    "block, position, says",
    [
        ("avgpool", None, "no spatial output"),
        ("fc", None, "no spatial output"),
        ("layer4", (7, 0), "outside the output of 'layer4', 7x7"),
        ("layer4", (-1, 0), "outside"),
        ("nope", None, "no block 'nope'"),
    ],
)
def test_fields_that_cannot_be_asked_for(block, position, says) -> None:
    with pytest.raises(FieldError, match=says):
        block_field(analysis("resnet50").tree, block, position)


def test_rf_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rf", "resnet20", "--block", "layer1.0", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == {
        "model", "block", "rf", "stride", "position", "box", "inside", "output", "input",
        "effective", "compared",
    }  # fmt: skip
    assert d["effective"] is None and d["compared"] is None and d["position"] == [15, 15]
    code, out, err = run(capsys, "rf", "vgg16", "--block", "features.30")
    assert "receptive field 212 px, stride 32 px" in out and "rows 6..217" in out
    assert_one_error(run(capsys, "rf", "resnet20", "--block", "fc"), "no spatial output", "rf")
    assert_one_error(
        run(capsys, "rf", "resnet20", "--block", "layer1", "--position", "99,0"), "outside", "rf"
    )


# -- the effective field --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 4, 6])
def test_the_effective_field_of_a_linear_stack_is_a_repeated_box(n: int) -> None:
    """Equal weights and no non-linearity: the n-fold convolution of a 3-px box, whose std is
    sqrt(n (3^2 - 1) / 12) px along each axis (Luo et al. 2016)."""
    from explorer.studies.field.effective import gradient_map, spread

    model = nn.Sequential(*[nn.Conv2d(2, 2, 3, padding=1, bias=False) for _ in range(n)])
    for m in model:
        nn.init.constant_(m.weight, 0.25)
    x = torch.randn(3, 2, 48, 48)
    stats = spread(gradient_map(model, str(n - 1), x, (24, 20)), 3)
    want = (n * (3**2 - 1) / 12) ** 0.5
    assert stats["std_px"] == pytest.approx([want, want], abs=1e-3)
    assert stats["centre_px"] == pytest.approx([24, 20], abs=1e-6)
    assert stats["mass95_px"] <= (2 * n + 1) ** 2 and stats["images"] == 3


def test_effective_field_errors() -> None:
    from explorer.studies.field.effective import EffectiveFieldError, gradient_map, spread

    model = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1))
    with pytest.raises(EffectiveFieldError, match="not a module of its own"):
        gradient_map(model, "0:add", torch.zeros(1, 1, 8, 8), (1, 1))
    with pytest.raises(EffectiveFieldError, match="zero everywhere"):
        spread(torch.zeros(8, 8, dtype=torch.float64), 1)


def test_rf_effective_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "rf", "resnet20", "--block", "layer2", "--effective", "--limit", "4", "--json"
    )
    assert code == 0, err
    eff = json.loads(out)["effective"]
    assert eff["images"] == 4 and eff["data"] == "digits (test)"
    sy, sx = eff["std_px"]
    assert 0 < sy < 32 and 0 < sx < 32 and 0 < eff["mass95_share"] <= 1
    assert_one_error(
        run(capsys, "rf", "repvgg_small+fused", "--block", "stage1", "--effective"),
        "not NAME+fused",
        "rf",
    )
