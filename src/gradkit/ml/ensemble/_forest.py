"""Random forests (ML-FOREST): trees on bootstrap samples and random feature subsets."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_legacy_random_state,
    check_n_features,
    check_sample_weight,
    check_X_y,
    clone,
    encode_labels,
)
from ..tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    predict_mean,
    stack_trees,
)
from ..tree._classes import float32_columns
from ..tree._exact import Presort, rand_r_seed
from ..tree._lockstep import build_lockstep, lockstep_applies
from ..utils._parallel import run_parallel, shares
from ..utils.class_weight import compute_class_weight, compute_sample_weight

_MAX_INT = int(np.iinfo(np.int32).max)


def bootstrap_indices(seed: int, n_samples: int, n_draws: int, p=None) -> np.ndarray:
    """The bootstrap sample of the tree seeded ``seed``, as scikit-learn's
    ``_generate_sample_indices``: ``RandomState(seed).randint(0, n, n_draws)``, or with
    sample weights ``choice(n, n_draws, p=w / Σw)`` (int32)."""
    rs = np.random.RandomState(seed)
    if p is None:
        return rs.randint(0, n_samples, n_draws).astype(np.int32)
    return rs.choice(n_samples, n_draws, replace=True, p=p).astype(np.int32)


def n_bootstrap(n_samples: int, max_samples, total_weight: float) -> int:
    """Draws per bootstrap sample: n (None), an int, or ⌊f·Σw⌋ ≥ 1 for a float f in
    (0, 1] (Σw the total sample weight, n without weights)."""
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, numbers.Integral) and not isinstance(max_samples, bool):
        if max_samples < 1:
            raise ValueError(f"max_samples must be >= 1, got {max_samples}.")
        return int(max_samples)
    if (
        isinstance(max_samples, numbers.Real)
        and not isinstance(max_samples, bool)
        and (0.0 < max_samples <= 1.0)
    ):
        return max(int(max_samples * total_weight), 1)
    raise ValueError(f"max_samples must be None, an int or a float in (0, 1], got {max_samples!r}.")


class _BaseForest(BaseEstimator):
    """Grows ``n_estimators`` trees as scikit-learn's forests, so that an int
    ``random_state`` gives scikit-learn's trees.

    ``RandomState(random_state)`` draws one seed per tree (``randint(2³¹ − 1)``, in
    order); the tree with seed s is fitted with ``random_state=s`` on the bootstrap
    sample ``RandomState(s).randint(0, n, max_samples)``, which enters as integer sample
    weights (the draw counts). Trees are grown one at a time by the tree's own builder
    (see :mod:`gradkit.ml.tree._exact`); with ``n_jobs`` workers each grows a share.
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
        min_weight_fraction_leaf: float = 0.0,
        max_features="sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state=None,
        max_samples=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.max_samples = max_samples

    def _fit_trees(self, X, targets, sample_weight, y=None) -> None:
        """Grow the trees; ``targets`` (n,) class codes or regression targets,
        ``sample_weight`` (n,) or None, ``y`` the labels (for ``class_weight``).

        As scikit-learn ≥ 1.8, with a bootstrap the sample weights are the sampling
        probabilities of the draws (``max_samples`` a float is a fraction of their sum)
        and each tree is weighted by its draw counts; without one, the trees are
        weighted by them."""
        if isinstance(self.n_estimators, bool) or int(self.n_estimators) < 1:
            raise ValueError(f"n_estimators must be >= 1, got {self.n_estimators}.")
        if not self.bootstrap and self.max_samples is not None:
            raise ValueError("max_samples cannot be set if bootstrap=False.")
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True.")
        n = len(X)
        weighted = sample_weight is not None
        if not weighted:
            sample_weight = np.ones(n)
        draws = None
        if self.bootstrap:
            draws = n_bootstrap(n, self.max_samples, float(sample_weight.sum()))
        rng = check_legacy_random_state(self.random_state)
        seeds = [int(rng.randint(_MAX_INT)) for _ in range(int(self.n_estimators))]
        template = self._tree_class(
            criterion=self.criterion,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            min_weight_fraction_leaf=self.min_weight_fraction_leaf,
            max_features=self.max_features,
            max_leaf_nodes=self.max_leaf_nodes,
            min_impurity_decrease=self.min_impurity_decrease,
        )
        if hasattr(self, "classes_"):
            template.classes_, template.n_classes_ = self.classes_, len(self.classes_)
        XT = float32_columns(X)
        order = np.argsort(XT, axis=1)  # equal values in any order
        balanced = getattr(self, "class_weight", None) == "balanced_subsample"
        jobs = []
        # with a bootstrap, the weights are sampling probabilities; the trees see counts
        p = sample_weight / sample_weight.sum() if weighted and draws is not None else None
        for seed in seeds:
            weight = sample_weight
            if draws is not None:
                idx = bootstrap_indices(seed, n, draws, p)
                weight = np.bincount(idx, minlength=n).astype(np.float64)
                if balanced:
                    weight = weight * _subsample_weight(y, idx)
            jobs.append((seed, weight))
        groups = shares(len(jobs), self.n_jobs)
        grown = run_parallel(
            _grow_share, [(template, X, XT, targets, order, jobs[g]) for g in groups], self.n_jobs
        )
        self.estimators_ = [tree for share in grown for tree in share]
        self._seeds, self._draws, self._p = seeds, draws, p
        self._stack = stack_trees([t.tree_ for t in self.estimators_])

    def _oob_mean(self, X) -> np.ndarray:
        """Mean over the trees that did not draw a sample of their predictions for it
        (n, n_outputs); samples no tree left out count once, with a zero prediction."""
        n = len(X)
        total = np.zeros((n, self._stack[5].shape[1]))
        count = np.zeros(n)
        for est, seed in zip(self.estimators_, self._seeds, strict=True):
            drawn = np.bincount(bootstrap_indices(seed, n, self._draws, self._p), minlength=n)
            left_out = np.flatnonzero(drawn == 0)
            total[left_out] += est.tree_.predict(X[left_out])
            count[left_out] += 1
        if not count.all():
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees "
                "were used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=3,
            )
            count[count == 0] = 1
        return total / count[:, None]

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


