"""O-SGD / NN-PERCEPTRON options against scikit-learn 1.9, which takes the same steps in
the same order: every loss, penalty (l1, l2, elasticnet, None), alpha, l1_ratio,
learning_rate / eta0 / power_t, average (True and an int), early_stopping with
validation_fraction / n_iter_no_change, shuffle, random_state, fit_intercept,
class_weight (dict and "balanced"), sample_weight, tol / max_iter, sparse X, warm_start,
coef_init / intercept_init and partial_fit. Tiny data (24 × 3, ≤ 30 epochs)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradkit.ml.exceptions import ConvergenceWarning
from gradkit.ml.linear_model import Perceptron, SGDClassifier, SGDRegressor

sk_lm = pytest.importorskip("sklearn.linear_model")
sp = pytest.importorskip("scipy.sparse")

_rng = np.random.default_rng(2)
X = _rng.normal(size=(24, 3))
_t = X @ np.array([1.0, -1.0, 0.5]) + 0.5 * _rng.normal(size=24)
Y2 = (_t > 0).astype(int)
Y3 = np.digitize(_t, [-0.5, 0.5])
YR = _t + 1.0
SW = np.linspace(0.5, 1.5, 24)


def _fit(est, Xf, y, **fit_kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(Xf, y, **fit_kw)


def assert_same_fit(ours, ref, Xf, rtol=1e-9):
    scale = max(1.0, np.abs(ref.coef_).max())
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=1e-10 * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=1e-10 * scale)
    assert np.all(np.asarray(ours.n_iter_) == ref.n_iter_)
    assert ours.t_ == ref.t_
    np.testing.assert_allclose(
        ours.decision_function(Xf) if hasattr(ref, "decision_function") else ours.predict(Xf),
        ref.decision_function(Xf) if hasattr(ref, "decision_function") else ref.predict(Xf),
        rtol=rtol,
        atol=1e-9 * scale,
    )


CLASSIFIER_OPTIONS = [
    {},
    {"loss": "log_loss"},
    {"loss": "modified_huber"},
    {"loss": "squared_hinge", "learning_rate": "constant", "eta0": 0.01},
    {"loss": "perceptron"},
    {"loss": "squared_error", "learning_rate": "invscaling", "eta0": 0.01},
    {"loss": "epsilon_insensitive", "epsilon": 0.2},
    {"loss": "squared_epsilon_insensitive", "learning_rate": "constant", "eta0": 0.01},
    {"penalty": "l1", "alpha": 0.01},
    {"penalty": "elasticnet", "l1_ratio": 0.4, "alpha": 0.01},
    {"penalty": None},
    {"learning_rate": "constant", "eta0": 0.1},
    {"learning_rate": "invscaling", "eta0": 0.1, "power_t": 0.3},
    {"learning_rate": "adaptive", "eta0": 0.1},
    {"average": True},
    {"average": 5},
    {"early_stopping": True, "validation_fraction": 0.25, "n_iter_no_change": 2},
    {"shuffle": False},
    {"random_state": 3},
    {"fit_intercept": False},
    {"class_weight": "balanced"},
    {"class_weight": {0: 2.0, 1: 0.5, 2: 1.0}},
    {"tol": None, "max_iter": 7},
    {"tol": 1e-1, "n_iter_no_change": 1},
    {"alpha": 0.1},
]


def _ids(o):
    return ",".join(f"{k}={v}" for k, v in o.items()) or "default"


@pytest.mark.parametrize("opts", CLASSIFIER_OPTIONS, ids=_ids)
def test_o_sgd_classifier_option_takes_sklearns_steps(opts):
    """O-SGD: binary and one-vs-rest fits, weighted, equal scikit-learn's step for step."""
    opts = {"random_state": 0, "max_iter": 30, **opts}
    for y in (Y2, Y3):
        kw = dict(opts)
        if isinstance(kw.get("class_weight"), dict):
            kw["class_weight"] = {c: v for c, v in kw["class_weight"].items() if c in set(y)}
        ours = _fit(SGDClassifier(**kw), X, y, sample_weight=SW)
        ref = _fit(sk_lm.SGDClassifier(**kw), X, y, sample_weight=SW)
        assert_same_fit(ours, ref, X)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
        if kw.get("loss") in ("log_loss", "modified_huber"):
            np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-9)
    # sparse X: only stored entries are touched, the intercept's steps are damped
    ours = _fit(SGDClassifier(**opts), sp.csr_matrix(X), Y3)
    ref = _fit(sk_lm.SGDClassifier(**opts), sp.csr_matrix(X), Y3)
    assert_same_fit(ours, ref, sp.csr_matrix(X))


