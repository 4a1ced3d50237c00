#!/usr/bin/python3
"""Reads a .hant file (docs/FORMAT.md) into the PyTorch b0 model of
bench/torch_nets.py, runs it on an NCHW .npy batch, and compares with the
logits that `hant run` wrote: an independent check that hant computes the
same network as PyTorch.

  /usr/bin/python3 bench/hant_torch.py MODEL.hant X.npy Y_HANT.npy
prints max_abs_diff and max_rel_diff; exit 1 if they exceed 1e-3.
"""
import struct, sys, zlib
import numpy as np
import torch
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_nets import build, MBConv

def read_hant(path):
    raw = open(path, "rb").read()
    if raw[:8] != b"HANT\r\n\x1a\n":
        sys.exit(f"{path}: bad magic")
    if struct.unpack_from("<I", raw, len(raw) - 4)[0] != zlib.crc32(raw[:-4]) & 0xFFFFFFFF:
        sys.exit(f"{path}: checksum mismatch")
    in_h, in_w, in_c, classes = struct.unpack_from("<4i", raw, 16)
    nblocks = struct.unpack_from("<i", raw, 92)[0]
    version = struct.unpack_from("<I", raw, 8)[0]
    # v2 adds a flags word per block; v3 16 bytes to the header and to each block
    off = (112 if version >= 3 else 96) + {1: 36, 2: 40}.get(version, 56) * nblocks
    npar, nbuf = struct.unpack_from("<QQ", raw, off)
    off += 16
    params = np.frombuffer(raw, "<f4", npar, off)
    buffers = np.frombuffer(raw, "<f4", nbuf, off + 4 * npar)
    return (in_h, in_w, in_c, classes), params, buffers

class Reader:
    def __init__(self, arr):
        self.a, self.i = arr, 0
    def take(self, n):
        v = self.a[self.i:self.i + n]
        self.i += n
        return torch.from_numpy(v.copy())

def load_conv_bn(seq, P, B):
    conv, bn = seq[0], seq[1]
    co, cg, k, _ = conv.weight.shape
    conv.weight.data = P.take(k * k * cg * co).reshape(k, k, cg, co).permute(3, 2, 0, 1).contiguous()
    bn.weight.data, bn.bias.data = P.take(co), P.take(co)
    bn.running_mean.data, bn.running_var.data = B.take(co), B.take(co)

def load(model, params, buffers):
    """Parameters in the order of docs/FORMAT.md: stem, blocks, head, fc."""
    P, B = Reader(params), Reader(buffers)
    load_conv_bn(model.stem, P, B)
    for m in model.blocks:
        assert isinstance(m, MBConv), "only MBConv blocks are mapped"
        if not isinstance(m.expand, torch.nn.Identity):
            load_conv_bn(m.expand, P, B)
        load_conv_bn(m.dw, P, B)
        c1, c2 = m.se.reduce, m.se.expand
        r, c = c1.weight.shape[:2]
        c1.weight.data = P.take(c * r).reshape(c, r).t().reshape(r, c, 1, 1).contiguous()
        c1.bias.data = P.take(r)
        c2.weight.data = P.take(r * c).reshape(r, c).t().reshape(c, r, 1, 1).contiguous()
        c2.bias.data = P.take(c)
        load_conv_bn(m.project, P, B)
    load_conv_bn(model.head, P, B)
    o, i = model.fc.weight.shape
    model.fc.weight.data = P.take(i * o).reshape(i, o).t().contiguous()
    model.fc.bias.data = P.take(o)
    assert P.i == len(params) and B.i == len(buffers), "parameter count mismatch"

def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    (h, w, c, classes), params, buffers = read_hant(sys.argv[1])
    name = "b0-fm" if (h, c, classes) == (28, 1, 10) else "b0-224"
    model = build(name).eval()
    load(model, params, buffers)
    x = torch.from_numpy(np.load(sys.argv[2]))
    with torch.no_grad():
        ref = model(x).numpy()
    got = np.load(sys.argv[3])
    d = np.abs(ref - got)
    rel = d.max() / max(np.abs(ref).max(), 1e-6)
    print(f"network {name} images {x.shape[0]} max_abs_diff {d.max():.3g} max_rel_diff {rel:.3g}")
    sys.exit(0 if rel <= 1e-3 else 1)

if __name__ == "__main__":
    main()
