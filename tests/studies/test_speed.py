"""Measured speed: images/s, achieved GFLOP/s, the peak, fused variants, time by layer kind.

On the CPU with the digits models (1x32x32 inputs), batch 2 and a 256x256 peak, so a whole
measurement takes about two seconds. The timings themselves are noise; what is checked is
how the figures follow from them and from the models' graphs.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import torch
from torch import nn

from explorer.graph.trace import build_graph
from explorer.models.registry import get
from explorer.runtime.inference import DeviceError
from explorer.studies.speed.layer_kinds import OTHER, kind_profile, layer_kind
from explorer.studies.speed.rounds import SpeedReport, Timing, interleaved, measure_speed

MODELS = ["resnet20", "repvgg_small", "vgg_small"]
BATCH, REPEATS, WARMUP, PEAK_N = 2, 3, 1, 256


def drive(gen: Any) -> tuple[list[tuple[float, str, Any]], Any]:
    """Run a progress generator to its end: (everything it yielded, its return value)."""
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


def graph_macs(name: str, size: int | None = None) -> int:
    spec = get(name)
    c, h, _ = spec.input_size
    return build_graph(spec.build(), (1, c, size or h, size or h)).total_macs


@pytest.fixture(scope="module")
def measured() -> tuple[list[tuple[float, str, Any]], SpeedReport]:
    return drive(
        measure_speed(
            MODELS,
            device="cpu",
            batch=BATCH,
            repeats=REPEATS,
            warmup=WARMUP,
            fuse=True,
            kinds=True,
            peak_n=PEAK_N,
        )
    )


@pytest.fixture(scope="module")
def report(measured: tuple[list, SpeedReport]) -> SpeedReport:
    return measured[1]


def results(report: SpeedReport) -> dict[str, Any]:
    return {r.label: r for r in report.results}


# ---------------------------------------------------------------------------------------------
# a whole measurement


def test_one_result_per_model_and_fused_variant(report: SpeedReport) -> None:
    assert [r.label for r in report.results] == [
        "resnet20",
        "repvgg_small",
        "repvgg_small (fused)",
        "vgg_small",
    ]
    assert report.failed == [] and report.complete
    assert (report.device, report.batch, report.repeats, report.warmup) == (
        "cpu (fp32)",
        BATCH,
        REPEATS,
        WARMUP,
    )
    for r in report.results:
        assert r.batch == BATCH and r.resolution == 32
        assert r.family == get(r.name).family


def test_images_per_s_and_gflops_follow_from_the_timing(report: SpeedReport) -> None:
    for r in report.results:
        assert len(r.timing.seconds) == REPEATS
        median = statistics.median(r.timing.seconds)
        assert r.images_per_s == pytest.approx(BATCH / median, rel=1e-12)
        assert r.gflops == pytest.approx(2 * r.macs * r.images_per_s / 1e9, rel=1e-12)
        lo, hi = r.images_per_s_range
        assert lo == BATCH / max(r.timing.seconds) and hi == BATCH / min(r.timing.seconds)
        assert lo <= r.images_per_s <= hi


def test_macs_and_params_are_the_graphs(report: SpeedReport) -> None:
    res = results(report)
    for name in MODELS:
        assert res[name].macs == graph_macs(name), name
        assert res[name].params == get(name).ref_params, name
    assert res["resnet20"].macs == 40_256_128


def test_peak_is_measured_in_the_same_run(report: SpeedReport) -> None:
    peak = report.peak
    assert peak is not None and peak.n == PEAK_N and peak.dtype == "fp32"
    assert len(peak.timing.seconds) == REPEATS
    assert peak.gflops == pytest.approx(2 * PEAK_N**3 / peak.timing.median / 1e9, rel=1e-12)


def test_fused_repvgg_has_fewer_macs_and_resnet_none(report: SpeedReport) -> None:
    res = results(report)
    plain, fused = res["repvgg_small"], res["repvgg_small (fused)"]
    assert fused.fused and not plain.fused and fused.name == "repvgg_small"
    assert fused.macs < plain.macs and fused.params < plain.params
    # the 1x1 branches are folded into the 3x3 convs: only the 3x3 MACs are left
    conv3 = {k.kind: k.macs for k in plain.kinds}["conv 3x3"]
    linear = {k.kind: k.macs for k in plain.kinds}["linear"]
    assert fused.macs == conv3 + linear
    assert not any(r.label.startswith("resnet20 (") for r in report.results)
    assert not any(r.fused for r in report.results if r.name != "repvgg_small")


def test_kind_rows_sum_to_the_total(report: SpeedReport) -> None:
    for r in report.results:
        kinds = {k.kind: k for k in r.kinds}
        assert sum(k.macs for k in r.kinds) == r.macs, r.label
        assert "conv 3x3" in kinds and kinds["conv 3x3"].macs > 0.8 * r.macs
        assert OTHER in kinds
        assert all(k.seconds >= 0 and k.batch == BATCH for k in r.kinds)
        assert [k.seconds for k in r.kinds] == sorted((k.seconds for k in r.kinds), reverse=True)
    res = results(report)
    assert "conv 1x1" in {k.kind for k in res["repvgg_small"].kinds}
    assert "conv 1x1" not in {k.kind for k in res["repvgg_small (fused)"].kinds}
    assert {k.kind: k.layers for k in res["resnet20"].kinds}["conv 3x3"] == 19
    row = {k.kind: k for k in res["resnet20"].kinds}["conv 3x3"]
    assert row.gflops == pytest.approx(2 * row.macs * BATCH / row.seconds / 1e9)
    assert {k.kind: k for k in res["resnet20"].kinds}["norm"].gflops is None


def test_progress_fractions_increase(measured: tuple[list, SpeedReport]) -> None:
    steps, report = measured
    fractions = [f for f, _, _ in steps]
    assert fractions[0] == 0.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(a <= b for a, b in zip(fractions, fractions[1:], strict=False))
    assert fractions[-1] > 0.9
    messages = [m for _, m, _ in steps]
    assert messages[0] == "building resnet20"
    assert any("round 3/3" in m for m in messages)
    assert any(m.startswith("timing layer kinds of") for m in messages)
    # each partial report is a snapshot: the rounds after it do not change it
    partial = [r for _, m, r in steps if "round 1/3" in m][-1]
    assert partial is not report and not partial.complete
    assert [len(r.timing.seconds) for r in partial.results] == [1] * len(partial.results)
    assert all(len(r.timing.seconds) == 3 for r in report.results)


def test_report_is_json(report: SpeedReport) -> None:
    d = json.loads(json.dumps(report.as_dict()))
    assert [r["label"] for r in d["results"]] == [r.label for r in report.results]
    assert d["peak"]["n"] == PEAK_N and d["peak"]["runs"] == REPEATS
    r0 = d["results"][0]
    assert r0["fraction_of_peak"] == pytest.approx(r0["gflops"] / d["peak"]["gflops"])
    assert r0["ms_per_batch"] == pytest.approx(report.results[0].timing.median * 1e3)
    assert r0["kinds"] and r0["kinds"][0]["kind"]
    assert d["failed"] == []


# ---------------------------------------------------------------------------------------------
# options, cancelling and failures


def test_resolution_overrides_the_input_size() -> None:
    _, report = drive(
        measure_speed(
            ["resnet20"], device="cpu", batch=1, resolution=48, repeats=1, warmup=0, peak_n=64
        )
    )
    (r,) = report.results
    assert r.resolution == 48
    assert r.macs == graph_macs("resnet20", 48) != graph_macs("resnet20")


def test_can_be_cancelled_mid_way() -> None:
    torch.backends.cudnn.benchmark = False
    gen = measure_speed(
        ["resnet20", "vgg_small"], device="cpu", batch=1, repeats=50, warmup=0, peak_n=64
    )
    seen: list[float] = []
    partial: Any = None
    for frac, msg, report in gen:
        seen.append(frac)
        partial = report
        if "round 2/50" in msg:
            assert torch.backends.cudnn.benchmark is True  # set while timing
            break
    # partial results while timing: fewer runs than asked
    assert partial.results and all(len(r.timing.seconds) < 50 for r in partial.results)
    assert not partial.complete
    gen.close()
    assert torch.backends.cudnn.benchmark is False  # restored by the generator's finally
    assert not torch.is_inference_mode_enabled()
    assert seen[-1] < 0.5


def test_a_broken_model_is_reported_and_the_others_measured(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text(
        "import torch\n"
        "class Broken(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        raise RuntimeError('this model is broken')\n"
        "def make():\n"
        "    return Broken()\n"
    )
    broken = f"{path}:make"
    _, report = drive(
        measure_speed(
            ["no_such_model", "resnet20", broken],
            device="cpu",
            batch=1,
            repeats=1,
            warmup=0,
            peak_n=64,
        )
    )
    assert [r.label for r in report.results] == ["resnet20"]
    failed = dict(report.failed)
    assert list(failed) == ["no_such_model", broken]
    assert "unknown model" in failed["no_such_model"]
    assert all(e and "\n" not in e for e in failed.values())
    assert report.complete


def test_precision_is_checked_first() -> None:
    with pytest.raises(DeviceError):
        next(measure_speed(["resnet20"], device="cpu", precision="bf16"))


# ---------------------------------------------------------------------------------------------
# Timing and interleaving


def test_timing_figures() -> None:
    t = Timing([3.0, 1.0, 2.0, 10.0])
    assert (t.median, t.best, t.worst) == (2.5, 1.0, 10.0)
    assert t.spread == pytest.approx((10.0 - 1.0) / 2.5)
    assert t.as_dict() == {"median_s": 2.5, "min_s": 1.0, "max_s": 10.0, "spread": 3.6, "runs": 4}
    same = Timing([0.5, 0.5, 0.5])
    assert same.spread == 0.0 and same.median == 0.5


def test_interleaved_reverses_the_order_every_other_round() -> None:
    calls: list[str] = []
    tasks = [(n, lambda n=n: calls.append(n)) for n in "abc"]
    steps, timings = drive(interleaved(tasks, torch.device("cpu"), repeats=3, warmup=1))
    warm, rounds = calls[:3], calls[3:]
    assert warm == ["a", "b", "c"]
    assert rounds == ["a", "b", "c", "c", "b", "a", "a", "b", "c"]
    assert set(timings) == {"a", "b", "c"}
    assert all(len(t.seconds) == 3 and min(t.seconds) >= 0 for t in timings.values())
    fractions = [f for f, _, _ in steps]
    assert len(steps) == 12 and fractions == [i / 12 for i in range(1, 13)]
    assert steps[0][1] == "warming up a (1/1)" and steps[-1][1] == "timing: round 3/3, c"


def test_interleaved_times_each_call() -> None:
    tasks = [("slow", lambda: time.sleep(0.02)), ("fast", lambda: None)]
    _, timings = drive(interleaved(tasks, torch.device("cpu"), repeats=2, warmup=0))
    assert timings["slow"].best >= 0.02 > timings["fast"].worst


# ---------------------------------------------------------------------------------------------
# layer kinds


@pytest.mark.parametrize(
    ("module", "kind"),
    [
        (nn.Conv2d(8, 8, 1), "conv 1x1"),
        (nn.Conv2d(8, 16, 3), "conv 3x3"),
        (nn.Conv2d(8, 8, 3, groups=8), "depthwise 3x3"),
        (nn.Conv2d(8, 16, 5, groups=8), "depthwise 5x5"),
        (nn.Conv2d(8, 8, 3, groups=2), "grouped conv 3x3"),
        (nn.Conv2d(8, 8, (1, 7)), "conv 1x7"),
        (nn.Linear(4, 2), "linear"),
        (nn.ReLU(), "act"),
        (nn.BatchNorm2d(4), "norm"),
        (nn.Identity(), "other layers"),
    ],
)
def test_layer_kind(module: nn.Module, kind: str) -> None:
    graph_kind = {"ReLU": "act", "BatchNorm2d": "norm"}.get(type(module).__name__, "other")
    assert layer_kind(module, graph_kind) == kind


class _SleepyModel(nn.Module):
    """A conv, then 20 ms outside any module (an 'other operation')."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(0.02)
        return self.conv(x) + 1


