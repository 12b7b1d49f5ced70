"""Lasso and elastic net by cyclic coordinate descent with a duality-gap stop."""

from __future__ import annotations

import warnings

import numpy as np

from ...validation import check_int, check_number
from ..base import check_X_y
from ..exceptions import ConvergenceWarning
from ._least_squares import _LinearRegressorBase


def enet_coordinate_descent(
    X: np.ndarray, y: np.ndarray, l1: float, l2: float, max_iter: int, tol: float
) -> tuple[np.ndarray, int, float]:
    """Minimise (1/2n)‖y − Xw‖² + l1‖w‖₁ + (l2/2)‖w‖² one coordinate at a time.

    Each coordinate has the closed-form update
    w_j ← S(x_jᵀ r_j / n, l1) / (‖x_j‖²/n + l2), with r_j the residual without feature j
    and S(z, t) = sign(z) max(|z| − t, 0) the soft threshold. As scikit-learn's: no
    sweep at all (n_iter 0) when w = 0 already has a duality gap ≤ ``tol``·‖y‖²/n; else
    sweeps stop when the largest change is ≤ ``tol``·max|w| and the gap is ≤ that bound.

    Returns ``(w, n_iter, gap)``.
    """
    n, d = X.shape
    gap_tol = tol * (y @ y) / n
    gap = _duality_gap(X, y, np.zeros(d), y, l1, l2)
    if gap <= gap_tol:
        return np.zeros(d), 0, gap
    if n >= 2 * d:
        return _enet_gram(X, y, l1, l2, max_iter, tol, gap)
    w = np.zeros(d)
    residual = y.copy()
    col_sq = np.einsum("ij,ij->j", X, X) / n
    denom = col_sq + l2
    for it in range(1, max_iter + 1):
        w_max = d_max = 0.0
        for j in range(d):
            if col_sq[j] == 0.0:
                continue
            old = w[j]
            rho = X[:, j] @ residual / n + col_sq[j] * old
            new = np.sign(rho) * max(abs(rho) - l1, 0.0) / denom[j]
            if new != old:
                residual -= (new - old) * X[:, j]
                w[j] = new
            d_max = max(d_max, abs(new - old))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_max / w_max <= tol or it == max_iter:
            gap = _duality_gap(X, y, w, residual, l1, l2)
            if gap <= gap_tol:
                return w, it, gap
    return w, max_iter, gap


def _enet_gram(X, y, l1, l2, max_iter, tol, gap) -> tuple[np.ndarray, int, float]:
    """The same sweeps in the Gram form, for n_samples ≫ n_features.

    x_jᵀr/n = q_j − (Gw)_j with G = XᵀX/n and q = Xᵀy/n, so a sweep costs O(d²) on plain
    Python floats instead of O(nd); the residual is formed only for the duality gap.
    ``gap``: the gap at w = 0, returned as it is when ``max_iter`` is 0.
    """
    n, d = X.shape
    gram = (X.T @ X / n).tolist()
    q = (X.T @ y / n).tolist()
    col_sq = [gram[j][j] for j in range(d)]
    denom = [c + l2 for c in col_sq]
    gw = [0.0] * d  # G w
    w = [0.0] * d
    gap_tol = tol * (y @ y) / n
    active = [j for j in range(d) if col_sq[j] != 0.0]
    for it in range(1, max_iter + 1):
        w_max = d_max = 0.0
        for j in active:
            old = w[j]
            rho = q[j] - gw[j] + col_sq[j] * old
            if rho > l1:
                new = (rho - l1) / denom[j]
            elif rho < -l1:
                new = (rho + l1) / denom[j]
            else:
                new = 0.0
            if new != old:
                delta = new - old
                gw = [g + delta * c for g, c in zip(gw, gram[j])]
                w[j] = new
                d_max = max(d_max, abs(delta))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_max / w_max <= tol or it == max_iter:
            w_arr = np.array(w)
            gap = _duality_gap(X, y, w_arr, y - X @ w_arr, l1, l2)
            if gap <= gap_tol:
                return w_arr, it, gap
    return np.array(w), max_iter, gap


