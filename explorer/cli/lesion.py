"""``lesion``: delete blocks and measure accuracy; sweeps (Veit et al. 2016), headless."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from explorer.app.argtypes import at_most, positive_int
from explorer.app.workflows.lesion import SWEEPS
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
    le = sub.add_parser(
        "lesion",
        help="delete blocks and measure the accuracy; lesion sweeps",
        description="Evaluate MODEL intact and with blocks deleted (residual: branch removed, "
        "shortcut kept; inception/RepVGG branch: removed; SE: gate 1; highway: carry only; "
        "other layers: identity where the shapes allow).",
    )
    le.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    le.add_argument(
        "--data",
        metavar="D",
        help="digits[:train], a folder (ImageFolder layout), FILE.npz, cifar10[:ROOT], "
        "mnist[:ROOT], photos (default: the model's own evaluation set; for ImageNet "
        "networks the sample photos, unlabelled: agreement only)",
    )
    le.add_argument("--delete", metavar="ID,...", help="block qualnames to delete together")
    le.add_argument("--sweep", choices=SWEEPS, help="single, random (k = 1..K) or reorder")
    le.add_argument("--limit", type=positive_int, metavar="N", help="use the first N images")
    le.add_argument("--batch-size", type=positive_int, default=64, metavar="B")
    le.add_argument("--k-max", type=at_most(1000), default=8, metavar="K", help="random sweep")
    le.add_argument("--trials", type=at_most(10_000), default=5, help="random / reorder sweep")
    le.add_argument("--seed", type=int, default=0)
    le.add_argument("--download", action="store_true", help="let torchvision data download")
    run_options(le)
    ray_options(le)
    return {"lesion": cmd_lesion}


def cmd_lesion(args: argparse.Namespace) -> int:
    from explorer.app.workflows.lesion import EvalSettings, SweepSettings, accuracy, sweep
    from explorer.runtime.datasets import DataError
    from explorer.runtime.preprocess import check_input
    from explorer.studies.lesion.surgery import LesionError

    check_ray(args)
    if args.ray is not None and not args.sweep:
        raise CliError("--ray goes with --sweep (single, random or reorder)")
    if args.input_size is not None:  # before the model is traced at that size
        batch = min(args.batch_size, args.limit or args.batch_size)
        check_input(spec_or_error(args.model).input_size[0], args.input_size, batch)
    an = analyze_or_error(args.model, args.input_size)
    spec, model, info, prep, device, _precision = prepared_model(args, an)
    deleted = [b.strip() for b in args.delete.split(",") if b.strip()] if args.delete else []
    if args.sweep and deleted:
        raise CliError("--delete and --sweep go separately")
    settings = EvalSettings(args.data, args.limit, args.batch_size, args.download)
    runs: list[Any] = []
    workers = 1
    try:
        if args.sweep:
            with executor_or_error(args, device) as ex:
                sw = progress(
                    sweep(
                        an,
                        prep,
                        info.categories,
                        SweepSettings(args.sweep, args.k_max, args.trials, args.seed),
                        settings,
                        device,
                        executor=ex,
                    )
                )
            workers = sw.workers
            intact, data, n, skipped = sw.intact, sw.data, sw.n, sw.skipped
            if sw.kind == "single":
                runs = list(sw.runs)
            elif sw.kind == "random":
                runs = [r for k in sorted(sw.runs) for r in sw.runs[k]]
            else:
                runs = [_run_dict(r, kendall_tau=tau) for tau, r in sw.runs]
        else:
            acc = progress(accuracy(an, prep, info.categories, deleted, settings, device))
            intact, data, n, skipped = acc.intact, acc.data, acc.n, acc.skipped
            runs = [acc.modified] if acc.modified is not None else []
    except (LesionError, DataError) as exc:
        raise CliError(str(exc)) from None
    warn_skipped(skipped)
    out = {
        "model": spec.name,
        "weights": info.label,
        "data": {"name": data, "n": n, **({"skipped": list(skipped)} if skipped else {})},
        "intact": {"top1": intact.top1, "top5": intact.top5, "loss": intact.loss},
        "runs": [r if isinstance(r, dict) else _run_dict(r) for r in runs],
        "workers": workers,
    }
    if args.json:
        emit_json(out)
        return 0
    _print_table(out)
    return 0


def warn_skipped(skipped: dict[str, str], most: int = 10) -> None:
    """Name on stderr the files that could not be read (not counted in the result)."""
    if not skipped:
        return
    k = len(skipped)
    head = (
        f"cnn-explorer: warning: {k} unreadable image{'s' if k > 1 else ''} skipped (not counted)"
    )
    items = [f"{name}: {why}" for name, why in list(skipped.items())[:most]]
    if k == 1:
        print(f"{head}: {items[0]}", file=sys.stderr)
        return
    print(f"{head}:", file=sys.stderr)
    for item in items:
        print(f"cnn-explorer:   {item}", file=sys.stderr)
    if k > most:
        print(f"cnn-explorer:   ... and {k - most} more", file=sys.stderr)


def _run_dict(r: Any, kendall_tau: float | None = None) -> dict[str, Any]:
    d = {
        "deleted": list(r.deleted),
        "top1": r.top1,
        "top5": r.top5,
        "agreement": r.agreement,
        "loss": r.loss,
    }
    if kendall_tau is not None:
        d["kendall_tau"] = kendall_tau
    return d


def _pct(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.2f}"


def _print_table(out: dict[str, Any]) -> None:
    i = out["intact"]
    print(f"{out['model']} ({out['weights']}) on {out['data']['name']}, {out['data']['n']} images")
    print(f"intact: top-1 {_pct(i['top1'])} %  top-5 {_pct(i['top5'])} %")
    if not out["runs"]:
        return
    print(f"{'deleted':<40} {'top-1':>7} {'change':>7} {'top-5':>7} {'agree':>7}")
    for r in out["runs"]:
        name = ",".join(r["deleted"]) or f"tau {r.get('kendall_tau', 0):+.2f}"
        change = (
            f"{r['top1'] - i['top1']:+7.2f}"
            if r["top1"] is not None and i["top1"] is not None
            else "      -"
        )
        print(
            f"{name[:40]:<40} {_pct(r['top1']):>7} {change} {_pct(r['top5']):>7} "
            f"{_pct(r['agreement']):>7}"
        )
