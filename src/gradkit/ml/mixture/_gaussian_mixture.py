"""Gaussian mixture fitted by EM (U-EM-GMM): full, tied, diagonal or spherical covariances."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import (
    BaseEstimator,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
    check_random_state,
)

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def _normalize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ln Σ_k exp(a_ik) and the posteriors exp(a_ik) / Σ_k exp(a_ik), stable:
    with m_i = max_k a_ik, e = exp(a − m), ln Σ = m + ln Σ_k e_ik, r = e / Σ_k e_ik."""
    m = a.max(axis=1, keepdims=True)
    e = np.exp(a - m)
    s = e.sum(axis=1, keepdims=True)
    e /= s
    return (m + np.log(s))[:, 0], e


def _with_squares(X: np.ndarray, cov_type: str) -> np.ndarray | None:
    """[X | X∘X], shape (n, 2d), for diag / spherical: one GEMM then gives both Σ_i r_ik x_i
    and Σ_i r_ik x_i² (M-step) or every Mahalanobis distance (E-step). None otherwise."""
    return np.hstack([X, X * X]) if cov_type in ("diag", "spherical") else None


def _covariances(X, resp, nk, means, cov_type, reg, sums=None):
    """M-step covariances, each regularized by ``reg`` on the diagonal.

    ``sums`` = rᵀ[X | X∘X] (K, 2d) for diag / spherical:
    σ²_kj = Σ_i r_ik x_ij² / N_k − 2 μ_kj Σ_i r_ik x_ij / N_k + μ_kj² + reg.
    """
    n, d = X.shape
    if cov_type == "full":
        cov = np.empty((len(nk), d, d))
        for k in range(len(nk)):
            diff = X - means[k]
            cov[k] = (resp[:, k] * diff.T) @ diff / nk[k]
            cov[k].flat[:: d + 1] += reg
        return cov
    if cov_type == "tied":
        cov = (X.T @ X - (nk * means.T) @ means) / nk.sum()
        cov.flat[:: d + 1] += reg
        return cov
    avg_x2 = sums[:, d:] / nk[:, None]
    avg_xm = means * sums[:, :d] / nk[:, None]
    diag = avg_x2 - 2 * avg_xm + means**2 + reg
    return diag if cov_type == "diag" else diag.mean(axis=1)


def _precision_cholesky(cov, cov_type):
    """Cholesky factor P of each precision (Σ⁻¹ = P Pᵀ), via Σ = L Lᵀ, P = L⁻ᵀ."""
    from scipy.linalg import solve_triangular

    msg = (
        "Fitting the mixture model failed because some components have ill-defined "
        "empirical covariance (for instance caused by singleton or collapsed samples). "
        "Try to decrease the number of components, or increase reg_covar."
    )
    if cov_type in ("full", "tied"):
        covs = cov[None] if cov_type == "tied" else cov
        out = np.empty_like(covs)
        for k, c in enumerate(covs):
            try:
                L = np.linalg.cholesky(c)
            except np.linalg.LinAlgError:
                raise ValueError(msg) from None
            out[k] = solve_triangular(L, np.eye(len(c)), lower=True).T
        return out[0] if cov_type == "tied" else out
    if np.any(cov <= 0):
        raise ValueError(msg)
    return 1.0 / np.sqrt(cov)


def _log_gaussian(X, means, prec_chol, cov_type, XX=None) -> np.ndarray:
    """ln N(x_i | μ_k, Σ_k) for all i, k, from precision Cholesky factors. Shape (n, K).

    diag / spherical read ``XX`` = [X | X∘X] and get every Mahalanobis distance
    Σ_j p_kj (x_ij − μ_kj)² = Σ_j p_kj μ_kj² − 2 Σ_j p_kj μ_kj x_ij + Σ_j p_kj x_ij² from one
    GEMM (spherical: p_kj = p_k for all j).
    """
    n, d = X.shape
    K = means.shape[0]
    if cov_type == "full":
        log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
        maha = np.empty((n, K))
        for k in range(K):
            y = X @ prec_chol[k] - means[k] @ prec_chol[k]
            maha[:, k] = np.einsum("ij,ij->i", y, y)
    elif cov_type == "tied":
        log_det = np.full(K, np.log(np.diag(prec_chol)).sum())
        Y = X @ prec_chol
        M = means @ prec_chol
        maha = (Y * Y).sum(1)[:, None] - 2 * Y @ M.T + (M * M).sum(1)[None, :]
    else:
        if cov_type == "diag":
            log_det = np.log(prec_chol).sum(axis=1)
            prec = prec_chol**2
        else:
            log_det = d * np.log(prec_chol)
            prec = np.repeat(prec_chol[:, None] ** 2, d, axis=1)
        maha = XX @ np.hstack([-2 * means * prec, prec]).T
        maha += (means**2 * prec).sum(1)
    return -0.5 * (d * np.log(2 * np.pi) + maha) + log_det


