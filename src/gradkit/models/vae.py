"""Variational autoencoder (concept GEN-VAE; Kingma & Welling 2014).

Encoder q(z | x) = N(μ(x), diag σ²(x)), prior p(z) = N(0, I), decoder p(x | z) with
Bernoulli pixels p(x_i = 1 | z) = σ(logit_i(z)). The evidence lower bound

    ELBO(x) = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)) ≤ log p(x)
    KL      = −½ Σ_k (1 + log σ_k² − μ_k² − σ_k²)                (closed form)
    log p(x | z) = Σ_i [x_i ℓ_i − softplus(ℓ_i)]                 (ℓ = decoder logits)

is estimated with one reparameterized sample z = μ + σ ⊙ ε, ε ~ N(0, I), so its
gradient flows through μ and σ. Training minimizes −ELBO (in nats per image).
"""

from __future__ import annotations

from collections.abc import Sequence

from gradkit import random as _random
from gradkit.backend import xp
from gradkit.nn import functional as F
from gradkit.nn.activation import ReLU
from gradkit.nn.containers import Sequential
from gradkit.nn.linear import Linear
from gradkit.nn.module import Module
from gradkit.tensor import Tensor, no_grad


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(μ, diag e^{logvar}) ‖ N(0, I)) = −½ Σ_k (1 + logvar_k − μ_k² − e^{logvar_k})
    for each row, shape (N,)."""
    return ((mu * mu + logvar.exp() - logvar - 1.0) * 0.5).sum(axis=-1)


def bernoulli_log_likelihood(logits: Tensor, x: Tensor) -> Tensor:
    """log p(x | z) = Σ_i [x_i log p_i + (1 − x_i) log(1 − p_i)], p = σ(logits), for each
    row, computed stably from the logits (minus the summed BCE-with-logits). Shape (N,)."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return -bce.reshape(bce.shape[0], -1).sum(axis=1)


def reparameterize(mu: Tensor, logvar: Tensor, eps=None) -> Tensor:
    """z = μ + e^{½ logvar} ⊙ ε with ε ~ N(0, I) (drawn when not given)."""
    if eps is None:
        eps = _random.default_generator().standard_normal(mu.shape).astype(mu.dtype)
    eps = eps if isinstance(eps, Tensor) else Tensor(xp.asarray(eps, dtype=mu.dtype))
    return mu + (logvar * 0.5).exp() * eps


def _mlp(sizes: Sequence[int]) -> Sequential:
    layers: list[Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(a, b), ReLU()]
    return Sequential(*layers)


class VAE(Module):
    """Variational autoencoder with Bernoulli outputs and an MLP encoder/decoder (GEN-VAE).

    Parameters
    ----------
    input_dim : int
        D, e.g. 784 for flattened MNIST.
    hidden : sequence of int
        Hidden widths of the encoder (mirrored in the decoder), ReLU activations.
    latent_dim : int
        K, the size of z.

    Shape
    -----
    Input (N, D) with values in [0, 1]; ``forward`` returns decoder logits (N, D) and
    keeps ``mu``, ``logvar`` (N, K) for :meth:`loss`.

    Examples
    --------
    >>> import gradkit as gk
    >>> vae = VAE(784, hidden=[64], latent_dim=8)
    >>> x = (gk.rand(5, 784) > 0.5).float()
    >>> vae.elbo(x).shape
    (5,)
    """

    def __init__(self, input_dim: int = 784, hidden: Sequence[int] = (400,), latent_dim: int = 20):
        super().__init__()
        hidden = list(hidden)
        self.input_dim, self.latent_dim = input_dim, latent_dim
        self.encoder = _mlp([input_dim, *hidden])
        top = hidden[-1] if hidden else input_dim
        self.fc_mu = Linear(top, latent_dim)
        self.fc_logvar = Linear(top, latent_dim)
        bottom = hidden[0] if hidden else latent_dim  # the decoder's last hidden width
        self.decoder = Sequential(*_mlp([latent_dim, *hidden[::-1]]), Linear(bottom, input_dim))
        self.mu: Tensor | None = None
        self.logvar: Tensor | None = None

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(μ, log σ²) of q(z | x), each (N, K)."""
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: Tensor) -> Tensor:
        """Logits of p(x | z), (N, D)."""
        return self.decoder(z)

    def forward(self, x: Tensor, eps=None) -> Tensor:
        self.mu, self.logvar = self.encode(x)
        return self.decode(reparameterize(self.mu, self.logvar, eps))

    def negative_elbo(self, logits: Tensor, x: Tensor) -> Tensor:
        """−ELBO per row, (N,), for the μ, log σ² of the last forward pass."""
        x = x.reshape(logits.shape)
        return gaussian_kl(self.mu, self.logvar) - bernoulli_log_likelihood(logits, x)

    def loss(self, logits: Tensor, x: Tensor) -> Tensor:
        """Batch mean of −ELBO (nats per image); use as ``Model.compile(loss=vae.loss)``."""
        return self.negative_elbo(logits, x).mean()

    def elbo(self, x, n_samples: int = 1) -> xp.ndarray:
        """ELBO of each row of x (nats), averaged over ``n_samples`` draws of z; (N,)."""
        x = x if isinstance(x, Tensor) else Tensor(xp.asarray(x, dtype=xp.float32))
        total = xp.zeros(x.shape[0], dtype=xp.float64)
        with no_grad():
            for _ in range(n_samples):
                total -= self.negative_elbo(self.forward(x), x)._data
        return total / n_samples

    def sample(self, n: int, generator=None) -> xp.ndarray:
        """Pixel probabilities σ(decoder(z)) for z ~ N(0, I); (n, D)."""
        gen = _random.numpy_rng(generator)
        z = Tensor(gen.standard_normal((n, self.latent_dim)).astype(xp.float32))
        with no_grad():
            return self.decode(z).sigmoid()._data

    def reconstruct(self, x: Tensor) -> xp.ndarray:
        """σ(decoder(μ(x))): the mean reconstruction, (N, D)."""
        with no_grad():
            return self.decode(self.encode(x)[0]).sigmoid()._data
