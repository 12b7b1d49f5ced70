"""Kernel support vector classifier ``SVC`` (one-vs-one), duals solved by SMO."""

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
from ._kernels import KERNELS, kernel_matrix, resolve_gamma
from ._smo import LOCKSTEP_MIN, smo, smo_many


def check_c(C) -> None:
    """Raise a clear error unless C is a positive number."""
    if isinstance(C, str) or not C > 0:
        raise ValueError(f"C must be a positive number, got {C!r}.")


def warn_max_iter(n_iter, tol: float, max_iter: int) -> None:
    """Warn when some SMO problem used up its ``max_iter`` pair updates."""
    if max_iter > 0 and np.max(n_iter) >= max_iter:
        warnings.warn(
            f"SMO stopped after max_iter={max_iter} updates before reaching tol={tol}; "
            "increase max_iter or scale the data.",
            UserWarning,
            stacklevel=3,
        )


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
        X, y = check_X_y(X, y, accept_sparse=True)
        check_n_features(self, X, reset=True)
        check_option("kernel", self.kernel, KERNELS)
        check_option("decision_function_shape", self.decision_function_shape, ("ovr", "ovo"))
        check_c(self.C)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        sw = check_sample_weight(sample_weight, X)
        self._gamma = resolve_gamma(self.gamma, X)
        n_classes = len(self.classes_)
        order = np.argsort(y_enc, kind="stable")  # samples grouped by class, as LIBSVM
        starts = np.searchsorted(y_enc[order], np.arange(n_classes + 1))
        Xs, cs = X[order], self.C * sw[order]
        duals = _ovo_duals(Xs, starts, cs, self._kernel, self.tol, self.max_iter)
        coef = np.zeros((n_classes - 1, Xs.shape[0]))
        for (i, j), (alpha, _, _) in zip(combinations(range(n_classes), 2), duals):
            n_i = starts[i + 1] - starts[i]
            coef[j - 1, starts[i] : starts[i + 1]] = alpha[:n_i]  # LIBSVM's one-vs-one layout
            coef[i, starts[j] : starts[j + 1]] = -alpha[n_i:]  # of α_i y_i
        intercepts = [-rho for _, rho, _ in duals]
        iters = [n_iter for _, _, n_iter in duals]
        warn_max_iter(iters, self.tol, self.max_iter)
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

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags

    def _ovo_decision(self, X) -> np.ndarray:
        check_is_fitted(self, "support_")
        X = check_array(X, accept_sparse=True)
        check_n_features(self, X, reset=False)
        if hasattr(X, "tocsr") != hasattr(self.support_vectors_, "tocsr"):
            raise ValueError(
                f"cannot use {'sparse' if hasattr(X, 'tocsr') else 'dense'} input with a SVM "
                f"fitted on {'sparse' if hasattr(self.support_vectors_, 'tocsr') else 'dense'}"
                " input (as scikit-learn)"
            )
        Kt = self._kernel(X, self.support_vectors_)
        bounds = np.r_[0, np.cumsum(self.n_support_)]
        n_classes = len(self.classes_)
        out = np.empty((X.shape[0], n_classes * (n_classes - 1) // 2))
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


def _ovo_duals(X, starts, cs, kernel, tol, max_iter) -> list[tuple[np.ndarray, float, int]]:
    """(α, ρ, n_iter) of the one-vs-one duals, pairs (i, j) in ``combinations`` order.

    Samples are grouped by class (class k in rows ``starts[k]:starts[k + 1]`` of X); the
    problem of pair (i, j) has the samples of class i (y = +1) then class j (y = −1).
    Few pairs: the Gram matrix K = kernel(X, X) and one :func:`smo` per pair on its
    block; many pairs: :func:`_lockstep_ovo_duals`.
    """
    pairs = list(combinations(range(len(starts) - 1), 2))
    if len(pairs) >= LOCKSTEP_MIN:
        return _lockstep_ovo_duals(X, starts, cs, kernel, tol, max_iter)
    K = kernel(X, X)
    return [
        smo(
            _pair_block(K, starts[i : i + 2], starts[j : j + 2]),
            np.r_[np.ones(starts[i + 1] - starts[i]), -np.ones(starts[j + 1] - starts[j])],
            np.r_[cs[starts[i] : starts[i + 1]], cs[starts[j] : starts[j + 1]]],
            tol,
            max_iter,
        )
        for i, j in pairs
    ]


def _lockstep_ovo_duals(X, starts, cs, kernel, tol, max_iter):
    """The one-vs-one duals solved together by :func:`smo_many`.

    Each class is padded to the largest size m (empty slots have C = 0) and the kernel is
    taken between X and the padded classes, shape (n, K, m): the problem of pair (i, j)
    has positions [class i slots, class j slots], so its row t is one gather of the two
    (m,) class blocks of that sample, and no per-pair kernel block is ever copied.
    """
    n_classes = len(starts) - 1
    sizes = np.diff(starts)
    m = int(sizes.max())
    slot = np.arange(m)
    valid = slot < sizes[:, None]  # (K, m): which slots of each class hold a sample
    sample = np.where(valid, starts[:-1, None] + slot, 0)  # (K, m): its row of X
    if hasattr(X, "tocsr"):  # scipy.sparse: zero the empty slots' rows by a diagonal
        import scipy.sparse as sp

        padded = sp.diags(valid.ravel().astype(np.float64)) @ X[sample.ravel()]
    else:
        padded = np.where(valid[..., None], X[sample], 0.0).reshape(n_classes * m, -1)
    Kc = kernel(X, padded).reshape(X.shape[0], n_classes, m)
    sides = np.array(list(combinations(range(n_classes), 2)))  # (P, 2) classes of a pair
    rows = sample[sides].reshape(len(sides), 2 * m)  # (P, 2m): row of X at each position
    diag = Kc[rows, np.repeat(sides, m, axis=1), np.tile(slot, 2)]

    def kernel_rows(p: np.ndarray, t: np.ndarray) -> np.ndarray:
        return Kc[rows[p, t][:, None], sides[p]].reshape(len(p), 2 * m)

    y = np.tile(np.repeat([1.0, -1.0], m), (len(sides), 1))
    bounds = np.where(valid[sides].reshape(len(sides), 2 * m), cs[rows], 0.0)
    alpha, rho, n_iter = smo_many(kernel_rows, diag, y, bounds, tol, max_iter)
    return [
        (np.r_[alpha[p, : sizes[i]], alpha[p, m : m + sizes[j]]], rho[p], n_iter[p])
        for p, (i, j) in enumerate(sides)
    ]


def _pair_block(K: np.ndarray, rows_i, rows_j) -> np.ndarray:
    """K restricted to the samples of classes i and j, whose rows are the contiguous ranges
    ``rows_i`` and ``rows_j`` (start, stop): a view when they touch, else four block
    copies (much faster than fancy indexing)."""
    (a0, a1), (b0, b1) = rows_i, rows_j
    if a1 == b0:
        return K[a0:b1, a0:b1]
    n_a = a1 - a0
    out = np.empty((n_a + b1 - b0,) * 2)
    out[:n_a, :n_a] = K[a0:a1, a0:a1]
    out[:n_a, n_a:] = K[a0:a1, b0:b1]
    out[n_a:, :n_a] = K[b0:b1, a0:a1]
    out[n_a:, n_a:] = K[b0:b1, b0:b1]
    return out


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
