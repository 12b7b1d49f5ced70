"""GEN-GAN (WGAN-GP): the Wasserstein critic loss with the gradient penalty
λ E(‖∇_x̂ D(x̂)‖₂ − 1)² against PyTorch (one discriminator step with copied weights and
the same x, z, ε, float64) and against the closed form for a linear critic; WGAN-GP
training with several critic steps per generator step."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.models import GAN, mlp_discriminator, mlp_generator
from gradkit.optim import Adam
from parity import requires_torch, torch

LAMBDA = 10.0


def _wgan(hidden_d=(16, 8), **kwargs):
    gk.manual_seed(0)
    options = dict(loss="wasserstein", gradient_penalty=LAMBDA) | kwargs
    return GAN(mlp_generator(4, 6, hidden=(8,)), mlp_discriminator(6, hidden=hidden_d), 4,
               **options)  # fmt: skip


def _torch_copy(module, layers):
    """A torch nn.Sequential of ``layers`` holding ``module``'s float64 weights."""
    net = torch.nn.Sequential(*layers).double()
    state = {k: torch.tensor(v.detach().numpy()) for k, v in module.state_dict().items()}
    net.load_state_dict(state, strict=False)
    return net


@requires_torch
def test_wgan_gp_discriminator_step_matches_torch():
    """GEN-GAN: D loss E D(G(z)) − E D(x) + λ GP, its gradient (a double backward
    through Linear + LeakyReLU) and one Adam(0, 0.9) step equal PyTorch's."""
    gan = _wgan()
    gan.double()
    nn = torch.nn
    D = _torch_copy(gan.discriminator, [nn.Linear(6, 16), nn.LeakyReLU(0.2), nn.Linear(16, 8),
                                        nn.LeakyReLU(0.2), nn.Linear(8, 1)])  # fmt: skip
    G = _torch_copy(gan.generator, [nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(),
                                    nn.Linear(8, 6), nn.Sigmoid()])  # fmt: skip
    rng = np.random.default_rng(0)
    x, z, eps = rng.random((5, 6)), rng.standard_normal((5, 4)), rng.random(5)

    # gradkit: the GAN's own loss, one Adam step on D
    fake = gan(gk.tensor(z))
    opt = Adam(list(gan.discriminator.parameters()), lr=1e-3, betas=(0.0, 0.9))
    opt.zero_grad()
    d_loss = gan.discriminator_loss(gk.tensor(x), fake, epsilon=eps)
    term = gan.gradient_penalty_term(gk.tensor(x), fake, epsilon=eps).item()
    d_loss.backward()
    grads = [p.grad.numpy().copy() for p in gan.discriminator.parameters()]
    opt.step()

    # PyTorch: the usual WGAN-GP critic step
    real_t, fake_t = torch.tensor(x), G(torch.tensor(z)).detach()
    alpha = torch.tensor(eps).view(-1, 1)
    interp = (alpha * real_t + (1 - alpha) * fake_t).requires_grad_(True)
    scores = D(interp)
    (g,) = torch.autograd.grad(scores, interp, torch.ones_like(scores), create_graph=True)
    gp = ((g.view(len(g), -1).norm(2, dim=1) - 1) ** 2).mean()
    t_opt = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.9))
    t_opt.zero_grad()
    t_loss = D(fake_t).mean() - D(real_t).mean() + LAMBDA * gp
    t_loss.backward()
    t_grads = [p.grad.numpy().copy() for p in D.parameters()]
    t_opt.step()

    np.testing.assert_allclose(fake.detach().numpy(), fake_t.numpy(), atol=1e-12)
    assert gp.item() > 1e-2  # the penalty is active, so the gradients below test it
    assert d_loss.item() == pytest.approx(t_loss.item(), abs=1e-10)
    assert term == pytest.approx(gp.item(), abs=1e-12)
    for a, b in zip(grads, t_grads):
        np.testing.assert_allclose(a, b, atol=1e-10, rtol=0)
    for p, q in zip(gan.discriminator.parameters(), D.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-10, rtol=0)
    # the generator's Wasserstein loss −E D(G(z)) and its gradient through G
    g_loss = gan.generator_loss(gan(gk.tensor(z)))
    g_loss.backward()
    t_g = -D(G(torch.tensor(z))).mean()
    t_g.backward()
    assert g_loss.item() == pytest.approx(t_g.item(), abs=1e-10)
    for p, q in zip(gan.generator.parameters(), G.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-10, rtol=0)


