"""Sparse input (issue 18): every estimator that takes scipy.sparse in scikit-learn takes
it here, fits the same model as on the dense copy, and matches scikit-learn on TF-IDF
features of the SMS spam collection (NLP-SPAM, NLP-TFIDF, ML-SVM, ML-NB, ML-KNN)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from gradkit.ml.ensemble import RandomForestClassifier
from gradkit.ml.feature_extraction.text import TfidfVectorizer
from gradkit.ml.linear_model import (
    LogisticRegression,
    Perceptron,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
)
from gradkit.ml.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB
from gradkit.ml.neighbors import KNeighborsClassifier, NearestCentroid
from gradkit.ml.preprocessing import StandardScaler
from gradkit.ml.svm import SVC, LinearSVC
from gradkit.ml.tree import DecisionTreeClassifier
from needs_data import load_sms_spam_or_skip

sklearn = pytest.importorskip("sklearn")
import sklearn.linear_model as sk_lm  # noqa: E402
import sklearn.naive_bayes as sk_nb  # noqa: E402
import sklearn.neighbors as sk_nn  # noqa: E402
import sklearn.svm as sk_svm  # noqa: E402


@pytest.fixture(scope="module")
def sms():
    texts, labels = load_sms_spam_or_skip()
    X = TfidfVectorizer(sublinear_tf=True, min_df=5, max_df=0.5).fit_transform(texts)
    n = 3000
    return X[:n], X[n:4000], labels[:n], labels[n:4000]


# (ours, scikit-learn's, how closely the predictions must agree)
PAIRS = [
    (lambda: LinearSVC(C=0.1, dual=False), lambda: sk_svm.LinearSVC(C=0.1, dual=False), 1.0),
    (lambda: LinearSVC(), lambda: sk_svm.LinearSVC(), 1.0),
    (lambda: SVC(), lambda: sk_svm.SVC(), 0.999),
    (
        lambda: RidgeClassifier(tol=1e-2, solver="sparse_cg"),
        lambda: sk_lm.RidgeClassifier(tol=1e-2, solver="sparse_cg"),
        1.0,
    ),
    (
        lambda: LogisticRegression(C=5, max_iter=1000),
        lambda: sk_lm.LogisticRegression(C=5, max_iter=1000),
        1.0,
    ),
    (lambda: SGDClassifier(random_state=0), lambda: sk_lm.SGDClassifier(random_state=0), 1.0),
    (lambda: Perceptron(), lambda: sk_lm.Perceptron(), 1.0),
    (lambda: ComplementNB(alpha=0.1), lambda: sk_nb.ComplementNB(alpha=0.1), 1.0),
    (lambda: MultinomialNB(), lambda: sk_nb.MultinomialNB(), 1.0),
    (lambda: BernoulliNB(), lambda: sk_nb.BernoulliNB(), 1.0),
    (
        lambda: KNeighborsClassifier(n_neighbors=100),
        lambda: sk_nn.KNeighborsClassifier(n_neighbors=100),
        0.999,
    ),
    (lambda: NearestCentroid(), lambda: sk_nn.NearestCentroid(), 1.0),
]


@pytest.mark.parametrize(
    "ours,ref,agree", PAIRS, ids=[p[0]().__class__.__name__ + str(i) for i, p in enumerate(PAIRS)]
)
def test_sparse_fit_predicts_as_sklearn(sms, ours, ref, agree):
    Xtr, Xte, ytr, yte = sms
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ours().fit(Xtr, ytr)
        b = ref().fit(Xtr, ytr)
    assert np.mean(a.predict(Xte) == b.predict(Xte)) >= agree
    assert abs(a.score(Xte, yte) - b.score(Xte, yte)) <= 1 - agree + 1e-12


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearSVC(tol=1e-8),
        lambda: SVC(kernel="rbf", gamma=0.5),
        lambda: RidgeClassifier(solver="sparse_cg", tol=1e-12),
        lambda: LogisticRegression(tol=1e-8),
        lambda: KNeighborsClassifier(7),
        lambda: NearestCentroid(),
        lambda: DecisionTreeClassifier(random_state=0),
        lambda: RandomForestClassifier(5, random_state=0),
    ],
    ids=lambda m: type(m()).__name__,
)
def test_sparse_and_dense_fits_agree(sms, make):
    Xtr, Xte, ytr, _ = sms
    Xtr, ytr = Xtr[:600], ytr[:600]
    dense = make().fit(Xtr.toarray(), ytr)
    sparse = make().fit(Xtr, ytr)
    np.testing.assert_array_equal(sparse.predict(Xte), dense.predict(Xte.toarray()))
    if hasattr(dense, "coef_"):
        np.testing.assert_allclose(np.asarray(sparse.coef_), dense.coef_, atol=1e-6)


def test_sparse_regression_and_scaling(sms):
    Xtr, _, ytr, _ = sms
    target = (ytr == "spam").astype(float)
    a = Ridge().fit(Xtr, target)
    b = sk_lm.Ridge().fit(Xtr, target)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)
    assert a.intercept_ == pytest.approx(b.intercept_, abs=1e-8)
    sc = StandardScaler(with_mean=False).fit(Xtr)
    Z = sc.transform(Xtr)
    assert sp.issparse(Z) and Z.nnz == Xtr.nnz
    from sklearn.preprocessing import StandardScaler as SkScaler

    assert abs(Z - SkScaler(with_mean=False).fit_transform(Xtr)).max() < 1e-10
    with pytest.raises(ValueError, match="Cannot center sparse matrices"):
        StandardScaler().fit(Xtr)
