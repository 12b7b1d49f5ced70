"""Cross-validation (EVAL-KFOLD), out-of-fold predictions, learning and validation curves
(EVAL-FIT), with scikit-learn's signatures and results."""

from __future__ import annotations

import numbers
import time
import warnings

import numpy as np

from ..base import check_legacy_random_state, clone
from ..exceptions import FitFailedWarning
from ..metrics import get_scorer
from ..utils._parallel import run_parallel
from ._split import _index, _num_samples, check_cv


def _is_classifier(estimator) -> bool:
    """Our estimators say so by ``_estimator_type``; scikit-learn's by their tags."""
    kind = getattr(estimator, "_estimator_type", None)
    if kind is None and hasattr(estimator, "__sklearn_tags__"):
        try:
            kind = estimator.__sklearn_tags__().estimator_type
        except Exception:  # a foreign estimator without usable tags
            kind = None
    return kind == "classifier"


def _fit_and_score(
    estimator,
    X,
    y,
    train,
    test,
    scorer,
    fit_params,
    return_train_score,
    *,
    error_score="raise",
) -> dict:
    """Fit a clone on the ``train`` rows and score it on the ``test`` rows.

    Returns a dict with ``estimator``, ``test_score``, ``train_score`` (NaN unless asked
    for), ``fit_time`` and ``score_time`` (seconds). A failing fit raises with
    ``error_score="raise"``, else scores ``error_score`` with a FitFailedWarning.
    """
    est = clone(estimator)
    X_tr = _index(X, train)
    y_tr = y_te = None
    if y is not None:
        y_tr, y_te = _index(y, train), _index(y, test)
    start = time.perf_counter()
    try:
        if y is None:
            est.fit(X_tr, **(fit_params or {}))
        else:
            est.fit(X_tr, y_tr, **(fit_params or {}))
    except Exception as exc:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        if not isinstance(error_score, numbers.Number):
            raise ValueError("error_score must be the string 'raise' or a numeric value.") from exc
        warnings.warn(
            f"Estimator fit failed; its scores are set to {error_score}. Details: "
            f"{type(exc).__name__}: {exc}",
            FitFailedWarning,
            stacklevel=3,
        )
        fit_time = time.perf_counter() - start
        return {
            "estimator": est,
            "test_score": float(error_score),
            "train_score": float(error_score) if return_train_score else np.nan,
            "fit_time": fit_time,
            "score_time": 0.0,
        }
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    test_score = _as_score(scorer(est, _index(X, test), y_te))
    score_time = time.perf_counter() - start
    train_score = _as_score(scorer(est, X_tr, y_tr)) if return_train_score else np.nan
    return {
        "estimator": est,
        "test_score": test_score,
        "train_score": train_score,
        "fit_time": fit_time,
        "score_time": score_time,
    }


def _as_score(value):
    """A float, or a dict of floats from a multi-metric scorer."""
    return value if isinstance(value, dict) else float(value)


def _scorers(scoring) -> dict | None:
    """A dict name → scorer for multi-metric ``scoring`` (list, tuple, set or dict),
    None for a single metric."""
    if isinstance(scoring, (list, tuple, set)):
        names = list(scoring)
        if len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"scoring={scoring!r}: a list of scorers must hold unique metric names."
            )
        return {name: get_scorer(name) for name in names}
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError("scoring is an empty dict; give at least one metric.")
        return {name: get_scorer(s) for name, s in scoring.items()}
    return None


class _MultiScorer:
    """Calls several scorers; returns their scores as a dict (for cross_validate)."""

    def __init__(self, scorers: dict):
        self.scorers = scorers

    def __call__(self, estimator, X, y) -> dict:
        return {name: float(s(estimator, X, y)) for name, s in self.scorers.items()}


def _split(estimator, X, y, groups, cv):
    y_arr = None if y is None else np.asarray(y)
    splitter = check_cv(cv, y_arr, classifier=_is_classifier(estimator))
    return list(splitter.split(X, y_arr, groups))


