"""The Density and Kernels tabs' data, without Qt: hand-made reports with known figures."""

from __future__ import annotations

import pytest

from explorer.studies.speed.density import (
    KERNEL_HEADER,
    MODEL_HEADER,
    DensityRow,
    kernel_rows,
    kind_label,
    kind_rows,
    model_rows,
    model_table,
    number,
    peak_label,
    percent,
)
from explorer.studies.speed.kernels import KernelReport, KernelRow, conv_macs, parse_kernels
from explorer.studies.speed.rounds import KindRow, Peak, SpeedReport, SpeedResult, Timing

# a 1000x1000 product (2e9 FLOPs) in 10 ms: a peak of 200 GFLOP/s
PEAK = Peak(1000, "fp32", Timing([0.012, 0.010, 0.009]))


def result(name: str, macs: int, seconds: float, label: str | None = None, kinds=()) -> SpeedResult:
    """Batch 2: images/s = 2 / seconds, GFLOP/s = 2 x macs x images/s / 1e9."""
    return SpeedResult(
        name, label or name, "test", False, 2, 224, macs, 1000, Timing([seconds]), list(kinds)
    )


def report(*results: SpeedResult, peak: Peak | None = PEAK) -> SpeedReport:
    return SpeedReport("cpu (fp32)", "fp32", 2, 1, 0, peak, list(results), complete=True)


def test_peak_is_as_the_speed_module_says() -> None:
    assert PEAK.gflops == pytest.approx(200.0)
    assert peak_label(PEAK) == "peak 200 GFLOP/s (1000x1000 matmul)"
    assert peak_label(PEAK, "TFLOP/s") == "peak 0.200 TFLOP/s (1000x1000 matmul)"


def test_model_rows_keep_the_order_measured_and_give_fractions() -> None:
    slow = result("vgg11", 7_000_000_000, 0.28)  # 2 images in 0.28 s: 100 GFLOP/s
    fast = result("resnet18", 1_000_000_000, 0.04)  # 50 images/s: 100 GFLOP/s
    fused = result("repvgg_a0", 1_500_000_000, 0.02, "repvgg_a0 (fused)")  # 300 GFLOP/s
    rows = model_rows(report(slow, fast, fused))
    assert [r.label for r in rows] == ["vgg11", "resnet18", "repvgg_a0 (fused)"]
    assert [r.name for r in rows] == ["vgg11", "resnet18", "repvgg_a0"]
    assert [r.gflops for r in rows] == pytest.approx([100.0, 100.0, 300.0])
    assert [r.fraction for r in rows] == pytest.approx([0.5, 0.5, 1.5])  # above: it happens
    assert rows[1].images_per_s == pytest.approx(50.0)
    assert rows[1] == DensityRow("resnet18", "resnet18", rows[1].gflops, rows[1].fraction, 50.0)


def test_model_rows_without_a_peak_or_a_report() -> None:
    rows = model_rows(report(result("resnet18", 10**9, 0.04), peak=None))
    assert len(rows) == 1 and rows[0].fraction is None and rows[0].gflops == pytest.approx(100)
    assert model_rows(None) == []
    assert model_rows(report()) == []


def kinds() -> list[KindRow]:
    return [
        KindRow("conv 3x3", 16, 900, 0.6, 2),
        KindRow("norm", 20, 0, 0.3, 2),
        KindRow("linear", 1, 100, 0.1, 2),
    ]


def test_kind_rows_shares_sum_to_one() -> None:
    shares = kind_rows(result("resnet18", 1000, 1.0, kinds=kinds()))
    assert [s.kind for s in shares] == ["conv 3x3", "norm", "linear"]  # the result's order
    assert [s.layers for s in shares] == [16, 20, 1]
    assert [s.time_share for s in shares] == pytest.approx([0.6, 0.3, 0.1])
    assert [s.mac_share for s in shares] == pytest.approx([0.9, 0.0, 0.1])
    assert sum(s.time_share for s in shares) == pytest.approx(1.0)
    assert sum(s.mac_share for s in shares) == pytest.approx(1.0)
    # conv 3x3: 900 MACs x 2 images in 0.6 s
    assert shares[0].gflops == pytest.approx(2 * 900 * 2 / 0.6 / 1e9)
    assert shares[1].gflops is None  # no MACs
    assert kind_label(shares[0]) == "conv 3x3 (60 % of time)"
    assert kind_label(shares[2]) == "linear (10 % of time)"


