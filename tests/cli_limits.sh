#!/bin/sh
# hant --max-memory (issue 15): a network needing more than the limit gets one
# error line naming the option; a file declaring b0-fm at 8192x8192 (in the
# format's ranges) is refused, not run; bad sizes are usage errors.
. "$(dirname "$0")/lib_cli.sh"
expect_rc 0 "new" $H new b0-fm -o "$T/m.hant"
expect_rc 1 "1M limit" $H --max-memory 1M info "$T/m.hant" && { grep -q -- "--max-memory" "$T/err" && ok || bad "error does not name --max-memory: $(cat "$T/err")"; }
expect_rc 0 "1G limit" $H --max-memory 1G info "$T/m.hant"
expect_rc 0 "no limit, after --realtime" $H --realtime --max-memory none info "$T/m.hant"
for s in 0 -5 1X 1GG ""; do expect_rc 2 "--max-memory '$s'" $H --max-memory "$s" info "$T/m.hant"; done
expect_rc 2 "--max-memory without a value" $H --max-memory
# in_h, in_w = 8192 (little-endian i32 at offsets 16 and 20); refused before the checksum is read
cp "$T/m.hant" "$T/big.hant"
printf '\000\040\000\000\000\040\000\000' | dd of="$T/big.hant" bs=1 seek=16 conv=notrunc 2>/dev/null
expect_rc 1 "b0-fm at 8192x8192" $H run "$T/big.hant" --input "$T/none.npy" --output "$T/y.npy" &&
  { grep -q "larger than hant supports\|GiB" "$T/err" && ok || bad "8192x8192: $(cat "$T/err")"; }
expect_rc 1 "b0-fm at 8192x8192, no limit" $H --max-memory none info "$T/big.hant" &&
  { grep -q "larger than hant supports" "$T/err" && ok || bad "8192x8192 without a limit: $(cat "$T/err")"; }
finish
