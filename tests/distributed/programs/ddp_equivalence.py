"""Run under ``mpiexec -n W``: DistributedDataParallel training (an MLP, and a small CNN
whose BatchNorm became SyncBatchNorm) on W shards equals one process training the same
network on the combined batches, in float64, for SGD with momentum and for Adam.

Each rank trains the reference itself on the whole batch, so no files are exchanged.
Rank r > 0 starts from different weights than rank 0: only the wrap-time broadcast makes
it equal. Prints ``RESULT <model> <optimizer> <max |difference|>`` per case on rank 0 and
fails (aborting the job) when a difference exceeds 1e-10.
"""

import sys

import numpy as np

import gradkit as gk
import gradkit.distributed as dist
from gradkit import nn, optim
from gradkit.nn import functional as F
from gradkit.nn.parallel import DistributedDataParallel

STEPS, PER_RANK = 40, 4


def make(kind: str, seed: int) -> nn.Module:
    """The layers that feed a batch norm have no bias, as usual: such a bias cancels in
    the normalization, its exact gradient is 0, and Adam (dividing by √v + 1e-8) would
    turn the 1e-17 rounding noise that stands in for it into 1e-11 steps that differ
    between any two summation orders."""
    gk.manual_seed(seed)
    if kind == "mlp":
        net = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))
    else:
        net = nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1, bias=False),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(4 * 5 * 5, 8, bias=False),
            nn.BatchNorm1d(8),
            nn.Tanh(),
            nn.Linear(8, 3),
        )
    return net.double()


def optimizer(name: str, params):
    if name == "sgd":
        return optim.SGD(params, lr=0.05, momentum=0.9)
    return optim.Adam(params, lr=0.01)


def main() -> None:
    dist.init_process_group(backend="mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(0)  # the same data on every rank
    batch = PER_RANK * world
    shapes = {"mlp": (6,), "cnn": (2, 5, 5)}
    for kind in ("mlp", "cnn"):
        xs = rng.standard_normal((STEPS, batch, *shapes[kind]))
        ys = rng.integers(0, 3, size=(STEPS, batch))
        for opt_name in ("sgd", "adam"):
            reference = make(kind, 0)
            local = make(kind, 0 if rank == 0 else 100 + rank)
            if kind == "cnn":
                local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
            model = DistributedDataParallel(local)
            ref_opt = optimizer(opt_name, reference.parameters())
            opt = optimizer(opt_name, model.parameters())
            mine = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
            for step in range(STEPS):
                x, y = gk.tensor(xs[step]), gk.tensor(ys[step])
                ref_opt.zero_grad()
                F.cross_entropy(reference(x), y).backward()
                ref_opt.step()
                opt.zero_grad()
                F.cross_entropy(model(x[mine]), y[mine]).backward()
                opt.step()
            ref_state, state = reference.state_dict(), model.module.state_dict()
            assert sorted(ref_state) == sorted(state), (sorted(ref_state), sorted(state))
            diffs = {
                k: float(np.max(np.abs(ref_state[k].numpy() - state[k].numpy()))) for k in state
            }
            diff = max(diffs.values())
            worst = [0.0] * world
            dist.all_gather_object(worst, diff)
            if rank == 0:
                print(f"RESULT {kind} {opt_name} {max(worst):.3e}", flush=True)
            assert max(worst) <= 1e-10, f"{kind}/{opt_name}: differences {diffs}"
    dist.barrier()


if __name__ == "__main__":
    main()
    sys.exit(0)
