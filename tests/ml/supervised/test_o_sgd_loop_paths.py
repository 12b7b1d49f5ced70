"""O-SGD (issue 24): paths of the SGD loop (``_sgd_fast``) against scikit-learn step for
step — the stopping objective of every loss (each loss's value, not only its derivative,
decides the stopping epoch), the block-scanning epoch of unpenalised hinge / perceptron
fits on more than one block of rows, L1 truncation on sparse rows with absent features,
and epsilon_insensitive's margin boundary."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradkit.ml.linear_model import SGDClassifier, SGDRegressor

sk_lm = pytest.importorskip("sklearn.linear_model")
sp = pytest.importorskip("scipy.sparse")

_rng = np.random.default_rng(7)
X = _rng.normal(size=(30, 3))
_t = X @ np.array([1.5, -1.0, 0.5]) + 0.6 * _rng.normal(size=30)
Y2 = (_t > 0).astype(int)
Y2_NOISY = Y2.copy()
Y2_NOISY[::4] = 1 - Y2_NOISY[::4]  # a quarter flipped: margins below -1 stay
YR = 2.0 * _t + 1.0


def _fit(est, Xf, y, **fit_kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(Xf, y, **fit_kw)


def _same(ours, ref):
    assert np.all(np.asarray(ours.n_iter_) == ref.n_iter_)
    assert ours.t_ == ref.t_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)


STOP = {"tol": 1e-2, "n_iter_no_change": 2, "max_iter": 60, "random_state": 0}


@pytest.mark.parametrize(
    "opts",
    [
        {"loss": "hinge"},
        {"loss": "squared_hinge", "learning_rate": "constant", "eta0": 0.02},
        {"loss": "modified_huber", "learning_rate": "constant", "eta0": 0.02},
        {"loss": "modified_huber", "learning_rate": "constant", "eta0": 0.002},
        {"loss": "log_loss", "learning_rate": "constant", "eta0": 0.05},
        {"loss": "perceptron", "penalty": "l2", "alpha": 0.01},
    ],
    ids=lambda o: o["loss"] + ("" if "eta0" not in o else f"-eta0={o['eta0']}"),
)
def test_o_sgd_classifier_stops_on_each_loss_value_as_sklearn(opts):
    """O-SGD: without early stopping the fit stops when the epoch's mean loss fails to
    drop by tol, so the loss values themselves pick the epoch (scikit-learn's)."""
    for scale, y in ((1.0, Y2), (4.0, Y2), (2.0, Y2_NOISY), (4.0, Y2_NOISY)):
        ours = _fit(SGDClassifier(**STOP, **opts), X * scale, y)
        ref = _fit(sk_lm.SGDClassifier(**STOP, **opts), X * scale, y)
        _same(ours, ref)


def test_o_sgd_log_loss_objective_at_large_margins():
    """O-SGD: log_loss on separated data scaled up (margins 11 to 140, through every
    branch of log(1 + e^p)); with tol=0 any rise of the tiny mean loss stops the fit, so
    its value there must be scikit-learn's."""
    keep = np.abs(_t) > 0.5
    Xs = X[keep] * 10.0
    ys = (X[keep] @ np.array([1.5, -1.0, 0.5]) > 0).astype(int)
    kw = {"loss": "log_loss", "penalty": None, "learning_rate": "constant", "eta0": 0.5}
    kw.update(tol=0.0, n_iter_no_change=3, max_iter=40, random_state=0)
    for scale in (1.0, 2.0):
        ours = _fit(SGDClassifier(**kw), Xs * scale, ys)
        ref = _fit(sk_lm.SGDClassifier(**kw), Xs * scale, ys)
        _same(ours, ref)


@pytest.mark.parametrize(
    "opts",
    [
        {"loss": "squared_error", "learning_rate": "constant", "eta0": 0.002},
        {"loss": "huber", "epsilon": 0.5},
        {"loss": "huber", "epsilon": 3.0, "learning_rate": "constant", "eta0": 0.02},
        {"loss": "epsilon_insensitive", "epsilon": 0.5},
        {"loss": "epsilon_insensitive", "epsilon": 4.0, "learning_rate": "constant"},
        {"loss": "squared_epsilon_insensitive", "epsilon": 0.5},
        {"loss": "squared_epsilon_insensitive", "epsilon": 4.0, "learning_rate": "constant"},
    ],
    ids=lambda o: "-".join(f"{v}" for v in o.values()),
)
def test_o_sgd_regressor_stops_on_each_loss_value_as_sklearn(opts):
    """O-SGD: SGDRegressor's stopping objective for every regression loss, below and
    above epsilon (huber's quadratic and linear pieces, the insensitive zone)."""
    ours = _fit(SGDRegressor(**STOP, **opts), X, YR)
    ref = _fit(sk_lm.SGDRegressor(**STOP, **opts), X, YR)
    _same(ours, ref)


@pytest.mark.parametrize("loss", ["hinge", "perceptron"])
@pytest.mark.parametrize(
    "schedule",
    [
        {"learning_rate": "optimal"},
        {"learning_rate": "invscaling", "eta0": 0.5, "power_t": 0.3},
        {"learning_rate": "constant", "eta0": 0.1},
    ],
    ids=lambda o: o["learning_rate"],
)
def test_o_sgd_unpenalised_hinge_over_many_blocks(loss, schedule):
    """O-SGD: an unpenalised hinge / perceptron fit on 300 dense rows scans margins a
    block at a time (blocks of 32–512 rows, many of them without a single update once the
    data is nearly separated); the steps, t_ and the schedule's step sizes must still be
    scikit-learn's."""
    rng = np.random.default_rng(3)
    Xb = rng.normal(size=(300, 4))
    yb = (Xb @ np.array([2.0, -1.0, 0.5, 0.0]) + 0.2 * rng.normal(size=300) > 0).astype(int)
    kw = {"loss": loss, "penalty": None, "max_iter": 6, "tol": None, "random_state": 1}
    ours = _fit(SGDClassifier(**kw, **schedule), Xb, yb)
    ref = _fit(sk_lm.SGDClassifier(**kw, **schedule), Xb, yb)
    _same(ours, ref)
    # unshuffled: 200 rows far from the boundary, then 100 near it — whole blocks
    # without an update must be skipped over, not end the epoch
    far = np.abs(Xb @ np.array([2.0, -1.0, 0.5, 0.0])) > 1.5
    order = np.concatenate([np.flatnonzero(far)[:200], np.flatnonzero(~far)[:100]])
    kw["shuffle"] = False
    ours = _fit(SGDClassifier(**kw, **schedule), Xb[order] * 3.0, yb[order])
    ref = _fit(sk_lm.SGDClassifier(**kw, **schedule), Xb[order] * 3.0, yb[order])
    _same(ours, ref)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_o_sgd_l1_truncation_on_sparse_rows_with_absent_features(penalty):
    """O-SGD: on CSR input the cumulative L1 penalty reaches only the features a row
    stores; rows with absent features leave the others' weights and penalty ledgers alone."""
    rng = np.random.default_rng(5)
    Xs = rng.normal(size=(30, 5)) * (rng.random((30, 5)) < 0.5)
    ys = (Xs @ np.array([1.0, -2.0, 0.5, 0.0, 1.0]) > 0).astype(int)
    kw = {"penalty": penalty, "alpha": 0.01, "max_iter": 8, "tol": None, "random_state": 0}
    ours = _fit(SGDClassifier(**kw), sp.csr_matrix(Xs), ys)
    ref = _fit(sk_lm.SGDClassifier(**kw), sp.csr_matrix(Xs), ys)
    _same(ours, ref)
    ours = _fit(SGDRegressor(**kw), sp.csr_matrix(Xs), ys * 2.0 - 0.5)
    ref = _fit(sk_lm.SGDRegressor(**kw), sp.csr_matrix(Xs), ys * 2.0 - 0.5)
    _same(ours, ref)


def test_o_sgd_epsilon_insensitive_boundary_has_zero_gradient():
    """O-SGD: epsilon_insensitive's gradient is zero while |y − p| ≤ epsilon, equality
    included: the first two samples (p = 0, y = ±epsilon) must not move w or b."""
    ye = YR.copy()
    ye[0], ye[1] = 0.5, -0.5
    kw = {"loss": "epsilon_insensitive", "epsilon": 0.5, "shuffle": False, "tol": None}
    for n in (1, 2, 30):
        ours = _fit(SGDRegressor(max_iter=1, **kw), X[:n], ye[:n])
        ref = _fit(sk_lm.SGDRegressor(max_iter=1, **kw), X[:n], ye[:n])
        _same(ours, ref)


@pytest.mark.parametrize(
    ("cls", "opts"),
    [
        # strong L2 shrinkage: the weight scale falls below 1e-9 and is folded into w
        (SGDRegressor, {"alpha": 1.0, "learning_rate": "constant", "eta0": 0.5}),
        # Bottou's optimal schedule for squared error with a small alpha
        (SGDRegressor, {"learning_rate": "optimal", "alpha": 0.05}),
        # targets beyond 1e12: the loss derivative is clipped to ±1e12
        (SGDRegressor, {"learning_rate": "constant", "eta0": 1e-16, "y_scale": 1e13}),
        # log_loss codes the negative class 0: its samples take the negative class weight
        (SGDClassifier, {"loss": "log_loss", "class_weight": {0: 3.0, 1: 0.5}}),
        # averaging turns the block scan of unpenalised hinge fits off
        (SGDClassifier, {"penalty": None, "average": True}),
        (SGDClassifier, {"penalty": None, "average": 1, "loss": "perceptron"}),
        (SGDClassifier, {"penalty": None, "average": 2}),
        # elasticnet's stopping objective tracks ‖w‖₁ through the shrinkage
        (
            SGDRegressor,
            {"penalty": "elasticnet", "alpha": 0.05, "l1_ratio": 0.5, "tol": 1e-2, "max_iter": 40},
        ),
    ],
)
def test_o_sgd_loop_bookkeeping_as_sklearn(cls, opts):
    """O-SGD: the loop's bookkeeping — weight-scale folding,
    the optimal schedule's start, derivative clipping, class weights under 0/1 coding, the
    averaged path of unpenalised hinge, elasticnet's tracked norms — as scikit-learn's."""
    opts = dict(opts)
    scale = opts.pop("y_scale", 1.0)
    kw = {"max_iter": 4, "tol": None, "random_state": 0, **opts}
    y = Y2 if cls is SGDClassifier else YR * scale
    ours = _fit(cls(**kw), X, y)
    ref = _fit(getattr(sk_lm, cls.__name__)(**kw), X, y)
    _same(ours, ref)


def test_o_sgd_two_samples_are_shuffled():
    """O-SGD: two samples are shuffled too (a permutation of two may swap them)."""
    for seed in range(4):
        kw = {"max_iter": 3, "tol": None, "random_state": seed, "learning_rate": "constant"}
        _same(
            _fit(SGDRegressor(**kw), X[:2], YR[:2]), _fit(sk_lm.SGDRegressor(**kw), X[:2], YR[:2])
        )


def test_o_sgd_tol_zero_needs_a_strict_change_to_stop():
    """O-SGD: with tol=0 an epoch counts as no improvement only if it is strictly worse:
    a validation score that stays 0 (constant targets) or a training loss that stays 0
    (separated data) never stops the fit, as in scikit-learn."""
    kw = {"tol": 0.0, "n_iter_no_change": 2, "max_iter": 12, "random_state": 0}
    Xc = np.array([[-3.0], [-2.0], [2.0], [3.0]] * 3)
    cases = [
        (SGDRegressor, {"early_stopping": True, "validation_fraction": 0.25}, X, np.full(30, 2.0)),
        (
            SGDClassifier,
            {"penalty": None, "learning_rate": "constant", "eta0": 1.0},
            Xc,
            (Xc[:, 0] > 0).astype(int),
        ),
    ]
    for cls, opts, Xf, y in cases:
        ours = _fit(cls(**kw, **opts), Xf, y)
        ref = _fit(getattr(sk_lm, cls.__name__)(**kw, **opts), Xf, y)
        _same(ours, ref)
        assert ours.n_iter_ == 12
