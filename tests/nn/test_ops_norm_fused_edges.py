"""NN-BATCHNORM and layer norm (``ops/norm.py``) at the edges the option tests left open
(issue 24): a bias without a weight, size-1 axes in the input and in
``normalized_shape``, float32 gradients reaching float32 intermediates in float32, and
the ops' own defaults (eps 1e-5, affine weight and bias, batch statistics) — against
PyTorch."""

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.ops import norm as gnorm
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(21)


def test_bias_without_weight_matches_torch():
    """First order: PyTorch's own double backward of the norms fails without a weight."""
    x, b = RNG.normal(size=(4, 3, 5)), RNG.normal(size=5)
    assert_parity_order2(
        lambda t, c: F.layer_norm(t, (5,), None, c),
        lambda t, c: TF.layer_norm(t, (5,), None, c),
        [x, b],
        order2=False,
    )
    bc = RNG.normal(size=3)
    rm, rv = RNG.normal(size=3), RNG.uniform(0.5, 2.0, size=3)
    for training in (True, False):
        assert_parity_order2(
            lambda t, c, tr=training: F.batch_norm(
                t, gk.tensor(rm), gk.tensor(rv), None, c, training=tr
            ),
            lambda t, c, tr=training: TF.batch_norm(
                t, torch.tensor(rm), torch.tensor(rv), None, c, training=tr
            ),
            [x, bc],
            order2=False,
        )


@pytest.mark.parametrize("shape, norm", [((1, 3, 4), (4,)), ((2, 1, 4), (1, 4)), ((3, 1), (1,))])
def test_layer_norm_with_size_one_axes_matches_torch(shape, norm):
    x = RNG.normal(size=shape)
    w, b = RNG.normal(size=norm), RNG.normal(size=norm)
    assert_parity_order2(
        lambda t, p, q: F.layer_norm(t, norm, p, q),
        lambda t, p, q: TF.layer_norm(t, norm, p, q),
        [x, w, b],
        order2=False,
    )


@pytest.mark.parametrize("which", ["layer", "batch"])
def test_float32_gradients_stay_float32(which):
    """PyTorch hands every gradient over in its tensor's dtype; so do the fused norms,
    also to intermediates (seen by hooks) that are not leaves."""
    x = gk.tensor(RNG.normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    w = gk.tensor(RNG.normal(size=3).astype(np.float32), requires_grad=True)
    b = gk.tensor(RNG.normal(size=3).astype(np.float32), requires_grad=True)
    xs, ws, bs = x * 1, w * 1, b * 1
    seen = []
    for t in (xs, ws, bs):
        t.register_hook(lambda g: seen.append(str(g.dtype)))
    if which == "layer":
        y = F.layer_norm(xs, (3,), ws, bs)
    else:
        y = F.batch_norm(xs, None, None, ws, bs, training=True)
    y.backward(gk.tensor(RNG.normal(size=(4, 3)).astype(np.float32)))
    assert seen == ["float32"] * 3
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_ops_defaults_are_torchs():
    """``layer_norm`` and ``LayerNorm.apply``: eps 1e-5, weight and bias given;
    ``Normalize.apply``: weight and bias given, batch statistics (training)."""
    x = RNG.normal(size=(4, 6)) * 1e-3  # a small variance, so eps shows
    w, b = RNG.normal(size=6), RNG.normal(size=6)
    want = TF.layer_norm(torch.tensor(x), (6,), torch.tensor(w), torch.tensor(b)).numpy()
    got = gnorm.layer_norm(gk.tensor(x), (6,), gk.tensor(w), gk.tensor(b))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)
    got = gnorm.LayerNorm.apply(gk.tensor(x), gk.tensor(w), gk.tensor(b), shape=(6,))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)

    xb = RNG.normal(size=(5, 3))
    wb, bb = RNG.normal(size=3), RNG.normal(size=3)
    mean, var = xb.mean(0, keepdims=True), xb.var(0, keepdims=True)
    tx = torch.tensor(xb, requires_grad=True)
    want = TF.batch_norm(tx, None, None, torch.tensor(wb), torch.tensor(bb), training=True)
    gx = gk.tensor(xb, requires_grad=True)
    got = gnorm.Normalize.apply(
        gx,
        gk.tensor(wb),
        gk.tensor(bb),
        mean=mean,
        inv_std=1 / np.sqrt(var + 1e-5),
        stat_axes=(0,),
        param_axes=(0,),
        param_shape=(1, 3),
    )
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
    v = RNG.normal(size=(5, 3))
    want.backward(torch.tensor(v))
    got.backward(gk.tensor(v))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
