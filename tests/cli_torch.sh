#!/bin/sh
# hant and PyTorch compute the same network: a b0-fm .hant file is loaded into
# bench/torch_nets.py's model and both run the same NCHW batch.
# Needs python3-torch and python3-numpy ($HANT_PYTHON, default /usr/bin/python3;
# make test installs them as root); skipped without.
. "$(dirname "$0")/lib_cli.sh"
$PY -c 'import torch, numpy' 2>/dev/null || skip_all "no torch and numpy in $PY" "sudo apt-get install -y python3-torch python3-numpy"
for seed in 3 11; do
  "$H" new b0-fm -o "$T/m.hant" --seed $seed >/dev/null &&
  $PY -c "import numpy as np; np.random.seed($seed); np.save('$T/x.npy', np.random.randn(5, 1, 28, 28).astype(np.float32))" &&
  "$H" run "$T/m.hant" --input "$T/x.npy" --output "$T/y.npy" &&
  out=$($PY bench/hant_torch.py "$T/m.hant" "$T/x.npy" "$T/y.npy") && { ok; echo "  $out"; } || bad "seed $seed: $out"
done
finish
