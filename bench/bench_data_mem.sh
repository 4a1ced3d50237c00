#!/bin/sh
# Resident memory of hant train and hant distill on .npy data sets of 10,000
# and 100,000 RGB images of 64x64 (uint8, 123 MB and 1.23 GB, written with
# NumPy under build/mem): one full pass over each set, max RSS from
# /usr/bin/time -v. Usage: sh bench/bench_data_mem.sh [HANT] [PYTHON]
# (about 20 min on 2 cores). bench/RESULTS.md, "Bring your own data".
H=${1:-build/cc-native/hant}; PY=${2:-/usr/bin/python3}; O=build/mem
mkdir -p $O
"$PY" - <<'PYEOF' || exit 1
import numpy as np, os
rng = np.random.default_rng(1)
base = np.array([[200,40,40],[40,200,40],[40,40,200],[200,200,40],[40,200,200],[200,40,200],[120,120,120],[20,20,20],[230,230,230],[100,60,20]], np.uint8)
for n, d in ((10000, 'build/mem/s10k'), (100000, 'build/mem/s100k')):
    if os.path.exists(d + '/train_labels.npy'): continue
    os.makedirs(d, exist_ok=True)
    y = rng.integers(0, 10, n).astype(np.int64)
    x = np.lib.format.open_memmap(d + '/train_images.npy', mode='w+', dtype=np.uint8, shape=(n, 64, 64, 3))
    for i in range(0, n, 5000):
        m = min(5000, n - i)
        noise = rng.integers(0, 50, (m, 64, 64, 3), dtype=np.uint8)
        x[i:i+m] = np.minimum(base[y[i:i+m]][:, None, None, :].astype(np.int16) + noise, 255).astype(np.uint8)
    x.flush(); del x
    np.save(d + '/train_labels.npy', y)
PYEOF
# the tiny RGB network of tests/cli_data.sh, at 64x64 and 10 classes
TD=$(dirname "$H")/test_data
"$TD" --make-model $O/m64.hant 64 64 3 10 || exit 1
for s in s10k s100k; do
  /usr/bin/time -v $H train $O/m64.hant -o $O/t-$s.hant --data $O/$s --batch 64 --epochs 1 --threads 2 --quiet --bn-calibrate 10 > $O/train-$s.log 2> $O/train-$s.time
  rm -rf $O/w-$s
  /usr/bin/time -v $H distill $O/t-$s.hant --work $O/w-$s --pool 'teacher;mbconv:e=1:k=3:se=0:act=relu' --images 100000 --val-images 800 --batch 64 \
    --threads 2 --quiet --data $O/$s > $O/distill-$s.log 2> $O/distill-$s.time
  for c in train distill; do
    printf '%s %s: max RSS %s kB, %s\n' $c $s "$(sed -n 's/.*Maximum resident set size (kbytes): //p' $O/$c-$s.time)" "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' $O/$c-$s.time)"
  done
done