def cross_validate(
    estimator,
    X,
    y=None,
    *,
    groups=None,
    scoring=None,
    cv=None,
    n_jobs=None,
    verbose: int = 0,
    params=None,
    pre_dispatch="2*n_jobs",
    return_train_score: bool = False,
    return_estimator: bool = False,
    return_indices: bool = False,
    error_score=np.nan,
) -> dict:
    """Fit a clone on each training fold and score it on the held-out fold (EVAL-KFOLD).

    ``cv``: number of folds (stratified for classifiers, as in scikit-learn), a splitter
    with ``split(X, y, groups)``, or an iterable of (train, test) index pairs.
    ``scoring``: a name from :data:`gradkit.ml.metrics.SCORERS`, a callable
    ``(estimator, X, y)``, None for ``estimator.score``, or a list / dict of them.

    Returns
    -------
    dict of arrays of shape (n_splits,): ``fit_time``, ``score_time``, ``test_score``
    (``test_<name>`` for several metrics), ``train_score`` on request; ``estimator``
    (list) and ``indices`` ({"train": [...], "test": [...]}) on request.
    """
    folds = _split(estimator, X, y, groups, cv)
    multi = _scorers(scoring)
    scorer = _MultiScorer(multi) if multi is not None else get_scorer(scoring)
    tasks = [(estimator, X, y, tr, te, scorer, params, return_train_score) for tr, te in folds]

    def one(*task):
        return _fit_and_score(*task, error_score=error_score)

    results = run_parallel(one, tasks, n_jobs, pre_dispatch)
    out = {
        "fit_time": np.array([r["fit_time"] for r in results]),
        "score_time": np.array([r["score_time"] for r in results]),
    }
    for kind in ("test", "train"):
        if kind == "train" and not return_train_score:
            continue
        scores = [r[f"{kind}_score"] for r in results]
        if multi is None:
            out[f"{kind}_score"] = np.array(scores, dtype=float)
        else:
            for name in multi:
                out[f"{kind}_{name}"] = np.array(
                    [s[name] if isinstance(s, dict) else s for s in scores], dtype=float
                )
    if return_estimator:
        out["estimator"] = [r["estimator"] for r in results]
    if return_indices:
        out["indices"] = {"train": [tr for tr, _ in folds], "test": [te for _, te in folds]}
    return out


def cross_val_score(
    estimator,
    X,
    y=None,
    *,
    groups=None,
    scoring=None,
    cv=None,
    n_jobs=None,
    verbose: int = 0,
    params=None,
    pre_dispatch="2*n_jobs",
    error_score=np.nan,
) -> np.ndarray:
    """Test score of each cross-validation fold, shape (n_splits,)   (EVAL-KFOLD).

    See :func:`cross_validate` for ``cv`` and ``scoring`` (one metric here).
    """
    if _scorers(scoring) is not None:
        raise ValueError("cross_val_score takes one metric; use cross_validate for several.")
    return cross_validate(
        estimator,
        X,
        y,
        groups=groups,
        scoring=scoring,
        cv=cv,
        n_jobs=n_jobs,
        params=params,
        pre_dispatch=pre_dispatch,
        error_score=error_score,
    )["test_score"]


_PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def cross_val_predict(
    estimator,
    X,
    y=None,
    *,
    groups=None,
    cv=None,
    n_jobs=None,
    verbose: int = 0,
    params=None,
    pre_dispatch="2*n_jobs",
    method: str = "predict",
):
    """Out-of-fold predictions: each sample predicted by the model fitted without its fold.

    The folds must partition the samples (each in exactly one test fold). For
    ``predict_proba`` / ``predict_log_proba`` / ``decision_function`` the columns follow
    the sorted classes of the whole y; a class missing from a training fold gets 0
    (probabilities) or the lowest float (log-probabilities, decision values) there.

    Shape: (n_samples,) for ``predict``, (n_samples, n_classes) for the others.
    """
    if method not in _PREDICT_METHODS:
        raise ValueError(f"method={method!r}; valid are {list(_PREDICT_METHODS)}.")
    folds = _split(estimator, X, y, groups, cv)
    n = _num_samples(X)
    test_indices = np.concatenate([te for _, te in folds])
    if len(test_indices) != n or not np.array_equal(np.sort(test_indices), np.arange(n)):
        raise ValueError("cross_val_predict only works for partitions")
    encode = method != "predict" and y is not None
    n_classes = None
    if encode:
        y = np.asarray(y)
        if y.ndim == 1:
            _, y = np.unique(y, return_inverse=True)
            y = y.ravel()
            n_classes = int(y.max()) + 1

    def one(train, test):
        est = clone(estimator)
        X_tr = _index(X, train)
        if y is None:
            est.fit(X_tr, **(params or {}))
        else:
            est.fit(X_tr, _index(y, train), **(params or {}))
        pred = getattr(est, method)(_index(X, test))
        if n_classes is not None:
            pred = _all_classes(np.asarray(pred), est.classes_, n_classes, method)
        return pred

    predictions = run_parallel(one, folds, n_jobs, pre_dispatch)
    inverse = np.empty(n, dtype=np.int64)
    inverse[test_indices] = np.arange(n)
    if hasattr(predictions[0], "tocsr"):
        import scipy.sparse as sp

        return sp.vstack(predictions, format=predictions[0].format)[inverse]
    return np.concatenate(predictions)[inverse]


