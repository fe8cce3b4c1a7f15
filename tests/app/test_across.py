"""One image through several networks (the side-by-side view's run) and what its panels draw,
without Qt: each network as its own single-model run gives it, a failing network said beside
the others' results, cancel between networks."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from explorer.app.jobs import JobRunner, Progress
from explorer.app.workflows import drive
from explorer.app.workflows.across import AcrossResult, run_across
from explorer.app.workflows.run import load_model, load_weights, run_images
from explorer.present.across import across_data, se_line, std_curves
from explorer.runtime.images import load_sample
from explorer.runtime.pipeline import preprocess
from explorer.runtime.probe_curves import std_by_layer

NETS = ("resnet20", "plain20", "se_resnet20")


@pytest.fixture(scope="module")
def nets():
    return [drive(load_model(n)) for n in NETS]


@pytest.fixture(scope="module")
def digit():
    return load_sample("digits-3")


@pytest.fixture(scope="module")
def across(nets, digit):
    seen: list[Progress] = []
    results = drive(run_across(nets, digit, "cpu"), seen.append)
    return results, seen


def _norms(model: torch.nn.Module) -> int:
    """BatchNorm layers of a network (every one runs once in these small networks)."""
    return sum(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())


def _ses(an) -> int:
    return an.tree.count("se")


def test_one_result_per_network_in_order(across, nets, digit) -> None:
    results, _seen = across
    assert [r.name for r in results] == list(NETS)
    for r in results:
        assert isinstance(r, AcrossResult)
        assert r.ok and r.error is None, r.error
        assert r.image == digit.name
        assert r.weights is not None and r.weights.trained  # "auto": the bundled weights
        assert r.result.probes is not None and r.result.plan is not None
        assert r.result.top[0][0].label == "3"  # trained on digits, all three read the 3


def test_each_network_gets_what_its_own_run_gives(across, nets, digit) -> None:
    """The same preprocessing, classes and probabilities as the window's single-model run."""
    results, _seen = across
    for an, r in zip(nets, results, strict=True):
        info = drive(load_weights(an, "auto", fresh=False))
        prep = preprocess(an.spec, info)
        alone = drive(run_images(an, [digit], prep, "cpu", "fp32", info.categories))
        assert r.result.preprocess == prep
        np.testing.assert_allclose(r.result.probs, alone.probs, rtol=1e-5, atol=1e-7)
        assert [t.label for t in r.result.top[0]] == [t.label for t in alone.top[0]]


def test_progress_is_scaled_across_the_networks(across) -> None:
    _results, seen = across
    fractions = [p.fraction for p in seen]
    assert all(f is not None and 0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)  # never goes back
    assert fractions[-1] == 1.0
    for i, name in enumerate(NETS):
        mine = [p for p in seen if p.message.startswith(name + ":")]
        assert mine, name
        assert all(i / 3 - 1e-9 <= p.fraction <= (i + 1) / 3 + 1e-9 for p in mine)
    # partial results grow one network at a time
    assert [len(p.partial) for p in seen if p.message.endswith("starting (1 of 3)")] == [0]
    assert len(seen[-1].partial) == 3


def test_one_std_curve_per_network_with_its_norm_layers(across, nets) -> None:
    results, _seen = across
    curves, missing = std_curves(results)
    assert missing == []
    assert [c.name for c in curves] == list(NETS)
    assert [c.pane for c in curves] == [0, 1, 2]
    for c, an, r in zip(curves, nets, results, strict=True):
        assert len(c.values) == _norms(an.model) == 19  # stem + 2 per block x 9 blocks
        assert list(c.x) == list(range(1, 20))
        # the single-model panel's own curve at its default level
        ids, values = std_by_layer(r.result.probes, r.result.plan, "norm")
        assert c.ids == ids
        np.testing.assert_array_equal(c.values, values)
        s = c.y(sort=True)
        assert np.all(np.diff(s) <= 0) and sorted(s) == sorted(c.values)
        assert c.label.startswith(f"{c.name} (19")


def test_se_gates_only_for_the_se_network(across, nets) -> None:
    results, _seen = across
    d = across_data(results)
    assert [g.name for g in d.se] == ["se_resnet20"]
    g = d.se[0]
    assert g.pane == 2
    assert len(g.ids) == _ses(nets[2]) == 9
    assert g.matrix.shape == (9, 64)  # widest SE block: 64 channels
    finite = g.matrix[np.isfinite(g.matrix)]
    assert finite.min() >= 0.0 and finite.max() <= 1.0  # sigmoid gates
    np.testing.assert_array_equal(g.matrix[0, :16], results[2].result.probes.se_gates[g.ids[0]][0])
    assert d.without_se == ["resnet20", "plain20"]
    assert d.se_line == "SE gates: se_resnet20. No SE blocks: resnet20, plain20."
    assert "digits-3" in d.source and "norm outputs" in d.source


