"""``paths MODEL``: a residual network as an ensemble of paths (Veit et al. 2016, Fig. 6):
the number of paths of each length, the gradient each length carries to the input, and the
effective range of lengths."""

from __future__ import annotations

import argparse

from explorer.app.argtypes import at_most, positive_int
from explorer.app.workflows.paths import DEFAULT_IMAGES, DEFAULT_SAMPLES
from explorer.cli.common import (
    CliError,
    analyze_or_error,
    emit_json,
    prepared_model,
    progress,
    run_options,
    spec_or_error,
)


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    p = sub.add_parser(
        "paths",
        help="a residual network as an ensemble of paths: gradient by path length "
        "(Veit et al. 2016)",
        description="Unravel MODEL's n residual blocks (along the main path, downsampling "
        "blocks too) into 2^n paths, C(n, k) of length k, and measure the gradient each "
        "length carries to the input as Veit et al. do: the images go forward through the "
        "whole network; in each backward pass k blocks chosen at random let the gradient "
        "through their residual branch only, the other n - k through their skip connection "
        "only (a projection or padding shortcut stays in the skip path); the norm of each "
        "image's gradient at the input is averaged. The total contribution of a length is "
        "its number of paths times that mean; the effective range is the shortest range of "
        "lengths holding 90 % of the total. The loss is each image's cross-entropy against "
        "its label (unlabelled images: the network's top-1 class), in fp32. The defaults "
        f"(--limit {DEFAULT_IMAGES}, --samples {DEFAULT_SAMPLES}) take about a minute for "
        "resnet56 on digits on two CPU cores; the time grows with images x samples.",
    )
    p.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    p.add_argument(
        "--data",
        metavar="D",
        help="digits[:train], a folder (ImageFolder layout), FILE.npz, cifar10[:ROOT], "
        "mnist[:ROOT], photos (default: the model's own evaluation set)",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=DEFAULT_IMAGES,
        metavar="N",
        help=f"the first N images ({DEFAULT_IMAGES})",
    )
    p.add_argument("--batch-size", type=positive_int, default=64, metavar="B")
    p.add_argument(
        "--samples",
        type=at_most(100_000),
        default=DEFAULT_SAMPLES,
        metavar="S",
        help=f"paths measured per length ({DEFAULT_SAMPLES}; a length with no more paths "
        "than S: every one of them; the paper: 1,000)",
    )
    p.add_argument("--seed", type=_seed, default=0, help="seed of the paths drawn, 0 to 2^63-1 (0)")
    p.add_argument("--download", action="store_true", help="let torchvision data download")
    run_options(p)
    return {"paths": cmd_paths}


def cmd_paths(args: argparse.Namespace) -> int:
    from explorer.app.workflows.lesion import EvalSettings
    from explorer.app.workflows.paths import PathSettings, blocks_of, check_settings, paths
    from explorer.cli.lesion import warn_skipped
    from explorer.runtime.preprocess import check_input
    from explorer.studies.paths.routing import PathsError

    settings = PathSettings(samples=args.samples, seed=args.seed)
    try:
        check_settings(settings)
    except PathsError as exc:
        raise CliError(str(exc)) from None
    if args.input_size is not None:
        batch = min(args.batch_size, args.limit)
        check_input(spec_or_error(args.model).input_size[0], args.input_size, batch)
    an = analyze_or_error(args.model, args.input_size)
    try:
        blocks_of(an)  # before the weights' notes: a plain network is one line
    except PathsError as exc:
        raise CliError(str(exc)) from None
    _spec, _model, info, prep, device, _precision = prepared_model(args, an)
    ev = EvalSettings(args.data, args.limit, args.batch_size, args.download)
    res = progress(paths(an, prep, info.categories, settings, ev, device, weights=info.label))
    warn_skipped(res.skipped)
    out = res.as_json()
    if args.json:
        emit_json(out)
        return 0
    _print(out, res.labels, res.elapsed_s)
    return 0


def _print(out: dict, labels: str, elapsed_s: float) -> None:
    n = out["n_blocks"]
    print(
        f"{out['model']} ({out['weights']}) on {out['data']['name']}, {out['data']['n']} "
        f"images; loss against {labels}"
    )
    print(
        f"{n} residual blocks ({out['blocks'][0]} ... {out['blocks'][-1]}): 2^{n} = {2**n:,} paths"
    )
    print(f"{'length':>6}  {'paths':>16}  {'sampled':>7}  {'|grad| at input':>15}  {'total':>10}")
    eff = out["effective"]
    for k in out["lengths"]:
        mark = " *" if eff is not None and eff[0] <= k <= eff[1] else ""
        print(
            f"{k:>6}  {out['num_paths'][k]:>16,}  {out['samples'][k]:>7}  "
            f"{_fmt(out['grad_norm'][k]):>15}  {_fmt(out['contribution'][k]):>10}{mark}"
        )
    if eff is None:
        print("effective paths: n/a (no gradient reached the input)")
    else:
        print(
            f"effective paths (* : the shortest range of lengths holding 90 % of the total): "
            f"{eff[0]}-{eff[1]} of {n}"
        )
    print(f"{sum(out['samples'])} paths per image in {elapsed_s:.1f} s")


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3g}"


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': give a whole number") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"'{text}': give a seed from 0 to 2^63-1")
    return v
