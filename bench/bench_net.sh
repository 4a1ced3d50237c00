#!/bin/sh
# Inference side by side: hant vs PyTorch (Debian python3-torch) on the
# reference networks (shared/spec/networks.md), same batch and threads, in one
# run. Each side runs ROUNDS times, alternating, and the table shows the median
# of the per-round medians. Usage: bench/bench_net.sh [THREADS] [ROUNDS]
set -e
T=${1:-2}; R=${2:-3}
H=${HANT:-./hant}
PY=/usr/bin/python3
[ -x "$H" ] || { echo "build ./hant first (make)"; exit 1; }
$PY -c 'import torch' 2>/dev/null || { echo "PyTorch missing: run 'sudo apt-get install -y python3-torch'"; exit 1; }
med() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'); threads $T; rounds $R; $(date -u +%Y-%m-%d)"
echo "torch $($PY -c 'import torch; print(torch.__version__)'); hant isa $($H bench b0-fm --reps 1 --warmup 0 | sed -n 's/.*isa \([a-z0-9]*\).*/\1/p')"
echo
echo "| network | batch | hant ms | PyTorch ms | speed-up |"
echo "|---|---|---|---|---|"
for cfg in "b0-fm 1 200" "b0-fm 256 5" "b0-224 1 30"; do
  set -- $cfg; net=$1; b=$2; reps=$3
  hs=""; ts=""
  for r in $(seq "$R"); do
    hs="$hs $($H bench "$net" --batch "$b" --threads "$T" --reps "$reps" | sed -n 's/^latency_ms_median //p')"
    ts="$ts $($PY bench/torch_b0.py "$net" "$b" "$T" "$reps" | sed -n 's/.*latency_ms_median \([0-9.]*\).*/\1/p')"
  done
  hm=$(echo $hs | tr ' ' '\n' | med); tm=$(echo $ts | tr ' ' '\n' | med)
  echo "| $net | $b | $hm | $tm | $(echo "$tm $hm" | awk '{printf "%.2fx", $1/$2}') |"
done
