"""ML-LOGREG / ML-SOFTMAX options against scikit-learn 1.9 (same data, same options):
every solver, penalty, C, fit_intercept, class_weight, sample_weight, sparse X, tol and
max_iter (n_iter_ and ConvergenceWarning), and the Hessian-vector path of Newton."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradkit.ml.exceptions import ConvergenceWarning
from gradkit.ml.linear_model import LogisticRegression, SoftmaxRegression

sk_lm = pytest.importorskip("sklearn.linear_model")
sp = pytest.importorskip("scipy.sparse")
sopt = pytest.importorskip("scipy.optimize")

_rng = np.random.default_rng(0)
X = _rng.normal(size=(40, 3))
X[:, 1] *= 3.0
_t = X @ np.array([1.0, -0.5, 0.3]) + _rng.normal(size=40)
Y2 = (_t + 0.4 > 0).astype(int)
Y3 = np.digitize(_t, [-0.7, 0.7])
LABELS = {2: np.array(["no", "yes"]), 3: np.array(["a", "b", "c"])}
SW = np.linspace(0.2, 2.0, 40)


def sk_fit(y, sample_weight=None, penalty="l2", **kw):
    if penalty is None:
        kw["C"] = np.inf  # scikit-learn 1.8+: C=inf instead of the deprecated penalty=None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sk_lm.LogisticRegression(**kw).fit(X, y, sample_weight=sample_weight)


def assert_same(ours, ref, Xt=X, atol=1e-9):
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=atol)
    np.testing.assert_allclose(ours.decision_function(Xt), ref.decision_function(Xt), atol=atol)
    np.testing.assert_allclose(ours.predict_proba(Xt), ref.predict_proba(Xt), atol=atol)
    np.testing.assert_allclose(
        ours.predict_log_proba(Xt), ref.predict_log_proba(Xt), atol=atol * 10
    )
    np.testing.assert_array_equal(ours.predict(Xt), ref.predict(Xt))


OPTIONS = [
    {},
    {"C": 0.3, "fit_intercept": False},
    {"penalty": None},
    {"class_weight": "balanced"},
    {"class_weight": {"no": 2.0, "yes": 0.5, "a": 2.0, "b": 0.5, "c": 1.0}},
    {"C": 5.0, "sample_weight": True},
]


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg", "newton-cholesky"])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_ml_logreg_sklearn_solvers_match_path_and_n_iter(solver, k, opts):
    """ML-LOGREG: scikit-learn's solvers reproduce scikit-learn's fit and n_iter_ exactly."""
    opts = dict(opts)
    y = LABELS[k][Y2 if k == 2 else Y3]
    sw = SW if opts.pop("sample_weight", False) else None
    if isinstance(opts.get("class_weight"), dict):
        opts["class_weight"] = {c: v for c, v in opts["class_weight"].items() if c in set(y)}
    ours = LogisticRegression(solver=solver, **opts).fit(X, y, sample_weight=sw)
    ref = sk_fit(y, sw, solver=solver, **opts)
    assert ours.coef_.shape == ref.coef_.shape
    # unpenalised multinomial: a flat direction, so rounding differs more along the path
    assert_same(ours, ref, atol=1e-7 if "penalty" in opts else 1e-9)
    np.testing.assert_array_equal(ours.n_iter_, ref.n_iter_)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("solver", ["newton", "gd"])
def test_ml_logreg_own_solvers_reach_sklearn_optimum(solver, k):
    """O-NEWTON / gradient descent: gradkit's own solvers reach scikit-learn's optimum."""
    y = Y2 if k == 2 else Y3
    for opts in ({"C": 0.5}, {"C": 2.0, "fit_intercept": False}, {"class_weight": "balanced"}):
        tol = 1e-12 if solver == "newton" else 1e-9
        ours = LogisticRegression(solver=solver, tol=tol, max_iter=20_000, **opts)
        ours.fit(X, y, sample_weight=SW)
        ref = sk_fit(y, SW, tol=1e-12, max_iter=10_000, **opts)
        assert_same(ours, ref, atol=1e-6)
        assert 1 <= ours.n_iter_[0] < (20 if solver == "newton" else 20_000)


@pytest.mark.parametrize("solver", ["newton", "newton-cg", "newton-cholesky", "lbfgs"])
def test_ml_logreg_sparse_equals_dense(solver):
    """ML-LOGREG: scipy.sparse X gives the dense fit (dense and Hessian-operator paths)."""
    for y in (Y2, Y3):
        dense = LogisticRegression(solver=solver, tol=1e-12, max_iter=500).fit(X, y)
        sparse = LogisticRegression(solver=solver, tol=1e-12, max_iter=500).fit(sp.csr_matrix(X), y)
        ref = sk_fit(y, tol=1e-12, max_iter=10_000)
        assert_same(sparse, ref, atol=1e-6)
        assert_same(dense, ref, atol=1e-6)
        np.testing.assert_allclose(
            sparse.predict_proba(sp.csr_matrix(X)), ref.predict_proba(X), atol=1e-6
        )


def test_ml_logreg_newton_hessian_vector_path_matches_sklearn():
    """O-NEWTON: above 200 parameters Newton uses Hessian-vector products (and the
    sparse dense Hessian for newton-cholesky); both reach scikit-learn's optimum."""
    rng = np.random.default_rng(1)
    Xw = rng.normal(size=(60, 45))
    y = rng.integers(0, 5, size=60)  # 5 × 46 = 230 parameters
    sw = rng.uniform(0.5, 1.5, size=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sk_lm.LogisticRegression(C=0.2, tol=1e-12, max_iter=10_000).fit(
            Xw, y, sample_weight=sw
        )
    ours = LogisticRegression(C=0.2, solver="newton", tol=1e-13).fit(Xw, y, sample_weight=sw)
    assert_same(ours, ref, Xt=Xw, atol=1e-6)
    small = LogisticRegression(C=0.2, solver="newton-cholesky", tol=1e-10)
    small.fit(sp.csr_matrix(Xw[:, :8]), y, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref8 = sk_lm.LogisticRegression(C=0.2, solver="newton-cholesky", tol=1e-10).fit(
            Xw[:, :8], y, sample_weight=sw
        )
    assert_same(small, ref8, Xt=Xw[:, :8], atol=1e-8)
    np.testing.assert_array_equal(small.n_iter_, ref8.n_iter_)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg", "newton-cholesky", "newton", "gd"])
def test_ml_logreg_max_iter_warns_and_counts(solver):
    """ML-LOGREG: too few iterations raise ConvergenceWarning; n_iter_ is what ran."""
    with pytest.warns(
        ConvergenceWarning, match=rf"^LogisticRegression \(solver='{solver}'\).*in 2 iterations"
    ) as record:
        clf = LogisticRegression(solver=solver, max_iter=2, tol=1e-14).fit(X, Y3)
    # stacklevel: the warning points outside gradkit's module, at the caller of fit
    assert not record[0].filename.endswith("_logistic.py")
    assert clf.n_iter_.dtype == np.int32 and clf.n_iter_.tolist() == [2]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticRegression(solver=solver, max_iter=5000, tol=1e-3).fit(X, Y2)


def test_ml_logreg_tol_stops_earlier():
    """ML-LOGREG: a loose tol stops after fewer iterations, as scikit-learn's."""
    for solver in ("lbfgs", "newton-cg", "newton-cholesky"):
        loose = LogisticRegression(solver=solver, tol=1e-1).fit(X, Y3)
        ref = sk_fit(Y3, solver=solver, tol=1e-1)
        np.testing.assert_array_equal(loose.n_iter_, ref.n_iter_)
        np.testing.assert_allclose(loose.coef_, ref.coef_, atol=1e-9)
    tight = LogisticRegression(solver="gd", tol=1e-8, max_iter=50_000).fit(X, Y2)
    loose = LogisticRegression(solver="gd", tol=1e-2, max_iter=50_000).fit(X, Y2)
    assert loose.n_iter_[0] < tight.n_iter_[0]


def test_ml_logreg_gd_converged_at_start_counts_one():
    """gd: already optimal at θ = 0 (balanced labels, symmetric X) stops at once, n_iter_ 1."""
    Xs = np.array([[-1.0], [1.0], [-1.0], [1.0]])
    ys = np.array([0, 0, 1, 1])
    for solver in ("gd", "newton"):  # the gradient is exactly 0: even tol=0 is met
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            clf = LogisticRegression(solver=solver, tol=0.0).fit(Xs, ys)
        assert clf.n_iter_.tolist() == [1]
        np.testing.assert_allclose(clf.coef_, 0.0, atol=1e-12)


def _softmax_reference(Xm, y, k, inv_c, fit_intercept):
    """Penalised multinomial NLL with θ_K = 0, minimised by SciPy's BFGS (the oracle)."""
    Xa = np.hstack([Xm, np.ones((len(Xm), 1))]) if fit_intercept else Xm
    d = Xa.shape[1]

    def f(t):
        T = np.vstack([t.reshape(k - 1, d), np.zeros(d)])
        Z = Xa @ T.T
        nll = np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(len(y)), y]
        W = T[:, :-1] if fit_intercept else T
        return nll.sum() + 0.5 * inv_c * (W * W).sum()

    res = sopt.minimize(f, np.zeros((k - 1) * d), method="BFGS", options={"gtol": 1e-10})
    T = np.vstack([res.x.reshape(k - 1, d), np.zeros(d)])
    return (T[:, :-1], T[:, -1]) if fit_intercept else (T, np.zeros(k))


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "newton-cg", "newton-cholesky", "gd"])
@pytest.mark.parametrize("opts", [{"penalty": "l2", "C": 0.7}, {"fit_intercept": False}])
def test_ml_softmax_solvers_and_penalty_match_direct_minimisation(solver, opts):
    """ML-SOFTMAX: the θ_K = 0 fit (penalised or not, with or without intercept) is the
    minimiser of the penalised multinomial likelihood."""
    ours = SoftmaxRegression(solver=solver, tol=1e-11, max_iter=100_000, **opts).fit(X, Y3)
    inv_c = 1.0 / opts["C"] if "C" in opts else 0.0
    coef, intercept = _softmax_reference(X, Y3, 3, inv_c, opts.get("fit_intercept", True))
    np.testing.assert_allclose(ours.coef_, coef, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, intercept, atol=1e-5)
    Z = X @ coef.T + intercept
    np.testing.assert_allclose(ours.decision_function(X), Z, atol=1e-5)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ours.predict_proba(X), P, atol=1e-6)