def _duality_gap(X, y, w, residual, l1, l2) -> float:
    """Duality gap of the elastic net (scikit-learn's, divided by n), r = y − Xw.

    l1 > 0: P(w) − D(s·r) with the dual point scaled into the feasible set,
    s = min(1, l1 / ‖Xᵀr/n − l2 w‖∞): G = ½(‖r‖²/n + l2‖w‖²)(1 + s²) + l1‖w‖₁ − s rᵀy/n.
    Ridge (l1 = 0 < l2): G = ‖r‖²/n + ½ l2‖w‖² − rᵀy/n + ‖Xᵀr/n‖²/(2 l2).
    Least squares (l1 = l2 = 0): no dual; the first-order condition, G = ‖Xᵀr‖²/n.
    """
    n = X.shape[0]
    r_sq = residual @ residual / n
    r_y = residual @ y / n
    if l1 == 0.0:
        xtr = X.T @ residual / n
        if l2 == 0.0:
            return float(n * (xtr @ xtr))
        return float(r_sq + 0.5 * l2 * (w @ w) - r_y + (xtr @ xtr) / (2.0 * l2))
    xtr = X.T @ residual / n - l2 * w
    dual_norm = np.max(np.abs(xtr), initial=0.0)
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    w_l1 = np.abs(w).sum()
    gap = 0.5 * (r_sq + l2 * (w @ w)) * (1 + scale**2)
    gap += l1 * w_l1 - scale * r_y
    return float(gap)


class ElasticNet(_LinearRegressorBase):
    """Elastic net, min_w (1/2n)‖y − Xw − b‖² + α ρ‖w‖₁ + ½ α(1 − ρ)‖w‖², by coordinate descent.

    Parameters
    ----------
    alpha : float
        Overall penalty strength α.
    l1_ratio : float
        Mixing ρ ∈ [0, 1]: 1 is the lasso, 0 is ridge.
    fit_intercept : bool
    max_iter : int
        Maximum number of coordinate sweeps.
    tol : float
        Relative tolerance on coefficient changes and on the duality gap.
    """

    _weights_sum_to_n = True

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None):
        check_X_y(X, y, multi_output=True, y_numeric=True, accept_sparse=True)
        if not 0.0 <= self.l1_ratio <= 1.0:
            raise ValueError(f"l1_ratio must be in [0, 1], got {self.l1_ratio!r}.")
        if self.alpha < 0:
            raise ValueError(f"alpha must be non-negative, got {self.alpha!r}.")
        check_int(type(self).__name__, "max_iter", self.max_iter, low=1)
        check_number(type(self).__name__, "tol", self.tol, low=0.0)
        super().fit(X, y, sample_weight)
        if self.coef_.ndim == 2 and self.coef_.shape[0] == 1:
            self.coef_ = self.coef_[0]  # one target given as a column: scikit-learn's (d,)
        return self

    def _solve(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        l1 = self.alpha * self.l1_ratio
        l2 = self.alpha * (1.0 - self.l1_ratio)
        targets = y.reshape(len(y), -1)
        coefs, iters = [], []
        for k in range(targets.shape[1]):
            w, it, gap = enet_coordinate_descent(X, targets[:, k], l1, l2, self.max_iter, self.tol)
            coefs.append(w)
            iters.append(it)
            if it == self.max_iter and gap > self.tol * (targets[:, k] @ targets[:, k]) / len(y):
                warnings.warn(
                    f"{type(self).__name__} did not converge in {self.max_iter} sweeps "
                    f"(duality gap {gap:.3g}); increase max_iter or scale the features.",
                    ConvergenceWarning,
                    stacklevel=4,  # _solve ← _LinearRegressorBase.fit ← ElasticNet.fit ← caller
                )
        self.n_iter_ = iters if len(iters) > 1 else iters[0]  # per target, as scikit-learn
        coef = np.stack(coefs, axis=1)
        return coef if y.ndim > 1 else coef[:, 0]


class Lasso(ElasticNet):
    """Lasso, min_w (1/2n)‖y − Xw − b‖² + α‖w‖₁ (ElasticNet with ρ = 1).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 2 * X[:, 0]
    >>> round(float(Lasso(alpha=0.1).fit(X, y).coef_[0]), 4)
    1.92
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    @property
    def l1_ratio(self) -> float:
        return 1.0
