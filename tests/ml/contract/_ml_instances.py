"""One instance and one kind of input for every estimator of gradkit.ml.

``instance(name)`` fails for a class missing here, so a new estimator cannot slip past
the contract tests (no input mutation, NotFittedError before fit, random_state=None).
"""

from __future__ import annotations

import numpy as np

from gradkit.ml.utils import all_estimators

# kind of data each estimator takes: classifier / regressor / unsupervised (numeric X),
# counts (non-negative X and labels), text (documents), labels (1-D y only),
# categorical (object X)
KIND = {
    "AdaBoostClassifier": "classifier",
    "AgglomerativeClustering": "unsupervised",
    "BaggingClassifier": "classifier",
    "BernoulliNB": "counts",
    "ColumnTransformer": "unsupervised",
    "ComplementNB": "counts",
    "CountVectorizer": "text",
    "DecisionTreeClassifier": "classifier",
    "DecisionTreeRegressor": "regressor",
    "ElasticNet": "regressor",
    "FactorAnalysis": "unsupervised",
    "FunctionTransformer": "unsupervised",
    "GaussianDiscriminantAnalysis": "classifier",
    "GaussianMixture": "unsupervised",
    "GaussianNB": "classifier",
    "GradientBoostingClassifier": "classifier",
    "GradientBoostingRegressor": "regressor",
    "GridSearchCV": "classifier",
    "KMeans": "unsupervised",
    "KNeighborsClassifier": "classifier",
    "KNeighborsRegressor": "regressor",
    "LabelEncoder": "labels",
    "Lasso": "regressor",
    "LinearRegression": "regressor",
    "LinearSVC": "classifier",
    "LogisticRegression": "classifier",
    "MinMaxScaler": "unsupervised",
    "MultinomialNB": "counts",
    "Normalizer": "unsupervised",
    "OneHotEncoder": "categorical",
    "PCA": "unsupervised",
    "Perceptron": "classifier",
    "Pipeline": "classifier",
    "RandomForestClassifier": "classifier",
    "RandomForestRegressor": "regressor",
    "RandomizedSearchCV": "classifier",
    "Ridge": "regressor",
    "RidgeClassifier": "classifier",
    "SGDClassifier": "classifier",
    "SGDRegressor": "regressor",
    "SVC": "classifier",
    "SoftmaxRegression": "classifier",
    "StandardScaler": "unsupervised",
    "TfidfTransformer": "counts",
    "TfidfVectorizer": "text",
    "NearestCentroid": "classifier",
}


def _build(name: str, cls):
    if name == "Pipeline":
        from gradkit.ml.linear_model import LogisticRegression
        from gradkit.ml.preprocessing import StandardScaler

        return cls([("scale", StandardScaler()), ("clf", LogisticRegression())])
    if name == "GridSearchCV":
        from gradkit.ml.linear_model import LogisticRegression

        return cls(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3)
    if name == "RandomizedSearchCV":
        from gradkit.ml.linear_model import LogisticRegression

        return cls(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, n_iter=2, cv=3)
    if name == "ColumnTransformer":
        from gradkit.ml.preprocessing import StandardScaler

        return cls([("scale", StandardScaler(), [0, 1]), ("keep", "passthrough", [2, 3])])
    if name == "FunctionTransformer":
        return cls(np.log1p, inverse_func=np.expm1)
    if name in ("RandomForestClassifier", "RandomForestRegressor"):
        return cls(n_estimators=5)
    if name in ("GradientBoostingClassifier", "GradientBoostingRegressor", "AdaBoostClassifier"):
        return cls(n_estimators=5)
    if name == "BaggingClassifier":
        return cls(n_estimators=3)
    if name == "KMeans":
        return cls(n_clusters=3, n_init=2)
    if name == "GaussianMixture":
        return cls(n_components=2)
    if name in ("PCA", "FactorAnalysis"):
        return cls(n_components=2)
    return cls()


def names() -> list[str]:
    return [name for name, _ in all_estimators()]


def instance(name: str):
    """A fresh instance of the estimator class ``name`` (and its data kind)."""
    classes = dict(all_estimators())
    if name not in KIND:
        raise KeyError(f"{name} has no entry in tests/ml/contract/_ml_instances.KIND")
    return _build(name, classes[name])


def data(kind: str, rng: np.random.Generator):
    """(X, y) for a data kind; X numeric (60, 4) unless the kind says otherwise."""
    n = 60
    y = np.repeat([0, 1, 2], n // 3)
    if kind == "text":
        words = np.array(["spam", "ham", "eggs", "free", "win", "call", "now", "later"])
        docs = [" ".join(rng.choice(words, size=5)) for _ in range(n)]
        return docs, y
    if kind == "counts":
        return rng.poisson(2.0, size=(n, 4)).astype(np.float64), y
    if kind == "categorical":
        return rng.choice(np.array(["a", "b", "c"], dtype=object), size=(n, 2)), None
    X = rng.normal(size=(n, 4)) + y[:, None]
    X[:, 0] = np.abs(X[:, 0])  # non-negative column: log1p in FunctionTransformer
    if kind == "regressor":
        return X, X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(scale=0.1, size=n)
    if kind == "unsupervised":
        return np.abs(X), y
    return X, y
