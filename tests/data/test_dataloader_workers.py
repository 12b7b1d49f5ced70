"""DataLoader with PyTorch's options and worker processes (concept O-SGD: mini-batches
from a DataLoader), samplers, and the ``gradkit.utils.data`` module path.

Every test with workers uses a handful of samples so that it runs well under 2 s."""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import time
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import gradkit as gk
from gradkit.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)
from parity import requires_torch, torch

NAMES = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
         "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
         "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate",
         "default_convert", "get_worker_info", "random_split"]  # fmt: skip


class Rows(Dataset):
    """A plain map-style dataset (no fast path): dict samples with a string field."""

    def __init__(self, n=13):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "y": i * i, "name": f"s{i}"}


class WhoLoads(Dataset):
    """Each sample says which worker made it and what the worker's generators give."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        if info is None:
            return {"i": i, "id": -1, "seed": -1, "draw": 0.0}
        return {
            "i": i,
            "id": info.id,
            "seed": info.seed,
            "draw": float(gk.rand(1).item()) + np.random.rand() + random.random(),
        }


def as_numpy(batch):
    if isinstance(batch, gk.Tensor):
        return batch.detach().numpy()
    if isinstance(batch, dict):
        return {k: as_numpy(v) for k, v in batch.items()}
    if isinstance(batch, list | tuple):
        return [as_numpy(v) for v in batch]
    return batch


def assert_same_batches(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        x, y = as_numpy(x), as_numpy(y)
        if isinstance(x, dict):
            assert x.keys() == y.keys()
            for k in x:
                np.testing.assert_array_equal(x[k], y[k])
        else:
            for u, v in zip(x, y):
                np.testing.assert_array_equal(u, v)


def tensor_dataset(n=11):
    return TensorDataset(gk.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2)), np.arange(n))


# ------------------------------------------------------------------ module path
def test_torch_utils_data_path_is_gradkit_data():
    import gradkit as torch_like
    import gradkit.data as data
    import gradkit.utils.data as utils_data

    for name in NAMES:
        assert getattr(utils_data, name) is getattr(data, name), name
        assert getattr(torch_like.utils.data, name) is getattr(data, name), name


@requires_torch
def test_every_torch_utils_data_name_we_promise_exists_in_torch():
    for name in NAMES:
        assert hasattr(torch.utils.data, name), name


# ------------------------------------------------------------------ samplers
@requires_torch
def test_sequential_and_batch_samplers_match_torch():
    for n, bs, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)]:
        ours = BatchSampler(SequentialSampler(range(n)), bs, drop)
        theirs = torch.utils.data.BatchSampler(
            torch.utils.data.SequentialSampler(range(n)), bs, drop
        )
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            BatchSampler(range(3), bad, False)
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            torch.utils.data.BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(3), 2, 1)


def test_random_sampler_permutations_replacement_and_num_samples():
    s = RandomSampler(range(7), generator=0)
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(7)) and first != second
    assert list(RandomSampler(range(7), generator=0)) == first  # an int seed repeats
    long = list(RandomSampler(range(4), num_samples=10, generator=gk.Generator().manual_seed(1)))
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    assert set(long[8:]) <= {0, 1, 2, 3} and len(set(long[8:])) == 2  # no repeats in a pass
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=300, generator=2))
    assert len(drawn) == 300 and set(drawn) == {0, 1, 2}
    gk.manual_seed(5)
    a = list(RandomSampler(range(9)))
    gk.manual_seed(5)
    assert list(RandomSampler(range(9))) == a  # the global generator by default
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="generator"):
        RandomSampler(range(3), generator="seed")


def test_subset_random_and_weighted_samplers():
    sub = list(SubsetRandomSampler([10, 20, 30, 40], generator=3))
    assert sorted(sub) == [10, 20, 30, 40]
    w = WeightedRandomSampler([1.0, 2.0, 0.0, 7.0], 20000, generator=4)
    counts = np.bincount(list(w), minlength=4) / 20000
    # binomial standard error at n = 20000 is below 0.0033: five of them is 0.017
    np.testing.assert_allclose(counts, [0.1, 0.2, 0.0, 0.7], atol=0.017)
    assert counts[2] == 0
    no_repeat = list(WeightedRandomSampler([5, 1, 1, 0, 1], 4, replacement=False, generator=5))
    assert sorted(no_repeat) == [0, 1, 2, 4]
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1, 0, 1], 3, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1, -1], 2)
    with pytest.raises(ValueError, match="1d"):
        WeightedRandomSampler([[1, 2]], 2)
    with pytest.raises(ValueError, match="num_samples"):
        WeightedRandomSampler([1, 2], 0)


def test_custom_sampler_and_batch_sampler_drive_the_loader():
    class Evens(Sampler):
        def __iter__(self):
            return iter([4, 2, 0])

        def __len__(self):
            return 3

    ds = tensor_dataset()
    ys = [y.tolist() for _, y in DataLoader(ds, batch_size=2, sampler=Evens())]
    assert ys == [[4, 2], [0]]
    ys = [y.tolist() for _, y in DataLoader(ds, batch_sampler=[[3, 1], [5]])]
    assert ys == [[3, 1], [5]]
    loader = DataLoader(ds, batch_sampler=BatchSampler(Evens(), 2, True))
    assert len(loader) == 1 and loader.batch_size is None


# ------------------------------------------------------------------ datasets
@requires_torch
def test_concat_chain_subset_and_random_split():
    a, b = tensor_dataset(3), tensor_dataset(4)
    both = a + b
    assert isinstance(both, ConcatDataset) and len(both) == 7
    assert (
        both.cumulative_sizes
        == torch.utils.data.ConcatDataset([range(3), range(4)]).cumulative_sizes
    )
    assert int(both[3][1]) == 0 and int(both[-1][1]) == 3
    with pytest.raises(IndexError):
        both[7]

    class Stream(IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    chain = Stream(2) + Stream(3)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    sub = Subset(Rows(), [4, 1])
    assert [s["y"] for s in sub.__getitems__([1, 0])] == [1, 16]
    g = gk.Generator().manual_seed(0)
    parts = random_split(range(10), [0.5, 0.3, 0.2], generator=g)
    assert [len(p) for p in parts] == [5, 3, 2]
    assert sorted(i for p in parts for i in p) == list(range(10))
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(3), [0.9, 0.1])


# ------------------------------------------------------------------ collation
@requires_torch
def test_collate_and_convert_types_match_torch():
    Point = namedtuple("Point", "a b")
    cases = [
        [(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 2)],
        [[1.5, True], [2.5, False]],
        [OrderedDict(x=np.int16(1), y="a"), OrderedDict(x=np.int16(2), y="b")],
        [Point(1, 2.0), Point(3, 4.0)],
    ]
    for samples in cases:
        ours, theirs = default_collate(samples), torch.utils.data.default_collate(samples)
        assert type(ours) is type(theirs), (samples, type(ours), type(theirs))
        flat_ours = ours.values() if isinstance(ours, dict) else ours
        flat_theirs = theirs.values() if isinstance(theirs, dict) else theirs
        for o, t in zip(flat_ours, flat_theirs):
            if isinstance(t, torch.Tensor):
                assert str(o.dtype) == str(t.dtype).replace("torch.", ""), (o.dtype, t.dtype)
                np.testing.assert_array_equal(o.numpy(), t.numpy())
            else:
                assert o == t
    sample = {"x": np.arange(3), "t": (np.float32(2), "s"), "l": [np.ones(1)]}
    ours, theirs = default_convert(sample), torch.utils.data.default_convert(sample)
    assert type(ours["t"]) is type(theirs["t"]) is list and ours["t"][1] == "s"
    assert isinstance(ours["x"], gk.Tensor) and ours["x"].dtype == np.int64
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])


def test_batch_size_none_yields_converted_samples():
    loader = DataLoader(Rows(4), batch_size=None)
    items = list(loader)
    assert len(loader) == len(items) == 4
    assert isinstance(items[2]["x"], gk.Tensor) and items[2]["x"].shape == (3,)
    assert items[2]["y"] == 4 and items[2]["name"] == "s2"
    same = list(DataLoader(Rows(4), batch_size=None, num_workers=2))
    assert_same_batches(items, same)


# ------------------------------------------------------------------ option checks
@requires_torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"num_workers": 1, "prefetch_factor": -1},
        {"persistent_workers": True},
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_sampler": [[0]], "sampler": [0]},
        {"batch_size": None, "drop_last": True},
        {"multiprocessing_context": "fork"},
        {"num_workers": 1, "multiprocessing_context": "no-such-method"},
    ],
)
def test_bad_option_combinations_raise_torch_errors(kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(list(range(4)), **kwargs)
    first_words = " ".join(str(theirs.value).split()[:3])
    assert first_words in str(ours.value), (str(ours.value), str(theirs.value))


@requires_torch
def test_iterable_dataset_options_and_frozen_attributes():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(5))

    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
            DataLoader(Stream(), **kwargs)
    with pytest.raises(TypeError):
        len(DataLoader(Stream()))
    loader = DataLoader(tensor_dataset(), batch_size=4)
    for name in ("batch_size", "sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set"):
            setattr(loader, name, 1)
    loader.num_workers = 0  # allowed, as in PyTorch


@requires_torch
@pytest.mark.parametrize(("n", "bs", "drop"), [(10, 3, False), (10, 3, True), (3, 5, True)])
def test_len_matches_torch(n, bs, drop):
    ours = DataLoader(list(range(n)), batch_size=bs, drop_last=drop, shuffle=True)
    theirs = torch.utils.data.DataLoader(list(range(n)), batch_size=bs, drop_last=drop)
    assert len(ours) == len(theirs) == len(list(ours))


# ------------------------------------------------------------------ workers
@pytest.mark.parametrize("dataset", [tensor_dataset(), Rows()], ids=["fast-path", "dict"])
def test_workers_give_the_same_batches_as_the_main_process(dataset):
    """Same order and values with 0 and 2 workers under the same seed, two epochs."""
    epochs = {}
    for workers in (0, 2):
        gk.manual_seed(11)
        loader = DataLoader(dataset, batch_size=3, shuffle=True, num_workers=workers)
        epochs[workers] = [list(loader), list(loader)]
    for e in range(2):
        assert_same_batches(epochs[0][e], epochs[2][e])
    first, second = (np.concatenate([labels(b) for b in epoch]) for epoch in epochs[0])
    assert sorted(first) == sorted(second) and not np.array_equal(first, second)  # reshuffled


def labels(batch):
    return as_numpy(batch["y"] if isinstance(batch, dict) else batch[1])


def test_workers_with_a_generator_persistent_workers_and_drop_last():
    ds = Rows(10)
    runs = []
    for workers, persistent in ((0, False), (2, False), (2, True)):
        loader = DataLoader(ds, batch_size=4, shuffle=True, drop_last=True,
                            num_workers=workers, persistent_workers=persistent,
                            generator=gk.Generator().manual_seed(3))  # fmt: skip
        runs.append([list(loader) for _ in range(3)])
        assert len(loader) == 2 == len(runs[-1][0])
    for run in runs[1:]:
        for e in range(3):
            assert_same_batches(runs[0][e], run[e])


def test_worker_info_seeds_and_init_fn():
    """get_worker_info() in workers; seeds base + id from the loader's generator, so
    manual_seed reproduces them and workers draw different random numbers."""
    assert get_worker_info() is None

    def run(seed):
        gk.manual_seed(seed)
        return [b for b in DataLoader(WhoLoads(), batch_size=2, num_workers=2)]

    a, b, c = run(0), run(0), run(1)
    ids = [int(x) for batch in a for x in batch["id"]]
    assert ids == [0, 0, 1, 1, 0, 0, 1, 1]  # round-robin, in order
    seeds = {int(i): int(s) for batch in a for i, s in zip(batch["id"], batch["seed"])}
    assert seeds[1] == seeds[0] + 1
    assert_same_batches(a, b)
    assert [int(x) for x in c[0]["seed"]] != [int(x) for x in a[0]["seed"]]
    draws = [float(x) for batch in a for x in batch["draw"]]
    assert len(set(draws)) == len(draws)  # the workers' generators differ

    class InitSets(Dataset):
        value = -1

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return (InitSets.value, get_worker_info().dataset is self)

    def init(worker_id):
        InitSets.value = 100 + worker_id

    batches = list(DataLoader(InitSets(), batch_size=1, num_workers=2, worker_init_fn=init))
    assert [int(v) for v, _ in batches] == [100, 101, 100, 101]
    assert all(bool(same) for _, same in batches)


class Shards(IterableDataset):
    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_iterable_dataset_shards_with_worker_info():
    single = [int(v) for b in DataLoader(Shards(9), batch_size=2) for v in b]
    assert single == list(range(9))
    sharded = [int(v) for b in DataLoader(Shards(9), batch_size=2, num_workers=2) for v in b]
    assert sorted(sharded) == list(range(9))
    assert sharded[:4] == [0, 2, 1, 3]  # batches alternate between the workers
    loader = DataLoader(Shards(5, shard=False), batch_size=2, num_workers=2)
    copies = [int(v) for b in loader for v in b]
    assert sorted(copies) == sorted(list(range(5)) * 2)  # unsharded: each worker copies all
    dropped = list(DataLoader(Shards(9), batch_size=2, num_workers=2, drop_last=True))
    assert [len(b) for b in dropped] == [2, 2, 2, 2]  # each worker drops its partial batch
    assert len(DataLoader(Shards(9), batch_size=2)) == 5
    assert [int(v) for v in DataLoader(Shards(3), batch_size=None, num_workers=2)] == [0, 1, 2]


class Broken(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise KeyError(f"sample {i} is broken")
        return i


def test_worker_exception_reaches_the_main_process_with_its_traceback():
    start = time.monotonic()
    with pytest.raises(KeyError) as info:
        list(DataLoader(Broken(), batch_size=2, num_workers=2))
    message = str(info.value)
    assert "Caught KeyError in DataLoader worker process 1" in message
    assert "Original Traceback" in message and "in __getitem__" in message
    assert "sample 3 is broken" in message
    assert time.monotonic() - start < 2.0

    class LocalError(Exception):
        pass

    def bad_init(worker_id):
        raise LocalError("init failed")

    with pytest.raises(RuntimeError, match="(?s)Caught LocalError.*init failed"):
        list(DataLoader(range(4), batch_size=2, num_workers=1, worker_init_fn=bad_init))
    with pytest.raises(RuntimeError, match="can't be pickled"):
        list(DataLoader(range(4), batch_size=2, num_workers=1, collate_fn=lambda b: lambda: b))


def test_dead_worker_and_timeout_raise_instead_of_hanging():
    class Dies(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            os._exit(3)

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="exit code 3.*exited unexpectedly"):
        list(DataLoader(Dies(), num_workers=1))

    class Slow(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(5)
            return i

    with pytest.raises(RuntimeError, match="timed out after 0.2 seconds"):
        list(DataLoader(Slow(), num_workers=1, timeout=0.2))
    assert time.monotonic() - start < 2.0


def alive(processes):
    return [p for p in processes if p.is_alive()]


def test_workers_shut_down_at_the_end_on_break_and_on_del():
    loader = DataLoader(tensor_dataset(), batch_size=2, num_workers=2)
    it = iter(loader)
    workers = list(it._workers)
    assert len(alive(workers)) == 2
    list(it)
    assert not alive(workers)  # the end of the epoch stops them

    for i, _ in enumerate(loader):
        if i == 0:
            break  # the loop drops its iterator, whose collection stops the workers
    gc.collect()
    assert multiprocessing.active_children() == []

    it = iter(loader)
    workers = list(it._workers)
    next(it)
    del it
    gc.collect()
    assert not alive(workers)

    persistent = DataLoader(tensor_dataset(), batch_size=2, num_workers=2, persistent_workers=True)
    list(persistent)
    workers = list(persistent._iterator._workers)
    list(persistent)
    assert persistent._iterator._workers == workers and len(alive(workers)) == 2  # reused
    del persistent
    gc.collect()
    assert not alive(workers)


def test_prefetch_factor_bounds_the_outstanding_batches():
    loader = DataLoader(tensor_dataset(20), batch_size=1, num_workers=2, prefetch_factor=3)
    it = iter(loader)
    assert it._send_idx == 6  # prefetch_factor × num_workers requested up front
    next(it)
    assert it._send_idx == 7  # one more for each batch taken
    del it
    assert len(list(DataLoader(tensor_dataset(20), batch_size=4, num_workers=2,
                               prefetch_factor=1))) == 5  # fmt: skip


def test_pin_memory_and_out_of_order_are_accepted():
    plain = list(DataLoader(tensor_dataset(), batch_size=3))
    pinned = list(DataLoader(tensor_dataset(), batch_size=3, pin_memory=True, num_workers=2))
    assert_same_batches(plain, pinned)
    unordered = list(DataLoader(tensor_dataset(), batch_size=3, num_workers=2, in_order=False))
    got = sorted(int(v) for _, y in unordered for v in y)
    assert got == list(range(11))


def test_spawn_context_works_and_unpicklable_dataset_is_explained():
    """Outside ``fork`` everything handed to a worker must pickle (module-level)."""
    loader = DataLoader(tensor_dataset(), batch_size=4, num_workers=1,
                        multiprocessing_context="spawn")  # fmt: skip
    assert_same_batches(list(loader), list(DataLoader(tensor_dataset(), batch_size=4)))

    class Local(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return i

    with pytest.raises(RuntimeError, match="can't be pickled"):
        list(DataLoader(Local(), num_workers=1, multiprocessing_context="spawn"))
