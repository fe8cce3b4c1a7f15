"""``fuse``: RepVGG re-parameterisation or conv-BN folding, checked and timed, optionally saved."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from explorer.app.argtypes import at_most, positive_int
from explorer.cli.common import (
    CliError,
    cannot_write,
    device_or_error,
    emit_json,
    failed,
    spec_or_error,
    weights_warnings,
)
from explorer.errors import ExplorerError
from explorer.files import atomic_path, check_output

#: export suffix -> format
EXPORTS = {".pt": "state_dict", ".pth": "state_dict", ".ts": "torchscript", ".torchscript": "torchscript", ".onnx": "onnx"}  # fmt: skip


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    p = sub.add_parser(
        "fuse",
        help="re-parameterise RepVGG blocks / fold BatchNorms into convs, check and time it",
        description="Fuse MODEL for inference: a RepVGG model's branches become one 3x3 conv "
        "per block; any other model (and, with --fold-bn, a RepVGG model too) gets every "
        "BatchNorm that directly follows a conv folded into it. Prints the counts before and "
        "after, the largest output difference on a random input and the latency of both. "
        "Random weights get calibrated BatchNorm statistics first, so the check means "
        "something.",
    )
    p.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    p.add_argument(
        "--weights",
        default="auto",
        metavar="W",
        help="auto (shipped or library pretrained weights when available, else random), "
        "bundled, pretrained, random, or a checkpoint file (.pth, .pt, .safetensors)",
    )
    p.add_argument("--device", default="cpu", help="cpu (default), auto, cuda, cuda:N, mps")
    p.add_argument("--input-size", type=positive_int, metavar="N", help="input height = width")
    p.add_argument("--fold-bn", action="store_true", help="also fold conv-BN pairs")
    p.add_argument(
        "--export",
        metavar="PATH",
        help="save the fused model: .pt/.pth (state_dict), .ts/.torchscript (TorchScript), "
        ".onnx (needs the onnx package); checked before any work, written whole or not at all",
    )
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--batch-size", type=positive_int, default=1, metavar="B", help="default 1")
    p.add_argument(
        "--repeats", type=at_most(10_000), default=10, metavar="R", help="timed runs (default 10)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return {"fuse": cmd_fuse}


def _export_format(path: str | None, force: bool) -> str | None:
    if path is None:
        return None
    fmt = EXPORTS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CliError(f"'{path}': the export must end in {', '.join(EXPORTS)}")
    check_output(path, force=force, what="--export", make_folder=False)
    if fmt == "onnx":
        try:
            import onnx  # noqa: F401
        except ImportError:
            raise CliError(
                "exporting ONNX needs the 'onnx' package (pip install onnx); or export .pt or .ts"
            ) from None
    return fmt


def _export(model: Any, x: Any, path: str, fmt: str) -> None:
    import torch

    try:
        with warnings.catch_warnings(), atomic_path(path) as tmp:
            warnings.simplefilter("ignore")  # TorchScript's and ONNX's own notices are not ours
            if fmt == "onnx":
                torch.onnx.export(model, (x,), str(tmp))  # the temporary name keeps .onnx
            else:
                with torch.no_grad():
                    traced = None if fmt == "state_dict" else torch.jit.trace(model, x)
                with open(tmp, "wb") as f:  # open() gives the OSError that names the cause
                    if traced is None:
                        torch.save(model.state_dict(), f)
                    else:
                        torch.jit.save(traced, f)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - a tracer/exporter can raise anything
        raise failed(f"exporting {path}", exc) from None


def cmd_fuse(args: argparse.Namespace) -> int:
    fmt = _export_format(args.export, args.force)  # before any work: a bad place fails at once

    from explorer.app.workflows import drive
    from explorer.app.workflows.fuse import FuseSettings, fuse
    from explorer.models.registry import RegistryError
    from explorer.models.weights import WeightsError
    from explorer.runtime.pipeline import apply_weights

    device, _ = device_or_error(args.device, "fp32")
    spec = spec_or_error(args.model)
    try:
        model = spec.build()
        info = apply_weights(spec, model, args.weights)
    except (RegistryError, WeightsError) as exc:
        raise CliError(str(exc)) from None
    settings = FuseSettings(
        fold_bn=args.fold_bn,
        device=str(device),
        batch_size=args.batch_size,
        repeats=args.repeats,
        input_size=args.input_size,
    )
    try:
        out = drive(fuse(spec, model, info, settings, own_model=True))
    except ExplorerError:  # the check's own refusal (outputs not finite): its line as it is
        raise
    except Exception as exc:  # noqa: BLE001 - a user's model can raise anything in forward()
        raise failed("the forward pass", exc) from None
    if fmt is not None:  # before the note: an error must be the one line on stderr
        import torch

        x = torch.randn(*out.input_shape, generator=torch.Generator().manual_seed(0))
        _export(out.fused_model, x.to(device), args.export, fmt)
    weights_warnings(info)
    if out.calibrated:
        why = "" if info.message.endswith("random (untrained) weights") else f": {info.message}"
        print(
            f"cnn-explorer: untrained weights (random initialisation){why}; BatchNorm "
            "statistics calibrated on noise so that the check means something (calibrated: true)",
            file=sys.stderr,
        )
    d = out.as_dict(args.export)
    if args.json:
        emit_json(d)
        return 0
    (p0, c0, b0), (p1, c1, b1) = out.counts_before, out.counts_after
    print(
        f"{spec.name}: weights {info.label}; {d['blocks_fused']} RepVGG blocks "
        f"re-parameterised, {d['bn_folded']} BatchNorms folded ({d['skipped']} left)"
    )
    print(f"  parameters  {p0:>13,} -> {p1:,}")
    print(f"  convs       {c0:>13,} -> {c1:,}")
    print(f"  BatchNorms  {b0:>13,} -> {b1:,}")
    print(f"  max |diff|  {d['max_abs_diff']:>13.3g}   (relative {d['max_rel_diff']:.3g})")
    print(f"  latency     {out.latency_line()}")
    if args.export:
        print(f"  saved       {args.export} ({fmt})")
    return 0
