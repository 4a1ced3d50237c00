"""Per-node profile of one ONNX file in onnxruntime (enable_profiling), beside ov_profile.py and
bench_layers: ort_profile.py MODEL.onnx BATCH [THREADS] -- 2 threads unless given, 30 runs after 5 warm-up; per node the
median kernel time in ms, in execution order (profiling adds overhead to every node)."""
import sys, json, statistics, numpy as np, onnxruntime as ort, glob, os
model, batch, reps = sys.argv[1], int(sys.argv[2]), 30
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
so.enable_profiling = True; so.profile_file_prefix = "/tmp/ortprof"
s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
i = s.get_inputs()[0]; shp = [batch] + list(i.shape[1:])
x = np.random.RandomState(0).randn(*shp).astype(np.float32)
for _ in range(5): s.run(None, {i.name: x})
for _ in range(reps): s.run(None, {i.name: x})
f = s.end_profiling(); ev = json.load(open(f)); os.remove(f)
d = {}; order = []; op = {}
for e in ev:
    if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
        n = e["name"][:-12]
        if n not in d: d[n] = []; order.append(n); op[n] = e["args"].get("op_name")
        d[n].append(e["dur"])
tot = 0
for n in order:
    v = d[n][5:] if len(d[n]) > 10 else d[n]
    m = statistics.median(v) / 1000; tot += m
    print(f"{op[n]}\t{m:.4f}\t{n}")
print("total", round(tot, 3))
