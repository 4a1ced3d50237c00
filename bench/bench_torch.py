#!/usr/bin/python3
"""Reference-framework side of hant's benchmarks: PyTorch (Debian's python3-torch),
onnxruntime and OpenVINO on the networks of docs/networks.md
(bench/torch_nets.py). Prints one JSON object per line per measurement:

  {"framework": "pytorch"|"onnxruntime"|"openvino", "network": NET, "what": WHAT,
   "batch": B, "threads": T, "median_ms": M, "mad_ms": D, "reps": R, "images_per_s": I, ...}

median_ms / mad_ms: median and median absolute deviation (unscaled) of R timed
repetitions after warm-up; images_per_s = batch / median. Extra fields say how
(e.g. "mode"); "other_load" is the share of the machine's CPUs that OTHER processes
used during the timed reps (0 quiet .. 1 all cores busy elsewhere): discard rows
taken on a busy machine. A measurement that cannot be made prints {"skipped": "why", ...}.

Subcommands (see `bench_torch.py SUBCOMMAND --help`):
  infer        inference latency of a whole network (eval, no_grad)
  train        SGD-momentum training step throughput
  distill-step phase-1 distillation step of one MBConv block (Adam, MSE vs a teacher)
  kernels      single conv/FC ops, forward and backward, from a TSV of shapes
  env          versions and CPU model

onnxruntime and OpenVINO are looked for in the running interpreter: run
`sh bench/setup_venv.sh` once and use build/venv/bin/python to include them.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench_torch: PyTorch missing: run with /usr/bin/python3 (Debian python3-torch) "
             "or build/venv/bin/python (bench/setup_venv.sh)")

from torch_nets import NETS, MBConv, build, calibrate_bn, count, init_weights, input_shape  # noqa: E402

FRAMEWORKS = ["pytorch", "onnxruntime", "openvino"]


# ---------------------------------------------------------------- timing

def emit(**d):
    print(json.dumps(d), flush=True)


def stats(ms):
    med = statistics.median(ms)
    return med, statistics.median(abs(v - med) for v in ms)


def _cpu_busy_s():
    """(seconds of CPU time used by the whole machine, by this process) so far; None if unknown."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
        busy = (sum(v[:8]) - v[3] - v[4]) / hz  # all but idle and iowait
        t = os.times()
        return busy, t.user + t.system
    except (OSError, ValueError, IndexError):
        return None


class Times(list):
    """Timed repetitions in ms, with other_load: see measure()."""
    other_load = None


