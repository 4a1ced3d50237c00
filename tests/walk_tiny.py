"""tests/cli_walk.sh's teacher: a tiny torchvision-style residual net as ONNX.

Stem conv3x3-BN-ReLU, two torchvision BasicBlocks (identity, then stride 2 with a
1x1 projection), one MobileNetV2 InvertedResidual, pooling and a linear head;
trained briefly on a synthetic .npy set it writes too (uint8 NHWC images whose
class is the brightest of four colour/position patterns, plus noise).
usage: python3 walk_tiny.py OUT.onnx DATA_DIR H W C CLASSES TRAIN TEST
"""
import os, sys
import numpy as np
import torch
from torch import nn
from torchvision.models.resnet import BasicBlock
from torchvision.models.mobilenetv2 import InvertedResidual


class Tiny(nn.Module):
    def __init__(self, c, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(c, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
        down = nn.Sequential(nn.Conv2d(8, 16, 1, 2, bias=False), nn.BatchNorm2d(16))
        self.blocks = nn.Sequential(BasicBlock(8, 8), BasicBlock(8, 16, 2, down), InvertedResidual(16, 16, 1, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


def make_set(rng, n, h, w, c, k):
    y = rng.integers(0, k, n).astype(np.uint8)
    x = rng.integers(0, 90, (n, h, w, c)).astype(np.int32)
    for i in range(n):   # class j: a bright square in quadrant j, in channel j % c
        qy, qx = (y[i] // 2) % 2, y[i] % 2
        x[i, qy * h // 2:(qy + 1) * h // 2, qx * w // 2:(qx + 1) * w // 2, y[i] % c] += 120
    return np.clip(x, 0, 255).astype(np.uint8), y


def main():
    out, data = sys.argv[1], sys.argv[2]
    h, w, c, k, ntr, nte = map(int, sys.argv[3:9])
    torch.manual_seed(3); rng = np.random.default_rng(3)
    os.makedirs(data, exist_ok=True)
    for split, n in (("train", ntr), ("test", nte)):
        x, y = make_set(rng, n, h, w, c, k)
        np.save(os.path.join(data, split + "_images.npy"), x); np.save(os.path.join(data, split + "_labels.npy"), y)
    x, y = np.load(os.path.join(data, "train_images.npy")), np.load(os.path.join(data, "train_labels.npy"))
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255; yt = torch.from_numpy(y.astype(np.int64))
    m = Tiny(c, k)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    for e in range(4):
        for i in range(0, ntr, 32):
            loss = nn.functional.cross_entropy(m(xt[i:i + 32]), yt[i:i + 32])
            opt.zero_grad(); loss.backward(); opt.step()
    m.eval()
    torch.onnx.export(m, torch.zeros(1, c, h, w), out, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})


if __name__ == "__main__":
    main()
