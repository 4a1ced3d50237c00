#!/bin/sh
# Creates (or refreshes) build/venv for the reference benchmarks: Debian's
# PyTorch 1.13 and numpy from the system interpreter (/usr/bin/python3, via
# --system-site-packages) plus onnx, onnxruntime and OpenVINO from PyPI, with
# numpy held at the system version so Debian's torch keeps working.
# Idempotent: run it again at any time. Prints the python to use on its last line.
#
#   sh bench/setup_venv.sh            # from the repository root
#   PY=$(sh bench/setup_venv.sh | tail -n 1)
set -eu
cd "$(dirname "$0")/.."
SYSPY=/usr/bin/python3
VENV=build/venv
# Versions checked together on Python 3.11.2 + numpy 1.24.2 + torch 1.13 (2026-11-24).
PINS="onnx==1.23.2 onnxruntime==1.32.0 openvino==2026.4.1"
APT_PKGS="python3-venv python3-torch python3-numpy"

say() { echo "setup_venv: $*" >&2; }

if ! $SYSPY -c 'import torch, numpy, venv' 2>/dev/null; then
    if pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; then
        say "apt-get/dpkg is running; wait for it to finish and run this again"; exit 1
    fi
    if [ "$(id -u)" = 0 ]; then
        say "installing $APT_PKGS with apt-get"
        apt-get install -y $APT_PKGS >&2 || { apt-get update >&2 && apt-get install -y $APT_PKGS >&2; }
    else
        say "missing system packages; run: sudo apt-get install -y $APT_PKGS"; exit 1
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    $SYSPY -m venv --system-site-packages "$VENV"
fi
PY=$VENV/bin/python
# onnxruntime and OpenVINO write telemetry ids under $HOME (~/.cache/Microsoft, ~/intel) when
# imported: this venv's interpreter points HOME (and XDG_CACHE_HOME) at build/venv/home, set at
# start-up by a .pth file, before anything is imported, so nothing outside the repository changes.
SITE=$($PY -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
if [ ! -f "$SITE/hant_home.pth" ]; then
    mkdir -p "$VENV/home"
    echo 'import os, sys; os.environ["HOME"] = os.path.join(sys.prefix, "home"); os.environ["XDG_CACHE_HOME"] = os.path.join(sys.prefix, "home", ".cache")' > "$SITE/hant_home.pth"
fi

if ! $PY -c 'import onnx, onnxruntime, openvino' 2>/dev/null; then
    NPV=$($SYSPY -c 'import numpy; print(numpy.__version__)')
    mkdir -p build
    echo "numpy==$NPV" > build/venv-constraints.txt
    say "pip install $PINS (numpy held at $NPV)"
    $PY -m pip install -q --disable-pip-version-check -c build/venv-constraints.txt $PINS >&2
fi

$PY -c 'import torch, numpy, onnx, onnxruntime, openvino
print("setup_venv: torch", torch.__version__, "numpy", numpy.__version__, "onnx", onnx.__version__,
      "onnxruntime", onnxruntime.__version__, "openvino", openvino.__version__.split("-")[0])' >&2
echo "$(pwd)/$PY"
