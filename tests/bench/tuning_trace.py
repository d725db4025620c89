#!/usr/bin/env python3
"""Reads a `synthminer run --trace FILE` batch trace (JSON lines).

  tuning_trace.py settle TRACE --step T [--device ID]
      For each device, after T: when the disturbance showed (the first of three batches in a
      row out of the +-15 % band around its target, which can come a little after T if the load takes time
      to start), and how long from there until three batches in a row are back in the band.
      A device that never settles while its batches are one WorkUnit (the tuner's finest
      step) is reported as such: the band may lie between one unit and two.
  tuning_trace.py plot TRACE OUT.png [--device ID ...] [--step T ...] [--title TEXT]
      Batch size and latency against time, one colour per device, the target band shaded.
      Needs matplotlib (Debian: python3-matplotlib); settle needs nothing beyond Python 3.
"""
import argparse
import json
import statistics
import sys

BAND = 0.15


def load(path, devices=None):
    by_dev = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if devices and r["device"] not in devices:
                continue
            by_dev.setdefault(r["device"], []).append(r)
    for recs in by_dev.values():
        recs.sort(key=lambda r: r["t"])
    return by_dev


def complete(r):
    return r["status"] == 0 and r["nonces"] == r["size"]


def in_band(r):
    return abs(r["latency_ms"] / r["target_ms"] - 1) <= BAND


def settle(recs, step):
    """(onset, settle): seconds from step to the first out-of-band batch, and from there until
    three complete batches in a row are in the band. onset None: never disturbed; settle None:
    never settled."""
    recs = [r for r in recs if complete(r) and r["t"] >= step]
    # Three out of the band in a row: one alone is scheduling noise, not the load arriving.
    onset = next((i for i in range(len(recs) - 2)
                  if not any(in_band(recs[k]) for k in range(i, i + 3))), None)
    if onset is None:
        return None, 0.0
    for i in range(onset, len(recs) - 2):
        if all(in_band(recs[k]) for k in range(i, i + 3)):
            return recs[onset]["t"] - step, recs[i]["t"] - recs[onset]["t"]
    return recs[onset]["t"] - step, None


def one_unit(recs, step):
    """Whether nearly every batch after step was the smallest size seen: one WorkUnit, the
    finest step the tuner has, so the band may lie between one unit and two."""
    after = [r for r in recs if complete(r) and r["t"] >= step]
    smallest = min(r["size"] for r in recs)
    return bool(after) and sum(r["size"] == smallest for r in after) >= 0.9 * len(after)


def cmd_settle(args):
    by_dev = load(args.trace, args.device)
    worst = 0.0
    for dev, recs in sorted(by_dev.items()):
        before = [r["latency_ms"] for r in recs if complete(r) and args.step - 2 <= r["t"] < args.step]
        after = [r["latency_ms"] for r in recs if complete(r) and r["t"] >= args.step + 2]
        med = lambda v: statistics.median(v) if v else float("nan")
        line = "%-10s target %6.1f ms  p50 before %7.2f ms  p50 after %7.2f ms  " % (
            dev, recs[-1]["target_ms"], med(before), med(after))
        onset, s = settle(recs, args.step)
        if s is None and one_unit(recs, args.step):
            print(line + "one-unit batches (%d nonces): the unit is the finest step" %
                  min(r["size"] for r in recs))
            continue
        if onset is None:
            print(line + "no batch left the band")
            continue
        print(line + "disturbed at +%.3f s, settled %s" % (
            onset, "in %.3f s" % s if s is not None else "never"))
        worst = max(worst, s if s is not None else float("inf"))
    print("slowest: %.3f s" % worst)
    return 0 if worst != float("inf") else 1


def cmd_plot(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_dev = load(args.trace, args.device)
    fig, (ax_size, ax_lat) = plt.subplots(2, 1, sharex=True, figsize=(10, 6.5))
    for dev, recs in sorted(by_dev.items()):
        t = [r["t"] for r in recs]
        line, = ax_size.plot(t, [r["next_batch"] for r in recs], lw=1, label=dev)
        done = [r for r in recs if complete(r)]
        ax_lat.plot([r["t"] for r in done], [r["latency_ms"] for r in done], ".", ms=2,
                    color=line.get_color(), label=dev)
        target = recs[-1]["target_ms"]
        ax_lat.axhspan(target * (1 - BAND), target * (1 + BAND), color=line.get_color(), alpha=0.12)
    for step in args.step or []:
        for ax in (ax_size, ax_lat):
            ax.axvline(step, color="k", ls="--", lw=0.8)
    ax_size.set_yscale("log")
    ax_size.set_ylabel("batch size (nonces)")
    ax_lat.set_yscale("log")
    ax_lat.set_ylabel("batch latency (ms)")
    ax_lat.set_xlabel("seconds since start")
    ax_size.legend(loc="best", fontsize=8)
    ax_size.set_title(args.title or "batch size and latency (shaded: target +-15 %)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("settle")
    s.add_argument("trace")
    s.add_argument("--step", type=float, required=True)
    s.add_argument("--device", action="append")
    s.set_defaults(fn=cmd_settle)
    q = sub.add_parser("plot")
    q.add_argument("trace")
    q.add_argument("out")
    q.add_argument("--device", action="append")
    q.add_argument("--step", type=float, action="append")
    q.add_argument("--title")
    q.set_defaults(fn=cmd_plot)
    args = p.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
