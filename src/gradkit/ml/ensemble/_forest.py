"""Random forests (ML-FOREST): trees on bootstrap samples and random feature subsets."""

from __future__ import annotations

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_sample_weight,
    check_X_y,
    encode_labels,
)
from ..tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    grow_trees,
    predict_mean,
    presort,
    stack_trees,
)
from ..utils._parallel import run_parallel, shares


def bootstrap_counts(rng: np.random.Generator, n_draws: int, n: int) -> np.ndarray:
    """How often each of n samples is drawn in each of ``n_draws`` bootstrap samples of
    size n (with replacement), shape (n_draws, n)."""
    draws = rng.integers(0, n, (n_draws, n)) + (np.arange(n_draws) * n)[:, None]
    return np.bincount(draws.ravel(), minlength=n_draws * n).reshape(n_draws, n)


class _BaseForest(BaseEstimator):
    """Grows ``n_estimators`` trees; the bootstrap enters as integer sample weights.

    Drawing n samples with replacement is the same as weighting each sample by its draw
    count, so all trees share one presorted order of X and grow together, level by level.
    Each tree draws its feature subsets from its own generator, seeded before any tree
    grows, so with ``n_jobs`` workers each growing a share of the trees the forest is the
    same as with one.
    """

    _tree_class: type = DecisionTreeClassifier

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str,
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features="sqrt",
        bootstrap: bool = True,
        n_jobs: int | None = None,
        random_state=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _fit_trees(self, X, targets, sample_weight) -> None:
        """Grow every tree together; ``targets`` (n,) class codes or regression targets."""
        if int(self.n_estimators) < 1:
            raise ValueError(f"n_estimators must be >= 1, got {self.n_estimators}.")
        rng = check_random_state(self.random_state)
        n, n_trees = len(X), int(self.n_estimators)
        weight = np.broadcast_to(sample_weight, (n_trees, n))
        if self.bootstrap:
            weight = weight * bootstrap_counts(rng, n_trees, n)
            empty = ~weight.any(axis=1)
            weight[empty] = sample_weight
        template = self._tree_class(
            criterion=self.criterion,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
        )
        if hasattr(self, "classes_"):
            template.classes_, template.n_classes_ = self.classes_, len(self.classes_)
        targets = np.broadcast_to(targets, (n_trees, n))
        rngs = [np.random.default_rng(seed) for seed in rng.integers(0, 2**63, n_trees)]
        order = presort(X)
        groups = shares(n_trees, self.n_jobs)
        grown = run_parallel(
            _grow_share,
            [(template, X, targets[g], weight[g], order, rngs[g]) for g in groups],
            self.n_jobs,
        )
        self.estimators_ = [tree for share in grown for tree in share]
        self._stack = stack_trees([t.tree_ for t in self.estimators_])

    def _predict_mean(self, X) -> np.ndarray:
        """Mean of the trees' leaf values, (n, n_outputs), rows shared among the workers."""
        rows = shares(len(X), self.n_jobs)
        parts = run_parallel(predict_mean, [(self._stack, X[r]) for r in rows], self.n_jobs)
        return np.concatenate(parts)

    def _check_predict(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        X = check_array(X, accept_sparse="densify")
        check_n_features(self, X, reset=False)
        return X

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean of the trees' normalised impurity decreases."""
        check_is_fitted(self, "estimators_")
        return np.mean([t.feature_importances_ for t in self.estimators_], axis=0)

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True  # accepted and densified (check_array "densify")
        return tags


class RandomForestClassifier(ClassifierMixin, _BaseForest):
    """Random forest classifier (ML-FOREST): average of the trees' class probabilities.

    Each tree is grown to full depth (by default) on a bootstrap sample, drawing
    ``max_features`` candidate features at every node.

    Parameters
    ----------
    n_estimators : int
    criterion : {"gini", "entropy", "log_loss"}
    max_depth, min_samples_split, min_samples_leaf : as the tree
    max_features : "sqrt", "log2", int, float or None
    bootstrap : bool
    n_jobs : int or None
        Workers growing the trees and predicting (joblib, the ``[parallel]`` extra);
        None is sequential, -1 all cores; the forest is the same for every value.
    random_state : int, Generator or None
    """

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features="sqrt",
        bootstrap: bool = True,
        n_jobs: int | None = None,
        random_state=None,
    ):
        super().__init__(
            n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            max_features=max_features,
            bootstrap=bootstrap,
            n_jobs=n_jobs,
            random_state=random_state,
        )

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        self.n_classes_ = len(self.classes_)
        self._fit_trees(X, y_enc, check_sample_weight(sample_weight, X))
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Mean over trees of the leaf class fractions, (n_samples, n_classes)."""
        X = self._check_predict(X)
        return self._predict_mean(X)

    def predict(self, X) -> np.ndarray:
        scores = self.predict_proba(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]


class RandomForestRegressor(RegressorMixin, _BaseForest):
    """Random forest regressor (ML-FOREST): mean of the trees' predictions.

    ``max_features`` defaults to 1.0 (all features), as scikit-learn.
    """

    _tree_class = DecisionTreeRegressor

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features=1.0,
        bootstrap: bool = True,
        n_jobs: int | None = None,
        random_state=None,
    ):
        super().__init__(
            n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            max_features=max_features,
            bootstrap=bootstrap,
            n_jobs=n_jobs,
            random_state=random_state,
        )

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, y_numeric=True, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self._fit_trees(X, y.astype(np.float64), check_sample_weight(sample_weight, X))
        return self

    def predict(self, X) -> np.ndarray:
        X = self._check_predict(X)
        return self._predict_mean(X)[:, 0]


def _grow_share(template, X, targets, weight, order, rngs) -> list:
    """Grow the trees of one share (one worker's), each with its own generator."""
    return grow_trees(template, X, targets, weight, order=order, rngs=rngs)
