"""Kernel functions K(x, z) = φ(x)ᵀφ(z) for the kernel trick (ML-KERNEL)."""

from __future__ import annotations

import numpy as np

KERNELS = ("linear", "poly", "rbf", "sigmoid")


def kernel_matrix(
    X: np.ndarray, Y: np.ndarray, kernel: str, gamma: float, degree: int, coef0: float
) -> np.ndarray:
    """Gram matrix K[i, j] = K(x_i, y_j).

    linear: xᵀz;  poly: (γ xᵀz + r)^d;  rbf (Gaussian): exp(−γ‖x − z‖²), i.e. γ = 1/(2σ²);
    sigmoid: tanh(γ xᵀz + r).

    Shape: X (n, d), Y (m, d) → (n, m); X, Y dense or scipy.sparse (K is dense).
    """
    if hasattr(X, "tocsr") or hasattr(Y, "tocsr"):
        return _sparse_kernel(X, Y, kernel, gamma, degree, coef0)
    if kernel == "rbf":
        return _rbf(X, Y, gamma)
    K = X @ Y.T
    if kernel == "linear":
        return K
    K *= gamma  # in place: each pass over the (n, m) result costs about as much as the matmul
    K += coef0
    return np.power(K, degree, out=K) if kernel == "poly" else np.tanh(K, out=K)


def _rbf(X: np.ndarray, Y: np.ndarray, gamma: float) -> np.ndarray:
    """exp(−γ‖x − z‖²) with the exponent −γ(‖x‖² − 2xᵀz + ‖z‖²) from one matmul of the
    augmented rows [2γx, −γ‖x‖², 1] and [z, 1, −γ‖z‖²]; clipped at 0 against rounding,
    exactly 0 on the diagonal when Y is X, so K(x, x) = 1."""
    xx = np.einsum("ij,ij->i", X, X)[:, None]
    yy = xx if Y is X else np.einsum("ij,ij->i", Y, Y)[:, None]
    left = np.hstack([(2.0 * gamma) * X, -gamma * xx, np.ones_like(xx)])
    right = np.hstack([Y, np.ones_like(yy), -gamma * yy])
    K = left @ right.T
    np.minimum(K, 0.0, out=K)
    if Y is X:
        np.fill_diagonal(K, 0.0)
    return np.exp(K, out=K)


def _sparse_kernel(X, Y, kernel, gamma, degree, coef0) -> np.ndarray:
    """The same kernels for scipy.sparse rows; dense result."""
    if kernel == "rbf":
        from .._pairwise import squared_euclidean

        D = squared_euclidean(X, Y)
        if Y is X:
            np.fill_diagonal(D, 0.0)
        return np.exp(-gamma * D, out=D)
    K = X @ Y.T
    K = K.toarray() if hasattr(K, "toarray") else np.asarray(K, dtype=np.float64)
    if kernel == "linear":
        return K
    K *= gamma
    K += coef0
    return np.power(K, degree, out=K) if kernel == "poly" else np.tanh(K, out=K)


def resolve_gamma(gamma, X: np.ndarray) -> float:
    """``"scale"`` → 1/(n_features · Var(X)), ``"auto"`` → 1/n_features, else the number."""
    if gamma == "scale":
        if hasattr(X, "multiply"):  # variance over all entries, zeros included
            var = float(X.multiply(X).mean() - X.mean() ** 2)
        else:
            var = X.var()
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
    if gamma == "auto":
        return 1.0 / X.shape[1]
    if isinstance(gamma, str) or not gamma > 0:
        raise ValueError(f"gamma must be 'scale', 'auto' or a positive number, got {gamma!r}.")
    return float(gamma)
