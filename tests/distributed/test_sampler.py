"""DistributedSampler against PyTorch's, with explicit ``num_replicas`` and ``rank`` (no
MPI needed): the same sizes, padding, striding and drop_last; with ``shuffle`` the same
result as PyTorch's sampler fed the same permutation (concept T-DEVICE)."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.data import DataLoader, DistributedSampler, TensorDataset
from gradkit.utils.data.distributed import DistributedSampler as TorchPathSampler

torch = pytest.importorskip("torch")
from torch.utils.data.distributed import DistributedSampler as TorchSampler  # noqa: E402

CASES = [
    (n, w, r, drop)
    for n in (0, 1, 5, 7, 10, 12)
    for w in (1, 2, 3, 4)
    for r in range(w)
    for drop in (False, True)
]


@pytest.mark.parametrize(("n", "world", "rank", "drop_last"), CASES)
def test_t_device_sampler_matches_torch_unshuffled(n, world, rank, drop_last):
    ours = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=False,
                              drop_last=drop_last)  # fmt: skip
    theirs = TorchSampler(range(n), num_replicas=world, rank=rank, shuffle=False,
                          drop_last=drop_last)  # fmt: skip
    assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)
    assert len(ours) == len(theirs)
    assert list(ours) == list(theirs)


@pytest.mark.parametrize(("n", "world", "rank", "drop_last"), [c for c in CASES if c[0]])
def test_t_device_sampler_matches_torch_on_the_same_permutation(
    n, world, rank, drop_last, monkeypatch
):
    """PyTorch draws its permutation with torch.randperm; fed gradkit's permutation of
    the same epoch it must pick exactly gradkit's indices (padding and striding agree)."""
    ours = DistributedSampler(range(n), num_replicas=world, rank=rank, seed=11,
                              drop_last=drop_last)  # fmt: skip
    theirs = TorchSampler(range(n), num_replicas=world, rank=rank, seed=11,
                          drop_last=drop_last)  # fmt: skip
    for epoch in (0, 3):
        ours.set_epoch(epoch)
        theirs.set_epoch(epoch)
        perm = np.random.default_rng(11 + epoch).permutation(n)
        monkeypatch.setattr(torch, "randperm", lambda *a, p=perm, **k: torch.as_tensor(p))
        assert list(ours) == list(theirs)


def test_t_device_sampler_epochs_differ_and_repeat():
    s = DistributedSampler(range(50), num_replicas=2, rank=1, seed=3)
    first, again = list(s), list(s)
    assert first == again  # the same epoch, the same order
    s.set_epoch(1)
    assert list(s) != first
    other = DistributedSampler(range(50), num_replicas=2, rank=0, seed=3)
    assert sorted(first + list(other)) == list(range(50))


def test_t_device_sampler_bad_arguments_match_torch():
    with pytest.raises(
        ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"
    ):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=2, rank=-1)
    with pytest.raises(ValueError, match="num_replicas must be at least 1"):
        DistributedSampler(range(4), num_replicas=0, rank=0)


def test_t_device_sampler_without_a_process_group_says_so():
    """Without num_replicas/rank the sampler asks the process group, like PyTorch's."""
    import gradkit.distributed as dist

    if dist.is_initialized():
        pytest.skip("a process group is initialized in this process")
    with pytest.raises(ValueError, match="has not been initialized.*init_process_group"):
        DistributedSampler(range(4))


def test_t_device_sampler_feeds_a_dataloader_and_torch_path():
    assert TorchPathSampler is DistributedSampler
    data = TensorDataset(np.arange(10.0))
    sampler = DistributedSampler(data, num_replicas=3, rank=2, shuffle=False)
    loader = DataLoader(data, batch_size=2, sampler=sampler)
    got = [float(v) for (batch,) in loader for v in batch.tolist()]
    assert got == [2.0, 5.0, 8.0, 1.0]  # padded with the head of the order
