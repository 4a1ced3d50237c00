#!/bin/sh
# hant import and .onnx models in the CLI. Without torch: usage and error
# cases. With Debian's python3-torch/torchvision: the five torchvision networks
# (random weights, randomised batch-norm statistics, 64x64, 10 classes),
# exported by tests/onnx_ref.py with batch norm folded (opset 13) and kept
# (opset 11 or 17), imported and run by hant: max|hant - torch| / max|torch|
# must be <= 1e-4, through the .hant file and from the .onnx file directly.
. tests/lib_cli.sh

expect_rc 0 "import --help" "$H" import --help
grep -q -- "--mean" "$T/out" || bad "import --help does not mention --mean"
expect_rc 2 "import without -o" "$H" import x.onnx
expect_rc 2 "import bad --mean" "$H" import x.onnx -o y.hant --mean 1,abc
expect_rc 1 "import missing file" "$H" import "$T/none.onnx" -o "$T/y.hant"
printf 'not an onnx model' > "$T/bad.onnx"
expect_rc 1 "import garbage" "$H" import "$T/bad.onnx" -o "$T/y.hant"
expect_rc 1 "info garbage .onnx" "$H" info "$T/bad.onnx"

# hant export then hant import gives the same network: bit-identical logits
# (the exporter folds batch norm; the importer's identity BN keeps the weights)
if [ -f models/teacher-b0-fm.hant ] && $PY -c 'import numpy' 2>/dev/null; then
  $PY -c "import numpy as np; np.random.seed(5); np.save('$T/rx.npy', np.random.randn(4, 1, 28, 28).astype(np.float32))" &&
  "$H" export models/teacher-b0-fm.hant -o "$T/rt.onnx" >/dev/null &&
  "$H" import "$T/rt.onnx" -o "$T/rt.hant" >/dev/null &&
  "$H" run models/teacher-b0-fm.hant --input "$T/rx.npy" --output "$T/ry1.npy" &&
  "$H" run "$T/rt.hant" --input "$T/rx.npy" --output "$T/ry2.npy" &&
  cmp -s "$T/ry1.npy" "$T/ry2.npy" && ok || bad "export/import round trip of models/teacher-b0-fm.hant changed the logits"
fi

if ! $PY -c 'import torch, torchvision, numpy' 2>/dev/null; then
  skip_all "the PyTorch comparison needs torch, torchvision and numpy in $PY" "sudo apt-get install -y python3-torch python3-torchvision python3-numpy"
fi
# torch on one thread each: the networks in two halves at once
$PY tests/onnx_ref.py all "$T/ref" --size 64 --classes 10 --part 0/2 >"$T/py0.log" 2>&1 & p0=$!
$PY tests/onnx_ref.py all "$T/ref" --size 64 --classes 10 --part 1/2 >"$T/py1.log" 2>&1; r1=$?
wait $p0; r0=$?
if [ $r0 -ne 0 ] || [ $r1 -ne 0 ]; then
  bad "tests/onnx_ref.py: $(tail -n 3 "$T/py0.log" "$T/py1.log")"; finish; exit
fi
# errs H Y Y64, in one Python start: max|a - b| / max|b| of hant against PyTorch float32, of PyTorch
# float32 against float64 and of hant against float64, then "ok" if the first is <= 1e-4
errs() { $PY -c "import numpy as np, sys
def r(p, q):
    a = np.load(p).astype(np.float64); b = np.load(q).astype(np.float64)
    return '%.3g' % (np.abs(a - b).max() / np.abs(b).max()) if a.shape == b.shape else ('shape %s vs %s' % (a.shape, b.shape)).replace(' ', '')
e = r(sys.argv[1], sys.argv[2])
try: v = 'ok' if float(e) <= 1e-4 else 'over'
except ValueError: v = 'over'
print(e, r(sys.argv[2], sys.argv[3]), r(sys.argv[1], sys.argv[3]), v)" "$1" "$2" "$3"; }
for d in "$T"/ref/*/; do
  n=$(basename "$d")
  if ! "$H" import "$d/model.onnx" -o "$d/m.hant" --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 >"$T/out" 2>&1; then
    bad "$n: import: $(cat "$T/out")"; continue
  fi
  for src in m.hant model.onnx; do
    if ! "$H" run "$d/$src" --input "$d/x.npy" --output "$d/h.npy" >"$T/out" 2>&1; then bad "$n: run $src: $(cat "$T/out")"; continue; fi
    read -r e e32 eh v <<EOF
$(errs "$d/h.npy" "$d/y.npy" "$d/y64.npy")
EOF
    if [ "$v" = ok ]; then ok
      echo "  $n ($src): relative error $e (PyTorch float32: $e32 from float64, hant: $eh)"
    else bad "$n ($src): relative error $e > 1e-4"; fi
  done
done
# a network hant cannot express is refused, naming the node at fault: a ResNeXt block's grouped conv
if $PY -c "import inspect, torch
from torchvision.models.resnet import ResNet, Bottleneck
torch.manual_seed(0)
m = ResNet(Bottleneck, [1, 1, 1, 1], groups=2, width_per_group=8, num_classes=10).eval()
kw = {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}
torch.onnx.export(m, torch.randn(1, 3, 32, 32), '$T/resnext.onnx', opset_version=13, **kw)" >"$T/py2.log" 2>&1; then
  expect_rc 1 "import a ResNeXt block" "$H" import "$T/resnext.onnx" -o "$T/resnext.hant" &&
  { grep -q "node '[^']*layer1.0/conv2/Conv' (Conv) could not be placed: a grouped convolution (group 2)" "$T/err" && ok ||
    bad "import a ResNeXt block: $(head -c 300 "$T/err")"; }
else bad "the ResNeXt-style export: $(tail -n 3 "$T/py2.log")"; fi
# info on an .onnx file lists the ONNX nodes of each block; the .hant keeps the normalisation
d="$T/ref/resnet18-o13-fold"
"$H" info "$d/model.onnx" >"$T/out" 2>&1 && grep -q "<- .*layer1" "$T/out" && ok || bad "info model.onnx: $(head -c 300 "$T/out")"
"$H" info "$d/m.hant" >"$T/out" 2>&1 && grep -q "mean 0.4850" "$T/out" && ok || bad "info m.hant: normalisation not stored: $(head -n 3 "$T/out")"
finish
