"""Run under ``mpiexec -n 2``: rank 1 raises in the middle of DDP training while rank 0
goes on into the next gradient allreduce. The job must end, non-zero, with rank 1's
traceback, instead of rank 0 waiting forever."""

import numpy as np

import gradkit as gk
import gradkit.distributed as dist
from gradkit import nn, optim
from gradkit.nn import functional as F
from gradkit.nn.parallel import DistributedDataParallel

dist.init_process_group()
rank = dist.get_rank()
gk.manual_seed(0)
model = DistributedDataParallel(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
opt = optim.SGD(model.parameters(), lr=0.1)
rng = np.random.default_rng(rank)
for step in range(1000):
    if rank == 1 and step == 5:
        raise RuntimeError("injected failure on rank 1 at step 5")
    x = gk.tensor(rng.standard_normal((8, 4)), dtype=gk.float32)
    y = gk.tensor(rng.integers(0, 2, 8))
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()
print("rank", rank, "finished: the failure was not propagated", flush=True)