def _subsample_weight(y, idx) -> np.ndarray:
    """ "balanced" class weights of the bootstrap sample ``y[idx]``, per sample of y
    (classes the sample lacks weigh 0), as scikit-learn's ``balanced_subsample``."""
    classes, y_enc = np.unique(y, return_inverse=True)
    counts = np.bincount(y_enc[idx], minlength=len(classes))
    present = counts > 0
    per_class = np.zeros(len(classes))
    per_class[present] = len(idx) / (present.sum() * counts[present])
    return per_class[y_enc]


class RandomForestClassifier(ClassifierMixin, _BaseForest):
    """Random forest classifier (ML-FOREST): average of the trees' class probabilities.

    Each tree is grown to full depth (by default) on a bootstrap sample, drawing
    ``max_features`` candidate features at every node; with an int ``random_state``
    the trees are scikit-learn's.

    Parameters
    ----------
    n_estimators : int
    criterion : {"gini", "entropy", "log_loss"}
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    max_leaf_nodes, min_impurity_decrease : as the tree
    max_features : "sqrt", "log2", int, float or None
    bootstrap : bool
    oob_score : bool
        Score the out-of-bag predictions (``oob_score_``, ``oob_decision_function_``).
    n_jobs : int or None
        Workers growing the trees and predicting (joblib, the ``[parallel]`` extra);
        None is sequential, -1 all cores; the forest is the same for every value.
    random_state : int, RandomState, Generator or None
    class_weight : dict, "balanced", "balanced_subsample" or None
        "balanced" weighs class k by Σw / (K · Σ_{y_i = k} w_i) (w the sample weights,
        ones without), as scikit-learn 1.9 does; "balanced_subsample" balances each
        tree's bootstrap sample (by counts), and is "balanced" without a bootstrap.
    max_samples : int, float or None
        Size of each bootstrap sample (None: n).
    """

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf: float = 0.0,
        max_features="sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state=None,
        class_weight=None,
        max_samples=None,
    ):
        super().__init__(
            n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            max_samples=max_samples,
        )
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        self.classes_, y_enc = encode_labels(y)
        self.n_classes_ = len(self.classes_)
        weight = None if sample_weight is None else check_sample_weight(sample_weight, X)
        preset = self.class_weight
        if preset == "balanced_subsample" and not self.bootstrap:
            preset = "balanced"
        if preset == "balanced":  # the classes weighed by their total sample weight
            per_class = compute_class_weight(
                "balanced", classes=self.classes_, y=y, sample_weight=weight
            )
            expanded = per_class[y_enc]
            weight = expanded if weight is None else weight * expanded
        elif preset is not None and preset != "balanced_subsample":
            expanded = compute_sample_weight(preset, y)
            weight = expanded if weight is None else weight * expanded
        self._fit_trees(X, y_enc, weight, y)
        if self.oob_score:
            self.oob_decision_function_ = self._oob_mean(X)
            self.oob_score_ = float(
                np.mean(self.classes_[self.oob_decision_function_.argmax(axis=1)] == y)
            )
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

    ``max_features`` defaults to 1.0 (all features), as scikit-learn; ``oob_score``
    gives ``oob_prediction_`` and its R² ``oob_score_``. Other parameters as
    :class:`RandomForestClassifier`.
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
        min_weight_fraction_leaf: float = 0.0,
        max_features=1.0,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state=None,
        max_samples=None,
    ):
        super().__init__(
            n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            max_samples=max_samples,
        )

    def fit(self, X, y, sample_weight=None):
        X, y = check_X_y(X, y, y_numeric=True, accept_sparse="densify")
        check_n_features(self, X, reset=True)
        y = y.astype(np.float64)
        weight = None if sample_weight is None else check_sample_weight(sample_weight, X)
        self._fit_trees(X, y, weight)
        if self.oob_score:
            self.oob_prediction_ = self._oob_mean(X)[:, 0]
            resid = ((y - self.oob_prediction_) ** 2).sum()
            self.oob_score_ = float(1.0 - resid / ((y - y.mean()) ** 2).sum())
        return self

    def predict(self, X) -> np.ndarray:
        X = self._check_predict(X)
        return self._predict_mean(X)[:, 0]


