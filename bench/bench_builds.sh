#!/bin/sh
# Two hant builds on the same networks, nothing else: ROUNDS interleaved
# rounds of `hant bench` (BASE first, then NEW, under SCHED_FIFO where
# allowed), and per network the median of the per-round ratios base / new
# (above 1: NEW is faster) with its range. For a change that only one build
# has (a compile-time switch, the previous commit), where bench_export.sh's
# HANT_BASE would also time onnxruntime and OpenVINO every round.
#   BASE=/tmp/hant-old [NEW=build/cc-native/hant] sh bench/bench_builds.sh ROUNDS BATCH THREADS MODEL...
# MODEL: a .hant file or a built-in arch (hant import turns an ONNX file into a .hant).
set -e
R=${1:?ROUNDS}; B=${2:?BATCH}; T=${3:?THREADS}; shift 3
[ $# -gt 0 ] || { echo "usage: BASE=hant [NEW=hant] sh bench/bench_builds.sh ROUNDS BATCH THREADS MODEL..."; exit 2; }
OLD=${BASE:?BASE: the other hant build}; NEW=${NEW:-build/cc-native/hant}
RT=; chrt -f 50 true 2>/dev/null && RT="chrt -f 50"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'); batch $B, threads $T, rounds $R, $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)${RT:+, SCHED_FIFO}"
echo "base $OLD, new $NEW"
for m in "$@"; do
  rs=
  for r in $(seq "$R"); do
    a=$($RT "$OLD" bench "$m" --batch "$B" --threads "$T" --reps 15 --warmup 3 | sed -n 's/^latency_ms_median //p')
    b=$($RT "$NEW" bench "$m" --batch "$B" --threads "$T" --reps 15 --warmup 3 | sed -n 's/^latency_ms_median //p')
    rs="$rs $a/$b"
  done
  echo "$rs" | tr ' ' '\n' | awk -F/ -v m="$m" 'NF == 2 { n++; a[n] = $1; b[n] = $2; q[n] = $1 / $2 }
    function med(v, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
                                     return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }
    END { lo = hi = q[1]; for (i = 1; i <= n; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
          ma = med(a, n); mb = med(b, n); mq = med(q, n)
          printf "%s: base %.3f ms, new %.3f ms (medians of %d rounds); base / new per round %.3f (%.3f-%.3f)\n", m, ma, mb, n, mq, lo, hi }'
done
