#!/bin/sh
# hant train / eval / predict on a Fashion-MNIST subset: a resumed run ends
# with the same bytes as an uninterrupted one; eval and predict agree; bad
# data gets a one-line error. Needs build/data (make data); skipped without.
. "$(dirname "$0")/lib_cli.sh"
need_data
ARGS="b0-fm --subset 192 --val 64 --epochs 2 --batch 64 --threads 2 --quiet --lr 0.05"
t0=$(date +%s.%N)
$H train $ARGS -o "$T/full.hant" >"$T/full.log" 2>&1 && ok || bad "uninterrupted run: $(cat "$T/full.log")"
run_s=$(echo "$t0 $(date +%s.%N)" | awk '{ print $2 - $1 }')
$H train $ARGS -o "$T/part.hant" --stop-after 1 >"$T/p1.log" 2>&1 && [ ! -f "$T/part.hant" ] && [ -f "$T/part.hant.ckpt" ] && ok || bad "stop after 1 epoch"
$H train $ARGS -o "$T/part.hant" --resume >"$T/p2.log" 2>&1 && ok || bad "resume: $(cat "$T/p2.log")"
cmp -s "$T/full.hant" "$T/part.hant" && ok || bad "resumed model differs from the uninterrupted one"
strip() { tail -1 "$1" | sed 's/ elapsed_s.*//'; }
# SIGKILL at seeded random points (KILL_SEED), then --resume from whatever was
# left: every file at its final name is whole at every moment, and the run
# ends with the same bytes as the uninterrupted one.
kills=0; seed=${KILL_SEED:-1}; delays=
while [ ! -f "$T/k.hant" ] && [ $kills -lt 8 ]; do
  d=$(awk -v s=$seed -v k=$kills -v t="$run_s" 'BEGIN { srand(s * 100 + k); printf "%.2f", rand() * t * 1.1 }')
  r=; [ -f "$T/k.hant.ckpt" ] && r=--resume
  $H train $ARGS -o "$T/k.hant" $r >"$T/k.log" 2>&1 & pid=$!
  sleep "$d"; kill -9 $pid 2>/dev/null && kills=$((kills+1)); wait $pid 2>/dev/null
  delays="$delays $d"
  for f in "$T/k.hant" "$T/k.hant.ckpt" "$T/k.hant.ckpt.next"; do
    [ ! -f "$f" ] || $H info "$f" >/dev/null 2>"$T/kerr" || bad "after SIGKILL at ${d}s: $(basename "$f") is not whole: $(cat "$T/kerr")"
  done
  [ ! -f "$T/k.hant.ckpt" ] || [ -f "$T/k.hant.ckpt.opt" ] || bad "after SIGKILL at ${d}s: checkpoint without its .opt"
done
if [ ! -f "$T/k.hant" ]; then
  r=; [ -f "$T/k.hant.ckpt" ] && r=--resume
  $H train $ARGS -o "$T/k.hant" $r >"$T/k.log" 2>&1 || bad "resume after $kills kills (at$delays s): $(cat "$T/k.log")"
fi
cmp -s "$T/full.hant" "$T/k.hant" && ok || bad "after $kills SIGKILLs (at$delays s; run ${run_s}s, KILL_SEED=$seed) the model differs from the uninterrupted one"
[ "$(strip "$T/full.log")" = "$(strip "$T/p2.log")" ] && ok || bad "last epoch lines differ: $(strip "$T/full.log") / $(strip "$T/p2.log")"
# The two moments a kill can split the checkpoint's files, made by hand: the
# model written to .ckpt.next (A: and the optimizer state naming it; B: not yet)
$H train $ARGS -o "$T/w.hant" --stop-after 1 >/dev/null 2>&1 && cp "$T/w.hant.ckpt" "$T/w1.ckpt" && cp "$T/w.hant.ckpt.opt" "$T/w1.opt" &&
  $H train $ARGS -o "$T/w.hant" --resume >/dev/null 2>&1 && rm "$T/w.hant" && cp "$T/w.hant.ckpt" "$T/w2.ckpt" && cp "$T/w.hant.ckpt.opt" "$T/w2.opt" &&
  ok || bad "checkpoints for the split states"
