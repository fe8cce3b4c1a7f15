"""Command line: the desktop window by default, headless sub-commands otherwise.

Heavy libraries (torch, timm, Qt) are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from explorer.argtypes import non_negative_int, positive_int

EXIT_USAGE = 2


class CliError(Exception):
    """A user error: printed as one line on stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cnn-explorer",
        description="Explore convolutional network architectures: block graphs, counts, "
        "activations, lesions. Without a command: the desktop window.",
        epilog="window options: cnn-explorer [--model NAME] [--input-size N] "
        "[--screenshot FILE.png [--select QUALNAME] [--expand ID]... [--size WxH]] "
        "[--colour-by kind|params|macs]",
    )
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "summary",
        help="per-block table of shapes, parameters and MACs",
        description="Trace MODEL and print its blocks with shapes, parameters and MACs "
        "(or one JSON object with --json).",
    )
    s.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    s.add_argument("--input-size", type=positive_int, metavar="N", help="input height = width")
    s.add_argument(
        "--depth",
        type=non_negative_int,
        metavar="D",
        help="show blocks down to depth D (table default 3; JSON default all)",
    )
    s.add_argument("--json", action="store_true", help="print one JSON object")

    r = sub.add_parser(
        "render",
        help="draw the block graph to PNG or SVG",
        description="Lay out MODEL's block graph and save it as PNG (Qt, offscreen) or SVG.",
    )
    r.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    r.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.png or FILE.svg")
    r.add_argument(
        "--depth",
        type=non_negative_int,
        metavar="D",
        help="open every block down to depth D (default: the window's first view)",
    )
    r.add_argument("--input-size", type=positive_int, metavar="N", help="input height = width")
    r.add_argument("--colour-by", choices=("kind", "params", "macs"), default="kind")

    pr = sub.add_parser(
        "predict",
        help="top-5 classes of images",
        description="Run images through MODEL and print the five most probable classes of each.",
    )
    pr.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    pr.add_argument("images", nargs="+", metavar="IMAGE", help="image files or sample:NAME")
    _run_options(pr)
    pr.add_argument(
        "--batch-size",
        type=positive_int,
        default=1,
        metavar="B",
        help="images per forward pass (default 1: latency_ms is then per image)",
    )

    st = sub.add_parser(
        "stats",
        help="per-block activation mean/std, SE gates, highway gates for one image",
        description="One probed forward pass of IMAGE: the mean and std of every block's "
        "output, the gate vector of every SE block and the mean gate of every highway block.",
    )
    st.add_argument("model", help="registered name, tv:NAME, timm:NAME or FILE.py:FACTORY")
    st.add_argument("image", metavar="IMAGE", help="an image file or sample:NAME")
    _run_options(st)

    ls = sub.add_parser("list", help="list the registered models")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    return p


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--weights",
        default="auto",
        metavar="W",
        help="auto (library pretrained when cached or downloadable, else random), "
        "pretrained, random, or a checkpoint file (.pth, .pt, .safetensors)",
    )
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N, mps")
    p.add_argument(
        "--precision", default="fp32", choices=("fp32", "bf16", "fp16"), help="GPU autocast"
    )
    p.add_argument(
        "--input-size",
        type=positive_int,
        metavar="N",
        help="resize the shorter side to N and centre-crop NxN",
    )
    p.add_argument(
        "--normalize", choices=("imagenet", "cifar", "none"), help="normalisation preset"
    )
    p.add_argument("--mean", metavar="A,B,C", help="per-channel mean (with --std)")
    p.add_argument("--std", metavar="A,B,C", help="per-channel std (with --mean)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _version() -> str:
    from explorer import __version__

    return f"cnn-explorer {__version__}"


def _spec(name: str):  # noqa: ANN202
    from explorer.core.registry import RegistryError, get

    try:
        return get(name)
    except RegistryError as exc:
        raise CliError(str(exc)) from None


def _analyze(name: str, input_size: int | None):  # noqa: ANN202
    """Build and trace a model, turning the user's errors into one-line CLI errors."""
    spec = _spec(name)
    from explorer.core.graph import TraceError
    from explorer.core.registry import RegistryError
    from explorer.core.summary import analyze

    try:
        return analyze(spec, input_size=input_size)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    except TraceError as exc:
        raise CliError(f"{spec.name}: {exc}", code=1) from None


def cmd_summary(args: argparse.Namespace) -> int:
    from explorer.core.summary import format_table, summary_dict

    an = _analyze(args.model, args.input_size)
    if args.json:
        json.dump(summary_dict(an, depth=args.depth), sys.stdout)
        sys.stdout.write("\n")
    else:
        print(format_table(an, depth=3 if args.depth is None else args.depth))
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    out = args.output
    fmt = out.lower().rpartition(".")[2]
    if fmt not in ("png", "svg"):
        raise CliError(f"'{out}': the output must end in .png or .svg")
    from explorer.core.layout import compute_layout, default_expanded, expand_to_depth

    an = _analyze(args.model, args.input_size)
    spec = an.spec
    expanded = (
        default_expanded(an.tree) if args.depth is None else expand_to_depth(an.tree, args.depth)
    )
    lay = compute_layout(an.tree, expanded)
    try:
        if fmt == "svg":
            from explorer.core.render_svg import layout_to_svg

            with open(out, "w", encoding="utf-8") as f:
                f.write(layout_to_svg(lay, title=spec.name))
        else:
            if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from PySide6.QtWidgets import QApplication

            from explorer.ui.export import save_png

            _app = QApplication.instance() or QApplication([])
            save_png(lay, an.tree.blocks, out, args.colour_by)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}", code=1) from None
    print(f"{out}: {len(lay.units())} blocks drawn")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from explorer.core.registry import list_models

    specs = list_models()
    if args.json:
        json.dump(
            [
                {
                    "name": s.name,
                    "family": s.family,
                    "year": s.year,
                    "paper": s.paper,
                    "input_size": list(s.input_size),
                    "lecture": s.lecture,
                }
                for s in specs
            ],
            sys.stdout,
        )
        sys.stdout.write("\n")
        return 0
    for s in specs:
        print(f"{s.name:<22} {s.family:<16} {s.year or '':<5} {s.paper}")
    return 0


