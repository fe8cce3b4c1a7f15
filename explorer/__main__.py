"""Command line: the desktop window by default, headless sub-commands otherwise.

Heavy libraries (torch, timm, Qt) are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Sequence

from explorer.app.argtypes import OneLineParser, non_negative_int, positive_int
from explorer.cli.common import (
    EXIT_BUG,
    EXIT_USAGE,
    STRUCTURE_HELP,
    CliError,
    cannot_write,
    emit_json,
    structure_or_error,
    user_reason,
)
from explorer.errors import ExplorerError, log_file, log_unexpected, one_line, setup_logging


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="cnn-explorer",
        description="Explore convolutional network architectures: block graphs, counts, "
        "activations, lesions. Without a command: the desktop window.",
        epilog="window options: cnn-explorer [--model NAME] [--input-size N] "
        "[--screenshot FILE.png [--force] [--timeout S] [--select QUALNAME] [--expand ID]... "
        "[--size WxH]] [--colour-by kind|params|macs] [--presentation] (no --model: resnet56 with "
        "a digit; all: cnn-explorer --model NAME --help)",
    )
    p.add_argument("--version", action="version", version=_version())
    p.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "summary",
        help="per-block table of shapes, parameters and MACs",
        description="Trace MODEL and print its blocks with shapes, parameters and MACs "
        "(or one JSON object with --json).",
    )
    s.add_argument("model", help=STRUCTURE_HELP)
    s.add_argument("--input-size", type=positive_int, metavar="N", help="input height = width")
    s.add_argument(
        "--depth",
        type=non_negative_int,
        metavar="D",
        help="show blocks down to depth D (table default 3; JSON default all)",
    )
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument(
        "--conventions",
        action="store_true",
        help="print the operations by category (weights, biases, norms, activations, "
        "pooling, additions) and each published counter's total (paper, torchvision, fvcore, "
        "ptflops, 2 x MACs) with its convention and source; --json always has them as 'counts'",
    )

    r = sub.add_parser(
        "render",
        help="draw the block graph as a figure (PNG, SVG or PDF)",
        description="Lay out MODEL's block graph, wrapped into columns to the figure's shape, "
        "and save it at exactly --size pixels (PDF: points) with the model's name and a "
        "legend: PNG and PDF through Qt (offscreen), SVG without it.",
    )
    r.add_argument("model", help=STRUCTURE_HELP)
    r.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="FILE.png, FILE.svg or FILE.pdf"
    )
    r.add_argument("--force", action="store_true", help="replace FILE if it exists")
    r.add_argument(
        "--size",
        type=figure_size,
        default=(1920, 1080),
        metavar="WxH",
        help="the figure's size in pixels (default 1920x1080, 16:9; 160x90 to 8192x8192)",
    )
    r.add_argument(
        "--depth",
        type=non_negative_int,
        metavar="D",
        help="open every block down to depth D (9: every layer drawn; default: the window's "
        "first view)",
    )
    r.add_argument("--input-size", type=positive_int, metavar="N", help="input height = width")
    r.add_argument("--colour-by", choices=("kind", "params", "macs"), default="kind")
    r.add_argument(
        "--norm-boxes",
        action="store_true",
        help="draw norms and activations as boxes of their own (default: marks in their "
        "conv's box)",
    )

    from explorer.cli import run as run_cmds

    COMMANDS.update(run_cmds.add_parsers(sub))
    from explorer.cli import train as train_cmds

    COMMANDS.update(train_cmds.add_parsers(sub))
    from explorer.cli import lesion as lesion_cmds

    COMMANDS.update(lesion_cmds.add_parsers(sub))
    from explorer.cli import fuse as fuse_cmds

    COMMANDS.update(fuse_cmds.add_parsers(sub))
    from explorer.cli import compare as compare_cmds

    COMMANDS.update(compare_cmds.add_parsers(sub))
    from explorer.cli import diff as diff_cmds

    COMMANDS.update(diff_cmds.add_parsers(sub))
    from explorer.cli import rf as rf_cmds

    COMMANDS.update(rf_cmds.add_parsers(sub))
    from explorer.cli import landscape as landscape_cmds

    COMMANDS.update(landscape_cmds.add_parsers(sub))
    from explorer.cli import paths as paths_cmds

    COMMANDS.update(paths_cmds.add_parsers(sub))

    ls = sub.add_parser("list", help="list the registered models")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    for command in sub.choices.values():  # before or after the command's name
        command.add_argument(
            "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
        )
    return p


def figure_size(text: str) -> tuple[int, int]:
    """argparse type of ``--size WxH``: 160x90 (room for a title, a legend and a graph) to
    8192x8192 pixels (the window's bound)."""
    from explorer.app.argtypes import figure_fits, wxh

    try:
        w, h = wxh(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH such as 1920x1080, got '{text}'") from None
    if not figure_fits(w, h):
        raise argparse.ArgumentTypeError(
            f"a figure must be between 160x90 and 8192x8192 pixels, got {w}x{h}"
        )
    return w, h


VERBOSE_HELP = "also print the traceback of an unexpected error on stderr (it is always logged)"


def _version() -> str:
    from explorer import __version__

    return f"cnn-explorer {__version__}"


def cmd_summary(args: argparse.Namespace) -> int:
    from explorer.present.summary import format_table, summary_dict

    an = structure_or_error(args.model, args.input_size)
    if args.json:
        emit_json(summary_dict(an, depth=args.depth))
    elif args.conventions:
        from explorer.present.summary import format_conventions

        print(format_conventions(an))
    else:
        print(format_table(an, depth=3 if args.depth is None else args.depth))
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from explorer.files import check_output, write_text

    out = args.output
    fmt = out.lower().rpartition(".")[2]
    if fmt not in ("png", "svg", "pdf"):
        raise CliError(f"'{out}': the output must end in .png, .svg or .pdf")
    check_output(out, force=args.force, make_folder=False)  # before the model is traced
    from explorer.present.layout import compute_layout, default_expanded, expand_to_depth
    from explorer.present.svg import Figure, figure_layout, layout_to_svg
    from explorer.present.wrap import min_text_px

    an = structure_or_error(args.model, args.input_size)
    spec = an.spec
    expanded = (
        default_expanded(an.tree) if args.depth is None else expand_to_depth(an.tree, args.depth)
    )
    lay = compute_layout(an.tree, expanded, fold=not args.norm_boxes)
    size = args.size
    try:
        if fmt == "svg":
            drawn = figure_layout(lay, size, spec.name)
            write_text(out, layout_to_svg(drawn, title=spec.name, size=size))
        else:
            if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from PySide6.QtWidgets import QApplication

            from explorer.ui.export import save_graph

            _app = QApplication.instance() or QApplication([])
            # whole, or not at all
            drawn = save_graph(lay, an.tree.blocks, out, size, spec.name, args.colour_by)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    _x, _y, gw, gh = Figure(*size, title=True).graph_rect()
    columns = len({b.column for b in drawn.bands}) or 1
    print(
        f"{out}: {len(lay.units())} blocks drawn, {size[0]}x{size[1]}, "
        f"{columns} column{'s' if columns > 1 else ''}, labels {min_text_px(drawn, gw, gh, margin=0):.1f} px"
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from explorer.models.registry import list_models

    specs = list_models()
    if args.json:
        emit_json(
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
            ]
        )
        return 0
    for s in specs:
        print(f"{s.name:<22} {s.family:<16} {s.year or '':<5} {s.paper}")
    return 0


COMMANDS: dict = {"summary": cmd_summary, "render": cmd_render, "list": cmd_list}


def _run_gui(argv: list[str]) -> int:
    try:
        from explorer.ui.app import run_app
    except ImportError as exc:
        print(f"cnn-explorer: the desktop window cannot start: {exc}", file=sys.stderr)
        return 1
    return run_app(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in argv[:1]
    window = argv[1:] if verbose else argv
    # No command, or only window options (--model, --screenshot ...): the desktop window.
    if not window or (window[0].startswith("-") and window[0] not in ("-h", "--help", "--version")):
        setup_logging(verbose)
        return _run_gui(window)
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    if args.command is None:
        return _run_gui([])
    if sys.stdout is None:  # started with stdout closed: nowhere to print a result
        print(f"cnn-explorer {args.command}: error: standard output is closed", file=sys.stderr)
        return EXIT_USAGE
    ctrl_c = _CtrlC()
    try:
        with ctrl_c:
            return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"cnn-explorer {args.command}: error: {_flat(exc)}", file=sys.stderr)
        return exc.code
    except ExplorerError as exc:  # a user's mistake that no command turned into a CliError
        print(f"cnn-explorer {args.command}: error: {_flat(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        if ctrl_c.pressed:
            print("cnn-explorer: interrupted", file=sys.stderr)
            return 130
        # raised by a user's model or factory, not by Ctrl+C: its one line
        log_unexpected(exc, f"cnn-explorer {args.command}")
        why = f"the model's code raised {one_line(exc)}"
        print(f"cnn-explorer {args.command}: error: {why}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, as command-line tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except MemoryError as exc:  # an allocation no bound foresaw: still one line
        log_unexpected(exc, f"cnn-explorer {args.command}")
        print(
            f"cnn-explorer {args.command}: error: out of memory ({_details()}); "
            "a smaller input or $CNN_EXPLORER_MAX_MEMORY bounds what is tried",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF) and not exc.filename:
            # stdout on a full disk or /dev/full: the user's place, said in one line
            why = exc.strerror or str(exc)
            print(
                f"cnn-explorer {args.command}: error: cannot write the output: {why}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        log_unexpected(exc, f"cnn-explorer {args.command}")
        print(f"cnn-explorer: internal error: {one_line(exc)} ({_details()})", file=sys.stderr)
        return EXIT_BUG
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - nothing the user gives ends in a traceback
        # SystemExit here comes from a user's model or factory (argparse is done): reported
        log_unexpected(exc, f"cnn-explorer {args.command}")
        if isinstance(exc, SystemExit):
            why = user_reason(exc)
            print(f"cnn-explorer {args.command}: error: {why}", file=sys.stderr)
            return EXIT_USAGE
        print(f"cnn-explorer: internal error: {one_line(exc)} ({_details()})", file=sys.stderr)
        return EXIT_BUG
    except BaseException as exc:  # noqa: BLE001 - a user's class derived from BaseException
        log_unexpected(exc, f"cnn-explorer {args.command}")
        print(f"cnn-explorer {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _flat(exc: BaseException) -> str:
    """An error's text on one line (a user's message may hold newlines)."""
    return " ".join(str(exc).split())


class _CtrlC:
    """Tell a real Ctrl+C (SIGINT) from a KeyboardInterrupt a user's code raises, while a
    command runs (``with``); Python's own handler still raises."""

    def __init__(self) -> None:
        self.pressed = False
        self.old: object = None

    def __enter__(self) -> _CtrlC:
        try:
            self.old = signal.getsignal(signal.SIGINT)
            if self.old is signal.default_int_handler:
                signal.signal(signal.SIGINT, self._on_sigint)
            else:  # someone else handles Ctrl+C (or ignores it): every interrupt is one
                self.pressed, self.old = True, None
        except ValueError:  # not the main thread
            self.pressed, self.old = True, None
        return self

    def _on_sigint(self, signum: int, frame: object) -> None:
        self.pressed = True
        signal.default_int_handler(signum, frame)

    def __exit__(self, *exc: object) -> None:
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)  # type: ignore[arg-type]


def _details() -> str:
    where = log_file()
    return f"details in {where}" if where.is_file() else "--verbose shows the traceback"


if __name__ == "__main__":
    sys.exit(main())
