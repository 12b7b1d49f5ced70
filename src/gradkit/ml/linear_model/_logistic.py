"""Logistic (ML-LOGREG) and softmax (ML-SOFTMAX) regression, fitted by maximum likelihood.

One parameterisation covers all three models: classes in ``free`` get logits θ_kᵀx and the
optional reference class has logit 0. Binary logistic regression is the reference
parameterisation with class 0 as reference (φ = 1/(1 + exp(−θᵀx))); ``SoftmaxRegression``
fixes θ_K = 0; multinomial ``LogisticRegression`` leaves every class free and relies on
the L2 penalty for identifiability, as scikit-learn does.
"""

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
from ..exceptions import ConvergenceWarning
from ..optimize import lbfgs, newton, newton_cg, newton_cholesky
from ..utils.class_weight import compute_class_weight
from ._base import LinearClassifierMixin, add_intercept_column

_DENSE_MAX = 200  # parameters above which Newton uses Hessian-vector products


class _Objective:
    """Penalised negative log-likelihood ℓ(Θ) = Σ_i s_i [logsumexp(z_i) − z_{i,y_i}] + ‖W‖²/(2C).

    z_i has the free classes' logits Θ_k·[x_i, 1] and 0 for the reference class.
    Gradient: (P − Y)ᵀ S X̃ + W/C.  Hessian block (k, l): X̃ᵀ S diag(P_k(δ_kl − P_l)) X̃ + δ_kl I/C.
    Arrays over samples are kept class-major, (K, n), so that products with X̃ᵀ and sums
    over the classes run along contiguous rows.
    """

    def __init__(self, Xa, y, n_classes, free, s, inv_c, fit_intercept):
        self.sparse = hasattr(Xa, "tocsr")
        self.Xa = Xa
        self.XaT = Xa.T.tocsr() if self.sparse else np.ascontiguousarray(Xa.T)
        self.s, self.free, self.inv_c = s, free, inv_c
        self.y, self.n_classes = y, n_classes
        self.Y = np.zeros((n_classes, len(y)))
        self.Y[y, np.arange(len(y))] = 1.0
        self.shape = (len(free), Xa.shape[1])
        self.mask = np.ones(self.shape)
        if fit_intercept:
            self.mask[:, -1] = 0.0  # the intercept is not penalised
        self._Xa2 = None

    def probabilities(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shifted logits z_ik − max_l z_il (K, n), probabilities P = softmax(Z) (K, n) and
        log Σ_k exp(z_ik − max_l z_il) (n,)."""
        z = np.zeros((self.n_classes, len(self.s)))
        z[self.free] = theta.reshape(self.shape) @ self.XaT
        z -= z.max(axis=0)
        p = np.exp(z)
        norm = p.sum(axis=0)
        p /= norm
        return z, p, np.log(norm)

    def value_grad(self, theta: np.ndarray, probs=None) -> tuple[float, np.ndarray]:
        z, p, log_norm = self.probabilities(theta) if probs is None else probs
        w = theta.reshape(self.shape) * self.mask
        # −log p_iy from the shifted logits: no cancellation of the large max_l z_il, so the
        # objective is accurate enough for line searches near the optimum
        nll = log_norm - z[self.y, np.arange(len(self.y))]
        value = self.s @ nll + 0.5 * self.inv_c * (w * w).sum()
        grad = ((p - self.Y)[self.free] * self.s) @ self.Xa + self.inv_c * w
        return float(value), grad.ravel()

    def __call__(self, theta: np.ndarray, dense: bool | None = None, project: bool = True):
        """Value, gradient and Hessian; above ``_DENSE_MAX`` parameters (or for sparse X)
        the Hessian is returned as (Hessian-vector product, diagonal) for truncated
        Newton, unless ``dense`` asks for the matrix. ``project=False``: the Hessian
        itself, without the null-space projector (see ``_null_projector``)."""
        probs = self.probabilities(theta)
        value, grad = self.value_grad(theta, probs)
        pf = probs[1][self.free]
        k, d = self.shape
        reg = self.inv_c * self.mask
        null = self._null_projector() if project else None
        if dense is None:
            dense = k * d <= _DENSE_MAX and not self.sparse
        if not dense:
            return value, grad, self._hessian_operator(pf, reg, null)
        return value, grad, self._dense_hessian(pf, reg, null)

    def _null_projector(self):
        """All K classes free: shifting every θ_k by the same vector leaves P unchanged,
        so H is singular along those directions where no penalty acts. The gradient is
        orthogonal to them; adding their projector keeps H invertible and the Newton
        step unchanged in every other direction. None when a reference class is fixed."""
        if len(self.free) < self.n_classes:
            return None
        return ((self.mask == 0) if self.inv_c > 0 else np.ones(self.shape, bool))[0] / (
            self.shape[0]
        )

    def _dense_hessian(self, pf, reg, null) -> np.ndarray:
        """H[(j,·),(l,·)] = X̃ᵀ diag(s p_j (δ_jl − p_l)) X̃ + δ_jl diag(reg), (kd, kd)."""
        k, d = self.shape
        if self.sparse:
            hess = np.empty((k * d, k * d))
            for j in range(k):
                for m in range(j, k):
                    c = self.s * pf[j] * ((j == m) - pf[m])
                    block = (self.XaT @ self.Xa.multiply(c[:, None]).tocsr()).toarray()
                    hess[j * d : (j + 1) * d, m * d : (m + 1) * d] = block
                    hess[m * d : (m + 1) * d, j * d : (j + 1) * d] = block.T
        else:
            root = np.sqrt(self.s)
            A = (pf.T[:, :, None] * (self.Xa * root[:, None])[:, None, :]).reshape(len(root), k * d)
            hess = -(A.T @ A)
            for j in range(k):
                block = (self.XaT * (self.s * pf[j])) @ self.Xa
                hess[j * d : (j + 1) * d, j * d : (j + 1) * d] += block
        hess[np.diag_indices(k * d)] += reg.ravel()
        if null is not None:
            hess += np.kron(np.ones((k, k)), np.diag(null))
        return hess

    def centred(self, theta: np.ndarray) -> np.ndarray:
        """All classes free: the solution with Σ_k θ_k = 0 along the unpenalised
        directions (the minimum-norm one; every shift along them has the same ℓ)."""
        if len(self.free) < self.n_classes:
            return theta
        flat = ((self.mask == 0) if self.inv_c > 0 else np.ones(self.shape, bool))[0]
        theta = theta.copy()
        theta[:, flat] -= theta[:, flat].mean(axis=0)
        return theta

    def _hessian_operator(self, pf, reg, null):
        """v ↦ Hv without forming H: (HV)_k = Σ_i s_i p_ik (u_ik − Σ_l p_il u_il) x̃_i + V_k/C,
        u_i = V x̃_i (plus the null-space projector), and diag(H)."""
        sp = self.s * pf
        if self._Xa2 is None:
            self._Xa2 = self.Xa.multiply(self.Xa).tocsr() if self.sparse else self.Xa * self.Xa

        def hvp(v: np.ndarray) -> np.ndarray:
            V = v.reshape(self.shape)
            U = V @ self.XaT
            U -= np.einsum("kn,kn->n", pf, U)  # Σ_l p_il u_il: one pass, no GEMM to miss
            U *= sp
            out = U @ self.Xa
            out += reg * V
            if null is not None:
                out += null * V.sum(axis=0)
            return out.ravel()

        diag = np.asarray((sp * (1.0 - pf)) @ self._Xa2) + reg
        if null is not None:
            diag += null
        return hvp, diag.ravel()

    def lipschitz(self) -> float:
        """Upper bound on the Hessian's largest eigenvalue, for the gradient-descent step."""
        return 0.5 * np.linalg.norm(self.Xa * np.sqrt(self.s)[:, None], 2) ** 2 + self.inv_c


class _LogisticBase(LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    _solvers = ("lbfgs", "newton-cg", "newton-cholesky", "newton", "gd")
    _accepts_sparse = True

    def _free_classes(self, n_classes: int) -> np.ndarray:
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse=True)
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        check_option("penalty", self.penalty, ("l2", None))
        check_option("solver", self.solver, self._solvers)
        if self.penalty == "l2" and not self.C > 0:
            raise ValueError(f"C must be positive, got {self.C!r}.")
        if not self.tol >= 0:
            raise ValueError(f"tol must be non-negative, got {self.tol!r}.")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 0):
            raise ValueError(f"max_iter must be a non-negative int, got {self.max_iter!r}.")
        if self.solver == "gd" and hasattr(X, "tocsr"):
            raise TypeError("solver='gd' needs dense X; use solver='lbfgs' for sparse input.")
        s = check_sample_weight(sample_weight, X)
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None:
            s = (
                s
                * compute_class_weight(class_weight, classes=self.classes_, y=y, sample_weight=s)[
                    y_enc
                ]
            )
        n_classes = len(self.classes_)
        free = self._free_classes(n_classes)
        Xa = add_intercept_column(X, 1.0) if self.fit_intercept else X
        inv_c = 1.0 / self.C if self.penalty == "l2" and np.isfinite(self.C) else 0.0
        obj = _Objective(Xa, y_enc, n_classes, free, s, inv_c, self.fit_intercept)
        theta0 = np.zeros(obj.shape[0] * obj.shape[1])
        theta, n_iter, converged = self._minimise(obj, theta0, s.sum())
        if not converged:
            warnings.warn(
                f"{type(self).__name__} (solver={self.solver!r}) did not converge in "
                f"{self.max_iter} iterations; increase max_iter or scale the data.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        theta = obj.centred(theta.reshape(obj.shape))
        self._set_coef(theta, free, n_classes)
        return self

    def _minimise(self, obj: _Objective, theta0: np.ndarray, sw_sum: float):
        """Run the solver. scikit-learn's solvers (lbfgs, newton-cg, newton-cholesky)
        minimise the objective divided by Σ s_i, as scikit-learn does, so ``tol`` (on the
        largest gradient entry, and on ½ the Newton decrement for newton-cholesky) and
        ``max_iter`` mean the same; parameters are ordered class-fastest (Fortran order
        of the (K, d) matrix) like scikit-learn's, so L-BFGS takes the same path."""
        k, d = obj.shape
        inv = 1.0 / sw_sum

        def unravel(x):  # x in Fortran order → θ in the objective's (K, d) C order
            return x.reshape(d, k).T.ravel()

        def ravel(theta):
            return theta.reshape(k, d).T.ravel()

        def fun_grad(x):
            value, grad = obj.value_grad(unravel(x))
            return value * inv, ravel(grad) * inv

        if self.solver == "lbfgs":
            x, n_iter, converged, _ = lbfgs(
                fun_grad, ravel(theta0), tol=self.tol, max_iter=self.max_iter
            )
            return unravel(x), n_iter, converged
        if self.solver == "newton-cg":

            def grad_hvp(x):
                _, grad, (hvp, _) = obj(unravel(x), dense=False, project=False)
                return ravel(grad) * inv, lambda v: ravel(hvp(unravel(v))) * inv

            x, n_iter, converged = newton_cg(
                lambda x: fun_grad(x)[0],
                lambda x: fun_grad(x)[1],
                grad_hvp,
                ravel(theta0),
                tol=self.tol,
                max_iter=self.max_iter,
            )
            return unravel(x), n_iter, converged
        if self.solver == "newton-cholesky":
            order = np.arange(k * d).reshape(k, d).T.ravel()  # Fortran position → C index

            def hessian(x):
                hess = obj(unravel(x), dense=True)[2]
                return hess[np.ix_(order, order)] * inv

            x, n_iter, converged = newton_cholesky(
                fun_grad, hessian, ravel(theta0), tol=self.tol, max_iter=self.max_iter
            )
            return unravel(x), n_iter, converged
        if self.solver == "newton":
            theta, n_iter, converged = newton(
                obj, theta0, tol=self.tol * sw_sum, max_iter=self.max_iter
            )
            return theta, max(n_iter, 1), converged
        lr = 1.0 / obj.lipschitz()  # gradient descent θ ← θ − ∇ℓ/L
        theta = theta0
        for it in range(1, self.max_iter + 1):
            _, grad = obj.value_grad(theta)
            if np.max(np.abs(grad)) <= self.tol * sw_sum:
                return theta, max(it - 1, 1), True
            theta = theta - lr * grad
        return theta, self.max_iter, False

    def _set_coef(self, theta, free, n_classes):
        coef = theta[:, :-1] if self.fit_intercept else theta
        intercept = theta[:, -1] if self.fit_intercept else np.zeros(len(theta))
        self.coef_ = np.ascontiguousarray(coef)
        self.intercept_ = intercept

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: softmax of the logits (σ(θᵀx) for class 1 when binary)."""
        logits = self._logits(X)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X) -> np.ndarray:
        return np.log(self.predict_proba(X))

    def _logits(self, X) -> np.ndarray:
        scores = self._linear(X)
        if scores.shape[1] == 1:
            return np.hstack([np.zeros_like(scores), scores])
        return scores

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True
        return tags


class LogisticRegression(_LogisticBase):
    """Logistic regression by maximum likelihood (ML-LOGREG, O-MLE, O-NEWTON).

    Binary: P(y=1|x) = φ = 1/(1 + exp(−θᵀx)); K > 2 classes: multinomial softmax over K
    free weight vectors. Minimises C Σ_i s_i ℓ_i + ½‖w‖² (``penalty="l2"``, as
    scikit-learn; the intercept is not penalised) or Σ_i s_i ℓ_i (``penalty=None`` or
    ``C=np.inf``), s_i = sample weight × class weight. There is no closed form.

    Solvers with scikit-learn's names behave as scikit-learn's: they minimise the
    objective divided by Σ_i s_i, and ``tol``, ``max_iter`` and ``n_iter_`` mean the
    same (so a search over ``tol`` picks what scikit-learn picks):

    - ``"lbfgs"`` (default): SciPy's L-BFGS-B, stop when max |∇| ≤ ``tol``;
    - ``"newton-cg"``: truncated Newton, stop when max |∇| ≤ ``tol``;
    - ``"newton-cholesky"``: Newton with a Cholesky solve, stop when max |∇| ≤ ``tol``
      and ½ the Newton decrement ≤ ``tol``.

    gradkit's own solvers: ``"newton"`` (Newton–Raphson θ ← θ − H⁻¹∇ℓ with a line search,
    stop when the predicted decrease per unit weight is below ``tol``; exact to rounding
    with a small ``tol``) and ``"gd"`` (gradient descent with step 1/L, stop when the
    largest gradient entry per unit weight is below ``tol``; dense X only).

    Parameters
    ----------
    penalty : {"l2", None}
    C : float
        Inverse regularisation strength (np.inf: no penalty).
    fit_intercept : bool
    class_weight : dict, "balanced" or None
        Multiplies each sample's weight by its class's weight (see
        :func:`gradkit.ml.utils.compute_class_weight`).
    solver : {"lbfgs", "newton-cg", "newton-cholesky", "newton", "gd"}
    max_iter : int
    tol : float

    Attributes
    ----------
    classes_ : (K,); coef_ : (1, d) binary or (K, d); intercept_ : (1,) or (K,)
    n_iter_ : ndarray of shape (1,), iterations the solver ran.

    X may be a scipy.sparse matrix (all solvers but "gd").

    Examples
    --------
    >>> hours = np.array([[0.5], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> passed = np.array([0, 0, 1, 0, 1, 1])
    >>> clf = LogisticRegression(penalty=None).fit(hours, passed)
    >>> clf.predict([[4.5]])
    array([1])
    """

    def __init__(
        self,
        penalty: str | None = "l2",
        *,
        C: float = 1.0,
        fit_intercept: bool = True,
        class_weight=None,
        solver: str = "lbfgs",
        max_iter: int = 100,
        tol: float = 1e-4,
    ):
        self.penalty = penalty
        self.C = C
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    def _free_classes(self, n_classes: int) -> np.ndarray:
        return np.array([1]) if n_classes == 2 else np.arange(n_classes)


class SoftmaxRegression(_LogisticBase):
    """Softmax (multinomial logistic) regression with the θ_K = 0 convention (ML-SOFTMAX).

    P(y=k|x) = exp(θ_kᵀx) / Σ_j exp(θ_jᵀx) with θ_K fixed at 0, so the K − 1 free vectors
    are identifiable and the unpenalised maximum-likelihood fit is unique (on
    non-separable data). ``coef_`` has K rows, the last one zero.

    Parameters
    ----------
    penalty : {None, "l2"}
    C : float
    fit_intercept : bool
    solver : {"newton", "gd", "lbfgs", "newton-cg", "newton-cholesky"}
        As in :class:`LogisticRegression`; the default ``"newton"`` with ``tol=1e-10``
        gives the maximum-likelihood fit to rounding.
    max_iter : int
    tol : float
    """

    def __init__(
        self,
        penalty: str | None = None,
        *,
        C: float = 1.0,
        fit_intercept: bool = True,
        solver: str = "newton",
        max_iter: int = 100,
        tol: float = 1e-10,
    ):
        self.penalty = penalty
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    def _free_classes(self, n_classes: int) -> np.ndarray:
        return np.arange(n_classes - 1)

    def _set_coef(self, theta, free, n_classes):
        super()._set_coef(np.vstack([theta, np.zeros((1, theta.shape[1]))]), free, n_classes)

    def _logits(self, X) -> np.ndarray:
        return self._linear(X)

    def decision_function(self, X) -> np.ndarray:
        """Logits θ_kᵀx, (n_samples, K); for two classes the log-odds of class 1, (n,)."""
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits
