"""``diff A B``: two networks stage against stage, and what one has that the other has not."""

from __future__ import annotations

import argparse
from typing import Any

from explorer.app.argtypes import positive_int
from explorer.cli.common import STRUCTURE_HELP, CliError, emit_json, structure_or_error


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    p = sub.add_parser(
        "diff",
        help="two networks stage by stage: parameters, MACs, and what one has that the other "
        "has not",
        description="Trace A and B, cut each into stages where the output resolution changes "
        "(112, 56, 28, 14, 7 for an ImageNet ResNet), and print per stage each network's "
        "blocks, parameters and MACs (as summary counts them), and the blocks and edges "
        "present in one and not in the other: skip connections, projection shortcuts, SE "
        "gates, branches, layers. Deltas are B less A.",
    )
    p.add_argument("a", metavar="A", help=STRUCTURE_HELP)
    p.add_argument("b", metavar="B", help="the network compared with A (same forms)")
    p.add_argument(
        "--input-size", type=positive_int, metavar="N", help="input height = width for both"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return {"diff": cmd_diff}


def cmd_diff(args: argparse.Namespace) -> int:
    from explorer.graph.diff import diff

    a = structure_or_error(args.a, args.input_size)
    b = structure_or_error(args.b, args.input_size)
    if a.spec.name == b.spec.name and a.variant == b.variant:
        raise CliError(f"A and B are the same network ({args.a}): name two networks")
    out = diff(a, b, args.a, args.b)
    if args.json:
        emit_json(out)
    else:
        print(format_diff(out))
    return 0


def _m(n: int) -> str:
    """Parameters: millions where they are that many, else the count itself (lenet5)."""
    return f"{n / 1e6:,.2f}M" if abs(n) >= 100_000 else f"{n:,}"


def _g(n: int) -> str:
    """MACs: G where they are that many, else M or the count itself."""
    if abs(n) >= 100_000_000:
        return f"{n / 1e9:,.3f}G"
    return f"{n / 1e6:,.2f}M" if abs(n) >= 100_000 else f"{n:,}"


def _signed(n: int, fmt: Any) -> str:
    return ("+" if n > 0 else "") + fmt(n) if n else "0"


def format_diff(d: dict[str, Any]) -> str:
    """The text table of a :func:`~explorer.graph.diff.diff` object."""
    a, b = d["a"], d["b"]
    head = ("stage", f"{a} blocks", "params", "MACs", f"{b} blocks", "params", "MACs", "Δ params")
    rows = [head]
    for s in d["stages"]:
        sa, sb = s["a"], s["b"]
        rows.append(
            (
                s["label"],
                str(sa["blocks"]) if sa["blocks"] or sa["params"] else "-",
                _m(sa["params"]),
                _g(sa["macs"]),
                str(sb["blocks"]) if sb["blocks"] or sb["params"] else "-",
                _m(sb["params"]),
                _g(sb["macs"]),
                _signed(s["params_delta"], _m),
            )
        )
    rows.append(
        (
            "total",
            "",
            _m(d["params"]["a"]),
            _g(d["macs"]["a"]),
            "",
            _m(d["params"]["b"]),
            _g(d["macs"]["b"]),
            _signed(d["params_delta"], _m),
        )
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [f"{a} against {b}, stage by stage (a stage: the blocks whose output has its size)"]
    sa, sb = ("x".join(map(str, d["input_shape"][k][1:])) for k in ("a", "b"))
    if sa == sb:
        lines.append(f"input {sa} for both")
    else:
        lines.append(
            f"input {sa} for {a}, {sb} for {b}: different sizes, so the stages are matched by "
            "downsampling step and the MACs differ with the size too"
        )
    for k, r in enumerate(rows):
        if k in (1, len(rows) - 1):
            lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
        lines.append(
            "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))
        )
    lines.append(
        f"MACs: {a} {_g(d['macs']['a'])}, {b} {_g(d['macs']['b'])} ({_signed(d['macs_delta'], _g)})"
    )
    for side, name, other in (("only_in_a", a, b), ("only_in_b", b, a)):
        found = d[side]
        if not found:
            lines.append(f"Only in {name}: nothing ({other} has every block and edge {name} has)")
            continue
        lines.append(f"Only in {name}:")
        for f in found:
            ids = ", ".join(f["ids"][:4]) + (", ..." if len(f["ids"]) > 4 else "")
            lines.append(f"  {f['count']:>4} x {f['kind']}  ({ids})")
    lines.append(
        "Counts as summary gives them: unique parameters, multiply-accumulates of weights per "
        "image. A layer of an add-on (a projection's conv, an SE gate's FC layers) is counted "
        "with the add-on."
    )
    return "\n".join(lines)