def test_gradient_penalty_of_a_linear_critic_is_closed_form():
    """For D(x) = wᵀx + b, ∇_x D = w everywhere: the penalty is (‖w‖ − 1)² for any ε and
    its gradient in w is 2(‖w‖ − 1) w/‖w‖ (no PyTorch needed)."""
    gk.manual_seed(0)
    critic = mlp_discriminator(6, hidden=())
    gan = GAN(mlp_generator(4, 6, hidden=()), critic, 4, loss="wasserstein",
              gradient_penalty=LAMBDA).double()  # fmt: skip
    rng = np.random.default_rng(1)
    real, fake = gk.tensor(rng.random((7, 6))), gk.tensor(rng.random((7, 6)))
    term = gan.gradient_penalty_term(real, fake, generator=np.random.default_rng(2))
    w = critic[0].weight.detach().numpy().ravel()
    norm = np.linalg.norm(w)
    assert term.item() == pytest.approx((norm - 1) ** 2, abs=1e-12)
    term.backward()
    np.testing.assert_allclose(critic[0].weight.grad.numpy().ravel(), 2 * (norm - 1) * w / norm,
                               atol=1e-12)  # fmt: skip
    # the full D loss adds λ·penalty to E D(fake) − E D(real)
    loss = gan.discriminator_loss(real, fake, epsilon=np.full(7, 0.5))
    scores = lambda t: t.detach().numpy() @ w + critic[0].bias.item()  # noqa: E731
    expected = scores(fake).mean() - scores(real).mean() + LAMBDA * (norm - 1) ** 2
    assert loss.item() == pytest.approx(expected, abs=1e-12)


def test_wgan_gp_fit_takes_n_critic_steps_and_keeps_the_critic_near_1_lipschitz():
    """WGAN-GP on 2-d points: G steps once per ``n_critic`` D steps; after training, the
    critic's gradient norm on interpolates is near 1 (the penalty's target), whereas the
    same run without the penalty lets it drift far from 1."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((256, 2)) * 0.1 + [0.7, 0.3]).astype(np.float32)
    norms = {}
    for lam in (LAMBDA, None):
        gk.manual_seed(0)
        gan = GAN(mlp_generator(2, 2, hidden=(16,)), mlp_discriminator(2, hidden=(32, 32)), 2,
                  loss="wasserstein", gradient_penalty=lam, n_critic=4)  # fmt: skip
        hist = gan.fit(x, epochs=6, batch_size=32, lr=1e-3, betas=(0.0, 0.9), seed=0)
        assert all(np.isfinite(v) for k in hist for v in hist[k])
        g_param = next(iter(gan.generator.parameters()))
        d_param = next(iter(gan.discriminator.parameters()))
        assert gan._opt_d.state[d_param]["step"] == 6 * 8
        assert gan._opt_g.state[g_param]["step"] == 6 * 2
        real = gk.tensor(x[:128])
        fake = gan(gan.sample_latent(128, np.random.default_rng(3))).detach()
        eps = np.random.default_rng(4).random((128, 1)).astype(np.float32)
        x_hat = gk.tensor(eps * real.numpy() + (1 - eps) * fake.numpy(), requires_grad=True)
        (g,) = gk.autograd.grad(gan.discriminator(x_hat).sum(), x_hat)
        norms[lam] = np.linalg.norm(g.numpy(), axis=1).mean()
    assert abs(norms[LAMBDA] - 1) < 0.25, norms
    assert abs(norms[None] - 1) > 2 * abs(norms[LAMBDA] - 1), norms


def test_wgan_options_are_validated():
    G, D = mlp_generator(4, 6, hidden=()), mlp_discriminator(6, hidden=())
    with pytest.raises(ValueError, match="valid choices are 'bce', 'wasserstein'"):
        GAN(G, D, 4, loss="hinge")
    with pytest.raises(ValueError, match="gradient_penalty"):
        GAN(G, D, 4, gradient_penalty=-1.0)
    with pytest.raises(ValueError, match="gradient_penalty"):
        GAN(G, D, 4, gradient_penalty="ten")
    with pytest.raises(ValueError, match="n_critic"):
        GAN(G, D, 4, n_critic=0)
    with pytest.raises(ValueError, match="label_smoothing"):
        GAN(G, D, 4, loss="wasserstein", label_smoothing=0.1)
    gan = GAN(G, D, 4, loss="wasserstein", gradient_penalty=1.0)
    real = gk.rand(3, 6)
    with pytest.raises(ValueError, match="one value per sample"):
        gan.gradient_penalty_term(real, gk.rand(3, 6), epsilon=[0.5, 0.5])
    with pytest.raises(ValueError, match="differ in shape"):
        gan.gradient_penalty_term(real, gk.rand(2, 6))
    # λ = 0 (or None) is the plain loss: no penalty term, no random draws
    plain = GAN(G, D, 4, loss="wasserstein", gradient_penalty=0)
    assert plain.gradient_penalty is None
    fake = gk.rand(3, 6)
    expected = D(fake).mean().item() - D(real).mean().item()
    assert plain.discriminator_loss(real, fake).item() == pytest.approx(expected, rel=1e-6)
