"""Bad input to classical estimators gets scikit-learn's kind of error (issue #19):
hyperparameters checked at fit with the valid choices named, NaN/inf and shape problems
named, ``NotFittedError`` before fit, impossible requests (k > n) explained."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

from gradkit.ml.cluster import KMeans  # noqa: E402
from gradkit.ml.decomposition import PCA  # noqa: E402
from gradkit.ml.ensemble import RandomForestClassifier  # noqa: E402
from gradkit.ml.exceptions import NotFittedError  # noqa: E402
from gradkit.ml.feature_extraction.text import TfidfTransformer, TfidfVectorizer  # noqa: E402
from gradkit.ml.linear_model import (  # noqa: E402
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
)
from gradkit.ml.model_selection import GridSearchCV, KFold, train_test_split  # noqa: E402
from gradkit.ml.naive_bayes import GaussianNB  # noqa: E402
from gradkit.ml.neighbors import KNeighborsClassifier  # noqa: E402
from gradkit.ml.preprocessing import StandardScaler  # noqa: E402
from gradkit.ml.svm import SVC  # noqa: E402
from gradkit.ml.tree import DecisionTreeClassifier  # noqa: E402

X = np.random.default_rng(0).standard_normal((20, 3))
Y = np.r_[np.zeros(10), np.ones(10)]
X_NAN = X.copy()
X_NAN[0, 0] = np.nan

CASES = [
    (lambda: LogisticRegression(C=-1).fit(X, Y), ValueError, r"C must be positive, got -1"),
    (lambda: LogisticRegression(penalty="l3").fit(X, Y), ValueError, r"Unknown penalty='l3'; valid choices are \['None', 'l2'\]"),
    (lambda: LogisticRegression().fit(X_NAN, Y), ValueError, r"Input X contains NaN"),
    (lambda: LogisticRegression().predict(X), NotFittedError, r"This LogisticRegression instance is not fitted yet"),
    (lambda: LogisticRegression().fit(X, Y).predict(X[:, :2]), ValueError, r"X has 2 features, but LogisticRegression is expecting 3 features"),
    (lambda: LogisticRegression().fit(X, np.zeros(20)), ValueError, r"needs samples of at least 2 classes"),
    (lambda: LogisticRegression().fit(X, Y[:5]), ValueError, r"inconsistent numbers of samples: \[20, 5\]"),
    (lambda: LinearRegression().fit(X[:, 0], Y), ValueError, r"Expected 2D array for X, got 1D array instead"),
    (lambda: Ridge(alpha=-1).fit(X, Y), ValueError, r"alpha must be a non-negative number, got -1"),
    (lambda: SGDClassifier(loss="nope").fit(X, Y), ValueError, r"Unknown loss='nope'; valid choices are \[.*'hinge'"),
    (lambda: SVC(kernel="nope").fit(X, Y), ValueError, r"Unknown kernel='nope'; valid choices are \['linear', 'poly', 'rbf', 'sigmoid'\]"),
    (lambda: SVC(C=0).fit(X, Y), ValueError, r"C must be a positive number, got 0"),
    (lambda: DecisionTreeClassifier(max_depth=0).fit(X, Y), ValueError, r"max_depth must be None or an int >= 1, got 0"),
    (lambda: DecisionTreeClassifier(criterion="nope").fit(X, Y), ValueError, r"Unknown criterion='nope'; valid choices are \['entropy', 'gini', 'log_loss'\]"),
    (lambda: RandomForestClassifier(n_estimators=0).fit(X, Y), ValueError, r"n_estimators must be >= 1, got 0"),
    (lambda: KNeighborsClassifier(n_neighbors=0).fit(X, Y), ValueError, r"n_neighbors must be an int >= 1, got 0"),
    (lambda: KNeighborsClassifier(n_neighbors=50).fit(X, Y).predict(X), ValueError, r"Expected n_neighbors <= n_samples_fit, but n_neighbors = 50, n_samples_fit = 20"),
    (lambda: KMeans(n_clusters=0).fit(X), ValueError, r"n_clusters must be a positive integer, got 0"),
    (lambda: KMeans(n_clusters=50, n_init=1).fit(X), ValueError, r"n_samples=20 should be >= n_clusters=50"),
    (lambda: PCA(n_components=10).fit(X), ValueError, r"n_components=10 must be between 0 and min\(n_samples, n_features\)=3"),
    (lambda: GaussianNB().fit(X_NAN, Y), ValueError, r"Input X contains NaN"),
    (lambda: StandardScaler().fit(X * np.inf), ValueError, r"Input X contains infinity"),
    (lambda: TfidfTransformer().fit(np.ones((3, 2))).transform(np.array([[np.nan, 1.0]])), ValueError, r"Input X contains NaN or infinity; TF-IDF needs finite counts"),
    (lambda: TfidfTransformer().fit(np.ones((3, 2))).transform(np.ones(2)), ValueError, r"Expected 2D array of counts \(n_documents, n_terms\), got 1D array"),
    (lambda: TfidfTransformer().fit(-np.ones((3, 2))), ValueError, r"TF-IDF needs non-negative counts"),
    (lambda: TfidfVectorizer(norm="l3").fit(["a b", "b c"]), ValueError, r"Unknown norm='l3'; valid choices are \['None', 'l1', 'l2'\]"),
    (lambda: list(KFold(n_splits=1).split(X)), ValueError, r"requires at least one train/test split by setting n_splits=2 or more, got n_splits=1"),
    (lambda: list(KFold(n_splits=50).split(X)), ValueError, r"Cannot have number of splits n_splits=50 greater than the number of samples: n_samples=20"),
    (lambda: train_test_split(X, Y, test_size=1.5), ValueError, r"test_size=1.5 should be a float in \(0, 1\) or an int"),
    (lambda: GridSearchCV(LogisticRegression(), {"nope": [1]}).fit(X, Y), ValueError, r"Invalid parameter 'nope' for estimator LogisticRegression. Valid parameters are"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", CASES, ids=range(len(CASES)))
def test_estimator_bad_input_is_refused_with_the_reason(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_not_fitted_error_is_both_value_and_attribute_error():
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)
