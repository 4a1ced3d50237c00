#!/bin/sh
# Batch-1 latency of students beside their teacher, measured side by side:
# ROUNDS rounds, each timing the teacher and then every student once
# ('hant bench', about 2 s of timed runs each), so that a change of machine
# load hits every network alike. Prints each round, then per network the
# median and the minimum of the round medians and its speed-up over the
# teacher three ways: ratio of medians, median of the per-round ratios, ratio
# of minima. With HANT_RT=1 the timings run under SCHED_FIFO (hant --realtime;
# needs root or CAP_SYS_NICE), which a shared machine needs.
#
#   sh bench/bench_students.sh THREADS ROUNDS TEACHER.hant STUDENT.hant...
set -eu
if [ $# -lt 4 ]; then echo "usage: sh bench/bench_students.sh THREADS ROUNDS TEACHER.hant STUDENT.hant..." >&2; exit 2; fi
T=$1; R=$2; shift 2
H=${HANT:-./hant}
RT=""
[ "${HANT_RT:-0}" = 1 ] && RT="--realtime"
[ -x "$H" ] || { echo "bench_students: $H not found (make hant)" >&2; exit 1; }
for f in "$@"; do [ -f "$f" ] || { echo "bench_students: $f: no such file" >&2; exit 1; }; done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $T threads, $R rounds${RT:+, SCHED_FIFO}"
r=1
while [ $r -le "$R" ]; do
  line="round $r"
  for f in "$@"; do
    ms=$($H $RT bench "$f" --threads "$T" | sed -n 's/^latency_ms_median //p')
    [ -n "$ms" ] || { echo "bench_students: no latency for $f" >&2; exit 1; }
    printf '%s\t%s\t%s\n' "$r" "$f" "$ms" >> "$out"
    line="$line  $(basename "$f" .hant) $ms"
  done
  echo "$line"
  r=$((r + 1))
done
# summary: medians and minima of the round medians; per-round ratios against the teacher
awk -F'\t' -v teacher="$1" '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { v[$2, $1] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++nf] = $2 } if ($1 > nr) nr = $1 }
  END {
    for (k = 1; k <= nf; k++) {
      f = order[k]
      for (r = 1; r <= nr; r++) { a[r] = v[f, r]; q[r] = v[teacher, r] / v[f, r] }
      med[f] = median(a, nr); lo = a[1]; mn[f] = lo; pr[f] = median(q, nr)
    }
    printf "%-40s %10s %10s %8s %8s %8s\n", "network", "median_ms", "min_ms", "x_med", "x_round", "x_min"
    for (k = 1; k <= nf; k++) {
      f = order[k]
      if (f == teacher) printf "%-40s %10.4f %10.4f %8s %8s %8s\n", f, med[f], mn[f], "-", "-", "-"
      else printf "%-40s %10.4f %10.4f %8.2f %8.2f %8.2f\n", f, med[f], mn[f], med[teacher] / med[f], pr[f], mn[teacher] / mn[f]
    }
  }' "$out"
