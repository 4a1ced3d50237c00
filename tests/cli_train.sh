#!/bin/sh
# hant train / eval / predict on a Fashion-MNIST subset: a resumed run ends
# with the same bytes as an uninterrupted one; eval and predict agree; bad
# data gets a one-line error. Needs build/data (make data); skipped without.
. "$(dirname "$0")/lib_cli.sh"
need_data
ARGS="b0-fm --subset 192 --val 64 --epochs 2 --batch 64 --threads 2 --quiet --lr 0.05"
$H train $ARGS -o "$T/full.hant" >"$T/full.log" 2>&1 && ok || bad "uninterrupted run: $(cat "$T/full.log")"
$H train $ARGS -o "$T/part.hant" --stop-after 1 >"$T/p1.log" 2>&1 && [ ! -f "$T/part.hant" ] && [ -f "$T/part.hant.ckpt" ] && ok || bad "stop after 1 epoch"
$H train $ARGS -o "$T/part.hant" --resume >"$T/p2.log" 2>&1 && ok || bad "resume: $(cat "$T/p2.log")"
cmp -s "$T/full.hant" "$T/part.hant" && ok || bad "resumed model differs from the uninterrupted one"
strip() { tail -1 "$1" | sed 's/ elapsed_s.*//'; }
[ "$(strip "$T/full.log")" = "$(strip "$T/p2.log")" ] && ok || bad "last epoch lines differ: $(strip "$T/full.log") / $(strip "$T/p2.log")"
# resuming a real checkpoint with another --seed is refused, naming the seed; the checkpoint stays
$H train $ARGS -o "$T/s.hant" --stop-after 1 >/dev/null 2>&1 && [ -f "$T/s.hant.ckpt" ] && ok || bad "checkpoint for the seed check"
expect_rc 1 "resume with another seed" $H train $ARGS -o "$T/s.hant" --seed 9 --resume &&
  { grep -q -- "--seed" "$T/err" && [ -f "$T/s.hant.ckpt" ] && [ ! -f "$T/s.hant" ] && ok || bad "seed mismatch: $(cat "$T/err")"; }
top=$($H eval "$T/full.hant" --data $D | sed -n 's/^top1 //p')
[ -n "$top" ] && ok || bad "eval printed no top1"
$H predict "$T/full.hant" $D/t10k-images-idx3-ubyte -o "$T/logits.npy" && ok || bad "predict"
if $PY -c 'import numpy' 2>/dev/null; then
  agree=$($PY -c "
import numpy as np
z = np.load('$T/logits.npy'); l = np.frombuffer(open('$D/t10k-labels-idx1-ubyte','rb').read()[8:], np.uint8)
print('%.4f' % (z.argmax(1) == l).mean())")
  [ "$agree" = "$top" ] && ok || bad "eval top1 $top but predict gives $agree"
else skip "no numpy to check predict against eval" "sudo apt-get install -y python3-numpy"; fi
printf '\0\0\10\3junk' > "$T/bad-images-idx3-ubyte"
$H predict "$T/full.hant" "$T/bad-images-idx3-ubyte" -o "$T/l.npy" 2>"$T/err"; [ $? -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "bad IDX: $(cat "$T/err")"
$H eval "$T/full.hant" --data /nonexistent 2>"$T/err"; [ $? -eq 1 ] && grep -q "make data" "$T/err" && ok || bad "missing data dir: $(cat "$T/err")"
$H train b0-fm -o "$T/y.hant" --lr -1 2>/dev/null; [ $? -eq 2 ] && ok || bad "negative lr accepted"
for c in train eval predict; do $H $c --help >/dev/null && ok || bad "$c --help"; done
finish
