#!/bin/sh
# The hant tool: new, info, run, bench, and one-line errors on bad input.
# $HANT is the binary. Prints "N passed, M failed".
. "$(dirname "$0")/lib_cli.sh"
# an NCHW float32 .npy of zeros: npy FILE N C H W
npy() {
  dict="{'descr': '<f4', 'fortran_order': False, 'shape': ($2, $3, $4, $5), }"
  hl=$(( ( (${#dict} + 11 + 63) / 64 ) * 64 - 10 ))
  { printf '\223NUMPY\001\000'; printf "\\$(printf %03o $((hl % 256)))\\$(printf %03o $((hl / 256)))"
    printf '%s' "$dict"; i=$(( ${#dict} + 1 )); while [ $i -lt $hl ]; do printf ' '; i=$((i+1)); done; printf '\n'
    head -c $(( $2 * $3 * $4 * $5 * 4 )) /dev/zero; } > "$1"
}

for c in new info run bench solve; do expect_rc 0 "$c --help" "$H" $c --help; done
expect_rc 0 "hant --help" "$H" --help
expect_rc 2 "unknown command" "$H" frobnicate
expect_rc 0 "new b0-fm" "$H" new b0-fm -o "$T/m.hant" --seed 7
expect_rc 0 "info" "$H" info "$T/m.hant"
grep -q "4019782 parameters, 29207488 multiply-adds" "$T/out" && ok || bad "info totals: $(tail -1 "$T/out")"
expect_rc 1 "new unknown arch" "$H" new resnet -o "$T/r.hant"
expect_rc 2 "new without -o" "$H" new b0-fm
expect_rc 2 "new bad seed" "$H" new b0-fm -o "$T/x.hant" --seed abc
npy "$T/x.npy" 3 1 28 28
expect_rc 0 "run" "$H" run "$T/m.hant" --input "$T/x.npy" --output "$T/y.npy"
[ "$(wc -c <"$T/y.npy")" -eq $((128 + 3 * 10 * 4)) ] && ok || bad "run output size $(wc -c <"$T/y.npy")"
grep -q "'shape': (3, 10)" "$T/y.npy" && ok || bad "run output shape"
"$H" run "$T/m.hant" --input "$T/x.npy" --output "$T/y2.npy" --threads 1 && cmp -s "$T/y.npy" "$T/y2.npy" && ok || bad "run with 1 and 2 threads differ"
npy "$T/wrong.npy" 3 3 28 28
expect_rc 1 "run wrong shape" "$H" run "$T/m.hant" --input "$T/wrong.npy" --output "$T/y.npy"
head -c 100 "$T/x.npy" > "$T/trunc.npy"
expect_rc 1 "run truncated npy" "$H" run "$T/m.hant" --input "$T/trunc.npy" --output "$T/y.npy"
expect_rc 1 "run missing model" "$H" run "$T/none.hant" --input "$T/x.npy" --output "$T/y.npy"
head -c 5000 "$T/m.hant" > "$T/trunc.hant"
expect_rc 1 "info truncated model" "$H" info "$T/trunc.hant"
printf 'not a model at all' > "$T/junk.hant"
expect_rc 1 "info junk" "$H" info "$T/junk.hant"
grep -q magic "$T/err" && ok || bad "junk error names the magic: $(cat "$T/err")"
expect_rc 2 "run without output" "$H" run "$T/m.hant" --input "$T/x.npy"
expect_rc 0 "bench" "$H" bench "$T/m.hant" --batch 2 --reps 3 --threads 2
grep -q '^latency_ms_median [0-9.]*$' "$T/out" && grep -q '^images_per_s [0-9.]*$' "$T/out" && ok || bad "bench output: $(cat "$T/out")"
expect_rc 0 "bench --train" "$H" bench "$T/m.hant" --train --batch 4 --reps 2 --warmup 0 --threads 2
grep -q 'train_step' "$T/out" && grep -q '^images_per_s [0-9.]*$' "$T/out" && ok || bad "bench --train output: $(cat "$T/out")"
expect_rc 2 "bench batch 0" "$H" bench "$T/m.hant" --batch 0
expect_rc 2 "bench bad option" "$H" bench "$T/m.hant" --fast
finish
