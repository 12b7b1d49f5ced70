"""Factor analysis by EM (U-FA): z ~ N(0, I), x | z ~ N(μ + Λz, Ψ) with Ψ diagonal."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import BaseEstimator, TransformerMixin, check_array, check_is_fitted, check_n_features
from ._gaussian import gaussian_score_samples

_SMALL = 1e-12


class FactorAnalysis(TransformerMixin, BaseEstimator):
    """Linear Gaussian latent-variable model fitted by expectation–maximization   (U-FA).

    Marginally x ~ N(μ, C) with C = ΛΛᵀ + Ψ. With S the sample covariance (1/n) and
    A = Ψ⁻¹Λ, each EM iteration is

    E-step: G = (I + ΛᵀΨ⁻¹Λ)⁻¹ = Cov[z | x], E[z | x] = G Aᵀ (x − μ),
            (1/n) Σ E[z zᵀ | x] = G + G Aᵀ S A G
    M-step: Λ ← S A G [(1/n) Σ E[z zᵀ | x]]⁻¹,  Ψ ← diag(S − Λ Gᵀ Aᵀ S)

    and never decreases the average log-likelihood
    ℓ = −½ [d ln 2π + ln|C| + tr(C⁻¹S)], evaluated in O(d²k) by Woodbury's identity.
    Λ starts from its maximum-likelihood value for the initial Ψ (ones by default).

    Parameters
    ----------
    n_components : int or None (n_features)
    tol : float
        Stop when ℓ (per sample) rises by less than ``tol`` in an iteration.
    max_iter : int
    noise_variance_init : array (n_features,) or None
    random_state : unused; kept for scikit-learn compatibility (the fit is deterministic).

    Attributes
    ----------
    components_ : (n_components, n_features) = Λᵀ
    noise_variance_ : (n_features,) = diag Ψ
    mean_ : (n_features,)
    loglike_ : list of ℓ · n_samples per iteration (scikit-learn's convention)
    n_iter_ : int
    """

    def __init__(
        self,
        n_components: int | None = None,
        *,
        tol: float = 1e-8,
        max_iter: int = 10000,
        noise_variance_init=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.noise_variance_init = noise_variance_init
        self.random_state = random_state

    def fit(self, X, y=None) -> FactorAnalysis:
        X = check_array(X, ensure_min_samples=2)
        check_n_features(self, X, reset=True)
        n, d = X.shape
        k = d if self.n_components is None else self.n_components
        if not isinstance(k, numbers.Integral) or not 1 <= k <= d:
            raise ValueError(f"n_components must be an int in [1, {d}], got {k!r}.")
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        S = Xc.T @ Xc / n
        s_diag = np.diag(S).copy()
        if self.noise_variance_init is None:
            psi = np.ones(d)
        else:
            psi = np.asarray(self.noise_variance_init, dtype=np.float64)
            if psi.shape != (d,):
                raise ValueError(f"noise_variance_init has shape {psi.shape}, expected ({d},).")
        # maximum-likelihood Λ for fixed Ψ: Ψ^½ U (Λ_eig − 1)₊^½ from Ψ^-½ S Ψ^-½
        r = 1.0 / np.sqrt(psi)
        eigval, eigvec = np.linalg.eigh(S * r[:, None] * r[None, :])
        eigval, eigvec = eigval[::-1][:k], eigvec[:, ::-1][:, :k]
        # (a direction with eigenvalue ≤ 1 would get a zero column, a saddle point EM
        # never leaves, so it starts from a small fraction of its scale instead)
        scale = np.sqrt(np.maximum(eigval - 1.0, 1e-3 * np.maximum(eigval, _SMALL)))
        W = np.sqrt(psi)[:, None] * eigvec * scale
        const = d * np.log(2 * np.pi)
        eye = np.eye(k)
        loglike, old, it = [], -np.inf, 0
        while it < self.max_iter:
            it += 1
            A = W / psi[:, None]
            L = np.linalg.cholesky(eye + W.T @ A)
            G = np.linalg.inv(L).T
            G = G @ G.T  # (I + ΛᵀΨ⁻¹Λ)⁻¹
            SA = S @ A
            SAG = SA @ G
            AtSA = A.T @ SA
            logdet_c = np.log(psi).sum() + 2 * np.log(np.diag(L)).sum()
            trace = (s_diag / psi).sum() - (G * AtSA).sum()
            ll = -0.5 * (const + logdet_c + trace)
            loglike.append(ll * n)
            Ezz = G + G @ AtSA @ G
            W = np.linalg.solve(Ezz, SAG.T).T
            psi = np.maximum(s_diag - (W * SAG).sum(axis=1), _SMALL)
            if ll - old < self.tol:
                break
            old = ll
        self.components_ = W.T
        self.noise_variance_ = psi
        self.loglike_ = loglike
        self.n_iter_ = it
        return self

    def transform(self, X) -> np.ndarray:
        """Posterior means E[z | x] = G Λᵀ Ψ⁻¹ (x − μ). Shape: (n, d) → (n, k)."""
        check_is_fitted(self, "components_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        Wpsi = self.components_ / self.noise_variance_
        G = np.linalg.inv(np.eye(len(Wpsi)) + Wpsi @ self.components_.T)
        return (X - self.mean_) @ Wpsi.T @ G

    def get_covariance(self) -> np.ndarray:
        """Model covariance C = ΛΛᵀ + Ψ, (d, d)."""
        check_is_fitted(self, "components_")
        cov = self.components_.T @ self.components_
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        return cov

    def get_precision(self) -> np.ndarray:
        """C⁻¹ = Ψ⁻¹ − Ψ⁻¹Λ (I + ΛᵀΨ⁻¹Λ)⁻¹ ΛᵀΨ⁻¹ (Woodbury), (d, d)."""
        check_is_fitted(self, "components_")
        Wpsi = self.components_ / self.noise_variance_
        G = np.linalg.inv(np.eye(len(Wpsi)) + Wpsi @ self.components_.T)
        prec = -Wpsi.T @ G @ Wpsi
        prec.flat[:: prec.shape[0] + 1] += 1.0 / self.noise_variance_
        return prec

    def score_samples(self, X) -> np.ndarray:
        """ln N(x | μ, ΛΛᵀ + Ψ) of each sample, (n,)."""
        check_is_fitted(self, "components_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        return gaussian_score_samples(X, self.mean_, self.get_precision())

    def score(self, X, y=None) -> float:
        """Average log-likelihood of the samples."""
        return float(np.mean(self.score_samples(X)))