def test_ml_softmax_binary_decision_is_log_odds():
    """ML-SOFTMAX: two classes: decision_function is the log-odds of class 1, shape (n,)."""
    clf = SoftmaxRegression().fit(X, Y2)
    p = clf.predict_proba(X)
    d = clf.decision_function(X)
    assert d.shape == (40,)
    np.testing.assert_allclose(d, np.log(p[:, 1] / p[:, 0]), atol=1e-10)
    ref = sk_fit(Y2, penalty=None, tol=1e-12, max_iter=10_000)
    np.testing.assert_allclose(p, ref.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), ref.predict(X))


def test_ml_logreg_extreme_logits_stay_finite():
    """predict_proba shifts the logits by their max: no overflow at |z| ~ 1000."""
    clf = LogisticRegression().fit(X, Y3)
    Xbig = X[:5] * 1e3
    p = clf.predict_proba(Xbig)
    assert np.all(np.isfinite(p))
    ref = sk_fit(Y3)
    np.testing.assert_allclose(p, ref.predict_proba(Xbig), atol=1e-9)


def test_ml_logreg_bad_options():
    with pytest.raises(ValueError, match="C must be positive"):
        LogisticRegression(C=0.0).fit(X, Y2)
    LogisticRegression(penalty=None, C=0.0).fit(X, Y2)  # C is ignored without a penalty
    with pytest.raises(ValueError, match="tol must be non-negative"):
        LogisticRegression(tol=-1e-3).fit(X, Y2)
    with pytest.warns(ConvergenceWarning):  # tol=0 and max_iter=0 are valid boundaries
        LogisticRegression(solver="gd", tol=0.0, max_iter=0).fit(X, Y2)
    with pytest.raises(ValueError, match="max_iter"):
        LogisticRegression(max_iter=2.5).fit(X, Y2)
    with pytest.raises(ValueError, match="max_iter"):
        LogisticRegression(max_iter=-1).fit(X, Y2)
    with pytest.raises(ValueError, match=r"Unknown penalty='l1'"):
        LogisticRegression(penalty="l1").fit(X, Y2)
    with pytest.raises(ValueError, match=r"Unknown solver='sag'"):
        LogisticRegression(solver="sag").fit(X, Y2)
    with pytest.raises(ValueError, match=r"^LogisticRegression needs samples of at least 2"):
        LogisticRegression().fit(X, np.zeros(40))
    with pytest.raises(TypeError, match="dense X"):
        LogisticRegression(solver="gd").fit(sp.csr_matrix(X), Y2)
    with pytest.raises(ValueError, match="solver"):
        SoftmaxRegression(solver="saga").fit(X, Y2)


