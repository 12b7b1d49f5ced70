"""F.pad boundary amounts and options against PyTorch (CNN-PAD): the largest reflect and
circular amounts, crops on both sides, zero amounts on one axis between padded ones,
NumPy-int amounts, value=0 in non-constant modes, empty constant-padded axes, and the
second-order gradient."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _x(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


CASES = [
    ("reflect", (1, 2, 4), (3, 3)),  # the largest reflection, n − 1
    ("reflect", (2, 5, 4), (3, 0, 0, 4)),
    ("circular", (1, 2, 4), (4, 4)),  # the largest wrap, n
    ("circular", (1, 2, 5), (-1, 4)),  # wrap as large as what the crop leaves
    ("circular", (1, 2, 6), (-2, -1)),
    ("replicate", (1, 2, 4), (-1, -2)),
    ("reflect", (1, 2, 5), (-1, 3)),
    ("constant", (2, 3, 4), (-1, -1)),  # a crop on both sides: nothing filled
    ("constant", (2, 3, 4), (0, 0, 1, 2)),  # last axis untouched, the one before padded
    ("replicate", (1, 2, 3, 4), (0, 0, 2, 1)),
    ("circular", (1, 2, 3, 4, 5), (0, 0, 1, 1, 0, 0)),
    ("constant", (2, 1, 3), (2, 2, 0, 0, 1, 0)),  # constant: any number of axes
    ("constant", (1, 2, 4), (-2, -2)),  # an empty result
    # two-element axes: runs of copies, reversed copies and repeats next to each other
    ("reflect", (1, 2, 2), (1, 1)),
    ("replicate", (1, 2, 2), (1, 1)),
    ("replicate", (1, 2, 2), (3, 2)),
    ("circular", (1, 2, 2), (2, 2)),
    ("reflect", (1, 2, 3), (2, 2)),
    ("circular", (1, 2, 3), (3, 3)),
    ("reflect", (1, 3, 2), (1, 0, 1, 1)),
]


@pytest.mark.parametrize(("mode", "shape", "pads"), CASES)
def test_pad_boundary_amounts_parity(mode, shape, pads):
    """CNN-PAD: values and the gradient under a random upstream gradient equal PyTorch's."""
    x = _x(shape)
    t = torch.tensor(x, requires_grad=True)
    want = TF.pad(t, pads, mode=mode)
    g = gk.tensor(x, requires_grad=True)
    got = F.pad(g, pads, mode=mode)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    up = _x(tuple(want.shape), 1)
    want.backward(torch.tensor(up))
    got.backward(gk.tensor(up))
    np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_pad_numpy_int_amounts_and_zero_value():
    """CNN-PAD: NumPy ints as amounts; value=0 (or 0.0) is accepted by every mode, as in
    PyTorch; the constant fill value is used."""
    x = _x((1, 2, 4))
    pads = (np.int64(2), np.int32(1))
    for mode in ("reflect", "replicate", "circular"):
        want = TF.pad(torch.tensor(x), (2, 1), mode=mode, value=0.0).numpy()
        np.testing.assert_array_equal(F.pad(gk.tensor(x), pads, mode=mode, value=0).numpy(), want)
    want = TF.pad(torch.tensor(x), (2, 1), value=-3.5).numpy()
    np.testing.assert_array_equal(F.pad(gk.tensor(x), pads, value=-3.5).numpy(), want)


