"""Log-likelihood of samples under the Gaussian N(μ, C) implied by PCA or factor analysis."""

from __future__ import annotations

import numpy as np


def gaussian_score_samples(X: np.ndarray, mean: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """ln N(x | μ, C) = −½ [d ln 2π − ln|C⁻¹| + (x − μ)ᵀ C⁻¹ (x − μ)] for each row.

    Shape: X (n, d), mean (d,), precision C⁻¹ (d, d) → (n,).
    """
    Xc = X - mean
    sign, logdet = np.linalg.slogdet(precision)
    if sign <= 0:
        raise ValueError("The model covariance is not positive definite.")
    d = X.shape[1]
    return -0.5 * (np.einsum("ij,ij->i", Xc, Xc @ precision) + d * np.log(2 * np.pi) - logdet)
