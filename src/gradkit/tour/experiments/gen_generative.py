"""Tour experiments for the deep generative models: GEN-GAN on a 1-D two-mode mixture
and GEN-VAE on binarised MNIST digits."""

from __future__ import annotations

import numpy as np
from scipy.stats import energy_distance

import gradkit as gk
from gradkit import nn
from gradkit.models import GAN, VAE, bernoulli_log_likelihood
from gradkit.optim import Adam
from gradkit.tour.experiments._gen_data import mnist, show, tile
from gradkit.tour.registry import Check, Finding, experiment
from gradkit.train import Model


def _two_modes(n: int, rng: np.random.Generator) -> np.ndarray:
    """½ N(−2, 0.4²) + ½ N(2, 0.4²), shape (n,)."""
    return np.where(rng.random(n) < 0.5, -2.0, 2.0) + 0.4 * rng.standard_normal(n)


@experiment(
    "GEN-GAN",
    group="GEN",
    title="Generative adversarial network on a two-mode mixture",
    claim="Trained adversarially against a discriminator, the generator's distribution moves "
    "to the data's, and the discriminator ends near D(x) = ½.",
    formula="min_G max_D E log D(x) + E log(1 − D(G(z)));  G step: −E log D(G(z))",
    code=("gradkit.models.gan", "GAN"),
    test="tests/tour/test_gen_generative.py",
)
def gen_gan(quick: bool) -> Finding:
    epochs = 40 if quick else 150
    x = _two_modes(2000, np.random.default_rng(0)).astype(np.float32)[:, None]
    reference = _two_modes(2000, np.random.default_rng(1))
    floor = float(energy_distance(_two_modes(2000, np.random.default_rng(5)), reference))
    gk.manual_seed(0)
    latent, width = 4, 32
    generator = nn.Sequential(
        nn.Linear(latent, width),
        nn.LeakyReLU(0.2),
        nn.Linear(width, width),
        nn.LeakyReLU(0.2),
        nn.Linear(width, 1),
    )
    critic = nn.Sequential(
        nn.Linear(1, width),
        nn.LeakyReLU(0.2),
        nn.Linear(width, width),
        nn.LeakyReLU(0.2),
        nn.Linear(width, 1),
    )
    # samples come from an exponential moving average of G's weights, which smooths the
    # oscillation of the adversarial game (the live G circles around the data)
    gan = GAN(generator, critic, latent, ema_decay=0.99)

    def draw_samples():
        return gan.sample(2000, np.random.default_rng(2))[:, 0].astype(np.float64)

    start = draw_samples()
    distance = [float(energy_distance(start, reference))]

    def track(epoch, logs):
        distance.append(float(energy_distance(draw_samples(), reference)))

    history = gan.fit(x, epochs=epochs, batch_size=64, lr=1e-3, seed=0, callback=track)
    final = draw_samples()
    d_real = float(np.mean(history["d_real"][-5:]))
    right = float((final > 0).mean())
    checks = [
        Check(
            "the generated distribution moves to the data",
            f"energy distance to the data: {distance[0]:.3f} before, {distance[-1]:.3f} after "
            f"{epochs} epochs (two data samples: {floor:.3f}); mean {final.mean():+.2f} "
            f"(data 0), std {final.std():.2f} (data {reference.std():.2f})",
            distance[-1] < 0.2 * distance[0] and abs(final.std() / reference.std() - 1) < 0.15,
        ),
        Check(
            "both modes are covered (no mode collapse in this run)",
            f"share of samples in the right-hand mode: {right:.2f} (data 0.50)",
            0.35 < right < 0.65,
        ),
        Check(
            "at the equilibrium the discriminator cannot tell: D(x) → ½",
            f"mean D(x) on real batches over the last 5 epochs: {d_real:.3f}",
            abs(d_real - 0.5) < 0.05,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        bins = np.linspace(-4, 4, 61)
        ax1.hist(reference, bins, density=True, alpha=0.5, label="data")
        ax1.hist(final, bins, density=True, alpha=0.5, label="generator")
        ax1.legend()
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.plot(range(len(distance)), distance, label="energy distance")
        ax2.axhline(floor, color="grey", ls=":", label="data vs data")
        ax2.set_xlabel("epoch")
        ax2.legend()

    numbers = dict(
        energy_distance=distance,
        floor=floor,
        mean=float(final.mean()),
        std=float(final.std()),
        right_mode_share=right,
        d_real=d_real,
    )
    return Finding(checks, numbers, draw)


def _importance_weighted(vae, x, k: int, seed: int) -> np.ndarray:
    """log p(x) ≈ log (1/k) Σ_i p(x | z_i) p(z_i) / q(z_i | x), z_i ~ q(z | x), per row
    (the importance-weighted bound, tighter than the ELBO and ≤ log p(x) in expectation)."""
    rng = np.random.default_rng(seed)
    xt = gk.tensor(x)
    with gk.no_grad():
        mu, logvar = (a.detach().numpy().astype(np.float64) for a in vae.encode(xt))
        logs = []
        for _ in range(k):
            eps = rng.standard_normal(mu.shape)
            z = mu + np.exp(0.5 * logvar) * eps
            log_px = bernoulli_log_likelihood(vae.decode(gk.tensor(z.astype(np.float32))), xt)
            log_pz = -0.5 * (z**2 + np.log(2 * np.pi)).sum(axis=1)
            log_qz = -0.5 * (eps**2 + logvar + np.log(2 * np.pi)).sum(axis=1)
            logs.append(log_px.detach().numpy() + log_pz - log_qz)
    logs = np.array(logs)
    top = logs.max(axis=0)
    return top + np.log(np.exp(logs - top).mean(axis=0))


@experiment(
    "GEN-VAE",
    group="GEN",
    title="Variational autoencoder",
    claim="Maximising the evidence lower bound trains a VAE: the held-out ELBO rises, it "
    "stays below (a tighter estimate of) log p(x), and decoding z ~ N(0, I) draws new digits.",
    formula="ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)) ≤ log p(x);  z = μ + σ ⊙ ε",
    code=("gradkit.models.vae", "VAE"),
    test="tests/tour/test_gen_generative.py",
)
def gen_vae(quick: bool) -> Finding:
    X, _, Xt, _ = mnist(3000 if quick else 20000, 500 if quick else 2000, binary=True)
    epochs = 6 if quick else 15
    gk.manual_seed(0)
    vae = VAE(784, hidden=[128 if quick else 256], latent_dim=8)
    model = Model(vae)
    model.compile(optimizer=Adam(list(vae.parameters()), lr=2e-3), loss=vae.loss)
    elbo = [float(vae.elbo(Xt).mean())]
    for epoch in range(epochs):
        model.fit(X, X, epochs=epoch + 1, initial_epoch=epoch, batch_size=64, verbose=0, seed=epoch)
        elbo.append(float(vae.elbo(Xt).mean()))
    vae.eval()
    few = Xt[:200]
    elbo_few = float(vae.elbo(few, n_samples=50).mean())
    iw = float(_importance_weighted(vae, few, 50, seed=0).mean())
    with gk.no_grad():
        vae(gk.tensor(Xt))
        kl = float(
            (0.5 * (vae.mu**2 + vae.logvar.exp() - vae.logvar - 1)).sum(axis=1).mean().item()
        )
    samples = vae.sample(8, generator=np.random.default_rng(0))
    checks = [
        Check(
            "training raises the held-out ELBO",
            f"mean held-out ELBO (nats): {elbo[0]:.1f} untrained → "
            + " → ".join(f"{e:.1f}" for e in elbo[1:]),
            elbo[1] > elbo[0] and elbo[-1] > elbo[1] + 20,
        ),
        Check(
            "the ELBO is a lower bound: the importance-weighted estimate of log p(x) is higher",
            f"200 held-out digits: ELBO {elbo_few:.2f}, 50-sample importance-weighted bound "
            f"{iw:.2f} nats",
            iw > elbo_few + 0.5,
        ),
        Check(
            "the code carries information: KL(q(z|x) ‖ p(z)) is well above zero",
            f"mean KL term {kl:.2f} nats over 8 latent dimensions",
            kl > 5,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        ax1.plot(range(len(elbo)), elbo, marker="o")
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("held-out ELBO (nats)")
        show(fig.add_subplot(1, 2, 2), tile([samples]), "decoded z ~ N(0, I)")

    numbers = dict(elbo=elbo, elbo_200=elbo_few, importance_weighted=iw, kl=kl)
    return Finding(checks, numbers, draw)
