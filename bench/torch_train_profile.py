"""Per-op profile of one PyTorch training step (issue 18 item 4): b0-fm (or --net),
channels_last (PyTorch's best training mode here), SGD with momentum, cross-entropy,
as bench_torch.py train times it; torch.profiler over --steps steps after 3 warm-up
steps, ops by self CPU time (divide by --steps for ms per step). Compare with
bench_train_ops (hant's per-op breakdown of the same step).

usage: /usr/bin/python3 bench/torch_train_profile.py [--net b0-fm] [--batch 128] [--threads 2] [--steps 4]
"""
import argparse, os, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch import make_model, set_threads
from torch_nets import input_shape, NETS

ap = argparse.ArgumentParser()
ap.add_argument("--net", default="b0-fm", choices=list(NETS))
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=4)
a = ap.parse_args()
set_threads(a.threads)
m = make_model(a.net).train().to(memory_format=torch.channels_last)
torch.manual_seed(1)
x = torch.randn(a.batch, *input_shape(a.net)).contiguous(memory_format=torch.channels_last)
y = torch.randint(0, NETS[a.net][1], (a.batch,))
opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)


def step():
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(m(x), y).backward()
    opt.step()


for _ in range(3):
    step()
from torch.profiler import profile, ProfilerActivity
with profile(activities=[ProfilerActivity.CPU]) as p:
    for _ in range(a.steps):
        step()
print(f"{a.net} batch {a.batch} threads {a.threads} channels_last, {a.steps} steps")
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))
