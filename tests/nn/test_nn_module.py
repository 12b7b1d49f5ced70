"""Module and Parameter semantics against PyTorch's: registration, traversal, state_dict
round trips and errors, train/eval, freezing (NN-TRANSFER), repr, containers
(NN-MLP, NN-SEQ-API) and the Keras one-neuron example (NN-NEURON)."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from parity import requires_torch, torch


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.scale = nn.Parameter(gk.ones(3))
        self.register_buffer("steps", gk.zeros(()))
        self.register_buffer("cache", gk.zeros(2), persistent=False)

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(Block(), nn.ReLU())
        self.head = nn.Linear(3, 2)
        self.tied = self.head  # shared module: listed once

    def forward(self, x):
        return self.head(self.body(x))


def _torch_net():
    """PyTorch's twin of Net, built inside the tests that need it (torch may be absent)."""

    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 3)
            self.bn = torch.nn.BatchNorm1d(3)
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.register_buffer("steps", torch.zeros(()))
            self.register_buffer("cache", torch.zeros(2), persistent=False)

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(TorchBlock(), torch.nn.ReLU())
            self.head = torch.nn.Linear(3, 2)
            self.tied = self.head

    return TorchNet()


@requires_torch
def test_registration_and_traversal_match_torch():
    net, ref = Net(), _torch_net()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in net.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in net.named_children()] == [n for n, _ in ref.named_children()]
    assert list(net.state_dict()) == list(ref.state_dict())
    assert all(isinstance(v, gk.Tensor) for v in net.state_dict().values())
    assert len(list(net.parameters())) == 7 and len(list(net.modules())) == 7
    assert len(list(net.parameters(recurse=False))) == 0


def test_attribute_assignment_rules():
    m = nn.Module()
    m.w = nn.Parameter(gk.zeros(2))
    m.w = None  # a registered parameter may be set to None
    assert list(m.named_parameters()) == [] and "w" in m._parameters
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'w'"):
        m.w = gk.zeros(2)
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="child module 'sub'"):
        m.sub = 3
    m.register_buffer("b", gk.zeros(1))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.b = np.zeros(1)
    m.x = 3
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        m.register_buffer("x", gk.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        m.add_module("a.b", nn.ReLU())
    with pytest.raises(TypeError, match="Parameter or None"):
        m.register_parameter("p", gk.zeros(1))
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nothing'"):
        _ = m.nothing

    class Forgetful(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(gk.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgetful()


def test_parameter_is_a_leaf_requiring_grad():
    p = nn.Parameter(gk.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and isinstance(p, gk.Tensor)
    assert not nn.Parameter(gk.zeros(1), requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert type(p * 2) is gk.Tensor


def test_state_dict_round_trip():
    src, dst = Net(), Net()
    src(gk.randn(5, 4))  # moves the batch-norm running statistics
    result = dst.load_state_dict(copy.deepcopy(src.state_dict()))
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
        assert np.array_equal(a.data, b.data), name
    x = gk.randn(3, 4)
    src.eval()
    dst.eval()
    assert np.array_equal(src(x).data, dst(x).data)
    snapshot = src.state_dict()["head.weight"]
    assert np.shares_memory(snapshot.data, src.head.weight.data)  # like torch: not a copy


@requires_torch
def test_state_dict_loads_into_torch_and_back():
    net, ref = Net(), _torch_net()
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.data)) for k, v in net.state_dict().items()}
    )
    back = Net()
    back.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    for k, v in net.state_dict().items():
        assert np.array_equal(back.state_dict()[k].data, v.data), k


def test_load_state_dict_errors():
    net = nn.Linear(3, 2)
    state = net.state_dict()
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        net.load_state_dict({"weight": state["weight"]})
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "extra"'):
        net.load_state_dict({**state, "extra": gk.zeros(1)})
    with pytest.raises(RuntimeError, match=r"size mismatch for weight.*\(2, 4\).*\(2, 3\)"):
        net.load_state_dict({"weight": gk.zeros(2, 4), "bias": state["bias"]}, strict=False)
    result = net.load_state_dict({"weight": gk.ones(2, 3), "extra": gk.zeros(1)}, strict=False)
    assert result == (["bias"], ["extra"])
    assert result.missing_keys == ["bias"] and np.all(net.weight.data == 1)


def test_load_state_dict_into_lazy_dense_NN_NEURON():
    trained = nn.Dense(2, input_shape=[3])
    fresh = nn.Dense(2)
    fresh.load_state_dict(trained.state_dict())
    assert fresh.in_features == 3
    x = gk.randn(4, 3)
    assert np.array_equal(fresh(x).data, trained(x).data)


def test_train_eval_propagate():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.body.train()
    assert net.body[0].bn.training and not net.training
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_freeze_leaves_grads_none_NN_TRANSFER():
    net = Net()
    net.body.requires_grad_(False)
    net(gk.randn(5, 4)).sum().backward()
    assert all(p.grad is None for p in net.body.parameters())
    assert net.head.weight.grad is not None
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.body.requires_grad_(True)
    net(gk.randn(5, 4)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.data == 0) for p in net.parameters())


