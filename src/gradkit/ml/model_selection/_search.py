"""Hyperparameter search with cross-validation: grid and random search (NN-SEARCH)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

import numpy as np

from ..base import BaseEstimator, check_is_fitted, check_random_state, clone
from ..metrics import get_scorer
from ._split import check_cv
from ._validation import _fit_and_score, _is_classifier


def _as_grid_list(grid) -> list[dict]:
    grids = [grid] if isinstance(grid, Mapping) else list(grid)
    for g in grids:
        if not isinstance(g, Mapping):
            raise TypeError(f"A parameter grid must be a dict or a list of dicts, got {g!r}.")
        for key, values in g.items():
            if (
                isinstance(values, (str, bytes))
                or not hasattr(values, "__iter__")
                and not (hasattr(values, "rvs"))
            ):
                raise TypeError(
                    f"Parameter {key!r} must map to a sequence of values (or a distribution "
                    f"with .rvs), got {values!r}."
                )
    return grids


class ParameterGrid:
    """Every combination of the values in a dict (or list of dicts) of parameter lists.

    Examples
    --------
    >>> list(ParameterGrid({"a": [1, 2], "b": [True]}))
    [{'a': 1, 'b': True}, {'a': 2, 'b': True}]
    """

    def __init__(self, param_grid):
        self.param_grid = _as_grid_list(param_grid)
        for g in self.param_grid:
            for key, values in g.items():
                if len(list(values)) == 0:
                    raise ValueError(f"Parameter {key!r} has an empty list of values.")

    def __iter__(self) -> Iterator[dict]:
        for g in self.param_grid:
            keys = sorted(g)
            for combo in itertools.product(*(list(g[k]) for k in keys)):
                yield dict(zip(keys, combo, strict=True))

    def __len__(self) -> int:
        return sum(int(np.prod([len(list(g[k])) for k in g])) for g in self.param_grid)


class ParameterSampler:
    """``n_iter`` random parameter settings (NN-SEARCH).

    A list is sampled uniformly; a distribution (anything with ``rvs``, e.g.
    ``scipy.stats.loguniform(1e-3, 1e2)``) is sampled with ``rvs(random_state=rng)``.
    When every entry is a list, settings are drawn without replacement from the grid.
    """

    def __init__(self, param_distributions, n_iter: int, *, random_state=None):
        self.param_distributions = _as_grid_list(param_distributions)
        self.n_iter = n_iter
        self.random_state = random_state

    def __iter__(self) -> Iterator[dict]:
        rng = check_random_state(self.random_state)
        all_lists = all(not hasattr(v, "rvs") for d in self.param_distributions for v in d.values())
        if all_lists:
            grid = list(ParameterGrid(self.param_distributions))
            for i in rng.choice(len(grid), size=min(self.n_iter, len(grid)), replace=False):
                yield grid[i]
            return
        for _ in range(self.n_iter):
            dist = self.param_distributions[rng.integers(len(self.param_distributions))]
            params = {}
            for key in sorted(dist):
                v = dist[key]
                if hasattr(v, "rvs"):
                    params[key] = v.rvs(random_state=rng)
                else:
                    seq = list(v)
                    params[key] = seq[rng.integers(len(seq))]
            yield params

    def __len__(self) -> int:
        return self.n_iter


def _rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the best mean score; ties share the smallest rank ('min' method)."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    order = np.sort(-s)
    return (np.searchsorted(order, -s, side="left") + 1).astype(np.int32)


class BaseSearchCV(BaseEstimator):
    """Shared machinery: score every candidate by cross-validation, refit the best."""

    def _candidates(self) -> list[dict]:
        raise NotImplementedError

    def fit(self, X, y=None, **fit_params) -> BaseSearchCV:
        y_arr = None if y is None else np.asarray(y)
        splitter = check_cv(self.cv, y_arr, classifier=_is_classifier(self.estimator))
        folds = list(splitter.split(X, y_arr))
        scorer = get_scorer(self.scoring)
        candidates = self._candidates()
        if not candidates:
            raise ValueError("No candidate parameter settings to search.")
        test = np.empty((len(candidates), len(folds)))
        train = np.empty_like(test)
        for i, params in enumerate(candidates):
            base = clone(self.estimator).set_params(**params)
            for j, (tr, te) in enumerate(folds):
                _, test[i, j], tr_score = _fit_and_score(
                    base, X, y, tr, te, scorer, fit_params, self.return_train_score
                )
                if self.return_train_score:
                    train[i, j] = tr_score
        results: dict = {"params": candidates}
        for key in sorted({k for c in candidates for k in c}):
            results[f"param_{key}"] = np.ma.MaskedArray(
                np.array([c.get(key) for c in candidates], dtype=object),
                mask=[key not in c for c in candidates],
            )
        for name, arr in (("test", test), ("train", train)):
            if name == "train" and not self.return_train_score:
                continue
            for j in range(len(folds)):
                results[f"split{j}_{name}_score"] = arr[:, j]
            results[f"mean_{name}_score"] = arr.mean(axis=1)
            results[f"std_{name}_score"] = arr.std(axis=1)
        results["rank_test_score"] = _rank(results["mean_test_score"])
        self.cv_results_ = results
        self.n_splits_ = len(folds)
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(results["mean_test_score"][self.best_index_])
        self.scorer_ = scorer
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            if y is None:
                self.best_estimator_.fit(X, **fit_params)
            else:
                self.best_estimator_.fit(X, y, **fit_params)
            if hasattr(self.best_estimator_, "classes_"):
                self.classes_ = self.best_estimator_.classes_
            if hasattr(self.best_estimator_, "n_features_in_"):
                self.n_features_in_ = self.best_estimator_.n_features_in_
        return self

    def _best(self):
        if not self.refit:
            raise AttributeError(
                "This search was run with refit=False; refit the best "
                "parameters yourself to predict."
            )
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    def predict(self, X):
        return self._best().predict(X)

    def predict_proba(self, X):
        return self._best().predict_proba(X)

    def decision_function(self, X):
        return self._best().decision_function(X)

    def transform(self, X):
        return self._best().transform(X)

    def score(self, X, y=None) -> float:
        """Score of the refitted best estimator with the search's scorer."""
        return float(self.scorer_(self._best(), X, y))

    @property
    def _estimator_type(self):
        return getattr(self.estimator, "_estimator_type", None)


