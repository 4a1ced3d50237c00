#!/bin/sh
# Bring your own data: a tiny RGB network (32x32x3, 4 classes) trained, scored
# and transformed end to end on a few hundred synthetic .npy images (uint8
# NHWC, and float32 NCHW without a test split), written by the test_data
# program that sits beside $HANT (built with the tests). Bad data sets get a
# one-line error naming the file and the shape the model wants. Also reads
# sets written by NumPy itself where $HANT_PYTHON has it (else skipped).
. "$(dirname "$0")/lib_cli.sh"
TD=${TEST_DATA:-$(dirname "$H")/test_data}
[ -x "$TD" ] || skip_all "no $TD" "make $TD"
R="$T/rgb"; F="$T/rgbf"; W="$T/work"
"$TD" --make-set "$R" 384 128 32 32 3 4 && "$TD" --make-set "$F" 384 0 32 32 3 4 f32 && "$TD" --make-model "$T/tiny.hant" 32 32 3 4 && ok || { bad "fixtures"; finish; exit; }
# train (crop pad round(32/14) = 2, flip), eval, predict: they agree, and the set is learnt
expect_rc 0 "train" $H train "$T/tiny.hant" -o "$T/teacher.hant" --data "$R" --epochs 3 --batch 32 --threads 2 --quiet --lr 0.05 --bn-calibrate 4
grep -q "^epoch 3 .* val_top1 " "$T/out" && ok || bad "train output: $(cat "$T/out")"
expect_rc 0 "eval" $H eval "$T/teacher.hant" --data "$R" --threads 2
top=$(sed -n 's/^top1 //p' "$T/out")
awk -v t="$top" 'BEGIN { exit !(t > 0.8) }' && ok || bad "top-1 '$top' on a set a colour tells apart"
expect_rc 0 "predict .npy" $H predict "$T/teacher.hant" "$R/test_images.npy" -o "$T/logits.npy" --threads 2
ptop=$("$TD" --top1 "$T/logits.npy" "$R/test_labels.npy" | sed -n 's/^top1 //p')
[ -n "$top" ] && [ "$ptop" = "$top" ] && ok || bad "eval top1 $top, predict $ptop"
# the same images as float32 NCHW give the same model (no test split: eval scores the held-out images)
expect_rc 0 "train float32 NCHW" $H train "$T/tiny.hant" -o "$T/tf.hant" --data "$F" --epochs 1 --batch 32 --threads 2 --quiet --no-crop --no-flip --bn-calibrate 0
expect_rc 0 "train uint8 without augmentation" $H train "$T/tiny.hant" -o "$T/tu.hant" --data "$R" --epochs 1 --batch 32 --threads 2 --quiet --no-crop --no-flip --bn-calibrate 0
a=$($H eval "$T/tf.hant" --data "$F" 2>"$T/err" | sed -n 's/^top1 //p'); b=$($H eval "$T/tu.hant" --data "$F" 2>/dev/null | sed -n 's/^top1 //p')
grep -q "no test split" "$T/err" && [ -n "$a" ] && awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d < 0.05 && d > -0.05) }' && ok || bad "float32 vs uint8 models on the held-out images: $a / $b ($(cat "$T/err"))"
expect_rc 0 "crop only" $H train "$T/tiny.hant" -o "$T/tc.hant" --data "$R" --epochs 1 --batch 32 --threads 2 --quiet --no-flip --bn-calibrate 0
cmp -s "$T/tc.hant" "$T/tu.hant" && bad "--no-flip with crop is the same as no augmentation" || ok
# bad data: one line, naming the file and what the model wants
expect_rc 1 "a 28x28x1 model on 32x32x3 images" $H train b0-fm -o "$T/x.hant" --data "$R" --epochs 1 --quiet
grep -q "train_images.npy: images are 32x32x3.*the model wants 28x28x1: uint8 \[N, 28, 28, 1\] or float32 \[N, 1, 28, 28\]" "$T/err" && ok || bad "shape message: $(cat "$T/err")"
"$TD" --make-set "$T/k8" 64 0 32 32 3 8 && ok || bad "8-class set"
expect_rc 1 "labels 0..7 for a 4-class model" $H train "$T/tiny.hant" -o "$T/x.hant" --data "$T/k8" --epochs 1 --quiet
grep -q "train_labels.npy: label [4-7] of item [0-9]* is out of range (0..3)" "$T/err" && ok || bad "label message: $(cat "$T/err")"
expect_rc 1 "no data set" $H train "$T/tiny.hant" -o "$T/x.hant" --data "$T/none" --epochs 1 --quiet
grep -q "train_images.npy.*train-images-idx3-ubyte" "$T/err" && ok || bad "missing set message: $(cat "$T/err")"
expect_rc 1 "predict on the wrong size" $H predict b0-fm "$R/test_images.npy" -o "$T/x.npy"
head -c 100 "$R/train_images.npy" > "$T/trunc.npy"
expect_rc 1 "predict on a truncated file" $H predict "$T/teacher.hant" "$T/trunc.npy" -o "$T/x.npy"
# quantize (calibration images), distill, select, finetune, transform
expect_rc 0 "quantize" $H quantize "$T/teacher.hant" -o "$T/q.hant" --calib 64 --data "$R" --threads 2
expect_rc 0 "eval int8" $H eval "$T/q.hant" --data "$R" --threads 2
mkdir -p "$W"
POOL='teacher;identity;mbconv:e=1,3:k=3:se=0:act=relu;conv:k=1:act=relu'
expect_rc 0 "profile" $H profile "$T/teacher.hant" -o "$W/lut.tsv" --candidates "$POOL" --reps 3 --rounds 1 --validate 2 --threads 2 --quiet --no-check
expect_rc 0 "distill" $H distill "$T/teacher.hant" --work "$W" --pool "$POOL" --images 256 --batch 64 --threads 2 --quiet --data "$R"
awk -F'\t' '!/^#|^block/ && ($3 < 0 || $3 != $3+0) {bad=1} END {exit bad}' "$W/scores.tsv" && ok || bad "a score is not a number >= 0"
expect_rc 0 "select" $H select "$T/teacher.hant" --work "$W" --lut "$W/lut.tsv" --speedup 1.2 --name s12 -o "$T/s12-init.hant"
expect_rc 0 "finetune" $H finetune "$T/s12-init.hant" --teacher "$T/teacher.hant" -o "$T/s12.hant" --data "$R" --epochs 1 --batch 32 --threads 2 --quiet --bn-calibrate 2
expect_rc 0 "transform" $H transform "$T/teacher.hant" --speedup 1.2 -o "$T/t12.hant" --work "$W" --pool "$POOL" --images 256 --epochs 1 --data "$R"
grep -q "^distilled 0 candidates" "$T/out" && grep -q "^student .*top-1" "$T/out" && ok || bad "transform: $(tail -3 "$T/out")"
st=$(sed -n 's/^student .*top-1 \([0-9.]*\)%.*/\1/p' "$T/out")
awk -v t="$st" 'BEGIN { exit !(t > 50) }' && ok || bad "student top-1 $st%"
expect_rc 0 "transform on float32 NCHW, no test split" $H transform "$T/teacher.hant" --speedup 1.2 -o "$T/f12.hant" --work "$W" --pool "$POOL" --images 256 --epochs 1 --data "$F" --name f12
# a set written by NumPy itself
if "$PY" -c 'import numpy' 2>/dev/null; then
  "$PY" - "$R" "$T/np" <<'EOF'
