"""Autoencoders (concepts GEN-AE, GEN-DAE, GEN-CAE, GEN-SPARSE, GEN-CONTRACT, GEN-DENOISE).

An autoencoder maps x to a code z = f(x) (encoder) and back to x̂ = g(z) (decoder), trained
to make x̂ close to x. Variants change what is trained:

- denoising: the encoder sees a corrupted x̃ (Gaussian or masking noise), the loss
  compares x̂ with the clean x;
- sparse: adds λ Σ_j |z_j| (L1) or β Σ_j KL(ρ ‖ ρ̂_j) with ρ̂_j the batch-mean code;
- contractive: adds λ ‖∂z/∂x‖²_F, closed form for a one-layer sigmoid encoder
  z = σ(Wx + b): ‖J‖²_F = Σ_j (z_j (1 − z_j))² Σ_i W_ji².

:class:`Autoencoder` keeps the last code (``.code``) so that its :meth:`~Autoencoder.loss`
can add the penalties; pass ``loss=ae.loss`` to ``gradkit.train.Model.compile`` and fit
with ``fit(x, x)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradkit import random as _random
from gradkit.backend import xp
from gradkit.nn import functional as F
from gradkit.nn.activation import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from gradkit.nn.containers import Sequential
from gradkit.nn.conv import Conv2d, ConvTranspose2d
from gradkit.nn.linear import Flatten, Linear, Unflatten
from gradkit.nn.module import Module
from gradkit.tensor import Tensor

_EPS = 1e-7


# ---------------------------------------------------------------------- corruption
class GaussianNoise(Module):
    """Add N(0, σ²) noise in training mode (Keras' ``GaussianNoise``); identity in eval.

    x̃ = x + σ ε, ε ~ N(0, I), clipped to [``clip_min``, ``clip_max``] when given (so
    noisy images stay images). Draws from the global generator (``gradkit.manual_seed``).
    """

    def __init__(self, stddev: float, clip_min: float | None = None, clip_max=None) -> None:
        super().__init__()
        if stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be >= 0, got {stddev}")
        self.stddev, self.clip_min, self.clip_max = stddev, clip_min, clip_max

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.stddev == 0:
            return x
        return Tensor(add_gaussian_noise(x._data, self.stddev, self.clip_min, self.clip_max))

    def extra_repr(self) -> str:
        return f"stddev={self.stddev}"


class MaskingNoise(Module):
    """Set each input element to 0 with probability p in training mode (masking noise
    of denoising autoencoders; no 1/(1 − p) rescaling, unlike dropout)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"MaskingNoise: p must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        return Tensor(add_masking_noise(x._data, self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


def add_gaussian_noise(x, stddev: float, clip_min=None, clip_max=None, generator=None):
    """x + σ ε (ε standard normal, in x's dtype), optionally clipped. Array in, array out."""
    gen = _random.numpy_rng(generator)
    noisy = x + (stddev * gen.standard_normal(x.shape)).astype(x.dtype)
    if clip_min is not None or clip_max is not None:
        noisy = xp.clip(noisy, clip_min, clip_max)
    return noisy


def add_masking_noise(x, p: float, generator=None):
    """x with each element zeroed independently with probability p."""
    gen = _random.numpy_rng(generator)
    return x * (gen.random(x.shape) >= p).astype(x.dtype)


# ---------------------------------------------------------------------- penalties
def l1_code_penalty(code: Tensor) -> Tensor:
    """Mean over the batch of Σ_j |z_j|, shape ()."""
    return code.abs().sum(axis=-1).mean()


def kl_sparsity_penalty(code: Tensor, rho: float) -> Tensor:
    """Σ_j KL(ρ ‖ ρ̂_j) = Σ_j [ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))], with
    ρ̂_j = mean over the batch of z_j ∈ (0, 1) (a sigmoid code). Shape ()."""
    if not 0 < rho < 1:
        raise ValueError(f"sparsity target rho must be in (0, 1), got {rho}")
    rho_hat = code.reshape(code.shape[0], -1).mean(axis=0).clip(_EPS, 1 - _EPS)
    kl = rho * (rho / rho_hat).log() + (1 - rho) * ((1 - rho) / (1 - rho_hat)).log()
    return kl.sum()


def contractive_penalty(code: Tensor, weight: Tensor) -> Tensor:
    """Squared Frobenius norm of the Jacobian of z = σ(W x + b), batch mean:

        ‖∂z/∂x‖²_F = Σ_j (z_j (1 − z_j))² Σ_i W_ji²

    Parameters
    ----------
    code : Tensor, shape (N, H)
        z, the sigmoid layer's output.
    weight : Tensor, shape (H, D)
        W (a ``Linear`` layer's weight).
    """
    d = code * (1 - code)
    return ((d * d) * (weight * weight).sum(axis=1)).sum(axis=1).mean()


def jacobian_frobenius(encoder: Module, x: Tensor) -> xp.ndarray:
    """‖∂f(x_n)/∂x_n‖_F for each row, by one backward pass per code unit (any encoder
    whose rows do not interact, e.g. no batch norm in training mode). Shape (N,)."""
    x = Tensor(x._data if isinstance(x, Tensor) else xp.asarray(x), requires_grad=True)
    code = encoder(x)
    total = xp.zeros(x.shape[0], dtype=xp.float64)
    for j in range(code.shape[1]):
        x.grad = None
        seed = xp.zeros(code.shape, dtype=code.dtype)
        seed[:, j] = 1
        code.backward(seed, retain_graph=True)
        total += (x.grad._data.reshape(x.shape[0], -1).astype(xp.float64) ** 2).sum(axis=1)
    return xp.sqrt(total)


# ---------------------------------------------------------------------- the model
class Autoencoder(Module):
    """Encoder → code → decoder, with optional input corruption and code penalties.

    Parameters
    ----------
    encoder, decoder : Module
    noise : Module, optional
        Corruption applied to the input in training mode only (:class:`GaussianNoise`,
        :class:`MaskingNoise`) — a denoising autoencoder when fitted on ``(x, x)``.
    sparsity : {None, "l1", "kl"}
        Code penalty: λ mean_n Σ_j |z_j| (``"l1"``) or λ Σ_j KL(ρ ‖ ρ̂_j) (``"kl"``).
    sparsity_weight : float
        λ for the sparsity penalty.
    rho : float
        Target mean activation ρ of each code unit (``"kl"``).
    contractive_weight : float
        λ for the contractive penalty λ ‖∂z/∂x‖²_F (batch mean); needs a one-layer
        encoder ``Linear`` → ``Sigmoid`` (``deep_autoencoder([D, code],
        code_activation="sigmoid")``), where the closed form holds.
    reconstruction : {"mse", "bce"}
        Reconstruction term: mean squared error, or binary cross-entropy on decoder
        *logits* (then :meth:`reconstruct` applies the sigmoid).

    Shape
    -----
    Input (N, *) as the encoder takes it; output the decoder's, same shape as the input.

    Examples
    --------
    >>> import gradkit as gk
    >>> ae = deep_autoencoder([784, 128, 32])
    >>> x = gk.rand(4, 784)
    >>> ae(x).shape, ae.encode(x).shape
    ((4, 784), (4, 32))
    """

    def __init__(
        self,
        encoder: Module,
        decoder: Module,
        noise: Module | None = None,
        sparsity: str | None = None,
        sparsity_weight: float = 0.0,
        rho: float = 0.05,
        contractive_weight: float = 0.0,
        reconstruction: str = "mse",
    ) -> None:
        super().__init__()
        if sparsity not in (None, "l1", "kl"):
            raise ValueError(f"Unknown sparsity={sparsity!r}; valid choices are None, 'l1', 'kl'")
        if reconstruction not in ("mse", "bce"):
            raise ValueError(
                f"Unknown reconstruction={reconstruction!r}; valid choices are 'bce', 'mse'"
            )
        if contractive_weight and self._sigmoid_layer(encoder) is None:
            layers = encoder if isinstance(encoder, Sequential) else [encoder]
            raise ValueError(
                "contractive_weight needs a one-layer encoder Linear → Sigmoid: the "
                "closed-form penalty Σ_j (z_j(1 − z_j))² Σ_i W_ji² is ‖∂z/∂x‖²_F for that "
                "layer alone (for a deeper encoder it would be the Jacobian with respect to "
                "the last layer's input, not x); got "
                + " → ".join(type(m).__name__ for m in layers)
            )
        self.encoder, self.decoder, self.noise = encoder, decoder, noise
        self.sparsity, self.sparsity_weight, self.rho = sparsity, sparsity_weight, rho
        self.contractive_weight = contractive_weight
        self.reconstruction = reconstruction
        self.code: Tensor | None = None

    @staticmethod
    def _sigmoid_layer(encoder: Module) -> Linear | None:
        """The Linear of an encoder that is exactly Linear → Sigmoid, else None."""
        if isinstance(encoder, Sequential) and len(encoder) == 2:
            if isinstance(encoder[1], Sigmoid) and isinstance(encoder[0], Linear):
                return encoder[0]
        return None

    def encode(self, x: Tensor) -> Tensor:
        """The code z = f(x)."""
        return self.encoder(x)

    def decode(self, z: Tensor) -> Tensor:
        """The decoder output g(z) (logits when ``reconstruction="bce"``)."""
        return self.decoder(z)

    def forward(self, x: Tensor) -> Tensor:
        if self.noise is not None:
            x = self.noise(x)
        self.code = self.encoder(x)
        return self.decoder(self.code)

    def reconstruct(self, x: Tensor) -> Tensor:
        """x̂ in input space (the sigmoid of the logits for ``"bce"``)."""
        out = self.decoder(self.encoder(x))
        return out.sigmoid() if self.reconstruction == "bce" else out

    def penalty(self) -> Tensor | float:
        """The sparsity and contractive terms for the code of the last forward pass."""
        total = 0.0
        if self.code is None:
            return total
        if self.sparsity == "l1" and self.sparsity_weight:
            total = total + self.sparsity_weight * l1_code_penalty(self.code)
        if self.sparsity == "kl" and self.sparsity_weight:
            total = total + self.sparsity_weight * kl_sparsity_penalty(self.code, self.rho)
        if self.contractive_weight:
            weight = self._sigmoid_layer(self.encoder).weight
            total = total + self.contractive_weight * contractive_penalty(self.code, weight)
        return total

    def loss(self, output: Tensor, target: Tensor) -> Tensor:
        """Reconstruction loss (batch and feature mean) plus :meth:`penalty`; use as
        ``Model.compile(loss=ae.loss)``."""
        target = target.reshape(output.shape)
        if self.reconstruction == "bce":
            rec = F.binary_cross_entropy_with_logits(output, target)
        else:
            rec = F.mse_loss(output, target)
        return rec + self.penalty()


_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "leaky_relu": LeakyReLU, "elu": ELU}


