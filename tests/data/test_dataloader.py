"""Dataset, DataLoader, default_collate and random_split (PyTorch's semantics)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import gradkit as gk
from gradkit.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)
from parity import requires_torch, torch


class Squares(Dataset):
    """A plain map-style dataset (no fast path): dict samples."""

    def __len__(self):
        return 11

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "y": i * i, "name": f"s{i}"}


def tensor_dataset(n=23):
    X = np.arange(n * 4, dtype=np.float32).reshape(n, 4)
    return TensorDataset(gk.tensor(X), np.arange(n) % 3)


@pytest.mark.parametrize(
    ("batch_size", "drop_last", "sizes"),
    [
        (5, False, [5, 5, 5, 5, 3]),
        (5, True, [5, 5, 5, 5]),
        (23, True, [23]),
        (30, True, []),
    ],
)
def test_batches_in_order(batch_size, drop_last, sizes):
    ds = tensor_dataset()
    loader = DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == len(sizes)
    assert [len(y) for _, y in batches] == sizes
    if batches:
        x = np.concatenate([b[0].detach().numpy() for b in batches])
        np.testing.assert_array_equal(x, ds.arrays[0][: len(x)])
        assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_shuffle_is_seeded_and_a_permutation():
    ds = tensor_dataset()
    first = [y.detach().numpy().copy() for _, y in DataLoader(ds, 4, shuffle=True, generator=7)]
    order = np.concatenate(
        [x.detach().numpy()[:, 0] / 4 for x, _ in DataLoader(ds, 4, True, generator=7)]
    )
    assert sorted(order.astype(int)) == list(range(23))
    assert not np.array_equal(order, np.arange(23))
    again = [y.detach().numpy() for _, y in DataLoader(ds, 4, shuffle=True, generator=7)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    loader = DataLoader(ds, 4, shuffle=True, generator=np.random.default_rng(7))
    epoch1 = np.concatenate([x.detach().numpy()[:, 0] for x, _ in loader])
    epoch2 = np.concatenate([x.detach().numpy()[:, 0] for x, _ in loader])
    assert not np.array_equal(epoch1, epoch2)  # a new permutation each epoch
    np.testing.assert_array_equal(epoch1 / 4, order)


def test_default_generator_follows_manual_seed():
    ds = tensor_dataset()
    gk.manual_seed(3)
    a = np.concatenate([y.detach().numpy() for _, y in DataLoader(ds, 5, shuffle=True)])
    gk.manual_seed(3)
    b = np.concatenate([y.detach().numpy() for _, y in DataLoader(ds, 5, shuffle=True)])
    np.testing.assert_array_equal(a, b)


def test_fast_path_equals_per_sample_collate():
    """One fancy index per batch gives exactly default_collate of the single samples."""
    ds = tensor_dataset()
    fast = list(DataLoader(ds, 6, shuffle=True, generator=1))
    slow = list(DataLoader(ds, 6, shuffle=True, generator=1, collate_fn=default_collate))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.detach().numpy(), sx.detach().numpy())
        np.testing.assert_array_equal(fy.detach().numpy(), sy.detach().numpy())
        assert fx.dtype == sx.dtype and fy.dtype == sy.dtype


def test_fast_path_has_no_per_sample_loop(monkeypatch):
    ds = tensor_dataset()
    monkeypatch.setattr(TensorDataset, "__getitem__", lambda *a: pytest.fail("per-sample"))
    assert len(list(DataLoader(ds, 4))) == 6
    train, _ = random_split(ds, [20, 3], generator=0)
    assert sum(len(y) for _, y in DataLoader(train, 8, shuffle=True)) == 20


@requires_torch
def test_default_collate_matches_torch():
    Point = namedtuple("Point", "a b")
    samples = [
        (np.ones((2, 2), np.float32) * i, i, float(i) / 2, True, np.int32(i), Point(i, [i, -i]))
        for i in range(3)
    ]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    for o, t in zip(ours[:5], theirs[:5]):
        np.testing.assert_array_equal(o.detach().numpy(), t.numpy())
        assert o.dtype == np.dtype(str(t.dtype).replace("torch.", "")), (o.dtype, t.dtype)
    assert isinstance(ours[5], Point)
    np.testing.assert_array_equal(ours[5].a.detach().numpy(), theirs[5].a.numpy())
    assert isinstance(ours[5].b, list)
    np.testing.assert_array_equal(ours[5].b[1].detach().numpy(), theirs[5].b[1].numpy())


def test_dict_samples_and_custom_collate():
    batch = next(iter(DataLoader(Squares(), batch_size=4)))
    assert set(batch) == {"x", "y", "name"}
    assert batch["x"].shape == (4, 3) and batch["x"].dtype == np.float32
    np.testing.assert_array_equal(batch["y"].detach().numpy(), [0, 1, 4, 9])
    assert batch["name"] == ["s0", "s1", "s2", "s3"]
    lens = [len(b) for b in DataLoader(Squares(), 4, collate_fn=lambda s: s)]
    assert lens == [4, 4, 3]
    with pytest.raises(TypeError, match="collate_fn"):
        default_collate([object(), object()])


@pytest.mark.parametrize("dataset", [tensor_dataset(), Squares()], ids=["tensor", "dict"])
def test_prefetch_gives_the_same_batches(dataset):
    plain = list(DataLoader(dataset, 3, shuffle=True, generator=5))
    pre = list(DataLoader(dataset, 3, shuffle=True, generator=5, prefetch=2))
    assert len(plain) == len(pre)
    for a, b in zip(plain, pre):
        a = a if isinstance(a, list) else (a["x"], a["y"])
        b = b if isinstance(b, list) else (b["x"], b["y"])
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u.detach().numpy(), v.detach().numpy())


def test_prefetch_early_break_and_errors():
    import threading

    before = threading.active_count()
    loader = DataLoader(tensor_dataset(), 2, prefetch=1)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    assert threading.active_count() == before  # the worker thread has finished

    class Broken(Squares):
        def __getitem__(self, i):
            if i == 5:
                raise KeyError("sample 5 is broken")
            return super().__getitem__(i)

    with pytest.raises(KeyError, match="sample 5"):
        list(DataLoader(Broken(), 2, prefetch=2))


@requires_torch
def test_random_split_sizes_match_torch_and_are_disjoint():
    ds = tensor_dataset(23)
    for lengths in ([0.5, 0.3, 0.2], [0.7, 0.3], [10, 13], [1 / 3] * 3):
        parts = random_split(ds, lengths, generator=0)
        expected = [len(p) for p in torch.utils.data.random_split(range(23), lengths)]
        assert [len(p) for p in parts] == expected
        seen = np.concatenate([p.indices for p in parts])
        assert sorted(seen) == list(range(23))
    a = random_split(ds, [0.5, 0.5], generator=4)[0].indices
    b = random_split(ds, [0.5, 0.5], generator=4)[0].indices
    np.testing.assert_array_equal(a, b)
    sub = random_split(ds, [20, 3], generator=1)[1]
    i = int(sub.indices[2])
    np.testing.assert_array_equal(sub[2][0].detach().numpy(), ds[i][0].detach().numpy())
    with pytest.raises(ValueError, match="sum to"):
        random_split(ds, [10, 10])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [25, -2])


def test_subset_of_subset_and_validation():
    ds = tensor_dataset()
    inner = Subset(ds, [5, 6, 7, 8])
    outer = Subset(inner, [3, 0])
    (x,) = [b[0] for b in DataLoader(outer, 2)]
    np.testing.assert_array_equal(x.detach().numpy(), ds.arrays[0][[8, 5]])
    with pytest.raises(ValueError, match="first dimension"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, shuffle=True, generator="seed")
