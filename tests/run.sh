#!/bin/sh
# Runs every test program given as arguments, shows their output, and ends with
# one line "N passed, M failed[, K skipped]" summed over all of them. Each
# program's last summary line is "N passed, M failed" or "N passed, M failed,
# K skipped" (skips: a missing optional dependency, with the command to run).
# A program that crashes, exits non-zero or prints no summary counts as a failure.
p=0; f=0; s=0
re='^[0-9][0-9]* passed, [0-9][0-9]* failed\(, [0-9][0-9]* skipped\)\{0,1\}$'
for t in "$@"; do
  echo "== $t"
  case "$t" in *.sh) out=$(sh "$t" 2>&1);; *) out=$("$t" 2>&1);; esac; rc=$?
  printf '%s\n' "$out" | grep -v "$re"
  line=$(printf '%s\n' "$out" | grep "$re" | tail -n 1)
  if [ -z "$line" ]; then echo "  $t: no summary (exit $rc)"; f=$((f+1)); continue; fi
  tp=${line%% passed*}; tf=${line#*passed, }; tf=${tf%% failed*}
  case "$line" in *skipped) ts=${line##*failed, }; ts=${ts%% skipped};; *) ts=0;; esac
  echo "   $line"
  p=$((p+tp)); f=$((f+tf)); s=$((s+ts))
  if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then echo "  $t: exit $rc"; f=$((f+1)); fi
done
if [ "$s" -gt 0 ]; then echo "$p passed, $f failed, $s skipped"; else echo "$p passed, $f failed"; fi
[ "$f" -eq 0 ]
