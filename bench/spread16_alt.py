#!/usr/bin/env python3
"""Issue 16 (sixteenth session): interval formulas for a speed-up measured in
groups, scored on bench_spread16 output without groups (GROUPS 0): each of G
consecutive passes' runs (STEP passes apart) gives a group (the median of its
first M samples); the G groups' mean and three half-widths, max(t(G-1) x,
median group interval) with x = sd sqrt(1 + 1/G) (pred: another group, kept
in hant_group_interval), sd / sqrt(G) (ci: the mean) and sd sqrt(2/G) (two: a
mean of G groups again); then the share of measurements >= 60 s later that
each holds (new-style: the same G-group means; old-style: the single runs).

  python3 bench/spread16_alt.py FILE.tsv G M [STEP]
"""
import sys, math, statistics as st
from collections import defaultdict
T975 = [0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
def t975(df): return T975[df] if df <= 10 else 1.96 + 2.4 / df
def medint(v):
    a = sorted(v); n = len(a)
    m = a[n//2] if n & 1 else 0.5*(a[n//2-1]+a[n//2])
    k = int(math.floor(0.5*(n - 1.96*math.sqrt(n))))
    if k < 0 or n < 6: k = 0
    return m, 0.5*(a[n-1-k]-a[k])
path = sys.argv[1]; G = int(sys.argv[2]); m = int(sys.argv[3]); step = int(sys.argv[4]) if len(sys.argv) > 4 else 1
samples = defaultdict(list); runs = defaultdict(list)
for line in open(path):
    f = line.split('\t')
    s = f[3].rsplit('/',1)[-1]
    if f[0] == 'sample': samples[(s, int(f[2]))].append(float(f[5]))
    else: runs[s].append((float(f[1]), int(f[2]), float(f[4]), float(f[5])))
for s, rs in runs.items():
    P = len(rs)
    meas = []  # (t, center, hw_pred, hw_ci, hw_range)
    for k in range(0, P - (G-1)*step):
        ests = []; uncs = []
        for g in range(G):
            t, p, _, _ = rs[k + g*step]
            r = samples[(s, p)][:m]
            med, hw = medint(r)
            ests.append(1/med); uncs.append(hw/med/med)
        sd = st.stdev(ests)
        c = st.median(ests)
        within = st.median(uncs)
        meas.append((rs[k + (G-1)*step][0], c, max(t975(G-1)*sd*math.sqrt(1+1/G), within), max(t975(G-1)*sd/math.sqrt(G), within), max(t975(G-1)*sd*math.sqrt(2/G), within), rs[k][0]))
    for name, idx in (('pred', 2), ('ci', 3), ('two', 4)):
        cov = tot = cov1 = tot1 = 0
        for ti, ci, *h in meas:
            hw = h[idx-2]
            for tj, cj, *_ in meas:
                if tj - ti >= 60: tot += 1; cov += abs(cj - ci) <= hw
            for tj, _, sj, _ in rs:
                if tj - ti >= 60: tot1 += 1; cov1 += abs(sj - ci) <= hw
        hws = sorted(x[idx] for x in meas)
        print(f"{s:10} G={G} m={m} step={step} {name:4}: median ± {hws[len(hws)//2]:.3f} [{hws[0]:.3f}-{hws[-1]:.3f}]  covers new-style {cov}/{tot} {100*cov/max(tot,1):.0f}%, old-style runs {cov1}/{tot1} {100*cov1/max(tot1,1):.0f}%")