def _images(refs: list[str]):  # noqa: ANN202
    """Load every image first: a bad one stops the command before the model is built."""
    from explorer.analysis.data import ImageError, load_image, load_sample

    out, bad = [], []
    for ref in refs:
        try:
            out.append(load_sample(ref[7:]) if ref.startswith("sample:") else load_image(ref))
        except ImageError as exc:
            bad.append(str(exc))
    if bad:
        raise CliError("; ".join(bad))
    return out


def _print_notes(images) -> None:  # noqa: ANN001
    """What was done to make each file usable (CMYK, 16-bit, alpha, EXIF rotation ...)."""
    for img in images:
        if not img.source.startswith("sample:"):  # a sample's notes describe the sample
            for note in img.notes:
                print(f"cnn-explorer: {img.name}: {note}", file=sys.stderr)


def _prepared_model(args: argparse.Namespace, analysis=None):  # noqa: ANN001, ANN202
    """(spec, model, weights info, preprocessing, device) from the run options."""
    from explorer.analysis.data import parse_triple
    from explorer.analysis.inference import DeviceError, check_precision, resolve_device
    from explorer.analysis.pipeline import apply_weights, preprocess
    from explorer.core.registry import RegistryError
    from explorer.core.weights import WeightsError

    if (args.mean is None) != (args.std is None):
        raise CliError("--mean and --std go together")
    try:
        mean = parse_triple(args.mean) if args.mean else None
        std = parse_triple(args.std) if args.std else None
        device = resolve_device(args.device)
        precision = check_precision(args.precision, device)
    except (ValueError, DeviceError) as exc:
        raise CliError(str(exc)) from None
    spec = _spec(args.model) if analysis is None else analysis.spec
    try:
        model = spec.build() if analysis is None else analysis.model
        info = apply_weights(spec, model, args.weights)
    except (RegistryError, WeightsError) as exc:
        raise CliError(str(exc)) from None
    try:
        prep = preprocess(spec, info, args.input_size, args.normalize, mean, std)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    # only once nothing can fail: an error is then the one line on stderr
    if not info.trained:
        why = "" if info.message.endswith("random (untrained) weights") else f": {info.message}"
        print(f"cnn-explorer: untrained weights (random initialisation){why}", file=sys.stderr)
    return spec, model, info, prep, device, precision


