#!/bin/sh
# Side by side, in one run: hant against PyTorch (Debian python3-torch; eager
# and its fastest mode), onnxruntime and OpenVINO (bench/setup_venv.sh) on
# the reference networks of docs/networks.md, same batch and threads.
# Each side runs ROUNDS times, alternating; the table shows the median of the
# per-round medians and the speed-up of hant over each.
# Usage: bench/bench_net.sh [THREADS] [ROUNDS]
# ISA=avx2: hant's AVX2 build (build/cc-avx2/hant) against PyTorch and OpenVINO capped to
# AVX2 (ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2); onnxruntime cannot be capped.
set -e
T=${1:-2}; R=${2:-3}
if [ "${ISA:-native}" = avx2 ]; then
  H=${HANT:-build/cc-avx2/hant}; export ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2
else H=${HANT:-./hant}; fi
[ -x "$H" ] || { echo "build ./hant first (make)"; exit 1; }
PY=build/venv/bin/python; FW=all
[ -x $PY ] || { PY=/usr/bin/python3; FW=pytorch; echo "note: no build/venv (sh bench/setup_venv.sh): PyTorch only"; }
$PY -c 'import torch' 2>/dev/null || { echo "PyTorch missing: run 'sudo apt-get install -y python3-torch'"; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), flags: $(grep -o 'avx512f\|avx2\|fma\|avx512_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "threads $T, rounds $R, $(date -u +%Y-%m-%d), hant isa $($H bench b0-fm --reps 1 --warmup 0 | sed -n 's/.* isa \([a-z0-9]*\).*/\1/p'), cc $(cc --version | head -1)"
for cfg in "infer b0-fm 1" "infer b0-fm 256" "infer b0-224 1" "train b0-fm 128"; do
  set -- $cfg; what=$1; net=$2; b=$3
  for r in $(seq "$R"); do
    if [ $what = infer ]; then
      ms=$($H bench "$net" --batch "$b" --threads "$T" | sed -n 's/^latency_ms_median //p')
      $PY bench/bench_torch.py infer --net "$net" --batch "$b" --threads "$T" --framework $FW --mode best --target-s 2 2>/dev/null >>"$out" || true
    else
      ms=$($H bench "$net" --train --batch "$b" --threads "$T" --reps 8 --warmup 2 | sed -n 's/^latency_ms_median //p')
      $PY bench/bench_torch.py train --net "$net" --batch "$b" --threads "$T" --mode best --steps 8 2>/dev/null >>"$out" || true
    fi
    echo "{\"framework\": \"hant\", \"network\": \"$net\", \"what\": \"$what\", \"batch\": $b, \"median_ms\": $ms}" >>"$out"
  done
done
$PY - "$out" <<'PYEOF'
import json, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    try: j = json.loads(line)
    except ValueError: continue
    if "median_ms" not in j: continue
    what = "train" if "train" in j.get("what", "") else "infer"
    fw = j["framework"] + ("" if j["framework"] != "pytorch" else " " + j.get("mode", "eager"))
    rows.setdefault((what, j["network"], j["batch"]), {}).setdefault(fw, []).append(j["median_ms"])
for (what, net, b), fws in rows.items():
    h = statistics.median(fws.pop("hant"))
    print(f"\n{what} {net} batch {b}: hant {h:.3f} ms ({b * 1000 / h:.0f} images/s)")
    print("| other | ms | hant speed-up |\n|---|---|---|")
    for fw, v in sorted(fws.items()):
        m = statistics.median(v)
        print(f"| {fw} | {m:.3f} | {m / h:.2f}x |")
PYEOF
