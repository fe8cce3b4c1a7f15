"""Residual networks as ensembles of paths (Veit et al. 2016): C(n, k) paths of length k; the
gradient of one sampled path equals the gradient of that path built by hand; the forward
values are untouched by the routing; the seed reproduces the paths; a plain network and bad
options are one line."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch
from cli_expect import assert_one_error, run
from torch import nn

from explorer.studies.paths.lengths import (
    effective_range,
    empty,
    num_paths,
    sample,
    subsets,
)
from explorer.studies.paths.routing import PathsError, Router, input_gradient, residual_units


class Block(nn.Module):
    """conv-BN-(ReLU)-conv-BN + shortcut (identity, or a 1x1 projection where the shape
    changes), (ReLU) after the sum."""

    def __init__(self, c_in: int, c_out: int, stride: int, relu: bool) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.act = nn.ReLU() if relu else nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut: nn.Module = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )
        else:
            self.shortcut = nn.Identity()

    def branch(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn2(self.conv2(self.act(self.bn1(self.conv1(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.branch(x) + self.shortcut(x))


class Tiny(nn.Module):
    def __init__(self, relu: bool, n: int = 3) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        chans = [4, 4, 8, 8, 8, 8, 8, 8][: n + 1]
        self.blocks = nn.Sequential(
            *[
                Block(chans[i], chans[i + 1], 2 if chans[i] != chans[i + 1] else 1, relu)
                for i in range(n)
            ]
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(chans[n], 5)

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(x), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))


def _analysis(net: nn.Module, name: str = "tiny"):  # noqa: ANN202
    from explorer.graph.analysis import analyze
    from explorer.models.registry import ModelSpec

    spec = ModelSpec(
        name=name, family="test", paper="", year=2016, builder=lambda: net,
        input_size=(3, 8, 8), classes="test", num_classes=5,
    )  # fmt: skip
    net.eval()
    return analyze(spec, model=net)


def _trained_like(relu: bool, n: int = 3, seed: int = 0) -> Tiny:
    """A tiny network with BatchNorm statistics that are not the identity."""
    torch.manual_seed(seed)
    net = Tiny(relu, n)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return net.eval()


def _loss(router: Router, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(input with grad, loss, dL/dlogits) through the router."""
    x = x.clone().requires_grad_(True)
    logits = router(x)
    y = torch.arange(x.shape[0]) % 5
    loss = nn.functional.cross_entropy(logits, y, reduction="sum")
    (g,) = torch.autograd.grad(loss, logits, retain_graph=True)
    return x, loss, g


def test_the_number_of_paths_of_each_length_is_n_choose_k() -> None:
    assert num_paths(3) == [1, 3, 3, 1]
    assert num_paths(27)[13] == math.comb(27, 13) == 20_058_300
    assert sum(num_paths(54)) == 2**54  # ResNet-110's 54 blocks: 2^54 paths
    # few paths of a length: every one of them; many: the number asked for, drawn at random
    rng = random.Random(0)
    assert subsets(4, 2, 10, rng) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    drawn = subsets(27, 13, 5, rng)
    assert len(drawn) == 5 and all(len(set(s)) == 13 for s in drawn)


def test_the_effective_range_is_the_shortest_holding_90_percent() -> None:
    assert effective_range([0, 1, 8, 1, 0]) == (1, 2)  # 9 of 10: 90 %
    assert effective_range([0, 1, 8, 1, 0.5]) == (1, 3)  # of the two of width 3, the larger
    assert effective_range([0, 0, 95, 5, 0]) == (2, 2)
    assert effective_range([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]) is not None
    assert effective_range([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]) == (0, 8)
    assert effective_range([1, None, 3]) is None and effective_range([0, 0]) is None


def test_routing_leaves_the_forward_values_bit_for_bit() -> None:
    net = _trained_like(relu=True)
    an = _analysis(net)
    router = Router(an, residual_units(an))
    x = torch.randn(4, 3, 8, 8)
    with torch.no_grad():
        want = net(x)
    for chosen in ([], [1], [0, 2]):
        router.through(chosen)
        assert torch.equal(router(x), want)
    # a built-in network with parameter-free (subsample and pad) shortcuts too
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get

    big = analyze(get("resnet20"))
    big.model.eval()
    units = residual_units(big)
    assert len(units) == 9 and {u.shortcut for u in units} == {"identity", "parameter-free"}
    routed = Router(big, units, copy_model=True)
    routed.module.eval()
    x = torch.randn(2, *big.graph.input_shape[1:])
    routed.through([0, 4, 8])
    with torch.no_grad():
        assert torch.equal(routed(x), big.model(x))


