#!/bin/sh
# hant and PyTorch compute the same network: a b0-fm .hant file is loaded into
# bench/torch_nets.py's model and both run the same NCHW batch.
# Needs Debian's python3-torch and python3-numpy (.ci/run installs them).
H=${HANT:-./hant}
PY=/usr/bin/python3
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
if ! $PY -c 'import torch, numpy' 2>/dev/null; then
  echo "  skipped: python3-torch/python3-numpy not installed (sudo apt-get install -y python3-torch python3-numpy)"
  echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
pass=0; fail=0
for seed in 3 11; do
  "$H" new b0-fm -o "$T/m.hant" --seed $seed >/dev/null &&
  $PY -c "import numpy as np; np.random.seed($seed); np.save('$T/x.npy', np.random.randn(5, 1, 28, 28).astype(np.float32))" &&
  "$H" run "$T/m.hant" --input "$T/x.npy" --output "$T/y.npy" &&
  out=$($PY bench/hant_torch.py "$T/m.hant" "$T/x.npy" "$T/y.npy") && { pass=$((pass+1)); echo "  $out"; } ||
  { fail=$((fail+1)); echo "  FAIL seed $seed: $out"; }
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
