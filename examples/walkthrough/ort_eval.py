"""Top-1 and batch-1 latency of ONNX classifiers in onnxruntime on a .npy test set.

Pixels are normalised as hant does: (p/255 - mean[c]) / std[c].
usage: python ort_eval.py MODEL.onnx [MODEL2.onnx ...] DATA_DIR --mean m,m,m --std s,s,s
           [--threads 2] [--rounds 7] [--top1-only]
With several models their batch-1 latencies are timed side by side, in
interleaved rounds (the machine's drift cancels in the ratios); each round
runs every model on the same images, the figure is the median over rounds.
"""
import argparse, os, time
import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--mean", default="0,0,0")
    ap.add_argument("--std", default="1,1,1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--images", type=int, default=200, help="batch-1 runs per model and round")
    ap.add_argument("--top1-only", action="store_true")
    a = ap.parse_args()
    models, data = a.paths[:-1], a.paths[-1]
    x = np.load(os.path.join(data, "test_images.npy")); y = np.load(os.path.join(data, "test_labels.npy"))
    mean = np.array([float(v) for v in a.mean.split(",")], np.float32)
    std = np.array([float(v) for v in a.std.split(",")], np.float32)
    if x.dtype == np.uint8:   # NHWC pixels -> normalised NCHW
        x = ((x.astype(np.float32) / 255 - mean) / std).transpose(0, 3, 1, 2)
    x = np.ascontiguousarray(x, np.float32)
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads; so.inter_op_num_threads = 1
    sess = [ort.InferenceSession(m, so, providers=["CPUExecutionProvider"]) for m in models]
    top1 = []
    for s in sess:
        name = s.get_inputs()[0].name
        pred = np.concatenate([s.run(None, {name: x[i:i + 250]})[0].argmax(1) for i in range(0, len(x), 250)])
        top1.append(100.0 * float((pred == y).mean()))
    if a.top1_only:
        print("%.2f" % top1[0]); return
    times = [[] for _ in sess]
    for r in range(a.rounds):
        for k, s in enumerate(sess):
            name = s.get_inputs()[0].name
            for i in range(10): s.run(None, {name: x[i:i + 1]})   # warm
            t0 = time.perf_counter()
            for i in range(a.images): s.run(None, {name: x[i:i + 1]})
            times[k].append((time.perf_counter() - t0) * 1e3 / a.images)
    med = [float(np.median(t)) for t in times]
    for k, m in enumerate(models):
        ratio = [times[0][r] / times[k][r] for r in range(a.rounds)]
        print("onnxruntime %s: top-1 %.2f%%  batch-1 %.4f ms (median of %d rounds)  speed-up over the first %.2fx (rounds %.2f..%.2f)"
              % (m, top1[k], med[k], a.rounds, float(np.median(ratio)), min(ratio), max(ratio)))


if __name__ == "__main__":
    main()