@pytest.mark.parametrize("chosen", [(), (1,), (0, 2), (0, 1, 2)])
def test_a_linear_networks_path_is_the_product_of_its_branches(chosen) -> None:
    """Without ReLUs every block is linear, so the path can be built as a network of its
    own: the stem, the chosen blocks' branches and the others' shortcuts, the head."""
    net = _trained_like(relu=False)
    an = _analysis(net)
    router = Router(an, residual_units(an))
    x, loss, g = _loss(router, torch.randn(3, 3, 8, 8))
    got = input_gradient(router, x, loss, chosen)
    parts: list[nn.Module] = [net.stem]
    for i, b in enumerate(net.blocks):
        parts.append(_Branch(b) if i in chosen else b.shortcut)
    path = nn.Sequential(*parts)
    x2 = x.detach().clone().requires_grad_(True)
    (want,) = torch.autograd.grad(net.head(path(x2)), x2, grad_outputs=g)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-9)
    # and not the ordinary gradient (unless every block is on it, both ways: never)
    (full,) = torch.autograd.grad(loss, x, retain_graph=True)
    assert not torch.allclose(got, full)


class _Branch(nn.Module):
    def __init__(self, block: Block) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block.branch(x)


@pytest.mark.parametrize("chosen", [(), (2,), (0, 1), (0, 1, 2)])
def test_a_paths_gradient_is_the_chain_of_its_own_jacobians(chosen) -> None:
    """With ReLUs: the path's gradient, built by hand from the full network's forward values
    (each ReLU's mask, each branch's and shortcut's Jacobian at its input), block by block."""
    net = _trained_like(relu=True)
    an = _analysis(net)
    router = Router(an, residual_units(an))
    x, loss, g = _loss(router, torch.randn(3, 3, 8, 8))
    got = input_gradient(router, x, loss, chosen)

    def vjp(fn, at: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:  # noqa: ANN001
        at = at.detach().clone().requires_grad_(True)
        (out,) = torch.autograd.grad(fn(at), at, grad_outputs=grad)
        return out

    with torch.no_grad():
        h = [net.stem(x)]
        pre = []
        for b in net.blocks:
            pre.append(b.branch(h[-1]) + b.shortcut(h[-1]))
            h.append(torch.relu(pre[-1]))
    grad = vjp(net.head, h[-1], g)
    for i in reversed(range(len(net.blocks))):
        b = net.blocks[i]
        grad = grad * (pre[i] > 0)
        grad = vjp(b.branch if i in chosen else b.shortcut, h[i], grad)
    want = vjp(net.stem, x, grad)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-9)


def _measured(seed: int, samples: int = 3):  # noqa: ANN202
    net = _trained_like(relu=True, n=6)
    an = _analysis(net)
    units = residual_units(an)
    router = Router(an, units)
    torch.manual_seed(1)
    x = torch.randn(4, 3, 8, 8)
    y = torch.tensor([0, 1, 2, 3])
    res = empty("tiny", "w", "data", 4, [u.id for u in units], [u.shortcut for u in units],
                samples, seed)  # fmt: skip
    steps = list(_drain(sample(router, [(x[:2], y[:2]), (x[2:], y[2:])], res)))
    return res, steps


def _drain(gen):  # noqa: ANN001, ANN202
    try:
        while True:
            yield next(gen)
    except StopIteration:
        return


