"""O-NEWTON, ML-LOGREG: the generic Newton–Raphson driven by the autograd Hessian
(``gradkit.optim.newton`` / ``Newton``) against closed forms, the ML-LOGREG worked example,
gradkit's closed-form-Hessian logistic regression and scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit as gk
from gradkit.ml.linear_model import LogisticRegression
from gradkit.optim import Newton, newton
from gradkit.optim.newton import gradient_and_hessian

# ML-LOGREG worked example ("hours studied" vs passing the exam; the same data as
# tests/ml/supervised/test_linear_model.py): unpenalised MLE θ = (−4.0777, 1.5046).
HOURS = np.array([0.5, 0.75, 1, 1.25, 1.5, 1.75, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5,
                  4, 4.25, 4.5, 4.75, 5, 5.5])  # fmt: skip
PASSED = np.array([0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1], dtype=float)


def _logistic_nll(X, y):
    """ℓ(θ) = −Σ [y log σ(Xθ) + (1 − y) log(1 − σ(Xθ))], written with plain tensor ops."""
    Xt, yt = gk.tensor(X), gk.tensor(y)

    def loss(theta):
        p = (Xt @ theta).sigmoid()
        return -(yt * p.log() + (1 - yt) * (1 - p).log()).sum()

    return loss


def _closed_form(X, y, theta):
    """∇ℓ = Xᵀ(p − y), ∇²ℓ = XᵀSX with S = diag(p(1 − p))."""
    p = 1 / (1 + np.exp(-X @ theta))
    return X.T @ (p - y), X.T @ (X * (p * (1 - p))[:, None])


def _design(hours):
    return np.column_stack([np.ones(len(hours)), hours])  # θ = (intercept, slope)


def test_o_newton_ml_logreg_worked_example():
    """Autograd Newton on the hours-studied data gives θ = (−4.0777, 1.5046) and
    P(pass | 2 h) = 0.26, converging quadratically from θ = 0."""
    X = _design(HOURS)
    theta, hist = newton(_logistic_nll(X, PASSED), gk.zeros(2, dtype=gk.float64), tol=1e-20)
    assert hist["converged"] and hist["n_iter"] < 10
    np.testing.assert_allclose(theta.numpy(), [-4.0777, 1.5046], atol=1e-4)
    assert round(float(1 / (1 + np.exp(-(theta.numpy() @ [1.0, 2.0])))), 2) == 0.26
    g, _ = _closed_form(X, PASSED, theta.numpy())
    assert np.abs(g).max() < 1e-12  # the stationarity condition Xᵀ(p − y) = 0 holds
    norms = hist["grad_norm"]
    # quadratic convergence: once close, each gradient norm is at most ~ C·(previous)²
    tail = [n for n in norms if 1e-13 < n < 1e-2]
    assert len(tail) >= 2 and all(b < 10 * a * a for a, b in zip(tail, tail[1:]))


def test_o_newton_matches_closed_form_newton_and_sklearn(rng):
    """Same MLE as gradkit's closed-form-Hessian Newton solver and scikit-learn's
    unpenalised LogisticRegression, on a random 4-feature problem."""
    sk_lm = pytest.importorskip("sklearn.linear_model")
    X = rng.normal(size=(200, 4))
    y = (rng.random(200) < 1 / (1 + np.exp(-(X @ [1.0, -2.0, 0.5, 0.0] + 0.3)))).astype(float)
    loss = _logistic_nll(np.column_stack([X, np.ones(200)]), y)  # θ = (w, intercept)
    theta, hist = newton(loss, gk.zeros(5, dtype=gk.float64), tol=1e-20)
    assert hist["converged"]
    ours = LogisticRegression(penalty=None, solver="newton", tol=1e-14).fit(X, y)
    np.testing.assert_allclose(theta.numpy()[:4], ours.coef_[0], atol=1e-8)
    np.testing.assert_allclose(theta.numpy()[4], ours.intercept_[0], atol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sklearn's penalty/C deprecations
        ref = sk_lm.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(theta.numpy()[:4], ref.coef_[0], atol=1e-5)
    np.testing.assert_allclose(theta.numpy()[4], ref.intercept_[0], atol=1e-5)


def test_one_newton_step_is_the_closed_form_step(rng):
    """With the line search off, one step is exactly θ − (XᵀSX + λI)⁻¹Xᵀ(p − y)."""
    X = np.column_stack([rng.normal(size=(30, 2)), np.ones(30)])
    y = (rng.random(30) < 0.5).astype(float)
    theta0 = np.array([0.3, -0.2, 0.1])
    for damping in (0.0, 0.7):
        g, H = _closed_form(X, y, theta0)
        expected = theta0 - np.linalg.solve(H + damping * np.eye(3), g)
        theta, hist = newton(_logistic_nll(X, y), gk.tensor(theta0), max_iter=1,
                             damping=damping, line_search=False)  # fmt: skip
        np.testing.assert_allclose(theta.numpy(), expected, atol=1e-12, rtol=0)
        assert hist["n_iter"] == 1 and hist["step_size"] == [1.0]


def test_gradient_and_hessian_are_the_closed_forms(rng):
    X = np.column_stack([rng.normal(size=(25, 2)), np.ones(25)])
    y = (rng.random(25) < 0.5).astype(float)
    theta = gk.tensor(rng.normal(size=3), requires_grad=True)
    g, H = gradient_and_hessian(_logistic_nll(X, y)(theta), [theta])
    g_ref, H_ref = _closed_form(X, y, theta.detach().numpy())
    np.testing.assert_allclose(g, g_ref, atol=1e-10, rtol=0)
    np.testing.assert_allclose(H, H_ref, atol=1e-10, rtol=0)


def test_quadratic_is_solved_in_one_step_and_scalar_newton():
    """ℓ = ½θᵀAθ − bᵀθ: one step lands on A⁻¹b. In 1-D: θ ← θ − ℓ'/ℓ'' finds ln 2 for
    ℓ = eᶿ − 2θ."""
    rng = np.random.default_rng(1)
    M = rng.normal(size=(4, 4))
    A, b = M @ M.T + 4 * np.eye(4), rng.normal(size=4)
    At, bt = gk.tensor(A), gk.tensor(b)
    theta, hist = newton(lambda t: 0.5 * (t * (At @ t)).sum() - (bt * t).sum(),
                         gk.zeros(4, dtype=gk.float64), max_iter=1)  # fmt: skip
    np.testing.assert_allclose(theta.numpy(), np.linalg.solve(A, b), atol=1e-12)
    start = gk.tensor([3.0], dtype=gk.float64)
    theta, hist = newton(lambda t: (t.exp() - 2 * t).sum(), start, tol=1e-20)
    assert hist["converged"] and abs(theta.item() - np.log(2)) < 1e-12
    assert start.item() == 3.0  # the start is not modified
    # the matrix shape of θ is kept
    W0 = gk.zeros(2, 2, dtype=gk.float64)
    W, _ = newton(lambda w: ((w - gk.tensor(A[:2, :2])) ** 2).sum(), W0)
    np.testing.assert_allclose(W.numpy(), A[:2, :2], atol=1e-12)


def test_line_search_guards_a_nonconvex_start():
    """ℓ = θ⁴/4 − θ²/2 has H < 0 at θ = 0.2: the raw Newton step heads for the maximum
    at 0; the safeguarded run falls back to the gradient and reaches a minimum ±1."""
    loss = lambda t: (t**4 / 4 - t**2 / 2).sum()  # noqa: E731
    raw, _ = newton(loss, gk.tensor([0.2], dtype=gk.float64), max_iter=1, line_search=False)
    assert abs(raw.item()) < 0.02  # pulled towards the local maximum
    theta, hist = newton(loss, gk.tensor([0.2], dtype=gk.float64), tol=1e-20)
    assert hist["converged"] and abs(abs(theta.item()) - 1) < 1e-10
    assert all(b <= a for a, b in zip(hist["loss"], hist["loss"][1:]))


def test_newton_optimizer_fits_logistic_regression_parameters():
    """The torch.optim-style ``Newton`` over two parameter tensors (w, b) reaches the
    worked example's θ in a few ``step(closure)`` calls."""
    x = gk.tensor(HOURS[:, None])
    y = gk.tensor(PASSED[:, None])
    w = gk.zeros(1, 1, dtype=gk.float64, requires_grad=True)
    b = gk.zeros(1, dtype=gk.float64, requires_grad=True)
    opt = Newton([w, b])

    def closure():
        p = (x @ w + b).sigmoid()
        return -(y * p.log() + (1 - y) * (1 - p).log()).sum()

    losses = [opt.step(closure).item() for _ in range(8)]
    np.testing.assert_allclose([b.item(), w.item()], [-4.0777, 1.5046], atol=1e-4)
    assert losses[-1] <= losses[0] and w.is_leaf and w.requires_grad


def test_bad_input_errors():
    x = gk.tensor([1.0, 2.0], dtype=gk.float64)
    with pytest.raises(ValueError, match="one element"):
        newton(lambda t: t * 2, x)
    with pytest.raises(ValueError, match="damping"):
        newton(lambda t: (t * t).sum(), x, damping=-1.0)
    with pytest.raises(ValueError, match="max_iter"):
        newton(lambda t: (t * t).sum(), x, max_iter=0)
    with pytest.raises(ValueError, match="NaN"):
        newton(lambda t: (t * t).sum(), gk.tensor([np.nan]))
    with pytest.raises(RuntimeError, match="does not depend on theta"):
        newton(lambda t: gk.tensor(t.detach().numpy()).sum(), x)
    w = gk.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="closure"):
        Newton([w]).step()
    with pytest.raises(ValueError, match="lr"):
        Newton([w], lr=0.0)
