"""Cross-validation (EVAL-KFOLD) and learning curves (EVAL-FIT)."""

from __future__ import annotations

import numpy as np

from ..base import clone
from ..metrics import get_scorer
from ._split import _index, check_cv


def _is_classifier(estimator) -> bool:
    """Our estimators say so by ``_estimator_type``; scikit-learn's by their tags."""
    kind = getattr(estimator, "_estimator_type", None)
    if kind is None and hasattr(estimator, "__sklearn_tags__"):
        try:
            kind = estimator.__sklearn_tags__().estimator_type
        except Exception:  # a foreign estimator without usable tags
            kind = None
    return kind == "classifier"


def _fit_and_score(estimator, X, y, train, test, scorer, fit_params, return_train_score):
    est = clone(estimator)
    X_tr = _index(X, train)
    if y is None:
        est.fit(X_tr, **fit_params)
        y_tr = y_te = None
    else:
        y_tr, y_te = _index(y, train), _index(y, test)
        est.fit(X_tr, y_tr, **fit_params)
    test_score = scorer(est, _index(X, test), y_te)
    train_score = scorer(est, X_tr, y_tr) if return_train_score else None
    return est, float(test_score), train_score


def cross_validate(
    estimator,
    X,
    y=None,
    *,
    scoring=None,
    cv=None,
    fit_params=None,
    return_train_score: bool = False,
    return_estimator: bool = False,
) -> dict:
    """Fit a clone on each training fold and score it on the held-out fold.

    Returns
    -------
    dict with ``test_score`` (n_splits,), and ``train_score`` / ``estimator`` on request.
    """
    y_arr = None if y is None else np.asarray(y)
    splitter = check_cv(cv, y_arr, classifier=_is_classifier(estimator))
    scorer = get_scorer(scoring)
    results = [
        _fit_and_score(estimator, X, y, train, test, scorer, fit_params or {}, return_train_score)
        for train, test in splitter.split(X, y_arr)
    ]
    out = {"test_score": np.array([r[1] for r in results])}
    if return_train_score:
        out["train_score"] = np.array([r[2] for r in results])
    if return_estimator:
        out["estimator"] = [r[0] for r in results]
    return out


def cross_val_score(estimator, X, y=None, *, scoring=None, cv=None, fit_params=None) -> np.ndarray:
    """Test score of each cross-validation fold, shape (n_splits,)   (EVAL-KFOLD).

    ``cv``: number of folds (stratified for classifiers, as in scikit-learn), a splitter
    with ``split(X, y)``, or an iterable of (train, test) index pairs. ``scoring``: a
    name from :data:`gradkit.ml.metrics.SCORERS`, a callable ``(estimator, X, y)``, or
    None for ``estimator.score``.
    """
    return cross_validate(estimator, X, y, scoring=scoring, cv=cv, fit_params=fit_params)[
        "test_score"
    ]


def learning_curve(
    estimator,
    X,
    y,
    *,
    train_sizes=(0.1, 0.325, 0.55, 0.775, 1.0),
    cv=None,
    scoring=None,
    shuffle: bool = False,
    random_state=None,
):
    """Train and validation scores as the training set grows (EVAL-FIT).

    A widening gap between the two curves signals overfitting (high variance); two low
    curves that meet signal underfitting (high bias). Each fold's training part is cut
    to the first ``n`` samples for every size n (fractions of it, or counts).

    Returns
    -------
    train_sizes_abs : (n_sizes,), train_scores, test_scores : (n_sizes, n_splits)
    """
    y_arr = np.asarray(y)
    splitter = check_cv(cv, y_arr, classifier=_is_classifier(estimator))
    scorer = get_scorer(scoring)
    folds = list(splitter.split(X, y_arr))
    n_max = min(len(tr) for tr, _ in folds)
    sizes = np.asarray(train_sizes)
    if sizes.dtype.kind == "f":
        if np.any((sizes <= 0) | (sizes > 1)):
            raise ValueError(f"Fractional train_sizes must be in (0, 1], got {sizes.tolist()}.")
        sizes = np.maximum((sizes * n_max).astype(int), 1)
    elif np.any((sizes <= 0) | (sizes > n_max)):
        raise ValueError(f"train_sizes must be within (0, {n_max}], got {sizes.tolist()}.")
    sizes = np.unique(sizes)
    rng = np.random.default_rng(random_state) if shuffle else None
    train_scores = np.empty((len(sizes), len(folds)))
    test_scores = np.empty_like(train_scores)
    for j, (train, test) in enumerate(folds):
        if rng is not None:
            train = rng.permutation(train)
        for i, m in enumerate(sizes):
            _, te, tr = _fit_and_score(estimator, X, y_arr, train[:m], test, scorer, {}, True)
            train_scores[i, j], test_scores[i, j] = tr, te
    return sizes, train_scores, test_scores
