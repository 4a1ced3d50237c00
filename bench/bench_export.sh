#!/bin/sh
# hant against onnxruntime and OpenVINO on the SAME network: hant export
# writes the ONNX file that both run (bench/bench_onnx.py). Batch 1, T threads,
# ROUNDS interleaved rounds of hant bench / onnxruntime / OpenVINO; the table
# gives the median of the per-round medians, the spread (min-max of the round
# medians), hant's speed-up as the ratio of those medians, and the median (min-max) of
# the per-round ratios, each against hant's run of the same round (slow drift cancels), and
# a row with each round's faster of the others (onnxruntime left out under ISA=avx2: not capped).
# Also checks onnxruntime's logits against hant's.
# Usage: bench/bench_export.sh [THREADS] [ROUNDS] [BATCH]   (needs build/venv: sh bench/setup_venv.sh)
# NETS="a.hant b.onnx ...": the networks (default: the b0-fm teacher and b0-224); a .hant is
# exported first, a .onnx is run as it is by all three (hant reads it directly).
# REALTIME=1: every side times under SCHED_FIFO at the same priority (hant --realtime, chrt -f 2 for
# Python), the same shield against other processes for all three (root only).
# HANT_BASE=path: a second hant binary (e.g. the previous commit's) timed in the
# same rounds, row "hant-base": before and after side by side.
# ISA=avx2: the AVX2 comparison on an AVX-512 CPU. hant defaults to the AVX2 build
# (build/cc-avx2/hant, make SIMD=avx2); OpenVINO (and PyTorch) get ONEDNN_MAX_CPU_ISA=AVX2,
# and OpenVINO's row names the ISA its convolutions actually run. onnxruntime's MLAS picks
# its kernels from CPUID and cannot be capped: its row stays AVX-512 (marked so).
# PEAK=path (default build/cc-ISA/bench_layers, make bench): the FMA peak of hant's ISA on T threads,
# timed in every round; the last line puts hant's time and the goal (1.3x each round's faster other)
# against it, in direct multiply-adds: a goal above 100% of the peak is beyond this machine.
set -e
T=${1:-2}; R=${2:-5}; B=${3:-1}
ISA=${ISA:-native}
case "$ISA" in
  native) H=${HANT:-./hant};;
  avx2) H=${HANT:-build/cc-avx2/hant}; export ONEDNN_MAX_CPU_ISA=AVX2;;
  *) echo "ISA must be native or avx2"; exit 1;;
esac
HB="$H"; RT=; RTF=
if [ "${REALTIME:-0}" = 1 ]; then HB="$H --realtime"; RT="chrt -f 2"; RTF=--realtime; fi
PY=${ORT_PY:-build/venv/bin/python}
[ -x "$H" ] || { echo "build ./hant first (make)"; exit 1; }
PEAK=${PEAK:-build/cc-$ISA/bench_layers}
[ -x "$PEAK" ] || { echo "note: no $PEAK (make bench): no FMA peak line"; PEAK=; }
# the frameworks $PY has; a missing one is said and skipped (onnxruntime is needed for the check)
FWS=; for fw in onnxruntime openvino; do $PY -c "import $fw" 2>/dev/null && FWS="$FWS $fw" || echo "note: no $fw in $PY (sh bench/setup_venv.sh): its rows are skipped"; done
case "$FWS" in *onnxruntime*) ;; *) echo "no onnxruntime in $PY: sh bench/setup_venv.sh"; exit 1;; esac
[ -z "$RT" ] || chrt -f 2 true 2>/dev/null || { echo "note: SCHED_FIFO refused here: every side times at normal priority"; RT=; RTF=; HB="$H"; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'); ISA $ISA (hant $($H bench b0-fm --reps 1 --warmup 0 | sed -n 's/.* isa \([a-z0-9_]*\).*/\1/p')${ONEDNN_MAX_CPU_ISA:+, ONEDNN_MAX_CPU_ISA=$ONEDNN_MAX_CPU_ISA}); threads $T, batch $B, rounds $R, $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)${RT:+, SCHED_FIFO}"
$H new b0-224 -o "$W/b0-224.hant" --seed 1 >/dev/null
for net in ${NETS:-models/teacher-b0-fm.hant $W/b0-224.hant}; do
  case "$net" in
    *.onnx) name=$(basename "$(dirname "$net")")-$(basename "$net" .onnx); cp "$net" "$W/$name.onnx";;
    *) name=$(basename "$net" .hant); $H export "$net" -o "$W/$name.onnx" >/dev/null;;
  esac
  # accuracy: onnxruntime against hant run on 4 random normalised images
  $PY -c "import numpy as np, onnxruntime as o; s = o.InferenceSession('$W/$name.onnx'); i = s.get_inputs()[0]