def test_predictions_columns(across) -> None:
    results, _seen = across
    cols = across_data(results).predictions
    assert [c.name for c in cols] == list(NETS)
    for c, r in zip(cols, results, strict=True):
        assert len(c.rows) == 5 and c.error is None and c.trained
        assert c.rows[0][1] == "3 (3)"
        assert c.rows[0][2] == pytest.approx(r.result.top[0][0].prob)


@pytest.mark.parametrize("how", ["weights file gone", "forward raises"])
def test_a_failing_network_keeps_the_others(nets, digit, tmp_path, monkeypatch, how) -> None:
    monkeypatch.setenv("CNN_EXPLORER_CACHE", str(tmp_path / "cache"))
    broken = drive(load_model("plain20"))
    weights: list = ["auto", "auto", "auto"]
    if how == "weights file gone":
        weights[1] = str(tmp_path / "gone.pt")
        expect = "gone.pt"
    else:

        def fail(*_a, **_k):
            raise RuntimeError("this network is broken on purpose")

        broken.model.forward = fail
        expect = "RuntimeError: this network is broken on purpose"
    results = drive(run_across([nets[0], broken, nets[2]], digit, "cpu", weights=weights))
    assert [r.name for r in results] == ["resnet20", "plain20", "se_resnet20"]
    assert results[0].ok and results[2].ok
    bad = results[1]
    assert not bad.ok and bad.result is None
    assert expect in bad.error and "\n" not in bad.error
    d = across_data(results)
    assert [c.name for c in d.curves] == ["resnet20", "se_resnet20"]
    assert d.missing_curves == [f"plain20: {bad.error}"]
    assert d.predictions[1].error == bad.error and d.predictions[1].rows == []
    assert [g.name for g in d.se] == ["se_resnet20"]
    assert d.without_se == ["resnet20"]  # the failed one is said with its error, not here
    assert se_line(d.se, d.without_se) == "SE gates: se_resnet20. No SE blocks: resnet20."
    log = tmp_path / "cache" / "cnn-explorer.log"
    if how == "forward raises":  # a bug's traceback is kept; a user's mistake is only said
        assert "side by side: plain20" in log.read_text() and "Traceback" in log.read_text()
    else:
        assert not log.exists() or "plain20" not in log.read_text()


def test_held_weights_are_used_as_they_are(nets, digit) -> None:
    infos = [drive(load_weights(an, "auto", fresh=False)) for an in nets]
    results = drive(run_across(nets, digit, "cpu", weights=infos))
    assert [r.weights for r in results] == infos
    with pytest.raises(ValueError, match="weights for 2 network"):
        drive(run_across(nets, digit, "cpu", weights=infos[:2]))


def test_a_photo_through_a_digits_network_is_warned(nets) -> None:
    from explorer.runtime.digit_input import PHOTO_WARNING

    results = drive(run_across(nets[:1], load_sample("astronaut"), "cpu"))
    assert results[0].ok
    assert any(PHOTO_WARNING in n for n in results[0].notes)


def test_cancel_between_networks(nets, digit) -> None:
    """Cancelled while the second network starts: the third never runs, nothing is done."""
    calls = {n: 0 for n in NETS}
    handles = [
        an.model.register_forward_pre_hook(lambda *_a, n=n: calls.__setitem__(n, calls[n] + 1))
        for an, n in zip(nets, NETS, strict=True)
    ]
    runner = JobRunner()
    ended = threading.Event()
    got: dict[str, object] = {}

    def on_progress(p: Progress) -> None:
        if p.message.startswith("plain20: starting"):
            runner.request_cancel("across")

    def on_cancelled() -> None:
        got["cancelled"] = True
        ended.set()

    def on_done(value: object) -> None:
        got["done"] = value
        ended.set()

    try:
        runner.start(
            "across",
            lambda: run_across(nets, digit, "cpu"),
            on_progress=on_progress,
            on_done=on_done,
            on_cancelled=on_cancelled,
            on_error=lambda exc: got.setdefault("error", exc),
        )
        assert ended.wait(60)
        assert runner.wait(60)
    finally:
        for h in handles:
            h.remove()
        runner.close(10)
    assert got == {"cancelled": True}
    assert calls["resnet20"] >= 1
    assert calls["plain20"] == 0 and calls["se_resnet20"] == 0


def test_a_fused_pane_runs_the_trained_weights_fused() -> None:
    """repvgg_small beside its deploy form: the fused pane gets the bundled weights as
    trained, fused; both give the same answer (fusion leaves the outputs unchanged)."""
    import numpy as np

    from explorer.app.variants import analyze_variant
    from explorer.app.workflows import drive
    from explorer.app.workflows.across import run_across
    from explorer.runtime.images import load_sample

    nets = [analyze_variant("repvgg_small"), analyze_variant("repvgg_small+fused")]
    out = drive(run_across(nets, load_sample("digits-3"), device="cpu"))
    assert [r.name for r in out] == ["repvgg_small", "repvgg_small+fused"]
    assert all(r.ok for r in out), [r.error for r in out]
    a, b = (r.result.probs[0] for r in out)
    assert np.allclose(a, b, atol=1e-4)
    assert out[0].result.top[0][0].index == out[1].result.top[0][0].index
