#!/usr/bin/env python3
"""Which torchvision classifiers `hant import` takes: each one built with random
weights and non-trivial batch-norm statistics (tests/onnx_ref.py), exported to
ONNX (batch norm folded, opset 13), imported, run by `hant run` and compared
with PyTorch's float64 logits; or the one-line error that names the first ONNX
node hant could not place. Prints a markdown table.

  /usr/bin/python3 bench/import_survey.py [--hant build/cc-native/hant] [--size 64]
      [--out DIR] [NET ...]        (default: the list below)

Needs python3-torch, python3-torchvision and python3-numpy; nothing is downloaded.
"""
import argparse, importlib.util, os, subprocess, sys, time
import numpy as np
import torch

NETS = ["efficientnet_b0", "efficientnet_b1", "efficientnet_v2_s", "mobilenet_v2", "mobilenet_v3_small",
        "mobilenet_v3_large", "mnasnet0_5", "mnasnet1_0", "resnet18", "resnet34", "resnet50", "wide_resnet50_2",
        "resnext50_32x4d", "regnet_x_400mf", "regnet_y_400mf", "shufflenet_v2_x0_5", "squeezenet1_0",
        "densenet121", "googlenet", "convnext_tiny"]

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("nets", nargs="*", default=NETS)
    ap.add_argument("--hant", default=os.path.join(here, "..", "build", "cc-native", "hant"))
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--out", default=os.path.join(here, "..", "build", "import-survey"))
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("onnx_ref", os.path.join(here, "..", "tests", "onnx_ref.py"))
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    torch.set_num_threads(2)
    print("| torchvision network | hant import | max abs error / max abs logit (vs float64 PyTorch) |")
    print("| --- | --- | --- |")
    for net in a.nets:
        d = os.path.join(a.out, net)
        t0 = time.time()
        try:
            ref.export(net, d, a.size, 10, 13, False, 0, 2)
        except Exception as e:  # torch cannot export some at this size (adaptive pools)
            print("| %s | not exported by torch at %dx%d: %s | |" % (net, a.size, a.size, str(e).splitlines()[0][:120]))
            continue
        m, o = os.path.join(d, "model.onnx"), os.path.join(d, "model.hant")
        r = subprocess.run([a.hant, "import", m, "-o", o], capture_output=True, text=True)
        if r.returncode:
            msg = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
            msg = msg.split("; hant imports")[0].replace(m + ": ", "").replace("|", "/")
            print("| %s | refused: %s | |" % (net, msg))
            continue
        blocks = r.stdout.split(" blocks")[0].rsplit(" ", 1)[-1] if " blocks" in r.stdout else "?"
        y = os.path.join(d, "hant_y.npy")
        r = subprocess.run([a.hant, "run", o, "--input", os.path.join(d, "x.npy"), "--output", y], capture_output=True, text=True)
        if r.returncode:
            print("| %s | imported (%s blocks), run failed: %s | |" % (net, blocks, r.stderr.strip()[:120]))
            continue
        yh, y64 = np.load(y).astype(np.float64), np.load(os.path.join(d, "y64.npy"))
        err = float(np.abs(yh - y64).max() / max(np.abs(y64).max(), 1e-30))
        print("| %s | imported: %s blocks | %.1e |" % (net, blocks, err))
        sys.stdout.flush()

if __name__ == "__main__":
    main()