def _sleepy_graph() -> Any:
    g = nx.DiGraph()
    g.add_node("@input", op="input", module=None, kind="input", macs=0)
    g.add_node("conv", op="module", module="conv", kind="conv", macs=4)
    g.add_node("add", op="function", module=None, kind="other", macs=0)
    g.add_node("@output", op="output", module=None, kind="output", macs=0)
    return type("FakeGraph", (), {"g": g})()


def test_kind_profile_counts_layers_and_restores_the_model() -> None:
    model = _SleepyModel().train()
    rows = {r.kind: r for r in kind_profile(model, _sleepy_graph(), torch.randn(1, 1, 2, 2))}
    assert set(rows) == {"conv 1x1", OTHER}
    assert (rows["conv 1x1"].layers, rows["conv 1x1"].macs) == (1, 4)
    assert (rows[OTHER].layers, rows[OTHER].macs) == (1, 0)
    assert model.training
    assert not model.conv._forward_hooks and not model.conv._forward_pre_hooks


def test_kind_profile_other_operations_time() -> None:
    rows = {
        r.kind: r for r in kind_profile(_SleepyModel(), _sleepy_graph(), torch.randn(1, 1, 2, 2))
    }
    # every pass sleeps 20 ms outside the conv
    assert rows[OTHER].seconds >= 0.02


