#!/usr/bin/python3
"""Kernel microbenchmarks side by side: hant (bench/bench_kernels.c) and PyTorch
on the same conv/FC shapes, forward, backward dx and backward dw.

  /usr/bin/python3 bench/bench_kernels_torch.py --hant build/gcc-native/bench_kernels \\
      --shapes build/kernel_shapes.tsv [--threads 2] [--target-ms 150] \\
      [--quiet-wait 300] [--md build/bench_kernels.md] [--tsv build/bench_kernels.tsv]
  /usr/bin/python3 bench/bench_kernels_torch.py --from-tsv build/bench_kernels.tsv --md OUT.md

(`make bench-kernels` runs exactly this.) The hant program runs as a child
process fed one shape at a time through a pipe; right after hant has timed a
shape, PyTorch times the same shape here, so both see the same machine load.

PyTorch side: torch.set_num_threads(T), interop 1, float32. conv: F.conv2d
forward and aten.convolution_backward with output_mask (dx only, dw only),
which is what autograd calls, so dx and dw are timed separately as in hant.
Both NCHW and channels_last are tried for every (shape, direction) and the
faster is kept (its name is in the "layout" column). fc: F.linear forward,
dx = dy W and dw = dy^T x with torch.mm, as autograd does. No bias anywhere.

Timing, identical on both sides (bench/bench_common.h hant_bench_time):
warm-up until >= 2 calls and >= 20 ms; samples of back-to-back calls lasting
about 1 ms each; >= 5 and <= 201 samples, until target-ms of sampling; the
median time per call and its MAD. Warm caches: each op reruns on the same
buffers. GFLOP/s = 2 * MACs / time for every direction; "% of peak" divides by
the FMA peak the hant program measures (best of 5, at the start and at the
end; the larger is used) for the ISA it was compiled for.
"speed ratio" = PyTorch time / hant time: > 1 means hant is faster.
"other load" = share of the CPUs used by OTHER processes while a shape was
being timed (0 quiet .. 1 every core busy elsewhere); rows above 0.1 are noisy.
With --quiet-wait S the run waits (S seconds at most in all) for other
processes to go idle before it starts and after a noisy shape, which it then
times once more, keeping the quieter try.
"""
import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_torch import KCOLS, _cpu_busy_s, read_shapes, set_threads  # noqa: E402  (exits if torch is missing)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DIRS = ["fwd", "dx", "dw"]
NOISY = 0.1


def time_fn(fn, target_ms):
    """(median ms per call, MAD ms, samples): the protocol of hant_bench_time."""
    t0, calls = time.perf_counter(), 0
    while True:
        fn()
        calls += 1
        el = (time.perf_counter() - t0) * 1e3
        if calls >= 2 and el >= 20.0:
            break
    est = el / calls
    inner = 1 if est >= 1.0 else math.ceil(1.0 / est)
    t, start = [], time.perf_counter()
    while len(t) < 5 or (len(t) < 201 and (time.perf_counter() - start) * 1e3 < target_ms):
        s0 = time.perf_counter()
        for _ in range(inner):
            fn()
        t.append((time.perf_counter() - s0) * 1e3 / inner)
    med = statistics.median(t)
    return med, statistics.median(abs(v - med) for v in t), len(t)


def quick_ms(fn):
    """Rough ms per call, after one untimed call (oneDNN builds its primitive then)."""
    fn()
    t0, calls = time.perf_counter(), 0
    while calls < 2 or time.perf_counter() - t0 < 0.01:
        fn()
        calls += 1
    return (time.perf_counter() - t0) * 1e3 / calls


def torch_ops(r, layout):
    """{dir: callable} for one shape in one memory layout."""
    b, cin, cout, k, s, g = r["batch"], r["cin"], r["cout"], r["k"], r["stride"], r["groups"]
    if r["op"] == "fc":
        x, w, gy = torch.randn(b, cin), torch.randn(cout, cin), torch.randn(b, cout)
        return {"fwd": lambda: F.linear(x, w), "dx": lambda: torch.mm(gy, w), "dw": lambda: torch.mm(gy.t(), x)}
    mf = torch.channels_last if layout == "channels_last" else torch.contiguous_format
    x = torch.randn(b, cin, r["h"], r["w"]).contiguous(memory_format=mf)
    w = torch.randn(cout, cin // g, k, k).contiguous(memory_format=mf)
    p = k // 2
    y = F.conv2d(x, w, None, s, p, 1, g)
    gy = torch.randn_like(y)  # keeps y's layout
    bwd = torch.ops.aten.convolution_backward
    args = (gy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], g)
    return {"fwd": lambda: F.conv2d(x, w, None, s, p, 1, g),
            "dx": lambda: bwd(*args, [True, False, False]),
            "dw": lambda: bwd(*args, [False, True, False])}