def _objective(k, sparse=False, penalty=True, d=3):
    from gradkit.ml.linear_model._logistic import _Objective

    rng = np.random.default_rng(4)
    Xd = np.hstack([rng.normal(size=(30, d)), np.ones((30, 1))])
    y = rng.integers(0, k, size=30)
    y[:k] = np.arange(k)
    free = np.array([1]) if k == 2 else np.arange(k)
    s = rng.uniform(0.5, 2.0, size=30)
    Xa = sp.csr_matrix(Xd) if sparse else Xd
    obj = _Objective(Xa, y, k, free, s, 0.7 if penalty else 0.0, True)
    theta = rng.normal(size=len(free) * (d + 1))
    return obj, theta, Xd, y, s


def _fd_hessian(obj, theta, h=1e-6):
    cols = []
    for j in range(len(theta)):
        e = np.zeros_like(theta)
        e[j] = h
        cols.append((obj.value_grad(theta + e)[1] - obj.value_grad(theta - e)[1]) / (2 * h))
    return np.array(cols).T


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("penalty", [True, False])
@pytest.mark.parametrize("k", [2, 3])
def test_ml_logreg_objective_derivatives_match_finite_differences(k, penalty, sparse):
    """ML-LOGREG / O-NEWTON: the penalised NLL's gradient, dense Hessian, Hessian-vector
    product and diagonal equal float64 central differences; all classes free adds the
    projector onto the flat directions (Σ_k θ_k shifts), 1/K on each, in H, Hv and diag."""
    obj, theta, Xd, y, s = _objective(k, sparse, penalty)
    value, grad = obj.value_grad(theta)
    # the objective from its definition
    T = theta.reshape(obj.shape)
    Z = np.zeros((30, k))
    Z[:, obj.free] = Xd @ T.T
    nll = np.log(np.exp(Z).sum(1)) - Z[np.arange(30), y]
    ref = s @ nll + (0.5 * 0.7 * (T[:, :-1] ** 2).sum() if penalty else 0.0)
    assert value == pytest.approx(ref, rel=1e-12)
    fd = np.array(
        [
            (obj.value_grad(theta + e)[0] - obj.value_grad(theta - e)[0]) / 2e-6
            for e in np.eye(len(theta)) * 1e-6
        ]
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6)
    H = _fd_hessian(obj, theta)
    v0, g0, H0 = obj(theta, dense=True, project=False)
    assert v0 == value and np.array_equal(g0, grad)
    np.testing.assert_allclose(H0, H, rtol=1e-6, atol=1e-6)
    # the default projects the flat directions when all classes are free
    P = np.zeros_like(H)
    if k > 2:
        flat = np.zeros(obj.shape[1]) if penalty else np.ones(obj.shape[1])
        flat[-1] = 1.0
        P = np.kron(np.ones((k, k)), np.diag(flat / k))
    _, _, Hp = obj(theta, dense=True)
    np.testing.assert_allclose(Hp, H + P, rtol=1e-6, atol=1e-6)
    _, _, (hvp, diag) = obj(theta, dense=False)
    np.testing.assert_allclose(diag, np.diag(H + P), rtol=1e-6, atol=1e-6)
    for v in np.random.default_rng(0).normal(size=(3, len(theta))):
        np.testing.assert_allclose(hvp(v), (H + P) @ v, rtol=1e-6, atol=1e-6)
    _, _, (hvp0, diag0) = obj(theta, dense=False, project=False)
    np.testing.assert_allclose(diag0, np.diag(H), rtol=1e-6, atol=1e-6)
    # which form the default returns: dense up to 200 parameters on dense X
    assert isinstance(obj(theta)[2], tuple) == sparse


