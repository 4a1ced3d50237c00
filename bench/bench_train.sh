#!/bin/sh
# Training step and phase-1 candidate step side by side (issue 18 item 4):
# hant's AVX-512 (native) and AVX2 builds, optionally a base tree's two
# builds (BASE=dir holding build/cc-native and build/cc-avx2), and PyTorch's
# best mode as it runs by default and with oneDNN capped at AVX2
# (DNNL_MAX_CPU_ISA=AVX2, and ATen's own kernels: ATEN_CPU_CAPABILITY=avx2), all in each of ROUNDS interleaved rounds.
# REALTIME=1 runs every process under chrt -f 50 (SCHED_FIFO).
# Usage: [BASE=dir] [REALTIME=1] sh bench/bench_train.sh [THREADS] [ROUNDS] [BATCH] [DISTILL_BATCH]
set -e
T=${1:-2}; R=${2:-3}; B=${3:-128}; DB=${4:-256}
RT=; [ "${REALTIME:-0}" = 1 ] && RT="chrt -f 50"
PY=/usr/bin/python3
out=$(mktemp); trap 'rm -f "$out"' EXIT
# On a CPU without AVX-512 the native build is the AVX2 build and PyTorch runs AVX2 uncapped: one
# side and one PyTorch run each (SIDES / CAPS override: "new:build/cc-native ...", "default avx2")
if grep -q avx512f /proc/cpuinfo; then
  sides="new:build/cc-native new-avx2:build/cc-avx2"; caps="default avx2"
  [ -n "$BASE" ] && sides="$sides base:$BASE/build/cc-native base-avx2:$BASE/build/cc-avx2"
else
  sides="new:build/cc-native"; caps=default
  [ -n "$BASE" ] && sides="$sides base:$BASE/build/cc-native"
fi
sides=${SIDES:-$sides}; caps=${CAPS:-$caps}
for s in $sides; do d=${s#*:}; [ -x "$d/hant" ] && [ -x "$d/bench_distill" ] || { echo "missing $d/hant or $d/bench_distill"; exit 1; }; done
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), flags: $(grep -o 'avx512f\|avx2\|fma\|avx512_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "threads $T, batch $B (train) / $DB (distill), rounds $R, $(date -u '+%Y-%m-%d %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), cc $(cc --version | head -1), realtime ${REALTIME:-0}"
for r in $(seq "$R"); do
  for s in $sides; do
    n=${s%%:*}; d=${s#*:}
    ms=$($RT "$d/hant" bench b0-fm --train --batch "$B" --threads "$T" --reps 8 --warmup 2 | sed -n 's/^latency_ms_median //p')
    echo "train $n $ms" >>"$out"
    ms=$($RT "$d/bench_distill" "$T" "$DB" 2000 | sed -n 's/.*"what": "distill-student-step".*"median_ms": \([0-9.]*\).*/\1/p')
    echo "distill $n $ms" >>"$out"
  done
  for cap in $caps; do
    env=; [ $cap = avx2 ] && env="DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2"
    env $env $RT $PY bench/bench_torch.py train --net b0-fm --batch "$B" --threads "$T" --mode best --steps 8 2>/dev/null |
      $PY -c 'import sys, json
for l in sys.stdin:
    j = json.loads(l)
    print("train torch-%s-%s %.4f" % (sys.argv[1], j["mode"], j["median_ms"]))' $cap >>"$out"
    env $env $RT $PY bench/bench_torch.py distill-step --batch "$DB" --threads "$T" --steps 30 --mode all 2>/dev/null |
      $PY -c 'import sys, json
for l in sys.stdin:
    j = json.loads(l)
    if j["what"] == "distill-student-step": print("distill torch-%s-%s %.4f" % (sys.argv[1], j.get("mode", "eager"), j["median_ms"]))' $cap >>"$out"
  done
  echo "round $r done: $(cut -d' ' -f1-3 /proc/loadavg)"
done
$PY - "$out" <<'PYEOF'
import sys, statistics
v = {}
for line in open(sys.argv[1]):
    what, side, ms = line.split()
    v.setdefault(what, {}).setdefault(side, []).append(float(ms))
for what in ("train", "distill"):
    d = v.get(what, {})
    print(f"\n{what}: ms per step, median of rounds (min-max)")
    for side, ms in sorted(d.items()):
        print(f"  {side:28s} {statistics.median(ms):9.2f} ({min(ms):.2f}-{max(ms):.2f})")
    def best(cap):
        ks = [k for k in d if k.startswith(f"torch-{cap}-")]
        if not ks: return None, None
        # per round: the faster mode of that round
        per = [min(d[k][i] for k in ks) for i in range(min(len(d[k]) for k in ks))]
        return statistics.median(per), per
    for cap in ("default", "avx2"):
        bm, per = best(cap)
        if bm is None: continue
        for side in [s for s in d if not s.startswith("torch")]:
            rs = [p / h for p, h in zip(per, d[side])]
            print(f"  {side} vs PyTorch best ({cap}): {bm / statistics.median(d[side]):.2f}x (per round {min(rs):.2f}-{max(rs):.2f})")
PYEOF