def _run(model, x, device, precision, **kw):  # noqa: ANN001, ANN003, ANN202
    from explorer.analysis.inference import run

    try:
        res = run(model, x, device, precision, **kw)
    except Exception as exc:  # noqa: BLE001 - a user's model can raise anything in forward()
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        if text and not isinstance(exc, RuntimeError):  # torch's own errors need no class name
            first = f"{type(exc).__name__}: {first}"
        raise CliError(f"the forward pass failed: {first}", code=1) from None
    for note in res.notes:
        print(f"cnn-explorer: {note}", file=sys.stderr)
    return res


def cmd_predict(args: argparse.Namespace) -> int:
    from explorer.analysis.data import to_batch

    images = _images(args.images)
    spec, model, info, prep, device, precision = _prepared_model(args)
    _print_notes(images)
    # one pass first: the first call pays for lazy initialisation, not the model
    _run(model, to_batch(images[:1], prep), device, precision)
    rows = []
    for i in range(0, len(images), args.batch_size):
        chunk = images[i : i + args.batch_size]
        res = _run(model, to_batch(chunk, prep), device, precision, categories=info.categories)
        for img, top in zip(chunk, res.top, strict=True):
            rows.append(
                {
                    "image": img.source,
                    "top5": [t.as_dict() for t in top],
                    "latency_ms": round(res.latency_ms / len(chunk), 3),
                    "device": res.device,
                    "weights": info.label,
                }
            )
    if args.json:
        json.dump(rows, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"{spec.name}: weights {info.label}; {prep.describe()}")
    for r in rows:
        print(f"{r['image']}  ({r['latency_ms']:.1f} ms on {r['device']})")
        for t in r["top5"]:
            print(f"  {t['prob']:7.2%}  {t['label']} ({t['index']})")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from explorer.analysis.data import to_batch
    from explorer.analysis.probes import make_plan

    images = _images([args.image])
    an = _analyze(args.model, args.input_size)
    spec, model, info, prep, device, precision = _prepared_model(args, an)
    _print_notes(images)
    plan = make_plan(an.tree)
    res = _run(model, to_batch(images, prep), device, precision, plan=plan)
    pr = res.probes
    assert pr is not None
    out = {
        "model": spec.name,
        "image": images[0].source,
        "weights": info.label,
        "blocks": pr.block_stats(0),
        "se": [{"id": k, "gate": v[0].tolist()} for k, v in pr.se_gates.items()],
        "highway": [{"id": k, "gate_mean": float(v[0])} for k, v in pr.highway_gates.items()],
    }
    if args.json:
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"{spec.name}: weights {info.label}; {images[0].source}")
    print(f"{'block':<40} {'kind':<11} {'output':<16} {'mean':>10} {'std':>10}")
    for b in out["blocks"]:
        shape = "x".join(map(str, b["out_shape"]))
        print(f"{b['id']:<40} {b['kind']:<11} {shape:<16} {b['mean']:10.4f} {b['std']:10.4f}")
    for g in out["se"]:
        v = g["gate"]
        print(f"SE {g['id']}: {len(v)} channels, gate mean {sum(v) / len(v):.3f}")
    for h in out["highway"]:
        print(f"highway {h['id']}: mean gate T {h['gate_mean']:.3f}")
    return 0


COMMANDS = {
    "summary": cmd_summary,
    "render": cmd_render,
    "list": cmd_list,
    "predict": cmd_predict,
    "stats": cmd_stats,
}


def _run_gui(argv: list[str]) -> int:
    try:
        from explorer.ui.app import run_app
    except ImportError as exc:
        print(f"cnn-explorer: the desktop window cannot start: {exc}", file=sys.stderr)
        return 1
    return run_app(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # No command, or only window options (--model, --screenshot ...): the desktop window.
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        return _run_gui(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_gui([])
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"cnn-explorer {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("cnn-explorer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, as command-line tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
