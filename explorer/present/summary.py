"""The numbers a window shows, as data and as a torchinfo-like text table."""

from __future__ import annotations

from typing import Any

from explorer.graph.analysis import Analysis
from explorer.graph.blocks import BlockTree, block_to_dict
from explorer.graph.conventions import (
    CATEGORIES,
    CATEGORY_INFO,
    COUNTERS,
    composition_text,
    count_network,
    counts_dict,
    published_figures,
    si,
)
from explorer.graph.labels import block_label
from explorer.graph.motifs import EDGE_RANK
from explorer.models.registry import ModelSpec


def visible_block(tree: BlockTree, node_block: str, depth: int | None) -> str:
    """The block at depth <= ``depth`` that holds a leaf block (itself if shallow enough)."""
    if depth is None:
        return node_block
    b = tree.blocks[node_block]
    while b.depth > depth and b.parent is not None:
        b = tree.blocks[b.parent]
    return b.id


def summary_dict(an: Analysis, depth: int | None = None) -> dict[str, Any]:
    """The ``summary --json`` object.

    With ``depth`` only blocks at that depth or above are listed, and edges are
    contracted to them.
    """
    tree = an.tree
    blocks = [
        {**block_to_dict(b), "label": block_label(tree, b.id) if b.executed else b.label}
        for b in sorted(tree.blocks.values(), key=lambda b: (b.order, b.depth))
        if depth is None or b.depth <= depth
    ]
    agg: dict[tuple[str, str], str] = {}
    for a, b, d in tree.graph.g.edges(data=True):
        va = visible_block(tree, a, depth)
        vb = visible_block(tree, b, depth)
        if va == vb:
            continue
        kind = d.get("kind", "data")
        cur = agg.get((va, vb))
        if cur is None or EDGE_RANK[kind] > EDGE_RANK[cur]:
            agg[(va, vb)] = kind
    edges = [{"src": a, "dst": b, "kind": k} for (a, b), k in agg.items()]
    spec = an.spec
    out: dict[str, Any] = {
        "model": spec.name + ("+fused" if an.variant == "fused" else ""),
        "input_shape": list(an.input_shape),
        "params": int(an.graph.total_params),
        "trainable_params": int(an.graph.trainable_params),
        "macs": int(an.graph.total_macs),
        "trace": an.graph.method,
        "counts": counts_dict(count_network(an.graph), spec, an.input_shape),
        "blocks": blocks,
        "edges": edges,
    }
    ref = _reference(spec)
    if ref:
        out["reference"] = ref
    return out


def _reference(spec: ModelSpec) -> dict[str, Any]:
    ref: dict[str, Any] = {}
    try:
        p = spec.reference_params()
        m = spec.reference_macs()
    except Exception:  # noqa: BLE001 - metadata unavailable: no reference
        p = m = None
    if p is not None:
        ref["params"] = p
    if m is not None:
        ref["macs"] = m
    if spec.ref_source:
        ref["source"] = spec.ref_source
    if spec.ref_note:
        ref["note"] = spec.ref_note
    return ref


def layer_comparison(an: Analysis) -> list[dict[str, Any]]:
    """Our counts beside the published per-layer figures of the spec (if any)."""
    rows = []
    for lr in an.spec.ref_layers:
        ours = sum(an.graph.module_params(b) for b in lr.blocks)
        rows.append(
            {
                "label": lr.label,
                "blocks": list(lr.blocks),
                "published": lr.params,
                "ours": ours,
                "exact": lr.exact,
                "equal": lr.params == ours,
                "from_description": lr.from_description,
                "expected": lr.expected,
                "published_macs": lr.macs,
                "macs": sum(an.tree.blocks[b].macs for b in lr.blocks if b in an.tree.blocks),
            }
        )
    return rows


def _fmt_shape(shape: list[int] | None) -> str:
    if not shape:
        return "-"
    return "x".join(str(s) for s in shape[1:]) if len(shape) > 1 else str(shape[0])


def _fmt_count(n: int) -> str:
    return f"{n:,}"


def _fmt_si(n: float) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.2f} {unit}"
    return f"{n:.0f}"


