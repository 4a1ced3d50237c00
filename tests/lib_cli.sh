# Shared by the tests/cli_*.sh scripts (sourced): a temporary folder $T,
# counters, and expect_rc. $HANT is the binary under test.
H=${HANT:-./hant}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok()  { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "  FAIL $*"; }
# expect_rc WANT DESC CMD...: exit status WANT; errors give exactly one stderr line
expect_rc() {
  want=$1; desc=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$desc: exit $rc, want $want: $(head -c 300 "$T/err")"; return 1; fi
  if [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then bad "$desc: want one error line, got: $(cat "$T/err")"; return 1; fi
  ok
}
# Prints the summary line and sets the exit status.
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
