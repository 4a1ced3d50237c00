#!/bin/sh
# Issue 16: the demo's students part by part against the table (bench/bench_parts16.c),
# with a clock (and a dispatch count) around every step of the inference loop
# (bench/bench_op_clock.h).   HANT_RT=1 [SIMD=avx2] sh bench/bench_parts16.sh LUT THREADS ROUNDS REPS NET.hant...
set -eu
SIMD=${SIMD:-native}; D=build/parts16-$SIMD; mkdir -p "$D"
A="-march=native"; [ "$SIMD" = avx2 ] && A="-march=haswell"
${CC:-gcc} -O2 $A -Wall -Wextra -I. -o "$D/bench_parts16" bench/bench_parts16.c -lm -lpthread
RT=""; [ "${HANT_RT:-0}" = 1 ] && RT="chrt -f 50"
$RT "$D/bench_parts16" "$@"
