#!/bin/sh
# Phase-1 distillation step, side by side in one run (issue 6): hant's
# bench_distill against bench_torch.py distill-step (PyTorch eager and
# channels_last), same op, batch and threads, ROUNDS alternating rounds.
# The table gives the median of the per-round medians and hant's speed-up.
# Usage: bench/bench_distill.sh [THREADS] [ROUNDS] [BATCH]
set -e
T=${1:-2}; R=${2:-3}; B=${3:-256}
BIN=${BENCH_DISTILL:-build/cc-native/bench_distill}
[ -x "$BIN" ] || { echo "build $BIN first (make bench-distill)"; exit 1; }
PY=/usr/bin/python3
[ -x build/venv/bin/python ] && PY=build/venv/bin/python
$PY -c 'import torch' 2>/dev/null || { echo "PyTorch missing: run 'sudo apt-get install -y python3-torch'"; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), flags: $(grep -o 'avx512f\|avx2\|fma\|avx512_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "threads $T, batch $B, rounds $R, $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg), cc $(cc --version | head -1)"
for r in $(seq "$R"); do
  "$BIN" "$T" "$B" 3000 >>"$out"
  $PY bench/bench_torch.py distill-step --batch "$B" --threads "$T" --steps 30 --mode all 2>/dev/null >>"$out"
done
$PY - "$out" <<'PYEOF'
import json, sys, statistics
rows, par = {}, []
for line in open(sys.argv[1]):
    try: j = json.loads(line)
    except ValueError: continue
    key = j["framework"] + ("" if j["framework"] == "hant" else " " + j.get("mode", "eager"))
    rows.setdefault(j["what"], {}).setdefault(key, []).append(j["median_ms"])
    batch = j["batch"]
    if j["what"] == "distill-parallel": par.append(j["images_per_s"])
print("| what | hant ms | hant images/s | PyTorch eager ms | channels_last ms | hant vs best PyTorch |")
print("|---|---:|---:|---:|---:|---:|")
for what in ("distill-student-step", "distill-step"):
    r = rows.get(what, {})
    h = statistics.median(r["hant"]); e = statistics.median(r["pytorch eager"]); c = statistics.median(r["pytorch channels_last"])
    print(f"| {what} | {h:.2f} | {batch * 1000 / h:.0f} | {e:.2f} | {c:.2f} | {min(e, c) / h:.2f}x |")
if par:
    print(f"\nhant distill-parallel ({len(par)} rounds): one candidate per one-thread context, all threads busy: "
          f"{statistics.median(par):.0f} images/s summed over the candidates, {statistics.median(par) / (batch * 1000 / statistics.median(rows['distill-student-step']['hant'])):.2f}x one candidate on all threads")
PYEOF