def test_apply_visits_children_then_self():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "BatchNorm1d", "Block", "ReLU", "Sequential", "Linear", "Net"]


@requires_torch
def test_repr_matches_torch():
    assert repr(Net()) == repr(_torch_net()).replace("TorchBlock", "Block").replace(
        "TorchNet", "Net"
    )
    layers = [
        (nn.Linear(3, 2, bias=False), torch.nn.Linear(3, 2, bias=False)),
        (nn.BatchNorm2d(4, affine=False), torch.nn.BatchNorm2d(4, affine=False)),
        (nn.LayerNorm([2, 3]), torch.nn.LayerNorm([2, 3])),
        (nn.Dropout(0.25), torch.nn.Dropout(0.25)),
        (nn.Embedding(10, 3, padding_idx=0), torch.nn.Embedding(10, 3, padding_idx=0)),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.Flatten(), torch.nn.Flatten()),
        (
            nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()]),
            torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.ReLU()]),
        ),
    ]
    for ours, theirs in layers:
        assert repr(ours) == repr(theirs)


def test_sequential_container_NN_SEQ_API():
    a, b = nn.Linear(2, 3), nn.ReLU()
    for seq in (
        nn.Sequential(a, b),
        nn.Sequential([a, b]),
        nn.Sequential(OrderedDict(fc=a, act=b)),
    ):
        assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
    seq = nn.Sequential()
    seq.add(a)
    seq.append(b)
    assert list(seq._modules) == ["0", "1"] and isinstance(seq[:1], nn.Sequential)
    assert len(seq[:1]) == 1
    with pytest.raises(IndexError, match="out of range"):
        seq[2]
    with pytest.raises(TypeError, match="not a Module"):
        seq.append(lambda x: x)
    del seq[0]
    assert list(seq._modules) == ["0"] and seq[0] is b
    ml = nn.ModuleList([a])
    ml += [b]
    assert len(ml) == 2 and ml[1] is b and len(list(nn.Module.parameters(ml))) == 2
    md = nn.ModuleDict({"fc": a})
    assert "fc" in md and md["fc"] is a and list(md.keys()) == ["fc"]


def test_keras_one_neuron_example_NN_NEURON():
    model = nn.Sequential([nn.Dense(units=1, input_shape=[3])])
    x = gk.randn(8, 3)
    y = model(x)
    w, b = model[0].weight, model[0].bias
    assert y.shape == (8, 1) and w.shape == (1, 3) and b.shape == (1,)
    np.testing.assert_allclose(y.data, x.data @ w.data.T + b.data, rtol=1e-6)


def test_forward_hooks_and_dtype_casts():
    net = nn.Linear(2, 2)
    calls = []
    handle = net.register_forward_hook(lambda m, inp, out: calls.append(out.shape))
    net(gk.ones(1, 2))
    handle.remove()
    net(gk.ones(1, 2))
    assert calls == [(1, 2)]
    weight = net.weight
    net.double()
    assert net.weight is weight and weight.dtype == np.float64
    assert net.float().weight.dtype == np.float32


def test_deepcopy_makes_independent_module():
    net = Net()
    clone = copy.deepcopy(net)
    clone.head.weight.data[...] = 0
    assert not np.all(net.head.weight.data == 0)
    assert clone.tied is clone.head and isinstance(clone.head.weight, nn.Parameter)
