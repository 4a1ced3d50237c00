#!/usr/bin/env python3
"""Issue 16: what a latency table's validation error is made of, from hant profile --validate /
--score-only files (numpy only).

  bench_repeat.py repeat A B        the same networks timed twice (a seed given twice to
                                    bench_models.sh): per-network repeat-to-repeat spread (what no
                                    model can beat), how the two timings' errors correlate (model
                                    error repeats, noise does not), and the errors against network
                                    features (blocks of each kind, int8 / tiled weights, the biggest
                                    block, parts, the order of timing)
  bench_repeat.py level LUT FILE... each score file's error as stored (the networks against the
                                    reference block), and with the run's level taken from the teacher
                                    timed in the same run (relative to its level in LUT.validate,
                                    the run the model was fitted on): the same timings, both ways
"""
import sys
import numpy as np


def read(path):
    rows = []
    for line in open(path):
        if line.startswith('#') or line.startswith('net\t'):
            continue
        c = line.rstrip('\n').split('\t')
        if len(c) < 21:
            continue
        d = dict(name=c[0], y=float(c[2]), unc=float(c[3]), sum=float(c[5]), parts=float(c[6]), W=float(c[7]),
                 pred=float(c[8]), err=float(c[10]), kind=c[11])
        bl = []
        for b in c[20].split(','):
            if '/' in b:
                k, t, w = b.split('/')
                bl.append((k[-1], float(t), float(w)))
        for kind, key in (('f', 'nf'), ('q', 'nq'), ('t', 'nt'), ('i', 'nI')):
            d[key] = sum(k == kind for k, _, _ in bl)
        for kind, key in (('f', 'Wf'), ('q', 'Wq'), ('t', 'Wt')):
            d[key] = sum(w for k, _, w in bl if k == kind)
        d['big'] = max([w for _, _, w in bl] + [0])
        rows.append(d)
    return rows


def ms(e):
    a = np.abs(e)
    return 100 * np.median(a), 100 * a.max()


FEATS = ['nf', 'nq', 'nt', 'nI', 'Wf', 'Wq', 'Wt', 'W', 'big', 'parts', 'sum']


def repeat(pa, pb):
    A, B = read(pa), read(pb)
    if [d['name'] for d in A] != [d['name'] for d in B]:
        sys.exit('bench_repeat: %s and %s hold different networks' % (pa, pb))
    ya, yb = np.array([d['y'] for d in A]), np.array([d['y'] for d in B])
    ea, eb = np.array([d['err'] for d in A]), np.array([d['err'] for d in B])
    r = np.log(yb / ya)
    lev = np.exp(np.median(r))
    rr = r - np.median(r)
    ua = np.array([d['unc'] / d['y'] for d in A])
    print('levels: B/A x%.4f (median over the networks), the teacher x%.4f' % (lev, yb[0] / ya[0]))
    print('per network, the level taken out: sd %.2f%%, |B/A - level| median %.2f%%, worst %.2f%%; reported 95%% interval median %.2f%%'
          % (100 * rr.std(), 100 * np.median(abs(rr)), 100 * abs(rr).max(), 100 * np.median(ua)))
    print('stored model: A %.2f / %.2f, B %.2f / %.2f (median / worst %%); errors correlate %.2f'
          % (np.median(abs(ea)), abs(ea).max(), np.median(abs(eb)), abs(eb).max(), np.corrcoef(ea, eb)[0, 1]))
    em = (ea + eb) / 2
    out = []
    for f in FEATS:
        v = np.array([d[f] for d in A], float)
        if v.std() > 0:
            out.append('%s %+.2f' % (f, np.corrcoef(v, em)[0, 1]))
    out.append('order %+.2f' % np.corrcoef(np.arange(len(A)), em)[0, 1])
    print('the mean of both errors against: ' + ', '.join(out))
    for d, e1, e2 in sorted(zip(A, ea, eb), key=lambda z: -abs(z[1] + z[2]))[:6]:
        print('  %-9s %-7s blocks f%d q%d t%d id%d, W %.2f (tiled %.2f, biggest block %.2f): %+.1f / %+.1f %%'
              % (d['name'], d['kind'], d['nf'], d['nq'], d['nt'], d['nI'], d['W'], d['Wt'], d['big'], e1, e2))


def level(lut, files):
    T = None
    for line in open(lut):
        if line.startswith('net arch='):
            T = float(line.split('\t')[1])
    if T is None:
        sys.exit('bench_repeat: %s has no teacher row (net arch=...)' % lut)
    fit = read(lut + '.validate')[0]['y'] / T
    rows = []
    for f in files:
        R = read(f)
        y, p = np.array([d['y'] for d in R]), np.array([d['pred'] for d in R])
        k = (y[0] / T) / fit
        e0, e1 = (p - y) / y, (p - y / k) / (y / k)
        rows.append(ms(e0[1:]) + ms(e1[1:]))
        print('%-40s teacher x%.3f of the fit run | as stored %5.2f / %5.2f | relative to the teacher %5.2f / %5.2f'
              % (f, k, *ms(e0[1:]), *ms(e1[1:])))
    m = np.array(rows).mean(0)
    print('  mean of %d: as stored %.2f / %.2f, relative to the teacher %.2f / %.2f' % (len(rows), *m))


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'repeat':
        repeat(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == 'level':
        level(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
