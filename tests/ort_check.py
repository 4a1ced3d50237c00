"""onnxruntime against hant on an exported model (tests/cli_export.sh, bench/RESULTS.md).

  ort_check.py compare MODEL.onnx X.npy HANT_Y.npy [--tol 1e-4]
      fp32: max |ort - hant| / max |hant| <= tol. X is NCHW; a headless model's
      NCHW output is compared with hant run's NHWC rows.
  ort_check.py compare MODEL.onnx X.npy HANT_Y.npy --int8 HANT_FP32_Y.npy [--max-rel 0.05]
      int8 (hant's int8 kernels in HANT_Y, the fp32 model in HANT_FP32_Y): the two
      int8 results agree within the int8 rounding: mean |ort - hant| < frac (0.25, the
      criterion test_int8 uses for hant's kernels against their reference) times
      mean |fp32 - hant| and max |ort - hant| <= max-rel * max |hant|.
  ort_check.py emitted DIR
      every net test_onnx_export --emit wrote (DIR/list.txt), compared as above.
  ort_check.py top1 MODEL.onnx IMAGES-idx3 LABELS-idx1 HANT_LOGITS.npy --mean M --std S [--int8 FP32_LOGITS.npy]
      top-1 of hant (hant predict's logits) and of onnxruntime, and how often they agree;
      with --int8, the int8 criterion above on these images (and agreement >= --min-agree).
  ort_check.py idx-head IN OUT N
      the first N items of an IDX file (a small test set for hant predict).
Exit status 0 when the check holds; the last line says what was measured."""
import sys, argparse
import numpy as np
import onnxruntime as ort


def session(path, threads=2):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def run(sess, x, batch=256):
    name = sess.get_inputs()[0].name
    out = [sess.run(None, {name: x[i:i + batch]})[0] for i in range(0, len(x), batch)]
    y = np.concatenate(out)
    if y.ndim == 4:  # headless: NCHW -> hant's NHWC rows
        y = y.transpose(0, 2, 3, 1)
    return y.reshape(len(x), -1).astype(np.float64)


def idx(path):
    with open(path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["compare", "emitted", "top1", "idx-head"])
    ap.add_argument("args", nargs="+")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--int8")
    ap.add_argument("--max-rel", type=float, default=0.05)
    ap.add_argument("--min-agree", type=float, default=0.99)
    ap.add_argument("--frac", type=float, default=0.25)
    ap.add_argument("--mean", type=float, default=0.2860)
    ap.add_argument("--std", type=float, default=0.3530)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.what == "idx-head":
        data = open(a.args[0], "rb").read()
        nd, n = data[3], int(a.args[2])
        dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
        item = int(np.prod(dims[1:], dtype=np.int64))
        with open(a.args[1], "wb") as f:
            f.write(data[:4] + n.to_bytes(4, "big") + data[8:4 + 4 * nd] + data[4 + 4 * nd:4 + 4 * nd + n * item])
        return 0
    if a.what == "emitted":
        fails = 0
        for line in open(a.args[0] + "/list.txt"):
            name, kind = line.split()
            p = a.args[0] + "/" + name
            print(name + ": ", end="")
            fails += compare(session(p + ".onnx", a.threads), p + ".x.npy", p + ".y.npy", p + ".f.npy" if kind == "int8" else None, a) != 0
        return 1 if fails else 0
    sess = session(a.args[0], a.threads)
    if a.what == "compare":
        return compare(sess, a.args[1], a.args[2], a.int8, a)
    return top1(sess, a)


def compare(sess, xpath, hpath, fpath, a):
    x = np.load(xpath).astype(np.float32)
    h = np.load(hpath).astype(np.float64).reshape(len(x), -1)
    y = run(sess, x)
    if y.shape != h.shape:
        print(f"FAIL shapes: onnxruntime {y.shape}, hant {h.shape}")
        return 1
    rng = max(np.abs(h).max(), 1e-30)
    d = np.abs(y - h)
    if not fpath:
        rel = d.max() / rng
        ok = rel <= a.tol
        print(f"{'ok' if ok else 'FAIL'} fp32: max |ort - hant| / max |hant| = {rel:.2e} (tolerance {a.tol:g})")
        return 0 if ok else 1
    f = np.load(fpath).astype(np.float64).reshape(h.shape)
    m8, mf, rel = d.mean(), np.abs(f - h).mean(), d.max() / rng
    agree = (y.argmax(1) == h.argmax(1)).mean()
    ok = m8 < a.frac * mf and rel <= a.max_rel
    print(f"{'ok' if ok else 'FAIL'} int8: mean |ort - hant| {m8:.2e} vs mean |fp32 - hant| {mf:.2e} (want < {a.frac:g}x), "
          f"max |ort - hant| / max |hant| = {rel:.2e} (<= {a.max_rel:g}), top-1 agreement {agree:.4f}")
    return 0 if ok else 1


def top1(sess, a):
    img, lab = idx(a.args[1]), idx(a.args[2])
    h = np.load(a.args[3])
    x = ((img.astype(np.float32) / np.float32(255) - np.float32(a.mean)) / np.float32(a.std))[:, None, :, :]
    y = run(sess, x)
    th, to = (h.argmax(1) == lab).mean(), (y.argmax(1) == lab).mean()
    agree = (y.argmax(1) == h.argmax(1)).mean()
    rel = np.abs(y - h).max() / np.abs(h).max()
    print(f"top1 hant {th:.4f} onnxruntime {to:.4f} agreement {agree:.4f} on {len(lab)} images; "
          f"max |ort - hant| / max |hant| = {rel:.2e}")
    if not a.int8:
        return 0
    f = np.load(a.int8).astype(np.float64)
    m8, mf = np.abs(y - h).mean(), np.abs(f - h).mean()
    ok = m8 < a.frac * mf and agree >= a.min_agree
    print(f"{'ok' if ok else 'FAIL'} int8 on real images: mean |ort - hant| {m8:.2e} vs mean |fp32 - hant| {mf:.2e} "
          f"(ratio {m8 / mf:.2f}, want < {a.frac:g}), top-1 agreement {agree:.4f} (>= {a.min_agree:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
