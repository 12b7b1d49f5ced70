"""Linear support vector classifier (ML-SVM): squared hinge by Newton, hinge by SMO."""

from __future__ import annotations

import warnings

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_n_features,
    check_option,
    check_sample_weight,
    check_X_y,
    encode_labels,
    require_two_classes,
)
from ..linear_model._base import LinearClassifierMixin
from ..optimize import newton
from ._classes import check_c, warn_max_iter
from ._smo import smo


class LinearSVC(LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    """Linear support vector classifier (ML-SVM): min ½‖w‖² + C Σ_i s_i ℓ(y_i f(x_i)).

    ``loss="squared_hinge"`` (the default, as scikit-learn), ℓ(m) = max(0, 1 − m)², in
    LIBLINEAR's formulation, the one scikit-learn's ``LinearSVC`` solves: x is extended
    by a constant feature ``intercept_scaling`` whose weight w_b gives the intercept
    b = intercept_scaling · w_b and is penalised like the others,

        min_w̃ ½‖w̃‖² + C Σ_i s_i max(0, 1 − y_i w̃ᵀx̃_i)²,   x̃ = [x, intercept_scaling].

    The objective is C¹ and piecewise quadratic, so Newton's method with the generalised
    Hessian I + 2C Σ_{y_i w̃ᵀx̃_i < 1} s_i x̃_i x̃_iᵀ is exact once the set of margin
    violators settles (a handful of steps).

    ``loss="hinge"``, ℓ(m) = max(0, 1 − m): the textbook soft-margin SVM with a free,
    unpenalised intercept b, solved exactly in the dual by SMO (so the same fit as
    ``SVC(kernel="linear")``), w = Σ_i α_i y_i x_i; ``intercept_scaling`` is unused.

    K > 2 classes: one-vs-rest, ``coef_`` of shape (K, n_features).

    Parameters
    ----------
    C : float
        Penalty on the losses.
    loss : {"squared_hinge", "hinge"}
    tol : float or None
        squared_hinge: stop when the Newton decrement √(∇ᵀH⁻¹∇) is below ``tol`` times
        ‖∇‖ at w̃ = 0, after taking that last step (None: 1e-8, which leaves the fit exact
        to rounding); hinge: KKT-gap tolerance of SMO (None: 1e-3, as ``SVC``).
    intercept_scaling : float
        Value of the constant feature (squared_hinge).
    max_iter : int
        Limit on Newton steps (squared_hinge) or SMO pair updates (hinge) per binary
        problem (−1: none).

    Attributes
    ----------
    coef_ : ndarray of shape (1 or K, n_features)
    intercept_ : ndarray of shape (1 or K,)
    n_iter_ : int
        Newton steps or SMO pair updates, the most over the one-vs-rest problems.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 3.0]])
    >>> LinearSVC().fit(X, [0, 0, 1, 1]).predict([[2.5, 2.0]])
    array([1])
    """

    def __init__(
        self,
        C: float = 1.0,
        *,
        loss: str = "squared_hinge",
        tol: float | None = None,
        intercept_scaling: float = 1.0,
        max_iter: int = -1,
    ):
        self.C = C
        self.loss = loss
        self.tol = tol
        self.intercept_scaling = intercept_scaling
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y)
        check_n_features(self, X, reset=True)
        check_c(self.C)
        check_option("loss", self.loss, ("squared_hinge", "hinge"))
        if isinstance(self.intercept_scaling, str) or not self.intercept_scaling > 0:
            raise ValueError(
                f"intercept_scaling must be a positive number, got {self.intercept_scaling!r}."
            )
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        cs = self.C * check_sample_weight(sample_weight, X)
        positives = np.array([1]) if len(self.classes_) == 2 else np.arange(len(self.classes_))
        targets = np.where(y_enc == positives[:, None], 1.0, -1.0)  # (n_out, n)
        if self.loss == "squared_hinge":
            tol = 1e-8 if self.tol is None else self.tol
            self.coef_, self.intercept_, n_iter = self._fit_squared_hinge(X, targets, cs, tol)
        else:
            tol = 1e-3 if self.tol is None else self.tol
            self.coef_, self.intercept_, n_iter = self._fit_hinge(X, targets, cs, tol)
        self.n_iter_ = int(np.max(n_iter))
        return self

    def _fit_squared_hinge(self, X, targets, cs, tol):
        Xa = np.hstack([X, np.full((len(X), 1), float(self.intercept_scaling))])
        max_iter = self.max_iter if self.max_iter >= 0 else 10_000
        weights, iters = [], []
        for t in targets:
            Z = t[:, None] * Xa
            g0 = 2.0 * float(np.linalg.norm(cs @ Z))  # ‖∇f(0)‖: every sample is a violator
            w, n_iter, converged = newton(
                _SquaredHinge(Z, cs),
                np.zeros(Xa.shape[1]),
                tol=0.5 * (tol * g0) ** 2,
                max_iter=max_iter,
            )
            if not converged:
                warnings.warn(
                    f"LinearSVC (Newton) did not converge in {max_iter} iterations.",
                    UserWarning,
                    stacklevel=3,
                )
            weights.append(w)
            iters.append(n_iter)
        W = np.array(weights)
        return W[:, :-1], self.intercept_scaling * W[:, -1], iters

    def _fit_hinge(self, X, targets, cs, tol):
        K = X @ X.T
        duals = [smo(K, t, cs, tol, self.max_iter) for t in targets]
        alpha, rho, iters = (np.array(v) for v in zip(*duals))
        warn_max_iter(iters, tol, self.max_iter)
        return (alpha * targets) @ X, -rho, iters


class _SquaredHinge:
    """f(w) = ½‖w‖² + Σ_i c_i max(0, 1 − z_iᵀw)², with z_i = y_i x̃_i the rows of Z.

    ∇f = w − 2 Σ_{A} c_i (1 − z_iᵀw) z_i and generalised Hessian I + 2 Σ_{A} c_i z_i z_iᵀ,
    A = {i : z_iᵀw < 1} the margin violators.
    """

    def __init__(self, Z: np.ndarray, c: np.ndarray):
        self.Z, self.c = Z, c

    def __call__(self, w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        slack = 1.0 - self.Z @ w
        active = slack > 0.0
        Za, ca, ra = self.Z[active], self.c[active], slack[active]
        value = 0.5 * float(w @ w) + float(ca @ (ra * ra))
        grad = w - 2.0 * ((ca * ra) @ Za)
        hess = (Za.T * (2.0 * ca)) @ Za
        hess.flat[:: len(hess) + 1] += 1.0  # + I
        return value, grad, hess
