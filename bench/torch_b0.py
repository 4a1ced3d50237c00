#!/usr/bin/python3
"""PyTorch side of bench/bench_net.sh: b0-fm and b0-224 exactly as in
shared/spec/networks.md (NCHW, eval mode, BN eps 1e-3), timed the same way
as `hant bench`: warm-up, then the median and MAD of repeated runs.

  /usr/bin/python3 bench/torch_b0.py NET BATCH THREADS REPS
prints: params P macs M latency_ms_median X latency_ms_mad Y
"""
import sys, time, statistics
import torch
import torch.nn as nn

STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
          (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]

def conv_bn(cin, cout, k, s, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout, eps=1e-3)]
    if act:
        layers.append(nn.SiLU())
    return nn.Sequential(*layers)

class MBConv(nn.Module):
    def __init__(self, cin, cout, e, k, s):
        super().__init__()
        hid, r = cin * e, max(1, cin // 4)
        self.expand = conv_bn(cin, hid, 1, 1) if e != 1 else nn.Identity()
        self.dw = conv_bn(hid, hid, k, s, groups=hid)
        self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(hid, r, 1), nn.SiLU(), nn.Conv2d(r, hid, 1), nn.Sigmoid())
        self.project = conv_bn(hid, cout, 1, 1, act=False)
        self.residual = s == 1 and cin == cout

    def forward(self, x):
        y = self.dw(self.expand(x))
        y = self.project(y * self.se(y))
        return x + y if self.residual else y

def b0(name):
    in_c, classes, stem_s = (1, 10, 1) if name == "b0-fm" else (3, 1000, 2)
    layers, cin = [conv_bn(in_c, 32, 3, stem_s)], 32
    for e, k, s, cout, n in STAGES:
        for i in range(n):
            layers.append(MBConv(cin, cout, e, k, s if i == 0 else 1))
            cin = cout
    layers += [conv_bn(cin, 1280, 1, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, classes)]
    return nn.Sequential(*layers)

def count(model, hw):
    params = sum(p.numel() for p in model.parameters())
    macs = 0
    def hook(m, i, o):
        nonlocal macs
        if isinstance(m, nn.Conv2d):
            macs += o.numel() // o.shape[0] * m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs += m.in_features * m.out_features
    hs = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(torch.zeros(1, *hw))
    for h in hs:
        h.remove()
    return params, macs

def main():
    if len(sys.argv) != 5:
        sys.exit("usage: torch_b0.py b0-fm|b0-224 BATCH THREADS REPS")
    name, batch, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = b0(name).eval()
    shape = (1, 28, 28) if name == "b0-fm" else (3, 224, 224)
    params, macs = count(model, shape)
    x = torch.randn(batch, *shape)
    t = []
    with torch.no_grad():
        for _ in range(3):
            model(x)
        for _ in range(reps):
            t0 = time.perf_counter()
            model(x)
            t.append((time.perf_counter() - t0) * 1e3)
    med = statistics.median(t)
    mad = statistics.median(abs(v - med) for v in t)
    print(f"params {params} macs {macs} latency_ms_median {med:.4f} latency_ms_mad {mad:.4f}")

if __name__ == "__main__":
    main()
