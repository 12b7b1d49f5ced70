"""Checkpoints: safetensors layout, interop both ways, atomic writes, clear errors."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

import gradkit as gk
from gradkit import io, optim
from gradkit.io import CheckpointError

st_numpy = pytest.importorskip("safetensors.numpy")
safetensors = pytest.importorskip("safetensors")

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
          "uint16", "uint32", "uint64", "bool"]  # fmt: skip


def sample_arrays(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for i, name in enumerate(DTYPES):
        shape = [(3, 4), (5,), (2, 3, 2), ()][i % 4]
        if name == "bool":
            a = rng.random(shape) > 0.5
        elif name.startswith("float"):
            a = rng.standard_normal(shape).astype(name)
        else:
            info = np.iinfo(name)
            a = rng.integers(info.min, info.max, shape, dtype=name, endpoint=True)
        out[f"layer{i}.{name}"] = np.asarray(a)
    out["empty"] = np.zeros((0, 3), np.float32)
    return out


def assert_same(a: dict, b: dict):
    assert list(sorted(a)) == list(sorted(b))
    for k in a:
        x = a[k].detach().numpy() if isinstance(a[k], gk.Tensor) else a[k]
        assert x.dtype.newbyteorder("=") == b[k].dtype, k
        assert x.shape == b[k].shape, k
        np.testing.assert_array_equal(x, b[k], err_msg=k)


def test_roundtrip_all_dtypes(tmp_path):
    arrays = sample_arrays()
    arrays["strided"] = np.arange(20.0).reshape(4, 5)[:, ::2]  # not contiguous
    arrays["big_endian"] = np.arange(6, dtype=">i4").reshape(2, 3)
    arrays["tensor"] = gk.tensor([[1.0, 2.0]])
    path = tmp_path / "a.safetensors"
    io.save_file(arrays, path, metadata={"note": "hello"})
    loaded = io.load_file(path)
    assert_same(arrays, loaded)
    assert loaded["big_endian"].dtype == np.int32
    assert io.read_metadata(path) == {"note": "hello"}
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    assert header["layer1.float32"]["dtype"] == "F32" and (8 + n) % 8 == 0
    for name, entry in header.items():
        if name != "__metadata__":  # every tensor aligned to its item size
            assert entry["data_offsets"][0] % np.dtype(loaded[name].dtype).itemsize == 0


def test_safetensors_reads_our_files(tmp_path):
    arrays = sample_arrays(1)
    path = tmp_path / "ours.safetensors"
    io.save_file(arrays, path, metadata={"k": "v"})
    assert_same(arrays, st_numpy.load_file(str(path)))
    with safetensors.safe_open(str(path), framework="numpy") as f:
        assert f.metadata() == {"k": "v"}


def test_we_read_safetensors_files(tmp_path):
    arrays = sample_arrays(2)
    path = tmp_path / "theirs.safetensors"
    st_numpy.save_file(arrays, str(path), metadata={"format": "np"})
    assert_same(arrays, io.load_file(path))
    ckpt = io.load_checkpoint(path)
    assert_same(arrays, ckpt.state)
    assert ckpt.config is None and ckpt.metadata == {"format": "np"}


def test_torch_safetensors_file(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file as torch_save_file

    state = {"w": torch.randn(3, 2), "b": torch.zeros(3, dtype=torch.float64)}
    path = tmp_path / "torch.safetensors"
    torch_save_file(state, str(path))
    loaded = io.load(path)
    for k, v in state.items():
        np.testing.assert_array_equal(loaded[k], v.numpy())


def test_nested_state_with_optimizer_and_config(tmp_path):
    """A model + optimizer checkpoint restores exactly and training resumes identically."""
    rng = np.random.default_rng(0)
    params = [
        gk.tensor(rng.standard_normal((3, 2)), requires_grad=True),
        gk.tensor(rng.standard_normal(2), requires_grad=True),
    ]
    opt = optim.Adam(params, lr=0.1, amsgrad=True)

    def train(ps, o, steps):
        for _ in range(steps):
            o.zero_grad()
            ((ps[0] ** 2).sum() + (ps[1] ** 3).sum()).backward()
            o.step()

    train(params, opt, 3)
    sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5])
    state = {"model": {"w": params[0], "b": params[1]}, "optimizer": opt.state_dict(),
             "scheduler": sched.state_dict(), "epoch": 3, "history": [0.5, float("inf")],
             "shape": (3, 2), "note": None}  # fmt: skip
    path = tmp_path / "ckpt.safetensors"
    io.save(state, path, config={"sizes": [3, 2], "activation": "relu"})

    ckpt = io.load_checkpoint(path)
    assert ckpt.config == {"sizes": [3, 2], "activation": "relu"}
    loaded = ckpt.state
    assert loaded["epoch"] == 3 and loaded["shape"] == (3, 2) and loaded["note"] is None
    assert loaded["history"] == [0.5, float("inf")]
    assert_same(state["model"], loaded["model"])
    assert set(loaded["optimizer"]["state"]) == {0, 1}  # integer keys survive
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    for i in (0, 1):
        for k, v in opt.state_dict()["state"][i].items():
            np.testing.assert_array_equal(loaded["optimizer"]["state"][i][k], v)

    train(params, opt, 4)
    expected = [p.detach().numpy().copy() for p in params]
    params2 = [
        gk.tensor(loaded["model"]["w"], requires_grad=True),
        gk.tensor(loaded["model"]["b"], requires_grad=True),
    ]
    opt2 = optim.Adam(params2)
    opt2.load_state_dict(loaded["optimizer"])
    sched2 = optim.lr_scheduler.MultiStepLR(opt2, milestones=[2, 5])
    sched2.load_state_dict(loaded["scheduler"])
    train(params2, opt2, 4)
    for a, b in zip(params2, expected):
        np.testing.assert_array_equal(a.detach().numpy(), b)
    # safetensors sees the arrays under their dotted paths
    names = set(st_numpy.load_file(str(path)))
    assert {"model.w", "optimizer.state.0.exp_avg", "optimizer.state.1.max_exp_avg_sq"} <= names


def test_unsupported_values(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(ValueError, match="complex128"):
        io.save_file({"z": np.zeros(2, complex)}, path)
    with pytest.raises(TypeError, match="Tensor or NumPy array"):
        io.save_file({"z": [1, 2]}, path)
    with pytest.raises(TypeError, match="never pickled"):
        io.save({"f": lambda: 0}, path)
    with pytest.raises(TypeError, match="keys"):
        io.save({(1, 2): 0}, path)
    with pytest.raises(TypeError, match="JSON"):
        io.save({}, path, config={"x": object()})
    with pytest.raises(ValueError, match="reserved"):
        io.save({}, path, metadata={"gradkit_tree": "x"})
    assert not path.exists()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    io.save({"w": np.arange(12.0).reshape(3, 4), "b": np.ones(3, np.float32)}, path)
    return path


def corrupt_variants(raw: bytes):
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]

    def rebuild(h, d=data):
        blob = json.dumps(h).encode()
        return len(blob).to_bytes(8, "little") + blob + d

    wrong_size = json.loads(json.dumps(header))
    wrong_size["w"]["shape"] = [3, 5]
    overlap = json.loads(json.dumps(header))
    overlap["b"]["data_offsets"] = [0, 12]
    bad_dtype = json.loads(json.dumps(header))
    bad_dtype["w"]["dtype"] = "Q7"
    return {
        "empty": (b"", "too short"),
        "seven bytes": (raw[:7], "too short"),
        "cut in header": (raw[: 8 + n // 2], "header length"),
        "cut in data": (raw[:-5], "truncated"),
        "trailing bytes": (raw + b"xx", "trailing"),
        "header garbage": (raw[:8] + b"{" * n + data, "not valid JSON"),
        "header not object": (rebuild([1, 2]), "JSON object"),
        "wrong size": (rebuild(wrong_size), "needs"),
        "overlap": (rebuild(overlap), "overlap or hole"),
        "bad dtype": (rebuild(bad_dtype), "has dtype .Q7., which gradkit can.t read"),
        "pickle": (pickle.dumps({"w": np.zeros(3)}), "pickle"),
        "npy": (b"\x93NUMPY" + b"\x01" * 200, "npy"),
        "random": (np.random.default_rng(0).bytes(4096), "not a safetensors"),
        "bad tree": (
            rebuild({**header, "__metadata__": {"gradkit_tree": '{"__tensor__": "nope"}'}}),
            "missing tensor",
        ),
    }


def test_corrupt_and_foreign_files_raise_checkpoint_error(good_file, tmp_path):
    raw = good_file.read_bytes()
    for label, (data, match) in corrupt_variants(raw).items():
        path = tmp_path / f"{label}.bin"
        path.write_bytes(data)
        with pytest.raises(CheckpointError, match=match):
            io.load(path)
        assert isinstance(CheckpointError(), ValueError)


def test_torch_pickle_file_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match="zip archive"):
        io.load(path)


def test_interrupted_save_keeps_previous_checkpoint(good_file, monkeypatch):
    before = good_file.read_bytes()
    calls = []

    def failing_write(f, array):
        calls.append(1)
        f.write(memoryview(array.reshape(-1).view(np.uint8))[: array.nbytes // 2])
        raise OSError("No space left on device")

    monkeypatch.setattr(io, "_write_array", failing_write)
    with pytest.raises(OSError, match="No space"):
        io.save({"w": np.zeros((100, 100))}, good_file)
    assert calls and good_file.read_bytes() == before

    def interrupted(f, array):
        raise KeyboardInterrupt

    monkeypatch.setattr(io, "_write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.save_file({"w": np.zeros(10)}, good_file)
    assert good_file.read_bytes() == before
    assert os.listdir(good_file.parent) == [good_file.name]  # no temp files left
    monkeypatch.undo()
    np.testing.assert_array_equal(io.load(good_file)["w"], np.arange(12.0).reshape(3, 4))


def test_save_replaces_and_sets_normal_permissions(good_file):
    io.save({"v": np.ones(2)}, good_file)
    assert list(io.load(good_file)) == ["v"]
    assert good_file.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
