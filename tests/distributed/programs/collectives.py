"""Run under ``mpiexec -n W``: the collectives on tensors against their definitions, and
DistributedSampler across real ranks (every index once per epoch, a new order after
set_epoch). Prints ``OK <world size>`` on rank 0; any failure aborts the job."""

import numpy as np

import gradkit as gk
import gradkit.distributed as dist
from gradkit.utils.data import DataLoader, TensorDataset
from gradkit.utils.data.distributed import DistributedSampler


def check_collectives(rank: int, world: int) -> None:
    ranks = np.arange(world, dtype=np.float64)
    base = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    mine = base * (rank + 1)
    for op, expect in (
        (dist.ReduceOp.SUM, sum(base * (r + 1) for r in range(world))),
        (dist.ReduceOp.AVG, sum(base * (r + 1) for r in range(world)) / world),
        (dist.ReduceOp.MAX, np.maximum(base, base * world)),
        (dist.ReduceOp.MIN, np.minimum(base, base * world)),
        (dist.ReduceOp.PRODUCT, base**world * float(np.prod(ranks + 1))),
    ):
        t = gk.tensor(mine.copy())
        assert dist.all_reduce(t, op=op) is None
        np.testing.assert_allclose(t.numpy(), expect, rtol=1e-15, err_msg=str(op))
    flags = gk.tensor(np.array([1 << rank, 3], dtype=np.int64))
    dist.all_reduce(flags, op=dist.ReduceOp.BOR)
    assert flags.tolist() == [(1 << world) - 1, 3]
    # a non-contiguous tensor is reduced in place too
    wide = gk.tensor(np.arange(12.0).reshape(3, 4) * (rank + 1))
    view = wide[:, ::2]
    dist.all_reduce(view)
    total = world * (world + 1) / 2
    np.testing.assert_array_equal(
        wide.numpy()[:, ::2], np.arange(12.0).reshape(3, 4)[:, ::2] * total
    )
    np.testing.assert_array_equal(
        wide.numpy()[:, 1::2], np.arange(12.0).reshape(3, 4)[:, 1::2] * (rank + 1)
    )
    # broadcast from the last rank
    t = gk.tensor(np.full(4, float(rank)))
    work = dist.broadcast(t, src=world - 1, async_op=True)
    assert work.wait()
    assert t.tolist() == [float(world - 1)] * 4
    # all_gather fills the list in rank order
    out = [gk.zeros(2, 3, dtype=gk.float32) for _ in range(world)]
    dist.all_gather(out, gk.full((2, 3), float(rank), dtype=gk.float32))
    assert [float(o.numpy()[0, 0]) for o in out] == [float(r) for r in range(world)]
    objs = [None, {"a": 1}] if rank == 0 else [None, None]
    dist.broadcast_object_list(objs, src=0)
    assert objs == [None, {"a": 1}]
    dist.barrier()


def check_sampler(rank: int, world: int) -> None:
    for n in (12, 10, 7):
        for drop_last in (False, True):
            seen = {}
            for epoch in (0, 1):
                sampler = DistributedSampler(range(n), shuffle=True, seed=5, drop_last=drop_last)
                assert (sampler.num_replicas, sampler.rank) == (world, rank)
                sampler.set_epoch(epoch)
                mine = list(sampler)
                assert len(mine) == len(sampler)
                parts = [None] * world
                dist.all_gather_object(parts, mine)
                assert len({len(p) for p in parts}) == 1, parts  # equal shares
                flat = [i for p in parts for i in p]
                counts = np.bincount(flat, minlength=n)
                if n % world == 0:
                    assert (counts == 1).all(), (n, world, parts)  # every index exactly once
                elif drop_last:
                    assert counts.max() == 1 and counts.sum() == n - n % world
                else:  # padded with the head of the epoch's order: each index once or twice
                    assert counts.min() == 1 and counts.sum() == len(flat)
                    assert counts.sum() - n == -n % world
                seen[epoch] = parts
            assert seen[0] != seen[1], "set_epoch must change the order"
    # the sampler drives a DataLoader; every rank sees its shard, together all of it
    data = TensorDataset(gk.arange(12))
    sampler = DistributedSampler(data, shuffle=False)
    loader = DataLoader(data, batch_size=2, sampler=sampler)
    got = [int(v) for (batch,) in loader for v in batch.tolist()]
    assert got == list(range(rank, 12 + (-12 % world), world))[: len(sampler)]


def main() -> None:
    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    check_collectives(rank, world)
    check_sampler(rank, world)
    if rank == 0:
        print(f"OK {world}", flush=True)


if __name__ == "__main__":
    main()