REGRESSOR_OPTIONS = [
    {},
    {"loss": "huber"},
    {"loss": "epsilon_insensitive", "epsilon": 0.05},
    {"loss": "squared_epsilon_insensitive"},
    {"penalty": "l1", "alpha": 0.01},
    {"penalty": "elasticnet", "l1_ratio": 0.7, "alpha": 0.01},
    {"learning_rate": "constant", "eta0": 0.005},
    {"learning_rate": "optimal", "alpha": 0.5},
    {"learning_rate": "adaptive"},
    {"average": True},
    {"average": 3},
    {"early_stopping": True, "validation_fraction": 0.3},
    {"shuffle": False},
    {"fit_intercept": False},
    {"power_t": 0.4},
    {"epsilon": 0.5, "loss": "huber"},
]


@pytest.mark.parametrize("opts", REGRESSOR_OPTIONS, ids=_ids)
def test_o_sgd_regressor_option_takes_sklearns_steps(opts):
    """O-SGD: SGDRegressor (weighted, dense and sparse) equals scikit-learn's."""
    opts = {"random_state": 0, "max_iter": 30, **opts}
    ours = _fit(SGDRegressor(**opts), X, YR, sample_weight=SW)
    ref = _fit(sk_lm.SGDRegressor(**opts), X, YR, sample_weight=SW)
    assert_same_fit(ours, ref, X)
    ours = _fit(SGDRegressor(**opts), sp.csr_matrix(X), YR)
    ref = _fit(sk_lm.SGDRegressor(**opts), sp.csr_matrix(X), YR)
    assert_same_fit(ours, ref, sp.csr_matrix(X))


@pytest.mark.parametrize(
    "opts",
    [
        {},
        {"penalty": "l2", "alpha": 0.01},
        {"penalty": "elasticnet", "l1_ratio": 0.5, "alpha": 0.01},
        {"eta0": 0.3, "shuffle": False},
        {"early_stopping": True},
        {"class_weight": "balanced"},
        {"fit_intercept": False, "max_iter": 4, "tol": None},
    ],
    ids=_ids,
)
def test_nn_perceptron_options_are_sklearns(opts):
    """NN-PERCEPTRON: Perceptron's defaults and options give scikit-learn's fit."""
    for y in (Y2, Y3):
        ours = _fit(Perceptron(**opts), X, y)
        ref = _fit(sk_lm.Perceptron(**opts), X, y)
        assert_same_fit(ours, ref, X)
    params = Perceptron().get_params()
    for key, value in sk_lm.Perceptron().get_params().items():
        assert params[key] == value, key


def test_o_sgd_defaults_are_sklearns():
    for ours, ref in (
        (SGDClassifier(), sk_lm.SGDClassifier()),
        (SGDRegressor(), sk_lm.SGDRegressor()),
    ):
        params = ours.get_params()
        for key, value in ref.get_params().items():
            assert params[key] == value, (type(ours).__name__, key)


@pytest.mark.parametrize("cls", ["SGDClassifier", "SGDRegressor"])
def test_o_sgd_warm_start_init_and_partial_fit(cls):
    """O-SGD: warm_start continues from the last coef_; coef_init / intercept_init start
    there; partial_fit runs one epoch per call with the same t_ — all as scikit-learn."""
    ours_cls, ref_cls = globals()[cls], getattr(sk_lm, cls)
    y = Y3 if cls == "SGDClassifier" else YR
    kw = {"random_state": 0, "max_iter": 5, "tol": None}
    a = ours_cls(warm_start=True, **kw)
    b = ref_cls(warm_start=True, **kw)
    for _ in range(2):
        _fit(a, X, y)
        _fit(b, X, y)
    assert_same_fit(a, b, X)
    shape = (3, 3) if cls == "SGDClassifier" else (3,)
    coef0 = np.arange(np.prod(shape), dtype=float).reshape(shape) / 10
    b0 = np.array([0.1, -0.2, 0.3]) if cls == "SGDClassifier" else np.array([0.5])
    a = _fit(ours_cls(**kw), X, y, coef_init=coef0, intercept_init=b0)
    b = _fit(ref_cls(**kw), X, y, coef_init=coef0, intercept_init=b0)
    assert_same_fit(a, b, X)
    a, b = ours_cls(random_state=0), ref_cls(random_state=0)
    extra = {"classes": np.arange(3)} if cls == "SGDClassifier" else {}
    for i in range(3):
        rows = slice(8 * i, 8 * i + 8)
        a.partial_fit(X[rows], y[rows], sample_weight=SW[rows], **extra)
        b.partial_fit(X[rows], y[rows], sample_weight=SW[rows], **extra)
    assert_same_fit(a, b, X)


