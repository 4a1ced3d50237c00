#!/bin/sh
# Bring your own model and data, end to end (issue 14): a tiny torchvision-style
# teacher (tests/walk_tiny.py: stem, two ResNet basic blocks, the second with a
# 1x1 projection, a MobileNetV2 inverted residual; 32x32x3, 4 classes) trained
# in PyTorch on 384 synthetic .npy images and exported to ONNX, then the user's
# path: hant import --mean/--std, hant transform TEACHER.onnx --data DIR -o
# STUDENT.onnx (profile, distill, select, finetune, measure, report, export),
# and onnxruntime's top-1 of the exported student equal to hant's.
# Needs torch ($HANT_PYTHON) for the teacher, else skipped; the onnxruntime
# check needs build/venv (sh bench/setup_venv.sh) or $ORT_PY, else skipped.
. "$(dirname "$0")/lib_cli.sh"
OPY=${ORT_PY:-build/venv/bin/python}
"$PY" -c 'import torch, torchvision, numpy' 2>/dev/null || skip_all "no torch, torchvision and numpy in $PY" "sudo apt-get install -y python3-torch python3-torchvision python3-numpy"
D="$T/data"; W="$T/work"
"$PY" tests/walk_tiny.py "$T/tiny.onnx" "$D" 32 32 3 4 384 128 && ok || { bad "walk_tiny.py"; finish; exit; }
expect_rc 0 "import" $H import "$T/tiny.onnx" -o "$T/tiny.hant" --mean 0,0,0 --std 1,1,1
grep -q "3 blocks, 4 classes" "$T/out" && ok || bad "import summary: $(cat "$T/out")"
expect_rc 0 "info" $H info "$T/tiny.hant"
[ "$(grep -c '^[0-9]  *basic ' "$T/out")" = 2 ] && grep -q '^2  *mbconv ' "$T/out" && ok || bad "block kinds: $(cat "$T/out")"
expect_rc 0 "teacher eval" $H eval "$T/tiny.onnx" --data "$D"
ttop=$(sed -n 's/^top1 //p' "$T/out")
awk -v t="$ttop" 'BEGIN { exit !(t >= 0.9) }' && ok || bad "teacher top-1 '$ttop'"
# the whole pipeline on the .onnx teacher, the student written as ONNX
expect_rc 0 "transform TEACHER.onnx -o STUDENT.onnx" $H transform "$T/tiny.onnx" --data "$D" --speedup 1.5 -o "$T/s.onnx" \
  --work "$W" --images 256 --epochs 2 --lr 0.02
cp "$T/out" "$T/tr"
for s in "1/5 profile" "2/5 distill" "3/5 select" "4/5 finetune" "5/5 measure"; do
  grep -q "== $s" "$T/tr" && ok || bad "no '$s' step"; done
grep -q "student exported: $T/s.onnx (hant: $W/s1.5.hant)" "$T/tr" && [ -s "$T/s.onnx" ] && [ -s "$W/s1.5.hant" ] && ok || bad "student export: $(tail -3 "$T/tr")"
# the basic blocks got candidates other than the teacher's own and identity, some warm-started
awk -F'\t' '($1 == "0" || $1 == "1") && $8 != "-" { n++ } ($1 == "0" || $1 == "1") && $2 ~ /^basic/ && $7 > 0 { w++ }
  END { exit !(n >= 3 && w >= 2) }' "$W/scores.tsv" && ok || bad "basic blocks: too few scored or warm-started candidates"
grep -q "teacher" "$W/report.md" && grep -q "s1.5" "$W/report.md" && ok || bad "report: $(head -20 "$W/report.md")"
stop=$($H eval "$W/s1.5.hant" --data "$D" 2>/dev/null | sed -n 's/^top1 //p')
awk -v t="$stop" 'BEGIN { exit !(t >= 0.5) }' && ok || bad "student top-1 '$stop'"
# the exported student is the student: imported back, the same top-1
expect_rc 0 "student.onnx eval" $H eval "$T/s.onnx" --data "$D"
[ "$(sed -n 's/^top1 //p' "$T/out")" = "$stop" ] && ok || bad "s.onnx top-1 $(cat "$T/out") vs $stop"
# phase 1 on the imported teacher in two shards, merged: the same table as the transform's
# single run (same candidates, same scores), and a rerun resumes with nothing to train
W2="$T/work2"; mkdir -p "$W2"; cp "$W/lut.tsv" "$W2/"
DA="$T/tiny.onnx --work $W2 --data $D --images 256 --quiet"
expect_rc 0 "distill shard 0/2" $H distill $DA --shard 0/2
expect_rc 0 "distill shard 1/2" $H distill $DA --shard 1/2
expect_rc 0 "merge" $H distill --merge 2 --work "$W2"
grep -v '^#' "$W2/scores.tsv" | sort > "$T/s2"; grep -v '^#' "$W/scores.tsv" | sort > "$T/s1"
cmp -s "$T/s1" "$T/s2" && ok || bad "merged shards differ from the single run: $(diff "$T/s1" "$T/s2" | head -4)"
expect_rc 0 "distill resume" $H distill $DA
grep -q "^distilled 0 candidates" "$T/out" && ok || bad "resume retrained: $(cat "$T/out")"
# onnxruntime on the exported student: the same top-1 as hant on the test split
if ! [ -x "$OPY" ] || ! "$OPY" -c 'import onnxruntime, numpy' 2>/dev/null; then
  skip "onnxruntime top-1 of the exported student: no onnxruntime in $OPY" "sh bench/setup_venv.sh"
else
  o=$("$OPY" examples/walkthrough/ort_eval.py "$T/s.onnx" "$D" --mean 0,0,0 --std 1,1,1 --top1-only 2>"$T/err")
  awk -v a="$o" -v b="$stop" 'BEGIN { d = a - b * 100; exit !(a != "" && d < 0.05 && d > -0.05) }' && ok || bad "onnxruntime top-1 '$o' vs hant $stop: $(cat "$T/err")"
fi
finish
