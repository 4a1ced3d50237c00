#!/bin/sh
# tests/run.sh itself, on fake suites: passes, failures, skips (counted as
# skips, shown in the closing line), no summary, a crash, a non-zero exit.
. "$(dirname "$0")/lib_cli.sh"
RUN="$(dirname "$0")/run.sh"
suite() { printf '#!/bin/sh\n%s\n' "$2" >"$T/$1.sh"; }
suite pass  'echo "3 passed, 0 failed"'
suite fail  'echo "  FAIL x"; echo "2 passed, 1 failed"; exit 1'
suite skip  'echo "  skipped: no torch (sudo apt-get install -y python3-torch)"; echo "0 passed, 0 failed, 1 skipped"'
suite mixed 'echo "4 passed, 0 failed, 2 skipped"'
suite none  'echo "all good, honest"'
suite crash 'echo "1 passed, 0 failed"; kill -SEGV $$'
suite exit  'echo "1 passed, 0 failed"; exit 3'
suite old   'echo "5 passed, 0 failed"; echo "0 passed, 0 failed, 1 skipped"'
# runs CASE WANT_LAST_LINE WANT_RC SUITES...
runs() {
  c=$1; want=$2; wrc=$3; shift 3
  args=; for x in "$@"; do args="$args $T/$x.sh"; done
  sh "$RUN" $args >"$T/o" 2>&1; rc=$?
  last=$(tail -n 1 "$T/o")
  [ "$last" = "$want" ] && [ "$rc" -eq "$wrc" ] && ok || bad "$c: '$last' exit $rc, want '$want' exit $wrc"
}
runs "pass"            "3 passed, 0 failed" 0 pass
runs "pass+fail"       "5 passed, 1 failed" 1 pass fail
runs "skip"            "0 passed, 0 failed, 1 skipped" 0 skip
runs "pass+skip+mixed" "7 passed, 0 failed, 3 skipped" 0 pass skip mixed
runs "no summary"      "3 passed, 1 failed" 1 pass none
runs "crash"           "1 passed, 1 failed" 1 crash
runs "non-zero exit"   "1 passed, 1 failed" 1 exit
runs "last line wins"  "0 passed, 0 failed, 1 skipped" 0 old
runs "all"             "11 passed, 4 failed, 4 skipped" 1 pass fail skip mixed none crash exit old
sh "$RUN" "$T/none.sh" >"$T/o" 2>&1; grep -q "none.sh: no summary" "$T/o" && ok || bad "no-summary suite not named: $(cat "$T/o")"
sh "$RUN" "$T/skip.sh" >"$T/o" 2>&1; grep -q "sudo apt-get install" "$T/o" && ok || bad "the skip's command is not shown"
finish