def test_o_sgd_max_iter_warning_and_validation():
    """O-SGD: stopping at max_iter with tol set warns; tol=None does not; bad options
    are refused with the option's name."""
    msg = "^Maximum number of iteration reached before convergence. Consider increasing max_iter"
    with pytest.warns(ConvergenceWarning, match=msg):
        SGDClassifier(max_iter=1, random_state=0).fit(X, Y2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        SGDClassifier(max_iter=1, tol=None, random_state=0).fit(X, Y2)
    bad = [
        ({"loss": "absolute"}, "Unknown loss="),
        ({"penalty": "l3"}, "Unknown penalty="),
        ({"learning_rate": "fast"}, "Unknown learning_rate="),
        ({"alpha": -1.0}, "alpha"),
        ({"epsilon": -0.1}, "epsilon"),
        ({"power_t": -0.5}, "power_t"),
        ({"eta0": 0.0, "learning_rate": "constant"}, "eta0"),
        ({"l1_ratio": 1.5}, "l1_ratio"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": -1.0}, "tol"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"validation_fraction": 1.0, "early_stopping": True}, "validation_fraction"),
        ({"validation_fraction": 0.0}, "validation_fraction"),
        ({"average": -1}, "average"),
        ({"alpha": 0.0, "learning_rate": "optimal"}, "alpha must be > 0"),
        ({"penalty": "elasticnet", "l1_ratio": None}, "l1_ratio must be set"),
    ]
    for opts, match in bad:
        with pytest.raises(ValueError, match=match):
            SGDClassifier(**opts).fit(X, Y2)
    with pytest.raises(ValueError, match="early_stopping should be False with partial_fit"):
        SGDClassifier(early_stopping=True).partial_fit(X, Y2, classes=[0, 1])
    # the boundaries are valid
    SGDClassifier(
        alpha=0.0,
        learning_rate="constant",
        eta0=0.1,
        tol=0.0,
        max_iter=1,
        n_iter_no_change=1,
        l1_ratio=0.0,
        epsilon=0.0,
        power_t=0.0,
    ).fit(X, Y2)
    SGDRegressor(l1_ratio=1.0, average=1, max_iter=2, tol=None).fit(X, YR)


@pytest.mark.parametrize("cls", ["SGDClassifier", "SGDRegressor"])
def test_o_sgd_refit_restarts_and_explicit_init_wins(cls):
    """O-SGD: a second fit without warm_start starts again from zero (the same as a fresh
    fit); with warm_start an explicit coef_init / intercept_init wins over the previous
    coefficients; a scalar intercept_init is accepted — all as scikit-learn."""
    ours_cls, ref_cls = globals()[cls], getattr(sk_lm, cls)
    y = Y3 if cls == "SGDClassifier" else YR
    kw = {"random_state": 0, "max_iter": 5, "tol": None, "average": 3}
    a, b = ours_cls(**kw), ref_cls(**kw)
    for est in (a, b):
        _fit(est, X, y)
        _fit(est, X[::-1] * 0.5, y[::-1])
    assert_same_fit(a, b, X)
    assert_same_fit(a, _fit(ours_cls(**kw), X[::-1] * 0.5, y[::-1]), X)
    shape = (3, 3) if cls == "SGDClassifier" else (3,)
    coef0 = np.ones(shape, dtype=int)  # integers are taken as floats
    b0 = np.array([0.1, -0.2, 0.3]) if cls == "SGDClassifier" else 0.5
    # (scikit-learn's SGDRegressor, unlike its SGDClassifier, ignores an explicit coef_init
    # once warm_start has coefficients; gradkit follows the documented meaning for both:
    # the fit starts from coef_init, as a fresh fit from it)
    a = _fit(ours_cls(warm_start=True, **kw), X, y)
    _fit(a, X, y, coef_init=coef0, intercept_init=b0)
    b = _fit(ref_cls(**kw), X, y, coef_init=coef0, intercept_init=b0)
    assert_same_fit(a, b, X)
    assert a.n_features_in_ == 3
    with pytest.raises(ValueError, match="features"):
        a.predict(X[:, :2])


def test_o_sgd_partial_fit_refusals_and_features():
    """O-SGD: partial_fit refuses early_stopping (both models) and class_weight="balanced",
    as scikit-learn; the first call records n_features_in_."""
    with pytest.raises(ValueError, match="early_stopping should be False with partial_fit"):
        SGDRegressor(early_stopping=True).partial_fit(X, YR)
    with pytest.raises(ValueError, match="class_weight 'balanced' is not supported"):
        SGDClassifier(class_weight="balanced").partial_fit(X, Y2, classes=[0, 1])
    with pytest.raises(ValueError, match="balanced"):
        sk_lm.SGDClassifier(class_weight="balanced").partial_fit(X, Y2, classes=[0, 1])
    for est, extra in ((SGDRegressor(), {}), (SGDClassifier(), {"classes": [0, 1]})):
        est.partial_fit(X, YR if not extra else Y2, **extra)
        assert est.n_features_in_ == 3
        with pytest.raises(ValueError, match="features"):
            est.predict(X[:, :2])


def test_o_sgd_regressor_early_stopping_on_validation_r2():
    """O-SGD: SGDRegressor's early stopping scores R² on the held-out fraction and stops
    when it fails to improve by tol, at scikit-learn's epoch."""
    rng = np.random.default_rng(5)
    Xe = rng.normal(size=(60, 3))
    ye = Xe @ np.array([1.0, -2.0, 0.5]) + 3.0 + 0.8 * rng.normal(size=60)
    kw = {"early_stopping": True, "n_iter_no_change": 2, "tol": 1e-3, "max_iter": 200}
    for extra in ({"random_state": 0}, {"random_state": 1, "validation_fraction": 0.3}):
        ours = _fit(SGDRegressor(**kw, **extra), Xe, ye)
        ref = _fit(sk_lm.SGDRegressor(**kw, **extra), Xe, ye)
        assert ours.n_iter_ == ref.n_iter_ < 200
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)


def test_o_sgd_classifier_partial_fit_classes_rules():
    """O-SGD: classes is needed only on the first partial_fit call; a different set later is
    refused; binary partial_fit continues (coef_ (1, d)); continuous y is refused — as
    scikit-learn."""
    ours, ref = SGDClassifier(random_state=0), sk_lm.SGDClassifier(random_state=0)
    for est in (ours, ref):
        est.partial_fit(X[:12], Y2[:12], classes=[0, 1])
        est.partial_fit(X[12:], Y2[12:])  # no classes after the first call
    assert_same_fit(ours, ref, X)
    with pytest.raises(ValueError, match="is not the same as on last call"):
        ours.partial_fit(X, Y2, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        ref.partial_fit(X, Y2, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="continuous|Unknown label type"):
        SGDClassifier().fit(X, _t)


def test_o_sgd_average_starts_after_average_updates():
    """O-SGD: coef_ is the averaged iterate once `average` updates have run (t_ − 1 ≥
    average), else the plain one: 24 updates with average = 24 and 25, as scikit-learn."""
    for average in (23, 24, 25):
        kw = {"average": average, "max_iter": 1, "tol": None, "random_state": 0}
        for cls in ("SGDClassifier", "SGDRegressor"):
            y = Y2 if cls == "SGDClassifier" else YR
            ours = _fit(globals()[cls](**kw), X, y)
            ref = _fit(getattr(sk_lm, cls)(**kw), X, y)
            assert ours.t_ == 25.0
            assert_same_fit(ours, ref, X)


@pytest.mark.parametrize("loss", ["hinge", "perceptron"])
def test_o_sgd_classifier_early_stopping_weighted_validation(loss):
    """O-SGD: early stopping scores the weighted accuracy of the held-out samples, as
    scikit-learn's (same stopping epoch and fit)."""
    rng = np.random.default_rng(8)
    Xe = rng.normal(size=(80, 3))
    ye = (Xe @ np.array([1.0, -1.0, 0.5]) + 1.2 * rng.normal(size=80) > 0.3).astype(int)
    sw = rng.uniform(0.1, 3.0, size=80)
    kw = {
        "loss": loss,
        "early_stopping": True,
        "n_iter_no_change": 2,
        "tol": 1e-4,
        "validation_fraction": 0.4,
        "max_iter": 200,
        "learning_rate": "constant",
        "eta0": 0.05,
    }
    for seed in range(4):
        ours = _fit(SGDClassifier(random_state=seed, **kw), Xe, ye, sample_weight=sw)
        ref = _fit(sk_lm.SGDClassifier(random_state=seed, **kw), Xe, ye, sample_weight=sw)
        assert ours.n_iter_ == ref.n_iter_ < 200
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
