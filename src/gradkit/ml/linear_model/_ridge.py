"""Ridge regression and the ridge classifier (ML-RIDGE), with scikit-learn's solvers.

min_W Σ_i s_i ‖y_i − Wᵀx_i − b‖² + α‖W‖² (intercept not penalised), one column of W per
target. "cholesky" solves (XᵀX + αI) W = XᵀY on centred data (the dual form when
d > n); "sparse_cg" runs SciPy's conjugate gradients to a relative residual ``tol``
on the same system (for scipy.sparse X with an intercept the centring stays implicit,
X̃v = Xv − 1 x̄ᵀv), as scikit-learn does, so ``tol`` means the same.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_n_features,
    check_option,
    check_sample_weight,
    check_X_y,
    encode_labels,
)
from ..utils.class_weight import compute_class_weight
from ._base import LinearClassifierMixin, LinearPredictorMixin

_SOLVERS = ("auto", "cholesky", "svd", "sparse_cg")


def _is_sparse(X) -> bool:
    return hasattr(X, "tocsr") and hasattr(X, "nnz")


def ridge_fit(X, Y, alpha, sample_weight, fit_intercept, solver, tol, max_iter):
    """Coefficients (k, d) and intercepts (k,) of ridge regression on targets Y (n, k)."""
    sw = sample_weight
    root = np.sqrt(sw)
    y_mean = (sw @ Y) / sw.sum() if fit_intercept else np.zeros(Y.shape[1])
    Yc = (Y - y_mean) * root[:, None]
    if _is_sparse(X):
        import scipy.sparse as sp

        x_mean = np.asarray(sw @ X).ravel() / sw.sum() if fit_intercept else np.zeros(X.shape[1])
        Xs = sp.diags(root) @ X.tocsr()
        if solver == "cholesky":  # only without intercept (else sparse_cg, see _solve_targets)
            coef = _cholesky(Xs, Yc, alpha)
        else:
            coef = _sparse_cg(Xs, Yc, alpha, tol, max_iter, x_mean if fit_intercept else None, root)
    else:
        x_mean = (sw @ X) / sw.sum() if fit_intercept else np.zeros(X.shape[1])
        Xc = (X - x_mean) * root[:, None]
        if solver == "sparse_cg":
            coef = _sparse_cg(Xc, Yc, alpha, tol, max_iter, None, root)
        elif solver == "svd":
            coef = _svd(Xc, Yc, alpha)
        else:
            coef = _cholesky(Xc, Yc, alpha)
    intercept = y_mean - coef @ x_mean if fit_intercept else np.zeros(Y.shape[1])
    return coef, intercept


def _cholesky(X, Y, alpha) -> np.ndarray:
    from scipy import linalg

    n, d = X.shape
    primal = d <= n
    gram = X.T @ X if primal else X @ X.T  # dual w = Xᵀ(XXᵀ + αI)⁻¹y when d > n
    gram = gram.toarray() if hasattr(gram, "toarray") else gram
    gram[np.diag_indices(gram.shape[0])] += alpha
    rhs = np.asarray(X.T @ Y) if primal else Y
    try:
        sol = linalg.solve(gram, rhs, assume_a="pos", check_finite=False)
    except linalg.LinAlgError:  # α = 0 and rank deficient: minimum-norm solution
        sol = linalg.lstsq(gram, rhs, check_finite=False)[0]
    return np.asarray(sol if primal else X.T @ sol).T


def _svd(X, Y, alpha) -> np.ndarray:
    """W = V diag(σ/(σ² + α)) Uᵀ Y (σ below 1e-15 dropped)."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > 1e-15
    d = np.zeros_like(s)
    d[keep] = s[keep] / (s[keep] ** 2 + alpha)
    return (Vt.T @ (d[:, None] * (U.T @ Y))).T


