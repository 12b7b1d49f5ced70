"""Hyperparameter search with cross-validation: grid and random search (NN-SEARCH)."""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Iterator, Mapping

import numpy as np

from ..base import BaseEstimator, check_is_fitted, check_legacy_random_state, clone
from ..metrics import get_scorer
from ..utils._parallel import run_parallel
from ..utils.metaestimators import available_if
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

    def __getitem__(self, ind: int) -> dict:
        """The ``ind``-th setting in iteration order, without building the grid."""
        for g in self.param_grid:
            keys = sorted(g)
            sizes = [len(list(g[k])) for k in keys]
            total = int(np.prod(sizes)) if keys else 1
            if ind >= total:
                ind -= total
                continue
            out = {}
            for key, size in zip(reversed(keys), reversed(sizes), strict=True):
                ind, offset = divmod(ind, size)
                out[key] = list(g[key])[offset]
            return dict(sorted(out.items()))
        raise IndexError("ParameterGrid index out of range")


class ParameterSampler:
    """``n_iter`` random parameter settings (NN-SEARCH), drawn as scikit-learn draws them.

    When every entry is a list, ``n_iter`` distinct settings are sampled without
    replacement from the grid (all of it, with a warning, if it is smaller). Otherwise
    each setting picks one of the dicts, then, key by key in sorted order, samples a
    distribution (anything with ``rvs``, e.g. ``scipy.stats.loguniform(1e-3, 1e2)``) or
    picks a list element uniformly. The random stream is a RandomState used in
    scikit-learn's order, so an int ``random_state`` gives scikit-learn's candidates.
    """

    def __init__(self, param_distributions, n_iter: int, *, random_state=None):
        self.param_distributions = _as_grid_list(param_distributions)
        self.n_iter = n_iter
        self.random_state = random_state

    def _all_lists(self) -> bool:
        return all(not hasattr(v, "rvs") for d in self.param_distributions for v in d.values())

    def __iter__(self) -> Iterator[dict]:
        rng = check_legacy_random_state(self.random_state)
        if self._all_lists():
            grid = ParameterGrid(self.param_distributions)
            size = len(grid)
            n_iter = self.n_iter
            if size < n_iter:
                warnings.warn(
                    f"The total space of parameters {size} is smaller than n_iter="
                    f"{n_iter}. Running {size} iterations. For exhaustive searches, use "
                    "GridSearchCV.",
                    UserWarning,
                    stacklevel=2,
                )
                n_iter = size
            for i in sample_without_replacement(size, n_iter, rng):
                yield grid[int(i)]
            return
        for _ in range(self.n_iter):
            dist = rng.choice(self.param_distributions)
            params = {}
            for key, v in sorted(dist.items()):
                if hasattr(v, "rvs"):
                    params[key] = v.rvs(random_state=rng)
                else:
                    params[key] = v[rng.randint(len(v))]
            yield params

    def __len__(self) -> int:
        if self._all_lists():
            return min(self.n_iter, len(ParameterGrid(self.param_distributions)))
        return self.n_iter


def sample_without_replacement(n_population: int, n_samples: int, rng) -> np.ndarray:
    """``n_samples`` distinct integers of range(n_population), scikit-learn's "auto" way.

    For 1% < n_samples/n_population < 99%: the head of a permutation. Below 20% (else):
    draw-and-reject against the set taken so far; otherwise reservoir sampling (keep
    0..k−1, then item i replaces slot j = randint(i + 1) when j < k).
    """
    ratio = n_samples / n_population if n_population else 1.0
    if 0.01 < ratio < 0.99:
        return rng.permutation(n_population)[:n_samples]
    out = np.empty(n_samples, dtype=np.int64)
    if ratio < 0.2:
        taken: set[int] = set()
        for i in range(n_samples):
            j = int(rng.randint(n_population))
            while j in taken:
                j = int(rng.randint(n_population))
            taken.add(j)
            out[i] = j
        return out
    out[:] = np.arange(n_samples)
    for i in range(n_samples, n_population):
        j = int(rng.randint(0, i + 1))
        if j < n_samples:
            out[j] = i
    return out


