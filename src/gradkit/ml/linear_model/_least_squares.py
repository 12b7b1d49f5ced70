"""Least-squares linear regression (ML-LINREG, O-LMS)."""

from __future__ import annotations

import numpy as np

from ..base import (
    BaseEstimator,
    RegressorMixin,
    check_n_features,
    check_option,
    check_random_state,
    check_sample_weight,
    check_X_y,
)
from ._base import LinearPredictorMixin, center_data


class _LinearRegressorBase(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Validates (X, y), centres for the intercept, calls ``_solve`` and stores coef_."""

    _weights_sum_to_n = False  # the (1/2n)-scaled objectives rescale weights to sum to n
    _accepts_sparse = True
    #: the dense solvers take a sparse X as a dense copy up to this many elements (400 MB)
    max_densify = 50_000_000

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, multi_output=True, y_numeric=True, accept_sparse=True)
        X = _dense_copy(X, type(self).__name__, self.max_densify)
        check_n_features(self, X, reset=True)
        sw = check_sample_weight(sample_weight, X)
        if self._weights_sum_to_n:
            sw = sw * (len(sw) / sw.sum())
        Xc, yc, x_mean, y_mean = center_data(X, y, self.fit_intercept, sw)
        root = np.sqrt(sw)
        Xw = Xc * root[:, None]
        yw = yc * (root[:, None] if yc.ndim > 1 else root)
        coef = self._solve(Xw, yw)  # (n_features,) or (n_features, n_targets)
        self.coef_ = coef.T
        # scikit-learn's intercept_: 0.0 without an intercept, whatever the targets
        self.intercept_ = y_mean - x_mean @ coef if self.fit_intercept else 0.0
        return self

    def predict(self, X) -> np.ndarray:
        """ŷ = Xw + b; shape (n_samples,) or (n_samples, n_targets)."""
        return self._linear(X)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True  # accepted and densified for the dense solvers
        return tags


class LinearRegression(_LinearRegressorBase):
    """Ordinary least squares, min_w ½ Σ_i s_i (y_i − wᵀx_i − b)² (ML-LINREG).

    Solvers
    -------
    ``"lstsq"``: SVD least squares (robust to rank deficiency, as scikit-learn).
    ``"normal"``: the normal equation w = (XᵀX)⁻¹Xᵀy (pseudo-inverse when singular).
    ``"gd"``: batch gradient descent w ← w − α (1/n) Xᵀ(Xw − y), α = ``lr`` or 1/L with
    L the largest eigenvalue of XᵀX/n, stopped when ‖Δw‖∞ < ``tol``.
    ``"lms"``: the Widrow–Hoff / LMS rule (O-LMS), one sample at a time,
    θ ← θ + α (y_i − θᵀx_i) x_i, in shuffled epochs; α = ``lr`` or 1/max‖x_i‖².

    Parameters
    ----------
    fit_intercept : bool
    solver : {"lstsq", "normal", "gd", "lms"}
    lr : float or None
        Step size for "gd" / "lms" (None: the safe default above).
    max_iter : int
        Iterations ("gd") or epochs ("lms").
    tol : float
    random_state : int, Generator or None
        Shuffling for "lms".

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> m = LinearRegression().fit(X, y)
    >>> round(float(m.coef_[0]), 6), round(float(m.intercept_), 6)
    (2.0, 1.0)
    """

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        solver: str = "lstsq",
        lr: float | None = None,
        max_iter: int = 1000,
        tol: float = 1e-10,
        random_state=None,
    ):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.lr = lr
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _solve(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        check_option("solver", self.solver, ("lstsq", "normal", "gd", "lms"))
        self.n_iter_ = 1  # the direct solvers take one step
        if self.solver == "lstsq":
            from scipy import linalg

            cond = np.finfo(np.float64).eps * max(X.shape)  # drop numerically-zero σ
            return linalg.lstsq(X, y, cond=cond, check_finite=False)[0]
        if self.solver == "normal":
            return np.linalg.pinv(X.T @ X, hermitian=True) @ (X.T @ y)
        if self.solver == "gd":
            return self._gradient_descent(X, y)
        return self._lms(X, y)

    def _gradient_descent(self, X, y):
        n = X.shape[0]
        lipschitz = np.linalg.norm(X, 2) ** 2 / n
        lr = self.lr if self.lr is not None else 1.0 / max(lipschitz, 1e-12)
        w = np.zeros((X.shape[1],) + y.shape[1:])
        self.n_iter_ = self.max_iter
        for it in range(1, self.max_iter + 1):
            step = lr * (X.T @ (X @ w - y)) / n
            w -= step
            if np.max(np.abs(step), initial=0.0) < self.tol:
                self.n_iter_ = it
                break
        return w

    def _lms(self, X, y):
        rng = check_random_state(self.random_state)
        sq_norms = np.einsum("ij,ij->i", X, X)
        lr = self.lr if self.lr is not None else 1.0 / max(sq_norms.max(), 1e-12)
        w = np.zeros((X.shape[1],) + y.shape[1:])
        self.n_iter_ = self.max_iter
        for epoch in range(1, self.max_iter + 1):
            w_old = w.copy()
            for i in rng.permutation(X.shape[0]):
                error = y[i] - X[i] @ w  # Widrow–Hoff: θ += α (y_i − θᵀx_i) x_i
                w += lr * np.multiply.outer(X[i], error)
            if np.max(np.abs(w - w_old), initial=0.0) < self.tol:
                self.n_iter_ = epoch
                break
        return w


def _dense_copy(X, owner: str, limit: int):
    """A scipy.sparse ``X`` as a dense array for the dense solvers (the same fit as on
    ``X.toarray()``); refused with the alternatives when it would not fit in memory."""
    if not hasattr(X, "toarray"):
        return X
    if X.shape[0] * X.shape[1] > limit:
        raise ValueError(
            f"{owner} solves densely: a sparse X of shape {X.shape} would take "
            f"{X.shape[0] * X.shape[1] * 8 / 1e9:.1f} GB as a dense array. Use Ridge or "
            "SGDRegressor, which work on the sparse matrix."
        )
    return X.toarray()