def test_ml_logreg_hessian_form_switches_above_200_parameters():
    """O-NEWTON: 4 classes × 50 columns = 200 parameters: the dense Hessian; 204: (hvp, diag)."""
    obj, theta, *_ = _objective(4, d=49)
    assert obj.shape == (4, 50) and isinstance(obj(theta)[2], np.ndarray)
    obj, theta, *_ = _objective(4, d=50)
    assert isinstance(obj(theta)[2], tuple)


def test_ml_logreg_objective_is_stable_for_extreme_logits():
    """The logits are shifted by each sample's own max: finite value at |z| ~ 800."""
    obj, theta, Xd, y, s = _objective(3)
    T = np.zeros(obj.shape)
    T[0, 0] = 400.0  # sample logits differ by up to ~1000 between samples
    value, grad = obj.value_grad(T.ravel())
    Z = Xd @ T.T
    m = Z.max(1, keepdims=True)
    nll = (m[:, 0] + np.log(np.exp(Z - m).sum(1))) - Z[np.arange(30), y]
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value == pytest.approx(s @ nll + 0.5 * 0.7 * 400.0**2, rel=1e-12)


@pytest.mark.parametrize("k", [2, 3])
def test_ml_logreg_gd_first_step_is_gradient_over_lipschitz(k):
    """gd: θ₁ = −∇ℓ(0)/L with L = ½‖S^½ X̃‖₂² + 1/C (the step bound in the docstring)."""
    y = Y2 if k == 2 else Y3
    with pytest.warns(ConvergenceWarning):
        clf = LogisticRegression(solver="gd", C=0.5, max_iter=1).fit(X, y, sample_weight=SW)
    Xa = np.hstack([X, np.ones((40, 1))])
    K = 1 if k == 2 else k
    Yk = (y[:, None] == (np.arange(K) + (1 if k == 2 else 0))).astype(float)
    P = np.full((40, K), 0.5 if k == 2 else 1.0 / k)
    grad = ((P - Yk) * SW[:, None]).T @ Xa
    L = 0.5 * np.linalg.norm(Xa * np.sqrt(SW)[:, None], 2) ** 2 + 2.0
    theta = -grad / L
    np.testing.assert_allclose(clf.coef_, theta[:, :-1], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(clf.intercept_, theta[:, -1], rtol=1e-10, atol=1e-14)


def test_ml_logreg_defaults_are_sklearns():
    """LogisticRegression's defaults are scikit-learn's; SoftmaxRegression shares C and
    max_iter with them (its own defaults: no penalty, Newton, tol 1e-10)."""
    ours = LogisticRegression().get_params()
    ref = sk_lm.LogisticRegression().get_params()
    for key in ("C", "fit_intercept", "class_weight", "solver", "max_iter", "tol"):
        assert ours[key] == ref[key], key
    soft = SoftmaxRegression().get_params()
    assert soft["C"] == ref["C"] and soft["max_iter"] == ref["max_iter"]
    assert soft["penalty"] is None and soft["solver"] == "newton" and soft["tol"] == 1e-10


def _binary_grad(theta, Xa, y, s, inv_c):
    p = 1.0 / (1.0 + np.exp(-(Xa @ theta)))
    g = Xa.T @ (s * (p - y))
    g[:-1] += inv_c * theta[:-1]
    return g


def test_ml_logreg_gd_iterates_and_n_iter_follow_the_documented_rule():
    """gd: θ ← θ − ∇ℓ/L from 0 until max|∇ℓ| ≤ tol·Σs; n_iter_ is the number of steps;
    with max_iter = m it stops after exactly m steps (an independent loop is the oracle)."""
    Xa = np.hstack([X, np.ones((40, 1))])
    inv_c = 2.0
    L = 0.5 * np.linalg.norm(Xa * np.sqrt(SW)[:, None], 2) ** 2 + inv_c
    theta, steps = np.zeros(4), 0
    while np.abs(_binary_grad(theta, Xa, Y2, SW, inv_c)).max() > 1e-3 * SW.sum():
        theta = theta - _binary_grad(theta, Xa, Y2, SW, inv_c) / L
        steps += 1
    clf = LogisticRegression(solver="gd", C=0.5, tol=1e-3, max_iter=10_000)
    clf.fit(X, Y2, sample_weight=SW)
    assert clf.n_iter_.tolist() == [steps] and steps > 3
    np.testing.assert_allclose(clf.coef_[0], theta[:-1], rtol=1e-9)
    two = np.zeros(4)
    for _ in range(2):
        two = two - _binary_grad(two, Xa, Y2, SW, inv_c) / L
    with pytest.warns(ConvergenceWarning):
        clf2 = LogisticRegression(solver="gd", C=0.5, tol=0.0, max_iter=2).fit(X, Y2, SW)
    np.testing.assert_allclose(clf2.coef_[0], two[:-1], rtol=1e-10)
    np.testing.assert_allclose(clf2.intercept_, two[-1:], rtol=1e-10)


@pytest.mark.parametrize("solver", ["newton", "gd"])
def test_ml_logreg_tol_is_per_unit_weight(solver):
    """gradkit's solvers stop on a per-unit-weight rule: weights ×1000 with C ÷1000 scale
    the objective Σ s_i ℓ_i + ‖w‖²/(2C) by 1000 and give the same iterations and fit."""
    tol = 1e-3 if solver == "newton" else 1e-4
    a = LogisticRegression(solver=solver, C=0.5, tol=tol, max_iter=10_000)
    a.fit(X, Y3, sample_weight=SW)
    b = LogisticRegression(solver=solver, C=0.0005, tol=tol, max_iter=10_000)
    b.fit(X, Y3, sample_weight=1000 * SW)
    assert a.n_iter_.tolist() == b.n_iter_.tolist()
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-10)
    loose = LogisticRegression(solver=solver, C=0.5, tol=tol * 100, max_iter=10_000)
    assert loose.fit(X, Y3, sample_weight=SW).n_iter_[0] < a.n_iter_[0]


