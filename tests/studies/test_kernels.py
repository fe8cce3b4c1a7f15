"""RepVGG's Table 1 here: one conv per kernel size, its operations, time and TFLOP/s.

Tiny settings (8 channels, 8x8, a 128x128 peak) so it runs in well under a second on a CPU.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from torch import nn

from explorer.graph.trace import build_graph
from explorer.studies.speed.kernels import KernelReport, conv_macs, kernel_experiment

SETTINGS: dict[str, Any] = dict(
    device="cpu", batch=1, channels=8, size=8, kernels=(1, 3), repeats=2, peak_n=128
)


def drive(gen: Any) -> tuple[list[tuple[float, str, Any]], Any]:
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


@pytest.fixture(scope="module")
def run() -> tuple[list[tuple[float, str, Any]], KernelReport]:
    return drive(kernel_experiment(**SETTINGS))


def test_one_row_per_kernel(run: tuple[list, KernelReport]) -> None:
    report = run[1]
    assert [r.k for r in report.rows] == [1, 3]
    assert (report.batch, report.channels, report.size, report.repeats) == (1, 8, 8, 2)
    assert report.device == "cpu (fp32)" and report.complete
    assert all(len(r.timing.seconds) == 2 for r in report.rows)


def test_macs_and_tflops(run: tuple[list, KernelReport]) -> None:
    for r in run[1].rows:
        assert r.macs == conv_macs(1, 8, 8, r.k) == 1 * 8 * 8 * 8 * 8 * r.k * r.k
        assert r.gflop == 2 * r.macs / 1e9
        assert r.tflops == pytest.approx(2 * r.macs / r.timing.median / 1e12, rel=1e-12)


@pytest.mark.parametrize(
    ("batch", "channels", "size", "k"), [(1, 8, 8, 1), (2, 4, 6, 3), (1, 3, 5, 5)]
)
def test_conv_macs_agree_with_the_graph(batch: int, channels: int, size: int, k: int) -> None:
    """The formula against the graph's count of the same conv (MACs per image x batch)."""
    conv = nn.Conv2d(channels, channels, k, padding=k // 2, bias=False)
    per_image = build_graph(conv, (1, channels, size, size)).total_macs
    assert conv_macs(batch, channels, size, k) == batch * per_image


def test_peak_is_measured_in_the_same_run(run: tuple[list, KernelReport]) -> None:
    peak = run[1].peak
    assert peak is not None and peak.n == 128 and len(peak.timing.seconds) == 2
    assert peak.gflops == pytest.approx(2 * 128**3 / peak.timing.median / 1e9, rel=1e-12)


def test_progress(run: tuple[list, KernelReport]) -> None:
    steps, report = run
    fractions = [f for f, _, _ in steps]
    # (warm-up 2 + repeats 2) x (peak + two convs)
    assert len(steps) == 12 and fractions[-1] == 1.0
    assert all(a < b for a, b in zip(fractions, fractions[1:], strict=False))
    # each partial report is a snapshot: the runs after it do not change it
    assert all(r is not report for _, _, r in steps)
    assert [len(r.timing.seconds) for r in steps[-1][2].rows] == [2, 2]
    assert [len(r.timing.seconds) for r in steps[6][2].rows] == [0, 0] or not steps[6][2].rows


def test_as_dict_is_json(run: tuple[list, KernelReport]) -> None:
    report = run[1]
    d = json.loads(json.dumps(report.as_dict()))
    assert [r["kernel"] for r in d["rows"]] == ["1x1", "3x3"]
    assert [r["macs"] for r in d["rows"]] == [4096, 36864]
    assert d["peak"]["n"] == 128 and d["peak"]["runs"] == 2
    for row, r in zip(d["rows"], report.rows, strict=True):
        assert row["fraction_of_peak"] == pytest.approx(r.tflops * 1e3 / report.peak.gflops)
        assert row["ms"] == pytest.approx(r.timing.median * 1e3)
        assert row["timing"]["runs"] == 2


def test_cpu_default_batch() -> None:
    _, report = drive(
        kernel_experiment(
            device="cpu", channels=4, size=4, kernels=(1,), repeats=1, warmup=0, peak_n=32
        )
    )
    assert report.batch == 1 and [r.k for r in report.rows] == [1]


@pytest.mark.parametrize("kernels", [(2,), (1, 4), (0,), ()])
def test_even_or_empty_kernel_sizes_are_refused(kernels) -> None:
    with pytest.raises(ValueError, match="odd"):
        next(kernel_experiment(device="cpu", kernels=kernels))
