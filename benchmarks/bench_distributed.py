"""Data-parallel scaling over MPI: one epoch of the MNIST MLP (784-256-256-10, ReLU,
float32, SGD with momentum, global batch 128) on 1 rank and on 2 ranks, one BLAS thread
per rank, and the scaling efficiency T1 / (2 · T2). Also the cost of the gradient
allreduce on 2 ranks: one flat buffer (what DistributedDataParallel does) against one
allreduce per parameter (what buckets of one tensor would cost).

Runs and epochs alternate between 1 and 2 ranks (``--rounds`` pairs); the median of each
is reported. Reads MNIST from $GRADKIT_DATA; without it, random data of MNIST's shape.

Run: python benchmarks/bench_distributed.py [--rounds 3] [--limit 60000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("BENCH_THREADS", "1")
import _common  # noqa: E402,F401  (pins BLAS threads before numpy loads)
import numpy as np  # noqa: E402


def load(limit: int):
    try:
        from gradkit.data import load_mnist

        x, y = load_mnist(split="train")
        source = "MNIST"
    except (FileNotFoundError, OSError):
        rng = np.random.default_rng(0)
        x, y = rng.random((60000, 784), dtype=np.float32), rng.integers(0, 10, 60000)
        source = "random data of MNIST's shape"
    return x.reshape(len(x), 784)[:limit].astype(np.float32), y[:limit], source


def worker(limit: int) -> None:
    """One MPI rank: train one epoch, report the slowest rank's time on rank 0."""
    import gradkit as gk
    import gradkit.distributed as dist
    from gradkit import nn, optim
    from gradkit._process_group import mpi
    from gradkit.nn import functional as F

    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y, source = load(limit)
    gk.manual_seed(0)
    net = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    model = nn.parallel.DistributedDataParallel(net) if world > 1 else net
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sampler = dist.DistributedSampler(range(len(x)), shuffle=True, seed=0)
    idx = np.fromiter(sampler, dtype=np.int64)
    local_batch = 128 // world
    comm = mpi().COMM_WORLD
    comm.Barrier()
    start = time.perf_counter()
    for s in range(0, len(idx), local_batch):
        b = idx[s : s + local_batch]
        opt.zero_grad()
        F.cross_entropy(model(gk.tensor(x[b])), gk.tensor(y[b])).backward()
        opt.step()
    elapsed = comm.allreduce(time.perf_counter() - start, op=mpi().MAX)
    line = f"EPOCH {world} {elapsed:.4f} {source}"
    if world > 1:  # the allreduce of the gradients alone: flat vs per parameter
        MPI = mpi()
        grads = [np.ones(p.shape, dtype=np.float32) for p in net.parameters()]
        flat = np.ones(sum(g.size for g in grads) + len(grads), dtype=np.float32)

        def timed(fn, reps=200):
            comm.Barrier()
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            return comm.allreduce((time.perf_counter() - t0) / reps, op=MPI.MAX)

        flat_s = timed(lambda: comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM))
        each_s = timed(lambda: [comm.Allreduce(MPI.IN_PLACE, g, op=MPI.SUM) for g in grads])
        line += f" | ALLREDUCE {flat.size} {flat_s * 1e3:.3f} {each_s * 1e3:.3f}"
    if rank == 0:
        print(line, flush=True)


def run(nproc: int, limit: int) -> str:
    from gradkit.distributed.launch import find_mpiexec

    cmd = [find_mpiexec(), "-n", str(nproc), sys.executable, __file__, "--worker"]
    cmd += ["--limit", str(limit)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=1800)
    return next(line for line in out.stdout.splitlines() if line.startswith("EPOCH"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="alternating 1-rank/2-rank pairs")
    ap.add_argument("--limit", type=int, default=60000, help="training images per epoch")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.limit)
        return
    print("versions:", _common.versions(), f"; {os.cpu_count()} CPUs visible")
    times: dict[int, list[float]] = {1: [], 2: []}
    reduce_flat, reduce_each, source, size = [], [], "", 0
    for _ in range(args.rounds):
        for nproc in (1, 2):
            line = run(nproc, args.limit)
            print("  ", line)
            parts = line.split()
            times[nproc].append(float(parts[2]))
            source = " ".join(parts[3:]).split(" | ")[0]
            if "ALLREDUCE" in line:
                tail = line.split("ALLREDUCE ")[1].split()
                size = int(tail[0])
                reduce_flat.append(float(tail[1]))
                reduce_each.append(float(tail[2]))
    t1, t2 = statistics.median(times[1]), statistics.median(times[2])
    print(f"data: {source}, {args.limit} images per epoch, global batch 128, float32")
    print(f"epoch, 1 rank : {t1:.2f} s")
    print(f"epoch, 2 ranks: {t2:.2f} s   speedup {t1 / t2:.2f}x, efficiency {t1 / (2 * t2):.0%}")
    print(
        f"gradient allreduce on 2 ranks ({size} float32): one flat buffer "
        f"{statistics.median(reduce_flat):.3f} ms, one per parameter "
        f"{statistics.median(reduce_each):.3f} ms"
    )


if __name__ == "__main__":
    main()
