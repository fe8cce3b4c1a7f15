"""``compare`` (published figures, measured speed) and ``kernels`` (RepVGG's Table 1 here)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from explorer.app.argtypes import at_most, non_negative_int, positive_int
from explorer.cli.common import (
    EXIT_USAGE,
    CliError,
    device_options,
    device_or_error,
    emit_json,
    failed,
    progress,
    spec_or_error,
)
from explorer.errors import ExplorerError


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    p = sub.add_parser(
        "compare",
        help="published accuracy, parameters and GMACs; measured images/s and GFLOP/s",
        description="Print the published ImageNet figures (top-1, top-5, parameters, GMACs, "
        "resolution, training recipe and their source) of MODELs (default: the whole zoo): a "
        "network with both an original and an improved recipe's figures has a row of each. "
        "List the models that have none. With --measure, also time them on this machine: images/s (median of the "
        "rounds, with min and max), achieved GFLOP/s = 2 x MACs x images/s, and the share "
        "of the device's peak measured in the same run with a large matrix product.",
    )
    p.add_argument("models", nargs="*", metavar="MODEL", help="registered name, tv:NAME, ...")
    p.add_argument("--measure", action="store_true", help="time the models on this machine")
    device_options(p)
    p.add_argument(
        "--batch", type=positive_int, metavar="N", help="images per pass (64 on CUDA, else 8)"
    )
    p.add_argument(
        "--resolution",
        type=positive_int,
        metavar="N",
        help="input height = width for every model (default: each model's own)",
    )
    p.add_argument(
        "--repeats", type=at_most(10_000), default=10, metavar="R", help="timed rounds (default 10)"
    )
    p.add_argument(
        "--warmup", type=_warmup, default=3, metavar="W", help="untimed rounds first (3)"
    )
    p.add_argument(
        "--fused",
        action="store_true",
        help="also measure the deploy form of RepVGG models (branches fused into one conv)",
    )
    p.add_argument(
        "--kinds",
        action="store_true",
        help="also time each layer kind (conv 3x3, conv 1x1, depthwise, ...) of each model",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")

    k = sub.add_parser(
        "kernels",
        help="one conv of kernel size 1, 3, 5, 7: operations, time, achieved TFLOP/s",
        description="RepVGG's Table 1 on this machine: the same convolution (C channels in "
        "and out, stride 1, same padding, SIZE x SIZE, batch B) for each kernel size, with "
        "its theoretical operations, measured time and achieved TFLOP/s, beside the device's "
        "peak (a large matrix product) measured in the same run. Defaults: RepVGG's own "
        "setting on a CUDA GPU (batch 32, 2048 channels, 56x56), batch 1 and 256 channels "
        "elsewhere.",
    )
    device_options(k)
    k.add_argument("--batch", type=positive_int, metavar="B")
    k.add_argument("--channels", type=positive_int, metavar="C")
    k.add_argument("--size", type=positive_int, metavar="N", help="height = width (default 56)")
    k.add_argument(
        "--kernels",
        default="1,3,5,7",
        metavar="K,K,...",
        help="odd kernel sizes (default 1,3,5,7)",
    )
    k.add_argument(
        "--repeats", type=at_most(10_000), default=7, metavar="R", help="timed rounds (default 7)"
    )
    k.add_argument("--json", action="store_true", help="print one JSON object")
    return {"compare": cmd_compare, "kernels": cmd_kernels}


def cmd_compare(args: argparse.Namespace) -> int:
    from explorer.models.published import chart_data

    names = list(dict.fromkeys(args.models)) or None
    for name in names or []:
        spec_or_error(name)
    if args.measure and not names:
        raise CliError(
            "name the models to measure, e.g. "
            "'cnn-explorer compare resnet50 vgg16 repvgg_a0 efficientnet_b0 --measure --fused'"
        )
    found, missing = chart_data(names)
    out: dict[str, Any] = {
        "published": [f.as_dict() for f in found],
        "without_figures": [m.as_dict() for m in missing],
    }
    report = None
    if args.measure:
        device_or_error(args.device, args.precision)
        from explorer.studies.speed.rounds import measure_speed

        try:
            report = progress(
                measure_speed(
                    names or [],
                    device=args.device,
                    batch=args.batch,
                    resolution=args.resolution,
                    repeats=args.repeats,
                    warmup=args.warmup,
                    precision=args.precision,
                    fuse=args.fused,
                    kinds=args.kinds,
                )
            )
        except ExplorerError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line, not a traceback
            raise failed("measuring", exc) from None
        out["measured"] = report.as_dict()
    if args.json:
        emit_json(out, indent=2)
        for name, err in report.failed if report is not None else ():
            print(f"{name}: not measured: {err}", file=sys.stderr)  # the reason, not only in JSON
    else:
        _print_published(found, missing)
        if report is not None:
            _print_measured(report)
    if report is not None and not report.results:
        return EXIT_USAGE  # nothing measured: each network's reason is on stderr
    return 0


def _print_published(found: list, missing: list) -> None:
    if found:
        print(
            "Published ImageNet figures (GMACs: torchvision's 'GFLOPS' are GMACs; recipe: "
            "original = the paper's training or torchvision's IMAGENET1K_V1, improved = a "
            "later recipe)"
        )
        print(
            f"{'model':<22}{'recipe':<10}{'weights':<15}{'top-1':>8}{'top-5':>8}{'params':>14}"
            f"{'GMACs':>8}{'px':>5}  source"
        )
        for f in found:
            top5 = f"{f.top5:8.2f}" if f.top5 is not None else f"{'-':>8}"
            print(
                f"{f.name:<22}{f.recipe:<10}{f.weights:<15}{f.top1:8.2f}{top5}{f.params:14,d}"
                f"{f.gmacs:8.2f}{f.resolution:5d}  {f.source}" + (f" ({f.note})" if f.note else "")
            )
    if missing:
        print(f"\nWithout published ImageNet figures ({len(missing)}):")
        for m in missing:
            print(f"  {m.name}: {m.reason}")


def _print_measured(report: Any) -> None:
    peak = report.peak
    print(
        f"\nMeasured on {report.device}, batch {report.batch}, median of {report.repeats} "
        f"rounds after {report.warmup} warm-up rounds (min-max: slowest and fastest round)"
    )
    if peak is not None:
        print(
            f"Peak ({peak.n}x{peak.n} matrix product, {peak.dtype}): {peak.gflops:,.1f} GFLOP/s "
            f"(spread {peak.timing.spread:.1%})"
        )
    print(
        f"{'model':<26}{'px':>5}{'images/s':>11}{'min-max':>17}{'spread':>8}{'GMACs':>8}"
        f"{'GFLOP/s':>10}{'of peak':>9}"
    )
    for r in report.results:
        lo, hi = r.images_per_s_range
        share = f"{r.gflops / peak.gflops:9.1%}" if peak is not None else f"{'-':>9}"
        print(
            f"{r.label:<26}{r.resolution:5d}{r.images_per_s:11.1f}{f'{lo:.1f}-{hi:.1f}':>17}"
            f"{r.timing.spread:8.1%}{r.macs / 1e9:8.2f}{r.gflops:10.1f}{share}"
        )
    for r in report.results:
        if not r.kinds:
            continue
        total = sum(k.seconds for k in r.kinds) or 1.0
        print(f"\n{r.label}: time by layer kind (instrumented pass, each layer synchronised)")
        print(f"  {'kind':<20}{'layers':>7}{'GMACs':>8}{'time':>8}{'GFLOP/s':>10}")
        for k in r.kinds:
            g = f"{k.gflops:10.1f}" if k.gflops is not None else f"{'-':>10}"
            print(f"  {k.kind:<20}{k.layers:7d}{k.macs / 1e9:8.3f}{k.seconds / total:8.1%}{g}")
    for name, err in report.failed:
        print(f"{name}: not measured: {err}", file=sys.stderr)


def cmd_kernels(args: argparse.Namespace) -> int:
    from explorer.studies.speed.kernels import kernel_experiment, parse_kernels

    try:
        ks = parse_kernels(args.kernels)
    except ValueError as exc:
        raise CliError(f"--kernels: {exc}") from None
    device_or_error(args.device, args.precision)

    try:
        report = progress(
            kernel_experiment(
                device=args.device,
                batch=args.batch,
                channels=args.channels,
                size=args.size,
                kernels=ks,
                repeats=args.repeats,
                precision=args.precision,
            )
        )
    except ExplorerError:  # a refusal (over the memory limit ...): its own line
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. out of memory: one line
        raise failed("the kernel-size experiment", exc) from None
    code = 0 if report.rows else EXIT_USAGE  # no kernel size measured: reasons on stderr
    if args.json:
        emit_json(report.as_dict(), indent=2)
        for name, err in report.failed:
            print(f"{name}: not measured: {err}", file=sys.stderr)
        return code
    peak = report.peak
    print(
        f"One conv, {report.channels} channels in and out, {report.size}x{report.size}, "
        f"batch {report.batch}, stride 1, on {report.device}; median of {report.repeats} runs"
    )
    if peak is not None:
        print(f"Peak ({peak.n}x{peak.n} matrix product): {peak.gflops / 1e3:.3f} TFLOP/s")
    print(f"{'kernel':<8}{'GFLOP':>10}{'ms':>10}{'spread':>8}{'TFLOP/s':>9}{'of peak':>9}")
    for r in report.rows:
        share = f"{r.tflops * 1e3 / peak.gflops:9.1%}" if peak is not None else f"{'-':>9}"
        print(
            f"{r.k}x{r.k:<6}{r.gflop:10.1f}{r.timing.median * 1e3:10.2f}"
            f"{r.timing.spread:8.1%}{r.tflops:9.3f}{share}"
        )
    for name, err in report.failed:
        print(f"{name}: not measured: {err}", file=sys.stderr)
    return code


def _warmup(text: str) -> int:
    v = non_negative_int(text)
    if v > 10_000:
        raise argparse.ArgumentTypeError(f"at most 10,000, got {v:,}")
    return v
