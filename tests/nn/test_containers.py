"""Containers with PyTorch's APIs (concept NN-MLP: a network is a tree of modules):
ParameterList and ParameterDict registered so parameters(), state_dict(), to() and
zero_grad() see them; ModuleList, ModuleDict and Sequential's list and dict methods;
reprs as PyTorch prints them."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from parity import requires_torch, torch


def Holder(lib):
    """The same model built with gradkit or with PyTorch."""

    class Holder(lib.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.plist = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)), lib.ones(4)])
            self.pdict = lib.nn.ParameterDict({"scale": lib.ones(2), "bias": lib.zeros(2)})

        def forward(self, x):
            return x

    return Holder()


def test_parameter_list_is_registered():
    """NN-MLP: entries are Parameters the owner sees in parameters(), state_dict(),
    to() and zero_grad(); tensors appended are wrapped (trainable, sharing memory)."""
    m = Holder(gk)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["plist.0", "plist.1", "pdict.bias", "pdict.scale"]
    assert list(m.state_dict()) == names
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())
    t = gk.zeros(3)
    m.plist.append(t)
    assert isinstance(m.plist[-1], nn.Parameter) and len(m.plist) == 3
    m.plist[-1].data[0] = 5.0
    assert t.tolist()[0] == 5.0  # shares memory with the tensor appended
    m.to(gk.float64)
    assert all(p.dtype == np.float64 for p in m.parameters())
    sum((p * p).sum() for p in m.parameters()).backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_parameter_list_api():
    params = nn.ParameterList()
    assert len(params) == 0 and repr(params) == "ParameterList()"
    params.extend([gk.zeros(1), gk.zeros(2)])
    params += [gk.zeros(3)]
    params.append(gk.zeros(4))
    assert [p.shape for p in params] == [(1,), (2,), (3,), (4,)]
    assert [p.shape for p in params[1:3]] == [(2,), (3,)]
    assert isinstance(params[::2], nn.ParameterList) and len(params[::2]) == 2
    params[0] = gk.ones(5)
    assert params[0].shape == (5,) and isinstance(params[0], nn.Parameter)
    assert params[-1] is params[3]
    with pytest.raises(IndexError, match="out of range"):
        params[4]
    with pytest.raises(TypeError, match="should be called with an iterable"):
        params.extend(gk.zeros(2))
    with pytest.raises(RuntimeError, match="should not be called"):
        params(gk.zeros(1))


def test_parameter_dict_api():
    """ParameterDict: a plain dict is taken in sorted key order (PyTorch's rule), an
    OrderedDict in its own; dict methods as in PyTorch."""
    pd = nn.ParameterDict({"b": gk.zeros(1), "a": gk.zeros(2)})
    assert list(pd) == ["a", "b"]
    pd.update(OrderedDict([("z", gk.zeros(3)), ("c", gk.zeros(4))]))
    assert list(pd.keys()) == ["a", "b", "z", "c"]
    pd.update([("d", gk.zeros(5))])
    assert "d" in pd and len(pd) == 5 and isinstance(pd["d"], nn.Parameter)
    assert pd.get("missing") is None and pd.get("a").shape == (2,)
    assert pd.pop("z").shape == (3,) and "z" not in pd
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c", "d"]
    key, value = pd.popitem()
    assert key == "d" and value.shape == (5,)
    assert pd.setdefault("e", gk.ones(1)).shape == (1,)
    merged = pd | nn.ParameterDict({"f": gk.ones(2)})
    assert list(merged) == ["a", "b", "c", "e", "f"] and list(pd) == ["a", "b", "c", "e"]
    copy = pd.copy()
    assert copy["a"] is pd["a"]
    del pd["a"]
    assert "a" not in pd and [n for n, _ in pd.named_parameters()] == ["b", "c", "e"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []
    with pytest.raises(KeyError):
        pd["nothing"]
    with pytest.raises(TypeError, match="not a string"):
        pd[1] = gk.zeros(1)
    with pytest.raises(KeyError, match="already exists"):
        pd["keys"] = gk.zeros(1)


@requires_torch
def test_parameter_containers_repr_like_torch():
    """NN-MLP: the repr of a model holding ParameterList/ParameterDict reads as
    PyTorch's (with this library's name in place of ``torch``)."""
    ours, theirs = Holder(gk), Holder(torch)
    assert repr(ours) == repr(theirs).replace("torch.", "gradkit.")
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_module_list_api():
    """NN-MLP: ModuleList indexing, slicing (a ModuleList), insert, pop, del, +, +=."""
    a, b, c, d = nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()
    ml = nn.ModuleList([a, b])
    ml.insert(1, c)
    assert list(ml) == [a, c, b]
    ml.extend([d])
    assert ml.pop(1) is c and list(ml) == [a, b, d]
    assert list(ml._modules) == ["0", "1", "2"]
    del ml[0]
    assert list(ml) == [b, d] and list(ml._modules) == ["0", "1"]
    combined = ml + nn.ModuleList([a])
    assert isinstance(combined, nn.ModuleList) and list(combined) == [b, d, a] and len(ml) == 2
    ml += [c]
    assert list(ml) == [b, d, c]
    assert isinstance(ml[1:], nn.ModuleList) and list(ml[1:]) == [d, c]
    del ml[::2]
    assert list(ml) == [d]
    ml[0] = a
    assert ml[-1] is a
    with pytest.raises(IndexError, match="out of range"):
        ml[3]
    with pytest.raises(TypeError, match="should be called with an iterable"):
        ml.extend(nn.ReLU())


def test_module_dict_api():
    lin = nn.Linear(2, 2)
    md = nn.ModuleDict([("fc", lin), ("act", nn.ReLU())])
    assert list(md.keys()) == ["fc", "act"]
    md.update({"out": nn.Identity()})
    assert list(md) == ["fc", "act", "out"]
    assert md.pop("fc") is lin and "fc" not in md
    assert [n for n, _ in md.named_parameters()] == []
    md.clear()
    assert len(md) == 0
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        md.update([("a", nn.ReLU(), 1)])


def test_sequential_list_api():
    a, b, c = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    seq = nn.Sequential(a, b)
    seq.insert(0, c)
    assert list(seq) == [c, a, b]
    assert seq.pop(0) is c and list(seq) == [a, b]
    joined = seq + nn.Sequential(c)
    assert list(joined) == [a, b, c] and len(seq) == 2
    seq += nn.Sequential(c)
    assert list(seq) == [a, b, c]
    seq.extend([nn.Identity()])
    assert len(seq) == 4 and seq(gk.tensor([-1.0])).shape == (1,)
    with pytest.raises(ValueError, match="only objects of Sequential"):
        seq + [a]
