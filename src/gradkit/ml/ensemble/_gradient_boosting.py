"""Gradient boosting with regression trees (ML-GBM).

Stage m fits a regression tree to the negative gradient of the loss at the current
model F_{m−1} (the "pseudo-residuals"), re-estimates each leaf's value by a Newton step
on the loss, and adds it with shrinkage: F_m = F_{m−1} + η h_m. XGBoost and LightGBM
are engineered versions of the same algorithm.
"""

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
    one_hot,
    require_two_classes,
)
from ..tree import DecisionTreeRegressor, grow_trees, predict_many, presort, stack_trees


class _BaseGradientBoosting(BaseEstimator):
    def __init__(
        self,
        *,
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        max_depth: int | None = 3,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features=None,
        subsample: float = 1.0,
        random_state=None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.subsample = subsample
        self.random_state = random_state

    def _boost(self, X, Y, w, init: np.ndarray) -> None:
        """Run the stages; Y is (n, K) (targets or one-hot), ``init`` the (K,) raw start."""
        if int(self.n_estimators) < 1:
            raise ValueError(f"n_estimators must be >= 1, got {self.n_estimators}.")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        if not 0.0 < self.subsample <= 1.0:
            raise ValueError(f"subsample must be in (0, 1], got {self.subsample!r}.")
        rng = check_random_state(self.random_state)
        order = presort(X)  # shared by every tree
        n, k = Y.shape
        self.init_ = init
        raw = np.tile(init, (n, 1))
        self.estimators_ = np.empty((self.n_estimators, k), dtype=object)
        self.train_score_ = np.empty(self.n_estimators)
        n_bag = max(1, int(self.subsample * n))
        template = DecisionTreeRegressor(
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
        )
        for m in range(self.n_estimators):
            weight = w
            if self.subsample < 1.0:
                weight = np.zeros(n)
                bag = rng.permutation(n)[:n_bag]
                weight[bag] = w[bag]
            residual, hessian = self._gradients(Y, raw)
            trees = grow_trees(
                template, X, residual.T, np.broadcast_to(weight, (k, n)), order=order, rng=rng
            )
            for j, tree in enumerate(trees):
                leaves = tree.tree_.apply(X)
                if hessian is not None:  # Newton step per leaf: Σ w r / Σ w h
                    num = np.bincount(leaves, weight * residual[:, j], tree.tree_.node_count)
                    den = np.bincount(leaves, weight * hessian[:, j], tree.tree_.node_count)
                    step = np.divide(num, den, out=np.zeros_like(num), where=den > 1e-150)
                    tree.tree_.value[:, 0] = step * self._newton_scale(k)
                raw[:, j] += self.learning_rate * tree.tree_.value[leaves, 0]
                self.estimators_[m, j] = tree
            self.train_score_[m] = self._loss(Y, raw, w)
        self._stack = stack_trees([t.tree_ for t in self.estimators_.ravel()])

    def _raw_predict(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        X = check_array(X, accept_sparse="densify")
        check_n_features(self, X, reset=False)
        values = predict_many(self._stack, X)
        steps = values[:, :, 0].reshape(len(X), *self.estimators_.shape).sum(axis=1)
        return self.init_ + self.learning_rate * steps

    @property
    def feature_importances_(self) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        imp = np.mean([t.feature_importances_ for t in self.estimators_.ravel()], axis=0)
        total = imp.sum()
        return imp / total if total > 0 else imp

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True  # accepted and densified (check_array "densify")
        return tags


class GradientBoostingRegressor(RegressorMixin, _BaseGradientBoosting):
    """Gradient boosting for regression with the squared error ½(y − F)² (ML-GBM).

    F_0 = weighted mean of y; every stage fits a tree to the residuals y − F_{m−1}
    (the negative gradient), whose leaf means are already the optimal step.

    Parameters
    ----------
    n_estimators : int
    learning_rate : float
        Shrinkage η.
    max_depth, min_samples_split, min_samples_leaf, max_features : the trees'
    subsample : float
        Fraction of rows per stage (< 1: stochastic gradient boosting).
    random_state : int, Generator or None
    """

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, y_numeric=True, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        w = check_sample_weight(sample_weight, X)
        y = y.astype(np.float64)[:, None]
        self._boost(X, y, w, np.array([np.average(y[:, 0], weights=w)]))
        return self

    @staticmethod
    def _gradients(Y, raw):
        return Y - raw, None

    @staticmethod
    def _loss(Y, raw, w) -> float:
        return float(np.average((Y - raw)[:, 0] ** 2, weights=w))

    def predict(self, X) -> np.ndarray:
        return self._raw_predict(X)[:, 0]


class GradientBoostingClassifier(ClassifierMixin, _BaseGradientBoosting):
    """Gradient boosting for classification with the log-loss (ML-GBM).

    Binary: F is the log-odds, F_0 = log(p/(1 − p)), residual y − σ(F), leaf step
    Σ w r / Σ w p(1 − p). K > 2 classes: one tree per class and stage on
    y_k − softmax_k(F), leaf step (K − 1)/K · Σ w r / Σ w |r|(1 − |r|) (Friedman 2001).
    Parameters as :class:`GradientBoostingRegressor`.
    """

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        require_two_classes(self, self.classes_)
        w = check_sample_weight(sample_weight, X)
        K = len(self.classes_)
        onehot = one_hot(y_enc, K)
        prior = np.clip((w @ onehot) / w.sum(), 1e-15, 1 - 1e-15)
        if K == 2:
            self._boost(X, onehot[:, 1:], w, np.array([np.log(prior[1] / prior[0])]))
        else:
            self._boost(X, onehot, w, np.log(prior))
        return self

    @staticmethod
    def _probabilities(raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-raw))
        z = raw - raw.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def _gradients(self, Y, raw):
        p = self._probabilities(raw)
        residual = Y - p
        if Y.shape[1] == 1:
            return residual, p * (1.0 - p)
        a = np.abs(residual)
        return residual, a * (1.0 - a)

    @staticmethod
    def _newton_scale(k: int) -> float:
        return 1.0 if k == 1 else (k - 1) / k

    def _loss(self, Y, raw, w) -> float:
        p = np.clip(self._probabilities(raw), 1e-15, 1.0)
        if Y.shape[1] == 1:
            ll = Y[:, 0] * np.log(p[:, 0]) + (1 - Y[:, 0]) * np.log(np.clip(1 - p[:, 0], 1e-15, 1))
        else:
            ll = (Y * np.log(p)).sum(axis=1)
        return float(-np.average(ll, weights=w))

    def decision_function(self, X) -> np.ndarray:
        """Raw scores F(x): log-odds (n,) when binary, else (n, K)."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X) -> np.ndarray:
        p = self._probabilities(self._raw_predict(X))
        return np.hstack([1.0 - p, p]) if p.shape[1] == 1 else p

    def predict(self, X) -> np.ndarray:
        scores = self.predict_proba(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]
