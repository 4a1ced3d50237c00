#!/usr/bin/env python3
"""Reference models for the ONNX import tests: a torchvision network with
random weights and non-trivial batch-norm statistics, exported to ONNX, plus a
random NCHW input and PyTorch's logits for it (eval mode).

  onnx_ref.py NET OUTDIR [--size 64] [--classes 10] [--opset 13] [--keep-bn]
              [--seed 0] [--batch 2]

NET: efficientnet_b0 mobilenet_v2 mobilenet_v3_small resnet18 resnet50.
Writes OUTDIR/model.onnx, OUTDIR/x.npy, OUTDIR/y.npy. --keep-bn exports the
BatchNormalization nodes (TrainingMode.PRESERVE on an eval model, no constant
folding); without it, torch folds batch norm into the convolutions."""
import argparse, os, sys
import numpy as np
import torch, torchvision

NETS = ("efficientnet_b0", "mobilenet_v2", "mobilenet_v3_small", "resnet18", "resnet50")

def build(name, classes, seed):
    torch.manual_seed(seed)
    m = getattr(torchvision.models, name)(weights=None, num_classes=classes)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(0.5 + torch.rand(c, generator=g))
                mod.bias.copy_(0.2 * torch.randn(c, generator=g))
                mod.running_mean.copy_(0.2 * torch.randn(c, generator=g))
                mod.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=g))
            elif isinstance(mod, torch.nn.Linear):
                mod.bias.copy_(0.1 * torch.randn(mod.bias.shape, generator=g))
    return m.eval()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("net", choices=NETS)
    ap.add_argument("outdir")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--keep-bn", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(1)
    m = build(a.net, a.classes, a.seed)
    x = torch.randn(a.batch, 3, a.size, a.size, generator=torch.Generator().manual_seed(a.seed + 2))
    with torch.no_grad():
        y = m(x)
    os.makedirs(a.outdir, exist_ok=True)
    kw = dict(opset_version=a.opset, input_names=["x"], output_names=["logits"],
              dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}})
    if a.keep_bn:
        kw.update(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    else:
        kw.update(do_constant_folding=True)
    torch.onnx.export(m, x, os.path.join(a.outdir, "model.onnx"), **kw)
    np.save(os.path.join(a.outdir, "x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(a.outdir, "y.npy"), y.numpy().astype(np.float32))

if __name__ == "__main__":
    main()
