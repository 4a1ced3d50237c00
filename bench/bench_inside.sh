#!/bin/sh
# Issue 16: where a 2-thread batch-1 network spends more than the sum of its
# parts. Builds bench/bench_inside.c against a copy of hant.h with a clock
# around every op of the inference loop (per block), then, for every network
# of a `hant profile --validate` file, times the network and each of its
# blocks alone (median of REPS runs after 5 warm-up runs, same minute) and
# prints per-part rows and a summary (bench/bench_inside.py).
#
#   HANT_RT=1 [SIMD=avx2] sh bench/bench_inside.sh LUT.validate [THREADS [REPS [POOL [NET...]]]] > OUT.tsv
set -eu
V=${1:?a hant profile --validate file}; T=${2:-2}; R=${3:-21}; POOL=${POOL:-${4:-quick+q8+tiled}}
TEACHER=${TEACHER:-models/teacher-b0-fm.hant}; SIMD=${SIMD:-native}
D=build/inside-$SIMD; mkdir -p "$D"
python3 - "$D/hant_inside.h" <<'PY'
import sys
s = open('hant.h').read()
old = """        if (!e->training) {
            i = hant__exec_infer_op(net, e, i, n);
            continue;
        }"""
new = """        if (!e->training) {
            struct timespec q0, q1; int bk = net->ops[i].block;
            if (hant__exp_on) clock_gettime(CLOCK_MONOTONIC, &q0);
            i = hant__exec_infer_op(net, e, i, n);
            if (hant__exp_on) { clock_gettime(CLOCK_MONOTONIC, &q1); hant__exp_t[bk + 1] += (q1.tv_sec - q0.tv_sec) * 1e3 + (q1.tv_nsec - q0.tv_nsec) * 1e-6; }
            continue;
        }"""
anchor = "static void hant__exec_forward(hant_net *net, hant__exec *e, int n) {"
assert s.count(old) == 1 and s.count(anchor) == 1, "hant.h changed: update bench/bench_inside.sh"
s = s.replace(old, new).replace(anchor, "int hant__exp_on; double hant__exp_t[64];\n" + anchor)
open(sys.argv[1], 'w').write(s)
PY
A="-march=native"; [ "$SIMD" = avx2 ] && A="-march=haswell"
[ "$D/bench_inside" -nt bench/bench_inside.c ] && [ "$D/bench_inside" -nt bench/bench_inside_common.h ] && [ "$D/bench_inside" -nt hant.h ] ||
  ${CC:-gcc} -O2 $A -Wall -Wextra -I"$D" -o "$D/bench_inside" bench/bench_inside.c -lm -lpthread
RT=""; [ "${HANT_RT:-0}" = 1 ] && RT="chrt -f 50"
shift 4 2>/dev/null || shift $#
$RT "$D/bench_inside" "$TEACHER" "$V" "$T" "$R" "$POOL" "$@" > "$D/inside.tsv"
cat "$D/inside.tsv"
python3 bench/bench_inside.py "$D/inside.tsv" >&2
