"""Train a torchvision network on a .npy image set and export it to ONNX.

The model comes from torchvision's own definitions (no changes), ten classes,
trained from scratch with SGD + cosine schedule; inputs are normalised with
MEAN/STD (give the same values to 'hant import --mean/--std').
usage: python3 train_teacher.py --data build/fm32 --arch mobilenet_v2 --width 0.5
           --epochs 4 --seed 1 -o build/walk/teacher.onnx
"""
import argparse, time
import numpy as np
import torch, torchvision

MEAN, STD = 0.2860, 0.3530   # Fashion-MNIST pixel mean/std (the same for all three channels)


def batches(x, y, bs, rng=None):
    idx = rng.permutation(len(x)) if rng is not None else np.arange(len(x))
    for i in range(0, len(x), bs):
        j = idx[i:i + bs]
        xb = torch.from_numpy(x[j]).permute(0, 3, 1, 2).float().div_(255).sub_(MEAN).div_(STD)
        yield xb, torch.from_numpy(y[j].astype(np.int64))


def evaluate(model, x, y):
    model.eval(); ok = 0
    with torch.no_grad():
        for xb, yb in batches(x, y, 500):
            ok += (model(xb).argmax(1) == yb).sum().item()
    return 100.0 * ok / len(x)


def bn_calibrate(model, x, y, batches_n=40, bs=128):
    """Running BN statistics as a plain average over batches_n training batches:
    torchvision's MobileNetV3 keeps them with momentum 0.01, which a short
    training run leaves far from the weights' statistics."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats(); m.momentum = None
    model.train()
    with torch.no_grad():
        for i, (xb, _) in enumerate(batches(x, y, bs, np.random.default_rng(0))):
            if i == batches_n: break
            model(xb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="build/fm32")
    ap.add_argument("--arch", default="mobilenet_v2", choices=["mobilenet_v2", "mobilenet_v3_small", "resnet18"])
    ap.add_argument("--width", type=float, default=0.5)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--wd", type=float, default=4e-5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--subset", type=int, default=0, help="train on the first N images only (0: all)")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)
    torch.set_num_threads(a.threads)
    x = np.load(a.data + "/train_images.npy"); y = np.load(a.data + "/train_labels.npy")
    if a.subset: x, y = x[:a.subset], y[:a.subset]
    xt = np.load(a.data + "/test_images.npy"); yt = np.load(a.data + "/test_labels.npy")
    if a.arch == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2(num_classes=10, width_mult=a.width)
    elif a.arch == "mobilenet_v3_small":
        model = torchvision.models.mobilenet_v3_small(num_classes=10, width_mult=a.width)
    else:
        model = torchvision.models.resnet18(num_classes=10)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, nesterov=True, weight_decay=a.wd)
    steps = a.epochs * ((len(x) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.15)
    lossf = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    t0 = time.time()
    for e in range(a.epochs):
        model.train(); tl = 0.0; n = 0
        for xb, yb in batches(x, y, a.batch, rng):
            flip = torch.rand(len(xb)) < 0.5                 # horizontal flips only
            xb[flip] = xb[flip].flip(3)
            loss = lossf(model(xb), yb)
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            tl += loss.item() * len(xb); n += len(xb)
            if e == 0 and n == 10 * a.batch:
                print("  10 steps: %.1f s" % (time.time() - t0), flush=True)
        bn_calibrate(model, x, y)
        print("epoch %d/%d  loss %.4f  test top-1 %.2f%%  %.0f s" % (e + 1, a.epochs, tl / n, evaluate(model, xt, yt), time.time() - t0), flush=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, x.shape[1], x.shape[2]), a.out, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    print("wrote %s  (test top-1 %.2f%%, %.0f s)" % (a.out, evaluate(model, xt, yt), time.time() - t0))


if __name__ == "__main__":
    main()
