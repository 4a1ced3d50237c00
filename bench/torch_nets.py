#!/usr/bin/python3
"""PyTorch reference definitions of the networks in docs/networks.md.

  b0-fm   EfficientNet-B0 topology on 28x28x1 Fashion-MNIST, 10 classes, stem stride 1
  b0-224  EfficientNet-B0 as published: 224x224x3, 1000 classes, stem stride 2

Conventions (all from the spec unless marked "ours"):
  * layout NCHW; "same" padding = k//2 on every side;
  * every conv except the SE convs has no bias and is followed by BatchNorm
    (eps 1e-3 (ours, as in the original EfficientNet), momentum 0.01 in
    PyTorch terms, i.e. 0.99 in TF terms (ours));
  * SE: global average pool -> 1x1 conv (bias) to max(1, int(cin * se_ratio))
    channels, cin = the block's INPUT channels -> act -> 1x1 conv (bias) back
    -> sigmoid -> scale; the final FC has a bias;
  * parameters = conv/FC weights and biases + BN scale and shift (running
    statistics are buffers, not counted);
  * multiply-adds = conv and FC only, SE convs INCLUDED (they are convs);
    BN, activations, pooling, the SE scale and residual adds are NOT counted.
    A conv's MACs = H_out * W_out * C_out * (C_in / groups) * k * k per image.

  /usr/bin/python3 bench/torch_nets.py --check        assert the spec's counts
  /usr/bin/python3 bench/torch_nets.py --layers NET   per-layer table (TSV)
"""
import argparse
import signal
import sys

import torch
import torch.nn as nn

BN_EPS = 1e-3
BN_MOMENTUM = 0.01

ACTS = {"relu": nn.ReLU, "relu6": nn.ReLU6, "silu": nn.SiLU, "hardswish": nn.Hardswish}

# (expansion, kernel, stride of first block, cout, blocks): the B0 stage table.
B0_STAGES = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
             (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]

# name -> (input C, H, W), classes, stem stride
NETS = {
    "b0-fm": ((1, 28, 28), 10, 1),
    "b0-224": ((3, 224, 224), 1000, 2),
}

SPEC = {  # numbers stated in docs/networks.md
    "b0-fm": {"params": 4_019_782, "macs": 29_207_488},
    "b0-224": {"macs": 385_814_752},
}


def make_act(act):
    if act is None:
        return nn.Identity()
    if act not in ACTS:
        raise ValueError(f"unknown activation {act!r} (choose from {', '.join(ACTS)})")
    return ACTS[act]()


class ConvBNAct(nn.Sequential):
    """k x k conv (no bias, pad k//2) + BN + activation (act=None: none)."""

    def __init__(self, cin, cout, k, stride=1, act="silu", groups=1):
        super().__init__(
            nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM),
            make_act(act))


class SqueezeExcite(nn.Module):
    """x * sigmoid(W2 act(W1 avgpool(x) + b1) + b2); W1: channels -> squeeze."""

    def __init__(self, channels, squeeze, act="silu"):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, squeeze, 1, bias=True)
        self.act = make_act(act)
        self.expand = nn.Conv2d(squeeze, channels, 1, bias=True)
        self.gate = nn.Sigmoid()
        self.reduce.bench_op = self.expand.bench_op = "fc"

    def forward(self, x):
        return x * self.gate(self.expand(self.act(self.reduce(self.pool(x)))))


def se_width(cin, se_ratio):
    return max(1, int(cin * se_ratio))


class MBConv(nn.Module):
    """Inverted residual: [1x1 expand + BN + act] -> depthwise kxk stride s + BN + act
    -> SE on the expanded channels (squeeze width from the block INPUT channels)
    -> 1x1 project + BN -> + x when stride 1 and cin == cout."""

    def __init__(self, cin, cout, expansion, kernel, stride, se_ratio=0.25, act="silu"):
        super().__init__()
        hid = cin * expansion
        self.expand = ConvBNAct(cin, hid, 1, 1, act) if expansion != 1 else nn.Identity()
        self.dw = ConvBNAct(hid, hid, kernel, stride, act, groups=hid)
        self.se = SqueezeExcite(hid, se_width(cin, se_ratio), act) if se_ratio > 0 else nn.Identity()
        self.project = ConvBNAct(hid, cout, 1, 1, None)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.se(self.dw(self.expand(x))))
        return x + y if self.residual else y


class FusedMBConv(nn.Module):
    """Fused-MBConv (EfficientNetV2): expansion != 1: dense kxk conv stride s
    cin -> cin*e + BN + act -> [SE] -> 1x1 project + BN; expansion == 1: one kxk
    conv cin -> cout + BN + act -> [SE]. Residual when stride 1 and cin == cout."""

    def __init__(self, cin, cout, expansion, kernel, stride, se_ratio=0.0, act="silu"):
        super().__init__()
        hid = cin * expansion if expansion != 1 else cout
        self.fused = ConvBNAct(cin, hid, kernel, stride, act)
        self.se = SqueezeExcite(hid, se_width(cin, se_ratio), act) if se_ratio > 0 else nn.Identity()
        self.project = ConvBNAct(hid, cout, 1, 1, None) if expansion != 1 else nn.Identity()
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.se(self.fused(x)))
        return x + y if self.residual else y


