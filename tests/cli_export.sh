#!/bin/sh
# hant export: ONNX files that onnxruntime runs to hant's results. Without
# onnxruntime (build/venv from bench/setup_venv.sh, or $ORT_PY) the comparisons
# are skipped and counted as skipped; the CLI checks always run.
#   fp32 (the b0-fm teacher, a random b0-fm at opset 14, one small net per block
#   kind from test_onnx_export --emit): max |ort - hant| / max |hant| <= 1e-4.
#   int8, within the int8 rounding (tests/ort_check.py): the small int8 nets with
#   mean |ort - hant int8| < 1/4 of mean |hant fp32 - hant int8| and max <= 5% of
#   the largest logit (measured: equal to 3e-7); the quantised teacher with its
#   int8 head on 500 Fashion-MNIST test images: mean under 1/2 of it (measured
#   0.30) and top-1 agreement >= 99% (measured 100%).
. "$(dirname "$0")/lib_cli.sh"
OPY=${ORT_PY:-build/venv/bin/python}
TEACHER=models/teacher-b0-fm.hant
expect_rc 0 "export --help" $H export --help
grep -q 'usage: hant export MODEL.hant -o MODEL.onnx' "$T/out" && ok || bad "help text: $(head -1 "$T/out")"
expect_rc 0 "export the teacher" $H export $TEACHER -o "$T/t.onnx"
grep -q "^wrote $T/t.onnx: opset 13, 4019782 parameters$" "$T/out" && ok || bad "export summary: $(cat "$T/out")"
[ "$(head -c 2 "$T/t.onnx" | od -An -tx1 | tr -d ' ')" = "0807" ] && ok || bad "the file does not start with ir_version 7"
expect_rc 2 "no output" $H export $TEACHER
expect_rc 2 "opset 12" $H export $TEACHER -o "$T/x.onnx" --opset 12
expect_rc 2 "unknown option" $H export $TEACHER -o "$T/x.onnx" --fast
expect_rc 1 "missing model" $H export "$T/none.hant" -o "$T/x.onnx"
expect_rc 1 "unwritable output" $H export $TEACHER -o "$T/no/dir/x.onnx"
grep -q "$T/no/dir/x.onnx" "$T/err" && ok || bad "the error does not name the path: $(cat "$T/err")"
# round trip: hant import of the export is the same function (the logits bit for bit here)
expect_rc 0 "import the export" $H import "$T/t.onnx" -o "$T/back.hant" --mean 0.2860 --std 0.3530
printf '\223NUMPY\001\000v\000{'"'"'descr'"'"': '"'"'<f4'"'"', '"'"'fortran_order'"'"': False, '"'"'shape'"'"': (2, 1, 28, 28), }' > "$T/rt.npy"
head -c $((128 - $(wc -c < "$T/rt.npy") - 1)) /dev/zero | tr '\0' ' ' >> "$T/rt.npy"; echo >> "$T/rt.npy"
tail -c +4097 $TEACHER | head -c 6272 >> "$T/rt.npy" # 2 images: 1568 of the teacher's (finite) conv weights
$H run $TEACHER --input "$T/rt.npy" --output "$T/rt0.npy" >/dev/null 2>"$T/err" && $H run "$T/back.hant" --input "$T/rt.npy" --output "$T/rt1.npy" >/dev/null 2>>"$T/err" &&
  cmp -s "$T/rt0.npy" "$T/rt1.npy" && ok || bad "round trip: the imported export gives other logits: $(cat "$T/err")"
head -c 3000 $TEACHER > "$T/trunc.hant"
expect_rc 1 "truncated model" $H export "$T/trunc.hant" -o "$T/x.onnx"
[ ! -e "$T/x.onnx" ] && ok || bad "a failed export wrote its output"

if ! [ -x "$OPY" ] || ! "$OPY" -c 'import onnxruntime, numpy' 2>/dev/null; then
  skip "onnxruntime against hant: no onnxruntime in $OPY" "sh bench/setup_venv.sh"
else
  C="$OPY tests/ort_check.py"
  # the teacher on random normalised input, fp32
  $OPY -c "import numpy as np; np.save('$T/x.npy', np.random.RandomState(1).randn(8, 1, 28, 28).astype(np.float32))"
  $H run $TEACHER --input "$T/x.npy" --output "$T/tf.npy" --threads 2 >/dev/null && ok || bad "hant run teacher"
  $C compare "$T/t.onnx" "$T/x.npy" "$T/tf.npy" >"$T/c" 2>&1 && ok || bad "teacher: $(tail -1 "$T/c")"
  echo "  teacher fp32: $(tail -1 "$T/c")"
  # a random b0-fm, opset 14 (HardSwish where there is one)
  $H new b0-fm -o "$T/r.hant" --seed 5 >/dev/null && $H export "$T/r.hant" -o "$T/r.onnx" --opset 14 >/dev/null && ok || bad "new + export --opset 14"
  $H run "$T/r.hant" --input "$T/x.npy" --output "$T/rf.npy" --threads 2 >/dev/null
  $C compare "$T/r.onnx" "$T/x.npy" "$T/rf.npy" >"$T/c" 2>&1 && ok || bad "random b0-fm: $(tail -1 "$T/c")"
  # one small net per block kind (fp32, tiled, int8, headless, identity)
  E=${HANT_TEST_BIN:-$(dirname "$H")}/test_onnx_export
  if [ -x "$E" ]; then
    mkdir -p "$T/e" && "$E" --emit "$T/e" && ok || bad "test_onnx_export --emit"
    $C emitted "$T/e" >"$T/c" 2>&1 && ok || { bad "block kinds:"; cat "$T/c"; }
    echo "  $(grep -c '^[a-z0-9]*: ok' "$T/c") small nets, one per block kind: $(grep -c 'ok int8' "$T/c") int8"
  else skip "one net per block kind: $E not built" "make $E"; fi
  # the quantised teacher (int8 blocks and head) on 500 real test images: top-1 agreement >= 99%, and
  # onnxruntime's distance to hant's int8 logits under half of the int8 quantisation's own (fp32 - int8):
  # rounding ties that fall the other way flip a u8 code here and there, and 17 int8 parts propagate them
  if [ -f $D/t10k-images-idx3-ubyte ]; then
    $H quantize $TEACHER -o "$T/q.hant" --calib 128 --head --threads 2 >/dev/null && $H export "$T/q.hant" -o "$T/q.onnx" >/dev/null && ok || bad "quantize + export"
    $C idx-head $D/t10k-images-idx3-ubyte "$T/img" 500 && $C idx-head $D/t10k-labels-idx1-ubyte "$T/lab" 500
    $H predict "$T/q.hant" "$T/img" -o "$T/ql.npy" --threads 2 >/dev/null && $H predict $TEACHER "$T/img" -o "$T/fl.npy" --threads 2 >/dev/null && ok || bad "predict"
    $C top1 "$T/q.onnx" "$T/img" "$T/lab" "$T/ql.npy" --int8 "$T/fl.npy" --frac 0.5 --min-agree 0.99 >"$T/c" 2>&1 && ok || bad "int8 teacher: $(tail -2 "$T/c")"
    sed 's/^/  teacher int8: /' "$T/c"
  else skip "the int8 teacher: no Fashion-MNIST in $D" "make data"; fi
fi
finish
