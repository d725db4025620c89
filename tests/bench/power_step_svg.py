#!/usr/bin/env python3
"""Draws `bench_power_limit --trace FILE` (CSV: t_s, limit_w, power_w, ghs, duty) as an SVG:
power and the limit in one panel, hashrate and duty in the other, against time. Plain SVG, no
plotting library.

  power_step_svg.py TRACE.csv OUT.svg [--title TEXT]

Also prints, per limit step, the mean and 95th percentile of power over its second half (the
loop settled) and how far the mean is from the limit.
"""
import argparse
import csv
import statistics
import sys

W, H, PAD = 900, 560, 60
PANEL = (H - 3 * PAD) / 2


def load(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.append({k: float(v) for k, v in r.items()})
    if not rows:
        sys.exit(f"{path}: no samples")
    return rows


def steps(rows):
    """Runs of equal limit_w: (limit, [rows])."""
    out = []
    for r in rows:
        if not out or out[-1][0] != r["limit_w"]:
            out.append((r["limit_w"], []))
        out[-1][1].append(r)
    return out


def polyline(points, colour, width=1.5, dash=None):
    d = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="{width}"{extra} points="{d}"/>'


def panel(top, rows, series, ymax, label, t_max):
    """One panel: axes, a label, and each (key, colour, dash, scale) series."""
    out = [f'<rect x="{PAD}" y="{top}" width="{W - 2 * PAD}" height="{PANEL}" fill="none" '
           f'stroke="#888"/>',
           f'<text x="{PAD - 8}" y="{top + 12}" text-anchor="end" font-size="11">{ymax:g}</text>',
           f'<text x="{PAD - 8}" y="{top + PANEL}" text-anchor="end" font-size="11">0</text>',
           f'<text x="{PAD + 6}" y="{top + 16}" font-size="13">{label}</text>']
    for key, colour, dash, scale in series:
        pts = []
        for r in rows:
            if key == "limit_w" and r[key] == 0:
                continue  # no limit in force: nothing to draw
            x = PAD + (W - 2 * PAD) * r["t_s"] / t_max
            y = top + PANEL - PANEL * min(r[key] * scale / ymax, 1.0)
            pts.append((x, y))
        if pts:
            out.append(polyline(pts, colour, dash=dash))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("out")
    ap.add_argument("--title", default="power limit held by duty cycle")
    a = ap.parse_args()
    rows = load(a.trace)
    t_max = max(r["t_s"] for r in rows) or 1
    p_max = max(max(r["power_w"], r["limit_w"]) for r in rows) * 1.1 or 1
    g_max = max(r["ghs"] for r in rows) * 1.1 or 1
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="{PAD / 2}" text-anchor="middle" font-size="15">{a.title}</text>']
    svg += panel(PAD, rows, [("power_w", "#c0392b", None, 1), ("limit_w", "#555", "6,4", 1)],
                 round(p_max), "power, W (dashed: the limit)", t_max)
    svg += panel(2 * PAD + PANEL, rows, [("ghs", "#2471a3", None, 1),
                                         ("duty", "#27ae60", "3,3", g_max)],
                 round(g_max, 2), "GH/s (dotted: duty, 1 at the top)", t_max)
    svg.append(f'<text x="{W / 2}" y="{H - PAD / 3}" text-anchor="middle" font-size="12">'
               f'seconds (0 to {t_max:.0f})</text>')
    svg.append("</svg>")
    with open(a.out, "w") as f:
        f.write("\n".join(svg) + "\n")
    print(f"{'limit W':>8} {'mean W':>8} {'p95 W':>8} {'mean-limit':>11} {'GH/s':>8}")
    for limit, rs in steps(rows):
        half = rs[len(rs) // 2:]
        p = sorted(r["power_w"] for r in half)
        mean = statistics.mean(p)
        p95 = p[min(len(p) - 1, len(p) * 95 // 100)]
        gap = f"{100 * (mean - limit) / limit:+.1f}%" if limit > 0 else "-"
        print(f"{limit or 'none':>8} {mean:8.1f} {p95:8.1f} {gap:>11} "
              f"{statistics.mean(r['ghs'] for r in half):8.3f}")


if __name__ == "__main__":
    main()