def test_the_seed_reproduces_the_paths_and_their_gradients() -> None:
    a, steps = _measured(seed=7)
    b, _ = _measured(seed=7)
    c, _ = _measured(seed=8)
    assert a.samples == [1, 3, 3, 3, 3, 3, 1] and a.complete
    assert a.grad_sum == b.grad_sum and a.count == b.count
    assert a.grad_sum != c.grad_sum  # other paths drawn
    # the ends are exact (one path each): the same whatever the seed
    assert a.grad_sum[0] == c.grad_sum[0] and a.grad_sum[-1] == c.grad_sum[-1]
    assert all(v is not None and v > 0 for v in a.grad_norm)
    # a snapshot after every length of every batch, the fraction rising to 1
    assert len(steps) == 2 * sum(a.samples) and steps[-1][0] == pytest.approx(1.0)
    assert len([s for s in steps if s[2] is not None]) == 2 * 7
    assert [s[0] for s in steps] == sorted(s[0] for s in steps)
    out = a.as_json()
    assert out["contribution"][3] == pytest.approx(20 * out["grad_norm"][3])
    assert out["effective"] == list(effective_range(out["contribution"]))


def test_a_length_not_measured_yet_is_null() -> None:
    res = empty("m", "w", "d", 4, ["a", "b"], ["identity"] * 2, 5, 0)
    res.grad_sum[0], res.count[0] = 2.0, 4
    out = res.as_json()
    assert out["grad_norm"] == [0.5, None, None] and out["contribution"] == [0.5, None, None]
    assert out["effective"] is None
    json.dumps(out, allow_nan=False)


def test_the_command_prints_the_issues_json(capsys) -> None:
    code, out, err = run(capsys, "paths", "resnet20", "--limit", "2", "--samples", "2", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert list(obj) == [
        "model", "weights", "data", "n_blocks", "blocks", "lengths", "num_paths",
        "grad_norm", "contribution", "effective", "samples",
    ]  # fmt: skip
    assert (
        obj["n_blocks"] == 9 and obj["blocks"][0] == "layer1.0" and obj["blocks"][-1] == "layer3.2"
    )
    assert obj["lengths"] == list(range(10)) and obj["num_paths"] == num_paths(9)
    assert obj["data"]["n"] == 2 and obj["samples"] == [1, 2, 2, 2, 2, 2, 2, 2, 2, 1]
    lo, hi = obj["effective"]
    assert 0 <= lo <= hi <= 9
    assert all(c == pytest.approx(p * g) for p, g, c in
               zip(obj["num_paths"], obj["grad_norm"], obj["contribution"], strict=True))  # fmt: skip


def test_a_network_without_residual_blocks_is_one_line(capsys) -> None:
    line = assert_one_error(run(capsys, "paths", "plain20"), "no residual blocks", "paths")
    assert "plain20" in line
    assert_one_error(run(capsys, "paths", "resnet20", "--data", "/nonexistent.npz"), "nonexistent",
                     "paths")  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        run(capsys, "paths", "resnet20", "--samples", "0")
    err = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and len(err) == 1 and "--samples" in err[0]
    with pytest.raises(PathsError, match="no residual blocks"):
        residual_units(
            _analysis(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(144, 5)))
        )


class Pre(nn.Module):
    """A block whose sum feeds the next block at once (pre-activation, ``out += x``), or a
    weighted sum (``torch.add(..., alpha=3)``)."""

    def __init__(self, weighted: bool) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(4, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)
        self.weighted = weighted

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.c2(torch.relu(self.c1(x)))
        if self.weighted:
            return torch.add(out, x, alpha=3.0)
        out += x
        return out


class Chained(nn.Module):
    def __init__(self, weighted: bool = False) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.blocks = nn.Sequential(*[Pre(weighted) for _ in range(3)])
        self.fc = nn.Linear(4, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


def test_sums_that_feed_the_next_block_at_once_are_routed() -> None:
    torch.manual_seed(0)
    net = Chained().eval()
    an = _analysis(net, "chained")
    units = residual_units(an)
    assert len(units) == 3
    router = Router(an, units, copy_model=True)
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        assert torch.equal(router(x), net(x))
    xg, loss, _g = _loss(router, x)
    grads = [input_gradient(router, xg, loss, c) for c in ([], [0], [0, 1, 2])]
    assert all(torch.isfinite(g).all() for g in grads)
    assert not torch.equal(grads[0], grads[1])


def test_a_weighted_sum_is_refused_in_one_line() -> None:
    an = _analysis(Chained(weighted=True).eval(), "weighted")
    with pytest.raises(PathsError, match="weighted"):
        residual_units(an)