class GridSearchCV(BaseSearchCV):
    """Exhaustive search over ``param_grid``, each setting scored by cross-validation.

    Attributes
    ----------
    cv_results_ : dict of arrays (params, param_<name>, split<k>_test_score,
        mean_test_score, std_test_score, rank_test_score), as in scikit-learn.
    best_params_, best_score_, best_index_, best_estimator_ (refitted on all data).
    """

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        cv=None,
        refit: bool = True,
        return_train_score: bool = False,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.return_train_score = return_train_score

    def _candidates(self) -> list[dict]:
        return list(ParameterGrid(self.param_grid))


class RandomizedSearchCV(BaseSearchCV):
    """Random search: ``n_iter`` settings sampled from ``param_distributions`` (NN-SEARCH).

    When only a few hyperparameters matter, random search covers each of them with
    ``n_iter`` distinct values where a grid of the same cost covers far fewer.
    Distributions are anything with ``rvs`` (``scipy.stats``), lists are sampled
    uniformly.
    """

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter: int = 10,
        scoring=None,
        cv=None,
        refit: bool = True,
        random_state=None,
        return_train_score: bool = False,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.random_state = random_state
        self.return_train_score = return_train_score

    def _candidates(self) -> list[dict]:
        return list(
            ParameterSampler(self.param_distributions, self.n_iter, random_state=self.random_state)
        )
