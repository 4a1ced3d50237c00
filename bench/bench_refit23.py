#!/usr/bin/env python3
"""Issue 16, twenty-third session (replaces bench_refit22.py, whose forms and modes it keeps): the knee on capped words on hant's cap grid.
Twenty-second session: model forms for the cheapest networks, refitted in numpy on the
same timings (LUT.validate files of b0-fm, `hant profile --validate`), as hant_latency_fit does them
(ridge 0.01 toward {0, 1, 0, 0} on columns scaled to unit RMS of x / y; the cache term, the part hinge
and the knee on hant's grids, each kept when its coefficient is > 0 and F > 4, n >= 20).

Forms (FORMS=a,b,..; default all):
  hant     today's form
  nn       coef[0] (network) and every weight coefficient >= 0 (active sets enumerated: exact)
  split16  nn, and the weights column split by reuse: words of parts whose output h x w x batch <= 16
           priced apart from the rest (the knee stays on all words)
  split4   the same with <= 4
  wr       nn, and a column sum of w / reuse
  kcJ      the knee on sum over parts of min(w, CAPS[J]) instead of W (kcJn: and nn; kc0n = cap 0.3)
  kg, kgn  the knee's cap chosen by the fit from {none, 0.2, 0.3, 0.45}
  kfJ      nn, the knee on sum min(w, GRID[J]) (hant's cap grid: 0.05 x 1.25^J million words; kf8 = 0.298)
  kL       kfJ at the grid point nearest 0.6 x L2 (L2 = 2 MiB: J = 8; env L2 = bytes)
  kG       the cap chosen by the fit from none and the whole grid;  kB: from J-1, J, J+1 around kL's;
  kBn      kB and none (the knee on W): hant_latency_fit since this session (hant_lut_model_fit's cap)
  pD..     columns D.. held at 0 (p03: the network and weights terms; p03n: and nn; p0k0: with kc0's knee)
hant_latency_fit in the twenty-second session was `nn`; since the twenty-third `kBn`.

  bench_refit23.py cv FILE...                 R random halvings within each file (R=20)
  bench_refit23.py fit FIT SCORE...           fitted on FIT, scored on each SCORE (the stored model)
  bench_refit23.py cv21 FILE...               the teacher and 20 networks of each file, folds of ~10 (--validate 20)
  bench_refit23.py stored DIR S...            DIR/lutS.tsv.validate fitted, scored on DIR/scS-1.tsv.score, scS-2
  bench_refit23.py synth [NOISE]              test_model_cheap.s synthetic truth, 60 seeds
"""
import os, sys, itertools, numpy as np
KAP = [0] + [300 ** ((j - 1) / 14) for j in range(1, 16)]
OMG = [0.2 * 1.5 ** j for j in range(10)]
# b0-fm's output h x w per part: stem, blocks 0-15, head (its 1x1 conv at 2x2)
REUSE = [784, 784, 196, 196, 49, 49, 16, 16, 16, 16, 16, 16, 4, 4, 4, 4, 4, 4]
CAPS = [0.3, 0.45, 0.6, 0.2, 0.15]
GRID = [0.05 * 1.25 ** j for j in range(14)]
G0 = 33 + 2 * len(CAPS)
L2W = float(os.environ.get('L2', str(2 * 1024 * 1024))) / 4e6  # million fp32 words
JL = min(range(len(GRID)), key=lambda j: abs(GRID[j] - 0.6 * L2W))
LAM = float(os.environ.get('LAM', '0.01'))

def read(path):
    R = []
    for line in open(path):
        if line.startswith('#') or line.startswith('net\t'): continue
        c = line.rstrip('\n').split('\t')
        if len(c) < 22: continue
        d = dict(name=c[0], y=float(c[2]), sum=float(c[5]), np=int(c[6]), W=float(c[7]), kind=c[11])
        bl = []
        for b in c[20].split(','):
            k, t, w = b.split('/'); bl.append((k[-1], float(t), float(w)))
        hk, ht, hw = c[21].split('/'); ht = float(ht); hw = float(hw)
        st = d['sum'] - sum(t for _, t, _ in bl) - ht; sw = d['W'] - sum(w for _, _, w in bl) - hw
        parts = [(st, sw, REUSE[0])] + [(t, w, REUSE[1 + i]) for i, (k, t, w) in enumerate(bl) if k != 'i'] + [(ht, hw, REUSE[17])]
        d['parts'] = parts; d['hq'] = hk[-1] == 'q'
        R.append(d)
    return R

