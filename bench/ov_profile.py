"""Per-node profile of one ONNX file in OpenVINO (beside bench_layers' per-op rows for hant).

  ov_profile.py MODEL.onnx [--batch B] [--threads T] [--reps R]

Same settings as bench_onnx.py (CPU, LATENCY, f32, one stream). With PERF_COUNT on, each of R
inferences reports every executed node's real time; the table gives per node the median over
the R runs, in execution order, with the primitive type (its ISA: run with ONEDNN_MAX_CPU_ISA=AVX2
for the AVX2 path) and the total."""
import argparse, statistics
import numpy as np
import openvino as ov

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("--batch", type=int, default=1)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--reps", type=int, default=30)
a = ap.parse_args()
core = ov.Core()
m = core.read_model(a.model)
shape = [d.get_length() for d in m.input(0).get_partial_shape()[1:]]
m.reshape([a.batch, *shape])
cm = core.compile_model(m, "CPU", {"INFERENCE_NUM_THREADS": a.threads, "PERFORMANCE_HINT": "LATENCY",
                                   "INFERENCE_PRECISION_HINT": "f32", "NUM_STREAMS": 1, "PERF_COUNT": True})
req = cm.create_infer_request()
x = np.random.RandomState(0).randn(a.batch, *shape).astype(np.float32)
for _ in range(5): req.infer({0: x})
runs = {}
order = []
for _ in range(a.reps):
    req.infer({0: x})
    for p in req.get_profiling_info():
        if p.status != p.Status.EXECUTED: continue
        if p.node_name not in runs: order.append((p.node_name, p.node_type, p.exec_type)); runs[p.node_name] = []
        runs[p.node_name].append(p.real_time.total_seconds() * 1e3)
tot = 0.0
print("| node | type | primitive | ms |\n|---|---|---|---:|")
for name, typ, ex in order:
    ms = statistics.median(runs[name]); tot += ms
    if ms >= 0.005: print(f"| {name[:40]} | {typ} | {ex} | {ms:.4f} |")
print(f"| total | | | {tot:.3f} |")
