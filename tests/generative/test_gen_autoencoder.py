"""GEN-AE, GEN-DAE, GEN-CAE, GEN-SPARSE, GEN-CONTRACT, GEN-DENOISE: penalties against
finite differences and brute-force Jacobians; denoising, sparse, contractive and
convolutional autoencoders trained on MNIST subsets."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck
from gradkit.models.autoencoder import (
    Autoencoder,
    GaussianNoise,
    MaskingNoise,
    add_gaussian_noise,
    contractive_penalty,
    conv_autoencoder,
    deep_autoencoder,
    jacobian_frobenius,
    kl_sparsity_penalty,
    l1_code_penalty,
    psnr,
)
from gradkit.optim import Adam
from gradkit.train import Model
from parity import requires_torch, torch


def _codes(shape, seed=0):
    return gk.tensor(np.random.default_rng(seed).uniform(0.05, 0.95, shape))


def test_penalty_gradchecks():
    """Finite differences for the L1, KL-sparsity and contractive penalties."""
    rng = np.random.default_rng(0)
    gradcheck(l1_code_penalty, gk.tensor(rng.standard_normal((4, 3)) + 0.1))
    gradcheck(lambda z: kl_sparsity_penalty(z, 0.1), _codes((5, 3)))
    W = gk.tensor(rng.standard_normal((3, 4)))
    gradcheck(contractive_penalty, _codes((5, 3)), W)

    def through_layer(x, w, b):  # the penalty as a function of the encoder's inputs
        return contractive_penalty((x @ w.T + b).sigmoid(), w)

    gradcheck(through_layer, *(gk.tensor(rng.standard_normal(s)) for s in [(3, 4), (2, 4), (2,)]))


@requires_torch
def test_kl_sparsity_closed_form_against_torch():
    z = _codes((6, 4))
    rho_hat = torch.tensor(z.detach().numpy().mean(axis=0))
    p = torch.distributions.Bernoulli(probs=torch.tensor(0.2))
    q = torch.distributions.Bernoulli(probs=rho_hat)
    expected = torch.distributions.kl_divergence(p, q).sum().item()
    assert kl_sparsity_penalty(z, 0.2).item() == pytest.approx(expected, rel=1e-8)


@requires_torch
def test_contractive_closed_form_equals_jacobian_norm():
    """Σ_j (h_j(1 − h_j))² Σ_i W_ji² equals ‖∂h/∂x‖²_F from autograd, row by row."""
    gk.manual_seed(0)
    ae = deep_autoencoder([6, 4], code_activation="sigmoid", contractive_weight=1.0)
    ae.double()
    x = gk.tensor(np.random.default_rng(1).standard_normal((5, 6)))
    per_row = jacobian_frobenius(ae.encoder, x) ** 2
    code = ae.encoder(x)
    closed = contractive_penalty(code, ae.encoder[0].weight).item()
    assert closed == pytest.approx(per_row.mean(), rel=1e-10)
    jac = torch.autograd.functional.jacobian(
        lambda t: torch.sigmoid(t @ torch.tensor(ae.encoder[0].weight.detach().numpy()).T
                                + torch.tensor(ae.encoder[0].bias.detach().numpy())),
        torch.tensor(x.detach().numpy()[0]),
    )  # fmt: skip
    assert per_row[0] == pytest.approx((jac**2).sum().item(), rel=1e-10)


def test_noise_layers_only_act_in_training():
    gk.manual_seed(0)
    x = gk.ones(200, 50)
    g, m = GaussianNoise(0.5), MaskingNoise(0.3)
    assert abs(float(g(x).detach().numpy().std()) - 0.5) < 0.02
    assert abs(float((m(x).detach().numpy() == 0).mean()) - 0.3) < 0.02
    g.eval(), m.eval()
    assert g(x) is x and m(x) is x
    clipped = add_gaussian_noise(x.detach().numpy(), 0.5, 0.0, 1.0)
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_builders_and_validation():
    ae = conv_autoencoder(code_size=10)
    assert ae(gk.rand(2, 1, 28, 28)).shape == (2, 1, 28, 28)
    assert ae.encode(gk.rand(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match="Linear → Sigmoid"):
        deep_autoencoder([8, 4], contractive_weight=0.1)
    with pytest.raises(ValueError, match="sparsity"):
        deep_autoencoder([8, 4], sparsity="l2")


def _train(ae, x, epochs, lr=2e-3, batch_size=64):
    model = Model(ae)
    model.compile(optimizer=Adam(list(ae.parameters()), lr=lr), loss=ae.loss)
    model.fit(x, x, epochs=epochs, batch_size=batch_size, verbose=0, seed=0)
    ae.eval()
    return ae


def _mse(ae, x):
    with gk.no_grad():
        return float(((ae.reconstruct(gk.tensor(x)).detach().numpy() - x) ** 2).mean())


@pytest.mark.slow
def test_denoising_autoencoder_gains_6db(mnist):
    """Gaussian noise σ = 0.5 (clipped to [0, 1]): trained on 10,000 digits for 5 epochs,
    the reconstructions' mean PSNR against the clean test images is ≥ 6 dB above that of
    the noisy inputs (GEN-DENOISE)."""
    X, _, Xt, _ = mnist
    gk.manual_seed(0)
    ae = deep_autoencoder([784, 256, 64], noise=GaussianNoise(0.5, 0.0, 1.0))
    _train(ae, X[:10000], epochs=5)
    noisy = add_gaussian_noise(Xt[:2000], 0.5, 0.0, 1.0, generator=np.random.default_rng(1))
    with gk.no_grad():
        denoised = ae.reconstruct(gk.tensor(noisy)).detach().numpy()
    p_noisy, p_out = psnr(noisy, Xt[:2000]).mean(), psnr(denoised, Xt[:2000]).mean()
    print(f"PSNR noisy {p_noisy:.2f} dB, denoised {p_out:.2f} dB (+{p_out - p_noisy:.2f})")
    assert p_out - p_noisy >= 6.0


@pytest.mark.slow
def test_sparse_and_contractive_autoencoders(mnist):
    """Sparse (KL, ρ = 0.05): the mean code activation on the training digits lies within
    10% of ρ (on unseen test digits it is printed: about 0.06 after this short run).
    Contractive: the encoder Jacobian's Frobenius norm on test data is lower than that of
    the same sigmoid autoencoder trained without the penalty."""
    X, _, Xt, _ = mnist
    x, xt = X[:5000], gk.tensor(Xt[:500])
    gk.manual_seed(0)
    sparse = deep_autoencoder(
        [784, 64], code_activation="sigmoid", sparsity="kl", sparsity_weight=1.0, rho=0.05
    )
    _train(sparse, x, epochs=5, lr=2e-3)
    with gk.no_grad():
        mean_code = float(sparse.encode(gk.tensor(x[:2000])).detach().numpy().mean())
        mean_test = float(sparse.encode(gk.tensor(Xt[:2000])).detach().numpy().mean())
    print(f"sparse AE: mean code activation train {mean_code:.4f}, test {mean_test:.4f} (rho 0.05)")
    assert abs(mean_code - 0.05) <= 0.005

    norms = {}
    for name, lam in [("plain", 0.0), ("contractive", 0.1)]:
        gk.manual_seed(0)
        ae = deep_autoencoder([784, 64], code_activation="sigmoid", contractive_weight=lam)
        _train(ae, x, epochs=3)
        norms[name] = float(jacobian_frobenius(ae.encoder, xt).mean())
    print(f"encoder Jacobian Frobenius norm: {norms}")
    assert norms["contractive"] < norms["plain"]


@pytest.mark.slow
def test_conv_and_dense_autoencoders_same_code_size(mnist):
    """GEN-CAE: a convolutional and a dense autoencoder with a 32-unit code, both trained
    for 2 epochs on 5,000 digits; both reconstruct the test set far better than the mean
    image (MSE values printed for the report)."""
    X, _, Xt, _ = mnist
    x, xt = X[:5000], Xt[:1000]
    gk.manual_seed(0)
    dense = _train(deep_autoencoder([784, 256, 32]), x, epochs=2)
    gk.manual_seed(0)
    conv = _train(conv_autoencoder(code_size=32), x.reshape(-1, 1, 28, 28), epochs=2)
    mse_dense = _mse(dense, xt)
    mse_conv = _mse(conv, xt.reshape(-1, 1, 28, 28))
    baseline = float(((xt - x.mean(axis=0)) ** 2).mean())
    print(f"test MSE: dense {mse_dense:.4f}, conv {mse_conv:.4f}, mean image {baseline:.4f}")
    assert mse_dense < 0.6 * baseline and mse_conv < 0.6 * baseline
    assert isinstance(conv, Autoencoder)
