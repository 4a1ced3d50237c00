#!/bin/sh
# Runs every test program given as arguments, shows their output, and ends with
# one line "N passed, M failed[, K skipped]" summed over all of them. Each
# program's last summary line is "N passed, M failed" or "N passed, M failed,
# K skipped" (skips: a missing optional dependency, with the command to run).
# A program that crashes, exits non-zero or prints no summary counts as a failure.
# HANT_TEST_JOBS=J (default 2) runs up to J programs at once, taken in the
# order given (make test lists the longest first); each program's output is
# shown whole, in that order, with its wall time in seconds.
p=0; f=0; s=0
re='^[0-9][0-9]* passed, [0-9][0-9]* failed\(, [0-9][0-9]* skipped\)\{0,1\}$'
J=${HANT_TEST_JOBS:-2}
R=$(mktemp -d); trap 'rm -rf "$R"' EXIT
# one I T: runs program T into $R/I.out; $R/I.rc appears last ("EXIT SECONDS")
one() {
  t0=$(date +%s)
  case "$2" in *.sh) sh "$2" >"$R/$1.out" 2>&1;; *) "$2" >"$R/$1.out" 2>&1;; esac; rc=$?
  echo "$rc $(($(date +%s) - t0))" >"$R/$1.tmp" && mv "$R/$1.tmp" "$R/$1.rc"
}
# J workers take the programs in order; mkdir claims one atomically
if [ "$J" -gt 1 ]; then
  w=0
  while [ "$w" -lt "$J" ]; do
    ( i=0; for t in "$@"; do i=$((i+1)); mkdir "$R/claim$i" 2>/dev/null && one $i "$t"; done ) &
    w=$((w+1))
  done
fi
i=0
for t in "$@"; do
  i=$((i+1))
  echo "== $t"
  if [ "$J" -gt 1 ]; then while [ ! -f "$R/$i.rc" ]; do sleep 0.1 2>/dev/null || sleep 1; done; else one $i "$t"; fi
  read -r rc secs <"$R/$i.rc"
  out=$(cat "$R/$i.out")
  printf '%s\n' "$out" | grep -v "$re"
  line=$(printf '%s\n' "$out" | grep "$re" | tail -n 1)
  if [ -z "$line" ]; then echo "  $t: no summary (exit $rc)"; f=$((f+1)); continue; fi
  tp=${line%% passed*}; tf=${line#*passed, }; tf=${tf%% failed*}
  case "$line" in *skipped) ts=${line##*failed, }; ts=${ts%% skipped};; *) ts=0;; esac
  echo "   $line ($secs s)"
  p=$((p+tp)); f=$((f+tf)); s=$((s+ts))
  if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then echo "  $t: exit $rc"; f=$((f+1)); fi
done
wait
if [ "$s" -gt 0 ]; then echo "$p passed, $f failed, $s skipped"; else echo "$p passed, $f failed"; fi
[ "$f" -eq 0 ]