def test_a_name_given_twice_is_timed_repeats_times() -> None:
    _, report = drive(
        measure_speed(
            ["resnet20", "resnet20"], device="cpu", batch=1, repeats=2, warmup=0, peak_n=64
        )
    )
    assert report.results
    assert all(len(r.timing.seconds) == 2 for r in report.results)


def test_a_failing_timed_run_is_named() -> None:
    def boom() -> None:
        raise MemoryError("out of memory")

    it = interleaved([("fine", lambda: None), ("big net", boom)], torch.device("cpu"), 2, 0)
    with pytest.raises(RuntimeError, match="big net: MemoryError: out of memory"):
        list(it)


FLAKY = """
from torch import nn


class Flaky(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        if self.calls > 4:
            raise RuntimeError("CUDA out of memory (simulated)")
        return self.conv(x).mean((2, 3))


def flaky():
    return Flaky()
"""


def test_a_network_failing_in_the_rounds_is_reported_and_the_others_go_on(tmp_path) -> None:
    path = tmp_path / "flaky.py"
    path.write_text(FLAKY)
    name = f"{path}:flaky"
    _, report = drive(
        measure_speed(
            ["resnet20", name],
            device="cpu",
            batch=1,
            resolution=32,
            repeats=4,
            warmup=1,
            kinds=True,
            peak_n=64,
        )
    )
    assert [r.label for r in report.results] == ["resnet20"]
    assert len(report.results[0].timing.seconds) == 4
    assert report.results[0].kinds  # the others' layer kinds are still timed
    assert report.failed == [(name, "RuntimeError: CUDA out of memory (simulated)")]
    assert report.peak is not None and len(report.peak.timing.seconds) == 4


