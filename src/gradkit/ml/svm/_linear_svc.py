"""Linear support vector classifier (ML-SVM): squared hinge by Newton, hinge by SMO."""

from __future__ import annotations

import numbers
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
from ..exceptions import ConvergenceWarning
from ..linear_model._base import LinearClassifierMixin, add_intercept_column
from ..optimize import newton
from ..utils.class_weight import compute_class_weight
from ._classes import check_c, warn_max_iter
from ._smo import smo


class LinearSVC(LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    """Linear support vector classifier (ML-SVM): min ½‖w‖² + Σ_i C_i ℓ(y_i f(x_i)).

    ``loss="squared_hinge"`` (the default, as scikit-learn), ℓ(m) = max(0, 1 − m)², in
    LIBLINEAR's formulation, the one scikit-learn's ``LinearSVC`` solves: x is extended
    by a constant feature ``intercept_scaling`` whose weight w_b gives the intercept
    b = intercept_scaling · w_b and is penalised like the others,

        min_w̃ ½‖w̃‖² + Σ_i C_i max(0, 1 − y_i w̃ᵀx̃_i)²,   x̃ = [x, intercept_scaling].

    It is solved in the primal by Newton's method with the generalised Hessian
    I + 2 Σ_{y_i w̃ᵀx̃_i < 1} C_i x̃_i x̃_iᵀ (as a matrix-vector product for scipy.sparse X
    or many features), stopping as LIBLINEAR's primal solver does, when
    ‖∇f(w̃)‖ ≤ ``tol``·‖∇f(0)‖; so ``tol`` and ``max_iter`` (Newton iterations) mean
    what they mean for ``dual=False``. ``dual=True``/"auto" reach the same optimum.

    ``loss="hinge"``, ℓ(m) = max(0, 1 − m): the textbook soft-margin SVM with a free,
    unpenalised intercept b, solved exactly in the dual by SMO (so the same fit as
    ``SVC(kernel="linear")``), w = Σ_i α_i y_i x_i; ``tol`` is SMO's KKT-gap tolerance
    and ``max_iter`` allows that many passes of n pair updates.

    K > 2 classes: one-vs-rest, ``coef_`` of shape (K, n_features). ``class_weight``
    scales C for a class: both classes of a binary problem, the positive class of each
    one-vs-rest problem (LIBLINEAR's rule).

    Parameters
    ----------
    penalty : {"l2"}
    loss : {"squared_hinge", "hinge"}
    dual : "auto", bool
    tol : float
    C : float
    multi_class : {"ovr"}
    fit_intercept : bool
    intercept_scaling : float
        Value of the constant feature (squared_hinge).
    class_weight : dict, "balanced" or None
    verbose : int
    random_state : None
        Unused (LIBLINEAR's dual solver shuffles; the primal Newton method does not).
    max_iter : int

    Attributes
    ----------
    coef_ : ndarray of shape (1 or K, n_features)
    intercept_ : ndarray of shape (1 or K,)
    n_iter_ : int
        Newton steps or SMO pair updates, the most over the one-vs-rest problems.

    X may be dense or scipy.sparse.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 3.0]])
    >>> LinearSVC().fit(X, [0, 0, 1, 1]).predict([[2.5, 2.0]])
    array([1])
    """

    _accepts_sparse = True

    def __init__(
        self,
        penalty: str = "l2",
        loss: str = "squared_hinge",
        *,
        dual="auto",
        tol: float = 1e-4,
        C: float = 1.0,
        multi_class: str = "ovr",
        fit_intercept: bool = True,
        intercept_scaling: float = 1,
        class_weight=None,
        verbose: int = 0,
        random_state=None,
        max_iter: int = 1000,
    ):
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.verbose = verbose
        self.random_state = random_state
        self.max_iter = max_iter

    def _check_params(self) -> None:
        check_c(self.C)
        check_option("loss", self.loss, ("squared_hinge", "hinge"))
        check_option("penalty", self.penalty, ("l2",))
        check_option("multi_class", self.multi_class, ("ovr",))
        check_option("dual", self.dual, ("auto", True, False))
        if self.loss == "hinge" and self.dual is False:
            raise ValueError(
                "Unsupported set of arguments: The combination of penalty='l2' and "
                "loss='hinge' are not supported when dual=False, Parameters: "
                "penalty='l2', loss='hinge', dual=False"
            )
        if not self.tol > 0:
            raise ValueError(f"tol must be > 0, got {self.tol!r}.")
        if not (isinstance(self.max_iter, numbers.Integral) and self.max_iter >= 0):
            raise ValueError(f"max_iter must be a non-negative int, got {self.max_iter!r}.")
        if isinstance(self.intercept_scaling, str) or not self.intercept_scaling > 0:
            raise ValueError(
                f"intercept_scaling must be a positive number, got {self.intercept_scaling!r}."
            )

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self._check_params()
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        s = check_sample_weight(sample_weight, X)
        cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        binary = len(self.classes_) == 2
        positives = np.array([1]) if binary else np.arange(len(self.classes_))
        targets = np.where(y_enc == positives[:, None], 1.0, -1.0)  # (n_out, n)
        cs = np.empty(targets.shape)
        for row, k in enumerate(positives):
            negative = cw[y_enc] if binary else 1.0  # LIBLINEAR: OvR negatives unweighted
            cs[row] = self.C * s * np.where(y_enc == k, cw[k], negative)
        if self.loss == "squared_hinge":
            self.coef_, self.intercept_, n_iter = self._fit_squared_hinge(X, targets, cs)
        else:
            self.coef_, self.intercept_, n_iter = self._fit_hinge(X, targets, cs)
        self.n_iter_ = int(np.max(n_iter))
        return self

    def _fit_squared_hinge(self, X, targets, cs):
        scaling = float(self.intercept_scaling) if self.fit_intercept else None
        Xa = X if scaling is None else add_intercept_column(X, scaling)
        sparse = hasattr(Xa, "tocsr")
        weights, iters = [], []
        for t, c in zip(targets, cs, strict=True):
            if sparse:
                import scipy.sparse as sp

                Z = (sp.diags(t) @ Xa).tocsr()
            else:
                Z = t[:, None] * Xa
            g0 = 2.0 * float(np.linalg.norm(np.asarray(c @ Z).ravel()))  # ‖∇f(0)‖
            w, n_iter, converged = newton(
                _SquaredHinge(Z, c, operator=sparse or Z.shape[1] > _DENSE_MAX),
                np.zeros(Z.shape[1]),
                max_iter=self.max_iter,
                grad_tol=self.tol * g0,
            )
            if not converged:
                warnings.warn(
                    "Liblinear failed to converge, increase the number of iterations.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            weights.append(w)
            iters.append(n_iter)
        W = np.array(weights)
        if scaling is None:
            return W, np.zeros(len(W)), iters
        return W[:, :-1], scaling * W[:, -1], iters

    def _fit_hinge(self, X, targets, cs):
        K = X @ X.T
        K = K.toarray() if hasattr(K, "toarray") else K
        max_iter = -1 if self.max_iter == 0 else self.max_iter * X.shape[0]
        duals = [smo(K, t, c, self.tol, max_iter) for t, c in zip(targets, cs, strict=True)]
        alpha, rho, iters = (np.array(v) for v in zip(*duals, strict=True))
        warn_max_iter(iters, self.tol, max_iter)
        coef = np.asarray((alpha * targets) @ X)
        intercept = -rho if self.fit_intercept else np.zeros(len(rho))
        return coef, intercept, iters

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags


_DENSE_MAX = 2000  # features above which the Newton system uses Hessian-vector products


class _SquaredHinge:
    """f(w) = ½‖w‖² + Σ_i c_i max(0, 1 − z_iᵀw)², with z_i = y_i x̃_i the rows of Z.

    ∇f = w − 2 Σ_{A} c_i (1 − z_iᵀw) z_i and generalised Hessian I + 2 Σ_{A} c_i z_i z_iᵀ,
    A = {i : z_iᵀw < 1} the margin violators; as (Hessian-vector product, diagonal) when
    ``operator`` (sparse Z or many features).
    """

    def __init__(self, Z, c: np.ndarray, operator: bool = False):
        self.Z, self.c, self.operator = Z, c, operator

    def __call__(self, w: np.ndarray):
        slack = 1.0 - np.asarray(self.Z @ w).ravel()
        active = np.flatnonzero(slack > 0.0)
        Za, ca, ra = self.Z[active], self.c[active], slack[active]
        value = 0.5 * float(w @ w) + float(ca @ (ra * ra))
        grad = w - 2.0 * np.asarray((ca * ra) @ Za).ravel()
        if self.operator:

            def hvp(v):
                return v + 2.0 * np.asarray(Za.T @ (ca * np.asarray(Za @ v).ravel())).ravel()

            sq = Za.multiply(Za) if hasattr(Za, "multiply") else Za * Za
            diag = 1.0 + 2.0 * np.asarray(ca @ sq).ravel()
            return value, grad, (hvp, diag)
        hess = (Za.T * (2.0 * ca)) @ Za
        hess.flat[:: len(hess) + 1] += 1.0  # + I
        return value, grad, hess