def proc_cpu_s(pid):
    """CPU seconds used so far by process pid (all its threads), or 0 if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class Hant:
    """The hant benchmark as a child process, fed one shape line at a time."""

    def __init__(self, binary, threads, target_ms):
        self.p = subprocess.Popen([binary, "-", "--threads", str(threads), "--target-ms", str(target_ms)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.meta = {}
        while True:
            ln = self._line()
            if ln.startswith("#"):
                key, _, val = ln[1:].strip().partition(" ")
                self.meta[key] = val
            else:
                self.cols = ln.rstrip("\n").split("\t")
                break
        self.p.stdin.write("\t".join(KCOLS) + "\n")

    def _line(self):
        ln = self.p.stdout.readline()
        if not ln:
            sys.exit(f"bench_kernels_torch: {self.p.args[0]} stopped (exit status {self.p.wait()})")
        return ln

    def run(self, r):
        self.p.stdin.write("\t".join(str(r[c]) for c in KCOLS) + "\n")
        out = {}
        for _ in DIRS:
            d = dict(zip(self.cols, self._line().rstrip("\n").split("\t")))
            out[d["dir"]] = (float(d["median_ms"]), float(d["mad_ms"]), int(d["samples"]))
        return out

    def finish(self):
        self.p.stdin.close()
        for ln in self.p.stdout:
            if ln.startswith("#"):
                key, _, val = ln[1:].strip().partition(" ")
                self.meta[key] = val
        if self.p.wait():
            sys.exit(f"bench_kernels_torch: {self.p.args[0]} failed (exit status {self.p.returncode})")


def macs_of(r):
    ho = (r["h"] + 2 * (r["k"] // 2) - r["k"]) // r["stride"] + 1
    wo = (r["w"] + 2 * (r["k"] // 2) - r["k"]) // r["stride"] + 1
    return r["batch"] * ho * wo * r["cout"] * (r["cin"] // r["groups"]) * r["k"] * r["k"]


def cpu_info():
    model, flags = None, []
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name") and model is None:
                    model = ln.split(":", 1)[1].strip()
                elif ln.startswith("flags") and not flags:
                    flags = ln.split(":", 1)[1].split()
    except OSError:
        pass
    model = model or platform.processor()
    keep = [f for f in flags if f in ("sse4_2", "avx", "avx2", "fma", "f16c") or f.startswith("avx512") or f == "amx_tile"]
    return model, keep


def geomean(v):
    return math.exp(sum(math.log(x) for x in v) / len(v)) if v else float("nan")


def fmt_ms(v):
    return f"{v:.4f}" if v < 10 else f"{v:.1f}"


TSV_COLS = KCOLS + ["dir", "macs", "hant_ms", "hant_mad_ms", "hant_gflops", "hant_pct", "torch_ms", "torch_mad_ms",
                    "torch_gflops", "torch_pct", "torch_layout", "ratio", "other_load", "where"]


def summary_line(label, sel):
    q = [r["ratio"] for r in sel]
    tot = sum(r["torch_ms"] for r in sel) / sum(r["hant_ms"] for r in sel)
    return (f"| {label} | {len(sel)} | {statistics.median(r['hant_pct'] for r in sel):.1f} | "
            f"{statistics.median(r['torch_pct'] for r in sel):.1f} | {statistics.median(q):.2f} | "
            f"{geomean(q):.2f} | {min(q):.2f} .. {max(q):.2f} | {tot:.2f} |")


def write_reports(rows, meta, a):
    """Markdown (and TSV) from the rows; meta holds the run's facts (see main)."""
    peak = max(float(meta.get("fma_peak_gflops", 0)), float(meta.get("fma_peak_gflops_end", 0)))
    for r in rows:
        flop = 2.0 * r["macs"]
        r["hant_gflops"] = flop / (r["hant_ms"] * 1e6)
        r["torch_gflops"] = flop / (r["torch_ms"] * 1e6)
        r["hant_pct"] = 100 * r["hant_gflops"] / peak
        r["torch_pct"] = 100 * r["torch_gflops"] / peak
        r["ratio"] = r["torch_ms"] / r["hant_ms"]
    if a.tsv:
        with open(a.tsv + ".tmp", "w") as f:
            f.writelines(f"# {k} {v}\n" for k, v in meta.items())
            f.write("\t".join(TSV_COLS) + "\n")
            for r in rows:
                f.write("\t".join(f"{r[c]:.6g}" if isinstance(r[c], float) else str(r[c]) for c in TSV_COLS) + "\n")
        os.replace(a.tsv + ".tmp", a.tsv)

    m = meta.get
    L = ["# Kernel microbenchmarks: hant vs PyTorch\n",
         f"- Date: {m('date')}; wall time {m('wall_s')} s, of which {m('waited_s')} s waiting for other processes "
         "to go idle.",
         f"- CPU: {m('cpu')} ({m('cpus')} CPUs); flags: {m('cpu_flags')}.",
         f"- hant: ISA {m('isa')}, compiler {m('compiler', '?')}, flags `{m('cflags') or '?'}`.",
         f"- Measured FMA peak ({m('isa')}, {m('threads')} threads, best of 5): {m('fma_peak_gflops')} GFLOP/s at the "
         f"start, {m('fma_peak_gflops_end', '?')} at the end; {peak:.1f} is used for every % of peak.",
         f"- PyTorch {m('torch')} on {m('python')}, {m('threads')} threads; oneDNN {m('onednn')}; layout: the faster "
         "of NCHW and channels_last per shape and direction (column layout).",
         f"- Timing: median per call of >= 5 samples of ~1 ms each, about {m('target_ms')} ms of samples per row "
         "after >= 20 ms of warm-up; warm caches. speed ratio = PyTorch ms / hant ms (> 1: hant faster)."]
    noisy = sum(r["other_load"] > NOISY for r in rows) // len(DIRS)
    L.append(f"- Shapes timed while other processes used > {NOISY:.0%} of the CPUs (column other load; "
             f"the quieter of two tries is kept): {noisy} of {len(rows) // len(DIRS)}.\n")

    head = ("| rows | hant median % of peak | PyTorch median % of peak | median speed ratio | geomean speed ratio | "
            "min .. max | total-time ratio |")
    L += ["## Summary by op class\n", "| op | dir " + head, "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for op in ("dense", "depthwise", "pointwise", "fc"):
        for d in DIRS:
            sel = [r for r in rows if r["op"] == op and r["dir"] == d]
            if sel:
                L.append(summary_line(f"{op} | {d}", sel))
    for d in DIRS:
        L.append(summary_line(f"**all** | {d}", [r for r in rows if r["dir"] == d]))
    L.append(summary_line("**all** | all", rows))
    L += ["\n## Summary by batch and op class (fwd, dx and dw rows together)\n", "| batch | op " + head,
          "|---:|---|---:|---:|---:|---:|---:|---|---:|"]
    for b in sorted({r["batch"] for r in rows}):
        for op in ("dense", "depthwise", "pointwise", "fc"):
            sel = [r for r in rows if r["op"] == op and r["batch"] == b]
            if sel:
                L.append(summary_line(f"{b} | {op}", sel))
    L.append("\nA row is one shape in one direction. total-time ratio = sum of PyTorch ms / sum of hant ms "
             "over the rows (dominated by the large shapes).\n")

    L.append("## Per network: every conv/FC layer once (shapes weighted by how often they occur)\n")
    L.append("| network@batch | dir | layers | hant ms | PyTorch ms | speed ratio |")
    L.append("|---|---|---:|---:|---:|---:|")
    nets = []
    for r in rows:
        for w in r["where"].split(","):
            n = w.split(":")[0]
            if n and n not in nets:
                nets.append(n)
    for n in nets:
        for d in DIRS:
            cnt = hs = ts = 0
            for r in rows:
                if r["dir"] != d:
                    continue
                k = sum(1 for w in r["where"].split(",") if w.split(":")[0] == n)
                cnt, hs, ts = cnt + k, hs + k * r["hant_ms"], ts + k * r["torch_ms"]
            if cnt:
                L.append(f"| {n} | {d} | {cnt} | {fmt_ms(hs)} | {fmt_ms(ts)} | {ts / hs:.2f} |")
    L.append("")

    L.append("## Every shape\n")
    L.append("| op | batch | input HxW | cin→cout | k | s | dir | MFLOP | hant ms | hant GFLOP/s | hant % peak | "
             "PyTorch ms | PyTorch GFLOP/s | PyTorch % peak | layout | speed ratio | other load |")
    L.append("|---|---:|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in rows:
        L.append(f"| {r['op']} | {r['batch']} | {r['h']}x{r['w']} | {r['cin']}→{r['cout']} | {r['k']} | {r['stride']} | "
                 f"{r['dir']} | {2 * r['macs'] / 1e6:.3f} | {fmt_ms(r['hant_ms'])} | {r['hant_gflops']:.1f} | "
                 f"{r['hant_pct']:.1f} | {fmt_ms(r['torch_ms'])} | {r['torch_gflops']:.1f} | {r['torch_pct']:.1f} | "
                 f"{r['torch_layout']} | {r['ratio']:.2f} | {r['other_load']:.2f} |")
    text = "\n".join(L) + "\n"
    if a.md:
        with open(a.md + ".tmp", "w") as f:
            f.write(text)
        os.replace(a.md + ".tmp", a.md)
    return text


def read_results(path):
    """(rows, meta) from a TSV that write_reports wrote."""
    meta, rows, cols = {}, [], None
    with open(path) as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if ln.startswith("#"):
                k, _, v = ln[1:].strip().partition(" ")
                meta[k] = v
            elif cols is None:
                cols = ln.split("\t")
            elif ln:
                r = dict(zip(cols, ln.split("\t")))
                for c in KCOLS[1:] + ["macs"]:
                    r[c] = int(float(r[c]))
                for c in ("hant_ms", "hant_mad_ms", "torch_ms", "torch_mad_ms", "other_load"):
                    r[c] = float(r[c])
                rows.append(r)
    return rows, meta


def measure_shape(hant, r, target_ms):
    """hant then PyTorch on one shape: (3 rows, other load during both)."""
    c0, h0, w0 = _cpu_busy_s(), proc_cpu_s(hant.p.pid), time.perf_counter()
    hres = hant.run(r)
    layouts = ["-"] if r["op"] == "fc" else ["contiguous", "channels_last"]
    ops = {lay: torch_ops(r, lay) for lay in layouts}
    tres = {}
    for d in DIRS:
        lay = min(layouts, key=lambda lay: quick_ms(ops[lay][d])) if len(layouts) > 1 else layouts[0]
        tres[d] = time_fn(ops[lay][d], target_ms) + (lay,)
    c1, h1, wall = _cpu_busy_s(), proc_cpu_s(hant.p.pid), time.perf_counter() - w0
    other = (0.0 if c0 is None or c1 is None else
             max(0.0, ((c1[0] - c0[0]) - (c1[1] - c0[1]) - (h1 - h0)) / (wall * (os.cpu_count() or 1))))
    rows = [dict(r, dir=d, macs=macs_of(r), hant_ms=hres[d][0], hant_mad_ms=hres[d][1],
                 torch_ms=tres[d][0], torch_mad_ms=tres[d][1], torch_layout=tres[d][3].replace("contiguous", "NCHW"),
                 other_load=round(other, 3), where=r["where"] or "") for d in DIRS]
    return rows, other


class Quiet:
    """Waits (within a total budget of seconds) until other processes use less
    than NOISY of the CPUs: on a shared machine a busy neighbour turns every
    fork-join into a wait for a time slice, on both sides."""

    def __init__(self, budget_s, pids):
        self.left, self.pids, self.waited = budget_s, pids, 0.0

    def others(self, window_s=1.0):
        c0, p0, w0 = _cpu_busy_s(), sum(proc_cpu_s(p) for p in self.pids), time.perf_counter()
        time.sleep(window_s)
        c1, p1, wall = _cpu_busy_s(), sum(proc_cpu_s(p) for p in self.pids), time.perf_counter() - w0
        if c0 is None or c1 is None:
            return 0.0
        return max(0.0, ((c1[0] - c0[0]) - (c1[1] - c0[1]) - (p1 - p0)) / (wall * (os.cpu_count() or 1)))

    def wait(self):
        while self.left > 0:
            t0 = time.perf_counter()
            o = self.others()
            if o < NOISY:
                return True
            print(f"  waiting for a quiet machine: other processes use {o:.0%} of the CPUs "
                  f"({self.left:.0f} s of waiting left)", flush=True)
            time.sleep(min(4.0, self.left))
            dt = time.perf_counter() - t0
            self.left -= dt
            self.waited += dt
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hant", help="the bench_kernels binary")
    ap.add_argument("--shapes", help="TSV from bench/kernel_shapes.py (--where gives the per-network table)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--target-ms", type=float, default=150.0, help="ms of timed samples per row and side")
    ap.add_argument("--quiet-wait", type=float, default=0.0,
                    help="seconds in all that may be spent waiting for other processes to go idle: at the start, "
                         "and after a shape timed while they were busy, which is then timed again (once)")
    ap.add_argument("--limit", type=int, help="only the first N shapes (a quick check)")
    ap.add_argument("--cflags", default="", help="hant's compiler flags, for the report")
    ap.add_argument("--md", help="write the Markdown report here")
    ap.add_argument("--tsv", help="write every row here")
    ap.add_argument("--from-tsv", metavar="TSV", help="time nothing: rewrite --md from the rows a run wrote to --tsv")
    a = ap.parse_args()
    if a.from_tsv:
        rows, meta = read_results(a.from_tsv)
        a.tsv = None
        text = write_reports(rows, meta, a)
        print(text[text.index("## Summary"):text.index("## Every shape")].rstrip())
        return
    if not a.hant or not a.shapes:
        ap.error("--hant and --shapes are required (or --from-tsv)")
    if not 1 <= a.threads <= 64:
        ap.error("--threads must be 1..64")

    t_start = time.time()
    shapes = read_shapes(a.shapes)[:a.limit]
    set_threads(a.threads)
    torch.manual_seed(0)
    quiet = Quiet(a.quiet_wait, [os.getpid()])
    quiet.wait()  # before the FMA peak is measured
    hant = Hant(a.hant, a.threads, a.target_ms)
    quiet.pids.append(hant.p.pid)
    print(f"isa {hant.meta.get('isa')} threads {a.threads} fma_peak_gflops {hant.meta.get('fma_peak_gflops')}; "
          f"{len(shapes)} shapes x (fwd, dx, dw), hant then PyTorch per shape", flush=True)
    results, todo, retried, t_loop = {}, list(range(len(shapes))), set(), time.time()
    while todo:
        i = todo.pop(0)
        r = shapes[i]
        rows, other = measure_shape(hant, r, a.target_ms)
        if i not in results or other < results[i][1]:
            results[i] = (rows, other)
        el = time.time() - t_loop
        print(f"[{i + 1}/{len(shapes)}{' again' if i in retried else ''}] {r['op']} b{r['batch']} {r['h']}x{r['w']} "
              f"{r['cin']}->{r['cout']} k{r['k']} s{r['stride']}: "
              + "  ".join(f"{x['dir']} {x['hant_ms']:.4g}/{x['torch_ms']:.4g} ms" for x in rows)
              + f"  (hant/PyTorch; other load {other:.2f}; ETA {el / len(results) * (len(shapes) - len(results)):.0f} s)",
              flush=True)
        if other > NOISY and quiet.left > 0:
            if i not in retried:
                retried.add(i)
                todo.append(i)
            quiet.wait()
    quiet.wait()  # before the FMA peak is measured again
    hant.finish()
    rows = [x for i in sorted(results) for x in results[i][0]]
    model, flags = cpu_info()
    meta = dict(hant.meta, date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                wall_s=f"{time.time() - t_start:.0f}", waited_s=f"{quiet.waited:.0f}", cpu=model,
                cpus=os.cpu_count(), cpu_flags=" ".join(flags), cflags=a.cflags, torch=torch.__version__,
                python=sys.executable, onednn="on" if torch.backends.mkldnn.is_available() else "off")
    text = write_reports(rows, meta, a)
    print("\n" + text[text.index("## Summary"):text.index("## Every shape")].rstrip())
    if a.md:
        print(f"\nfull table: {a.md}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
