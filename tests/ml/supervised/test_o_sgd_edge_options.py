"""O-SGD (issue 24): edges of SGDClassifier / SGDRegressor against scikit-learn — the
validation score behind early stopping (weighted R², constant and single-sample validation
sets, log_loss's 0/1 labels), refits that change the classes, scalar intercept_init,
average=0 and all-zero validation weights refused, and warnings attributed to the caller."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradkit.ml.exceptions import ConvergenceWarning, UndefinedMetricWarning
from gradkit.ml.linear_model import SGDClassifier, SGDRegressor

sk_lm = pytest.importorskip("sklearn.linear_model")

_rng = np.random.default_rng(2)
X = _rng.normal(size=(24, 3))
_t = X @ np.array([1.0, -1.0, 0.5]) + 0.5 * _rng.normal(size=24)
Y2 = (_t > 0).astype(int)
Y3 = np.digitize(_t, [-0.5, 0.5])
YR = _t + 1.0


def _at_caller(warning) -> bool:
    """The warning names the line that called fit (under the mutation harness, mutmut's
    trampoline stands between the two and is reported instead)."""
    return warning.filename == __file__ or warning.filename.endswith("trampoline.py")


def _fit(est, Xf, y, **fit_kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(Xf, y, **fit_kw)


def _same(ours, ref):
    assert np.all(np.asarray(ours.n_iter_) == ref.n_iter_)
    assert ours.t_ == ref.t_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)


def test_o_sgd_regressor_early_stopping_weighted_r2_scale():
    """O-SGD: the validation R² is weighted (its total sum of squares about the weighted
    mean) and is compared with tol on its own scale, so targets of small scale (total sum
    of squares below 1) stop at scikit-learn's epoch too."""
    rng = np.random.default_rng(11)
    Xe = rng.normal(size=(40, 2))
    ye = Xe @ np.array([0.5, -0.3]) + 0.3 * rng.normal(size=40) + 2.0
    sw = np.where(ye > 2.0, 20.0, 0.1)  # weighted mean far from the plain one
    kw = {"early_stopping": True, "n_iter_no_change": 2, "tol": 1e-3, "max_iter": 60}
    for seed, scale, weights in ((0, 1.0, sw), (1, 1.0, sw), (2, 1.0, sw), (0, 0.02, None)):
        ours = _fit(SGDRegressor(random_state=seed, **kw), Xe, ye * scale, sample_weight=weights)
        ref = _fit(
            sk_lm.SGDRegressor(random_state=seed, **kw), Xe, ye * scale, sample_weight=weights
        )
        _same(ours, ref)


def test_o_sgd_regressor_early_stopping_degenerate_validation_sets():
    """O-SGD: constant validation targets score R² = 0 every epoch (scikit-learn's
    force_finite), so the fit stops after n_iter_no_change + 1 epochs; a validation set of
    one sample (10 samples, validation_fraction 0.1; or 2 samples split 1 / 1) has an
    undefined R² (NaN), which never stops the fit — it runs max_iter epochs, as
    scikit-learn's, and says why."""
    kw = {"early_stopping": True, "max_iter": 40, "random_state": 0}
    ours = _fit(SGDRegressor(**kw), X, np.full(24, 3.0))
    ref = _fit(sk_lm.SGDRegressor(**kw), X, np.full(24, 3.0))
    _same(ours, ref)
    assert ours.n_iter_ == 6
    for n, frac in ((10, 0.1), (2, 0.5)):
        with pytest.warns(UndefinedMetricWarning, match="not well-defined") as record:
            ours = SGDRegressor(validation_fraction=frac, **kw).fit(X[:n], YR[:n])
        assert _at_caller(record[0])
        ref = _fit(sk_lm.SGDRegressor(validation_fraction=frac, **kw), X[:n], YR[:n])
        _same(ours, ref)
        assert ours.n_iter_ == 40


