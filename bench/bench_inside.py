"""Summary of bench/bench_inside.sh's rows: a part's extra inside its network
(inside_op - alone_op), by kind (f fp32, q int8, t tiled, T the teacher's)
and by the network's weights W (million words; int8 a quarter)."""
import sys, statistics as st

rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
h = {k: i for i, k in enumerate(rows[0])}
parts = [r for r in rows[1:] if r[h['part']] != '-1']
def f(r, k): return float(r[h[k]])
print("kind  parts  W range   n  extra us (median)  inside/alone  extra us per million words (w >= 0.15)")
for kind in "fqtT":
    for lo, hi in ((0, 0.8), (0.8, 1.2), (1.2, 99)):
        sel = [r for r in parts if r[h['kind']] == kind and lo <= f(r, 'net_mw') < hi]
        if not sel: continue
        ex = [1e3 * (f(r, 'inside_op') - f(r, 'alone_op')) for r in sel]
        ra = [f(r, 'inside_op') / f(r, 'alone_op') for r in sel if f(r, 'alone_op') > 0]
        big = [1e3 * (f(r, 'inside_op') - f(r, 'alone_op')) / f(r, 'mw') for r in sel if f(r, 'mw') >= 0.15]
        print(f"{kind:4s}  {'':5s}  {lo:.1f}-{hi if hi < 99 else 'max':<4}  {len(sel):3d}  {st.median(ex):8.2f}  {st.median(ra) if ra else 0:12.2f}  "
              + (f"{st.median(big):8.1f} ({len(big)} parts)" if big else "-"))