def test_kind_rows_where_shares_are_undefined() -> None:
    assert kind_rows(result("lenet5", 10, 1.0)) == []  # layer kinds not timed
    no_time = [KindRow("conv 3x3", 1, 50, 0.0, 1), KindRow("act", 1, 0, 0.0, 1)]
    shares = kind_rows(result("x", 50, 1.0, kinds=no_time))
    assert [s.time_share for s in shares] == [None, None]
    assert [s.mac_share for s in shares] == pytest.approx([1.0, 0.0])
    assert shares[0].gflops is None  # no time: no rate
    assert kind_label(shares[0]) == "conv 3x3"
    no_macs = [KindRow("pool", 1, 0, 0.2, 1), KindRow("act", 2, 0, 0.2, 1)]
    shares = kind_rows(result("y", 0, 1.0, kinds=no_macs))
    assert [s.mac_share for s in shares] == [None, None]
    assert [s.time_share for s in shares] == pytest.approx([0.5, 0.5])


def test_model_table_has_each_network_then_its_kinds() -> None:
    header, rows = model_table(
        report(result("resnet18", 10**9, 0.04, kinds=kinds()), result("vgg11", 10**9, 0.04))
    )
    assert header == list(MODEL_HEADER)
    assert len(rows) == 1 + 3 + 1 and all(len(r) == len(header) for r in rows)
    assert rows[0][:4] == ["resnet18", "resnet18", pytest.approx(100.0), pytest.approx(0.5)]
    assert rows[1][5:7] == ["conv 3x3", 16] and rows[1][8] == pytest.approx(0.6)
    assert rows[4][0] == "vgg11" and rows[4][5] == ""
    assert model_table(None) == (list(MODEL_HEADER), [])


def test_kernel_rows_are_the_tables_text() -> None:
    # batch 1, 8 channels, 10x10: a 3x3 conv does 1 x 8 x 8 x 100 x 9 = 57,600 MACs
    macs = conv_macs(1, 8, 10, 3)
    assert macs == 57_600
    row = KernelRow(3, macs, Timing([0.002, 0.001, 0.0015]))  # median 1.5 ms
    rep = KernelReport("cpu (fp32)", "fp32", 1, 8, 10, 3, [row], peak=None)
    assert kernel_rows(rep) == [("3x3", "1.15e-04", "1.50", "67 %", "7.68e-05", "")]
    rep.peak = Peak(10, "fp32", Timing([2000 / 0.768e9]))  # 0.768 GFLOP/s: 10 % of it
    assert kernel_rows(rep)[0][5] == "10 %"
    assert len(kernel_rows(rep)[0]) == len(KERNEL_HEADER)
    assert kernel_rows(None) == []
    assert kernel_rows(KernelReport("cpu (fp32)", "fp32", 1, 8, 10, 3)) == []


def test_kernel_rows_in_real_units() -> None:
    # RepVGG's own setting: 32 x 2048 x 2048 x 56^2 x 9 MACs, 7.58 TFLOP in 0.25 s
    macs = conv_macs(32, 2048, 56, 3)
    row = KernelRow(3, macs, Timing([0.25, 0.25]))
    peak = Peak(8192, "fp32", Timing([2 * 8192**3 / 100e12]))  # 100 TFLOP/s
    cells = kernel_rows(KernelReport("cuda:0", "fp32", 32, 2048, 56, 2, [row], peak))[0]
    assert cells == ("3x3", "7,576", "250", "0.0 %", "30.3", "30 %")


@pytest.mark.parametrize(
    ("text", "sizes"),
    [("1,3,5,7", [1, 3, 5, 7]), (" 3 1, 3 ", [3, 1]), ("7", [7]), ("1,,3", [1, 3])],
)
def test_parse_kernels(text: str, sizes: list[int]) -> None:
    assert parse_kernels(text) == sizes


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2", "2 is not odd and positive"),
        ("1,3,4", "4 is not odd"),
        ("-1", "-1 is not odd and positive"),
        ("a", "'a' is not a whole number"),
        ("3.0", "'3.0' is not a whole number"),
        ("", "give at least one"),
        (" , ", "give at least one"),
    ],
)
def test_parse_kernels_refuses(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as err:
        parse_kernels(text)
    assert "\n" not in str(err.value)


def test_number_and_percent() -> None:
    assert [number(x) for x in (7399.4, 250.0, 29.61, 1.5, 0.2, 0.0, 1.15e-4)] == [
        "7,399",
        "250",
        "29.6",
        "1.50",
        "0.200",
        "0.000",
        "1.15e-04",
    ]
    assert [percent(f) for f in (0.7, 0.042, 0.0001, 0.0, 1.24)] == [
        "70 %",
        "4.2 %",
        "<0.1 %",
        "0.0 %",
        "124 %",
    ]