def test_ml_logreg_refit_resets_n_features():
    """A second fit with fewer features resets n_features_in_; predict checks it."""
    clf = LogisticRegression().fit(X, Y2)
    assert clf.n_features_in_ == 3
    clf.fit(X[:, :2], Y2)
    assert clf.n_features_in_ == 2 and clf.predict(X[:, :2]).shape == (40,)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X)


@pytest.mark.parametrize("penalty", [True, False])
def test_ml_logreg_centred_removes_the_class_mean_on_flat_columns(penalty):
    """All classes free: centred() returns the representative with Σ_k θ_k = 0 on the
    unpenalised columns (the intercept; every column without a penalty), the others kept;
    with a reference class fixed it is the identity."""
    obj, theta, *_ = _objective(3, penalty=penalty)
    T = theta.reshape(obj.shape) + np.array([[1.0], [2.0], [4.0]])  # class-dependent shifts
    out = obj.centred(T)
    expect = T.copy()
    cols = [3] if penalty else [0, 1, 2, 3]
    expect[:, cols] -= T[:, cols].mean(axis=0)
    np.testing.assert_allclose(out, expect, rtol=1e-14, atol=1e-14)
    assert not np.shares_memory(out, T)
    binary, tb, *_ = _objective(2, penalty=penalty)
    np.testing.assert_array_equal(binary.centred(tb.reshape(binary.shape)), tb.reshape(1, -1))