def format_table(an: Analysis, depth: int = 3) -> str:
    """A torchinfo-like table of the blocks down to ``depth``, then totals and references."""
    tree = an.tree
    total_p = an.graph.total_params
    total_m = max(an.graph.total_macs, 1)
    rows: list[tuple[str, ...]] = []
    for b in sorted(tree.blocks.values(), key=lambda b: (b.order, b.depth)):
        if b.id == "" or b.depth > depth or b.op is not None and b.type in ("input", "output"):
            continue
        if b.is_leaf and (":" in b.id or "@" in b.id):
            continue  # function calls and repeated calls: in --json only
        name = "  " * (b.depth - 1) + (b.id.rpartition(".")[2] if b.depth > 1 else b.id)
        kind = b.kind + (f" x{b.branches}" if b.kind in ("inception", "repvgg") else "")
        if b.kind == "residual" and b.motif is not None:
            kind += f" ({b.motif.shortcut})"
        label = block_label(tree, b.id) if b.executed else ""
        rows.append(
            (
                name,
                label if len(label) <= 44 else label[:43] + "…",
                kind,
                b.type,
                _fmt_shape(b.out_shape) if b.executed else "(not run)",
                _fmt_count(b.params),
                _fmt_count(b.macs),
            )
        )
    head = ("Block", "Layer", "Kind", "Type", "Output", "Params", "MACs")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(7)]
    lines = []
    spec = an.spec
    lines.append(f"{spec.name}: {spec.paper} ({spec.year})" if spec.year else spec.name)
    lines.append(f"input {_fmt_shape(list(an.input_shape))}, graph by {an.graph.method}")
    sep = "-" * (sum(widths) + 2 * 6)
    lines.append(sep)

    def fmt(r: tuple[str, ...]) -> str:
        return "  ".join(
            (r[i].rjust(widths[i]) if i >= 5 else r[i].ljust(widths[i])) for i in range(7)
        ).rstrip()

    lines.append(fmt(head))
    lines.append(sep)
    lines.extend(fmt(r) for r in rows)
    lines.append(sep)
    lines.append(f"Total params:      {_fmt_count(total_p)} ({_fmt_si(total_p)})")
    lines.append(f"Trainable params:  {_fmt_count(an.graph.trainable_params)}")
    lines.append(f"MACs per image:    {_fmt_count(an.graph.total_macs)} ({_fmt_si(total_m)})")
    ref = _reference(spec)
    if "params" in ref:
        verdict = (
            "equal" if ref["params"] == total_p else f"differs by {total_p - ref['params']:+,}"
        )
        lines.append(
            f"Published params:  {_fmt_count(ref['params'])} ({verdict}; {ref.get('source', '')})"
        )
    if "macs" in ref:
        rel = (an.graph.total_macs - ref["macs"]) / ref["macs"] * 100
        lines.append(
            f"Published MACs:    {_fmt_si(ref['macs'])} ({rel:+.2f}%; torchvision's GFLOPS are GMACs)"
        )
    comp = layer_comparison(an)
    if comp:
        lines.append("")
        lines.append("Per-layer parameters beside the published table:")
        lw = max(len(r["label"]) for r in comp)
        derived = any(r["expected"] is not None for r in comp)
        head = f"  {'published row'.ljust(lw)}  {'blocks':<12} {'published':>11}"
        if derived:
            head += f" {'paper filters':>14} {'expected':>11}"
        lines.append(head + f" {'ours':>11}  check")
        for r in comp:
            pub = r["published"]
            if pub is None:
                pub_s = "-"
            elif r["exact"]:
                pub_s = _fmt_count(pub)
            else:
                pub_s = f"{pub / 1000:,.1f}K" if pub < 10_000 else f"{pub // 1000:,}K"
            target = r["expected"] if r["expected"] is not None else pub
            if target == r["ours"]:
                check = "equal" if r["expected"] is None else "equals expected"
            elif r["exact"] or r["expected"] is not None:
                check = f"{r['ours'] - target:+,}"
            else:
                check = f"{(r['ours'] - pub) / pub * 100:+.0f}%"
            line = f"  {r['label'].ljust(lw)}  {'+'.join(r['blocks']):<12} {pub_s:>11}"
            if derived:
                fd, ex = r["from_description"], r["expected"]
                line += f" {_fmt_count(fd) if fd is not None else '-':>14}"
                line += f" {_fmt_count(ex) if ex is not None else '-':>11}"
            lines.append(line + f" {_fmt_count(r['ours']):>11}  {check}")
    if spec.ref_note:
        lines.append("")
        lines.append("Note: " + spec.ref_note)
    lines.append("")
    lines.append(
        "Params: unique parameters (shared weights once), a block's own plus its children's. "
        "MACs: multiply-accumulates of weights per image "
        "(conv = Cout*Hout*Wout*Cin/groups*k*k, linear = in*out)."
    )
    return "\n".join(lines)


def format_conventions(an: Analysis, width: int = 100) -> str:
    """The operations of the network by category, then each published counter's total as
    the sum of the categories it counts (its way), with its convention and source."""
    import textwrap

    counts = count_network(an.graph)
    spec = an.spec
    cats = counts.categories
    lines = [
        f"{spec.name}: operations per image by category, input {_fmt_shape(list(an.input_shape))}",
        "",
    ]
    rows = [(CATEGORY_INFO[k][0], _fmt_count(cats[k]), CATEGORY_INFO[k][1]) for k in CATEGORIES]
    rows.append(("all categories", _fmt_count(counts.total), f"{si(counts.total)}"))
    rows.append(
        ("FLOPs = 2 x MACs", _fmt_count(2 * cats["weights"]), "2 x MACs (weights), in flops")
    )
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines.append(f"{'category'.ljust(w0)}  {'count'.rjust(w1)}  how one operation is counted")
    lines.append("-" * min(width, w0 + w1 + 4 + max(len(r[2]) for r in rows)))
    for i, (a, b, c) in enumerate(rows):
        if i == len(CATEGORIES):
            lines.append("-" * min(width, w0 + w1 + 4 + max(len(r[2]) for r in rows)))
        lines.append(f"{a.ljust(w0)}  {b.rjust(w1)}  {c}")
    lines.append("")
    lines.append("Each counter: the same operations, counted its way, category by category.")
    published = published_figures(spec)
    native = tuple(an.input_shape[-3:]) == tuple(spec.input_size)
    for c in COUNTERS:
        total = counts.counter_total(c.key)
        wrap = textwrap.TextWrapper(
            width=width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
        )
        lines.append("")
        lines.append(f"{c.name}: {si(total)} {c.unit}")
        lines.extend(wrap.wrap("= " + composition_text(counts, c.key)))
        if c.key in published and native:
            value, where = published[c.key]
            rel = (total - value) / value * 100
            lines.append(f"  published: {si(value)} ({where}; ours {rel:+.1f}%)")
        lines.extend(wrap.wrap("counts: " + c.convention))
        lines.extend(wrap.wrap("source: " + c.source))
    return "\n".join(lines)
