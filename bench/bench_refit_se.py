#!/usr/bin/env python3
"""Issue 16, fifteenth session: does counting an int8 block's SE weights (which stay fp32) at full
size, instead of at 1/4 like its int8 convs, make the latency model better on the same timings?
Refits hant's model structure (bench/bench_refit.py) with the weights column w of every int8 block
with SE raised by 3/4 of its SE words, and compares it with the stored definition.

  bench_refit_se.py POOL.tsv FIT.validate SCORE...      (POOL.tsv: hant pool TEACHER --pool SPEC -o)
  bench_refit_se.py POOL.tsv --cv FILE...               40 random halvings within each file
A FILE written by a hant whose w already counts the SE whole (after this session): name it NEW:FILE.
"""
import sys, re, numpy as np
sys.path.insert(0, __import__('os').path.dirname(__file__))
import bench_refit as R

pool = {}
for l in open(sys.argv[1]):
    c = l.rstrip('\n').split('\t')
    if c[0] != 'block': pool.setdefault(int(c[0]), []).append(c[2])

def se_words(sig):
    g = dict(re.findall(r'(\w+)=([\w.]+)', sig))
    if not sig.startswith(('mbconv', 'fused')) or float(g.get('se', 0)) == 0: return 0
    cin, e = int(g['cin']), int(g['e']); hid = cin * e; r = max(1, int(cin * float(g['se'])))
    return 2 * hid * r + r + hid

def codes(path):
    out = []
    for l in open(path):
        c = l.rstrip('\n').split('\t')
        if l.startswith('#') or c[0] == 'net' or len(c) < 21: continue
        out.append(c[20].split(','))
    return out

def read(path, se):
    """se 0: the old column (every int8 weight a quarter), 1: the SE whole"""
    new = path.startswith('NEW:'); path = path[4:] if new else path
    D = R.read(path)
    se = se - new  # the change to apply: +1 old -> new, -1 new -> old, 0 none
    if not se: return D
    for d, cs in zip(D, codes(path)):
        bl = []
        for b, (code, (k, t, w)) in enumerate(zip(cs, d['blocks'])):
            if k == 'q': w += se * 0.75 * se_words(pool[b][int(code.split('/')[0][:-1])]) * 1e-6
            bl.append((k, t, w))
        d['W'] += sum(w for _, _, w in bl) - sum(w for _, _, w in d['blocks'])
        d['blocks'] = bl
    return D

def score(fitf, scoref):
    for se in (0, 1):
        F = read(fitf, se); X, y = R.XY(F); A, c, r, desc = R.fit(X, y)
        out = []
        for sf in scoref:
            S = read(sf, se); Xs, ys = R.XY(S); out.append('%.2f / %.2f' % R.ms(R.err(R.design(Xs, desc, None), c, ys)))
        print('%-8s fit resid %.2f%% %s | %s' % ('se-fp32' if se else 'stored', 100 * r, desc, ' | '.join(out)))

def cv(files, reps=40):
    for f in files:
        for se in (0, 1):
            F = read(f, se); X, y = R.XY(F); n = len(y); rng = np.random.default_rng(1); meds = []; wos = []
            for _ in range(reps):
                p = rng.permutation(n); a, b = p[:n // 2], p[n // 2:]; e = np.zeros(n)
                for tr, te in ((a, b), (b, a)):
                    A, c, _, desc = R.fit(X[tr], y[tr]); e[te] = R.err(R.design(X[te], desc, None), c, y[te])
                m, w = R.ms(e); meds.append(m); wos.append(w)
            print('%s %-8s cv: median %.2f / worst %.2f (mean of %d halvings)' % (f.split('/')[-1], 'se-fp32' if se else 'stored', np.mean(meds), np.mean(wos), reps))

if __name__ == '__main__':
    if sys.argv[2] == '--cv': cv(sys.argv[3:])
    else: score(sys.argv[2], sys.argv[3:])
