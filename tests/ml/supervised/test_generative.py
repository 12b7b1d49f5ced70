"""GDA and naive Bayes against closed-form MLE and scikit-learn (ML-GDA, ML-NB, ML-BAYES,
O-MLE, ML-DISC-GEN)."""

from __future__ import annotations

import numpy as np
import pytest
from _supervised_data import CLASSIFICATION, split

from gradkit.ml.discriminant_analysis import GaussianDiscriminantAnalysis
from gradkit.ml.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB

sk_nb = pytest.importorskip("sklearn.naive_bayes")


def test_ml_gda_parameters_are_closed_form_mle(rng):
    """ML-GDA / O-MLE: φ = mean(y), μ_j = class means, Σ = (1/n) Σ (x − μ_y)(x − μ_y)ᵀ."""
    X = np.vstack([rng.normal(0, 1, size=(70, 2)), rng.normal(2, 1, size=(30, 2))])
    y = np.r_[np.zeros(70), np.ones(30)].astype(int)
    gda = GaussianDiscriminantAnalysis().fit(X, y)
    phi = y.mean()
    mu0, mu1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    centred = X - np.where(y[:, None] == 1, mu1, mu0)
    sigma = centred.T @ centred / len(X)
    np.testing.assert_allclose(gda.priors_, [1 - phi, phi], rtol=1e-12)
    np.testing.assert_allclose(gda.means_, [mu0, mu1], rtol=1e-12)
    np.testing.assert_allclose(gda.covariance_, sigma, rtol=1e-12)
    # ML-BAYES: P(y=1|x) = φN(x;μ1,Σ) / Σ_j φ_j N(x;μ_j,Σ) from the densities themselves
    from scipy.stats import multivariate_normal

    p1 = phi * multivariate_normal(mu1, sigma).pdf(X)
    p0 = (1 - phi) * multivariate_normal(mu0, sigma).pdf(X)
    np.testing.assert_allclose(gda.predict_proba(X)[:, 1], p1 / (p0 + p1), rtol=1e-9)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_ml_gda_matches_lda_predictions(name):
    """ML-GDA with shared Σ is scikit-learn's LinearDiscriminantAnalysis."""
    lda_mod = pytest.importorskip("sklearn.discriminant_analysis")
    Xtr, Xte, ytr, _ = split(name)
    ours = GaussianDiscriminantAnalysis().fit(Xtr, ytr)
    ref = lda_mod.LinearDiscriminantAnalysis(solver="lsqr", store_covariance=True).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.covariance_, ref.covariance_, rtol=1e-8, atol=1e-10)
    assert np.mean(ours.predict(Xte) == ref.predict(Xte)) >= 0.99


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_ml_nb_gaussian_parity(name):
    """ML-NB: Gaussian naive Bayes equals scikit-learn's (means, variances, labels)."""
    Xtr, Xte, ytr, _ = split(name)
    ours = GaussianNB().fit(Xtr, ytr)
    ref = sk_nb.GaussianNB().fit(Xtr, ytr)
    np.testing.assert_allclose(ours.theta_, ref.theta_, rtol=1e-10)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-8)
    np.testing.assert_allclose(ours.class_prior_, ref.class_prior_, rtol=1e-12)
    assert np.mean(ours.predict(Xte) == ref.predict(Xte)) >= 0.99
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-6)


@pytest.mark.parametrize(
    ("ours", "ref"), [(MultinomialNB, "MultinomialNB"), (BernoulliNB, "BernoulliNB")]
)
def test_ml_nb_discrete_parity_on_digit_counts(ours, ref):
    """ML-NB: multinomial / Bernoulli NB on pixel counts equal scikit-learn's."""
    Xtr, Xte, ytr, _ = split("digits")
    kwargs = {"binarize": 4.0} if ref == "BernoulliNB" else {}
    a = ours(alpha=0.5, **kwargs).fit(Xtr, ytr)
    b = getattr(sk_nb, ref)(alpha=0.5, **kwargs).fit(Xtr, ytr)
    np.testing.assert_allclose(a.feature_log_prob_, b.feature_log_prob_, rtol=1e-10)
    np.testing.assert_allclose(a.predict_log_proba(Xte), b.predict_log_proba(Xte), atol=1e-8)
    np.testing.assert_array_equal(a.predict(Xte), b.predict(Xte))


def test_ml_nb_spam_example():
    """ML-NB: a word-count spam filter picks the class whose words it has seen."""
    # vocabulary: [free, money, meeting, report]
    X = np.array([[3, 2, 0, 0], [2, 3, 0, 1], [0, 0, 2, 3], [0, 1, 3, 2]])
    y = np.array(["spam", "spam", "ham", "ham"])
    clf = MultinomialNB().fit(X, y)
    assert clf.predict([[4, 1, 0, 0], [0, 0, 1, 4]]).tolist() == ["spam", "ham"]
    with pytest.raises(ValueError, match="Negative values"):
        clf.fit(-X, y)