def test_pad_empty_axis_constant():
    """CNN-PAD: constant padding of an empty axis fills it; other modes refuse it."""
    x = np.zeros((1, 0, 3))
    want = TF.pad(torch.tensor(x), (1, 1, 2, 0), value=2.0).numpy()
    np.testing.assert_array_equal(F.pad(gk.tensor(x), (1, 1, 2, 0), value=2.0).numpy(), want)
    with pytest.raises(RuntimeError, match="needs non-empty dimensions"):
        F.pad(gk.tensor(np.zeros((1, 2, 0))), (1, 1), mode="replicate")


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_second_order_gradient(mode):
    """CNN-PAD: d/dx of (pad(x)² · w) summed, taken with create_graph and then
    differentiated again, equals PyTorch's, float32 kept."""
    x = _x((1, 2, 4), 2, np.float32)
    w = _x((1, 2, 7), 3, np.float32)
    t = torch.tensor(x, requires_grad=True)
    (gt,) = torch.autograd.grad((TF.pad(t, (2, 1), mode=mode) ** 2 * torch.tensor(w)).sum(), t,
                                create_graph=True)  # fmt: skip
    (ggt,) = torch.autograd.grad((gt * torch.tensor(x)).sum(), t)
    g = gk.tensor(x, requires_grad=True)
    (gg,) = gk.autograd.grad((F.pad(g, (2, 1), mode=mode) ** 2 * gk.tensor(w)).sum(), g,
                             create_graph=True)  # fmt: skip
    (ggg,) = gk.autograd.grad((gg * gk.tensor(x)).sum(), g)
    assert gg.dtype == gk.float32 and ggg.dtype == gk.float32
    np.testing.assert_allclose(gg.detach().numpy(), gt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ggg.detach().numpy(), ggt.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradient_wrt_upstream(mode):
    """CNN-PAD: the backward as a function of the upstream gradient w (its derivative is
    the padding with fill 0, whatever the forward's fill), once plainly and once recorded
    for a further derivative, equals PyTorch's."""
    x = _x((1, 2, 3, 4), 5)
    v = _x((1, 2, 3, 4), 6)
    pads = (2, 1, 1, 2)
    kw = {"value": 1.5} if mode == "constant" else {}
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(_x((1, 2, 6, 7), 7), requires_grad=True)
    (tgx,) = torch.autograd.grad((TF.pad(tx, pads, mode=mode, **kw) * tw).sum(), tx,
                                 create_graph=True)  # fmt: skip
    (want,) = torch.autograd.grad((tgx * torch.tensor(v)).sum(), tw)
    for create in (False, True):
        gx_ = gk.tensor(x, requires_grad=True)
        gw = gk.tensor(tw.detach().numpy(), requires_grad=True)
        gv = gk.tensor(v, requires_grad=True)
        (ggx,) = gk.autograd.grad((F.pad(gx_, pads, mode=mode, **kw) * gw).sum(), gx_,
                                  create_graph=True)  # fmt: skip
        (got,) = gk.autograd.grad((ggx * gv).sum(), gw, create_graph=create)
        np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
        if create:  # d/dv of sum(got * u) = PadGrad(u): the backward of the recorded pad
            u = _x((1, 2, 6, 7), 8)
            (third,) = gk.autograd.grad((got * gk.tensor(u)).sum(), gv)
            tu = torch.tensor(u, requires_grad=True)
            tv = torch.tensor(v, requires_grad=True)
            (tg,) = torch.autograd.grad((TF.pad(tv, pads, mode=mode) * tu).sum(), tv)
            np.testing.assert_allclose(third.numpy(), tg.numpy(), rtol=1e-12, atol=1e-12)


def test_pad_refusals_on_every_axis():
    """CNN-PAD: a crop past the size of a later-listed axis, a reflection as large as the
    axis and a wrap larger than what a crop leaves are refused."""
    x = gk.zeros(1, 3, 4)
    with pytest.raises(RuntimeError, match="negative size along dimension 1"):
        F.pad(x, (0, 0, -2, -2))
    with pytest.raises(RuntimeError, match="less than the corresponding input dimension"):
        F.pad(x, (0, 4), mode="reflect")
    with pytest.raises(RuntimeError, match="wrap around more than once"):
        F.pad(x, (4, -1), mode="circular")  # 3 left after the crop
    with pytest.raises(RuntimeError, match="wrap around more than once"):
        F.pad(x, (-1, 4), mode="circular")
    ok = F.pad(gk.tensor(_x((1, 3, 4))), (3, -1), mode="circular")
    assert tuple(ok.shape) == (1, 3, 6)