def test_hook_overhead_is_its_own_row_when_the_plain_time_is_known() -> None:
    from explorer.studies.speed.layer_kinds import OVERHEAD

    model = _SleepyModel()
    rows = {
        r.kind: r
        for r in kind_profile(model, _sleepy_graph(), torch.randn(1, 1, 2, 2), plain_seconds=0.02)
    }
    # each pass sleeps 20 ms outside the conv; anything above the plain 20 ms is the hooks'
    assert rows[OTHER].seconds <= 0.02 + 1e-9
    assert OVERHEAD in rows
    total = sum(r.seconds for r in rows.values())
    assert rows[OTHER].seconds + rows[OVERHEAD].seconds == pytest.approx(
        total - sum(r.seconds for k, r in rows.items() if k not in (OTHER, OVERHEAD)), abs=1e-6
    )


def test_a_measurement_that_would_not_fit_is_refused_before_building() -> None:
    from explorer.models.registry import model_names
    from explorer.studies.speed.rounds import check_memory

    resnet50 = 25_557_032 * 4
    check_memory(["resnet50"], False, free=2 * resnet50 + 1)
    with pytest.raises(MemoryError, match="measure fewer at once"):
        check_memory(["resnet50"], False, free=2 * resnet50 - 1)
    repvgg = 9_108_968 * 4
    check_memory(["repvgg_a0"], False, free=2 * repvgg + 1)
    with pytest.raises(MemoryError):  # fused, it is held twice
        check_memory(["repvgg_a0"], True, free=2 * repvgg + 1)
    check_memory(["resnet50"] * 100, False, free=None)  # unknown free memory: no check
    with pytest.raises(MemoryError, match=f"the {len(model_names())} networks"):
        check_memory(model_names(), True, free=2**30)
