"""Batches for ``fit``/``evaluate``/``predict``: NumPy arrays (or Tensors, lists and
dicts of them), a ``keras.utils.PyDataset``/``Sequence``, or any iterable of
``(x, y[, sample_weight])`` batches (a generator, a gradkit ``DataLoader``).

Arrays are cut into ``batch_size`` slices, shuffled each epoch from gradkit's global
generator (so ``keras.utils.set_random_seed``/``gk.manual_seed`` make ``fit``
reproducible); ``validation_split`` takes the *last* fraction of the samples before
shuffling, as Keras does (the first ⌊n·(1 − split)⌋ samples train).
"""

from __future__ import annotations

import math

import numpy as np

from gradkit.keras.src import tree
from gradkit.random import numpy_rng
from gradkit.tensor import Tensor


def _to_numpy(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "values") and hasattr(x, "columns"):  # pandas DataFrame
        return np.asarray(x.values)
    if hasattr(x, "to_numpy"):
        return x.to_numpy()
    return np.asarray(x)


def is_array_data(x) -> bool:
    leaves = tree.flatten(x)
    return all(
        leaf is None
        or isinstance(leaf, (np.ndarray, Tensor, list, tuple, float, int))
        or hasattr(leaf, "__array__")
        for leaf in leaves
    ) and not _is_dataset(x)


def _is_dataset(x) -> bool:
    from gradkit.keras.utils.dataset import PyDataset

    return isinstance(x, PyDataset)


def standardize_arrays(x):
    """Nested structure with NumPy leaves (lists of numbers become arrays)."""
    if isinstance(x, (list, tuple)) and x and all(
        isinstance(v, (int, float, np.number)) or (isinstance(v, (list, tuple)) and v and
                                                   isinstance(v[0], (int, float, np.number)))
        for v in x
    ):  # fmt: skip
        return np.asarray(x)
    return tree.map_structure(_to_numpy, x)


def check_cardinality(x, y=None, sample_weight=None) -> int:
    sizes = {}
    for label, data in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for leaf in tree.flatten(data):
            if leaf is None:
                continue
            if np.ndim(leaf) == 0:
                raise ValueError(f"Expected {label} arrays with a batch axis, got a scalar")
            sizes.setdefault(label, []).append(len(leaf))
    all_sizes = {s for values in sizes.values() for s in values}
    if len(all_sizes) > 1:
        details = "\n".join(f"- {k} sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.\n{details}"
        )
    if not all_sizes:
        raise ValueError("No data provided: x is empty")
    return all_sizes.pop()


def check_finite(data, label: str) -> None:
    for leaf in tree.flatten(data):
        if leaf is not None and leaf.dtype.kind == "f" and not np.isfinite(leaf).all():
            bad = int(np.size(leaf) - np.count_nonzero(np.isfinite(leaf)))
            raise ValueError(f"{label} contains {bad} NaN or infinite value(s)")


def train_validation_split(arrays, validation_split: float):
    """Split every array at ⌊n · (1 − validation_split)⌋ (Keras' rule)."""
    n = check_cardinality(*arrays)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into "
            f"a validation and training set as specified by `validation_split={validation_split}`."
            " Either provide more data, or a different value for the `validation_split` "
            "argument."
        )

    def take(data, part):
        return tree.map_structure(
            lambda a: None if a is None else (a[:split_at] if part == 0 else a[split_at:]), data
        )

    return tuple(take(a, 0) for a in arrays), tuple(take(a, 1) for a in arrays)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch given as x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found a tuple of length {len(data)}"
    )


class ArrayIterator:
    """Batches of in-memory arrays; ``shuffle`` is True, False or ``"batch"``."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False) -> None:
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.n = check_cardinality(x, y, sample_weight)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.num_batches = math.ceil(self.n / batch_size)

    def epoch(self):
        if self.shuffle == "batch":
            order = np.arange(self.n)
            starts = numpy_rng().permutation(self.num_batches)
            chunks = [order[s * self.batch_size : (s + 1) * self.batch_size] for s in starts]
        else:
            order = numpy_rng().permutation(self.n) if self.shuffle else np.arange(self.n)
            chunks = [
                order[s * self.batch_size : (s + 1) * self.batch_size]
                for s in range(self.num_batches)
            ]
        for idx in chunks:

            def take(data, idx=idx):
                return tree.map_structure(lambda a: None if a is None else a[idx], data)

            yield take(self.x), take(self.y), take(self.sample_weight)


class DatasetIterator:
    """Batches from a PyDataset/Sequence or any iterable of batches."""

    def __init__(self, data, shuffle=False) -> None:
        self.data = data
        self.shuffle = shuffle
        try:
            self.num_batches = len(data)
        except TypeError:
            self.num_batches = None

    def epoch(self):
        if _is_dataset(self.data):
            order = np.arange(len(self.data))
            if self.shuffle:
                order = numpy_rng().permutation(order)
            for i in order:
                yield unpack_x_y_sample_weight(self.data[int(i)])
            self.data.on_epoch_end()
            return
        for batch in self.data:
            yield unpack_x_y_sample_weight(batch)


class EpochIterator:
    """Steps of one epoch; with ``steps_per_epoch`` the same iterator carries on across
    epochs (as Keras does) and running out of data stops with a warning."""

    def __init__(self, source, steps_per_epoch=None) -> None:
        self.source = source
        self.steps_per_epoch = steps_per_epoch
        self._iterator = None
        self._exhausted = False
        self.num_batches = steps_per_epoch or source.num_batches

    def __iter__(self):
        if self.steps_per_epoch is None:
            yield from enumerate(self.source.epoch())
            return
        if self._iterator is None:
            self._iterator = self.source.epoch()
        for step in range(self.steps_per_epoch):
            try:
                batch = next(self._iterator)
            except StopIteration:
                if isinstance(self.source, ArrayIterator) or self.source.num_batches:
                    import warnings

                    warnings.warn(
                        "Your input ran out of data; interrupting training. Make sure that "
                        "your dataset or generator can generate at least `steps_per_epoch * "
                        "epochs` batches. You may need to use the `.repeat()` function when "
                        "building your dataset.",
                        stacklevel=2,
                    )
                self._exhausted = True
                return
            yield step, batch
