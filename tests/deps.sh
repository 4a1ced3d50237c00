#!/bin/sh
# What 'make test' needs beyond a C compiler and make, installed with apt-get
# when it is missing and we are root (as 'make demo' does); otherwise one line
# with the command to run, and the tests that need it are counted as skipped.
#   libglpk-dev             the solver's GLPK cross-check (compiled in when present)
#   python3-torch, -torchvision, -numpy   the PyTorch comparisons (cli_torch.sh, cli_onnx.sh)
#   dataset-fashion-mnist   training, quantization and pipeline tests ('make data')
#   python3-venv            build/venv, where bench/setup_venv.sh puts onnx, onnxruntime, OpenVINO
#   strace                  cli_kill.sh's kills at a chosen write system call
# HANT_TEST_INSTALL=0 never installs. HANT_PYTHON set: that Python is used as
# it is (a venv, or a path that does not exist to run without PyTorch).
# 'sh tests/deps.sh system': the apt-get part alone; 'sh tests/deps.sh venv': build/venv alone
# (make test sets up the venv while the test programs compile); no argument: both.
part=${1:-all}
# onnxruntime writes a cache under $XDG_CACHE_HOME on import: keep it in build/.
export XDG_CACHE_HOME="$PWD/build/cache"
if [ "$part" != venv ]; then
need=
[ -f /usr/include/glpk.h ] || need="$need libglpk-dev"
command -v strace >/dev/null 2>&1 || need="$need strace"
if [ -z "$HANT_PYTHON" ]; then
  /usr/bin/python3 -c 'import torch, torchvision, numpy' 2>/dev/null || need="$need python3-torch python3-torchvision python3-numpy"
fi
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || need="$need python3-venv"   # build/venv for onnxruntime
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "${DATA_SRC:-/usr/share/datasets/fashion-mnist}/$f.gz" ] || { need="$need dataset-fashion-mnist"; break; }
done
if [ -n "$need" ]; then
if [ "${HANT_TEST_INSTALL:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --reinstall $need >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --reinstall $need >/dev/null; } ||
    echo "note: could not install$need; the tests that need them are skipped"
else
  echo "note: missing$need; the tests that need them are skipped (run: sudo apt-get install -y$need)"
fi
fi
fi
[ "$part" = system ] && exit 0
# onnxruntime comes from PyPI into build/venv (bench/setup_venv.sh; nothing outside the repository)
# (a venv made before its hant_home.pth existed gets one from setup_venv.sh before onnxruntime is imported)
if [ ! -x build/venv/bin/python ] || ! ls build/venv/lib/python3*/site-packages/hant_home.pth >/dev/null 2>&1 ||
   ! build/venv/bin/python -c 'import onnxruntime' 2>/dev/null; then
  if [ "${HANT_TEST_INSTALL:-1}" != 0 ] && [ -z "$HANT_PYTHON" ] && /usr/bin/python3 -c 'import torch, numpy, venv' 2>/dev/null; then
    echo "installing onnx, onnxruntime and OpenVINO into build/venv (bench/setup_venv.sh)"
    sh bench/setup_venv.sh >/dev/null 2>&1 || echo "note: bench/setup_venv.sh failed; the onnxruntime checks are skipped"
  else
    echo "note: no build/venv; the onnxruntime checks are skipped (run: sh bench/setup_venv.sh)"
  fi
fi
exit 0
