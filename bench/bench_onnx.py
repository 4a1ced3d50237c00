"""Times one ONNX file with onnxruntime or OpenVINO (bench/bench_export.sh).

  bench_onnx.py MODEL.onnx --framework onnxruntime|openvino [--batch B] [--threads T] [--target-s S]

Input: random normal [B, C, H, W] from the model's input. Settings as in
bench/bench_torch.py: onnxruntime sequential, ORT_ENABLE_ALL, intra-op T
threads; OpenVINO CPU, LATENCY hint, f32, one stream, T threads.
Prints one JSON line: framework, median_ms, mad_ms, reps, and for OpenVINO "isa": the ISA
suffixes of the primitives its compiled convolutions run (from the runtime graph), so that a
cap such as ONEDNN_MAX_CPU_ISA=AVX2 is seen to have taken effect. onnxruntime's MLAS picks its
kernels from CPUID at load and has no such cap."""
import argparse, json, statistics, time
import numpy as np


def measure(fn, target_s):
    fn()
    t0 = time.perf_counter()
    w = 0
    while time.perf_counter() - t0 < 0.3 or w < 3:
        fn(); w += 1
    ms = []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < target_s or len(ms) < 10:
        t = time.perf_counter(); fn(); ms.append((time.perf_counter() - t) * 1e3)
    med = statistics.median(ms)
    return med, statistics.median(abs(v - med) for v in ms), len(ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--framework", required=True, choices=["onnxruntime", "openvino"])
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--target-s", type=float, default=2.0)
    a = ap.parse_args()
    if a.framework == "onnxruntime":
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
        i = sess.get_inputs()[0]
        x = np.random.RandomState(0).randn(a.batch, *i.shape[1:]).astype(np.float32)
        fn, ver = (lambda: sess.run(None, {i.name: x})), ort.__version__
    else:
        import openvino as ov
        core = ov.Core()
        m = core.read_model(a.model)
        shape = [d.get_length() for d in m.input(0).get_partial_shape()[1:]]
        m.reshape([a.batch, *shape])
        cm = core.compile_model(m, "CPU", {"INFERENCE_NUM_THREADS": a.threads, "PERFORMANCE_HINT": "LATENCY",
                                           "INFERENCE_PRECISION_HINT": "f32", "NUM_STREAMS": 1})
        req = cm.create_infer_request()
        x = np.random.RandomState(0).randn(a.batch, *shape).astype(np.float32)
        fn, ver = (lambda: req.infer({0: x})), ov.__version__.split("-")[0]
        isa = set()
        for op in cm.get_runtime_model().get_ordered_ops():
            rt = op.get_rt_info()
            if rt["layerType"].astype(str) == "Convolution":
                isa |= {t for t in rt["primitiveType"].astype(str).split("_") if t.startswith(("avx", "sse", "amx"))}
    med, mad, reps = measure(fn, a.target_s)
    row = {"framework": a.framework, "version": ver, "median_ms": round(med, 4), "mad_ms": round(mad, 4), "reps": reps}
    if a.framework == "openvino":
        row["isa"] = "+".join(sorted(isa))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
