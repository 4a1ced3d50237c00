#!/bin/sh
# Issue 16: where a 2-thread batch-1 network spends more than the sum of its
# parts. Builds bench/bench_inside.c with a clock around every op of the
# inference loop (bench/bench_op_clock.h, per block), then, for every network
# of a `hant profile --validate` file, times the network and each of its
# blocks alone (median of REPS runs after 5 warm-up runs, same minute) and
# prints per-part rows and a summary (bench/bench_inside.py).
#
#   HANT_RT=1 [SIMD=avx2] sh bench/bench_inside.sh LUT.validate [THREADS [REPS [POOL [NET...]]]] > OUT.tsv
set -eu
V=${1:?a hant profile --validate file}; T=${2:-2}; R=${3:-21}; POOL=${POOL:-${4:-quick+q8+tiled}}
TEACHER=${TEACHER:-models/teacher-b0-fm.hant}; SIMD=${SIMD:-native}
D=build/inside-$SIMD; mkdir -p "$D"
A="-march=native"; [ "$SIMD" = avx2 ] && A="-march=haswell"
[ "$D/bench_inside" -nt bench/bench_inside.c ] && [ "$D/bench_inside" -nt bench/bench_inside_common.h ] && [ "$D/bench_inside" -nt bench/bench_op_clock.h ] && [ "$D/bench_inside" -nt hant.h ] ||
  ${CC:-gcc} -O2 $A -Wall -Wextra -I. -o "$D/bench_inside" bench/bench_inside.c -lm -lpthread
RT=""; [ "${HANT_RT:-0}" = 1 ] && RT="chrt -f 50"
shift 4 2>/dev/null || shift $#
$RT "$D/bench_inside" "$TEACHER" "$V" "$T" "$R" "$POOL" "$@" > "$D/inside.tsv"
cat "$D/inside.tsv"
python3 bench/bench_inside.py "$D/inside.tsv" >&2
