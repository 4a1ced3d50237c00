#!/bin/sh
# hant distill, profile and transform killed with SIGKILL at seeded random
# points (KILL_SEED) and run again until they finish: after every kill each
# file at its final name is whole, and the finished run has what an
# uninterrupted one has: the same bytes where the computation is deterministic
# (score tables, candidates, choices, the frontier, the student), and for the
# timed tables every entry, well formed, with the entries of a table resumed
# from kept as they were. Kills fall after a random delay within the
# uninterrupted run's time and, where strace works, at a random write system
# call of the run (mid-file); strace also lists every file a run opened for
# writing at its final name (each must be written under a temporary name and
# renamed into place). hant train's kills are in cli_train.sh.
# Needs no download: the teacher is the fuzz corpus's tiny ONNX network (6x6x1,
# 3 blocks, 3 classes) imported, the data random 6x6 IDX images.
. "$(dirname "$0")/lib_cli.sh"
seed=${KILL_SEED:-1}
$H import "$(dirname "$0")/fuzz/corpus/onnx/tiny0.onnx" -o "$T/t.hant" >/dev/null && ok || bad "import the tiny teacher"
be32() { for s in 24 16 8 0; do printf "\\$(printf %03o $(( ($1 >> s) & 255 )))"; done; }
# idx N SEED [ROWS COLS]: N random images (IDX, ROWSxCOLS bytes each), or N labels in 0..2
idx() {
  if [ $# -gt 2 ]; then printf '\000\000\010\003'; be32 "$1"; be32 "$3"; be32 "$4"; m=$(($3 * $4)); k=256
  else printf '\000\000\010\001'; be32 "$1"; m=1; k=3; fi
  LC_ALL=C awk -v n=$(($1 * m)) -v s="$2" -v k=$k 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%c", int(rand() * k) }'
}
TD="$T/data"; mkdir -p "$TD"
idx 768 1 6 6 > "$TD/train-images-idx3-ubyte"; idx 768 2 > "$TD/train-labels-idx1-ubyte"
idx 256 3 6 6 > "$TD/t10k-images-idx3-ubyte"; idx 256 4 > "$TD/t10k-labels-idx1-ubyte"

ST=; SBPF=
# LeakSanitizer cannot work under ptrace (make sanitize): leaks are checked in the untraced runs
NOLEAK="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
  ST=1; strace --seccomp-bpf -f -qq -o /dev/null true 2>/dev/null && SBPF=--seccomp-bpf
else
  skip "kills at a write system call, and the list of files written in place (no working strace)" "sudo apt-get install -y strace"
fi

# rnd K: the seeded random number in [0, 1) of kill K
rnd() { awk -v s="$seed" -v k="$1" 'BEGIN { srand(s * 1000 + k); printf "%.6f", rand() }'; }
now() { date +%s.%N; }
# reference NAME LOG CMD..: the uninterrupted run (under strace when it works): sets run_s and nwrites
reference() {
  rn=$1; rlog=$2; shift 2; t0=$(now)
  if [ -n "$ST" ]; then env "$NOLEAK" strace $SBPF -f -qq -o "$rlog" -e trace=openat,open,creat,rename,renameat,renameat2,write "$@" >"$T/rout" 2>&1
  else "$@" >"$T/rout" 2>&1; fi && ok || bad "$rn, uninterrupted: $(tail -n 3 "$T/rout")"
  run_s=$(echo "$t0 $(now)" | awk '{ print $2 - $1 }')
  nwrites=0; [ -z "$ST" ] || nwrites=$(grep -c ' write(' "$rlog")
}
# audit NAME LOG: every file under $T that the run opened for writing has a temporary name
audit() {
  [ -n "$ST" ] || return 0
  grep -E 'open[a-z]*\(.*O_(WRONLY|RDWR)' "$2" | grep -E 'O_CREAT|O_TRUNC' | sed -n 's/^[0-9]* *[a-z]*([^"]*"\([^"]*\)".*/\1/p' |
    grep "^$T/" | grep -v '\.tmp[0-9.]*$' | sort -u > "$T/inplace"
  n=0
  while read -r f; do
    n=$((n+1)); bad "$1 writes ${f#$T/} in place, not under a temporary name renamed into place"
  done < "$T/inplace"
  [ $n -gt 0 ] || ok
}
# tsv_whole FILE: ends with a newline; every line that is not a comment has the column line's field count
tsv_whole() {
  [ -s "$1" ] && [ -z "$(tail -c 1 "$1" | tr -d '\n')" ] &&
    awk -F'\t' '/^#/ || !NF { next } !n { n = NF; next } NF != n { exit 1 }' "$1"
}
# whole DIR WHEN: every file at its final name under DIR is complete
whole() {
  [ -d "$1" ] || return 0 # killed before it made DIR
  find "$1" -type f ! -name '*.tmp*' > "$T/files"
  while read -r f; do
    case "$f" in
      *.hant|*.ckpt|*.ckpt.next) $H info "$f" >/dev/null 2>"$T/kerr" || bad "$2: ${f#$T/} is not whole: $(cat "$T/kerr")";;
      *.tsv|*.pairs|*.validate) tsv_whole "$f" || bad "$2: ${f#$T/} is not whole: $(tail -c 120 "$f" | tr '\t\n' ' |')";;
      *.svg) [ "$(tail -n 1 "$f")" = "</svg>" ] || bad "$2: ${f#$T/} is not whole";;
      *.md) [ -s "$f" ] && [ -z "$(tail -c 1 "$f" | tr -d '\n')" ] || bad "$2: ${f#$T/} is not whole";;
    esac
  done < "$T/files"
  for f in "$1"/scores.tsv "$1"/lut.tsv "$1"/p.tsv; do [ -f "$f" ] || continue
    head -n 1 "$f" | grep -q '^# hant \(distill scores v1\|latency table v[2357]\)$' || bad "$2: ${f#$T/} lost its first line"
  done
  if [ -f "$1/scores.tsv" ]; then
    for c in $(awk -F'\t' '!/^#|^block/ && $8 != "-" { print $8 }' "$1/scores.tsv"); do
      [ -f "$1/$c" ] || bad "$2: scores.tsv names $c, which is not there"
    done
  fi
}
# killed NAME K0 DIR CMD..: CMD killed up to 6 times, alternately after a random delay within
# run_s and (with strace) at a random one of the reference's nwrites write calls (a resumed
# run is shorter: it often finishes first); DIR checked after every kill; then CMD to the end
killed() {
  kn=$1; k0=$2; kd=$3; shift 3; k=0; at=
  while [ $k -lt 6 ]; do
    r=$(rnd $((k0 + k)))
    if [ -n "$ST" ] && [ $((k % 2)) -eq 1 ]; then
      w=$(awk -v r="$r" -v n="$nwrites" 'BEGIN { print 1 + int(r * n) }'); at="$at write#$w"
      env "$NOLEAK" strace $SBPF -f -qq -o /dev/null -e trace=write -e inject=write:signal=KILL:when="$w" "$@" >"$T/kout" 2>&1; rc=$?
    else
      d=$(awk -v r="$r" -v t="$run_s" 'BEGIN { printf "%.3f", r * t }'); at="$at ${d}s"
      "$@" >"$T/kout" 2>&1 & pid=$!
      sleep "$d"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; rc=$?
    fi
    k=$((k + 1))
    [ $rc -eq 0 ] && break # it finished first
    [ $rc -eq 137 ] || { bad "$kn: exit $rc, not the kill (at$at): $(tail -n 2 "$T/kout")"; return; }
    whole "$kd" "$kn killed at$at"
  done
  [ $rc -eq 0 ] || "$@" >"$T/kout" 2>&1 || { bad "$kn after kills at$at: $(tail -n 2 "$T/kout")"; return; }
  ok; whole "$kd" "$kn after kills at$at"
  echo "  ($kn: killed at$at (KILL_SEED=$seed); $(find "$kd" -name '*.tmp*' 2>/dev/null | wc -l) temporary files of killed runs left, unread)"
}
# same NAME A B FILE..: FILE identical under the uninterrupted (A) and the killed (B) run's folders.
same() {
  sn=$1; sa=$2; sb=$3; shift 3
  for f in "$@"; do
    if cmp -s "$sa/$f" "$sb/$f"; then ok
    else bad "$sn: $f differs from the uninterrupted run's (killed at$at)"; fi
  done
}