def _activation(name: str) -> Module:
    if name not in _ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; valid choices are {sorted(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]()


def deep_autoencoder(
    sizes: Sequence[int],
    activation: str = "relu",
    code_activation: str | None = None,
    output_activation: str | None = "sigmoid",
    **kwargs,
) -> Autoencoder:
    """Symmetric stacked autoencoder (GEN-DAE): ``sizes = [D, h1, …, code]`` gives the
    encoder D → h1 → … → code and the mirrored decoder code → … → h1 → D.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from the input to the code (at least two).
    activation : str
        Hidden activation ("relu", "sigmoid", "tanh", "leaky_relu", "elu").
    code_activation : str, optional
        Activation of the code layer ("sigmoid" for sparse-KL or contractive models).
    output_activation : str, optional
        "sigmoid" for inputs in [0, 1]; None for logits (``reconstruction="bce"``) or
        unbounded data.
    **kwargs
        Passed to :class:`Autoencoder` (noise, sparsity, contractive_weight, …).
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"deep_autoencoder needs at least [input, code] sizes, got {sizes}")

    def stack(widths, last_activation):
        layers = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(Linear(a, b))
            act = activation if i < len(widths) - 2 else last_activation
            if act is not None:
                layers.append(_activation(act))
        return Sequential(*layers)

    return Autoencoder(
        stack(sizes, code_activation), stack(sizes[::-1], output_activation), **kwargs
    )


def conv_autoencoder(
    code_size: int = 32, in_channels: int = 1, channels: tuple[int, int] = (16, 32), **kwargs
) -> Autoencoder:
    """Convolutional autoencoder for 28×28 images (GEN-CAE).

    Encoder: conv 3×3 stride 2 (28 → 14) → ReLU → conv 3×3 stride 2 (14 → 7) → ReLU →
    flatten → Linear(c₂·7·7, code). Decoder: Linear → ReLU → (c₂, 7, 7) → transposed conv
    4×4 stride 2 (7 → 14) → ReLU → transposed conv 4×4 stride 2 (14 → 28) → sigmoid.

    Shape
    -----
    Input (N, in_channels, 28, 28), code (N, code_size), output (N, in_channels, 28, 28).
    """
    c1, c2 = channels
    encoder = Sequential(
        Conv2d(in_channels, c1, 3, stride=2, padding=1),
        _activation("relu"),
        Conv2d(c1, c2, 3, stride=2, padding=1),
        _activation("relu"),
        Flatten(),
        Linear(c2 * 7 * 7, code_size),
    )
    decoder = Sequential(
        Linear(code_size, c2 * 7 * 7),
        _activation("relu"),
        Unflatten(1, (c2, 7, 7)),
        ConvTranspose2d(c2, c1, 4, stride=2, padding=1),
        _activation("relu"),
        ConvTranspose2d(c1, in_channels, 4, stride=2, padding=1),
        _activation("sigmoid"),
    )
    return Autoencoder(encoder, decoder, **kwargs)


def psnr(x, reference, max_value: float = 1.0):
    """Peak signal-to-noise ratio per image, 10 log₁₀(MAX² / MSE), shape (N,)."""
    x = xp.asarray(x._data if isinstance(x, Tensor) else x, dtype=xp.float64)
    ref = xp.asarray(reference._data if isinstance(reference, Tensor) else reference, xp.float64)
    mse = ((x - ref) ** 2).reshape(len(x), -1).mean(axis=1)
    return 10 * xp.log10(max_value**2 / xp.maximum(mse, 1e-12))


__all__ = [
    "Autoencoder", "GaussianNoise", "MaskingNoise", "add_gaussian_noise", "add_masking_noise",
    "contractive_penalty", "conv_autoencoder", "deep_autoencoder", "jacobian_frobenius",
    "kl_sparsity_penalty", "l1_code_penalty", "psnr",
]  # fmt: skip