@pytest.mark.parametrize("y", [Y2, Y3], ids=["binary", "3 classes"])
def test_o_sgd_classifier_log_loss_early_stopping(y):
    """O-SGD: with log_loss the binary problems are coded 1 / 0 (not ±1), and the
    validation accuracy behind early stopping must compare predictions in that coding."""
    kw = {
        "loss": "log_loss",
        "early_stopping": True,
        "n_iter_no_change": 2,
        "tol": 1e-3,
        "validation_fraction": 0.3,
        "learning_rate": "constant",
        "eta0": 0.05,
        "max_iter": 60,
    }
    for seed in range(3):
        ours = _fit(SGDClassifier(random_state=seed, **kw), X, y)
        ref = _fit(sk_lm.SGDClassifier(random_state=seed, **kw), X, y)
        _same(ours, ref)


def test_o_sgd_classifier_refit_with_other_classes_and_features():
    """O-SGD: fit forgets the previous classes_ and feature count (only partial_fit keeps
    them): refitting on three classes after two, or on fewer features, is a fresh fit."""
    kw = {"random_state": 0, "max_iter": 5, "tol": None}
    ours = _fit(SGDClassifier(**kw), X, Y2)
    _fit(ours, X, Y3)
    _same(ours, _fit(sk_lm.SGDClassifier(**kw), X, Y3))
    np.testing.assert_array_equal(ours.classes_, [0, 1, 2])
    _fit(ours, X[:, :2], Y2)
    _same(ours, _fit(sk_lm.SGDClassifier(**kw), X[:, :2], Y2))


def test_o_sgd_classifier_scalar_intercept_init():
    """O-SGD: a binary classifier takes a scalar intercept_init, as scikit-learn's."""
    kw = {"random_state": 0, "max_iter": 3, "tol": None}
    ours = _fit(SGDClassifier(**kw), X, Y2, intercept_init=0.7)
    ref = _fit(sk_lm.SGDClassifier(**kw), X, Y2, intercept_init=0.7)
    _same(ours, ref)


def test_o_sgd_refusals_as_sklearn():
    """O-SGD: average=0 is refused (an int must be > 0), and early stopping with all the
    validation samples' weights zero is refused — both as scikit-learn refuses them."""
    for est in (SGDClassifier(average=0), sk_lm.SGDClassifier(average=0)):
        with pytest.raises(ValueError, match="average"):
            est.fit(X, Y2)
    from sklearn.model_selection import ShuffleSplit

    _, val = next(ShuffleSplit(test_size=0.1, random_state=0).split(X))
    sw = np.ones(24)
    sw[val] = 0.0
    for cls in (SGDRegressor, sk_lm.SGDRegressor):
        with pytest.raises(ValueError, match="sample weights for validation set are all zero"):
            cls(early_stopping=True, random_state=0).fit(X, YR, sample_weight=sw)
    sw = np.ones(24)
    sw[val[0]] = 0.0  # one zero weight among them is fine
    kw = {"early_stopping": True, "random_state": 0, "max_iter": 30}
    _same(
        _fit(SGDRegressor(**kw), X, YR, sample_weight=sw),
        _fit(sk_lm.SGDRegressor(**kw), X, YR, sample_weight=sw),
    )


@pytest.mark.parametrize("alpha", [0.1, 0.3])
def test_o_sgd_early_stopping_scores_the_unscaled_weights(alpha):
    """O-SGD: the L2 penalty shrinks w through a separate scale factor; scikit-learn's
    validation score reads the stored weights without it (``weights.base``), so with a
    strong penalty its stopping epoch is the one those scores give, and ours must be too."""
    kw = {
        "alpha": alpha,
        "early_stopping": True,
        "validation_fraction": 0.25,
        "n_iter_no_change": 2,
        "tol": 1e-3,
        "learning_rate": "constant",
        "eta0": 0.05,
        "max_iter": 30,
    }
    for seed in range(2):
        _same(
            _fit(SGDRegressor(random_state=seed, **kw), X, YR),
            _fit(sk_lm.SGDRegressor(random_state=seed, **kw), X, YR),
        )


@pytest.mark.parametrize("cls", [SGDClassifier, SGDRegressor])
def test_o_sgd_max_iter_warning_points_at_the_caller(cls):
    """O-SGD: the ConvergenceWarning is attributed to the line that called fit."""
    y = Y2 if cls is SGDClassifier else YR
    with pytest.warns(ConvergenceWarning) as record:
        cls(max_iter=1, random_state=0).fit(X, y)
    assert len(record) == 1 and _at_caller(record[0])
