#!/usr/bin/env python3
"""Issue 16, fifteenth session: rows in hant profile --validate's format for the demo's students
(from their choices-NAME.tsv and the table), so that bench_refit*.py can score them.
  refit_rows16.py LUT POOL.tsv NAME=MEASURED_MS:CHOICES.tsv ...   (NAME=MS:teacher for the teacher)"""
import sys
lut = {}
for l in open(sys.argv[1]):
    c = l.rstrip('\n').split('\t')
    if not l.startswith('#') and len(c) > 2 and c[0] != 'key': lut[c[0]] = float(c[1])
pool = {}
for l in open(sys.argv[2]):
    c = l.rstrip('\n').split('\t')
    if c[0] != 'block': pool.setdefault(int(c[0]), []).append((c[2], int(c[3])))
K = ' b=1 t=2 p=fp32'
stem = 'stem cin=1 cout=32 k=3 s=1 act=silu hw=28x28'
print('net\tarch\tmeasured_ms\t' + '\t'.join('c%d' % i for i in range(3, 20)) + '\tblocks')
for arg in sys.argv[3:]:
    name, rest = arg.split('=', 1); ms, ch = rest.split(':', 1)
    if ch == 'teacher':
        sigs = [pool[b][0][0] for b in sorted(pool)]; head = 'head cin=320 cout=1280 act=silu classes=10 hw=2x2'
    else:
        sigs = []; head = None
        for l in open(ch):
            c = l.rstrip('\n').split('\t')
            if l.startswith('# head'): head = c[2]
            elif not l.startswith('#') and c[0] != 'block': sigs.append(c[2])
    codes = []; tsum = 0; W = 0; parts = 0
    for b, s in enumerate(sigs):
        base = s.replace(' tile=1', '')
        idx = [i for i, (p, _) in enumerate(pool[b]) if p == s]
        if not idx: idx = [i for i, (p, _) in enumerate(pool[b]) if p == base]
        i = idx[0]; sig, params = pool[b][i]
        k = 'q' if 'q=int8' in s else 't' if 'tile=1' in s else 'i' if s.startswith('identity') else 'f'
        if k == 'i': codes.append('%di/0/0' % i); continue
        t = lut[s + K]; w = params * (0.25 if k == 'q' else 1) * 1e-6
        codes.append(('T%s' if ch == 'teacher' else '%d%s' % (i, k)).replace('%s', k) + '/%.5f/%.4f' % (t, w) if ch != 'teacher' else 'Tf/%.5f/%.4f' % (t, w))
        tsum += t; W += w; parts += 1
    hq = 'q=int8' in head
    hp = 320 * 1280 + 2 * 1280 + 1280 * 10 + 10
    tsum += lut[stem + K] + lut[head + K]; W += (352 + hp * (0.25 if hq else 1)) * 1e-6; parts += 2
    row = [name, '-', ms, '0', '0', '%.5f' % tsum, str(parts), '%.4f' % W, '0', '0', '0', 'student', '0', '0', '0', '0', '0', '0', '0', '0', ','.join(codes)]
    print('\t'.join(row))
