"""GEN-CONTRACT: the contractive autoencoder's closed-form penalty
Σ_j (z_j(1 − z_j))² Σ_i W_ji² against ‖∂z/∂x‖²_F computed by autograd (the full Jacobian
of the encoder from ``autograd.functional.jacobian``), value and gradient with respect to
the encoder's weights (create_graph), and the check that found deeper encoders were
penalised on the wrong Jacobian."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd.functional import jacobian
from gradkit.models.autoencoder import contractive_penalty, deep_autoencoder
from parity import requires_torch, torch

LAM = 0.3


def _cae(sizes=(6, 4), seed=0):
    gk.manual_seed(seed)
    ae = deep_autoencoder(list(sizes), code_activation="sigmoid", contractive_weight=LAM)
    return ae.double()


def _x(n=5, d=6, seed=1):
    return gk.tensor(np.random.default_rng(seed).standard_normal((n, d)))


def _autograd_penalty(encoder, x, create_graph=False):
    """mean_n ‖∂z_n/∂x_n‖²_F from the encoder's full Jacobian (N, H, N, D). Rows of the
    batch do not interact, so its off-diagonal blocks are zero and Σ J² is Σ_n ‖J_nn‖²."""
    J = jacobian(encoder, x, create_graph=create_graph)
    n = x.shape[0]
    off = J.detach().numpy().copy()
    off[np.arange(n), :, np.arange(n), :] = 0
    assert not off.any()  # the encoder treats samples independently
    return (J * J).sum() / n


def test_gen_contract_closed_form_equals_autograd_jacobian_norm():
    ae = _cae()
    x = _x()
    ae(x)  # the forward pass stores the code the penalty reads
    ours = ae.penalty()
    ref = _autograd_penalty(ae.encoder, x)
    assert ours.item() == pytest.approx(LAM * ref.item(), abs=1e-12)
    # the per-row Jacobian is diag(z(1 − z)) W
    z = ae.encode(x).detach().numpy()
    W = ae.encoder[0].weight.detach().numpy()
    J = jacobian(ae.encoder, x).numpy()
    np.testing.assert_allclose(J[2, :, 2, :], (z[2] * (1 - z[2]))[:, None] * W, atol=1e-14)


def test_gen_contract_penalty_gradient_matches_create_graph_autograd():
    """The model trains on λ·penalty through the closed form; its gradient with respect
    to W and b equals the gradient of the autograd Jacobian norm (a double backward)."""
    ae = _cae()
    x = _x()
    params = [ae.encoder[0].weight, ae.encoder[0].bias]
    ae(x)
    closed = gk.autograd.grad(ae.penalty(), params)
    ref = gk.autograd.grad(LAM * _autograd_penalty(ae.encoder, x, create_graph=True), params)
    for a, b in zip(closed, ref):
        assert np.abs(b.numpy()).max() > 1e-3  # a real gradient, not zeros on both sides
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12, rtol=0)
    # and the full training loss (reconstruction + penalty) gives the same step
    out = ae(x)
    g_model = gk.autograd.grad(ae.loss(out, x), params)
    rec = gk.nn.functional.mse_loss(ae.decoder(ae.encoder(x)), x)
    g_ref = gk.autograd.grad(rec + LAM * _autograd_penalty(ae.encoder, x, True), params)
    for a, b in zip(g_model, g_ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12, rtol=0)


@requires_torch
def test_gen_contract_gradient_matches_torch_jacobian():
    """The same penalty and weight gradient from torch.autograd.functional.jacobian
    with create_graph=True on a copy of the encoder."""
    ae = _cae((7, 3))
    x = _x(4, 7)
    ae(x)
    penalty = ae.penalty()
    gW, gb = gk.autograd.grad(penalty, [ae.encoder[0].weight, ae.encoder[0].bias])
    W = torch.tensor(ae.encoder[0].weight.detach().numpy(), requires_grad=True)
    b = torch.tensor(ae.encoder[0].bias.detach().numpy(), requires_grad=True)
    xt = torch.tensor(x.numpy())
    J = torch.autograd.functional.jacobian(
        lambda t: torch.sigmoid(t @ W.T + b), xt, create_graph=True
    )
    ref = LAM * (J**2).sum() / len(xt)
    ref.backward()
    assert penalty.item() == pytest.approx(ref.item(), abs=1e-12)
    np.testing.assert_allclose(gW.numpy(), W.grad.numpy(), atol=1e-12, rtol=0)
    np.testing.assert_allclose(gb.numpy(), b.grad.numpy(), atol=1e-12, rtol=0)


def test_gen_contract_deeper_encoder_is_refused_not_mispenalised():
    """Found by this check: an encoder D → h → code ending in Linear → Sigmoid used to be
    accepted, and the closed form then measured ∂z/∂h (the last layer's Jacobian), not
    ∂z/∂x. The two differ, so such an encoder is now refused with the reason."""
    gk.manual_seed(0)
    enc = deep_autoencoder([6, 5, 4], code_activation="sigmoid").double().encoder
    x = _x()
    last_layer_only = contractive_penalty(enc(x), enc[2].weight).item()
    true = _autograd_penalty(enc, x).item()
    assert abs(last_layer_only - true) > 0.1 * true
    with pytest.raises(ValueError, match="one-layer encoder Linear → Sigmoid"):
        deep_autoencoder([6, 5, 4], code_activation="sigmoid", contractive_weight=0.1)
