"""RNN-LSTM, RNN-GRU, RNN-BPTT (issue 24): a loss on the outputs and on the final hidden
and cell states, back-propagated twice with retain_graph=True, accumulates exactly twice
PyTorch's gradients (the backward pass must not modify the saved states)."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")


def _copy_weights(ours, ref):
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(
            ours.named_parameters(), ref.named_parameters(), strict=True
        ):
            assert name == tname
            tp.copy_(torch.tensor(p.detach().numpy()))


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("kw", [{}, {"num_layers": 2, "bidirectional": True}])
def test_rnn_double_backward_retain_graph_matches_torch(cell, kw):
    gk.manual_seed(0)
    ours = getattr(gk.nn, cell)(3, 4, batch_first=True, dtype=gk.float64, **kw)
    ref = getattr(torch.nn, cell)(3, 4, batch_first=True, dtype=torch.float64, **kw)
    _copy_weights(ours, ref)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    xg = gk.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)

    def loss(lib, module, inp):
        out, state = module(inp)
        total = (out * out).sum()
        for k, s in enumerate(state if isinstance(state, tuple) else (state,)):
            total = total + (k + 2.0) * (s * s * s).sum()
        return total

    lg = loss(gk, ours, xg)
    lg.backward(retain_graph=True)
    lg.backward()
    lt = loss(torch, ref, xt)
    lt.backward()
    np.testing.assert_allclose(xg.grad.numpy(), 2 * xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for p, tp in zip(ours.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), 2 * tp.grad.numpy(), rtol=1e-9, atol=1e-12)
