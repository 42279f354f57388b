#!/usr/bin/env python3
"""Reads criterion's results and writes the scaling plot (SVG, by hand, no dependencies)
and the medians as Markdown tables.

    python3 benches/plot.py [CRITERION_DIR] [SVG_OUT]

CRITERION_DIR defaults to $CARGO_TARGET_DIR/criterion, else target/criterion; SVG_OUT to
docs/scaling.svg. The tables go to standard output.
"""

import json
import math
import os
import sys
from pathlib import Path


def load_medians(root):
    """{group: {function: {value: median_ns}}} from every `new/` result."""
    results = {}
    for bench in root.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        group = meta["group_id"]
        function = meta.get("function_id") or meta.get("value_str") or ""
        value = meta.get("value_str") if meta.get("function_id") else None
        median = estimates["median"]["point_estimate"]
        results.setdefault(group, {}).setdefault(function, {})[value] = median
    return results


def human(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def tables(results):
    lines = []
    for group in sorted(results):
        lines.append(f"\n### {group}\n")
        lines.append("| benchmark | median |")
        lines.append("|---|---:|")
        for function in sorted(results[group]):
            for value, ns in sorted(results[group][function].items(), key=lambda kv: sort_key(kv[0])):
                name = function if value is None else f"{function} / {value}"
                lines.append(f"| {name} | {human(ns)} |")
    return "\n".join(lines)


def sort_key(value):
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value))


COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def plot(series, out):
    """A log-log line chart of time per evaluation against rule count."""
    width, height = 760, 460
    left, right, top, bottom = 80, 220, 40, 60
    points = [(n, ns) for data in series.values() for n, ns in data]
    if not points:
        print("no scaling results: run the benchmarks first", file=sys.stderr)
        return
    x_lo, x_hi = math.log10(min(n for n, _ in points)), math.log10(max(n for n, _ in points))
    y_lo = math.floor(math.log10(min(ns for _, ns in points)))
    y_hi = math.ceil(math.log10(max(ns for _, ns in points)))
    x_hi = x_hi if x_hi > x_lo else x_lo + 1
    y_hi = y_hi if y_hi > y_lo else y_lo + 1

    def sx(n):
        return left + (math.log10(n) - x_lo) / (x_hi - x_lo) * (width - left - right)

    def sy(ns):
        return height - bottom - (math.log10(ns) - y_lo) / (y_hi - y_lo) * (height - top - bottom)

    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2 - 60}" y="22" font-size="15" text-anchor="middle">'
        "Time per evaluation against rule count (keyed on the incident kind)</text>",
    ]
    for exp in range(y_lo, y_hi + 1):
        y = sy(10**exp)
        svg.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{human(10 ** exp)}</text>')
    ticks = sorted({n for n, _ in points})
    for n in ticks:
        x = sx(n)
        svg.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="#eee"/>')
        svg.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{n:,}</text>')
    svg.append(
        f'<text x="{(left + width - right) / 2:.1f}" y="{height - 18}" text-anchor="middle">rules in the policy</text>'
    )
    svg.append(
        f'<text x="18" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 18 {(top + height - bottom) / 2:.1f})">median time per evaluation (log)</text>'
    )
    svg.append(
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
        'fill="none" stroke="#333"/>'
    )
    for idx, (name, data) in enumerate(sorted(series.items())):
        colour = COLOURS[idx % len(COLOURS)]
        data = sorted(data)
        path = " ".join(f"{'M' if i == 0 else 'L'}{sx(n):.1f},{sy(ns):.1f}" for i, (n, ns) in enumerate(data))
        svg.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, ns in data:
            svg.append(f'<circle cx="{sx(n):.1f}" cy="{sy(ns):.1f}" r="3.5" fill="{colour}"/>')
        ly = top + 14 + idx * 20
        lx = width - right + 14
        svg.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>')
        svg.append(f'<text x="{lx + 28}" y="{ly}">{name}</text>')
    svg.append("</svg>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(svg) + "\n")
    print(f"wrote {out}", file=sys.stderr)


def main():
    default = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "criterion"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("docs/scaling.svg")
    results = load_medians(root)
    scaling = results.get("scaling", {})
    series = {
        function: [(int(value), ns) for value, ns in values.items() if value is not None]
        for function, values in scaling.items()
    }
    plot(series, out)
    print(tables(results))


if __name__ == "__main__":
    main()
