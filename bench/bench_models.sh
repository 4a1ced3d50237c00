#!/bin/sh
# Issue 16: two latency models on the same timings. For every batch B and
# thread count T:
#  1. DIR/lut-bB-tT.tsv: the demo's pool profiled by $HANT, N networks
#     (--seed 1) timed and the model fitted by $HANT (its validation timing
#     and its model);
#  2. a copy, DIR/lut-bB-tT-base.tsv, refitted by $BASE (another hant build,
#     e.g. the last release: its validation timing and its model) on the same
#     seed's networks: the same table entries, only the model differs;
#  3. for every seed in SEEDS: N new networks timed by $HANT, both stored
#     models scored on the same timings (--score-only --compare).
# CACHE=evict: hant profile --cache evict (parts timed with the cores' L2
# evicted). FLAGS: more hant profile options for every run (e.g. --keep-late).
# HANT_RT=1: SCHED_FIFO (hant --realtime). MODE=repeat: step 3 only (the
# same tables later, after `hant profile --check`). BASE=none: no second
# build, steps 1 and 3 only (the new model alone).
#
#   BASE=build/base/hant sh bench/bench_models.sh [N [BATCHES [THREADS [DIR [SEEDS]]]]]
set -eu
N=${1:-50}; BATCHES=${2:-1 32}; THREADS=${3:-1 2}; DIR=${4:-build/models}; SEEDS=${5:-2 3}
H=${HANT:-./hant}; B=${BASE:?BASE: the other hant build}; TEACHER=${TEACHER:-models/teacher-b0-fm.hant}; POOL=${POOL:-quick+q8+tiled}
MODE=${MODE:-fresh}; CACHE=${CACHE:-warm}; FLAGS=${FLAGS:-}
RT=""
[ "${HANT_RT:-0}" = 1 ] && RT="--realtime"
[ -x "$H" ] && { [ "$B" = none ] || [ -x "$B" ]; } || { echo "bench_models: $H or $B not found" >&2; exit 1; }
mkdir -p "$DIR"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), pool $POOL, $N networks, $H against $B, mode $MODE${RT:+, SCHED_FIFO}; load $(load)"
for b in $BATCHES; do
  for t in $THREADS; do
    lut="$DIR/lut-b$b-t$t.tsv"; base="$DIR/lut-b$b-t$t-base.tsv"
    reps=15; [ "$b" -ge 8 ] && reps=5   # fastest of 5 runs of a batch: each run is long
    s0=$(date +%s)
    if [ "$MODE" = repeat ]; then
      set +e; $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --cache "$CACHE" $FLAGS --reps $reps --check > "$lut.check" 2>&1; c=$?; set -e
      [ $c -le 3 ] || { cat "$lut.check"; exit 1; }
      echo "b=$b t=$t check exit $c (3: drifted): $(grep -i 'drift\|verdict\|ratio' "$lut.check" | head -2 | tr '\n' ' ')"
    else
      # exit 3 / 4: the validation saw the table drift / the machine change while it ran (said in the log)
      set +e; $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --cache "$CACHE" $FLAGS --reps $reps --quiet --validate "$N" --seed 1 > "$lut.log" 2>&1; c=$?; set -e
      [ $c = 0 ] || [ $c = 3 ] || [ $c = 4 ] || { cat "$lut.log"; exit 1; }
      # the base build may predate the cache term (v5): its rows go, the entries stay
      if [ "$B" != none ]; then
      sed -e '1s/^# hant latency table v5$/# hant latency table v3/' -e '/^model cache-/d' "$lut" > "$base"
      $B $RT profile "$TEACHER" -o "$base" --candidates "$POOL" --batch "$b" --threads "$t" --cache "$CACHE" $FLAGS --reps $reps --quiet --validate "$N" --seed 1 --no-check > "$base.log"
      fi
      echo "b=$b t=$t fitted ($(( $(date +%s) - s0 )) s, load $(load)):"
      echo "  new:  $(grep 'latency model\|  model:' "$lut.log" | tr -s ' ' | tr '\n' ' ')"
      [ "$B" = none ] || echo "  base: $(grep 'latency model\|  model:' "$base.log" | tr -s ' ' | tr '\n' ' ')"
    fi
    for s in $SEEDS; do
      set +e; $H $RT profile "$TEACHER" -o "$lut" --candidates "$POOL" --batch "$b" --threads "$t" --cache "$CACHE" $FLAGS --reps $reps --quiet --validate "$N" --seed "$s" --score-only --no-check \
         $([ "$B" = none ] || echo --compare "$base") > "$lut.out" 2>&1; c=$?; set -e
      [ $c = 0 ] || [ $c = 3 ] || [ $c = 4 ] || { cat "$lut.out"; exit 1; }
      # a seed given twice: the same networks timed again (the repeat bounds any model)
      k="$lut.$MODE-score$s"; while [ -e "$k" ]; do k="$k+"; done; cp "$lut.score" "$k"
      grep -h 'drift during' "$lut.out" | tr -s ' ' || true
      echo "b=$b t=$t seed $s, $N new networks, load $(load): new $(sed -n 's/.*networks it never saw: //p' "$lut.score")$([ "$B" = none ] || echo " | base $(sed -n 's/.*on the same timings: //p' "$lut.score")")"
    done
  done
done