def _param_columns(candidates: list[dict]) -> dict:
    """``param_<name>`` columns of ``cv_results_``, as scikit-learn builds them.

    One masked array per parameter, masked where a candidate lacks it. The dtype is the
    one NumPy infers for the values when that gives a 1-D non-string array (floats stay
    float64), else object, so tuples such as ``ngram_range=(1, 2)`` stay one entry each.
    """
    n = len(candidates)
    out = {}
    for key in sorted({k for c in candidates for k in c}):
        present = {i: c[key] for i, c in enumerate(candidates) if key in c}
        try:
            inferred = np.array(list(present.values()))
            dtype = inferred.dtype if inferred.ndim == 1 and inferred.dtype.kind != "U" else object
        except ValueError:  # ragged sequences
            dtype = np.dtype(object)
        column = np.ma.MaskedArray(np.empty(n, dtype=dtype), mask=True)
        for i, value in present.items():
            column[i] = value
        out[f"param_{key}"] = column
    return out


def _rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the best mean score; ties share the smallest rank ('min' method)."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    order = np.sort(-s)
    return (np.searchsorted(order, -s, side="left") + 1).astype(np.int32)


def _estimator_has(attr: str):
    """available_if check: the refitted best estimator (or, before fit, the estimator
    searched over) has ``attr``."""

    def check(self) -> bool:
        return hasattr(getattr(self, "best_estimator_", self.estimator), attr)

    return check


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
        if self.verbose > 0:
            print(
                f"Fitting {len(folds)} folds for each of {len(candidates)} candidates, "
                f"totalling {len(folds) * len(candidates)} fits"
            )
        shape = (len(candidates), len(folds))
        tasks = [
            (clone(self.estimator).set_params(**params), X, y, tr, te, scorer, fit_params)
            for params in candidates
            for tr, te in folds
        ]
        return_train, error_score = self.return_train_score, self.error_score

        def one(*task):
            return _fit_and_score(*task, return_train, error_score=error_score)

        out = run_parallel(one, tasks, self.n_jobs, self.pre_dispatch)

        def grid(key):
            return np.array([r[key] for r in out], dtype=float).reshape(shape)

        test, train = grid("test_score"), grid("train_score")
        fit_time, score_time = grid("fit_time"), grid("score_time")
        results: dict = {}
        for name, arr in (("fit_time", fit_time), ("score_time", score_time)):
            results[f"mean_{name}"] = arr.mean(axis=1)
            results[f"std_{name}"] = arr.std(axis=1)
        results.update(_param_columns(candidates))
        results["params"] = candidates
        for name, arr in (("test", test), ("train", train)):
            if name == "train" and not self.return_train_score:
                continue
            for j in range(len(folds)):
                results[f"split{j}_{name}_score"] = arr[:, j]
            results[f"mean_{name}_score"] = arr.mean(axis=1)
            results[f"std_{name}_score"] = arr.std(axis=1)
            if name == "test":
                results["rank_test_score"] = _rank(results["mean_test_score"])
        self.cv_results_ = results
        self.n_splits_ = len(folds)
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(results["mean_test_score"][self.best_index_])
        self.scorer_ = scorer
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            start = time.perf_counter()
            if y is None:
                self.best_estimator_.fit(X, **fit_params)
            else:
                self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
            if hasattr(self.best_estimator_, "classes_"):
                self.classes_ = self.best_estimator_.classes_
            if hasattr(self.best_estimator_, "n_features_in_"):
                self.n_features_in_ = self.best_estimator_.n_features_in_
        return self

    def _best(self):
        check_is_fitted(self, "best_index_")
        if not self.refit:
            raise AttributeError(
                "This search was run with refit=False; refit the best "
                "parameters yourself to predict."
            )
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        return self._best().predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        return self._best().predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        return self._best().predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        return self._best().decision_function(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X):
        return self._best().transform(X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X):
        return self._best().inverse_transform(X)

    def score(self, X, y=None) -> float:
        """Score of the refitted best estimator with the search's scorer."""
        best = self._best()
        return float(self.scorer_(best, X, y))

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
        n_jobs=None,
        refit: bool = True,
        cv=None,
        verbose: int = 0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score: bool = False,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.error_score = error_score
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
        n_jobs=None,
        refit: bool = True,
        cv=None,
        verbose: int = 0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score: bool = False,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self) -> list[dict]:
        return list(
            ParameterSampler(self.param_distributions, self.n_iter, random_state=self.random_state)
        )