def cols(d):
    """per network: [1, T, P, W, W16, W4, sum w/r] + 16 hinge + 10 cache"""
    x = np.zeros(G0 + len(GRID)); x[0] = 1
    for t, w, r in d['parts']:
        x[1] += t; x[2] += 1; x[3] += w
        if r <= 16: x[4] += w
        if r <= 4: x[5] += w
        x[6] += w / r
        for j in range(16): x[7 + j] += max(0, w - KAP[j] * t)
        for j in range(10): x[23 + j] += w * max(0, 1 - w / OMG[j])
        for j, cap in enumerate(CAPS): x[33 + j] += min(w, cap); x[33 + len(CAPS) + j] += w if w <= cap else 0
        for j, cap in enumerate(GRID): x[G0 + j] += min(w, cap)
    return x

def lsq(A, y, prior, pinned=()):
    """hant__latency_fit_at's ridge fit; pinned columns held at 0"""
    n, K = A.shape
    Z = A / y[:, None]
    sc = np.sqrt((Z * Z).mean(0))
    free = [k for k in range(K) if sc[k] > 0 and k not in pinned]
    c = np.array([prior[k] if (sc[k] == 0 and k not in pinned) else 0.0 for k in range(K)])
    Zf = Z[:, free] / sc[free]
    pr = np.array([prior[k] * sc[k] for k in free])
    M = Zf.T @ Zf + (LAM * n + 1e-12 * n) * np.eye(len(free))
    b = Zf.T @ (1 - Z @ c) + LAM * n * pr
    u = np.linalg.solve(M, b)
    c[free] = u / sc[free]
    r = A @ c / y - 1
    return c, float(np.sqrt(np.mean(r * r)))

def lsq_nn(A, y, prior, nonneg):
    """the same with c[k] >= 0 for k in nonneg: the best feasible fit over active sets"""
    best = None
    for m in range(len(nonneg) + 1):
        for S in itertools.combinations(nonneg, m):
            c, r = lsq(A, y, prior, S)
            if any(c[k] < -1e-15 for k in nonneg): continue
            obj = r * r + LAM * 0  # the ridge is small; choose by residual
            if best is None or r < best[1] - 1e-15: best = (c, r)
    return best

def lsq_pin_nn(A, y, prior, nonneg, pin):
    nonneg = [k for k in nonneg if k not in pin]
    best = None
    for m in range(len(nonneg) + 1):
        for S in itertools.combinations(nonneg, m):
            c, r = lsq(A, y, prior, tuple(pin) + S)
            if any(c[k] < -1e-15 for k in nonneg): continue
            if best is None or r < best[1] - 1e-15: best = (c, r)
    return best

