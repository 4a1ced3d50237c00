#!/bin/sh
# Bring your own model and data: the user's path from a PyTorch-trained
# torchvision network to a faster student, checked in onnxruntime.
#   1. the data set as .npy (Fashion-MNIST made 32x32 RGB: prepare_fm32.py)
#   2. the teacher: models/mnv2-fm32.onnx (torchvision mobilenet_v2 x0.5,
#      trained by train_teacher.py; WALK_RETRAIN=1 retrains it, about 50 min)
#   3. hant import (with the normalisation the teacher was trained with)
#   4. hant transform on the .npy set, 5. hant export of the student
#   6. top-1 and batch-1 latency of teacher and student in hant and onnxruntime
# Run from the repository root after 'make hant data' (make walkthrough does both).
# Variables: WALK_SPEEDUP (3), WALK_ARGS (transform's bounds), WALK (build/walk).
set -eu
W=${WALK:-build/walk}
S=${WALK_SPEEDUP:-3}
ARGS=${WALK_ARGS:---pool quick+q8 --images 1024 --epochs 1 --subset 10000}
H=./hant
MEAN=0.2860,0.2860,0.2860   # Fashion-MNIST's pixel mean/std, as train_teacher.py normalised
STD=0.3530,0.3530,0.3530
mkdir -p "$W"
echo "== 1. data: build/fm32/{train,test}_{images,labels}.npy"
[ -f build/fm32/test_labels.npy ] || /usr/bin/python3 examples/walkthrough/prepare_fm32.py build/data build/fm32
echo "== 2. teacher"
if [ -n "${WALK_RETRAIN:-}" ] || [ ! -f models/mnv2-fm32.onnx ]; then
  /usr/bin/python3 examples/walkthrough/train_teacher.py --data build/fm32 --arch mobilenet_v2 --width 0.5 \
    --epochs 10 --batch 128 --threads 1 --lr 0.1 --wd 5e-5 --seed 1 -o "$W/teacher.onnx" | tee "$W/train.log"
else cp models/mnv2-fm32.onnx "$W/teacher.onnx"; echo "models/mnv2-fm32.onnx (WALK_RETRAIN=1 retrains it)"; fi
echo "== 3. hant import"
$H import "$W/teacher.onnx" -o "$W/teacher.hant" --mean $MEAN --std $STD
$H info "$W/teacher.hant"
echo "== 4. hant transform --speedup $S"
# shellcheck disable=SC2086
$H transform "$W/teacher.hant" --data build/fm32 --speedup "$S" -o "$W/student.hant" --work "$W/work" $ARGS
echo "== 5. hant export"
$H export "$W/student.hant" -o "$W/student.onnx"
echo "== 6. teacher and student: hant and onnxruntime"
PY=${WALK_PY:-$(sh bench/setup_venv.sh | tail -n 1)}   # WALK_PY: a python with onnxruntime
for m in teacher student; do echo "hant $m: $($H eval "$W/$m.hant" --data build/fm32 | sed -n 's/^top1 /top-1 /p')"; done
"$PY" examples/walkthrough/ort_eval.py "$W/teacher.onnx" "$W/student.onnx" build/fm32 --mean $MEAN --std $STD
echo "hant's report: $W/work/report.md"
