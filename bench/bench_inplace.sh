#!/bin/sh
# Issue 16: the latency model with and without per-candidate in-place
# corrections, on the same timings. For every batch B and thread count T:
#  1. DIR/lut-bB-tT.tsv: the demo's pool profiled, N networks (--seed 1)
#     timed, the model fitted (as bench_validate.sh); copied to
#     DIR/lut-bB-tT-plain.tsv;
#  2. the same table --inplace: every candidate timed in place (the teacher
#     with that block swapped in, against the teacher), the same N networks
#     timed again, the model fitted with the corrections (2 folds, and the same
#     folds without them, in LUT.validate);
#  3. for every seed in SEEDS: the stored model with corrections scored on N
#     new networks, the plain table's stored model on the same timings
#     (--compare).
# HANT_RT=1: SCHED_FIFO (hant --realtime).
#
#   sh bench/bench_inplace.sh [N [BATCHES [THREADS [DIR [SEEDS]]]]]
set -eu
N=${1:-50}; BATCHES=${2:-1}; THREADS=${3:-1 2}; DIR=${4:-build/inplace}; SEEDS=${5:-2 3 4}
H=${HANT:-./hant}; TEACHER=${TEACHER:-models/teacher-b0-fm.hant}; POOL=${POOL:-quick+q8+tiled}
RT=""
[ "${HANT_RT:-0}" = 1 ] && RT="--realtime"
[ -x "$H" ] || { echo "bench_inplace: $H not found (make hant)" >&2; exit 1; }
mkdir -p "$DIR"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), pool $POOL, $N networks${RT:+, SCHED_FIFO}; load $(cut -d' ' -f1-3 /proc/loadavg)"
for b in $BATCHES; do
  for t in $THREADS; do
    lut="$DIR/lut-b$b-t$t.tsv"
    reps=15; [ "$b" -ge 8 ] && reps=5   # fastest of 5 runs of a batch: each run is long
    s0=$(date +%s)
    $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --reps $reps --quiet --validate "$N" --seed 1
    cp "$lut" "$DIR/lut-b$b-t$t-plain.tsv"
    s1=$(date +%s)
    $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --reps $reps --quiet --validate "$N" --seed 1 --inplace --no-check
    s2=$(date +%s)
    echo "b=$b t=$t profile+validate $((s1 - s0)) s, in place+validate $((s2 - s1)) s; fitted, out of sample, load $(cut -d' ' -f1-3 /proc/loadavg):"
    grep '^# sum of\|^# in place\|^# model' "$lut.validate"
    for s in $SEEDS; do
      $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --reps $reps --quiet --validate "$N" --seed "$s" --score-only --no-check \
         --compare "$DIR/lut-b$b-t$t-plain.tsv"
      cp "$lut.score" "$lut.score$s"
      echo "b=$b t=$t seed $s: stored models on $N new networks, load $(cut -d' ' -f1-3 /proc/loadavg):"; grep '^# sum of\|^# compare' "$lut.score"
    done
  done
done
