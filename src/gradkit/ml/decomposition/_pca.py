"""Principal component analysis (U-PCA) by eigendecomposition of the covariance or by SVD."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import (
    BaseEstimator,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
)
from ._gaussian import gaussian_score_samples


class PCA(TransformerMixin, BaseEstimator):
    """Project on the k orthogonal directions of maximum variance   (U-PCA).

    The directions are the leading eigenvectors of the covariance
    Σ = Xcᵀ Xc / (n − 1) (Σ z = λ z, λ the variance along z), obtained either from
    ``numpy.linalg.eigh(Σ)`` ('covariance_eigh') or from the SVD Xc = U S Vᵀ ('full',
    λ = s² / (n − 1)). transform: z = (x − μ) Wᵀ, divided by √λ with ``whiten``.

    Parameters
    ----------
    n_components : int, float in (0, 1) or None
        Number of components; a float keeps the fewest components whose explained
        variance ratio sums past it; None keeps min(n_samples, n_features).
    whiten : bool
        Scale the projections to unit variance.
    svd_solver : 'auto', 'full' or 'covariance_eigh'
        'auto' uses the covariance eigendecomposition when n_samples ≥ 10·n_features
        and n_features ≤ 1000, else the SVD.

    Attributes
    ----------
    components_ : (n_components, n_features), rows sorted by decreasing variance; the
        sign makes each row's largest-magnitude entry positive.
    explained_variance_, explained_variance_ratio_, singular_values_ : (n_components,)
    mean_ : (n_features,)
    noise_variance_ : float, mean of the discarded eigenvalues (probabilistic PCA).

    Examples
    --------
    >>> X = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    >>> PCA(n_components=1).fit(X).explained_variance_ratio_.round(6).tolist()
    [1.0]
    """

    def __init__(
        self,
        n_components=None,
        *,
        copy: bool = True,
        whiten: bool = False,
        svd_solver: str = "auto",
    ):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver

    def _n_components(self, ratio: np.ndarray, n: int, d: int) -> int:
        k = self.n_components
        if k is None:
            return min(n, d)
        if isinstance(k, numbers.Integral) and not isinstance(k, bool):
            if not 0 <= k <= min(n, d):
                raise ValueError(
                    f"n_components={k} must be between 0 and min(n_samples, n_features)="
                    f"{min(n, d)}."
                )
            return int(k)
        if isinstance(k, numbers.Real) and 0 < k < 1:
            return int(np.searchsorted(np.cumsum(ratio), k, side="right") + 1)
        raise ValueError(f"n_components={k!r} must be None, an int or a float in (0, 1).")

    def fit(self, X, y=None) -> PCA:
        self._fit(X)
        return self

    def _fit(self, X):
        check_option("svd_solver", self.svd_solver, ("auto", "full", "covariance_eigh"))
        X = check_array(X, ensure_min_samples=2)
        check_n_features(self, X, reset=True)
        n, d = X.shape
        solver = self.svd_solver
        if solver == "auto":
            solver = "covariance_eigh" if n >= 10 * d and d <= 1000 else "full"
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        U = None
        if solver == "full":
            U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
            variance = S**2 / (n - 1)
        else:
            eigval, eigvec = np.linalg.eigh(Xc.T @ Xc / (n - 1))
            variance = np.maximum(eigval[::-1], 0.0)
            Vt = eigvec[:, ::-1].T
            S = np.sqrt(variance * (n - 1))
        signs = np.sign(Vt[np.arange(Vt.shape[0]), np.argmax(np.abs(Vt), axis=1)])
        signs[signs == 0] = 1.0
        Vt = Vt * signs[:, None]
        total = variance.sum()
        ratio = variance / total if total > 0 else np.zeros_like(variance)
        k = self._n_components(ratio, n, d)
        self.n_components_ = k
        self.n_samples_ = n
        self.components_ = Vt[:k]
        self.explained_variance_ = variance[:k]
        self.explained_variance_ratio_ = ratio[:k]
        self.singular_values_ = S[:k]
        self.noise_variance_ = float(variance[k:].mean()) if k < min(n, d) else 0.0
        return X, U, S, signs

    def fit_transform(self, X, y=None) -> np.ndarray:
        X, U, S, signs = self._fit(X)
        if U is None:
            return self.transform(X)
        Z = U[:, : self.n_components_] * signs[: self.n_components_]  # Xc V = U S
        return Z * np.sqrt(self.n_samples_ - 1) if self.whiten else Z * S[: self.n_components_]

    def _scale(self) -> np.ndarray:
        scale = np.sqrt(self.explained_variance_)
        return np.maximum(scale, np.finfo(np.float64).eps)

    def transform(self, X) -> np.ndarray:
        """z = (x − μ) Wᵀ (÷ √λ when whitening), computed as x Wᵀ − μ Wᵀ (scikit-learn's
        order) so no centred copy of X is made. Shape: (n, d) → (n, n_components)."""
        check_is_fitted(self, "components_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        Z = X @ self.components_.T
        Z -= self.mean_ @ self.components_.T
        if self.whiten:
            Z /= self._scale()
        return Z

    def inverse_transform(self, Z) -> np.ndarray:
        """x̂ = z W + μ (z ⊙ √λ first when whitening). Shape: (n, k) → (n, d)."""
        check_is_fitted(self, "components_")
        Z = check_array(Z, name="Z")
        if self.whiten:
            Z = Z * self._scale()
        return Z @ self.components_ + self.mean_

    def get_covariance(self) -> np.ndarray:
        """Model covariance Wᵀ diag(λ − σ²) W + σ² I of probabilistic PCA, (d, d)."""
        check_is_fitted(self, "components_")
        diff = np.maximum(self.explained_variance_ - self.noise_variance_, 0.0)
        cov = (self.components_.T * diff) @ self.components_
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        return cov

    def score_samples(self, X) -> np.ndarray:
        """Log-likelihood of each sample under the probabilistic PCA model."""
        check_is_fitted(self, "components_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        return gaussian_score_samples(X, self.mean_, np.linalg.inv(self.get_covariance()))

    def score(self, X, y=None) -> float:
        """Average log-likelihood of the samples."""
        return float(np.mean(self.score_samples(X)))
