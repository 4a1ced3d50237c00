#!/bin/sh
# Issue 16: the demo's students part by part against the table (bench/bench_parts16.c),
# built on a copy of hant.h with a clock (and a dispatch count) around every step of
# the inference loop.   HANT_RT=1 [SIMD=avx2] sh bench/bench_parts16.sh LUT THREADS ROUNDS REPS NET.hant...
set -eu
SIMD=${SIMD:-native}; D=build/parts16-$SIMD; mkdir -p "$D"
python3 - "$D/hant_inside.h" <<'PY'
import sys
s = open('hant.h').read()
old = """        if (!e->training) {
            i = hant__exec_infer_op(net, e, i, n);
            continue;
        }"""
new = """        if (!e->training) {
            struct timespec q0, q1; int bk = net->ops[i].block; uint64_t d0 = ctx->dispatches;
            if (bk < 0 && i > 0 && net->ops[i - 1].block >= 0) hant__exp_head = 1;
            if (bk < 0 && i == 0) hant__exp_head = 0;
            bk = bk < 0 ? (hant__exp_head ? net->arch.num_blocks : -1) : bk;
            if (hant__exp_on) clock_gettime(CLOCK_MONOTONIC, &q0);
            i = hant__exec_infer_op(net, e, i, n);
            if (hant__exp_on) { clock_gettime(CLOCK_MONOTONIC, &q1); hant__exp_t[bk + 1] += (q1.tv_sec - q0.tv_sec) * 1e3 + (q1.tv_nsec - q0.tv_nsec) * 1e-6; hant__exp_d[bk + 1] += (int)(ctx->dispatches - d0); }
            continue;
        }"""
anchor = "static void hant__exec_forward(hant_net *net, hant__exec *e, int n) {"
assert s.count(old) == 1 and s.count(anchor) == 1, "hant.h changed: update bench/bench_parts16.sh"
s = s.replace(old, new).replace(anchor, "int hant__exp_on, hant__exp_head; double hant__exp_t[64]; int hant__exp_d[64];\n" + anchor)
open(sys.argv[1], 'w').write(s)
PY
A="-march=native"; [ "$SIMD" = avx2 ] && A="-march=haswell"
${CC:-gcc} -O2 $A -Wall -Wextra -I"$D" -o "$D/bench_parts16" bench/bench_parts16.c -lm -lpthread
RT=""; [ "${HANT_RT:-0}" = 1 ] && RT="chrt -f 50"
$RT "$D/bench_parts16" "$@"
