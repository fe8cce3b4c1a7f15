"""Write a layout as SVG (Qt-free): one ``<g class="block">`` per drawn box.

The same drawing rules as the window: kind colours and a legend, skip arcs on the
right (solid for identity, dashed for a projection), gates in orange, branch
edges into their merge.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from explorer.graph.kinds import colour, kind_table
from explorer.present.layout import Layout

MARGIN = 40.0
LEGEND_W = 190.0
EDGE_STYLE = {
    "data": ("#7d8590", "1.2", ""),
    "skip": ("#2f8f4e", "2.2", ""),
    "branch": ("#3b7dd8", "1.6", ""),
    "gate": ("#d9822b", "1.8", "5,3"),
}


def layout_to_svg(lay: Layout, title: str = "", legend: bool = True) -> str:
    """SVG text for ``lay`` (scene units = SVG user units)."""
    boxes = lay.boxes.values()
    minx = min((b.x for b in boxes), default=0.0)
    miny = min((b.y for b in boxes), default=0.0)
    maxx = max((b.x + b.w for b in boxes), default=0.0)
    maxy = max((b.y + b.h for b in boxes), default=0.0)
    for e in lay.edges:
        for x, y in e.points:
            minx, maxx = min(minx, x), max(maxx, x)
            miny, maxy = min(miny, y), max(maxy, y)
    ox = MARGIN - minx
    oy = MARGIN + (24.0 if title else 0.0) - miny
    width = maxx - minx + 2 * MARGIN + (LEGEND_W if legend else 0.0)
    height = max(maxy - miny + 2 * MARGIN + (24.0 if title else 0.0), 420.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="sans-serif">',
        f'<rect width="{width:.1f}" height="{height:.1f}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text x="{MARGIN}" y="{MARGIN - 8}" font-size="18">{escape(title)}</text>')
    # frames first, then edges, then closed boxes on top
    for b in sorted((b for b in boxes if b.open), key=lambda b: b.w * b.h, reverse=True):
        out.append(
            f'<g class="frame" data-id={quoteattr(b.id)} data-kind="{b.kind}">'
            f'<rect x="{b.x + ox:.1f}" y="{b.y + oy:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
            f'rx="8" fill="{colour(b.kind)}" fill-opacity="0.08" stroke="{colour(b.kind)}" '
            f'stroke-width="1.2"/>'
            f'<text x="{b.x + ox + 8:.1f}" y="{b.y + oy + 15:.1f}" font-size="11" '
            f'fill="#333">{escape(b.label)} ({b.kind})</text></g>'
        )
    for e in lay.edges:
        stroke, width_s, dash = EDGE_STYLE.get(e.kind, EDGE_STYLE["data"])
        src = lay.boxes[e.src]
        if e.kind == "skip" and src.shortcut == "projection":
            dash = "6,4"
        pts = " ".join(f"{x + ox:.1f},{y + oy:.1f}" for x, y in e.points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline class="edge" data-kind="{e.kind}" points="{pts}" fill="none" '
            f'stroke="{stroke}" stroke-width="{width_s}"{dash_attr}/>'
        )
    for b in boxes:
        if b.open:
            continue
        fill = colour(b.kind)
        label = escape(b.label)
        out.append(
            f'<g class="block" data-id={quoteattr(b.id)} data-kind="{b.kind}">'
            f'<rect x="{b.x + ox:.1f}" y="{b.y + oy:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
            f'rx="6" fill="{fill}" fill-opacity="0.85" stroke="#2b2b2b" stroke-width="0.8"/>'
            f'<text x="{b.x + ox + b.w / 2:.1f}" y="{b.y + oy + b.h / 2 + 4:.1f}" '
            f'font-size="12" text-anchor="middle" fill="#111">{label}</text></g>'
        )
    if legend:
        lx = width - LEGEND_W + 10
        ly = MARGIN
        out.append(f'<g class="legend"><text x="{lx}" y="{ly}" font-size="13">Kinds</text>')
        shown = sorted({b.kind for b in boxes})
        for i, k in enumerate(shown):
            y = ly + 12 + 18 * i
            out.append(
                f'<rect x="{lx}" y="{y:.1f}" width="14" height="12" fill="{colour(k)}"/>'
                f'<text x="{lx + 20}" y="{y + 10:.1f}" font-size="11">{escape(k)}: '
                f"{escape(kind_table().get(k, {}).get('meaning', '')[:22])}</text>"
            )
        y0 = ly + 30 + 18 * len(shown)
        for j, (k, (stroke, w, dash)) in enumerate(EDGE_STYLE.items()):
            y = y0 + 18 * j
            d = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{lx}" y1="{y:.1f}" x2="{lx + 24}" y2="{y:.1f}" stroke="{stroke}" '
                f'stroke-width="{w}"{d}/><text x="{lx + 30}" y="{y + 4:.1f}" font-size="11">'
                f"{k} edge</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