def measure(fn, reps=None, warmup=None, target_s=2.0, min_reps=5, max_reps=1000):
    """Runs fn warmup times, then reps times, timing each; returns times in ms.
    Without reps: as many as fit in about target_s (within [min_reps, max_reps])."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if warmup is None:
        warmup = max(1, min(10, int(0.3 / max(first, 1e-6))))
    t0 = time.perf_counter()
    for _ in range(warmup):
        fn()
    est = (time.perf_counter() - t0) / warmup
    if reps is None:
        reps = max(min_reps, min(max_reps, int(target_s / max(est, 1e-6))))
    out = Times()
    c0, w0 = _cpu_busy_s(), time.perf_counter()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    c1, wall = _cpu_busy_s(), time.perf_counter() - w0
    # Share of the machine's CPUs busy with OTHER processes during the timed reps
    # (0 = quiet, 1 = every core busy elsewhere): a noisy-machine warning, reported per row.
    out.other_load = (None if c0 is None or c1 is None else
                          round(max(0.0, ((c1[0] - c0[0]) - (c1[1] - c0[1])) / (wall * (os.cpu_count() or 1))), 3))
    return out


def row(framework, network, what, batch, threads, ms, **extra):
    med, mad = stats(ms)
    emit(framework=framework, network=network, what=what, batch=batch, threads=threads,
         median_ms=round(med, 4), mad_ms=round(mad, 4), reps=len(ms),
         images_per_s=round(batch / (med / 1e3), 2), **extra, other_load=getattr(ms, "other_load", None))


def set_threads(t):
    torch.set_num_threads(t)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass


def make_model(net, seed=0, calibrated=False):
    """EfficientNet-initialised random weights; calibrated: BN running stats taken from a
    random batch of 32 and the model put in eval mode (see torch_nets.calibrate_bn)."""
    torch.manual_seed(seed)
    model = build(net)
    if calibrated:
        calibrate_bn(model, torch.randn(32, *input_shape(net)))
    return model


# ---------------------------------------------------------------- infer

def torch_variants(model, x):
    """name -> (callable, input) for the PyTorch inference modes."""
    def eager():
        return lambda: model(x)

    def channels_last():
        m = make_model_copy(model).to(memory_format=torch.channels_last)
        xc = x.contiguous(memory_format=torch.channels_last)
        return lambda: m(xc)

    def jit():
        m = torch.jit.freeze(torch.jit.trace(make_model_copy(model), x))
        try:
            m = torch.jit.optimize_for_inference(m)
        except Exception:  # optional pass; frozen graph alone is still 'jit'
            pass
        return lambda: m(x)

    return {"eager": eager, "channels_last": channels_last, "jit": jit}


def make_model_copy(model):
    import copy
    return copy.deepcopy(model).eval()


def infer_pytorch(a, model, x, net):
    variants = torch_variants(model, x)
    modes = list(variants) if a.mode in ("all", "best") else [a.mode]
    if "eager" not in modes:
        modes.insert(0, "eager")
    results = {}
    with torch.no_grad():
        for mode in modes:
            try:
                fn = variants[mode]()
                results[mode] = measure(fn, a.reps, target_s=a.target_s)
            except Exception as e:  # a mode that fails to build is reported, not fatal
                emit(skipped=f"pytorch {mode}: {type(e).__name__}: {str(e).splitlines()[0][:200]}",
                     framework="pytorch", network=net, what="infer", batch=a.batch, threads=a.threads)
    report_modes(a, results, lambda mode, ms, fastest: row(
        "pytorch", net, "infer", a.batch, a.threads, ms, mode=mode, fastest=fastest, torch=torch.__version__))


def export_onnx(model, net, opset):
    out_dir = os.path.join(ROOT, "build", "onnx")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{net}.onnx")
    tmp = path + f".tmp{os.getpid()}"
    x = torch.zeros(1, *input_shape(net))
    with torch.no_grad():
        torch.onnx.export(model, x, tmp, opset_version=opset, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    os.replace(tmp, path)
    return path


def diff(ref, got):
    import numpy as np
    d = float(np.abs(ref - got).max())
    return float(f"{d:.3g}"), float(f"{d / max(float(np.abs(ref).max()), 1e-30):.3g}")


def infer_onnxruntime(a, path, xn, ref, net):
    try:
        import onnxruntime as ort
    except ImportError:
        emit(skipped="onnxruntime not installed in this interpreter (sh bench/setup_venv.sh; use build/venv/bin/python)",
             framework="onnxruntime", network=net, what="infer", batch=a.batch, threads=a.threads)
        return
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feed = {"input": xn}
    out = sess.run(None, feed)[0]
    ms = measure(lambda: sess.run(None, feed), a.reps, target_s=a.target_s)
    d, rel = diff(ref, out)
    row("onnxruntime", net, "infer", a.batch, a.threads, ms, mode="sequential,ORT_ENABLE_ALL",
        onnxruntime=ort.__version__, max_abs_diff_vs_torch=d, max_rel_diff_vs_torch=rel)


def infer_openvino(a, path, xn, ref, net):
    try:
        import openvino as ov
    except ImportError:
        emit(skipped="openvino not installed in this interpreter (sh bench/setup_venv.sh; use build/venv/bin/python)",
             framework="openvino", network=net, what="infer", batch=a.batch, threads=a.threads)
        return
    core = ov.Core()
    m = core.read_model(path)
    m.reshape([a.batch, *input_shape(net)])
    # LATENCY hint at every batch: one synchronous request gets all T threads (a THROUGHPUT
    # hint would split them over streams that one request cannot use). f32 forced: on
    # CPUs with avx512_bf16 the plugin's default inference precision may be bf16.
    cfg = {"INFERENCE_NUM_THREADS": a.threads, "PERFORMANCE_HINT": "LATENCY",
           "INFERENCE_PRECISION_HINT": "f32", "NUM_STREAMS": 1}
    cm = core.compile_model(m, "CPU", cfg)
    req = cm.create_infer_request()
    out = req.infer({0: xn})[cm.output(0)]
    ms = measure(lambda: req.infer({0: xn}), a.reps, target_s=a.target_s)
    d, rel = diff(ref, out)
    row("openvino", net, "infer", a.batch, a.threads, ms, mode="CPU,LATENCY,f32,1 stream",
        openvino=ov.__version__.split("-")[0], max_abs_diff_vs_torch=d, max_rel_diff_vs_torch=rel)


def cmd_infer(a):
    set_threads(a.threads)
    net = a.net
    model = make_model(net, calibrated=True)
    torch.manual_seed(1)
    x = torch.randn(a.batch, *input_shape(net))
    fws = FRAMEWORKS if a.framework == "all" else [a.framework]
    if "pytorch" in fws:
        infer_pytorch(a, model, x, net)
    others = [f for f in fws if f != "pytorch"]
    if others:
        with torch.no_grad():
            ref = model(x).numpy()
        path = export_onnx(model, net, a.opset)
        xn = x.numpy()
        for fw in others:
            try:
                (infer_onnxruntime if fw == "onnxruntime" else infer_openvino)(a, path, xn, ref, net)
            except Exception as e:
                emit(skipped=f"{fw}: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}",
                     framework=fw, network=net, what="infer", batch=a.batch, threads=a.threads)


# ---------------------------------------------------------------- train

TRAIN_MODES = ["eager", "channels_last"]


def train_modes(mode):
    """Layouts to time: eager (NCHW) always first, then channels_last for best/all."""
    return ["eager"] if mode == "eager" else (["eager", "channels_last"] if mode in ("best", "all") else ["eager", mode])


def report_modes(a, results, emit_row):
    """results: mode -> times; prints eager, plus the fastest mode (best) or all (all)."""
    best = min(results, key=lambda m: statistics.median(results[m]))
    for mode, ms in results.items():
        if a.mode == "best" and mode not in ("eager", best):
            continue
        emit_row(mode, ms, mode == best)


def to_layout(mode, *ts):
    if mode == "channels_last":
        return [t.to(memory_format=torch.channels_last) if not torch.is_tensor(t) or t.dim() == 4 else t
                for t in ts]
    return list(ts)


def cmd_train(a):
    set_threads(a.threads)
    results = {}
    for mode in train_modes(a.mode):
        model = make_model(a.net).train()
        torch.manual_seed(1)
        x = torch.randn(a.batch, *input_shape(a.net))
        y = torch.randint(0, NETS[a.net][1], (a.batch,))
        model, x = to_layout(mode, model, x)
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()

        results[mode] = measure(step, reps=a.steps, warmup=a.warmup)
    report_modes(a, results, lambda mode, ms, fastest: row(
        "pytorch", a.net, "train-step", a.batch, a.threads, ms, mode=mode, fastest=fastest,
        optimizer=f"SGD lr={a.lr} momentum=0.9", loss="cross-entropy", bn="training mode",
        torch=torch.__version__))


# ---------------------------------------------------------------- distill

def cmd_distill(a):
    set_threads(a.threads)
    shapes = {"input": [a.batch, 24, a.hw, a.hw], "output": [a.batch, 40, (a.hw + 1) // 2, (a.hw + 1) // 2],
              "teacher": "MBConv(24->40, e6, k5, s2, SE 0.25, SiLU), eval, no_grad",
              "student": f"MBConv(24->40, e{a.expansion}, k{a.kernel}, s2, SE 0.25, SiLU), train",
              "optimizer": "Adam lr=1e-3", "loss": "MSE"}
    full, student_only = {}, {}
    for mode in train_modes(a.mode):
        torch.manual_seed(0)
        # b0-fm stage 3's first block: 24 -> 40 channels, stride 2, input 14x14 -> output 7x7.
        teacher = calibrate_bn(init_weights(MBConv(24, 40, 6, 5, 2, 0.25, "silu")),
                               torch.randn(64, 24, a.hw, a.hw))
        student = init_weights(MBConv(24, 40, a.expansion, a.kernel, 2, 0.25, "silu")).train()
        for p in teacher.parameters():
            p.requires_grad_(False)
        torch.manual_seed(1)
        x = torch.randn(a.batch, 24, a.hw, a.hw)
        teacher, student, x = to_layout(mode, teacher, student, x)
        opt = torch.optim.Adam(student.parameters(), lr=1e-3)
        with torch.no_grad():
            target = teacher(x)
        assert list(target.shape) == shapes["output"]

        def student_step(t):
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(student(x), t)
            loss.backward()
            opt.step()

        def full_step():
            with torch.no_grad():
                t = teacher(x)
            student_step(t)

        full[mode] = measure(full_step, reps=a.steps, warmup=a.warmup)
        student_only[mode] = measure(lambda: student_step(target), reps=a.steps, warmup=a.warmup)
    report_modes(a, full, lambda mode, ms, fastest: row(
        "pytorch", "mbconv-24-40-s2", "distill-step", a.batch, a.threads, ms, mode=mode, fastest=fastest,
        includes="teacher forward + student forward/backward/Adam step", **shapes))
    report_modes(a, student_only, lambda mode, ms, fastest: row(
        "pytorch", "mbconv-24-40-s2", "distill-student-step", a.batch, a.threads, ms, mode=mode,
        fastest=fastest, includes="student forward/backward/Adam step (teacher output precomputed)", **shapes))


# ---------------------------------------------------------------- kernels

KCOLS = ["op", "batch", "h", "w", "cin", "cout", "k", "stride", "groups"]


def read_shapes(path):
    f = sys.stdin if path == "-" else open(path)
    lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise ValueError(f"{path}: empty")
    head = lines[0].split("\t")
    if head[:len(KCOLS)] != KCOLS:
        raise ValueError(f"{path}: header must start with {' '.join(KCOLS)} (tab-separated)")
    rows = []
    for n, ln in enumerate(lines[1:], 2):
        v = ln.split("\t")
        if len(v) < len(KCOLS):
            raise ValueError(f"{path}:{n}: expected {len(KCOLS)} tab-separated fields")
        r = {"op": v[0]}
        try:
            r.update({c: int(s) for c, s in zip(KCOLS[1:], v[1:len(KCOLS)])})
        except ValueError:
            raise ValueError(f"{path}:{n}: non-integer field")
        if r["op"] not in ("pointwise", "depthwise", "dense", "fc"):
            raise ValueError(f"{path}:{n}: op {r['op']!r} not one of pointwise, depthwise, dense, fc")
        if r["cin"] % r["groups"] or r["cout"] % r["groups"]:
            raise ValueError(f"{path}:{n}: groups must divide cin and cout")
        r["where"] = v[len(KCOLS)] if len(v) > len(KCOLS) and head[len(KCOLS):len(KCOLS) + 1] == ["where"] else None
        rows.append(r)
    return rows


def kernel_fns(r):
    """(macs, forward fn, backward fn) for one shape; backward = input grad + weight grad."""
    b, cin, cout, k, s, g = r["batch"], r["cin"], r["cout"], r["k"], r["stride"], r["groups"]
    if r["op"] == "fc":
        x = torch.randn(b, cin, requires_grad=True)
        w = torch.randn(cout, cin, requires_grad=True)
        bias = torch.randn(cout)
        macs = b * cin * cout
        fwd = lambda: F.linear(x, w, bias)  # noqa: E731
    else:
        x = torch.randn(b, cin, r["h"], r["w"], requires_grad=True)
        w = torch.randn(cout, cin // g, k, k, requires_grad=True)
        ho, wo = (r["h"] + 2 * (k // 2) - k) // s + 1, (r["w"] + 2 * (k // 2) - k) // s + 1
        macs = b * ho * wo * cout * (cin // g) * k * k
        fwd = lambda: F.conv2d(x, w, None, s, k // 2, 1, g)  # noqa: E731
    out = fwd()
    gout = torch.randn_like(out)

    def bwd():
        torch.autograd.grad(out, (x, w), gout, retain_graph=True)

    def fwd_nograd():
        with torch.no_grad():
            fwd()
    return macs, fwd_nograd, bwd


def cmd_kernels(a):
    set_threads(a.threads)
    torch.manual_seed(0)
    rows = read_shapes(a.shapes)
    for r in rows:
        if a.op and r["op"] not in a.op:
            continue
        macs, fwd, bwd = kernel_fns(r)
        shape = {c: r[c] for c in KCOLS if c != "batch"}
        for what, fn, flop in (("kernel-fwd", fwd, 2 * macs), ("kernel-bwd", bwd, 4 * macs)):
            if a.direction != "both" and not what.endswith(a.direction):
                continue
            ms = measure(fn, a.reps, target_s=a.target_s, min_reps=3)
            med = statistics.median(ms)
            row("pytorch", r["where"] or "kernel", what, r["batch"], a.threads, ms, **shape,
                macs=macs, gflop_s=round(flop / (med / 1e3) / 1e9, 3))


# ---------------------------------------------------------------- env

def cmd_env(a):
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    d = {"python": platform.python_version(), "executable": sys.executable, "torch": torch.__version__,
         "torch_threads_default": torch.get_num_threads(), "cpu": cpu, "cpus": os.cpu_count()}
    try:
        import numpy
        d["numpy"] = numpy.__version__
    except ImportError:
        pass
    for mod in ("onnx", "onnxruntime", "openvino"):
        try:
            d[mod] = __import__(mod).__version__.split("-")[0]
        except ImportError:
            d[mod] = None
    for name in NETS:
        p, m = count(build(name), input_shape(name))
        d[f"{name}_params"], d[f"{name}_macs"] = p, m
    emit(**d)


# ---------------------------------------------------------------- main

def positive(s):
    v = int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {s}")
    return v


def parser():
    ap = argparse.ArgumentParser(prog="bench_torch.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("infer", help="whole-network inference latency",
                       description="Inference (eval mode, no_grad) of NET on a random batch. PyTorch: the "
                       "eager model is always reported; --mode best also times channels_last and "
                       "torch.jit (trace+freeze+optimize_for_inference) and reports the fastest of them "
                       "too. ONNX runtimes use a model exported to build/onnx/NET.onnx (opset --opset, "
                       "dynamic batch) from the same weights, and report the max difference vs PyTorch.")
    p.add_argument("--net", choices=list(NETS), required=True)
    p.add_argument("--batch", type=positive, default=1)
    p.add_argument("--threads", type=positive, default=2)
    p.add_argument("--reps", type=positive, help="timed repetitions (default: as many as fit in --target-s)")
    p.add_argument("--target-s", type=float, default=2.0, help="seconds of timed runs when --reps is not given")
    p.add_argument("--framework", choices=FRAMEWORKS + ["all"], default="pytorch")
    p.add_argument("--mode", choices=["best", "all", "eager", "channels_last", "jit"], default="best",
                   help="PyTorch modes: best = eager + the fastest mode if not eager; all = every mode")
    p.add_argument("--opset", type=int, default=13)
    p.set_defaults(fn=cmd_infer)

    p = sub.add_parser("train", help="training-step throughput",
                       description="One step = forward, cross-entropy, backward, SGD(momentum 0.9) step, "
                       "BN in training mode, on a fixed random batch. Reports the median step. The eager NCHW model "
                       "is always reported; --mode best also times channels_last and reports it too if faster.")
    p.add_argument("--net", choices=list(NETS), default="b0-fm")
    p.add_argument("--batch", type=positive, default=128)
    p.add_argument("--threads", type=positive, default=2)
    p.add_argument("--steps", type=positive, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--mode", choices=["best", "all"] + TRAIN_MODES, default="best",
                   help="layouts: best = eager (NCHW) + channels_last if faster; all = both rows")
    p.set_defaults(fn=cmd_train)

    p = sub.add_parser("distill-step", help="phase-1 block distillation throughput",
                       description="Student MBConv(24->40, e3, k3, s2, SE 0.25, SiLU) trained with Adam "
                       "(lr 1e-3) on MSE against a teacher MBConv(24->40, e6, k5, s2, SE 0.25, SiLU) in eval "
                       "mode without grad; input BATCHx24x14x14 (where b0-fm's stage-3 block sits), output "
                       "BATCHx40x7x7. Two rows: distill-step (teacher forward included) and "
                       "distill-student-step (teacher output precomputed).")
    p.add_argument("--batch", type=positive, default=256)
    p.add_argument("--threads", type=positive, default=2)
    p.add_argument("--steps", type=positive, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--hw", type=positive, default=14, help="input height = width")
    p.add_argument("--expansion", type=positive, default=3, help="student expansion")
    p.add_argument("--kernel", type=positive, default=3, help="student depthwise kernel")
    p.add_argument("--mode", choices=["best", "all"] + TRAIN_MODES, default="best",
                   help="layouts: best = eager (NCHW) + channels_last if faster; all = both rows")
    p.set_defaults(fn=cmd_distill)

    p = sub.add_parser("kernels", help="single-op timings from a shapes TSV",
                       description="For each TSV row (header: op batch h w cin cout k stride groups "
                       "[where], e.g. from bench/kernel_shapes.py) times the op forward (no_grad) and "
                       "backward (input grad + weight grad, from a retained graph). GFLOP/s = 2*MACs/time "
                       "forward, 4*MACs/time backward. Padding k//2.")
    p.add_argument("--shapes", required=True, help="TSV file, or - for stdin")
    p.add_argument("--threads", type=positive, default=2)
    p.add_argument("--reps", type=positive)
    p.add_argument("--target-s", type=float, default=0.2, help="seconds of timed runs per op when --reps is not given")
    p.add_argument("--op", action="append", choices=["pointwise", "depthwise", "dense", "fc"],
                   help="only these ops (repeatable)")
    p.add_argument("--direction", choices=["fwd", "bwd", "both"], default="both")
    p.set_defaults(fn=cmd_kernels)

    p = sub.add_parser("env", help="versions, CPU, network counts (one JSON line)")
    p.set_defaults(fn=cmd_env)
    return ap


def main():
    a = parser().parse_args()
    try:
        a.fn(a)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:
        msg = str(e).splitlines()[0] if str(e) else ""
        sys.exit(f"bench_torch: error: {type(e).__name__}: {msg}")


if __name__ == "__main__":
    main()
