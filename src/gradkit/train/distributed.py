"""What ``Model.fit(..., distributed=True)`` adds to the training loop: data-parallel
training over the MPI process group (see :mod:`gradkit.distributed`).

The contract, as in Keras' distribution strategies:

- ``batch_size`` is the *global* batch: every rank draws the same shuffled order (from a
  seed rank 0 chooses and broadcasts) and takes its slice of each global batch
  (``numpy.array_split`` into world-size parts), so W ranks run the same optimization as
  one process with the same ``batch_size``.
- Gradients are averaged over ranks after every backward pass
  (:class:`~gradkit.distributed.DistributedDataParallel`); each rank's loss is weighted
  by its share of the global batch, so an uneven last batch still gives the gradient of
  the mean loss over that batch (the loss must be a mean over samples, as every named
  loss is).
- Callbacks run on rank 0 only (logging, checkpoints, early stopping); after every round
  of callbacks rank 0's decisions (``stop_training``, and the optimizer's
  hyperparameters such as a scheduled learning rate) are broadcast, so the ranks never
  take different branches, and at the end rank 0's weights (e.g. restored best weights)
  and history are broadcast too.
- Epoch logs (and validation, which each rank computes on its share) are sample-weighted
  means over all ranks; per-batch logs are rank 0's own shard.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from gradkit.random import numpy_rng


class DataParallelFit:
    """The per-``fit`` state of a data-parallel run: the communicator, the rank, the
    world size and the shared shuffling seed."""

    def __init__(self, n_samples: int, batch_size: int, seed: int | None) -> None:
        from gradkit import distributed as dist
        from gradkit._process_group import comm

        if not dist.is_initialized():
            dist.init_process_group()
        self.comm = comm()
        self.rank, self.world = self.comm.Get_rank(), self.comm.Get_size()
        sizes = self.comm.allgather(n_samples)
        if len(set(sizes)) > 1:
            raise ValueError(
                "fit(distributed=True): every rank must pass the whole training set (each "
                f"trains on its own slice of every batch), but the ranks hold {sizes} samples"
            )
        if seed is None:  # rank 0 chooses, so every rank shuffles alike
            seed = int(numpy_rng().integers(2**63))
        self.seed = self.comm.bcast(seed, root=0)
        leftover = n_samples % batch_size
        if 0 < leftover < self.world and self.rank == 0:
            warnings.warn(
                f"fit(distributed=True): the last batch of each epoch holds {leftover} "
                f"samples, fewer than the {self.world} ranks, and is skipped; choose a "
                "batch_size that leaves no such remainder to train on every sample",
                RuntimeWarning,
                stacklevel=3,
            )

    @property
    def is_chief(self) -> bool:
        return self.rank == 0

    def wrap(self, module):
        """The module wrapped for gradient averaging (rank 0's weights broadcast now)."""
        from gradkit.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(module)

    def shard(self, idx: np.ndarray) -> tuple[np.ndarray, float]:
        """This rank's slice of a global batch, and the factor n_r · W / n that makes the
        average over ranks of the scaled local mean losses the global batch's mean."""
        local = np.array_split(idx, self.world)[self.rank]
        return local, len(local) * self.world / len(idx)

    def reduce_means(self, totals: dict[str, float], seen: int) -> dict[str, float]:
        """Σ_r totals_r / Σ_r seen_r for every key (totals are sample-weighted sums)."""
        keys = sorted(totals)
        buf = np.array([totals[k] for k in keys] + [float(seen)], dtype=np.float64)
        buf = self.comm.allreduce(buf)
        count = max(buf[-1], 1.0)
        return {k: float(buf[i] / count) for i, k in enumerate(keys)}

    def evaluate(self, model, x, y, batch_size: int) -> dict[str, float]:
        """``model.evaluate`` on this rank's share of (x, y), combined over ranks."""
        part = np.array_split(np.arange(len(x)), self.world)[self.rank]
        keys = ["loss", *(name for name, _ in model.metric_fns)]
        totals = dict.fromkeys(keys, 0.0)
        if len(part):
            result = model.evaluate(x[part], y[part], batch_size=batch_size, return_dict=True)
            totals = {k: result[k] * len(part) for k in keys}
        return self.reduce_means(totals, len(part))

    def sync_control(self, model, halt: bool = False) -> bool:
        """Give every rank rank 0's ``stop_training`` and optimizer hyperparameters;
        returns rank 0's ``halt`` (leave the epoch now)."""
        optimizer = model.optimizer
        state = None
        if self.is_chief:
            groups = [
                {k: v for k, v in g.items() if k != "params" and _plain(v)}
                for g in optimizer.param_groups
            ]
            state = (bool(model.stop_training), bool(halt), groups)
        stop, halt, groups = self.comm.bcast(state, root=0)
        model.stop_training = stop
        for group, values in zip(optimizer.param_groups, groups):
            group.update(values)
        return halt

    def finish(self, model, history) -> None:
        """Rank 0's weights, buffers and history everywhere (after callbacks such as
        EarlyStopping(restore_best_weights=True) changed rank 0's)."""
        from gradkit.nn.parallel import sync_module_state

        sync_module_state(model.module, self.comm)
        records = self.comm.bcast((history.history, history.epoch), root=0)
        history.history, history.epoch = records


def _plain(value) -> bool:
    """Hyperparameter values that are safe and cheap to broadcast (numbers, flags,
    tuples of numbers, None, strings)."""
    if value is None or isinstance(value, bool | str | numbers.Number):
        return True
    return isinstance(value, tuple) and all(isinstance(v, numbers.Number) for v in value)