for st in A B; do
  cp "$T/w2.ckpt" "$T/w.hant.ckpt.next"; cp "$T/w1.ckpt" "$T/w.hant.ckpt"
  if [ $st = A ]; then cp "$T/w2.opt" "$T/w.hant.ckpt.opt"; else cp "$T/w1.opt" "$T/w.hant.ckpt.opt"; fi
  $H train $ARGS -o "$T/w.hant" --resume >"$T/w.log" 2>&1 && cmp -s "$T/full.hant" "$T/w.hant" && [ ! -f "$T/w.hant.ckpt.next" ] && ok ||
    bad "resume from split state $st: not the uninterrupted model: $(tail -n 2 "$T/w.log")"
  rm -f "$T/w.hant"
done
# resuming a real checkpoint with another --seed is refused, naming the seed; the checkpoint stays
$H train $ARGS -o "$T/s.hant" --stop-after 1 >/dev/null 2>&1 && [ -f "$T/s.hant.ckpt" ] && ok || bad "checkpoint for the seed check"
expect_rc 1 "resume with another seed" $H train $ARGS -o "$T/s.hant" --seed 9 --resume &&
  { grep -q -- "--seed" "$T/err" && [ -f "$T/s.hant.ckpt" ] && [ ! -f "$T/s.hant" ] && ok || bad "seed mismatch: $(cat "$T/err")"; }
# final BN statistics: the plain averages are kept only if they score no worse on the
# validation split; otherwise the model is the one without recalibration, byte for byte
$H train $ARGS -o "$T/b0.hant" --bn-calibrate 0 >/dev/null 2>&1 || bad "train without recalibration"
for nb in 1 2 3; do
  $H train $ARGS -o "$T/b$nb.hant" --bn-calibrate $nb >"$T/b.log" 2>&1 || bad "train --bn-calibrate $nb: $(tail -1 "$T/b.log")"
  last=$(sed -n 's/^epoch 2 .*val_top1 \([0-9.]*\).*/\1/p' "$T/b.log")
  if grep -q "^bn_calibrate batches $nb: the moving averages kept (val_top1 $last," "$T/b.log"; then
    cmp -s "$T/b0.hant" "$T/b$nb.hant" && ok || bad "--bn-calibrate $nb reverted, but the model is not the one without recalibration"
  else
    fin=$(sed -n "s/^bn_calibrate batches $nb val_top1 //p" "$T/b.log")
    [ -n "$fin" ] && awk -v a="$fin" -v b="$last" 'BEGIN { exit !(a >= b) }' && ! cmp -s "$T/b0.hant" "$T/b$nb.hant" && ok ||
      bad "--bn-calibrate $nb kept statistics that score lower ($fin < $last) or changed nothing: $(grep bn_cal "$T/b.log")"
  fi
done
# eval and predict agree on the first 2,000 test images (all 10,000 took a quarter of this suite)
E="$T/test2k"; test_split "$E" 2000
top=$($H eval "$T/full.hant" --data "$E" | sed -n 's/^top1 //p')
[ -n "$top" ] && ok || bad "eval printed no top1"
$H predict "$T/full.hant" "$E/t10k-images-idx3-ubyte" -o "$T/logits.npy" && ok || bad "predict"
if $PY -c 'import numpy' 2>/dev/null; then
  agree=$($PY -c "
import numpy as np
z = np.load('$T/logits.npy'); l = np.frombuffer(open('$E/t10k-labels-idx1-ubyte','rb').read()[8:], np.uint8)
assert len(z) == len(l) == 2000
print('%.4f' % (z.argmax(1) == l).mean())")
  [ "$agree" = "$top" ] && ok || bad "eval top1 $top but predict gives $agree"
else skip "no numpy to check predict against eval" "sudo apt-get install -y python3-numpy"; fi
printf '\0\0\10\3junk' > "$T/bad-images-idx3-ubyte"
$H predict "$T/full.hant" "$T/bad-images-idx3-ubyte" -o "$T/l.npy" 2>"$T/err"; [ $? -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "bad IDX: $(cat "$T/err")"
$H eval "$T/full.hant" --data /nonexistent 2>"$T/err"; [ $? -eq 1 ] && grep -q "make data" "$T/err" && ok || bad "missing data dir: $(cat "$T/err")"
$H train b0-fm -o "$T/y.hant" --lr -1 2>/dev/null; [ $? -eq 2 ] && ok || bad "negative lr accepted"
for c in train eval predict; do $H $c --help >/dev/null && ok || bad "$c --help"; done
finish
