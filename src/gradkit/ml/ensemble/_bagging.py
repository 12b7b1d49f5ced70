"""Bagging (ML-BAGGING): one base estimator per bootstrap sample, votes averaged."""

from __future__ import annotations

import numbers

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_X_y,
    clone,
    encode_labels,
)
from ..tree import DecisionTreeClassifier, grow_trees
from ..utils._parallel import run_parallel, shares


def _n_draw(value, total: int, name: str) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if not 1 <= value <= total:
            raise ValueError(f"{name} must be in [1, {total}], got {value}.")
        return int(value)
    if isinstance(value, numbers.Real) and 0.0 < value <= 1.0:
        return max(1, int(value * total))
    raise ValueError(f"{name} must be an int in [1, {total}] or a float in (0, 1], got {value!r}.")


class BaggingClassifier(ClassifierMixin, BaseEstimator):
    """Bootstrap aggregating (ML-BAGGING).

    Fits clones of ``estimator`` (default: a full decision tree) on random samples of the
    rows (with replacement when ``bootstrap``) and optionally of the columns, then
    averages their ``predict_proba`` (soft vote) or, without it, their votes.

    Parameters
    ----------
    estimator : classifier or None
    n_estimators : int
    max_samples, max_features : int or float
        Rows / columns drawn per estimator (float: a fraction).
    bootstrap : bool
        Rows with replacement.
    bootstrap_features : bool
        Columns with replacement.
    n_jobs : int or None
        Workers fitting and predicting with the members (joblib, the ``[parallel]``
        extra); every draw is made before they start, so the ensemble and its
        predictions are the same for every value. None is sequential, -1 all cores.
    random_state : int, Generator or None
    """

    def __init__(
        self,
        estimator=None,
        n_estimators: int = 10,
        *,
        max_samples=1.0,
        max_features=1.0,
        bootstrap: bool = True,
        bootstrap_features: bool = False,
        n_jobs: int | None = None,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        X, y = check_X_y(X, y, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        if int(self.n_estimators) < 1:
            raise ValueError(f"n_estimators must be >= 1, got {self.n_estimators}.")
        rng = check_random_state(self.random_state)
        n, d = X.shape
        n_rows = _n_draw(self.max_samples, n, "max_samples")
        n_cols = _n_draw(self.max_features, d, "max_features")
        base = self.estimator if self.estimator is not None else DecisionTreeClassifier()
        self.estimators_, self.estimators_features_, samples = [], [], []
        for _ in range(self.n_estimators):
            rows = rng.integers(0, n, n_rows) if self.bootstrap else rng.permutation(n)[:n_rows]
            cols = (
                rng.integers(0, d, n_cols)
                if self.bootstrap_features
                else np.sort(rng.permutation(d)[:n_cols])
            )
            est = clone(base)
            if "random_state" in est.get_params():
                est.set_params(random_state=int(rng.integers(2**31 - 1)))
            self.estimators_.append(est)
            self.estimators_features_.append(cols)
            samples.append(rows)
        parts = shares(len(self.estimators_), self.n_jobs)
        if self._grows_together(base, n_cols, d):
            weight = np.stack([np.bincount(rows, minlength=n) for rows in samples]).astype(float)
            template = clone(base)
            template.n_classes_ = len(self.classes_)
            template.classes_ = np.arange(template.n_classes_)  # the members see codes
            targets = np.broadcast_to(y_enc, weight.shape)
            # members with max_features=None draw nothing: shares grow as one batch would
            tasks = [(template, X, targets[s], weight[s], self.estimators_[s]) for s in parts]
            fitted = run_parallel(_grow_members, tasks, self.n_jobs)
        else:
            tasks = [
                (self.estimators_[s], samples[s], self.estimators_features_[s], X, y_enc)
                for s in parts
            ]
            fitted = run_parallel(_fit_members, tasks, self.n_jobs)
        self.estimators_ = [est for share in fitted for est in share]
        return self

    def _grows_together(self, base, n_cols: int, n_features: int) -> bool:
        """Whether the members are deterministic decision trees on all the columns, which
        grow side by side with the draws as sample weights (the same trees, counting
        distinct rows in ``min_samples_*``, as scikit-learn's bagging does)."""
        return (
            type(base) is DecisionTreeClassifier
            and base.max_features is None
            and not self.bootstrap_features
            and n_cols == n_features
        )

    def predict_proba(self, X) -> np.ndarray:
        """Mean of the members' class probabilities (their one-hot votes if they have none)."""
        check_is_fitted(self, "estimators_")
        X = check_array(X, accept_sparse="densify")
        check_n_features(self, X, reset=False)
        n_classes = len(self.classes_)
        members = list(zip(self.estimators_, self.estimators_features_, strict=True))
        parts = shares(len(members), self.n_jobs)
        votes = run_parallel(
            _member_votes, [(members[s], X, n_classes) for s in parts], self.n_jobs
        )
        proba = np.zeros((len(X), n_classes))
        for vote in (v for share in votes for v in share):  # summed in member order
            proba += vote
        return proba / len(self.estimators_)

    def predict(self, X) -> np.ndarray:
        scores = self.predict_proba(X)  # checks the fit first
        return self.classes_[scores.argmax(axis=1)]

    def _more_sklearn_tags(self, tags):
        tags = super()._more_sklearn_tags(tags)
        tags.input_tags.sparse = True  # accepted and densified (check_array "densify")
        return tags


def _grow_members(template, X, targets, weight, members) -> list:
    """Grow decision-tree members side by side (their draws as sample weights)."""
    return grow_trees(template, X, targets, weight, fitted=members)


def _fit_members(members, samples, features, X, y) -> list:
    """Fit each member on its drawn rows and columns."""
    for est, rows, cols in zip(members, samples, features, strict=True):
        est.fit(X[rows][:, cols], y[rows])
    return members


def _member_votes(members, X, n_classes: int) -> list[np.ndarray]:
    """Each member's class probabilities (its one-hot votes if it has none), (n, C)."""
    out = []
    for est, cols in members:
        vote = np.zeros((len(X), n_classes))
        seen = est.classes_  # encoded labels this member saw
        if hasattr(est, "predict_proba"):
            vote[:, seen] = est.predict_proba(X[:, cols])
        else:
            vote[np.arange(len(X)), est.predict(X[:, cols])] = 1.0
        out.append(vote)
    return out