class EfficientNet(nn.Module):
    def __init__(self, in_ch, classes, stem_stride, stages=B0_STAGES, stem_ch=32, head_ch=1280,
                 se_ratio=0.25, act="silu"):
        super().__init__()
        self.stem = ConvBNAct(in_ch, stem_ch, 3, stem_stride, act)
        blocks, cin = [], stem_ch
        for e, k, s, cout, n in stages:
            for i in range(n):
                blocks.append(MBConv(cin, cout, e, k, s if i == 0 else 1, se_ratio, act))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.head = ConvBNAct(cin, head_ch, 1, 1, act)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(head_ch, classes)

    def forward(self, x):
        x = self.pool(self.head(self.blocks(self.stem(x))))
        return self.fc(torch.flatten(x, 1))


def init_weights(model):
    """EfficientNet's initialisation (as in torchvision): convs kaiming-normal fan_out,
    conv biases 0, BN scale 1 shift 0, FC uniform(+-1/sqrt(out)) with bias 0."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            r = 1.0 / m.out_features ** 0.5
            nn.init.uniform_(m.weight, -r, r)
            nn.init.zeros_(m.bias)
    return model


@torch.no_grad()
def calibrate_bn(model, x):
    """Sets every BN's running mean/var to the statistics of batch x (one forward pass
    in training mode), so that an eval-mode model with random weights keeps its
    activations O(1) instead of shrinking towards zero layer after layer (tiny or
    subnormal values would make timings and output comparisons meaningless).
    Leaves the model in eval mode."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average: after one batch, exactly its statistics
    model.train()
    model(x)
    for m, mom in zip(bns, saved):
        m.momentum = mom
    return model.eval()


def build(name):
    """The network `name` ('b0-fm' or 'b0-224'), EfficientNet-initialised (init_weights)."""
    if name not in NETS:
        raise ValueError(f"unknown network {name!r} (choose from {', '.join(NETS)})")
    (c, _, _), classes, stem_stride = NETS[name]
    return init_weights(EfficientNet(c, classes, stem_stride))


def input_shape(name):
    return NETS[name][0]


def op_kind(m):
    """'dense' | 'depthwise' | 'pointwise' | 'fc' for a Conv2d or Linear."""
    if isinstance(m, nn.Linear) or getattr(m, "bench_op", None) == "fc":
        return "fc"
    if m.groups > 1 and m.groups == m.in_channels == m.out_channels:
        return "depthwise"
    if m.kernel_size == (1, 1) and m.groups == 1:
        return "pointwise"
    return "dense"


def layers(model, shape, batch=1):
    """Runs one forward pass and returns, for each conv/FC in execution order, a dict
    name, op, batch, h, w (input), cin, cout, k, stride, groups, ho, wo, params, macs
    (macs per image)."""
    names = {m: n for n, m in model.named_modules()}
    rows = []

    def hook(m, inp, out):
        x = inp[0]
        p = sum(t.numel() for t in m.parameters(recurse=False))
        if isinstance(m, nn.Linear):
            rows.append(dict(name=names[m], op="fc", batch=x.shape[0], h=1, w=1,
                             cin=m.in_features, cout=m.out_features, k=1, stride=1, groups=1,
                             ho=1, wo=1, params=p, macs=m.in_features * m.out_features))
        else:
            ho, wo = out.shape[2], out.shape[3]
            k = m.kernel_size[0]
            rows.append(dict(name=names[m], op=op_kind(m), batch=x.shape[0], h=x.shape[2], w=x.shape[3],
                             cin=m.in_channels, cout=m.out_channels, k=k, stride=m.stride[0],
                             groups=m.groups, ho=ho, wo=wo, params=p,
                             macs=ho * wo * m.out_channels * (m.in_channels // m.groups) * k * k))

    hooks = [m.register_forward_hook(hook) for m in model.modules()
             if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(batch, *shape))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return rows


def count(model, shape):
    """(params, macs per image) by the convention in the module docstring."""
    params = 0
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm2d)):
            params += sum(t.numel() for t in m.parameters(recurse=False))
    macs = sum(r["macs"] for r in layers(model, shape))
    return params, macs


def check():
    ok = True
    for name in NETS:
        model = build(name)
        params, macs = count(model, input_shape(name))
        rows = layers(model, input_shape(name))
        se_macs = sum(r["macs"] for r in rows if r["op"] == "fc" and ".se." in r["name"])
        want = SPEC.get(name, {})
        status = []
        for key, got in (("params", params), ("macs", macs)):
            if key in want:
                good = got == want[key]
                ok &= good
                status.append(f"{key} {got:,} {'==' if good else '!='} spec {want[key]:,}")
            else:
                status.append(f"{key} {got:,} (spec gives none)")
        print(f"{name}: " + "; ".join(status) + f"  [SE FC MACs included: {se_macs:,}]")
    if not ok:
        sys.exit("torch_nets: counts differ from docs/networks.md")
    print("ok: counts match the spec (SE convs counted as MACs; BN scale+shift counted as params)")


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="assert params/MACs against the spec")
    ap.add_argument("--layers", metavar="NET", choices=list(NETS), help="print a per-layer TSV of NET")
    a = ap.parse_args()
    if not a.check and not a.layers:
        ap.print_help()
        return
    if a.check:
        check()
    if a.layers:
        cols = ["name", "op", "h", "w", "cin", "cout", "k", "stride", "groups", "ho", "wo", "params", "macs"]
        print("\t".join(cols))
        for r in layers(build(a.layers), input_shape(a.layers)):
            print("\t".join(str(r[c]) for c in cols))


if __name__ == "__main__":
    main()
