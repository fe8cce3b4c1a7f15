"""The loss landscape (Li et al. 2018): filter normalisation, the weights moved in place and
put back, the centre as ``lesion`` measures it, a grid point recomputed by hand from the saved
directions, the interpolation's ends, the progressive order, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from cli_expect import assert_one_error, run
from torch import nn

from explorer.studies.landscape.directions import (
    LandscapeError,
    check_directions,
    filter_normalized,
    random_directions,
)
from explorer.studies.landscape.grid import (
    Moved,
    axis,
    evaluate_point,
    index_levels,
    progressive_order,
    roughness,
)

SMALL = ("--limit", "24", "--batch-size", "12")


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 5),
    )


def test_every_filter_of_a_direction_has_the_norm_of_the_weights_filter() -> None:
    net = _net()
    d = random_directions(net, seed=3, dims=2)
    for axis_ in ("x", "y"):
        for name, p in net.named_parameters():
            t = d[axis_][name]
            assert t.shape == p.shape
            if p.dim() <= 1:  # biases and BatchNorm: not moved
                assert not t.any(), name
                continue
            got = t.reshape(t.shape[0], -1).norm(dim=1)
            want = p.detach().reshape(p.shape[0], -1).norm(dim=1)
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    # x and y differ, and a filter keeps its own direction (not the weights')
    w = net[0].weight
    assert not torch.allclose(d["x"]["0.weight"], d["y"]["0.weight"])
    assert not torch.allclose(d["x"]["0.weight"], w)


def test_directions_are_reproducible_from_the_seed() -> None:
    a = random_directions(_net(), seed=5, dims=2)
    b = random_directions(_net(), seed=5, dims=2)
    c = random_directions(_net(), seed=6, dims=2)
    for k in a["x"]:
        assert torch.equal(a["x"][k], b["x"][k]) and torch.equal(a["y"][k], b["y"][k])
    assert not torch.equal(a["x"]["0.weight"], c["x"]["0.weight"])


def test_a_zero_filter_of_the_weights_gives_a_zero_filter() -> None:
    w = torch.ones(2, 3)
    w[1] = 0
    d = filter_normalized(torch.randn(2, 3), w)
    assert d[1].abs().max() == 0 and abs(float(d[0].norm()) - 3**0.5) < 1e-5


def test_moving_the_weights_is_in_place_and_put_back_bit_for_bit() -> None:
    net = _net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    ids = {k: id(p) for k, p in net.named_parameters()}
    d = random_directions(net, 1, 2)
    with Moved(net, d["x"], d["y"]) as moved:
        moved.set(0.3, -0.7)
        w = net[0].weight
        want = before["0.weight"] + 0.3 * d["x"]["0.weight"] - 0.7 * d["y"]["0.weight"]
        torch.testing.assert_close(w.detach(), want)
        assert torch.equal(net[0].bias, before["0.bias"])  # biases are not moved
        assert torch.equal(net[1].weight, before["1.weight"])  # nor BatchNorm
        assert {k: id(p) for k, p in net.named_parameters()} == ids  # no model rebuilt
        # only what moves is copied: the directions' zero tensors are not kept
        assert set(moved.theta) == {"0.weight", "4.weight"}
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_the_grid_is_refined_level_by_level_and_every_point_comes_once() -> None:
    for n in (2, 3, 5, 21, 50, 201):
        levels = index_levels(n)
        assert levels[-1] == list(range(n))
        assert all(set(a) < set(b) for a, b in zip(levels, levels[1:], strict=False))
        assert {0, n // 2, n - 1} <= set(levels[0])
    order = progressive_order(21, 21)
    flat = [p for lv in order for p in lv]
    assert len(flat) == 441 == len(set(flat))
    assert len(order[0]) == 9 and (10, 10) in order[0]  # corners, edges' middles, centre
    one = progressive_order(7, None)
    assert sorted(p for lv in one for p in lv) == [(0, j) for j in range(7)]


def test_the_axis_puts_the_trained_point_on_the_grid_and_refuses_bad_ranges() -> None:
    xs = axis(-1, 1, 21)
    assert xs[10] == 0.0 and xs[0] == -1 and xs[-1] == 1
    assert axis(-0.3, 0.9, 5)[1] == 0.0
    for bad in [(-1, 1, 1), (-1, 1, 202), (1, -1, 5), (0, 0, 5), (float("nan"), 1, 5)]:
        with pytest.raises(LandscapeError):
            axis(*bad)


def test_roughness_counts_minima_and_the_largest_second_difference() -> None:
    x = np.linspace(-1, 1, 11)
    bowl = x[None, :] ** 2 + x[:, None] ** 2
    r = roughness(bowl)
    assert r["local_minima"] == 1
    assert abs(r["max_second_difference"] - 2 * 0.2**2) < 1e-12
    bumpy = bowl + 0.5 * np.sin(12 * x)[None, :]
    assert roughness(bumpy)["local_minima"] > 1
    assert roughness(bumpy)["max_second_difference"] > 10 * r["max_second_difference"]
    line = roughness(np.array([3.0, 1.0, 2.0, 0.5, 4.0]))
    assert line == {"max_second_difference": 5.0, "local_minima": 2}  # |2 - 1 + 4|


def test_outputs_that_are_not_finite_are_a_point_without_a_loss() -> None:
    net = _net().eval()
    with torch.no_grad():
        net[4].weight.fill_(float("inf"))
    p = evaluate_point(net, [(torch.randn(4, 3, 6, 6), torch.zeros(4, dtype=torch.long))])
    assert p.loss is None and p.top1 is None


def test_directions_for_another_network_are_refused() -> None:
    net = _net()
    d = random_directions(net, 0, 2)
    check_directions(net, d, 2, "f.pt")
    wrong = {"x": dict(d["x"]), "y": dict(d["y"])}
    wrong["x"]["0.weight"] = torch.zeros(8, 3, 5, 5)
    with pytest.raises(LandscapeError, match="another network: 0.weight has shape"):
        check_directions(net, wrong, 2, "f.pt")
    with pytest.raises(LandscapeError, match="one direction"):
        check_directions(net, {"x": d["x"]}, 2, "f.pt")
    gone = {"x": {k: v for k, v in d["x"].items() if k != "4.bias"}}
    with pytest.raises(LandscapeError, match="1 parameters missing"):
        check_directions(net, gone, 1, "f.pt")


# -- the command ----------------------------------------------------------------------------


def test_the_centre_is_what_lesion_reports_and_a_point_recomputes_by_hand(capsys, tmp_path) -> None:
    saved = tmp_path / "dirs.pt"
    code, out, _err = run(
        capsys, "landscape", "resnet20", "--grid", "3", "--range", "-0.5,0.5",
        "--save-directions", str(saved), "--seed", "4", *SMALL, "--json",
    )  # fmt: skip
    assert code == 0
    got = json.loads(out)
    assert got["x"] == got["y"] == [-0.5, 0.0, 0.5]
    assert got["normalization"] == "filter" and got["ignored"] == "biasbn"
    assert "running statistics" in got["batchnorm"] and got["workers"] == 1
    assert got["data"]["n"] == 24 and got["seed"] == 4
    assert got["loss"][1][1] == got["center"]["loss"]
    code, out, _err = run(capsys, "lesion", "resnet20", *SMALL, "--json")
    intact = json.loads(out)["intact"]
    assert abs(intact["loss"] - got["center"]["loss"]) < 1e-6
    assert abs(intact["top1"] - got["center"]["top1"]) < 1e-9

    # the point (x = 0.5, y = -0.5) by hand: loss[0][2]
    from explorer.models.registry import get
    from explorer.runtime.datasets import open_eval_set
    from explorer.runtime.pipeline import apply_weights, preprocess

    dirs = torch.load(saved, weights_only=True)
    spec = get("resnet20")
    net = spec.build()
    info = apply_weights(spec, net, "auto")
    names = [k for k, _ in net.named_parameters()]
    assert set(dirs) == {"x", "y"} and list(dirs["x"]) == names
    with torch.no_grad():
        for k, p in net.named_parameters():
            p.add_(0.5 * dirs["x"][k] - 0.5 * dirs["y"][k])
    es = open_eval_set("digits", spec, preprocess(spec, info, None, None, None, None), 10, None)
    xs, ys = zip(*es.batches(24, limit=24), strict=True)
    x, y = torch.cat(xs)[:24], torch.cat(ys)[:24]
    net.eval()
    with torch.inference_mode():
        loss = float(nn.functional.cross_entropy(net(x).float(), y))
    assert abs(loss - got["loss"][0][2]) < 1e-4 * max(1.0, loss)

    # the same directions read back give the same landscape
    code, out, _err = run(
        capsys, "landscape", "resnet20", "--grid", "3", "--range", "-0.5,0.5",
        "--directions", str(saved), *SMALL, "--json",
    )  # fmt: skip
    again = json.loads(out)
    assert again["directions"] == "file dirs.pt" and again["seed"] is None
    np.testing.assert_allclose(np.array(again["loss"]), np.array(got["loss"]), rtol=1e-6)


def test_the_interpolation_ends_are_the_two_checkpoints(capsys, tmp_path) -> None:
    from explorer.models.registry import get
    from explorer.runtime.pipeline import apply_weights

    spec = get("resnet20")
    a, b = spec.build(), spec.build()
    apply_weights(spec, a, "auto")
    torch.manual_seed(1)
    with torch.no_grad():  # another trained-looking point: weights and BN statistics moved
        for t in b.state_dict().values():
            if t.is_floating_point():
                t.copy_(t * 0.0)
        b.load_state_dict(a.state_dict())
        for t in b.state_dict().values():
            if t.is_floating_point():
                t.mul_(1 + 0.3 * torch.rand_like(t))
    pa, pb = tmp_path / "a.pt", tmp_path / "b.pt"
    torch.save(a.state_dict(), pa)
    torch.save(b.state_dict(), pb)
    code, out, _err = run(
        capsys, "landscape", "resnet20", "--weights", str(pa), "--to", str(pb), "--dims", "1",
        "--grid", "3", "--range", "0,1", *SMALL, "--json",
    )  # fmt: skip
    assert code == 0
    got = json.loads(out)
    assert got["x"] == [0.0, 0.5, 1.0] and got["y"] is None and len(got["loss"]) == 3
    assert got["directions"] == "interpolation to b.pt" and got["normalization"] is None
    assert "interpolated" in got["batchnorm"]
    ends = []
    for p in (pa, pb):
        code, out, _err = run(capsys, "lesion", "resnet20", "--weights", str(p), *SMALL, "--json")
        ends.append(json.loads(out)["intact"])
    assert abs(got["loss"][0] - ends[0]["loss"]) < 1e-6
    assert abs(got["loss"][2] - ends[1]["loss"]) < 1e-4 * max(1.0, ends[1]["loss"])
    assert got["top1"][2] == pytest.approx(ends[1]["top1"])
    assert ends[0]["loss"] != pytest.approx(ends[1]["loss"], rel=1e-3)  # the test can fail


@pytest.mark.parametrize(
    "args, expect",
    [
        (["--grid", "1"], "a grid of 1 point per axis: give 2 to 201"),
        (["--grid", "202"], "a grid of 202 points per axis"),
        (["--range", "1,-1"], "give A,B with A < B"),
        (["--range", "0,nan"], "give A,B with A < B"),
        (["--dims", "2", "--to", "x.pt"], "use --dims 1"),
        (["--dims", "1", "--to", "x.pt", "--directions", "y.pt"], "go separately"),
        (["--directions", "/nonexistent.pt"], "no such file"),
        (["--data", "photos"], "the loss needs labelled images"),
    ],
)
def test_bad_options_are_one_line(capsys, args, expect) -> None:
    assert_one_error(run(capsys, "landscape", "resnet20", *SMALL, *args), expect, "landscape")


def test_directions_and_checkpoints_of_another_network_are_one_line(capsys, tmp_path) -> None:
    f = tmp_path / "d.pt"
    code, _out, _err = run(
        capsys, "landscape", "lenet5", "--dims", "1", "--grid", "2", "--save-directions",
        str(f), *SMALL,
    )  # fmt: skip
    assert code == 0 and f.is_file()
    assert_one_error(
        run(capsys, "landscape", "resnet20", "--dims", "1", "--directions", str(f), *SMALL),
        "is for another network",
        "landscape",
    )
    assert_one_error(
        run(capsys, "landscape", "resnet20", "--dims", "1", "--to", str(f), *SMALL),
        "",
        "landscape",
    )
    # the file is not replaced unless --force
    before = f.read_bytes()
    assert_one_error(
        run(capsys, "landscape", "lenet5", "--dims", "1", "--save-directions", str(f), *SMALL),
        "exists; add --force",
        "landscape",
    )
    assert f.read_bytes() == before


def test_a_model_without_parameters_is_one_line(capsys, tmp_path) -> None:
    src = tmp_path / "noparams.py"
    src.write_text(
        "import torch\n"
        "class Net(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        return x.flatten(1)[:, :10]\n"
        "def build():\n"
        "    return Net()\n"
    )
    assert_one_error(
        run(capsys, "landscape", f"{src}:build", "--data", "digits", *SMALL),
        "has no parameters",
        "landscape",
    )


def test_the_walk_sketches_the_grid_first_and_a_cancel_puts_the_weights_back() -> None:
    from explorer.app.workflows.landscape import LandscapeSettings, landscape
    from explorer.app.workflows.lesion import EvalSettings
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get
    from explorer.runtime.pipeline import apply_weights, preprocess

    spec = get("resnet20")
    an = analyze(spec)
    info = apply_weights(spec, an.model, "auto")
    prep = preprocess(spec, info, None, None, None, None)
    before = {k: v.clone() for k, v in an.model.state_dict().items()}
    gen = landscape(
        an, prep, info.categories, LandscapeSettings(grid=5), EvalSettings(None, 8, 8), "cpu"
    )
    partials = []
    for step in gen:
        if step.partial is not None:
            partials.append(step.partial)
        if len(partials) > 1 and partials[-1].level == 2:
            break
    gen.close()  # as the job runner's cancel does
    for k, v in an.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    first = [p for p in partials if p.level == 1][-1]  # corners, middles of the edges, centre
    assert int(first.done.sum()) == 9
    assert first.done[0, 0] and first.done[2, 2] and first.done[4, 4] and not first.done[1, 1]
    assert partials[-1].done.sum() > first.done.sum() and not partials[-1].complete
    assert np.isfinite(first.loss[first.done]).all() and np.isnan(first.loss[~first.done]).all()
    assert partials[0].done.sum() == 0 and partials[0].center["loss"] is not None


# -- found by a hostile test ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expect",
    [
        (["--seed", "99999999999999999999"], "give a seed from 0 to 2^63-1"),
        (["--seed", "-1"], "give a seed from 0 to 2^63-1"),
        (["--range", "-1e308,1e308"], "within -1e+06..1e+06"),
        (["--range", "-inf,1"], "give A,B with A < B, both finite"),
        (["--range", "-1E3,-2E3"], "give A,B with A < B"),  # an exponent is a number too
        (["--save-directions", ""], "--save-directions: give a file name"),
    ],
)
def test_more_bad_options_are_one_line(capsys, args, expect) -> None:
    result = run_or_exit(capsys, "landscape", "resnet20", *SMALL, *args)
    assert_one_error(result, expect, "landscape")


def run_or_exit(capsys, *argv: str) -> tuple[int, str, str]:
    """``run``, with argparse's own exit (an option's type refused) as its code."""
    try:
        return run(capsys, *argv)
    except SystemExit as exc:
        out, err = capsys.readouterr()
        return int(exc.code or 0), out, err


def test_a_missing_folder_for_the_directions_is_not_made(capsys, tmp_path) -> None:
    target = tmp_path / "nosuch" / "d.pt"
    assert_one_error(
        run(capsys, "landscape", "resnet20", *SMALL, "--save-directions", str(target)),
        "no such folder",
        "landscape",
    )
    assert not target.parent.exists()


def test_directions_files_of_any_bytes_are_one_line_and_never_run(capsys, tmp_path) -> None:
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("the file's code ran",))

    cases = {"text.pt": b"hello world\n", "a.pt": b"a", "j.pt": b"j", "evil.pt": None}
    for name, data in cases.items():
        f = tmp_path / name
        if data is None:
            f.write_bytes(pickle.dumps({"x": Evil()}))
        else:
            f.write_bytes(data)
        code, out, err = run(capsys, "landscape", "resnet20", *SMALL, "--directions", str(f))
        assert code == 2 and out == "" and "ran" not in err, (name, err)
        assert err.strip().splitlines() == [err.strip()], (name, err)
        assert "not a directions file" in err, (name, err)


def test_a_to_checkpoint_that_does_not_fit_exactly_is_one_line(capsys, tmp_path) -> None:
    from explorer.models.registry import get
    from explorer.runtime.pipeline import apply_weights

    spec = get("resnet20")
    net = spec.build()
    apply_weights(spec, net, "auto")
    good = net.state_dict()
    key = "conv1.weight" if "conv1.weight" in good else next(k for k in good if "weight" in k)
    bad = {
        "extra": ({**good, "head.bonus": torch.zeros(3)}, "1 tensors it lacks"),
        "nan": ({**good, key: torch.full_like(good[key], float("nan"))}, "not finite"),
        "int": ({**good, key: good[key].to(torch.int32)}, "not floating point"),
    }
    for name, (sd, expect) in bad.items():
        f = tmp_path / f"{name}.pt"
        torch.save(sd, f)
        result = run(capsys, "landscape", "resnet20", "--dims", "1", "--to", str(f), *SMALL)
        assert_one_error(result, expect, "landscape")


def test_directions_that_move_nothing_are_refused(capsys, tmp_path) -> None:
    src = tmp_path / "onlybias.py"
    src.write_text(
        "import torch\n"
        "class Net(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.b = torch.nn.Parameter(torch.zeros(10))\n"
        "    def forward(self, x):\n"
        "        return x.flatten(1)[:, :10] + self.b\n"
        "def build():\n"
        "    return Net()\n"
    )
    code, _out, err = run(capsys, "landscape", f"{src}:build", "--data", "digits", *SMALL)
    assert code == 2 and "moves no weight" in err.strip().splitlines()[-1]


def test_infinite_losses_are_counted_and_say_nothing_on_stderr() -> None:
    class Extreme(nn.Module):  # finite scores whose cross-entropy overflows float32
        def forward(self, x):
            return torch.tensor([[3e38, -3e38]]).expand(x.shape[0], 2)

    p = evaluate_point(Extreme(), [(torch.randn(4, 3), torch.ones(4, dtype=torch.long))])
    assert p.loss is None and p.top1 == 0.0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert roughness(np.array([[np.inf, 1.0, np.inf], [2.0, np.nan, 3.0]]))["local_minima"] >= 0


def test_running_variances_stay_non_negative_past_the_ends_of_a_line() -> None:
    net = _net()
    dx = {k: torch.zeros_like(v) for k, v in net.state_dict().items() if v.is_floating_point()}
    dx["1.running_var"] = -2 * torch.ones(8)  # theta1 has variance -1 past a = 0.5
    dx["0.weight"] = torch.ones_like(net[0].weight)
    with Moved(net, dx) as moved:
        moved.set(1.0)
        assert (net[1].running_var == 0).all()
        moved.set(0.25)
        assert torch.allclose(net[1].running_var, torch.full((8,), 0.5))
    assert (net[1].running_var == 1).all()