def _sparse_cg(X, Y, alpha, tol, max_iter, x_mean, root) -> np.ndarray:
    """Conjugate gradients on (X̃ᵀX̃ + αI) w = X̃ᵀy (or the n×n dual system when d > n),
    X̃ = X − root x̄ᵀ applied implicitly when ``x_mean`` is given."""
    from scipy.sparse.linalg import LinearOperator, aslinearoperator, cg

    n, d = X.shape
    if x_mean is None:
        op = aslinearoperator(X)
    else:

        def matvec(b):
            return np.asarray(X @ b).ravel() - root * (b @ x_mean)

        def rmatvec(b):
            return np.asarray(X.T @ b).ravel() - x_mean * (b @ root)

        op = LinearOperator(X.shape, matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
    coefs = np.empty((Y.shape[1], d))
    for k in range(Y.shape[1]):
        if d > n:
            system = LinearOperator(
                (n, n), matvec=lambda v: op.matvec(op.rmatvec(v)) + alpha * v, dtype=np.float64
            )
            sol, info = cg(system, Y[:, k], rtol=tol)
            coefs[k] = op.rmatvec(sol)
        else:
            system = LinearOperator(
                (d, d), matvec=lambda v: op.rmatvec(op.matvec(v)) + alpha * v, dtype=np.float64
            )
            coefs[k], info = cg(system, op.rmatvec(Y[:, k]), maxiter=max_iter, rtol=tol)
        if info < 0:
            raise ValueError(f"Conjugate gradients failed with error code {info}.")
    return coefs


class _RidgeBase(BaseEstimator):
    _accepts_sparse = True

    def _check_params(self, X):
        check_option("solver", self.solver, _SOLVERS)
        alpha = np.asarray(self.alpha, dtype=np.float64)
        if alpha.ndim > 1 or np.any(alpha < 0):
            raise ValueError(f"alpha must be a non-negative number, got {self.alpha!r}.")
        if alpha.ndim == 1:
            raise ValueError("alpha must be a scalar here (one penalty for all targets).")
        if self.positive:
            raise ValueError("positive=True is not supported; leave it False.")
        if self.max_iter is not None and not (
            isinstance(self.max_iter, numbers.Integral) and self.max_iter > 0
        ):
            raise ValueError(f"max_iter must be a positive int or None, got {self.max_iter!r}.")
        if _is_sparse(X) and self.solver == "svd":
            raise TypeError("solver='svd' needs dense X; use 'auto' or 'sparse_cg'.")
        return float(alpha)

    def _solve_targets(self, X, Y, sample_weight):
        alpha = self._check_params(X)
        solver = self.solver
        if solver == "auto":
            solver = "sparse_cg" if _is_sparse(X) else "cholesky"
        elif _is_sparse(X) and self.fit_intercept:
            solver = "sparse_cg"  # scikit-learn's choice for sparse X with an intercept
        self.solver_ = solver
        coef, intercept = ridge_fit(
            X, Y, alpha, sample_weight, self.fit_intercept, solver, self.tol, self.max_iter
        )
        self.n_iter_ = None
        return coef, intercept

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags


class Ridge(LinearPredictorMixin, RegressorMixin, _RidgeBase):
    """Ridge regression, min_w ‖y − Xw − b‖² + α‖w‖² (intercept not penalised).

    Closed form on centred data: w = (XᵀX + αI)⁻¹ Xᵀy ("cholesky", the default for
    dense X); conjugate gradients ("sparse_cg", the default for sparse X); "svd".

    Parameters
    ----------
    alpha : float
    fit_intercept : bool
    copy_X : bool
        Accepted for scikit-learn compatibility (X is never modified).
    max_iter : int or None
        Conjugate-gradient iterations at most (sparse_cg).
    tol : float
        Relative residual at which sparse_cg stops.
    solver : {"auto", "cholesky", "svd", "sparse_cg"}
    positive : bool
        Must be False (no non-negative ridge).
    random_state : None
        Unused (scikit-learn's sag solvers only).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> round(float(Ridge(alpha=1.0).fit(X, y).coef_[0]), 6)
    0.666667
    """

    _accepts_sparse = True

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int | None = None,
        tol: float = 1e-4,
        solver: str = "auto",
        positive: bool = False,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, multi_output=True, y_numeric=True, accept_sparse=True)
        check_n_features(self, X, reset=True)
        sw = check_sample_weight(sample_weight, X)
        Y = y.reshape(len(y), -1).astype(np.float64)
        coef, intercept = self._solve_targets(X, Y, sw)
        self.coef_ = coef[0] if y.ndim == 1 else coef
        # scikit-learn's intercept_: 0.0 without an intercept (any number of targets)
        if not self.fit_intercept:
            self.intercept_ = 0.0
        else:
            self.intercept_ = float(intercept[0]) if y.ndim == 1 else intercept
        return self

    def predict(self, X) -> np.ndarray:
        """ŷ = Xw + b; shape (n_samples,) or (n_samples, n_targets)."""
        return self._linear(X)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.target_tags.multi_output = True
        return tags


class RidgeClassifier(LinearClassifierMixin, ClassifierMixin, _RidgeBase):
    """Classifier from ridge regression on ±1 targets (one per class; one for two classes).

    Class k's column of Y is +1 for its samples and −1 otherwise; the predicted class
    has the largest score (binary: ``classes_[1]`` when the score is positive).
    ``class_weight`` multiplies the sample weights. Same parameters and solvers as
    :class:`Ridge`; dense or scipy.sparse X. ``coef_`` is (n_features,) for two classes
    (scikit-learn's shape), else (K, n_features); ``intercept_`` (1,) or (K,).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [3.0], [4.0]])
    >>> RidgeClassifier().fit(X, ["no", "no", "yes", "yes"]).predict([[3.5]]).tolist()
    ['yes']
    """

    _accepts_sparse = True

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int | None = None,
        tol: float = 1e-4,
        class_weight=None,
        solver: str = "auto",
        positive: bool = False,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {len(self.classes_)} class"
            )
        sw = check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            sw = sw * compute_class_weight(self.class_weight, classes=self.classes_, y=y)[y_enc]
        K = len(self.classes_)
        Y = np.full((len(y_enc), K), -1.0)
        Y[np.arange(len(y_enc)), y_enc] = 1.0
        if K == 2:
            Y = Y[:, 1:]
        coef, intercept = self._solve_targets(X, Y, sw)
        self.intercept_ = intercept if self.fit_intercept else 0.0  # as scikit-learn's
        # two classes: coef_ of shape (n_features,), as scikit-learn's RidgeClassifier
        self.coef_ = coef[0] if K == 2 else coef
        return self
