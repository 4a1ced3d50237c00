#!/bin/sh
# Issue 16's validation grid: for every batch B in BATCHES and thread count T
# in THREADS, the demo's pool is profiled into DIR/lut-bB-tT.tsv, N networks
# from it (half uniform, a quarter skewed toward cheap candidates, a quarter
# near the teacher) are timed end to end and the latency model is fitted and
# scored out of sample (2 folds), then the stored model is scored, not
# refitted, on N new networks (another seed).
# MODE=repeat (the same tables later, without profiling again): only the
# stored model on N new networks, after 'hant profile --check' says whether
# the table has drifted. HANT_RT=1: SCHED_FIFO (hant --realtime).
#
#   sh bench/bench_validate.sh [N [BATCHES [THREADS [DIR]]]]     e.g.  sh bench/bench_validate.sh 50 "1 32" "1 2"
set -eu
N=${1:-50}; BATCHES=${2:-1 32}; THREADS=${3:-1 2}; DIR=${4:-build/validate}
H=${HANT:-./hant}; TEACHER=${TEACHER:-models/teacher-b0-fm.hant}; POOL=${POOL:-quick+q8+tiled}; MODE=${MODE:-fresh}
RT=""
[ "${HANT_RT:-0}" = 1 ] && RT="--realtime"
[ -x "$H" ] || { echo "bench_validate: $H not found (make hant)" >&2; exit 1; }
mkdir -p "$DIR"
# a validation that found the table drifted (3), or the machine changing under it or a worker off its
# core (4), has said so and written its figures: recorded with that verdict, the grid goes on; anything
# else stops it
validated() {
  set +e; "$@"; c=$?; set -e
  case "$c" in 0|3|4) ;; *) exit 1;; esac
  [ "$c" = 0 ] || echo "(exit $c: $([ "$c" = 3 ] && echo 'the table drifted' || echo 'unreliable: the machine changed while it ran or a worker was off its core'); figures kept as reported)"
}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), pool $POOL, $N networks, mode $MODE${RT:+, SCHED_FIFO}; load $(cut -d' ' -f1-3 /proc/loadavg)"
for b in $BATCHES; do
  for t in $THREADS; do
    lut="$DIR/lut-b$b-t$t.tsv"
    reps=15; [ "$b" -ge 8 ] && reps=5   # fastest of 5 runs of a batch: each run is long
    if [ "$MODE" = repeat ]; then
      set +e; $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --reps $reps --check; c=$?; set -e
      [ $c -le 3 ] || exit 1
      echo "b=$b t=$t check exit $c (3: drifted)"
    else
      validated $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --reps $reps --quiet --validate "$N" --seed 1
      echo "b=$b t=$t fitted, out of sample:"; grep '^# sum of\|^# out of' "$lut.validate"
    fi
    validated $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --reps $reps --quiet --validate "$N" --seed 2 --score-only --no-check
    echo "b=$b t=$t the stored model on $N new networks, load $(cut -d' ' -f1-3 /proc/loadavg):"; grep '^# sum of\|^# out of' "$lut.score"
  done
done
