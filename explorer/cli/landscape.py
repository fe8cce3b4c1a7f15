"""``landscape MODEL``: the loss around the trained weights along filter-normalised random
directions, or the line to another checkpoint (Li et al. 2018)."""

from __future__ import annotations

import argparse
import re

from explorer.app.argtypes import at_most, positive_int
from explorer.cli.common import (
    CliError,
    analyze_or_error,
    check_ray,
    emit_json,
    executor_or_error,
    prepared_model,
    progress,
    ray_options,
    run_options,
    spec_or_error,
)


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    p = sub.add_parser(
        "landscape",
        help="the loss landscape around the trained weights (Li et al. 2018)",
        description="Evaluate MODEL's mean cross-entropy and top-1 on a grid of weights "
        "theta + x dx + y dy around the trained theta, along random directions with filter "
        "normalisation (each filter of the direction scaled to the weights' filter; biases "
        "and BatchNorm parameters not moved), or, with --to, along the line between two "
        "checkpoints, theta(a) = (1 - a) theta0 + a theta1. BatchNorm runs in eval mode with "
        "its running statistics. The grid is computed coarse first, then refined.",
    )
    p.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    p.add_argument(
        "--data",
        metavar="D",
        help="labelled images: digits, a folder (ImageFolder layout), FILE.npz, "
        "cifar10[:ROOT], mnist[:ROOT] (default: the model's own evaluation set)",
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="the first N images (all)")
    p.add_argument("--batch-size", type=positive_int, default=256, metavar="B")
    p.add_argument("--dims", type=int, choices=(1, 2), default=2, help="1 or 2 (2)")
    p.add_argument(
        "--grid",
        type=at_most(100_000),
        metavar="N",
        help="points per axis, 2 to 201 (2-D: 21, 1-D: 51)",
    )
    p.add_argument(
        "--range",
        type=_span,
        metavar="A,B",
        help="from A to B in units of the direction (-1,1; with --to -0.5,1.5)",
    )
    p.add_argument(
        "--seed", type=_seed, default=0, help="seed of the random directions, 0 to 2^63-1 (0)"
    )
    p.add_argument("--directions", metavar="FILE", help="read the directions from FILE")
    p.add_argument(
        "--save-directions",
        metavar="FILE",
        help="write the directions to FILE ({'x': {param: tensor}, 'y': ...}, readable with "
        "torch.load(weights_only=True))",
    )
    p.add_argument("--force", action="store_true", help="let --save-directions replace a file")
    p.add_argument(
        "--to",
        metavar="CHECKPOINT",
        help="the 1-D line from the weights (--weights) to this checkpoint of the same network",
    )
    run_options(p)
    ray_options(p)
    # "--range -1,1": a value that starts with a minus sign is taken for the range, not for
    # an option (argparse takes only plain negative numbers so)
    number = r"(inf|[\d.]+([eE][-+]?\d+)?)"
    p._negative_number_matcher = re.compile(rf"^-{number}(,-?{number})?$", re.IGNORECASE)
    return {"landscape": cmd_landscape}


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': give a whole number") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"'{text}': give a seed from 0 to 2^63-1")
    return v


def _span(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        a, b = (float(v) for v in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': give A,B, two numbers") from None
    return a, b  # A < B, both finite: checked with the grid


def cmd_landscape(args: argparse.Namespace) -> int:
    from explorer.app.workflows.landscape import LandscapeSettings, check_settings, landscape
    from explorer.app.workflows.lesion import EvalSettings
    from explorer.cli.lesion import warn_skipped
    from explorer.files import FileError, check_output
    from explorer.runtime.preprocess import check_input
    from explorer.studies.landscape.directions import LandscapeError, parameters_of

    grid = args.grid if args.grid is not None else (21 if args.dims == 2 else 51)
    span = args.range or ((-0.5, 1.5) if args.to else (-1.0, 1.0))
    settings = LandscapeSettings(
        dims=args.dims,
        grid=grid,
        span=span,
        seed=args.seed,
        directions=args.directions,
        save_directions=args.save_directions,
        to=args.to,
    )
    try:  # everything that can be said before the model is built
        check_settings(settings)
        if args.save_directions is not None:
            if not args.save_directions.strip():
                raise LandscapeError("--save-directions: give a file name")
            check_output(
                args.save_directions, force=args.force, what="--save-directions", make_folder=False
            )
    except (LandscapeError, FileError) as exc:
        raise CliError(str(exc)) from None
    check_ray(args)
    if args.input_size is not None:
        batch = min(args.batch_size, args.limit or args.batch_size)
        check_input(spec_or_error(args.model).input_size[0], args.input_size, batch)
    an = analyze_or_error(args.model, args.input_size)
    try:
        parameters_of(an.model)  # before the weights' notes
    except LandscapeError as exc:
        raise CliError(str(exc)) from None
    spec, _model, info, prep, device, _precision = prepared_model(args, an)
    ev = EvalSettings(args.data, args.limit, args.batch_size)
    with executor_or_error(args, device) as ex:
        ls = progress(
            landscape(
                an, prep, info.categories, settings, ev, device, weights=info.label, executor=ex
            )
        )
    warn_skipped(ls.skipped)
    out = ls.as_json()
    if args.json:
        emit_json(out)
        return 0
    _print(out)
    return 0


def _print(out: dict) -> None:
    c = out["center"]
    top1 = "n/a" if c["top1"] is None else f"{c['top1']:.2f} %"
    how = (
        f"random directions (seed {out['seed']}), filter-normalised, biases and BatchNorm not moved"
        if out["directions"] == "random"
        else f"directions: {out['directions']}"
    )
    print(
        f"{out['model']} ({out['weights']}) on {out['data']['name']}, {out['data']['n']} "
        f"images; {how}; BatchNorm in {out['batchnorm']}"
    )
    start = "a = 0 (the --weights)" if out["directions"].startswith("interp") else "trained point"
    print(f"{start}: loss {_fmt(c['loss'])}, top-1 {top1}")
    xs = out["x"]
    if out["dims"] == 1:
        print(f"{'a' if out['directions'].startswith('interp') else 'x':>8}  {'loss':>10}  top-1 %")
        for x, loss, t in zip(xs, out["loss"], out["top1"], strict=True):
            print(f"{x:8.3f}  {_fmt(loss):>10}  {'n/a' if t is None else f'{t:.2f}'}")
    else:
        print("loss (rows: y from the top, columns: x):")
        print("        " + " ".join(f"{x:>7.2f}" for x in xs))
        for y, row in zip(out["y"], out["loss"], strict=True):
            print(f"{y:7.2f} " + " ".join(f"{_fmt(v):>7}" for v in row))
    r = out["roughness"]
    print(
        f"roughness: largest second difference along the axes {_fmt(r['max_second_difference'])}"
        f", local minima {r['local_minima']}"
        + (
            f"; {out['nonfinite']} points with outputs that are not finite"
            if out["nonfinite"]
            else ""
        )
    )
    n = len(xs) * (len(out["y"]) if out["y"] else 1)
    w = out["workers"]
    print(f"{n} points in {out['elapsed_s']:.1f} s ({w} worker{'s' if w != 1 else ''})")


def _fmt(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.4g}"
