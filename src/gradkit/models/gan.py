"""Generative adversarial networks (concept GEN-GAN; Goodfellow et al. 2014, DCGAN by
Radford et al. 2016).

A generator G maps noise z ~ N(0, I) to samples; a discriminator D maps a sample to a
logit of "real". They play the minimax game min_G max_D E log D(x) + E log(1 − D(G(z))).
Training alternates, per mini-batch:

    D step:  minimize  BCE(D(x), 1 − s) + BCE(D(G(z)), 0)    (s = one-sided label smoothing)
    G step:  minimize  BCE(D(G(z)), 1) = −E log D(G(z))       (the non-saturating loss)

The non-saturating generator loss gives strong gradients early, when D easily rejects
G's samples and log(1 − D(G(z))) would saturate. With ``num_classes`` the GAN is
conditional (Mirza & Osindero 2014): G(z, y) and D(x, y) both see the class y as a one-hot
code, appended to z and to D's input (as constant feature maps for images), so
``sample(labels=...)`` draws digits of a chosen class. With ``ema_decay`` the samples come
from an exponential moving average of G's weights, θ̄ ← d θ̄ + (1 − d) θ after every G
step (Yazıcı et al. 2019), which smooths out the oscillation of the adversarial game.

With ``loss="wasserstein"`` D is a critic with unbounded scores and the game is WGAN's
(Arjovsky et al. 2017); ``gradient_penalty=λ`` adds WGAN-GP's penalty (Gulrajani et al.
2017), which keeps the critic near 1-Lipschitz:

    D step:  minimize  E D(G(z)) − E D(x) + λ E (‖∇_x̂ D(x̂)‖₂ − 1)²,
             x̂ = ε x + (1 − ε) G(z),  ε ~ U(0, 1) per sample
    G step:  minimize  −E D(G(z))

The penalty differentiates D's input gradient with respect to D's weights (a double
backward, ``autograd.grad(..., create_graph=True)``), so every layer of D must support
``create_graph`` (Linear, Conv2d, activations do; batch norm in D is not advised with the
penalty, which is defined per sample). The paper trains with ``n_critic=5`` critic steps
per generator step, λ = 10 and Adam(lr=1e-4, betas=(0, 0.9)).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradkit import random as _random
from gradkit.autograd.grad import grad
from gradkit.nn import functional as F
from gradkit.nn.activation import LeakyReLU, ReLU, Sigmoid
from gradkit.nn.containers import Sequential
from gradkit.nn.conv import Conv2d, ConvTranspose2d
from gradkit.nn.linear import Flatten, Linear, Unflatten
from gradkit.nn.module import Module
from gradkit.nn.normalization import BatchNorm1d, BatchNorm2d
from gradkit.ops.shape import concatenate
from gradkit.optim import Adam
from gradkit.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn, update_bn
from gradkit.tensor import Tensor, no_grad

_LOSSES = ("bce", "wasserstein")


def _as_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


class GAN(Module):
    """A generator and a discriminator trained adversarially (GEN-GAN).

    Parameters
    ----------
    generator : Module
        (N, latent_dim) → samples shaped like the data.
    discriminator : Module
        samples → (N, 1) logits of "real".
    latent_dim : int
    label_smoothing : float
        One-sided label smoothing s: real samples get target 1 − s in the D step.
    ema_decay : float, optional
        If given, keep ``generator_ema``, an exponential moving average of the
        generator's weights with this decay (e.g. 0.999), and draw ``sample`` from it.
    num_classes : int, optional
        Make the GAN conditional on integer labels 0..num_classes−1: the generator then
        takes ``latent_dim + num_classes`` inputs and the discriminator ``num_classes``
        extra input channels (features for flat data); the builders below size both
        with their ``num_classes`` argument. ``fit`` then needs ``y``.
    loss : {"bce", "wasserstein"}
        The adversarial loss: the (non-saturating) binary cross-entropy on D's logits,
        or WGAN's critic loss E D(G(z)) − E D(x) with generator loss −E D(G(z)).
    gradient_penalty : float, optional
        λ ≥ 0 of WGAN-GP's penalty λ E (‖∇_x̂ D(x̂)‖₂ − 1)² added to the D loss (None or
        0: no penalty). Usually paired with ``loss="wasserstein"``.
    n_critic : int
        D steps per G step in ``fit``: each mini-batch gives one D step, and G takes a
        step after every ``n_critic``-th.

    Examples
    --------
    >>> gan = GAN(mlp_generator(8, 16, hidden=(32,)), mlp_discriminator(16, hidden=(32,)), 8)
    >>> x = np.random.default_rng(0).random((64, 16)).astype(np.float32)
    >>> hist = gan.fit(x, epochs=1, batch_size=32, seed=0)
    >>> sorted(hist)
    ['d_loss', 'd_real', 'g_loss']
    """

    def __init__(
        self,
        generator: Module,
        discriminator: Module,
        latent_dim: int,
        label_smoothing: float = 0.0,
        ema_decay: float | None = None,
        num_classes: int | None = None,
        loss: str = "bce",
        gradient_penalty: float | None = None,
        n_critic: int = 1,
    ) -> None:
        super().__init__()
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        if num_classes is not None and (int(num_classes) != num_classes or num_classes < 2):
            raise ValueError(f"num_classes must be an integer ≥ 2 or None, got {num_classes}")
        if loss not in _LOSSES:
            raise ValueError(f"Unknown loss={loss!r}; valid choices are 'bce', 'wasserstein'")
        if loss == "wasserstein" and label_smoothing:
            raise ValueError("label_smoothing applies to loss='bce' only (a critic has no labels)")
        if gradient_penalty is not None and not 0 <= _as_float(gradient_penalty) < np.inf:
            raise ValueError(
                f"gradient_penalty must be a number ≥ 0 or None, got {gradient_penalty!r}"
            )
        if isinstance(n_critic, bool) or not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"n_critic must be an integer ≥ 1, got {n_critic!r}")
        self.loss, self.n_critic = loss, n_critic
        self.gradient_penalty = float(gradient_penalty) if gradient_penalty else None
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim, self.label_smoothing = latent_dim, label_smoothing
        self.num_classes = None if num_classes is None else int(num_classes)
        self.ema_decay = ema_decay
        if ema_decay is not None:
            self.generator_ema = AveragedModel(
                generator, multi_avg_fn=get_ema_multi_avg_fn(ema_decay)
            )
        self._ema_bn_fresh = False

    def forward(self, z: Tensor, labels=None) -> Tensor:
        """G(z), or G(z, y) for a conditional GAN (``labels`` (N,) integers)."""
        return self.generator(self.with_labels(z, labels))

    def with_labels(self, x: Tensor, labels) -> Tensor:
        """``x`` with the one-hot code of ``labels`` appended along axis 1 (as constant
        maps over the trailing axes of images); ``x`` itself for an unconditional GAN."""
        if self.num_classes is None:
            if labels is not None:
                raise ValueError("labels given, but this GAN is unconditional (num_classes=None)")
            return x
        if labels is None:
            raise ValueError(f"a conditional GAN (num_classes={self.num_classes}) needs labels")
        labels = self._check_labels(labels, len(x))
        code = np.zeros((len(x), self.num_classes) + tuple(x.shape[2:]), dtype=np.float32)
        code[np.arange(len(x)), labels] = 1.0
        return concatenate([x, Tensor(code)], axis=1)

    def _check_labels(self, labels, n: int) -> np.ndarray:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},), got {labels.shape}")
        if labels.dtype.kind not in "iu" and not (
            labels.dtype.kind == "f" and np.array_equal(labels, np.round(labels))
        ):
            raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
        labels = labels.astype(np.intp)
        if n and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"labels must lie in [0, {self.num_classes}), got {labels.min()}..{labels.max()}"
            )
        return labels

    def sample_latent(self, n: int, generator=None, truncation: float | None = None) -> Tensor:
        """z ~ N(0, I), shape (n, latent_dim), float32. With ``truncation`` τ each
        coordinate is drawn from the standard normal truncated to [−τ, τ] (entries
        outside are redrawn): BigGAN's truncation trick, trading diversity for fidelity.
        """
        gen = _random.numpy_rng(generator)
        z = gen.standard_normal((n, self.latent_dim))
        if truncation is not None:
            if not truncation > 0:
                raise ValueError(f"truncation must be > 0, got {truncation}")
            outside = np.abs(z) > truncation
            while outside.any():
                z[outside] = gen.standard_normal(int(outside.sum()))
                outside = np.abs(z) > truncation
        return Tensor(z.astype(np.float32))

    def discriminator_loss(
        self, real: Tensor, fake: Tensor, real_labels=None, fake_labels=None, *,
        epsilon=None, generator=None,
    ) -> Tensor:  # fmt: skip
        """The D loss, fakes detached from G: BCE(D(x), 1 − s) + BCE(D(G(z)), 0), or
        E D(G(z)) − E D(x) for ``loss="wasserstein"``; plus λ times
        :meth:`gradient_penalty_term` when the GAN has a ``gradient_penalty``
        (``epsilon``/``generator`` go to it). Keeps the mean D(x) of the real batch (a
        probability for BCE, the critic's score for Wasserstein) in ``last_d_real``. A
        conditional GAN scores D(x, y) with each batch's labels."""
        logits_real = self.discriminator(self.with_labels(real, real_labels))
        logits_fake = self.discriminator(self.with_labels(fake.detach(), fake_labels))
        if self.loss == "wasserstein":
            self.last_d_real = float(logits_real.detach()._data.mean())
            total = logits_fake.mean() - logits_real.mean()
        else:
            self.last_d_real = float(logits_real.detach().sigmoid()._data.mean())
            ones = np.full(logits_real.shape, 1.0 - self.label_smoothing, dtype=logits_real.dtype)
            zeros = np.zeros(logits_fake.shape, dtype=logits_fake.dtype)
            total = F.binary_cross_entropy_with_logits(
                logits_real, Tensor(ones)
            ) + F.binary_cross_entropy_with_logits(logits_fake, Tensor(zeros))
        if self.gradient_penalty:
            penalty = self.gradient_penalty_term(real, fake, real_labels, epsilon, generator)
            total = total + self.gradient_penalty * penalty
        return total

    def gradient_penalty_term(
        self, real: Tensor, fake: Tensor, labels=None, epsilon=None, generator=None
    ) -> Tensor:
        """WGAN-GP's E_n (‖∇_x̂ D(x̂_n)‖₂ − 1)² at x̂ = ε x + (1 − ε) G(z) (without λ).

        The input gradient comes from ``autograd.grad(D(x̂).sum(), x̂,
        create_graph=True)`` (rows of D do not interact, so the sum's gradient holds each
        sample's own), and the result is differentiable with respect to D's weights.

        Parameters
        ----------
        real, fake : Tensor, shape (N, *)
            Real and generated samples (``fake`` is detached from G).
        labels : array_like, optional
            A conditional GAN's labels (N,), appended to x̂ for D; the gradient is taken
            with respect to x̂ alone.
        epsilon : array_like, optional
            The mixing weights ε, shape (N,) or (N, 1, …, 1); by default drawn from
            U(0, 1) with ``generator`` (the global generator if None).
        """
        n = len(real)
        data = real._data
        shape = (n,) + (1,) * (data.ndim - 1)
        if epsilon is None:
            gen = _random.numpy_rng(generator)
            eps = gen.random(shape).astype(data.dtype)
        else:
            eps = np.asarray(epsilon._data if isinstance(epsilon, Tensor) else epsilon)
            if eps.size != n:
                raise ValueError(f"epsilon must have one value per sample ({n}), got {eps.shape}")
            eps = eps.reshape(shape).astype(data.dtype)
        if fake.shape != real.shape:
            raise ValueError(
                f"real and fake batches differ in shape: {tuple(real.shape)} vs {tuple(fake.shape)}"
            )
        x_hat = Tensor(eps * data + (1 - eps) * fake.detach()._data, requires_grad=True)
        scores = self.discriminator(self.with_labels(x_hat, labels))
        (g,) = grad(scores.sum(), x_hat, create_graph=True)
        # √(Σ g² + tiny): ‖g‖₂ with a finite (zero) gradient where g = 0, as torch's norm
        sq = (g * g).reshape(n, -1).sum(dim=1) + np.finfo(data.dtype).tiny
        return ((sq.sqrt() - 1) ** 2).mean()

    def generator_loss(self, fake: Tensor, labels=None) -> Tensor:
        """Non-saturating loss −E log D(G(z)) = BCE(D(G(z)), 1), or −E D(G(z)) for
        ``loss="wasserstein"`` (D(G(z, y), y) if conditional)."""
        logits = self.discriminator(self.with_labels(fake, labels))
        if self.loss == "wasserstein":
            return -logits.mean()
        return F.binary_cross_entropy_with_logits(
            logits, Tensor(np.ones(logits.shape, dtype=logits.dtype))
        )

    def fit(
        self,
        x,
        y=None,
        epochs: int = 1,
        batch_size: int = 64,
        lr: float = 2e-4,
        betas: tuple[float, float] = (0.5, 0.999),
        seed: int | None = None,
        callback: Callable[[int, dict], None] | None = None,
        verbose: bool = False,
    ) -> dict[str, list[float]]:
        """Alternate D and G steps with two Adam optimizers: one D step per mini-batch
        and one G step after every ``n_critic``-th (every batch by default).

        The optimizers (and their moment estimates) persist across calls; ``lr`` and
        ``betas`` apply to this call, so a decaying schedule is a loop of one-epoch fits.

        Parameters
        ----------
        x : ndarray
            Real samples (float32), shaped as the discriminator takes them.
        y : ndarray, optional
            Class labels (N,) of a conditional GAN. Each fake batch is generated for the
            labels of the real batch beside it, so G sees the data's class frequencies.
        callback : callable, optional
            ``callback(epoch, logs)`` after each epoch.

        Returns
        -------
        dict
            Per-epoch means of ``d_loss``, ``g_loss`` (over the G steps taken) and
            ``d_real`` (mean D(x) of the real batch in the D step, before D's update).
        """
        x = np.asarray(x, dtype=np.float32)
        if not np.isfinite(x).all():
            raise ValueError("GAN.fit: x contains NaN or inf")
        if self.num_classes is not None:
            if y is None:
                raise ValueError(
                    f"GAN.fit: a conditional GAN (num_classes={self.num_classes}) needs y"
                )
            y = self._check_labels(y, len(x))
        elif y is not None:
            raise ValueError("GAN.fit: y given, but this GAN is unconditional (num_classes=None)")
        rng = np.random.default_rng(seed)
        if not hasattr(self, "_opt_g"):
            self._opt_g = Adam(list(self.generator.parameters()), lr=lr, betas=betas)
            self._opt_d = Adam(list(self.discriminator.parameters()), lr=lr, betas=betas)
        for opt in (self._opt_g, self._opt_d):  # the Adam moments carry over between calls
            for group in opt.param_groups:
                group["lr"], group["betas"] = lr, tuple(betas)
        history: dict[str, list[float]] = {"d_loss": [], "g_loss": [], "d_real": []}
        self.train()
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            sums = {k: 0.0 for k in history}
            steps = g_steps = 0
            for start in range(0, len(x) - batch_size + 1, batch_size):
                idx = order[start : start + batch_size]
                labels = None if y is None else y[idx]
                real = Tensor(x[idx])
                fake = self(self.sample_latent(batch_size, rng), labels)
                d_loss = self.discriminator_loss(real, fake, labels, labels, generator=rng)
                self._opt_d.zero_grad()
                d_loss.backward()
                self._opt_d.step()
                sums["d_loss"] += float(d_loss._data)
                sums["d_real"] += self.last_d_real
                steps += 1
                if steps % self.n_critic:
                    continue
                g_loss = self.generator_loss(fake, labels)
                self._opt_g.zero_grad()
                g_loss.backward()
                self._opt_g.step()
                if self.ema_decay is not None:
                    self.generator_ema.update_parameters(self.generator)
                    self._ema_bn_fresh = False
                sums["g_loss"] += float(g_loss._data)
                g_steps += 1
            logs = {k: v / max(steps, 1) for k, v in sums.items()}
            logs["g_loss"] = sums["g_loss"] / max(g_steps, 1)
            for k, v in logs.items():
                history[k].append(v)
            if verbose:
                print(
                    f"[GAN] epoch {epoch + 1}/{epochs} "
                    + " ".join(f"{k} {v:.4f}" for k, v in logs.items())
                )
            if callback is not None:
                callback(epoch, logs)
        return history

    def sample(
        self,
        n: int,
        generator=None,
        use_ema: bool = True,
        truncation: float | None = None,
        labels=None,
    ) -> np.ndarray:
        """n generated samples (eval mode, no graph), from ``generator_ema`` when the GAN
        keeps one and ``use_ema``; ``truncation`` as in ``sample_latent``. The averaged
        generator's batch-norm statistics are recomputed first (``update_bn`` over 10
        batches of 256 fixed noise vectors), since running statistics of the live
        generator do not belong to its weights. A conditional GAN draws the classes
        ``labels`` (n,), by default 0, 1, …, K−1, 0, 1, … (every class equally often)."""
        if self.num_classes is not None and labels is None:
            labels = np.arange(n) % self.num_classes
        net = self.generator
        if use_ema and self.ema_decay is not None:
            net = self.generator_ema
            if not self._ema_bn_fresh:
                noise = np.random.default_rng(0)
                cycle = None if self.num_classes is None else np.arange(256) % self.num_classes
                fixed = (self.sample_latent(256, noise) for _ in range(10))
                update_bn((self.with_labels(z, cycle) for z in fixed), net)
                self._ema_bn_fresh = True
        was_training = self.training
        self.eval()
        with no_grad():
            out = net(self.with_labels(self.sample_latent(n, generator, truncation), labels))._data
        self.train(was_training)
        return out


def mlp_generator(
    latent_dim: int = 100, out_features: int = 784, hidden=(256, 512), num_classes: int = 0
) -> Module:
    """z → Linear → BN → ReLU … → Linear → sigmoid: samples in [0, 1], shape (N, out).
    ``num_classes`` widens the input for a conditional GAN's one-hot code."""
    layers: list[Module] = []
    width = latent_dim + num_classes
    for h in hidden:
        layers += [Linear(width, h), BatchNorm1d(h), ReLU()]
        width = h
    return Sequential(*layers, Linear(width, out_features), Sigmoid())


def mlp_discriminator(in_features: int = 784, hidden=(512, 256), num_classes: int = 0) -> Module:
    """x → Linear → LeakyReLU(0.2) … → Linear(·, 1): logits, shape (N, 1).
    ``num_classes`` widens the input for a conditional GAN's one-hot code."""
    layers: list[Module] = []
    width = in_features + num_classes
    for h in hidden:
        layers += [Linear(width, h), LeakyReLU(0.2)]
        width = h
    return Sequential(*layers, Linear(width, 1))


def dcgan_generator(
    latent_dim: int = 100, channels: tuple[int, int] = (64, 32), num_classes: int = 0
) -> Module:
    """DCGAN-style generator for 28×28 images: Linear → BN → ReLU → (c₁, 7, 7) →
    transposed conv 4×4/2 → BN → ReLU (14×14) → transposed conv 4×4/2 → sigmoid (28×28).

    Shape: input (N, latent_dim + num_classes), output (N, 1, 28, 28) in [0, 1].
    """
    c1, c2 = channels
    return Sequential(
        Linear(latent_dim + num_classes, c1 * 7 * 7),
        BatchNorm1d(c1 * 7 * 7),
        ReLU(),
        Unflatten(1, (c1, 7, 7)),
        ConvTranspose2d(c1, c2, 4, stride=2, padding=1),
        BatchNorm2d(c2),
        ReLU(),
        ConvTranspose2d(c2, 1, 4, stride=2, padding=1),
        Sigmoid(),
    )


def dcgan_discriminator(channels: tuple[int, int] = (32, 64), num_classes: int = 0) -> Module:
    """DCGAN-style discriminator for 28×28 images: conv 4×4/2 → LeakyReLU(0.2) (14×14) →
    conv 4×4/2 → BN → LeakyReLU(0.2) (7×7) → flatten → Linear(·, 1) logits.

    Shape: input (N, 1 + num_classes, 28, 28) (a conditional GAN's one-hot code as extra
    constant channels), output (N, 1).
    """
    c1, c2 = channels
    return Sequential(
        Conv2d(1 + num_classes, c1, 4, stride=2, padding=1),
        LeakyReLU(0.2),
        Conv2d(c1, c2, 4, stride=2, padding=1),
        BatchNorm2d(c2),
        LeakyReLU(0.2),
        Flatten(),
        Linear(c2 * 7 * 7, 1),
    )