class Form:
    def __init__(s, name):
        s.name = name
        s.kc = 3; s.pin = []; s.kg = name.startswith('kg'); s.kcs = (3, 36, 33, 34)
        if s.kg: name = 'nn' if name.endswith('n') else 'hant'
        if name.startswith('kf'): s.kc = G0 + int(name[2:]); name = 'nn'
        elif name == 'kL': s.kc = G0 + JL; name = 'nn'
        elif name in ('kG', 'kB', 'kBn'):
            s.kg = True
            s.kcs = [3] + [G0 + j for j in range(len(GRID))] if name == 'kG' else [G0 + j for j in (JL - 1, JL, JL + 1)] + ([3] if name == 'kBn' else [])
            name = 'nn'
        if name.startswith('p'):  # p03: columns 0 and 3 held at 0, then hant's form (p03n: and nn, p03k0: the knee on min(w, CAPS[0]))
            s.pin = [int(ch) for ch in name[1:].split('k')[0].rstrip('n')]
            if 'k' in name: s.kc = 33 + int(name.split('k')[1][0])
            name = 'nn' if 'n' in name[1:] else 'hant'
        if name[:2] in ('kc', 'kx'):  # the knee on sum min(w, cap) (kc) or on the words of parts with w <= cap (kx)
            j = int(name[2]); s.kc = 33 + j + (len(CAPS) if name[1] == 'x' else 0); name = 'nn' if name.endswith('n') else 'hant'
        s.base = {'hant': [0, 1, 2, 3], 'nn': [0, 1, 2, 3], 'split16': [0, 1, 2, 3, 4], 'split4': [0, 1, 2, 3, 5], 'wr': [0, 1, 2, 3, 6]}[name]
        s.nonneg = [] if name == 'hant' else [0, 3] + ([4] if name == 'split16' else [5] if name == 'split4' else [6] if name == 'wr' else [])
    def design(s, X, extra):
        A = X[:, s.base]
        for tag, g in extra:
            col = X[:, 7 + g] if tag == 'hinge' else X[:, 23 + g] if tag == 'cache' else np.maximum(0, X[:, s.kc] - g)
            A = np.hstack([A, col[:, None]])
        return A
    def fit(s, X, y):
        if s.kg:  # the knee's cap from a grid (none, 0.2, 0.3, 0.45): the best residual
            best = None
            for kc in s.kcs:
                s.kc = kc; m = s.fit1(X, y)
                if best is None or m[2] < best[0][2] - 1e-12: best = (m, kc)
            s.kc = best[1]; return best[0]
        return s.fit1(X, y)
    def fit1(s, X, y):
        n = len(y); prior = [0, 1, 0, 0] + [0] * 8
        nn = [s.base.index(k) for k in s.nonneg]
        def f(extra):
            A = s.design(X, extra)
            if s.pin: return lsq_nn(A, y, prior, nn) if False else (lsq_pin_nn(A, y, prior, nn, s.pin))
            return lsq_nn(A, y, prior, nn) if nn else lsq(A, y, prior)
        cur = ([],) + f([])
        if n >= 20:
            for tag, grid in (('cache', range(10)), ('hinge', range(16)), ('knee', None)):
                if tag == 'knee':
                    W = np.sort(X[:, s.kc]); grid = [W[int((0.05 + 0.9 * g / 18) * (n - 1) + 0.5)] for g in range(19)]
                best = None
                for g in grid:
                    got = f(cur[0] + [(tag, g)])
                    if got is None or got[0][-1] <= 0: continue
                    if best is None or got[1] < best[2]: best = (cur[0] + [(tag, g)],) + got
                if tag == 'knee' and best is not None:  # refine between the grid neighbours
                    i = list(grid).index(best[0][-1][1]); lo, hi = grid[max(0, i - 1)], grid[min(18, i + 1)]
                    for k in np.linspace(lo, hi, 17):
                        got = f(cur[0] + [(tag, k)])
                        if got is not None and got[0][-1] > 0 and got[1] < best[2]: best = (cur[0] + [(tag, k)],) + got
                if best is None: continue
                p = len(cur[1]) + 2
                rss0, rss1 = cur[2] ** 2 * n, best[2] ** 2 * n
                if n > p and (rss0 - rss1) / 2 > 4 * rss1 / (n - p): cur = best
        return cur  # (extra, c, resid)
    def predict(s, model, X):
        extra, c, _ = model
        return s.design(X, extra) @ c

def XY(R): return np.array([cols(d) for d in R]), np.array([d['y'] for d in R])
def ms(e): a = np.abs(e); return 100 * np.median(a), 100 * a.max()
FORMS = os.environ.get('FORMS', 'hant,nn,split16,split4,wr').split(',')

