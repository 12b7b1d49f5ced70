"""O-SGD: SGDClassifier / SGDRegressor / Perceptron against scikit-learn's on real data.

The loop takes scikit-learn's steps in scikit-learn's order (same seeds, same shuffle),
so margin losses (hinge, perceptron, squared hinge, modified Huber, epsilon-insensitive)
give scikit-learn's coefficients to rounding; smooth losses with the 'optimal' schedule
(log loss) amplify rounding through its large first steps, so those are compared by
accuracy over five seeds (issue 18: within 1 point).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _supervised_data import split

from gradkit.ml.exceptions import ConvergenceWarning
from gradkit.ml.linear_model import Perceptron, SGDClassifier, SGDRegressor

sk_lm = pytest.importorskip("sklearn.linear_model")


def _both(ours_cls, ref_cls, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ours_cls(**kw).fit(X, y), ref_cls(**kw).fit(X, y)


EXACT = [
    dict(),
    dict(loss="squared_hinge", learning_rate="constant", eta0=0.001),
    dict(loss="modified_huber", penalty="l1"),
    dict(penalty="elasticnet", learning_rate="invscaling", eta0=0.1),
    dict(learning_rate="adaptive", eta0=0.1),
    dict(average=True),
    dict(average=50, class_weight="balanced"),
    dict(loss="perceptron", penalty=None, learning_rate="constant", eta0=1.0),
    dict(loss="epsilon_insensitive", epsilon=0.5),
]


@pytest.mark.parametrize("kw", EXACT, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_o_sgd_classifier_takes_sklearns_steps(name, kw):
    """O-SGD: same seeds, order, schedule and stopping epoch → scikit-learn's model."""
    Xtr, Xte, ytr, _ = split(name, scale=True)
    ours, ref = _both(SGDClassifier, sk_lm.SGDClassifier, Xtr, ytr, random_state=0, **kw)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
def test_o_sgd_sparse_input_touches_only_stored_entries(penalty):
    """Sparse X: scikit-learn shrinks and truncates only a sample's stored features and
    damps the intercept's steps by 0.01; ours does the same (same model)."""
    Xtr, _, ytr, _ = split("digits", scale=True)
    Xtr, ytr = Xtr[:400], ytr[:400]
    X = sp.csr_matrix(np.where(np.abs(Xtr) < 0.7, 0.0, Xtr))
    ours, ref = _both(SGDClassifier, sk_lm.SGDClassifier, X, ytr, random_state=1, penalty=penalty)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-9)


def _five_seed_accuracy(name, **kw):
    Xtr, Xte, ytr, yte = split(name, scale=True)
    ours, refs = [], []
    for seed in range(5):
        a, b = _both(SGDClassifier, sk_lm.SGDClassifier, Xtr, ytr, random_state=seed, **kw)
        ours.append(a.score(Xte, yte))
        refs.append(b.score(Xte, yte))
    return np.mean(ours), np.mean(refs)


@pytest.mark.parametrize(
    "kw",
    [
        dict(loss="hinge"),
        dict(loss="log_loss"),
        dict(loss="modified_huber"),
        dict(loss="log_loss", early_stopping=True),
        dict(loss="log_loss", average=True),
    ],
    ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()),
)
def test_o_sgd_accuracy_within_one_point_of_sklearn_over_five_seeds(kw):
    """Acceptance (issue 18): mean test accuracy over seeds 0–4 within 1 point
    (breast cancer, 143 test samples). Not loss="huber" as a classifier: with the
    'optimal' schedule (first steps η ≈ 10) its fit is chaotic — scikit-learn's own
    five-seed accuracy moves 3 points when X is scaled by 1 + 1e-15 — so no
    reimplementation can be held to 1 point there."""
    ours, ref = _five_seed_accuracy("breast_cancer", **kw)
    assert abs(ours - ref) <= 0.01


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["hinge", "log_loss"])
def test_o_sgd_digits_accuracy_within_one_point_over_five_seeds(loss):
    """Acceptance (issue 18) on a 10-class problem: digits, 450 test samples."""
    ours, ref = _five_seed_accuracy("digits", loss=loss)
    assert abs(ours - ref) <= 0.01


def test_o_sgd_early_stopping_scores_the_current_model():
    """early_stopping holds out a stratified 10% and stops on its accuracy; the score is
    that of the model as fitted (scikit-learn 1.9 scores its unscaled weight storage, and
    for log_loss compares {0, 1} targets with {-1, 1} predictions), so the stopping epoch
    may differ from scikit-learn's by an epoch or two while accuracy stays level."""
    Xtr, Xte, ytr, yte = split("breast_cancer", scale=True)
    clf = SGDClassifier(early_stopping=True, n_iter_no_change=3, random_state=0).fit(Xtr, ytr)
    assert clf.n_iter_ < 50 and clf.score(Xte, yte) > 0.95


