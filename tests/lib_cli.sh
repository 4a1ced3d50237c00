# Shared by the tests/cli_*.sh scripts (sourced): a temporary folder $T,
# counters, skips, and expect_rc. $HANT is the binary under test; $HANT_PYTHON
# the Python with torch and numpy (default /usr/bin/python3).
H=${HANT:-./hant}
PY=${HANT_PYTHON:-/usr/bin/python3}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# Python libraries keep caches under $XDG_CACHE_HOME (onnxruntime writes
# ~/.cache/Microsoft/DeveloperTools on import): in $T, so nothing outside changes
export XDG_CACHE_HOME="$T/cache"
# and no __pycache__ next to the scripts (a worker process imports tests/onnx_ref.py)
export PYTHONDONTWRITEBYTECODE=1
pass=0; fail=0; skipped=0
ok()  { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "  FAIL $*"; }
# expect_rc WANT DESC CMD...: exit status WANT; errors give exactly one stderr line
expect_rc() {
  want=$1; desc=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  # hant profile waits while another holds the machine's profile lock (another suite or user):
  # its notice of that is not an error line
  if grep -q '^waiting for another hant profile' "$T/err"; then
    grep -v '^waiting for another hant profile' "$T/err" > "$T/err.w"; mv "$T/err.w" "$T/err"
  fi
  if [ "$rc" -ne "$want" ]; then bad "$desc: exit $rc, want $want: $(head -c 300 "$T/err")"; return 1; fi
  if [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then bad "$desc: want one error line, got: $(cat "$T/err")"; return 1; fi
  ok
}
# skip WHAT CMD: a check not run for lack of an optional dependency; CMD installs it
skip() { skipped=$((skipped+1)); echo "  skipped: $1 (run: $2)"; }
# skip_all WHAT CMD: the whole script needs it; exits
skip_all() { skip "$1" "$2"; finish; exit; }
# need_data: Fashion-MNIST unpacked in build/data, or the whole script is skipped
D=build/data
need_data() { [ -f $D/train-images-idx3-ubyte ] || skip_all "no Fashion-MNIST in $D" "make data"; }
# idx_head IN OUT N ITEM: the first N items (ITEM bytes each) of an IDX file, its count set to N
# (a small test split: eval and predict over 10,000 images take seconds that plumbing checks need not)
idx_head() {
  nd=$(od -An -tu1 -j3 -N1 "$1" | tr -d ' '); n=$3
  { head -c 4 "$1"; printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))"
    tail -c +9 "$1" | head -c $((4 * nd - 4 + n * $4)); } > "$2"
}
# test_split DIR N: DIR holds the first N images of Fashion-MNIST's test split (for eval --data DIR)
test_split() {
  mkdir -p "$1" && idx_head $D/t10k-images-idx3-ubyte "$1/t10k-images-idx3-ubyte" "$2" 784 &&
    idx_head $D/t10k-labels-idx1-ubyte "$1/t10k-labels-idx1-ubyte" "$2" 1
}
# Prints the summary line and sets the exit status.
finish() {
  if [ "$skipped" -gt 0 ]; then echo "$pass passed, $fail failed, $skipped skipped"; else echo "$pass passed, $fail failed"; fi
  [ "$fail" -eq 0 ]
}
