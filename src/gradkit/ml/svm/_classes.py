"""Support vector classifiers: kernel ``SVC`` (one-vs-one) and ``LinearSVC`` (one-vs-rest)."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_option,
    check_sample_weight,
    check_X_y,
    encode_labels,
    require_two_classes,
)
from ..linear_model._base import LinearClassifierMixin
from ._kernels import KERNELS, kernel_matrix, resolve_gamma
from ._smo import smo


def _check_c(C) -> None:
    if isinstance(C, str) or not C > 0:
        raise ValueError(f"C must be a positive number, got {C!r}.")


def _solve_dual(K, y_pm, c_bounds, tol, max_iter):
    alpha, rho, n_iter = smo(K, y_pm, c_bounds, tol=tol, max_iter=max_iter)
    if max_iter > 0 and n_iter >= max_iter:
        warnings.warn(
            f"SMO stopped after max_iter={max_iter} updates before reaching tol={tol}; "
            "increase max_iter or scale the data.",
            UserWarning,
            stacklevel=4,
        )
    return alpha, rho, n_iter


class SVC(ClassifierMixin, BaseEstimator):
    """Kernel support vector classifier, dual solved by SMO (ML-SVM, ML-KERNEL, O-LAGRANGE).

    Decision function f(x) = Σ_i α_i y_i K(x_i, x) + b, from the dual
    min ½ αᵀQα − eᵀα, 0 ≤ α_i ≤ C s_i, yᵀα = 0 (see :func:`gradkit.ml.svm._smo.smo`).
    K > 2 classes: one-vs-one, one SVM per pair, prediction by votes (as LIBSVM), with
    the same ``dual_coef_`` layout as scikit-learn.

    Parameters
    ----------
    C : float
        Soft-margin penalty.
    kernel : {"rbf", "linear", "poly", "sigmoid"}
    degree : int
        Polynomial degree.
    gamma : {"scale", "auto"} or float
        Kernel coefficient; ``"scale"`` = 1/(n_features · Var(X)).
    coef0 : float
        Independent term of the poly / sigmoid kernels.
    tol : float
        KKT-gap tolerance of SMO.
    max_iter : int
        Limit on SMO pair updates per binary problem (−1: none).
    decision_function_shape : {"ovr", "ovo"}

    Attributes
    ----------
    support_ : ndarray (n_SV,)
        Indices of the support vectors, grouped by class.
    support_vectors_ : ndarray (n_SV, n_features)
    n_support_ : ndarray (n_classes,)
    dual_coef_ : ndarray (n_classes − 1, n_SV)
        α_i y_i of every support vector in each binary problem it belongs to.
    intercept_ : ndarray (n_classes (n_classes − 1) / 2,)
    """

    def __init__(
        self,
        C: float = 1.0,
        *,
        kernel: str = "rbf",
        degree: int = 3,
        gamma="scale",
        coef0: float = 0.0,
        tol: float = 1e-3,
        max_iter: int = -1,
        decision_function_shape: str = "ovr",
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape

    def _kernel(self, X, Y):
        return kernel_matrix(X, Y, self.kernel, self._gamma, self.degree, self.coef0)

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y)
        check_n_features(self, X, reset=True)
        check_option("kernel", self.kernel, KERNELS)
        check_option("decision_function_shape", self.decision_function_shape, ("ovr", "ovo"))
        _check_c(self.C)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        sw = check_sample_weight(sample_weight, X)
        self._gamma = resolve_gamma(self.gamma, X)
        n_classes = len(self.classes_)
        order = np.argsort(y_enc, kind="stable")  # samples grouped by class, as LIBSVM
        starts = np.searchsorted(y_enc[order], np.arange(n_classes + 1))
        Xs, cs = X[order], self.C * sw[order]
        K = self._kernel(Xs, Xs)
        coef = np.zeros((n_classes - 1, len(Xs)))
        intercepts, iters = [], []
        for i, j in combinations(range(n_classes), 2):
            idx = np.r_[starts[i] : starts[i + 1], starts[j] : starts[j + 1]]
            n_i = starts[i + 1] - starts[i]
            y_pm = np.where(np.arange(len(idx)) < n_i, 1.0, -1.0)
            alpha, rho, n_iter = _solve_dual(
                K[np.ix_(idx, idx)], y_pm, cs[idx], self.tol, self.max_iter
            )
            ay = alpha * y_pm
            coef[j - 1, idx[:n_i]] = ay[:n_i]  # LIBSVM layout of the one-vs-one duals
            coef[i, idx[n_i:]] = ay[n_i:]
            intercepts.append(-rho)
            iters.append(n_iter)
        is_sv = (coef != 0).any(axis=0)
        self.support_ = order[is_sv]
        self.support_vectors_ = X[self.support_]
        self.n_support_ = np.array(
            [is_sv[starts[k] : starts[k + 1]].sum() for k in range(n_classes)], dtype=np.int32
        )
        self._dual_coef = coef[:, is_sv]
        self._intercept = np.array(intercepts)
        self.n_iter_ = np.array(iters)
        binary = n_classes == 2  # scikit-learn reports the binary model as classes_[1] vs [0]
        self.dual_coef_ = -self._dual_coef if binary else self._dual_coef
        self.intercept_ = -self._intercept if binary else self._intercept
        self.fit_status_ = 0
        return self

    def _ovo_decision(self, X) -> np.ndarray:
        check_is_fitted(self, "support_")
        X = check_array(X)
        check_n_features(self, X, reset=False)
        Kt = self._kernel(X, self.support_vectors_)
        bounds = np.r_[0, np.cumsum(self.n_support_)]
        n_classes = len(self.classes_)
        out = np.empty((len(X), n_classes * (n_classes - 1) // 2))
        for p, (i, j) in enumerate(combinations(range(n_classes), 2)):
            si, sj = slice(bounds[i], bounds[i + 1]), slice(bounds[j], bounds[j + 1])
            out[:, p] = Kt[:, si] @ self._dual_coef[j - 1, si] + Kt[:, sj] @ self._dual_coef[i, sj]
        return out + self._intercept

    def decision_function(self, X) -> np.ndarray:
        """f(x) per binary problem; binary: (n,) positive for ``classes_[1]``; else
        ``"ovo"`` (n, K(K−1)/2) or ``"ovr"`` (n, K) votes plus scaled confidences."""
        dec = self._ovo_decision(X)
        n_classes = len(self.classes_)
        if n_classes == 2:
            return -dec[:, 0]
        if self.decision_function_shape == "ovo":
            return dec
        return _ovr_from_ovo(dec, n_classes)

    def predict(self, X) -> np.ndarray:
        """Majority vote of the one-vs-one classifiers (ties → the lower class index)."""
        dec = self._ovo_decision(X)
        n_classes = len(self.classes_)
        votes = np.zeros((len(dec), n_classes))
        for p, (i, j) in enumerate(combinations(range(n_classes), 2)):
            pos = dec[:, p] > 0
            votes[:, i] += pos
            votes[:, j] += ~pos
        return self.classes_[votes.argmax(axis=1)]


def _ovr_from_ovo(dec: np.ndarray, n_classes: int) -> np.ndarray:
    """Votes per class plus the summed confidences squashed into (−1/3, 1/3) (scikit-learn)."""
    votes = np.zeros((len(dec), n_classes))
    conf = np.zeros((len(dec), n_classes))
    for p, (i, j) in enumerate(combinations(range(n_classes), 2)):
        pos = dec[:, p] > 0
        votes[:, i] += pos
        votes[:, j] += ~pos
        conf[:, i] += dec[:, p]
        conf[:, j] -= dec[:, p]
    return votes + conf / (3 * (np.abs(conf) + 1))


class LinearSVC(LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    """Linear SVM with the hinge loss (ML-SVM): min ½‖w‖² + C Σ_i s_i max(0, 1 − y_i(wᵀx_i + b)).

    Solved exactly in the dual with the same SMO solver and a linear kernel, then
    w = Σ_i α_i y_i x_i. K > 2 classes: one-vs-rest, ``coef_`` of shape (K, n_features).
    The intercept is not penalised.

    Parameters
    ----------
    C : float
    tol : float
        KKT-gap tolerance of SMO.
    max_iter : int
        Limit on SMO pair updates per binary problem (−1: none).
    """

    def __init__(self, C: float = 1.0, *, tol: float = 1e-3, max_iter: int = -1):
        self.C = C
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y)
        check_n_features(self, X, reset=True)
        _check_c(self.C)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        cs = self.C * check_sample_weight(sample_weight, X)
        K = X @ X.T
        positives = [1] if len(self.classes_) == 2 else range(len(self.classes_))
        coefs, intercepts, iters = [], [], []
        for k in positives:
            y_pm = np.where(y_enc == k, 1.0, -1.0)
            alpha, rho, n_iter = _solve_dual(K, y_pm, cs, self.tol, self.max_iter)
            coefs.append((alpha * y_pm) @ X)
            intercepts.append(-rho)
            iters.append(n_iter)
        self.coef_ = np.array(coefs)
        self.intercept_ = np.array(intercepts)
        self.n_iter_ = max(iters)
        return self
