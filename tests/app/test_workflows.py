"""The workflows without Qt: the command line's way and the window's way give the same figures."""

from __future__ import annotations

import json
import threading

import pytest
from cli_expect import run

from explorer.app.jobs import Progress
from explorer.app.workflows import drive
from explorer.app.workflows.fuse import FuseSettings, fuse
from explorer.app.workflows.lesion import (
    PHOTOS,
    EvalSettings,
    SweepSettings,
    accuracy,
    default_ref,
    sweep,
)
from explorer.app.workflows.run import load_model, load_weights, run_images
from explorer.models.registry import get
from explorer.runtime.pipeline import apply_weights


def _window_model(name: str):
    """The model as the window holds it: loaded by the workflow, weights by the workflow."""
    an = drive(load_model(name))
    info = drive(load_weights(an, "auto", fresh=True))
    return an, info


def _cli_model(name: str):
    spec = get(name)
    model = spec.build()
    return spec, model, apply_weights(spec, model, "auto")


def test_every_workflow_yields_progress_records() -> None:
    seen: list[Progress] = []
    an = drive(load_model("lenet5"), seen.append)
    assert an.spec.name == "lenet5"
    assert seen and all(isinstance(p, Progress) for p in seen)
    assert all(0.0 <= (p.fraction or 0.0) <= 1.0 for p in seen)


def test_fuse_gives_the_same_figures_to_the_command_line_and_the_window() -> None:
    """repvgg_small, trained: the check is the same to the bit, the timing within noise."""
    settings = FuseSettings(repeats=10, warmup=2)
    spec, model, info = _cli_model("repvgg_small")
    cli = drive(fuse(spec, model, info, settings, own_model=True))
    an, winfo = _window_model("repvgg_small")
    before = {k: v.clone() for k, v in an.model.state_dict().items()}
    lock = threading.Lock()
    win = drive(fuse(an.spec, an.model, winfo, settings, lock=lock, analysis=an))
    a, b = cli.as_dict(), win.as_dict()
    for key in ("kind", "params_before", "params_after", "convs_after", "bn_after",
                "blocks_fused", "input_shape", "device", "calibrated"):  # fmt: skip
        assert a[key] == b[key], key
    assert a["max_abs_diff"] == pytest.approx(b["max_abs_diff"], rel=1e-6, abs=1e-9)
    # both time the same batch in the same interleaved rounds (the figures' agreement within
    # noise is measured side by side in tests/benchmarks/bench_fuse_agreement.py: timings in
    # a test on a shared 2-core machine are not a pass/fail criterion)
    assert cli.repeats == win.repeats == 10
    assert cli.latency_ms["before"] > 0 and win.latency_ms["after"] > 0
    # the window's model is left as it was, and the fused graph is traced for it
    after = an.model.state_dict()
    assert all(before[k].equal(after[k]) for k in before)
    assert win.after is not None and win.after.graph.total_params == b["params_after"]


def test_fusing_twice_gives_figures_within_noise() -> None:
    an, info = _window_model("repvgg_small")
    s = FuseSettings()
    one = drive(fuse(an.spec, an.model, info, s, analysis=an))
    two = drive(fuse(an.spec, an.model, info, s, analysis=an))
    assert one.diff == two.diff
    assert one.counts_after == two.counts_after


def test_the_window_and_the_command_line_fuse_with_the_same_settings() -> None:
    """The window's fusion uses FuseSettings() (the command line's defaults) on the session's
    device; the command line's options map onto the same record."""
    import argparse

    from explorer.__main__ import build_parser

    args = build_parser().parse_args(["fuse", "repvgg_small"])
    assert isinstance(args, argparse.Namespace)
    s = FuseSettings()
    assert (args.repeats, args.batch_size, args.device) == (s.repeats, s.batch_size, s.device)


def test_fuse_with_random_weights_calibrates_a_copy_and_keeps_the_models_weights() -> None:
    an = drive(load_model("repvgg_small"))
    info = drive(load_weights(an, "random", fresh=True))
    bn = next(m for m in an.model.modules() if type(m).__name__.startswith("BatchNorm"))
    mean = bn.running_mean.clone()
    out = drive(fuse(an.spec, an.model, info, FuseSettings(repeats=2, warmup=1)))
    assert out.calibrated and out.notes()
    assert bn.running_mean.equal(mean)  # the window's model keeps its own statistics
    assert out.diff["max_rel_diff"] < 1e-4


def test_default_evaluation_set_is_one_rule() -> None:
    assert default_ref(get("resnet56")) == "digits"
    assert default_ref(get("resnet50")) == PHOTOS
    with pytest.raises(ValueError):
        SweepSettings("sideways")


def test_accuracy_matches_the_lesion_command(capsys) -> None:
    an, info = _window_model("resnet20")
    prep = _prep(an, info)
    deleted = ["layer1.1"]
    acc = drive(accuracy(an, prep, info.categories, deleted, EvalSettings(limit=60), "cpu"))
    code, out, _err = run(
        capsys, "lesion", "resnet20", "--delete", "layer1.1", "--limit", "60", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert d["intact"]["top1"] == pytest.approx(acc.intact.top1)
    assert d["runs"][0]["top1"] == pytest.approx(acc.modified.top1)
    assert d["data"] == {"name": acc.data, "n": acc.n}


def test_a_single_sweep_reports_each_block_and_partials() -> None:
    an, info = _window_model("resnet20")
    seen: list[Progress] = []
    res = drive(
        sweep(an, _prep(an, info), info.categories, SweepSettings("single"),
              EvalSettings(limit=30), "cpu"),
        seen.append,
    )  # fmt: skip
    assert res.kind == "single" and res.n == 30
    assert len(res.runs) >= 9  # resnet20: nine residual blocks, each deleted alone
    assert any(p.partial is not None for p in seen)


def test_run_images_applies_the_deletions() -> None:
    from explorer.runtime.images import load_sample, sample_names

    an, info = _window_model("resnet20")
    img = load_sample(sample_names("digits")[0])
    prep = _prep(an, info)
    intact = drive(run_images(an, [img], prep, "cpu", "fp32", info.categories))
    lesioned = drive(
        run_images(an, [img], prep, "cpu", "fp32", info.categories, deleted=["layer1.0"])
    )
    assert lesioned.deleted == ["layer1.0"] and intact.deleted == []
    assert not (intact.probs == lesioned.probs).all()


def _prep(an, info):
    from explorer.runtime.pipeline import preprocess

    return preprocess(an.spec, info, None, None)
