#!/usr/bin/env python3
"""Reference models for the ONNX import tests: a torchvision network with
random weights and non-trivial batch-norm statistics, exported to ONNX, plus a
random NCHW input and PyTorch's logits for it (eval mode).

  onnx_ref.py NET OUTDIR [--size 64] [--classes 10] [--opset 13] [--keep-bn]
              [--seed 0] [--batch 2] [--part I/N]

NET: efficientnet_b0 mobilenet_v2 mobilenet_v3_small resnet18 resnet50, or
"all": each of them twice, batch norm folded at opset 13 and kept at another
opset (11 or 17), into OUTDIR/NET-oOPSET-fold|bn/.
Writes OUTDIR/model.onnx, OUTDIR/x.npy, OUTDIR/y.npy (float32 logits) and
OUTDIR/y64.npy (the same network in float64). --keep-bn exports the
BatchNormalization nodes (TrainingMode.PRESERVE on an eval model, no constant
folding); without it, torch folds batch norm into the convolutions."""
import argparse, copy, inspect, os, sys
import numpy as np
import torch, torchvision

NETS = ("efficientnet_b0", "mobilenet_v2", "mobilenet_v3_small", "resnet18", "resnet50")

def build(name, classes, seed, size):
    """Random weights whose activations neither vanish nor explode: batch-norm
    statistics measured on a random batch (so the logits depend on the input),
    then perturbed, with random scale and shift, so that nothing is trivial."""
    torch.manual_seed(seed)
    m = getattr(torchvision.models, name)(weights=None, num_classes=classes)
    g = torch.Generator().manual_seed(seed + 1)
    bns = [mod for mod in m.modules() if isinstance(mod, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for mod in bns:
            c = mod.num_features
            mod.reset_running_stats()
            mod.momentum = None  # cumulative average: one batch gives its statistics
            mod.weight.copy_(0.5 + torch.rand(c, generator=g))
            mod.bias.copy_(0.2 * torch.randn(c, generator=g))
        for mod in m.modules():
            if isinstance(mod, torch.nn.Linear):
                mod.bias.copy_(0.01 * torch.randn(mod.bias.shape, generator=g))
        m.train()
        m(torch.randn(8, 3, size, size, generator=g))
        for mod in bns:
            c = mod.num_features
            mod.running_mean.add_(0.1 * torch.randn(c, generator=g) * mod.running_var.sqrt())
            mod.running_var.mul_(0.7 + 0.7 * torch.rand(c, generator=g))
    return m.eval()

ALL = [(n, 13, False) for n in NETS] + [("efficientnet_b0", 11, True), ("mobilenet_v2", 17, True),
       ("mobilenet_v3_small", 17, True), ("resnet18", 17, True), ("resnet50", 11, True)]

def make(net, classes, seed, size, batch):
    """The network, its input and its logits in float32 and float64."""
    m = build(net, classes, seed, size)
    x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(seed + 2))
    with torch.no_grad():
        y = m(x)
        y64 = copy.deepcopy(m).double()(x.double())  # the exact logits, near enough: float32's own error
    return m, x, y, y64

def export(net, outdir, size, classes, opset, keep_bn, seed, batch, made=None):
    # made: make()'s result, shared by the two exports of one network in "all"
    m, x, y, y64 = made or make(net, classes, seed, size, batch)
    m = copy.deepcopy(m)
    os.makedirs(outdir, exist_ok=True)
    kw = dict(opset_version=opset, input_names=["x"], output_names=["logits"],
              dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}})
    if keep_bn:
        kw.update(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    else:
        kw.update(do_constant_folding=True)
    # torch >= 2.9 defaults to the dynamo exporter; the references are TorchScript exports
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw.update(dynamo=False)
    torch.onnx.export(m, x, os.path.join(outdir, "model.onnx"), **kw)
    np.save(os.path.join(outdir, "x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(outdir, "y.npy"), y.numpy().astype(np.float32))
    np.save(os.path.join(outdir, "y64.npy"), y64.numpy())

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("net", choices=NETS + ("all",))
    ap.add_argument("outdir")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--keep-bn", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--part", default="0/1", help="with all: I/N, every Nth network from the Ith")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.net == "all":
        # each network built and run once for its two exports; --part I/N: every Nth network from
        # the Ith (the tests run two parts at once: torch runs on one thread here)
        part, parts = map(int, a.part.split("/"))
        for net in NETS[part::parts]:
            made = make(net, a.classes, a.seed, a.size, a.batch)
            for n, opset, bn in ALL:
                if n == net:
                    d = os.path.join(a.outdir, "%s-o%d-%s" % (net, opset, "bn" if bn else "fold"))
                    export(net, d, a.size, a.classes, opset, bn, a.seed, a.batch, made)
    else:
        export(a.net, a.outdir, a.size, a.classes, a.opset, a.keep_bn, a.seed, a.batch)

if __name__ == "__main__":
    main()
