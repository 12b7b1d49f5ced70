"""``DistributedSampler`` (PyTorch's ``torch.utils.data.distributed``): the indices one
rank of a data-parallel job visits in an epoch.

With n = len(dataset) and W replicas, each rank gets ``num_samples`` indices:
⌈n / W⌉, or ⌈(n − W) / W⌉ with ``drop_last`` when n is not a multiple of W. The epoch's
order (``range(n)``, or with ``shuffle`` a permutation drawn from ``seed + epoch``) is
padded by repeating its head up to ``total_size = num_samples · W`` indices (or cut to
it with ``drop_last``), and rank r takes every W-th index starting at r. So the ranks
together visit every index once per epoch (plus the padding), every rank draws the same
permutation without communicating, and :meth:`set_epoch` changes it.

The permutation comes from NumPy's PCG64, so the order differs from PyTorch's under the
same seed; everything else (sizes, padding, striding) is PyTorch's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from gradkit import _process_group as pg
from gradkit.data.sampler import Sampler


class DistributedSampler(Sampler):
    """Restrict data loading to this rank's share of ``dataset``.

    Parameters
    ----------
    dataset : sized
    num_replicas : int, optional
        Number of ranks; default: the process group's world size.
    rank : int, optional
        This rank, in ``[0, num_replicas - 1]``; default: the process group's rank.
    shuffle : bool
        Permute the indices each epoch (default True).
    seed : int
        Base seed, the same on every rank; the epoch's permutation uses ``seed + epoch``.
    drop_last : bool
        Drop the tail so every rank gets the same number of distinct indices, instead of
        padding with repeated indices.

    Examples
    --------
    >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False))
    ...  for r in (0, 1)]
    [[0, 2, 4], [1, 3, 0]]
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None:
            num_replicas = pg.comm().Get_size()
        if rank is None:
            rank = pg.comm().Get_rank()
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, int | np.integer):
            raise TypeError(f"num_replicas must be an int, got {num_replicas!r}")
        if num_replicas < 1:
            raise ValueError(f"num_replicas must be at least 1, got {num_replicas}")
        if isinstance(rank, bool) or not isinstance(rank, int | np.integer):
            raise TypeError(f"rank must be an int, got {rank!r}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            indices = np.arange(n)
        if not self.drop_last:
            padding = self.total_size - n
            if padding > 0:
                indices = np.concatenate([indices, np.resize(indices, padding)])
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, so the next ``iter()`` draws that epoch's permutation (call it at
        the start of every epoch, on every rank, with the same value)."""
        self.epoch = epoch