def _grow_share(template, X, XT, targets, order, jobs) -> list:
    """Grow the trees of one share (one worker's): ``jobs`` (seed, sample weight) pairs.
    Classification trees with integer weights grow in lock step (``build_lockstep``),
    the others one after another."""
    order = Presort(XT, order)  # what the drawn-feature searches derive, once
    trees = []
    for seed, _ in jobs:
        tree = clone(template).set_params(random_state=seed)
        if hasattr(template, "classes_"):
            tree.classes_, tree.n_classes_ = template.classes_, template.n_classes_
        tree.n_features_in_ = X.shape[1]
        trees.append(tree)
    weights = np.array([w for _, w in jobs])
    n_classes = getattr(template, "n_classes_", None)
    builder = template._exact_builder(*X.shape, weights[0])
    if len(jobs) > 1 and lockstep_applies(builder, weights, n_classes):
        builders = [t._exact_builder(*X.shape, w) for t, (_, w) in zip(trees, jobs, strict=True)]
        if all(b.min_weight_leaf == builder.min_weight_leaf for b in builders):
            seeds = [rand_r_seed(check_legacy_random_state(seed)) for seed, _ in jobs]
            grown = build_lockstep(builder, XT, targets, weights, n_classes, seeds, order)
            for tree, tree_ in zip(trees, grown, strict=True):
                tree.tree_, tree.max_features_ = tree_, builder.max_features
            return trees
    for tree, (_, weight) in zip(trees, jobs, strict=True):
        tree._grow(X, targets, weight, order=order, XT=XT)
    return trees
