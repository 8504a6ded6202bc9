#!/usr/bin/python3
"""Draws a durable command's latency (median, and p99 dashed) against the
webinars a store holds, one line per backend, from sala_store_bench's
--benchmark_format=json output, as a hand-written SVG; with --table also the
Markdown table of docs/performance.md ("Several processes on one store").

  store_chart.py RESULTS.json [MORE.json ...] OUT.svg [--table]

Several result files are merged, a later one's figures replacing an earlier
one's for the same benchmark (a rerun of some backends).
"""
import json
import math
import sys

BACKENDS = [("sqlite_normal", "SQLite, synchronous=NORMAL", "#2ca02c"),
            ("sqlite_full", "SQLite, synchronous=FULL", "#98df8a"),
            ("pg", "PostgreSQL, one process", "#1f77b4"),
            ("pg_two", "PostgreSQL, two processes alternating", "#d62728")]


def load(paths):
    command, opening = {}, {}
    benchmarks = []
    for path in paths:
        with open(path) as f:
            benchmarks += json.load(f)["benchmarks"]
    for b in benchmarks:
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) < 3:
            continue
        if parts[0] == "command":
            command[(parts[1], int(parts[2]))] = b
        elif parts[0] == "open":
            opening[(parts[1], int(parts[2]))] = b
    return command, opening


def draw(command, out):
    w, h, left, right, top, bottom = 720, 420, 70, 250, 40, 50
    ns = sorted({n for (_, n) in command})
    ys = [b[k] for b in command.values() for k in ("p50_us", "p99_us")]
    if not ns or not ys:
        raise SystemExit("no command/ results in the input")
    x0, x1 = math.log10(min(ns)), math.log10(max(ns)) + 1e-9
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    if y1 == y0:
        y1 += 1

    def px(n):
        return left + (math.log10(n) - x0) / (x1 - x0 or 1) * (w - left - right)

    def py(us):
        return h - bottom - (math.log10(us) - y0) / (y1 - y0) * (h - top - bottom)

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
         'font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{left}" y="22" font-size="14">A durable submit\'s latency against held '
         'webinars (median solid, p99 dashed)</text>']
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        label = f"{10 ** e:g} µs" if e < 3 else f"{10 ** (e - 3):g} ms"
        s.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#ddd"/>')
        s.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    for n in ns:
        x = px(n)
        s.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{h - bottom}" stroke="#eee"/>')
        s.append(f'<text x="{x:.1f}" y="{h - bottom + 16}" text-anchor="middle">{n:,}</text>')
    s.append(f'<text x="{(left + w - right) / 2}" y="{h - 12}" text-anchor="middle">'
             'webinars held in the store</text>')
    ly = top + 10
    for key, label, colour in BACKENDS:
        pts = sorted((n, b) for (k, n), b in command.items() if k == key)
        if not pts:
            continue
        for field, dash in (("p50_us", ""), ("p99_us", ' stroke-dasharray="5,4"')):
            path = " ".join(f"{px(n):.1f},{py(b[field]):.1f}" for n, b in pts)
            s.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        s.append(f'<line x1="{w - right + 12}" y1="{ly}" x2="{w - right + 36}" y2="{ly}" '
                 f'stroke="{colour}" stroke-width="3"/>')
        s.append(f'<text x="{w - right + 42}" y="{ly + 4}">{label}</text>')
        ly += 20
    s.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(s) + "\n")


def table(command, opening):
    ns = sorted({n for (_, n) in command})
    print("| backend | " + " | ".join(f"N = {n:,}" for n in ns) + " |")
    print("|---|" + "---:|" * len(ns))
    for key, label, _ in BACKENDS:
        cells = []
        for n in ns:
            b = command.get((key, n))
            cells.append("" if not b else
                         f"{b['p50_us'] / 1000:.2f} / {b['p99_us'] / 1000:.2f} ms, "
                         f"{b['cmds_per_s']:,.0f}/s, cold {b['cold_us'] / 1000:.1f} ms")
        if any(cells):
            print(f"| {label} | " + " | ".join(cells) + " |")
    if opening:
        print()
        print("| open (1 % live) | held | live | ready | heap |")
        print("|---|---:|---:|---:|---:|")
        for (key, n), b in sorted(opening.items()):
            print(f"| {key} | {n:,} | {int(b['live']):,} | {b['ready_ms']:.0f} ms | "
                  f"{b.get('heap_mb', 0.0):.1f} MB |")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) < 2:
        raise SystemExit(__doc__)
    command, opening = load(args[:-1])
    draw(command, args[-1])
    if "--table" in sys.argv:
        table(command, opening)


if __name__ == "__main__":
    main()
