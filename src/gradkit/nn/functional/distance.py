"""Norms and distances between vectors in PyTorch's functional form: ``normalize``,
``cosine_similarity``, ``pairwise_distance`` and ``cdist``, all on
:func:`~gradkit.ops.pnorm.vector_norm` (PyTorch's gradients at zero vectors)."""

from __future__ import annotations

from gradkit.backend import xp
from gradkit.ops.elementwise import clip
from gradkit.ops.pnorm import vector_norm
from gradkit.tensor import Tensor

__all__ = ["cdist", "cosine_similarity", "normalize", "pairwise_distance"]


def _as_float(name: str, x) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected floating-point inputs, got dtype {x.dtype}")
    return x


def normalize(
    input: Tensor,  # noqa: A002 - PyTorch's name
    p: float = 2.0,
    dim: int = 1,
    eps: float = 1e-12,
    out=None,
) -> Tensor:
    """y = x / max(‖x‖_p, ε) along ``dim`` (the norm over ``dim``, broadcast back).

    Where ‖x‖_p < ε the denominator is the constant ε, so the gradient is 1/ε there
    (PyTorch's ``clamp_min``).

    Examples
    --------
    >>> import gradkit as gk
    >>> normalize(gk.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported; use the returned tensor")
    x = _as_float("normalize", input)
    return x / clip(vector_norm(x, p, dim, keepdim=True), eps, None)


def _norm_at_least(x: Tensor, dim: int, eps: float) -> Tensor:
    """‖x‖_2 over ``dim`` (kept), raised to ``eps`` in value only: the gradient stays the
    norm's, as PyTorch's ``cosine_similarity`` clamps its norms outside autograd."""
    n = vector_norm(x, 2, dim, keepdim=True)
    lift = xp.maximum(n._data, eps) - n._data
    return n + Tensor(lift) if lift.any() else n


def cosine_similarity(
    x1: Tensor,
    x2: Tensor,
    dim: int = 1,
    eps: float = 1e-8,
) -> Tensor:
    """cos = Σ_dim (x1 / max(‖x1‖, ε)) (x2 / max(‖x2‖, ε)), PyTorch's formula (each
    vector normalized first, x1 and x2 broadcast together).

    Shape: x1, x2 broadcastable, (*, D, *); output without ``dim``.

    Examples
    --------
    >>> import gradkit as gk
    >>> cosine_similarity(gk.tensor([[1.0, 0.0]]), gk.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    x1, x2 = _as_float("cosine_similarity", x1), _as_float("cosine_similarity", x2)
    try:
        shape = xp.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(
            f"cosine_similarity: x1 of shape {tuple(x1.shape)} and x2 of shape "
            f"{tuple(x2.shape)} do not broadcast together"
        ) from None
    if x1.shape != shape:
        x1 = x1.expand(*shape)
    if x2.shape != shape:
        x2 = x2.expand(*shape)
    return ((x1 / _norm_at_least(x1, dim, eps)) * (x2 / _norm_at_least(x2, dim, eps))).sum(dim)


def pairwise_distance(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    eps: float = 1e-6,
    keepdim: bool = False,
) -> Tensor:
    """d = ‖x1 − x2 + ε‖_p over the last axis (ε keeps the gradient finite where the
    vectors coincide), as ``torch.nn.functional.pairwise_distance``.

    Shape: x1, x2 broadcastable, (*, D); output (*) or (*, 1) with ``keepdim``.
    """
    x1, x2 = _as_float("pairwise_distance", x1), _as_float("pairwise_distance", x2)
    ndim = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    return vector_norm(diff, p, ndim - 1 if ndim else None, keepdim=keepdim)


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """All pairwise p-norm distances d[..., i, j] = ‖x1[..., i, :] − x2[..., j, :]‖_p, as
    ``torch.cdist`` (computed directly, without the matmul shortcut for p = 2).

    Shape: x1 (*, P, M), x2 (*, R, M) with broadcastable batch axes; output (*, P, R).
    """
    x1, x2 = _as_float("cdist", x1), _as_float("cdist", x2)
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(
            f"cdist: x1 (*, P, M) and x2 (*, R, M) must have at least 2 dimensions and the "
            f"same number of columns M, got shapes {tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    if p < 0:
        raise ValueError(f"cdist only supports non-negative p values, got {p}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff, p, -1)
