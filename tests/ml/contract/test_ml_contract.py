"""The estimator contract over every estimator in gradkit.ml (issue 18).

- fit / transform / predict never modify their inputs, dense or scipy.sparse (STYLE:
  "State mutation is explicit");
- every method that needs a fitted estimator raises NotFittedError before fit;
- ``random_state=None`` draws from NumPy's global generator, so ``np.random.seed``
  makes a run reproducible (DESIGN: Randomness).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _ml_instances import KIND, data, instance, names

from gradkit.ml.exceptions import ConvergenceWarning, NotFittedError

STATELESS = {"Normalizer", "FunctionTransformer"}
_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
    "inverse_transform",
    "score",
    "kneighbors",
    "get_feature_names_out",
)


def test_every_estimator_has_an_instance():
    """The registry below covers all of gradkit.ml (a new class needs an entry)."""
    missing = [n for n in names() if n not in KIND]
    assert not missing, f"add these to tests/ml/contract/_ml_instances.KIND: {missing}"


def test_not_fitted_error_is_value_and_attribute_error():
    assert issubclass(NotFittedError, ValueError)
    assert issubclass(NotFittedError, AttributeError)
    from gradkit.ml.base import NotFittedError as from_base

    assert from_base is NotFittedError


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        if y is None or KIND[type(est).__name__] in ("unsupervised", "text", "categorical"):
            if KIND[type(est).__name__] == "labels":
                return est.fit(y)
            return est.fit(X) if y is None else est.fit(X, y)
        return est.fit(X, y)


def _snapshot(a):
    if sp.issparse(a):
        return ("sparse", a.format, a.data.copy(), a.indices.copy(), a.indptr.copy(), a.shape)
    if isinstance(a, list):
        return ("list", list(a))
    return ("dense", np.array(a, copy=True))


def _same(a, snap) -> bool:
    if snap[0] == "sparse":
        return (
            a.format == snap[1]
            and np.array_equal(a.data, snap[2])
            and np.array_equal(a.indices, snap[3])
            and np.array_equal(a.indptr, snap[4])
            and a.shape == snap[5]
        )
    if snap[0] == "list":
        return a == snap[1]
    return np.array_equal(np.asarray(a), snap[1]) and np.asarray(a).dtype == snap[1].dtype


def _calls(est, X, y):
    """Every fitted method an estimator has, as (name, thunk) pairs."""
    kind = KIND[type(est).__name__]
    out = []
    for m in _METHODS:
        if not hasattr(est, m) or m == "get_feature_names_out":
            continue
        if m == "score":
            if kind in ("labels", "categorical") or (kind == "unsupervised" and y is None):
                continue
            out.append((m, lambda m=m: getattr(est, m)(X, y)))
        elif m == "inverse_transform":
            continue
        else:
            out.append((m, lambda m=m: getattr(est, m)(X)))
    return out


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("name", names())
def test_inputs_are_never_modified(name, sparse, rng):
    """fit, fit_transform, fit_predict, transform, predict, ... leave X and y unchanged."""
    est = instance(name)
    kind = KIND[name]
    X, y = data(kind, rng)
    if kind == "labels":
        X, y = y.astype(object).astype(str), None
        snap = _snapshot(X)
        est.fit(X)
        est.transform(X)
        est.fit_transform(X)
        assert _same(X, snap)
        return
    if sparse:
        if kind in ("text", "categorical"):
            pytest.skip("input is not a numeric matrix")
        X = sp.csr_matrix(X)
        # an unsorted CSR matrix is what a column selection returns: the trap of issue 18
        X = X[:, np.arange(X.shape[1])[::-1]][:, np.arange(X.shape[1])[::-1]]
        X.has_sorted_indices = False
    snap_X, snap_y = _snapshot(X), None if y is None else _snapshot(y)
    try:
        _fit(est, X, y)
    except (TypeError, ValueError) as exc:
        if sparse and "sparse" in str(exc):
            pytest.skip(f"{name} does not accept sparse input")
        raise
    assert _same(X, snap_X), f"{name}.fit modified X"
    if snap_y is not None:
        assert _same(y, snap_y), f"{name}.fit modified y"
    for method, call in _calls(est, X, y):
        call()
        assert _same(X, snap_X), f"{name}.{method} modified X"
    for method in ("fit_transform", "fit_predict"):
        if hasattr(est, method):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fresh = instance(name)
                if kind in ("unsupervised", "text", "categorical"):
                    getattr(fresh, method)(X)
                else:
                    getattr(fresh, method)(X, y)
            assert _same(X, snap_X), f"{name}.{method} modified X"


@pytest.mark.parametrize("name", names())
def test_not_fitted_error_before_fit(name, rng):
    """Every method needing a fit raises NotFittedError (not AttributeError on classes_)."""
    est = instance(name)
    X, y = data(KIND[name], rng)
    if KIND[name] == "labels":
        X = y
    if name in STATELESS:
        est.transform(X)  # scikit-learn's stateless transformers need no fit
        return
    tried = 0
    for method in _METHODS:
        if not hasattr(est, method):
            continue
        fn = getattr(est, method)
        args = (X, y) if method == "score" else () if method == "get_feature_names_out" else (X,)
        with pytest.raises(NotFittedError, match="not fitted"):
            fn(*args)
        tried += 1
    for attr in ("classes_",):
        if isinstance(getattr(type(est), attr, None), property):
            with pytest.raises(NotFittedError):
                getattr(est, attr)
    assert tried or KIND[name] == "unsupervised"


def _result(est, X, y):
    for method in ("predict", "transform", "decision_function"):
        if hasattr(est, method):
            return np.asarray(getattr(est, method)(X), dtype=float)
    return np.asarray(est.labels_, dtype=float)


RANDOM = [n for n in names() if "random_state" in instance(n).get_params()]


@pytest.mark.parametrize("name", RANDOM)
def test_random_state_none_follows_numpy_global_seed(name, rng):
    """random_state=None: np.random.seed(s) reproduces a run (no fresh OS entropy)."""
    X, y = data(KIND[name], rng)
    runs = []
    for seed in (3, 3):
        np.random.seed(seed)
        est = instance(name).set_params(random_state=None)  # Perceptron's default is 0
        runs.append(_result(_fit(est, X, y), X, y))
    np.testing.assert_array_equal(runs[0], runs[1])
