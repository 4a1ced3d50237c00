#!/usr/bin/env python3
"""Issue 16 (sixteenth session): does a measured speed-up's stated interval
hold the same student measured again a minute or more later?

Reads bench_spread16's output: `run` lines (one bracket of up to 20 rounds and
its interval of the median: hant transform's ± up to the fifteenth session)
and `grouped` lines (6 groups seconds apart and hant_group_interval: the ±
now). For every measurement i of a student and every later measurement j at
least MIN_S (and at most MAX_S) seconds after it, counts |x_j - x_i| <= unc_i,
against later measurements of either kind. Files are runs in time order: a
later file's measurements count as later than all of an earlier file's. Prints per student and method:
measurements, speed-up median [min-max], median ± [min-max], and the share of
later measurements held.

With --early D N also a third method, as hant transform measures now: each
grouped measurement's 6 groups with the first N groups of the same student's
grouped measurement D passes earlier (the groups timed before fine-tuning,
a minute or more before), combined as hant_group_interval combines them.

  python3 bench/spread16.py FILE.tsv... [--min MIN_S] [--max MAX_S] [--early D N]
"""
import math
import sys
from collections import defaultdict

T975 = [0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]


def group_interval(est, unc):
    """hant_group_interval: mean, and max(t(n-1) sd, median unc) sqrt(1 + 1/n)"""
    n = len(est)
    c = sum(est) / n
    sd = math.sqrt(sum((x - c) ** 2 for x in est) / (n - 1))
    t = T975[n - 1] if n - 1 <= 10 else 1.96 + 2.4 / (n - 1)
    return c, max(t * sd, med(unc)) * math.sqrt(1 + 1 / n)


def med(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def main():
    args = sys.argv[1:]
    lo, hi, files, early = 60.0, 1e9, [], None
    while args:
        a = args.pop(0)
        if a == "--min": lo = float(args.pop(0))
        elif a == "--max": hi = float(args.pop(0))
        elif a == "--early": early = (int(args.pop(0)), int(args.pop(0)))
        else: files.append(a)
    m = defaultdict(lambda: defaultdict(list))  # student -> method -> [(t, x, unc)]
    for fi, path in enumerate(files):
        groups = defaultdict(lambda: defaultdict(list))  # student -> pass -> [(speed-up, unc)]
        for line in open(path):
            f = line.rstrip("\n").split("\t")
            if f[0] == "group":
                groups[f[3].rsplit("/", 1)[-1]][int(f[2])].append((float(f[5]), float(f[6])))
            if f[0] == "grouped" and early and int(f[2]) - early[0] in groups[f[3].rsplit("/", 1)[-1]]:
                g = groups[f[3].rsplit("/", 1)[-1]]
                both = g[int(f[2]) - early[0]][:early[1]] + g[int(f[2])]
                c, u = group_interval([x for x, _ in both], [y for _, y in both])
                m[f[3].rsplit("/", 1)[-1]]["early"].append((float(f[1]) + 1e6 * fi, c, u))
            if f[0] in ("run", "grouped"):
                # files are runs in time order: one's measurements count as later than every earlier file's
                m[f[3].rsplit("/", 1)[-1]][f[0]].append((float(f[1]) + 1e6 * fi, float(f[4]), float(f[5])))
    print(f"{'student':<10} {'method':<8} {'n':>3} {'speed-up median [min-max]':>26} {'± median [min-max]':>22}   holds later: runs / grouped")
    for s, by in m.items():
        for meth, ms in by.items():
            out = []
            for other in ("run", "grouped"):
                cov = tot = 0
                for ti, xi, ui in ms:
                    for tj, xj, _ in by.get(other, []):
                        if lo <= tj - ti <= hi:
                            tot += 1
                            cov += abs(xj - xi) <= ui
                out.append(f"{cov}/{tot} {100.0 * cov / max(tot, 1):3.0f}%")
            xs = [x for _, x, _ in ms]
            us = [u for _, _, u in ms]
            print(f"{s:<10} {meth:<8} {len(ms):>3} {med(xs):>9.3f} [{min(xs):.3f}-{max(xs):.3f}] {med(us):>8.3f} [{min(us):.3f}-{max(us):.3f}]   {out[0]:>13} / {out[1]}")


if __name__ == "__main__":
    main()