def test_o_sgd_predict_proba_matches_sklearn():
    """Probabilities from the same coefficients: σ one-vs-rest normalised (log_loss),
    clipped-margin (modified_huber, uniform where every class scores 0)."""
    for name in ("iris", "breast_cancer"):
        Xtr, Xte, ytr, _ = split(name, scale=True)
        for loss in ("log_loss", "modified_huber"):
            ours, ref = _both(
                SGDClassifier, sk_lm.SGDClassifier, Xtr, ytr, loss=loss, random_state=0
            )
            ref.coef_, ref.intercept_ = ours.coef_.copy(), ours.intercept_.copy()
            p = ours.predict_proba(Xte)
            np.testing.assert_allclose(p, ref.predict_proba(Xte), atol=1e-12)
            np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert not hasattr(SGDClassifier(loss="hinge"), "predict_proba")


REGRESSION = [
    dict(),
    dict(loss="huber"),
    dict(loss="epsilon_insensitive", epsilon=0.05),
    dict(loss="squared_epsilon_insensitive"),
    dict(penalty="l1", alpha=0.001),
    dict(average=True),
    dict(learning_rate="adaptive"),
    dict(early_stopping=True),
]


@pytest.mark.parametrize(
    "kw", REGRESSION, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items())
)
def test_o_sgd_regressor_matches_sklearn(kw):
    """O-SGD regression on diabetes: same steps, same R² to rounding."""
    Xtr, Xte, ytr, yte = split("diabetes", scale=True)
    ours, ref = _both(SGDRegressor, sk_lm.SGDRegressor, Xtr, ytr, random_state=0, **kw)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-7, atol=1e-7)
    assert ours.score(Xte, yte) == pytest.approx(ref.score(Xte, yte), abs=1e-7)


def test_o_sgd_partial_fit_epochs_match_sklearn():
    """partial_fit: one epoch per call, the learning-rate clock t_ carried across calls."""
    Xtr, _, ytr, _ = split("wine", scale=True)
    ours, ref = SGDClassifier(random_state=0), sk_lm.SGDClassifier(random_state=0)
    classes = np.unique(ytr)
    for start in range(0, len(Xtr), 40):
        ours.partial_fit(Xtr[start : start + 40], ytr[start : start + 40], classes=classes)
        ref.partial_fit(Xtr[start : start + 40], ytr[start : start + 40], classes=classes)
    assert ours.t_ == ref.t_
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
    reg, sk_reg = SGDRegressor(random_state=0), sk_lm.SGDRegressor(random_state=0)
    Xd, _, yd, _ = split("diabetes", scale=True)
    for _ in range(3):
        reg.partial_fit(Xd, yd)
        sk_reg.partial_fit(Xd, yd)
    np.testing.assert_allclose(reg.coef_, sk_reg.coef_, atol=1e-8)
    with pytest.raises(ValueError, match="classes must be passed"):
        SGDClassifier().partial_fit(Xtr, ytr)


def test_o_sgd_optimal_schedule_first_step():
    """'optimal': η_t = 1/(α(t0 + t − 1)) with t0 = 1/(η̂ α), η̂ = α^(−1/4) for these
    losses, so the very first step moves w by η̂ x exactly (one sample, hinge)."""
    X, y = np.array([[1.0, 2.0], [-1.0, -2.0]]), np.array([1, 0])
    clf = SGDClassifier(alpha=0.01, shuffle=False, max_iter=1, tol=None, penalty=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:1].repeat(2, axis=0) * [[1], [-1]], y)
    eta_hat = 0.01**-0.25
    np.testing.assert_allclose(clf.coef_[0], eta_hat * X[0], rtol=1e-12)


def test_o_sgd_warns_and_validates():
    Xtr, _, ytr, _ = split("iris", scale=True)
    with pytest.warns(ConvergenceWarning, match="Maximum number of iteration"):
        SGDClassifier(max_iter=2, random_state=0).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="loss"):
        SGDClassifier(loss="nope").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        SGDClassifier(alpha=0.0).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="early_stopping should be False"):
        SGDClassifier(early_stopping=True).partial_fit(Xtr, ytr, classes=np.unique(ytr))


def test_nn_perceptron_is_sklearns():
    """NN-PERCEPTRON: Perceptron() is scikit-learn's (random_state=0 by default)."""
    Xtr, Xte, ytr, _ = split("digits")
    ours, ref = Perceptron().fit(Xtr, ytr), sk_lm.Perceptron().fit(Xtr, ytr)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
    assert ours.get_params() == ref.get_params()