# distill: 8 chunks of 4 candidates, each chunk's scores saved as it ends
DA="$T/t.hant --images 256 --batch 32 --chunk 4 --val-images 64 --threads 2 --data $TD --quiet"
reference distill "$T/d.log" $H distill $DA --work "$T/dA"
audit distill "$T/d.log"
# each command: KILL_SERIES (3) series of kills, each from the start in a folder of its own
series() { i=1; while [ $i -le "${KILL_SERIES:-3}" ]; do echo $i; i=$((i + 1)); done; }
for i in $(series); do
  killed distill $((100 * i)) "$T/dB$i" $H distill $DA --work "$T/dB$i"
  same distill "$T/dA" "$T/dB$i" scores.tsv $(cd "$T/dA" && ls cand/*.hant)
done

# profile: a table of the teacher's own parts resumed with the quick pool, pairs and validation
# --no-check: the resumed entries are compared as they were written, not rescaled by the drift check
PA="$T/t.hant --reps 3 --rounds 3 --threads 2 --quiet --no-check"
mkdir -p "$T/pA"
$H profile $PA --candidates teacher -o "$T/pA/p.tsv" >/dev/null 2>&1 && cp "$T/pA/p.tsv" "$T/pre.tsv" && ok || bad "profile, the teacher's parts"
reference profile "$T/p.log" $H profile $PA --pairs 2 --validate 4 -o "$T/pA/p.tsv"
audit profile "$T/p.log"
# the teacher's validated row (v7) is there only when validation did not keep the plain sum, a
# choice the noise makes: it is checked on its own, against the table's version
keys() { grep -v '^#\|^model teacher ' "$1" | cut -f1 | sort; }
teacher_row_matches_version() {
  awk -F'\t' 'NR == 1 { v7 = $0 ~ /v7$/ } /^model teacher arch=/ { n++ } END { exit !(n == 1 ? v7 : (!n && !v7)) }' "$1"
}
keys "$T/pA/p.tsv" > "$T/keysA"
grep -v '^#\|^key\|^model ' "$T/pre.tsv" > "$T/prerows"
for i in $(series); do
  B="$T/pB$i"; mkdir -p "$B"; cp "$T/pre.tsv" "$B/p.tsv"
  killed profile $((200 * i)) "$B" $H profile $PA --pairs 2 --validate 4 -o "$B/p.tsv"
  teacher_row_matches_version "$B/p.tsv" && ok || bad "profile: the killed run's teacher row does not match its version: $(head -n 1 "$B/p.tsv") $(grep -c '^model teacher ' "$B/p.tsv")"
  keys "$B/p.tsv" | cmp -s - "$T/keysA" && ok || bad "profile: the killed run's table has other entries: $(keys "$B/p.tsv" | diff "$T/keysA" - | head -n 4 | tr '\n' ' ')"
  grep -vxF -f "$B/p.tsv" "$T/prerows" > "$T/lost"; [ -s "$T/prerows" ] && [ ! -s "$T/lost" ] && ok || bad "profile: entries of the resumed table changed: $(head -n 2 "$T/lost")"
  for f in p.tsv.pairs p.tsv.validate; do
    [ "$(grep -vc '^#' "$T/pA/$f")" -eq "$(grep -vc '^#' "$B/$f")" ] && ok || bad "profile: $f has $(grep -vc '^#' "$B/$f") lines, the uninterrupted run's $(grep -vc '^#' "$T/pA/$f")"
  done
done

# transform with the profiled table (so that the selection is the same): distill, select,
# finetune, measure, report
TA="$T/t.hant --speedup 1.5 --images 256 --epochs 1 --data $TD --no-check"
mkdir -p "$T/tA"; cp "$T/pA/p.tsv" "$T/tA/lut.tsv"
reference transform "$T/t.log" $H transform $TA --work "$T/tA" -o "$T/tA/s.hant"
audit transform "$T/t.log"
for i in $(series); do
  B="$T/tB$i"; mkdir -p "$B"; cp "$T/pA/p.tsv" "$B/lut.tsv"
  killed transform $((300 * i)) "$B" $H transform $TA --work "$B" -o "$B/s.hant"
  same transform "$T/tA" "$B" s.hant s1.5-init.hant choices-s1.5.tsv pareto.tsv scores.tsv $(cd "$T/tA" && ls cand/*.hant)
  awk -F'\t' 'NR > 1 { n[$1]++ } END { exit !(n["teacher"] == 1 && n["s1.5"] == 1 && NR == 3) }' "$B/runs.tsv" && ok || bad "transform: runs.tsv: $(cat "$B/runs.tsv")"
  [ -s "$B/blocks-s1.5.tsv" ] && grep -q '^| s1.5 ' "$B/report.md" && ok || bad "transform: no blocks-s1.5.tsv or report"
done
finish