CH, CT = {}, {}
def cv(files, R=int(os.environ.get('R', '20'))):
    tot = {f: [] for f in FORMS}
    for path in files:
        D = read(path); X, y = XY(D); n = len(y); rng = np.random.default_rng(1)
        splits = [rng.permutation(n) for _ in range(R)]
        line = []
        for fn in FORMS:
            F = Form(fn); meds, wos = [], []
            for p in splits:
                a, b = p[:n // 2], p[n // 2:]; e = np.zeros(n)
                for tr, te in ((a, b), (b, a)):
                    m = F.fit(X[tr], y[tr]); e[te] = F.predict(m, X[te]) / y[te] - 1
                md, wo = ms(e); meds.append(md); wos.append(wo)
                CH.setdefault(fn, []).append(100 * abs(e[np.argmin(y)])); CT.setdefault(fn, []).append(100 * e[0])
            tot[fn].append((np.mean(meds), np.mean(wos)))
            line.append('%s %.2f/%.2f' % (fn, np.mean(meds), np.mean(wos)))
        print(os.path.basename(path), n, ' | '.join(line))
    print('mean over files:', ' | '.join('%s %.2f/%.2f' % (fn, np.mean([a for a, _ in tot[fn]]), np.mean([b for _, b in tot[fn]])) for fn in FORMS))
    print('cheapest network |err|: ', ' | '.join('%s median %.1f p90 %.1f max %.1f' % (fn, np.median(CH[fn]), np.percentile(CH[fn], 90), max(CH[fn])) for fn in FORMS))
    print('teacher err: ', ' | '.join('%s median %+.1f' % (fn, np.median(CT[fn])) for fn in FORMS))

def fitscore(fitf, scores):
    D = read(fitf); X, y = XY(D)
    out = []
    for fn in FORMS:
        F = Form(fn); m = F.fit(X, y); r = []
        for sf in scores:
            S = read(sf); Xs, ys = XY(S); r.append(ms(F.predict(m, Xs) / ys - 1))
        out.append((fn, m, r))
        print('%-8s %s resid %.2f%% | %s | coef %s %s' % (os.path.basename(fitf), fn, 100 * m[2], ' | '.join('%.2f/%.2f' % x for x in r),
              ' '.join('%.4g' % v for v in m[1]), m[0]))
    return out

if __name__ == '__main__':
    if sys.argv[1] == 'cv': cv(sys.argv[2:])
    elif sys.argv[1] == 'fit': fitscore(sys.argv[2], sys.argv[3:])

TAIL, TAILW = {}, {}
def cvsub(files, m=21, R=int(os.environ.get('R', '20'))):
    """as `hant profile --validate 20` (the demo): the teacher and m - 1 random networks of the file,
    2 random folds; R draws per file. Also the error on the file's cheapest drawn network."""
    tot = {f: [] for f in FORMS}
    for path in files:
        D = read(path); X, y = XY(D); n = len(y); rng = np.random.default_rng(2)
        draws = [np.concatenate([[0], 1 + rng.permutation(n - 1)[:m - 1]]) for _ in range(R)]
        folds = [rng.permutation(m) for _ in range(R)]
        line = []
        for fn in FORMS:
            F = Form(fn); meds, wos, chs = [], [], []
            for sel, p in zip(draws, folds):
                Xs, ys = X[sel], y[sel]; a, b = p[:m // 2], p[m // 2:]; e = np.zeros(m)
                for tr, te in ((a, b), (b, a)):
                    mo = F.fit(Xs[tr], ys[tr]); e[te] = F.predict(mo, Xs[te]) / ys[te] - 1
                md, wo = ms(e); meds.append(md); wos.append(wo); chs.append(100 * abs(e[np.argmin(ys)]))
            tot[fn].append((np.median(meds), np.median(wos), np.median(chs)))
            TAIL.setdefault(fn, []).extend(chs); TAILW.setdefault(fn, []).extend(wos)
            line.append('%s %.2f/%.2f (cheapest %.1f)' % ((fn,) + tot[fn][-1]))
        print(os.path.basename(path), ' | '.join(line))
    print('median over files:', ' | '.join('%s %.2f/%.2f (%.1f)' % (fn, np.median([a for a, _, _ in tot[fn]]), np.median([b for _, b, _ in tot[fn]]),
                                                                    np.median([c for _, _, c in tot[fn]])) for fn in FORMS))
    print('tails over all draws:', ' | '.join('%s worst p90 %.1f max %.1f; cheapest p90 %.1f max %.1f, >30%%: %d of %d' % (fn, np.percentile(TAILW[fn], 90), max(TAILW[fn]),
          np.percentile(TAIL[fn], 90), max(TAIL[fn]), sum(np.array(TAIL[fn]) > 30), len(TAIL[fn])) for fn in FORMS))

if __name__ == '__main__' and sys.argv[1] == 'cv21': cvsub(sys.argv[2:])

def stored(dirp, seeds):
    """each table's validation fits the model (all its networks); scored on its two score-only sets"""
    res = {f: [] for f in FORMS}; tea = {f: [] for f in FORMS}
    for s in seeds:
        D = read('%s/lut%s.tsv.validate' % (dirp, s)); X, y = XY(D)
        for fn in FORMS:
            F = Form(fn); m = F.fit(X, y)
            for t in (1, 2):
                sp = '%s/sc%s-%d.tsv.score' % (dirp, s, t)
                if not os.path.exists(sp): continue
                S = read(sp); Xs, ys = XY(S); e = F.predict(m, Xs) / ys - 1
                res[fn].append(ms(e)); tea[fn].append(100 * e[0])
    for fn in FORMS:
        a = np.array(res[fn]); print('%-6s %d sets: median of medians %.2f, of worsts %.2f, mean %.2f / %.2f; worst <= 8%% in %d; teacher median %+.1f%% (%+.1f..%+.1f)'
              % (fn, len(a), np.median(a[:, 0]), np.median(a[:, 1]), a[:, 0].mean(), a[:, 1].mean(), (a[:, 1] <= 8).sum(), np.median(tea[fn]), min(tea[fn]), max(tea[fn])))

if __name__ == '__main__' and sys.argv[1] == 'stored': stored(sys.argv[2], sys.argv[3:])

def synth(noise=0.02, NF=20, S=60):
    """test_model_cheap's truth in numpy: 1.05 sum + 0.0005 per part + 0.045 per million words beyond 0.6; a fold of
    NF networks (half uniform, half skewed to cheap), the cheapest kind predicted"""
    res = {'hant': [], 'nn': []}; neg = 0
    for s in range(S):
        r = np.random.default_rng(s); N = NF + 1; X = np.zeros((N, G0 + len(GRID))); y = np.zeros(N)
        for i in range(N):
            cheap = i == NF; sk = i % 2 == 1
            parts = 10 if cheap else (10 + r.integers(5) if sk else 14 + r.integers(5))
            X[i, 0] = 1; X[i, 2] = parts
            for p in range(parts):
                u, v = r.random(), r.random()
                X[i, 1] += 0.001 + 0.005 * u if cheap else (0.002 + 0.012 * u if sk else 0.005 + 0.03 * u)
                X[i, 3] += 0.01 + 0.04 * v if cheap else (0.01 + 0.1 * v if sk else 0.02 + 0.3 * v)
            y[i] = (1.05 * X[i, 1] + 0.0005 * parts + 0.045 * max(0, X[i, 3] - 0.6)) * (1 + (0 if cheap else noise * r.normal()))
        for fn in res:
            F = Form(fn); m = F.fit(X[:NF], y[:NF]); res[fn].append(abs(F.predict(m, X[NF:])[0] / y[NF] - 1))
            if fn == 'hant' and m[1][0] < 0: neg += 1
    for fn in res:
        a = np.array(res[fn]) * 100
        print('noise %.2f, folds of %d, %s: cheapest error median %.1f%% p90 %.1f%% max %.1f%%, over 10%%: %d of %d' % (noise, NF, fn, np.median(a), np.percentile(a, 90), a.max(), (a > 10).sum(), S))
    print('unconstrained fits with a negative network term: %d of %d' % (neg, S))

if __name__ == '__main__' and sys.argv[1] == 'synth': synth(float(sys.argv[2]) if len(sys.argv) > 2 else 0.02)