import sys, numpy as np
src, dst = sys.argv[1], sys.argv[2]
import os; os.makedirs(dst, exist_ok=True)
x = np.load(src + '/train_images.npy'); y = np.load(src + '/train_labels.npy')
np.save(dst + '/train_images.npy', x); np.save(dst + '/train_labels.npy', y.astype(np.int32))
t = np.load(src + '/test_images.npy')
np.save(dst + '/test_images.npy', ((t.astype(np.float32) / 255 - 0.5) / 0.25).transpose(0, 3, 1, 2).copy())
np.save(dst + '/test_labels.npy', np.load(src + '/test_labels.npy').astype(np.uint8))
EOF
  expect_rc 0 "eval a NumPy-written float32 test split" $H eval "$T/teacher.hant" --data "$T/np" --threads 2
  nt=$(sed -n 's/^top1 //p' "$T/out")
  awk -v a="$nt" -v b="$top" 'BEGIN { d = a - b; exit !(d < 0.02 && d > -0.02) }' && ok || bad "NumPy float32 test split top-1 $nt, uint8 $top"
  # the same pixels and labels (int32 now) give the same bytes as the run on the C-written set
  expect_rc 0 "train on NumPy-written files" $H train "$T/tiny.hant" -o "$T/np.hant" --data "$T/np" --epochs 1 --batch 32 --threads 2 --quiet --no-crop --no-flip --bn-calibrate 0
  cmp -s "$T/np.hant" "$T/tu.hant" && ok || bad "NumPy-written set trained to other bytes"
else
  skip "a set written by NumPy (no numpy for $PY)" "sudo apt-get install -y python3-numpy"
fi
for c in train eval predict; do $H $c --help >/dev/null && ok || bad "$c --help"; done
finish
