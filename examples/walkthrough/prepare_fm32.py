"""Fashion-MNIST as a 32x32 RGB .npy data set, the way a user would hand one to hant.

Reads the IDX files (make data puts them in build/data), pads 28x28 to 32x32 with
black, repeats the grey channel three times and writes uint8 NHWC images and
uint8 labels:  OUT/{train,test}_{images,labels}.npy
usage: python3 prepare_fm32.py [IDX_DIR] [OUT_DIR]   (defaults build/data build/fm32)
"""
import os, sys
import numpy as np


def idx(path):
    with open(path, "rb") as f:
        b = f.read()
    magic = int.from_bytes(b[0:4], "big")
    nd = magic & 0xFF
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "build/data"
    out = sys.argv[2] if len(sys.argv) > 2 else "build/fm32"
    os.makedirs(out, exist_ok=True)
    for split, pre in (("train", "train"), ("test", "t10k")):
        x = idx(os.path.join(src, pre + "-images-idx3-ubyte"))
        y = idx(os.path.join(src, pre + "-labels-idx1-ubyte"))
        x = np.pad(x, ((0, 0), (2, 2), (2, 2)))                     # 28 -> 32, black border
        x = np.ascontiguousarray(np.repeat(x[:, :, :, None], 3, 3))  # grey -> RGB, NHWC
        np.save(os.path.join(out, split + "_images.npy"), x)
        np.save(os.path.join(out, split + "_labels.npy"), y.astype(np.uint8))
        print("%s: %s images %s, labels %s" % (out, split, x.shape, y.shape))


if __name__ == "__main__":
    main()
