#!/usr/bin/python3
"""Draws time per first-fit query against rooms (log-log) for naive, icl and
sala from sala_bench's --benchmark_format=json output, as a hand-written SVG;
with --batch=OUT2.svg also batch allocations per second against rooms (sala's
batch call and sala one call at a time beside the baselines, with the 1M/s
target).

  chart.py RESULTS.json OUT.svg [--batch=OUT2.svg] [--table]

Uses the median aggregate when the run had repetitions, else the single run.
With --table it also prints the Markdown table used in docs/performance.md.
"""
import json
import math
import sys

IMPLS = [("naive", "#d62728"), ("icl", "#ff7f0e"), ("sala", "#1f77b4")]
OPS = ["FirstFit", "BookCancel", "WeekWindow", "PeakConcurrency", "BatchAlloc"]


def load(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        name = b.get("run_name", b["name"])
        kind = b.get("aggregate_name")
        if kind not in (None, "median"):
            continue
        parts = name.split("/")
        if len(parts) < 3 or not parts[0].startswith("BM_"):
            continue
        op, impl, rooms = parts[0][3:], parts[1], int(parts[2])
        key = (op, impl, rooms)
        if kind == "median" or key not in rows:
            rows[key] = b
    return data.get("context", {}), rows


def ns_per_item(b):
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    t = b["real_time"] * scale
    items = b.get("items_per_second")
    if items:
        return 1e9 / items
    return t


def svg(rows, out):
    pts = {impl: sorted((r, ns_per_item(b)) for (op, i, r), b in rows.items() if op == "FirstFit" and i == impl)
           for impl, _ in IMPLS}
    draw(pts, IMPLS, out, "First-fit query time against rooms (log-log)", "time per query", time_label)


BATCH_IMPLS = IMPLS + [("sala_loop", "#9467bd")]


def batch_svg(rows, out):
    pts = {impl: sorted((r, 1e9 / ns_per_item(b)) for (op, i, r), b in rows.items()
                        if op == "BatchAlloc" and i == impl)
           for impl, _ in BATCH_IMPLS}
    draw(pts, BATCH_IMPLS, out, "Batch of 100,000 allocations: allocations per second (log-log)",
         "allocations per second", rate_label, target=(1e6, "target 1M/s"))


def time_label(e):
    return f"{10 ** e:,} ns" if e < 3 else (f"{10 ** (e - 3):,} µs" if e < 6 else f"{10 ** (e - 6):,} ms")


def rate_label(e):
    return f"{10 ** e:,}/s" if e < 3 else (f"{10 ** (e - 3):,}k/s" if e < 6 else f"{10 ** (e - 6):,}M/s")


def draw(pts, impls, out, title, ylabel, label, target=None):
    allx = [x for p in pts.values() for x, _ in p]
    ally = [y for p in pts.values() for _, y in p if y > 0] + ([target[0]] if target else [])
    if not allx or not ally:
        raise SystemExit(f"chart.py: no results for '{title}' in the input")
    W, H, L, R, T, B = 640, 420, 80, 120, 40, 60
    x0, x1 = math.floor(math.log10(min(allx))), math.ceil(math.log10(max(allx)))
    if x1 == x0:
        x1 += 1
    y0, y1 = math.floor(math.log10(min(ally))), math.ceil(math.log10(max(ally)))
    if y1 == y0:
        y1 += 1

    def X(v):
        return L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)

    def Y(v):
        return H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    for e in range(x0, x1 + 1):
        x = X(10 ** e)
        o.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#ddd"/>')
        o.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{10 ** e:,}</text>')
    for e in range(y0, y1 + 1):
        y = Y(10 ** e)
        o.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{label(e)}</text>')
    if target:
        y = Y(target[0])
        o.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#2ca02c" stroke-dasharray="6 4"/>')
        o.append(f'<text x="{L + 6}" y="{y - 5:.1f}" fill="#2ca02c">{target[1]}</text>')
    o.append(f'<text x="{(L + W - R) / 2}" y="{H - 20}" text-anchor="middle">rooms (about 500 reservations each)</text>')
    o.append(f'<text x="18" y="{(T + H - B) / 2}" text-anchor="middle" '
             f'transform="rotate(-90 18 {(T + H - B) / 2})">{ylabel}</text>')
    for k, (impl, color) in enumerate(impls):
        p = pts[impl]
        if not p:
            continue
        path = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in p)
        o.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in p:
            o.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3.5" fill="{color}"/>')
        ly = T + 10 + 20 * k
        o.append(f'<line x1="{W - R + 15}" y1="{ly}" x2="{W - R + 40}" y2="{ly}" stroke="{color}" stroke-width="2"/>')
        o.append(f'<text x="{W - R + 46}" y="{ly + 4}">{impl}</text>')
    o.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(o) + "\n")


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:,.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:,.2f} µs"
    return f"{ns:,.0f} ns"


def table(rows):
    sizes = sorted({r for (_, _, r) in rows})
    print("| operation | rooms | naive | icl | sala | naive / sala | icl / sala | sala bytes/reservation |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for op in OPS:
        for r in sizes:
            cells = {i: rows.get((op, i, r)) for i, _ in IMPLS}
            if not all(cells.values()):
                continue
            t = {i: ns_per_item(b) for i, b in cells.items()}
            print(f"| {op} | {r:,} | {fmt(t['naive'])} | {fmt(t['icl'])} | {fmt(t['sala'])} | "
                  f"{t['naive'] / t['sala']:,.0f}x | {t['icl'] / t['sala']:,.0f}x | "
                  f"{cells['sala']['bytes_per_reservation']:.1f} |")
    print()
    print("| batch of 100,000 | rooms | sala batch call | sala one call each | naive | icl |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in sizes:
        cells = {i: rows.get(("BatchAlloc", i, r)) for i, _ in BATCH_IMPLS}
        if all(cells.values()):
            rate = {i: 1e9 / ns_per_item(b) for i, b in cells.items()}
            print(f"| allocations/s | {r:,} | {rate['sala']:,.0f} | {rate['sala_loop']:,.0f} | "
                  f"{rate['naive']:,.0f} | {rate['icl']:,.0f} |")
    print()
    print("| first-fit | rooms | p50 per query | p99 per query | bytes/reservation |")
    print("|---|---:|---:|---:|---:|")
    for r in sizes:
        for i, _ in IMPLS:
            b = rows.get(("FirstFit", i, r))
            if b:
                print(f"| {i} | {r:,} | {fmt(b['p50_ns'])} | {fmt(b['p99_ns'])} | {b['bytes_per_reservation']:.1f} |")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        raise SystemExit(__doc__)
    _, rows = load(args[0])
    svg(rows, args[1])
    for a in sys.argv[1:]:
        if a.startswith("--batch="):
            batch_svg(rows, a[len("--batch="):])
    if "--table" in sys.argv:
        table(rows)


if __name__ == "__main__":
    main()
