"""``gradkit.save`` / ``gradkit.load``: PyTorch's ``torch.save`` / ``torch.load`` entry
points in the safe (never pickled) format, to paths and file objects."""

from __future__ import annotations

import io
from collections import OrderedDict

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn, optim
from gradkit.io import CheckpointError
from parity import requires_torch, torch

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def every_dtype():
    rng = np.random.default_rng(0)
    out = OrderedDict()
    for i, name in enumerate(DTYPES):
        shape = [(3, 4), (5,), (2, 3, 2), ()][i % 4]
        a = rng.standard_normal(shape) * 100
        out[f"layer{i}.{name}"] = gk.tensor(a.astype(name) if name != "bool" else a > 0)
    out["big.int64"] = gk.tensor(np.array([2**62 + 1, -(2**63)], np.int64))
    out["empty"] = gk.zeros(0, 3)
    return out


def assert_tensors_equal(a, b):
    assert isinstance(b, gk.Tensor), type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("target", ["path", "bytesio", "open-file"])
def test_state_dict_roundtrips_exactly(tmp_path, target):
    state = every_dtype()
    if target == "path":
        f = tmp_path / "state.pt"
        gk.save(state, f)
        loaded = gk.load(f)
        loaded_str = gk.load(str(f))
        assert list(loaded_str) == list(state)
    elif target == "bytesio":
        f = io.BytesIO()
        gk.save(state, f)
        f.seek(0)
        loaded = gk.load(f)
    else:
        with open(tmp_path / "state.pt", "wb") as f:
            f.write(b"prefix")  # a file object is written and read at its position
            gk.save(state, f)
        with open(tmp_path / "state.pt", "rb") as f:
            assert f.read(6) == b"prefix"
            loaded = gk.load(f)
    assert type(loaded) is OrderedDict and list(loaded) == list(state)
    for k in state:
        assert_tensors_equal(state[k], loaded[k])


def test_nested_structures_numbers_strings_and_arrays():
    obj = {
        "weights": [gk.ones(2), (gk.tensor([1, 2]), gk.tensor(True))],
        "epoch": 7,
        "lr": 1e-3,
        "best": float("inf"),
        "name": "run-1",
        "done": False,
        "note": None,
        3: "integer key",
        "shape": (3, 2),
        "raw": np.arange(4, dtype=np.int16),
    }
    f = io.BytesIO()
    gk.save(obj, f)
    loaded = gk.load(io.BytesIO(f.getvalue()))
    assert set(loaded) == set(obj)
    assert loaded["epoch"] == 7 and loaded["lr"] == 1e-3 and loaded["best"] == float("inf")
    assert loaded["name"] == "run-1" and loaded["done"] is False and loaded["note"] is None
    assert loaded[3] == "integer key" and loaded["shape"] == (3, 2)
    assert isinstance(loaded["weights"], list) and isinstance(loaded["weights"][1], tuple)
    assert_tensors_equal(obj["weights"][1][1], loaded["weights"][1][1])
    assert isinstance(loaded["raw"], np.ndarray) and loaded["raw"].dtype == np.int16


def test_map_location_and_weights_only():
    f = io.BytesIO()
    gk.save({"w": gk.ones(2)}, f)
    for where in ("cpu", gk.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage):
        for weights_only in (True, False, None):
            f.seek(0)
            assert_tensors_equal(gk.ones(2), gk.load(f, where, weights_only=weights_only)["w"])
    f.seek(0)
    doubled = gk.load(f, map_location=lambda t, loc: t * 2)
    np.testing.assert_array_equal(doubled["w"].numpy(), [2.0, 2.0])
    for gpu in ("cuda", "cuda:0", gk.device("cuda", 1), {"cpu": "cuda:0"}):
        f.seek(0)
        with pytest.raises(RuntimeError, match="no CUDA GPU.*device='cpu'"):
            gk.load(f, map_location=gpu)
    with pytest.raises(TypeError, match="map_location"):
        gk.load(io.BytesIO(f.getvalue()), map_location=3)


def test_bad_targets_and_values_are_refused():
    with pytest.raises(TypeError, match="path or a binary file object"):
        gk.save({"w": gk.ones(1)}, 3)
    with pytest.raises(TypeError, match="path or a binary file object"):
        gk.load(3)
    with pytest.raises(TypeError, match="never pickled"):
        gk.save({"f": object()}, io.BytesIO())
    with pytest.raises(CheckpointError, match="too short"):
        gk.load(io.BytesIO(b"abc"))


def make_model():
    gk.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))


def train(model, opt, steps, rng):
    for _ in range(steps):
        x = gk.tensor(rng.standard_normal((8, 3)).astype(np.float32))
        loss = (model(x) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_adam_checkpoint_resumes_training_exactly():
    """Save model + Adam state mid-training, reload into fresh objects, continue: the
    parameters equal those of uninterrupted training, bit for bit."""
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    train(model, opt, 3, np.random.default_rng(1))
    f = io.BytesIO()
    gk.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, f)
    train(model, opt, 4, np.random.default_rng(2))
    expected = [p.detach().numpy().copy() for p in model.parameters()]

    f.seek(0)
    ckpt = gk.load(f)
    resumed = make_model()
    for p in resumed.parameters():
        p.data = p.data * 0 + 5  # differ from the checkpoint before loading
    resumed.load_state_dict(ckpt["model"])
    opt2 = optim.Adam(resumed.parameters(), lr=0.5)
    opt2.load_state_dict(ckpt["optimizer"])
    assert opt2.param_groups[0]["lr"] == 0.01 and ckpt["epoch"] == 3
    train(resumed, opt2, 4, np.random.default_rng(2))
    for a, b in zip(resumed.parameters(), expected):
        np.testing.assert_array_equal(a.detach().numpy(), b)


@requires_torch
def test_pytorch_pickles_are_refused_with_how_to_convert(tmp_path):
    sd = {"w": torch.arange(3.0)}
    new, legacy = tmp_path / "new.pt", tmp_path / "legacy.pt"
    torch.save(sd, new)
    torch.save(sd, legacy, _use_new_zipfile_serialization=False)
    for path in (new, legacy, io.BytesIO(new.read_bytes())):
        with pytest.raises(CheckpointError) as info:
            gk.load(path)
        message = str(info.value)
        assert "torch.save" in message and "never unpickles" in message
        assert "safetensors.torch.save_file" in message and "gradkit.load" in message
    with pytest.raises(CheckpointError, match="data.pkl"):
        gk.load(new)


@requires_torch
def test_the_conversion_recipe_works(tmp_path):
    """``gradkit.save(torch.load(path))`` where both are installed, then ``gk.load``."""
    tmodel = torch.nn.Linear(3, 2)
    topt = torch.optim.Adam(tmodel.parameters())
    tmodel(torch.randn(4, 3)).sum().backward()
    topt.step()
    path = tmp_path / "ckpt.pt"
    torch.save({"model": tmodel.state_dict(), "opt": topt.state_dict()}, path)
    out = tmp_path / "ckpt.safetensors"
    gk.save(torch.load(path, weights_only=True), out)
    loaded = gk.load(out)
    for k, v in tmodel.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][k].numpy(), v.numpy())
    exp_avg = topt.state_dict()["state"][0]["exp_avg"]
    np.testing.assert_array_equal(loaded["opt"]["state"][0]["exp_avg"].numpy(), exp_avg.numpy())
    model = nn.Linear(3, 2)
    model.load_state_dict(loaded["model"])
    np.testing.assert_array_equal(model.weight.detach().numpy(), tmodel.weight.detach().numpy())
