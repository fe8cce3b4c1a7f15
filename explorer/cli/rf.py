"""``rf MODEL --block ID``: the input region one output value of a block sees."""

from __future__ import annotations

import argparse

from explorer.app.argtypes import positive_int
from explorer.cli.common import (
    STRUCTURE_HELP,
    CliError,
    emit_json,
    prepared_model,
    progress,
    run_options,
    structure_or_error,
)


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    p = sub.add_parser(
        "rf",
        help="the receptive field of one output value of a block, as a box on the input",
        description="Trace MODEL and print the input region that one output value of BLOCK "
        "sees: its receptive field and stride in input pixels, and the box (inclusive, in "
        "input pixels; it may reach past the image, where the padding is) for --position, "
        "in the block's output coordinates (default: the centre). With --effective, also "
        "its effective field (Luo et al. 2016): the gradient of that value (summed over the "
        "block's channels) on the input, averaged over the images, its spread in pixels and "
        "the pixels holding 95 %% of it.",
    )
    p.add_argument("model", help=STRUCTURE_HELP)
    p.add_argument("--block", required=True, metavar="ID", help="a block id (summary lists them)")
    p.add_argument("--position", type=_position, metavar="Y,X", help="output row, column")
    p.add_argument("--effective", action="store_true", help="also the effective field, over --data")
    p.add_argument(
        "--data",
        metavar="D",
        help="images for --effective: digits, a folder, FILE.npz, cifar10[:ROOT], photos "
        "(default: the model's own evaluation set; for ImageNet networks the sample photos)",
    )
    p.add_argument(
        "--limit", type=positive_int, default=16, metavar="N", help="the first N images (16)"
    )
    p.add_argument("--batch-size", type=positive_int, default=8, metavar="B")
    p.add_argument(
        "--compare",
        metavar="WHAT",
        action="append",
        default=[],
        help="with --effective: also the effective field of the same value in the same "
        "network with random weights (random: a fresh build, the network's own "
        "initialisation, drawn from --seed; BatchNorm in eval mode with running mean 0 and "
        "variance 1), or in network WHAT with its own weights (e.g. plain56 beside resnet56: "
        "the same block id and output shape), over the same images (repeatable)",
    )
    p.add_argument(
        "--seed", type=_seed, default=0, metavar="S", help="the random weights' seed, 0 to 2^63-1"
    )
    run_options(p)
    return {"rf": cmd_rf}


