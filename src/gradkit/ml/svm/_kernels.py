"""Kernel functions K(x, z) = φ(x)ᵀφ(z) for the kernel trick (ML-KERNEL)."""

from __future__ import annotations

import numpy as np

from .._pairwise import squared_euclidean

KERNELS = ("linear", "poly", "rbf", "sigmoid")


def kernel_matrix(
    X: np.ndarray, Y: np.ndarray, kernel: str, gamma: float, degree: int, coef0: float
) -> np.ndarray:
    """Gram matrix K[i, j] = K(x_i, y_j).

    linear: xᵀz;  poly: (γ xᵀz + r)^d;  rbf (Gaussian): exp(−γ‖x − z‖²), i.e. γ = 1/(2σ²);
    sigmoid: tanh(γ xᵀz + r).

    Shape: X (n, d), Y (m, d) → (n, m).
    """
    if kernel == "linear":
        return X @ Y.T
    if kernel == "poly":
        return (gamma * (X @ Y.T) + coef0) ** degree
    if kernel == "rbf":
        K = squared_euclidean(X, Y)
        K *= -gamma
        return np.exp(K, out=K)
    return np.tanh(gamma * (X @ Y.T) + coef0)


def resolve_gamma(gamma, X: np.ndarray) -> float:
    """``"scale"`` → 1/(n_features · Var(X)), ``"auto"`` → 1/n_features, else the number."""
    if gamma == "scale":
        var = X.var()
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
    if gamma == "auto":
        return 1.0 / X.shape[1]
    if isinstance(gamma, str) or not gamma > 0:
        raise ValueError(f"gamma must be 'scale', 'auto' or a positive number, got {gamma!r}.")
    return float(gamma)