def _all_classes(pred, classes, n_classes: int, method: str) -> np.ndarray:
    """Columns for every class of the whole y when a training fold lacked some."""
    if len(classes) == n_classes:
        return pred
    warnings.warn(
        f"Number of classes in training fold ({len(classes)}) does not match total number "
        f"of classes ({n_classes}). Results may not be appropriate for your use case. "
        "To fix this, use a cross-validation technique resulting in properly stratified "
        "folds",
        RuntimeWarning,
        stacklevel=4,
    )
    if method == "decision_function" and (pred.ndim == 1 or len(classes) <= 2):
        raise ValueError(
            f"Only {len(classes)} class/es in training fold, but {n_classes} in overall "
            "dataset. This is not supported for decision_function with imbalanced folds. "
            "Use stratified folds."
        )
    fill = 0.0 if method == "predict_proba" else np.finfo(pred.dtype).min
    out = np.full((pred.shape[0], n_classes), fill, dtype=pred.dtype)
    out[:, np.asarray(classes, dtype=np.int64)] = pred
    return out


def _train_sizes(train_sizes, n_max: int) -> np.ndarray:
    """Absolute training-set sizes from fractions of ``n_max`` (floats) or counts."""
    sizes = np.asarray(train_sizes)
    n_ticks = sizes.shape[0]
    lo, hi = np.min(sizes), np.max(sizes)
    if np.issubdtype(sizes.dtype, np.floating):
        if lo <= 0.0 or hi > 1.0:
            raise ValueError(
                "train_sizes has been interpreted as fractions of the maximum number of "
                f"training samples and must be within (0, 1], but is within [{lo}, {hi}]."
            )
        sizes = np.clip((sizes * n_max).astype(int), 1, n_max)
    elif lo <= 0 or hi > n_max:
        raise ValueError(
            "train_sizes has been interpreted as absolute numbers of training samples and "
            f"must be within (0, {n_max}], but is within [{lo}, {hi}]."
        )
    sizes = np.unique(sizes)
    if sizes.shape[0] < n_ticks:
        warnings.warn(
            "Removed duplicate entries from 'train_sizes'. Number of ticks will be less "
            f"than the size of 'train_sizes': {sizes.shape[0]} instead of {n_ticks}.",
            RuntimeWarning,
            stacklevel=3,
        )
    return sizes


_DEFAULT_TRAIN_SIZES = np.linspace(0.1, 1.0, 5)  # scikit-learn's default


def learning_curve(
    estimator,
    X,
    y,
    *,
    groups=None,
    train_sizes=_DEFAULT_TRAIN_SIZES,
    cv=None,
    scoring=None,
    n_jobs=None,
    pre_dispatch="all",
    verbose: int = 0,
    shuffle: bool = False,
    random_state=None,
    error_score=np.nan,
    return_times: bool = False,
    params=None,
):
    """Train and validation scores as the training set grows (EVAL-FIT).

    A widening gap between the two curves signals overfitting (high variance); two low
    curves that meet signal underfitting (high bias). Sizes are fractions of (floats)
    or counts within the first fold's training set; each fold's training part is cut
    to its first n samples (after a permutation with ``shuffle``, drawn as
    scikit-learn draws it).

    Returns
    -------
    train_sizes_abs : (n_ticks,); train_scores, test_scores : (n_ticks, n_splits);
    with ``return_times`` also fit_times, score_times : (n_ticks, n_splits).
    """
    folds = _split(estimator, X, y, groups, cv)
    scorer = get_scorer(scoring)
    sizes = _train_sizes(train_sizes, len(folds[0][0]))
    if shuffle:
        rng = check_legacy_random_state(random_state)
        folds = [(rng.permutation(train), test) for train, test in folds]
    tasks = [
        (estimator, X, y, train[:m], test, scorer, params, True)
        for train, test in folds
        for m in sizes
    ]

    def one(*task):
        return _fit_and_score(*task, error_score=error_score)

    results = run_parallel(one, tasks, n_jobs, pre_dispatch)

    def grid(key):
        return np.array([r[key] for r in results]).reshape(-1, len(sizes)).T

    out = [sizes, grid("train_score"), grid("test_score")]
    if return_times:
        out += [grid("fit_time"), grid("score_time")]
    return tuple(out)


def validation_curve(
    estimator,
    X,
    y,
    *,
    param_name: str,
    param_range,
    groups=None,
    cv=None,
    scoring=None,
    n_jobs=None,
    pre_dispatch="all",
    verbose: int = 0,
    error_score=np.nan,
    params=None,
):
    """Train and validation scores for each value of one hyperparameter (EVAL-FIT).

    Low scores on both sides: underfitting; a high training score with a low validation
    score: overfitting. The best value is where the validation score peaks.

    Returns
    -------
    train_scores, test_scores : (n_values, n_splits).
    """
    folds = _split(estimator, X, y, groups, cv)
    scorer = get_scorer(scoring)
    values = list(param_range)
    tasks = [
        (clone(estimator).set_params(**{param_name: v}), X, y, tr, te, scorer, params, True)
        for tr, te in folds
        for v in values
    ]

    def one(*task):
        return _fit_and_score(*task, error_score=error_score)

    results = run_parallel(one, tasks, n_jobs, pre_dispatch)

    def grid(key):
        return np.array([r[key] for r in results]).reshape(-1, len(values)).T

    return grid("train_score"), grid("test_score")
