#!/bin/sh
# hant beside onnxruntime and OpenVINO on torchvision's efficientnet_b0, mobilenet_v2,
# mobilenet_v3_small and resnet18 (random weights with non-trivial batch-norm statistics,
# 224x224x3, 1000 classes), each exported by PyTorch and run from that same ONNX file by all
# three (hant imports it on load). Needs /usr/bin/python3 with torch and torchvision, and
# build/venv (sh bench/setup_venv.sh).
# Usage: bench/bench_torchvision.sh [THREADS] [ROUNDS] [BATCH]    (REALTIME=1, ISA=avx2,
# HANT_BASE as bench_export.sh)
set -e
W=build/bench-torchvision; mkdir -p "$W"
nets=
for n in ${TV_NETS:-efficientnet_b0 mobilenet_v2 mobilenet_v3_small resnet18}; do
  [ -f "$W/$n/model.onnx" ] || /usr/bin/python3 tests/onnx_ref.py "$n" "$W/$n" --size 224 --classes 1000 >/dev/null
  nets="$nets $W/$n/model.onnx"
done
NETS="$nets" exec sh bench/bench_export.sh "$@"
