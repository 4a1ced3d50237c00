#!/usr/bin/python3
"""Prints (TSV, to stdout) every distinct kernel shape of the reference networks
(docs/networks.md): b0-fm at batch 1 and 256, b0-224 at batch 1.

Columns: op  batch  h  w  cin  cout  k  stride  groups
  op      pointwise (1x1 conv, groups 1) | depthwise (groups = cin = cout) |
          dense (any other conv: the stems) | fc (SE 1x1 convs on the pooled
          vector and the classifier; h = w = k = stride = groups = 1)
  h, w    INPUT spatial size; padding is k//2 on every side, so the output is
          ceil(h / stride) x ceil(w / stride)
Rows are in order of first appearance (b0-fm@1, b0-fm@256, b0-224@1); a shape
that recurs (same op, batch, h, w, cin, cout, k, stride, groups) is printed once.
--where adds a last column naming the net@batch and layers each row comes from.

  /usr/bin/python3 bench/kernel_shapes.py [--where] > build/kernel_shapes.tsv
"""
import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_nets import build, input_shape, layers  # noqa: E402

COLS = ["op", "batch", "h", "w", "cin", "cout", "k", "stride", "groups"]
CONFIGS = [("b0-fm", 1), ("b0-fm", 256), ("b0-224", 1)]


def shapes():
    """List of (row tuple in COLS order, [where strings])."""
    seen = {}
    for net, batch in CONFIGS:
        model = build(net)
        for r in layers(model, input_shape(net), batch=1):
            r = dict(r, batch=batch)
            key = tuple(r[c] for c in COLS)
            seen.setdefault(key, []).append(f"{net}@{batch}:{r['name']}")
    return list(seen.items())


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--where", action="store_true", help="add a last column listing where each shape occurs")
    a = ap.parse_args()
    print("\t".join(COLS + (["where"] if a.where else [])))
    for key, where in shapes():
        print("\t".join(map(str, key)) + ("\t" + ",".join(where) if a.where else ""))


if __name__ == "__main__":
    main()
