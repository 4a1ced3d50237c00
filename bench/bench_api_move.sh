#!/bin/sh
# Issue 17: the profiling run and hant transform moved into the library's
# pipeline API; nothing may be slower. OLD and NEW hant binaries side by side
# in interleaved rounds (old, new, old, new, ...): `hant profile` of the b0-fm
# teacher (a fresh table, pool quick) and `hant transform` on that table,
# phase by phase (the "== k/5" lines' timestamps: profile with validation,
# distill, select, finetune, measure and report). Prints one row per run and
# the medians with their range. HANT_RT=1: SCHED_FIFO (hant --realtime).
#
#   sh bench/bench_api_move.sh OLD_HANT NEW_HANT [ROUNDS [DIR]]
set -eu
OLD=$1; NEW=$2; ROUNDS=${3:-3}; DIR=${4:-build/bench-api}
TEACHER=${TEACHER:-models/teacher-b0-fm.hant}; DATA=${DATA:-build/data}
TARGS=${TARGS:---speedup 2 --images 512 --epochs 1 --subset 2048}
RT=""; [ "${HANT_RT:-0}" = 1 ] && RT="--realtime"
mkdir -p "$DIR"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)${RT:+, SCHED_FIFO}; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# round bin profile_s t_profile_s t_distill_s t_select_s t_finetune_s t_measure_s"
now() { date +%s.%N; }
for r in $(seq 1 "$ROUNDS"); do
  for which in old new; do
    H=$OLD; [ $which = new ] && H=$NEW
    W="$DIR/$which-$r"; rm -rf "$W"; mkdir -p "$W"
    t0=$(now)
    $H $RT profile "$TEACHER" -o "$W/lut.tsv" --candidates quick --quiet >"$W/profile.log" 2>&1
    t1=$(now)
    # transform on that table: its profile phase checks it for drift and validates it (20 networks)
    $H $RT transform "$TEACHER" $TARGS --data "$DATA" --work "$W" -o "$W/s.hant" 2>"$W/transform.err" |
      while IFS= read -r line; do echo "$(now) $line"; done >"$W/transform.log"
    t2=$(now)
    awk -v r="$r" -v w="$which" -v a="$t0" -v b="$t1" -v e="$t2" '
      / == [1-5]\/5/ { split($3, k, "/"); s[k[1]] = $1 }
      END { s[6] = e; printf "%s %s %.1f", r, w, b - a; for (i = 1; i <= 5; i++) printf " %.1f", s[i + 1] - s[i]; printf "\n" }' "$W/transform.log"
  done
done | tee "$DIR/rounds.txt"
echo "# medians (min-max) over $ROUNDS rounds"
for which in old new; do
  awk -v w="$which" 'BEGIN { n = 0 } $2 == w { for (i = 3; i <= 8; i++) v[i, n] = $i; n++ }
    END { printf "%s", w; for (i = 3; i <= 8; i++) { m = 0; for (a = 0; a < n; a++) c[a] = v[i, a];
            for (a = 0; a < n; a++) for (b = a + 1; b < n; b++) if (c[b] < c[a]) { t = c[a]; c[a] = c[b]; c[b] = t }
            med = n % 2 ? c[(n - 1) / 2] : (c[n / 2 - 1] + c[n / 2]) / 2; printf " %.1f (%.1f-%.1f)", med, c[0], c[n - 1] } printf "\n" }' "$DIR/rounds.txt"
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
