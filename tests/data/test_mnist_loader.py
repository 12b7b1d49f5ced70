"""MNIST / Fashion-MNIST loaders: real files, IDX header checks and the download path."""

from __future__ import annotations

import gzip
import hashlib
import struct

import numpy as np
import pytest

from gradkit.data import IDXError, load_fashion_mnist, load_mnist, read_idx
from gradkit.data import datasets as ds_module

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_mnist_train_published_facts():
    X, y = load_mnist("train")
    assert X.shape == (60000, 28, 28) and X.dtype == np.float32
    assert y.shape == (60000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), MNIST_TRAIN_COUNTS)
    assert X.mean() == pytest.approx(0.1307, abs=1e-4)
    assert X.std() == pytest.approx(0.3081, abs=1e-4)


def test_mnist_test_split_flatten_and_raw():
    X, y = load_mnist("test", flatten=True)
    assert X.shape == (10000, 784)
    np.testing.assert_array_equal(y[:5], [7, 2, 1, 0, 4])
    raw, _ = load_mnist("test", normalize=False)
    assert raw.dtype == np.uint8 and raw.shape == (10000, 28, 28)
    np.testing.assert_array_equal(raw.reshape(10000, -1) / np.float32(255), X)
    raw[0] = 0  # the returned arrays are the caller's own
    assert load_mnist("test", normalize=False)[0][0].any()
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation")


def test_fashion_mnist_balanced_classes():
    X, y = load_fashion_mnist("test")
    assert X.shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(y), [1000] * 10)
    _, y_train = load_fashion_mnist("train")
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)


def idx_bytes(array, dtype_code=0x08):
    header = struct.pack(">BBBB", 0, 0, dtype_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(">u1").tobytes()


def test_read_idx_roundtrip_and_header_checks(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    good = tmp_path / "img.gz"
    good.write_bytes(gzip.compress(idx_bytes(images)))
    np.testing.assert_array_equal(read_idx(good, ndim=3), images)
    plain = tmp_path / "img.idx"
    plain.write_bytes(idx_bytes(images))
    np.testing.assert_array_equal(read_idx(plain), images)
    with pytest.raises(IDXError, match="3 dimensions, expected 1"):
        read_idx(good, ndim=1)

    cases = {
        "truncated.gz": (gzip.compress(idx_bytes(images))[:-40], "gzip"),
        "short.idx": (idx_bytes(images)[:-10], "truncated or corrupt"),
        "long.idx": (idx_bytes(images) + b"\0", "truncated or corrupt"),
        "magic.idx": (b"\x00\x00\x07\x03" + idx_bytes(images)[4:], "not an IDX file"),
        "text.idx": (b"hello world", "not an IDX file"),
        "empty.idx": (b"", "not an IDX file"),
        "header.idx": (idx_bytes(images)[:9], "truncated IDX header"),
    }
    for name, (data, match) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IDXError, match=match):
            read_idx(path)


@pytest.fixture
def tiny_mirror(tmp_path, monkeypatch):
    """A made-up 'mnist' served from file:// URLs, an empty data root and cache."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (5, 28, 28)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    sums = {}
    for img_name, lab_name in ds_module.SPLITS.values():
        for name, arr in ((img_name, images), (lab_name, labels)):
            data = gzip.compress(idx_bytes(arr))
            (mirror / name).write_bytes(data)
            sums[name] = hashlib.sha256(data).hexdigest()
    missing = (tmp_path / "nowhere").as_uri() + "/"
    monkeypatch.setitem(
        ds_module.SOURCES, "mnist", ("tiny", (missing, mirror.as_uri() + "/"), sums)
    )
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path / "empty-root"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ds_module._load_raw.cache_clear()
    yield images, labels, sums, tmp_path / "cache" / "gradkit" / "tiny"
    ds_module._load_raw.cache_clear()


def test_download_falls_back_and_verifies(tiny_mirror):
    """The first mirror fails, the second is used; files land in the cache."""
    images, labels, _, cache = tiny_mirror
    X, y = load_mnist("train", normalize=False)
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)
    assert sorted(p.name for p in cache.iterdir()) == sorted(ds_module.SPLITS["train"])
    ds_module._load_raw.cache_clear()
    with pytest.raises(FileNotFoundError, match="not found"):
        load_mnist("test", download=False)


def test_download_checksum_mismatch_leaves_nothing(tiny_mirror, monkeypatch):
    _, _, sums, cache = tiny_mirror
    bad = dict(sums, **{"train-images-idx3-ubyte.gz": "0" * 64})
    folder, mirrors, _ = ds_module.SOURCES["mnist"]
    monkeypatch.setitem(ds_module.SOURCES, "mnist", (folder, mirrors, bad))
    with pytest.raises(FileNotFoundError, match="checksum mismatch"):
        load_mnist("train")
    assert not (cache / "train-images-idx3-ubyte.gz").exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temp files


def test_corrupt_cached_file_gives_clear_error(tiny_mirror):
    _, _, _, cache = tiny_mirror
    cache.mkdir(parents=True)
    (cache / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8bnot really gzip")
    (cache / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.zeros((5, 28, 28), np.uint8)))
    )
    with pytest.raises(IDXError, match="corrupt or truncated gzip"):
        load_mnist("train")


def test_mnist1d_loader_reads_the_npz(tmp_path, monkeypatch):
    """load_mnist1d: float32 signals, int64 labels, optional templates, clear errors."""
    from gradkit.data import load_mnist1d

    rng = np.random.default_rng(0)
    arrays = {
        "x": rng.standard_normal((6, 40)),
        "y": np.arange(6) % 10,
        "x_test": rng.standard_normal((2, 40)),
        "y_test": np.array([3, 4]),
        "templates_x": rng.standard_normal((10, 12)),
    }
    (tmp_path / "mnist1d").mkdir()
    np.savez(tmp_path / "mnist1d" / "mnist1d_data.npz", **arrays)
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path))
    X, y = load_mnist1d()
    assert X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, arrays["x"].astype(np.float32))
    np.testing.assert_array_equal(y, arrays["y"])
    Xt, yt, templates = load_mnist1d("test", templates=True)
    np.testing.assert_array_equal(yt, [3, 4])
    assert Xt.shape == (2, 40) and templates.shape == (10, 12)
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist1d("valid")
    monkeypatch.setenv("GRADKIT_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="mnist1d/mnist1d_data.npz.*GRADKIT_DATA"):
        load_mnist1d()