np.save('$W/x.npy', np.random.RandomState(2).randn(4, *i.shape[1:]).astype(np.float32))"
  $H run "$net" --input "$W/x.npy" --output "$W/y.npy" --threads "$T" >/dev/null
  echo "$name: $($PY tests/ort_check.py compare "$W/$name.onnx" "$W/x.npy" "$W/y.npy" | tail -1)"
  : > "$W/rows"
  MACS=$($H info "$net" | sed -n 's/^total .* \([0-9]*\) multiply-adds per image$/\1/p')
  for r in $(seq "$R"); do
    [ -z "$PEAK" ] || echo "{\"framework\": \"peak\", \"median_ms\": $($RT $PEAK --peak-only --threads "$T" | sed -n 's/.*fma_peak_gflops //p')}" >> "$W/rows"
    ms=$($HB bench "$net" --batch "$B" --threads "$T" | sed -n 's/^latency_ms_median //p')
    echo "{\"framework\": \"hant\", \"median_ms\": $ms}" >> "$W/rows"
    if [ -n "$HANT_BASE" ]; then
      ms=$($HANT_BASE $RTF bench "$net" --batch "$B" --threads "$T" | sed -n 's/^latency_ms_median //p')
      echo "{\"framework\": \"hant-base\", \"median_ms\": $ms}" >> "$W/rows"
    fi
    for fw in $FWS; do $RT $PY bench/bench_onnx.py "$W/$name.onnx" --framework $fw --batch "$B" --threads "$T" --target-s 2 >> "$W/rows"; done
  done
  ISA=$ISA MACS=$MACS B=$B $PY - "$W/rows" "$name" <<'PYEOF'
import json, os, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    j = json.loads(line)
    k = j["framework"] + (" " + j["version"] if "version" in j else "")
    if "isa" in j: k += " (" + j["isa"] + ")"
    if j["framework"] == "onnxruntime" and os.environ.get("ISA") == "avx2": k += " (MLAS: avx512, not capped)"
    rows.setdefault(k, []).append(j["median_ms"])
peak = rows.pop("peak", [])
hv = rows["hant"]; h = statistics.median(hv)
def row(k, v, paired):
    # paired: each round's ratio against hant's run in the same round (drift between rounds cancels)
    m = statistics.median(v); pr = [o / x for o, x in zip(v, hv)] if paired and len(v) == len(hv) else []
    pc = f"{statistics.median(pr):.2f}x ({min(pr):.2f}-{max(pr):.2f})" if pr else ""
    print(f"| | {k} | {m:.3f} ({min(v):.3f}-{max(v):.3f}) | {m / h:.2f}x | {pc} |")
print(f"| {sys.argv[2]} | framework | median ms (min-max of {len(hv)} rounds) | hant speed-up | per round (min-max) |\n|---|---|---|---|---|")
for k, v in rows.items(): row(k, v, k != "hant")
# the goal's comparison: each round's faster of the other frameworks
others = [v for k, v in rows.items() if k != "hant" and not k.startswith("hant-") and "not capped" not in k and len(v) == len(hv)]
faster = [min(r) for r in zip(*others)] if others else []
if len(others) > 1: row("the faster of the others", faster, True)
# direct multiply-adds over each round's measured FMA peak: hant's share, and the share the goal asks for
macs = float(os.environ.get("MACS") or 0) * int(os.environ["B"])
if peak and macs and len(peak) == len(hv) and faster:
    pct = lambda ms: [200 * macs / (t * 1e6) / p for t, p in zip(ms, peak)]
    goal = pct([f / 1.3 for f in faster])
    fmt = lambda v: f"{statistics.median(v):.0f}% ({min(v):.0f}-{max(v):.0f})"
    print(f"FMA peak {statistics.median(peak):.1f} GFLOP/s ({min(peak):.1f}-{max(peak):.1f}), {macs / 1e6:.0f} M multiply-adds a run: "
          f"hant at {fmt(pct(hv))} of it; 1.3x the faster other needs {fmt(goal)}")
PYEOF
done