class GaussianMixture(BaseEstimator):
    """Mixture of K Gaussians p(x) = Σ_k π_k N(x | μ_k, Σ_k), fitted by EM   (U-EM-GMM).

    E-step: responsibilities r_ik = π_k N(x_i | μ_k, Σ_k) / p(x_i), which make the lower
    bound L = (1/n) Σ_i ln p(x_i) tight. M-step: N_k = Σ_i r_ik, π_k = N_k / n,
    μ_k = Σ_i r_ik x_i / N_k, Σ_k = Σ_i r_ik (x_i − μ_k)(x_i − μ_k)ᵀ / N_k + reg·I
    (tied: one pooled Σ; diag: its diagonal; spherical: one variance per component).
    Iterates until L rises by less than ``tol``.

    Parameters
    ----------
    n_components : int
    covariance_type : 'full', 'tied', 'diag' or 'spherical'
    tol, reg_covar : float
    max_iter, n_init : int
    init_params : 'kmeans', 'k-means++', 'random' or 'random_from_data'
        How the initial responsibilities are drawn (scikit-learn's choices).
    weights_init, means_init, precisions_init : arrays or None
        Initial parameters; when given they override those from ``init_params``.
    random_state : int, Generator or None

    Attributes
    ----------
    weights_ (K,), means_ (K, d), covariances_, precisions_, precisions_cholesky_
        (shapes by covariance_type: full (K, d, d), tied (d, d), diag (K, d),
        spherical (K,)).
    converged_ : bool; n_iter_ : int
    lower_bound_ : float, the final L; lower_bounds_ : list, L after every iteration.

    Examples
    --------
    >>> X = np.r_[np.zeros((5, 1)), np.ones((5, 1)) * 10] + np.arange(10)[:, None] * 0.01
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> sorted(gm.weights_.round(2).tolist())
    [0.5, 0.5]
    """

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state

    # ------------------------------------------------------------------ parameters
    def _check_params(self, X):
        check_option("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        check_option(
            "init_params", self.init_params, ("kmeans", "k-means++", "random", "random_from_data")
        )
        for name in ("n_components", "n_init", "max_iter"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}.")
        if X.shape[0] < self.n_components:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {X.shape[0]}"
            )

    def _m_step(self, X, resp, XX=None):
        nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
        self.weights_ = nk / nk.sum()
        sums = None if XX is None else resp.T @ XX  # (K, 2d): Σ r x and Σ r x²
        wx = resp.T @ X if sums is None else sums[:, : X.shape[1]]
        self.means_ = wx / nk[:, None]
        self.covariances_ = _covariances(
            X, resp, nk, self.means_, self.covariance_type, self.reg_covar, sums
        )
        self.precisions_cholesky_ = _precision_cholesky(self.covariances_, self.covariance_type)

    def _initialize(self, X, XX, rng):
        n, K = X.shape[0], self.n_components
        if self.init_params == "kmeans":
            from ..cluster import KMeans

            labels = KMeans(K, n_init=1, random_state=rng).fit(X).labels_
            resp = np.zeros((n, K))
            resp[np.arange(n), labels] = 1.0
        elif self.init_params == "random":
            resp = rng.uniform(size=(n, K))
            resp /= resp.sum(axis=1, keepdims=True)
        else:
            if self.init_params == "k-means++":
                from ..cluster import kmeans_plusplus

                idx = kmeans_plusplus(X, K, random_state=rng)[1]
            else:
                idx = rng.choice(n, size=K, replace=False)
            resp = np.zeros((n, K))
            resp[idx, np.arange(K)] = 1.0
        self._m_step(X, resp, XX)
        if self.weights_init is not None:
            self.weights_ = np.asarray(self.weights_init, dtype=np.float64).copy()
        if self.means_init is not None:
            self.means_ = np.asarray(self.means_init, dtype=np.float64).copy()
        if self.precisions_init is not None:
            self._set_precisions(np.asarray(self.precisions_init, dtype=np.float64))

    def _set_precisions(self, prec):
        """Precisions given by the user → their Cholesky factors (and covariances)."""
        t = self.covariance_type
        if t in ("full", "tied"):
            precs = prec[None] if t == "tied" else prec
            chol = np.array([np.linalg.cholesky(p) for p in precs])
            self.precisions_cholesky_ = chol[0] if t == "tied" else chol
        else:
            self.precisions_cholesky_ = np.sqrt(prec)

    def _weighted_log_prob(self, X, XX=None):
        """ln π_k + ln N(x_i | μ_k, Σ_k), shape (n, K)."""
        t = self.covariance_type
        XX = _with_squares(X, t) if XX is None else XX
        return _log_gaussian(X, self.means_, self.precisions_cholesky_, t, XX) + np.log(
            self.weights_
        )

    def _e_step(self, X, XX=None):
        """Mean log-likelihood L and responsibilities r (n, K)."""
        log_norm, resp = _normalize(self._weighted_log_prob(X, XX))
        return float(log_norm.mean()), resp

    def _set_derived(self):
        t, P = self.covariance_type, self.precisions_cholesky_
        if t == "full":
            self.precisions_ = P @ P.transpose(0, 2, 1)
        elif t == "tied":
            self.precisions_ = P @ P.T
        else:
            self.precisions_ = P**2
        if t in ("full", "tied"):
            self.covariances_ = np.linalg.inv(self.precisions_)
        else:
            self.covariances_ = 1.0 / self.precisions_

    # ------------------------------------------------------------------ public API
    def fit(self, X, y=None) -> GaussianMixture:
        """Run EM ``n_init`` times; keep the run with the highest final lower bound."""
        self.fit_predict(X)
        return self

    def fit_predict(self, X, y=None) -> np.ndarray:
        X = check_array(X, ensure_min_samples=2)
        check_n_features(self, X, reset=True)
        self._check_params(X)
        rng = check_random_state(self.random_state)
        XX = _with_squares(X, self.covariance_type)
        best, best_bound = None, -np.inf
        for _ in range(self.n_init):
            self._initialize(X, XX, rng)
            bound, bounds, converged, n_iter = -np.inf, [], False, 0
            for n_iter in range(1, self.max_iter + 1):  # noqa: B007
                prev = bound
                bound, resp = self._e_step(X, XX)
                self._m_step(X, resp, XX)
                bounds.append(bound)
                if abs(bound - prev) < self.tol:
                    converged = True
                    break
            if best is None or bound > best_bound:
                best_bound = bound
                best = (
                    self.weights_,
                    self.means_,
                    self.precisions_cholesky_,
                    converged,
                    n_iter,
                    bounds,
                )
        if not best[3]:
            import warnings

            warnings.warn(
                f"Best of {self.n_init} EM runs did not converge in max_iter="
                f"{self.max_iter} iterations; try a larger max_iter or tol.",
                stacklevel=2,
            )
        (
            self.weights_,
            self.means_,
            self.precisions_cholesky_,
            self.converged_,
            self.n_iter_,
            self.lower_bounds_,
        ) = best
        self.lower_bound_ = best_bound
        self._set_derived()
        return self._weighted_log_prob(X, XX).argmax(axis=1)

    def _check_X(self, X):
        check_is_fitted(self, "means_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        return X

    def score_samples(self, X) -> np.ndarray:
        """ln p(x_i) = ln Σ_k π_k N(x_i | μ_k, Σ_k). Shape: (n, d) → (n,)."""
        return _normalize(self._weighted_log_prob(self._check_X(X)))[0]

    def score(self, X, y=None) -> float:
        """Average log-likelihood (1/n) Σ_i ln p(x_i)."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X) -> np.ndarray:
        """Responsibilities r_ik = p(component k | x_i). Shape: (n, d) → (n, K)."""
        return self._e_step(self._check_X(X))[1]

    def predict(self, X) -> np.ndarray:
        """Most responsible component for each sample, (n,)."""
        return self._weighted_log_prob(self._check_X(X)).argmax(axis=1)

    def _n_parameters(self) -> int:
        K, d = self.means_.shape
        cov = {"full": K * d * (d + 1) / 2, "tied": d * (d + 1) / 2, "diag": K * d, "spherical": K}[
            self.covariance_type
        ]
        return int(cov + K * d + K - 1)

    def bic(self, X) -> float:
        """Bayesian information criterion −2 ln L + p ln n (lower is better)."""
        X = self._check_X(X)
        return -2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X) -> float:
        """Akaike information criterion −2 ln L + 2p (lower is better)."""
        X = self._check_X(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw samples: component k ~ Categorical(π), then x ~ N(μ_k, Σ_k).

        Returns X (n_samples, d) and the component labels y (n_samples,), grouped by
        component as in scikit-learn. Uses ``random_state``.
        """
        check_is_fitted(self, "means_")
        if n_samples < 1:
            raise ValueError(f"Invalid value for 'n_samples': {n_samples}; it must be >= 1.")
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        d = self.means_.shape[1]
        t = self.covariance_type
        parts = []
        for k, (mean, c) in enumerate(zip(self.means_, counts, strict=True)):
            if t == "full":
                parts.append(rng.multivariate_normal(mean, self.covariances_[k], c))
            elif t == "tied":
                parts.append(rng.multivariate_normal(mean, self.covariances_, c))
            else:
                scale = np.sqrt(self.covariances_[k]) * np.ones(d)
                parts.append(mean + rng.standard_normal((c, d)) * scale)
        y = np.repeat(np.arange(len(counts)), counts)
        return np.vstack(parts), y