def _position(text: str) -> tuple[int, int]:
    parts = text.split(",")
    try:
        y, x = (int(v) for v in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': give Y,X, two whole numbers") from None
    return y, x


def cmd_rf(args: argparse.Namespace) -> int:
    from explorer.app.variants import split_variant
    from explorer.graph.receptive import FieldError, block_field

    if args.effective and split_variant(args.model)[1] is not None:
        raise CliError("--effective takes a network as trained, not NAME+fused")
    if args.compare and not args.effective:
        raise CliError("--compare goes with --effective")
    if args.effective and args.input_size is not None:  # before the model is traced at that size
        from explorer.cli.common import spec_or_error
        from explorer.runtime.preprocess import check_input

        batch = min(args.batch_size, args.limit or args.batch_size)
        check_input(spec_or_error(args.model).input_size[0], args.input_size, batch)
    an = structure_or_error(args.model, args.input_size)
    try:
        out = block_field(an.tree, args.block, args.position)
    except FieldError as exc:
        raise CliError(str(exc)) from None
    compared = None
    if args.effective and args.compare:
        effective, compared = _compared(args, an, tuple(out["position"]))
    elif args.effective:
        effective = _effective(args, an, tuple(out["position"]))
    else:
        effective = None
    out = {"model": args.model, **out, "effective": effective, "compared": compared}
    if args.json:
        emit_json(out)
        return 0
    y0, x0, y1, x1 = out["box"]
    i0, j0, i1, j1 = out["inside"]
    h, w = out["input"]
    print(
        f"{args.model} {out['block']}: receptive field {_pair(out['rf'])} px, stride "
        f"{_pair(out['stride'])} px (input {h}x{w}, output {out['output'][0]}x{out['output'][1]})"
    )
    print(
        f"output ({out['position'][0]}, {out['position'][1]}) sees input rows {y0}..{y1}, "
        f"columns {x0}..{x1}"
    )
    if (i0, j0, i1, j1) != (y0, x0, y1, x1):
        print(
            f"on the image: rows {i0}..{i1}, columns {j0}..{j1} "
            f"({(i1 - i0 + 1) * (j1 - j0 + 1):,} of {(y1 - y0 + 1) * (x1 - x0 + 1):,} px; "
            "the rest is padding)"
        )
    if effective is not None:
        sy, sx = effective["std_px"]
        print(
            f"effective field over {effective['images']} images of {effective['data']}: std "
            f"{sy:.2f} px (rows), {sx:.2f} px (columns); 95 % of it in "
            f"{effective['mass95_px']:,} px, {effective['mass95_share']:.1%} of the field on "
            "the image"
        )
    for c in compared or []:
        sy, sx = c["std_px"]
        print(
            f"{c['model']} ({c['weights']}): std {sy:.2f} px (rows), {sx:.2f} px (columns); "
            f"95 % of it in {c['mass95_px']:,} px, {c['mass95_share']:.1%} of the field on "
            "the image"
        )
    for c in compared or []:
        if c.get("init"):
            print(
                f"random weights ({c['weights']}): {c['init']}; BatchNorm in eval mode with "
                "running mean 0 and variance 1"
            )
    return 0


def _effective(args: argparse.Namespace, an: object, position: tuple[int, int]) -> dict:
    from explorer.app.workflows.field import effective_field
    from explorer.app.workflows.lesion import EvalSettings
    from explorer.runtime.evalset import DataError
    from explorer.studies.field.effective import EffectiveFieldError

    _spec, _model, info, prep, device, _precision = prepared_model(args, an)
    settings = EvalSettings(args.data, args.limit, args.batch_size)
    try:
        stats, _map = progress(
            effective_field(an, prep, info.categories, device, args.block, position, settings)
        )
    except (DataError, EffectiveFieldError) as exc:
        raise CliError(str(exc)) from None
    return stats


def _compared(
    args: argparse.Namespace, an: object, position: tuple[int, int]
) -> tuple[dict, list[dict]]:
    """The model's effective field and those it is compared with, over the same images."""
    from explorer.app.workflows.field import CompareError, compare_effective
    from explorer.app.workflows.lesion import EvalSettings
    from explorer.graph.trace import TraceError
    from explorer.models.registry import RegistryError
    from explorer.runtime.evalset import DataError
    from explorer.studies.field.effective import EffectiveFieldError

    _spec, model, info, prep, device, _precision = prepared_model(args, an)
    settings = EvalSettings(args.data, args.limit, args.batch_size)
    try:
        res = progress(
            compare_effective(
                an,
                args.block,
                position,
                args.compare,
                data=(prep, info.categories, settings),
                device=device,
                seed=args.seed,
                weights=info.label,
            )
        )
    except (CompareError, DataError, EffectiveFieldError, RegistryError, TraceError) as exc:
        raise CliError(str(exc)) from None
    nets = [{k: v for k, v in n.items() if k != "map"} for n in res["nets"]]
    mine = nets[0]
    effective = {k: mine[k] for k in ("std_px", "centre_px", "mass95_px", "images")}
    effective["mass95_share"] = mine["mass95_share"]
    effective["data"] = res["data"]
    return effective, nets[1:]


def _pair(v: int | list[int]) -> str:
    return f"{v}" if isinstance(v, int) else f"{v[0]}x{v[1]}"


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': give a whole number") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"'{text}': give a seed from 0 to 2^63-1")
    return v
