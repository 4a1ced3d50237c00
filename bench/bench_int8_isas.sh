#!/bin/sh
# int8 against fp32 on the AVX2 and the AVX-512 build, side by side in one run
# (issue 18): bench_int8 (every b0-224 1x1 and depthwise shape) and
# bench_q8blocks (every MBConv block of b0-fm and b0-224), the two builds
# alternating for OUTER rounds; each binary itself times fp32 and int8 in
# interleaved rounds (ROUNDS) and prints medians.
#
#   sh bench/bench_int8_isas.sh [OUTER [THREADS [ROUNDS]]]
#   REALTIME=1    each binary under SCHED_FIFO (chrt -f 50)
#   BASE=DIR      DIR/bench_int8-{avx2,native} and DIR/bench_q8blocks-{avx2,native},
#                 built from an earlier commit, run in the same rounds
set -e
OUTER=${1:-3}; THREADS=${2:-2}; ROUNDS=${3:-11}
CC=${CC:-cc}
make --no-print-directory -s build/$CC-avx2/bench_int8 build/$CC-avx2/bench_q8blocks SIMD=avx2 CC=$CC
make --no-print-directory -s build/$CC-native/bench_int8 build/$CC-native/bench_q8blocks SIMD=native CC=$CC
RT=""; [ "${REALTIME:-0}" = 1 ] && RT="chrt -f 50"
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); load: $(uptime | sed 's/.*load average: //')"
for r in $(seq 1 "$OUTER"); do
  for isa in avx2 native; do
    for b in bench_int8 bench_q8blocks; do
      for v in new base; do
        if [ $v = new ]; then bin=build/$CC-$isa/$b; else [ -n "${BASE:-}" ] || continue; bin=$BASE/$b-$isa; fi
        echo "## round $r, $isa, $b, $v (load $(uptime | sed 's/.*load average: //'))"
        $RT "$bin" "$THREADS" "$ROUNDS"
      done
    done
  done
done
