"""Parity with PyTorch up to second order (T-AUTODIFF): the forward value and dtype, the
gradient of every input under a random upstream gradient v (by a plain backward, then by
one recorded with ``create_graph=True``), and the gradient of ⟨∇, w⟩ (random w) with
respect to the inputs and to v itself. A backward formula that is wrong only on NumPy
arrays, only on Tensors or only for some inputs fails. Inputs listed in ``frozen`` do not
require a gradient (the ``needs_input_grad`` branches)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")


def _np(t, shape):
    if t is None:
        return np.zeros(shape)
    if isinstance(t, torch.Tensor):
        return t.detach().numpy(force=True)  # force: PyTorch's ZeroTensor gradients
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def assert_parity_order2(
    gk_fn, torch_fn, arrays, *, frozen=(), order2=True, seed=1, rtol=1e-9, atol=1e-11
):
    """``gk_fn(*tensors)`` matches ``torch_fn(*tensors)`` in value, dtype, gradient and
    (``order2``) second derivatives. Returns gradkit's output."""
    arrays = [np.asarray(a) for a in arrays]
    need = [i not in frozen and a.dtype.kind == "f" for i, a in enumerate(arrays)]
    xs = [gk.tensor(a, requires_grad=n) for a, n in zip(arrays, need)]
    ts = [torch.tensor(a, requires_grad=n) for a, n in zip(arrays, need)]
    y, u = gk_fn(*xs), torch_fn(*ts)
    assert str(y.dtype).split(".")[-1] == str(u.dtype).split(".")[-1], (y.dtype, u.dtype)
    assert tuple(y.shape) == tuple(u.shape), (y.shape, u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=rtol, atol=atol)
    wrt = [x for x, n in zip(xs, need) if n]
    twrt = [t for t, n in zip(ts, need) if n]
    if not wrt:
        return y
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(tuple(u.shape)).astype(arrays[0].dtype if need[0] else np.float64)
    v = v.astype(str(u.dtype).split(".")[-1])
    if order2:  # first the plain backward (the fused NumPy paths), then the recorded one
        plain = gk.autograd.grad(y, wrt, gk.tensor(v), retain_graph=True, allow_unused=True)
        tplain = torch.autograd.grad(u, twrt, torch.tensor(v), retain_graph=True,
                                     allow_unused=True)  # fmt: skip
        for k, (g, t, x) in enumerate(zip(plain, tplain, wrt)):
            np.testing.assert_allclose(
                _np(g, x.shape), _np(t, x.shape), rtol=rtol, atol=atol, err_msg=f"plain {k}"
            )
    vg, vt = gk.tensor(v, requires_grad=order2), torch.tensor(v, requires_grad=order2)
    gs = gk.autograd.grad(y, wrt, vg, create_graph=order2, allow_unused=True)
    tgs = torch.autograd.grad(u, twrt, vt, create_graph=order2, allow_unused=True)
    for k, (g, t, x) in enumerate(zip(gs, tgs, wrt)):
        np.testing.assert_allclose(
            _np(g, x.shape), _np(t, x.shape), rtol=rtol, atol=atol, err_msg=f"grad {k}"
        )
        if g is not None and t is not None:
            assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    if not order2:
        return y
    pairs = [(g, t) for g, t in zip(gs, tgs) if t is not None and t.requires_grad]
    if not pairs:
        return y
    ws = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
    s = sum((g * gk.tensor(w.astype(str(g.dtype)))).sum() for (g, _), w in zip(pairs, ws))
    st = sum((t * torch.tensor(w, dtype=t.dtype)).sum() for (_, t), w in zip(pairs, ws))
    hs = gk.autograd.grad(s, [*wrt, vg], allow_unused=True)
    ths = torch.autograd.grad(st, [*twrt, vt], allow_unused=True)
    for k, (h, th, x) in enumerate(zip(hs, ths, [*wrt, vg])):
        np.testing.assert_allclose(
            _np(h, x.shape), _np(th, x.shape), rtol=rtol, atol=atol, err_msg=f"second {k}"
        )
    return y
