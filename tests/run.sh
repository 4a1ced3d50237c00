#!/bin/sh
# Runs every test program given as arguments, shows their output, and ends with
# one line "N passed, M failed" summed over all of them. A program that crashes
# or prints no summary counts as one failure.
p=0; f=0
for t in "$@"; do
  echo "== $t"
  case "$t" in *.sh) out=$(sh "$t" 2>&1);; *) out=$("$t" 2>&1);; esac; rc=$?
  printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
  line=$(printf '%s\n' "$out" | grep '^[0-9]* passed, [0-9]* failed$' | tail -n 1)
  if [ -z "$line" ]; then echo "  $t: no summary (exit $rc)"; f=$((f+1)); continue; fi
  tp=${line%% passed*}; tf=${line#*passed, }; tf=${tf%% failed*}
  echo "   $line"
  p=$((p+tp)); f=$((f+tf))
  if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then echo "  $t: exit $rc"; f=$((f+1)); fi
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
