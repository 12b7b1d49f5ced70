"""The linear models declare scikit-learn's input / target tags (sparse X accepted,
multi-output regression), which scikit-learn's meta-estimators and checks read."""

from __future__ import annotations

import pytest

from gradkit.ml import linear_model as gk

sk_lm = pytest.importorskip("sklearn.linear_model")

NAMES = [
    "LogisticRegression",
    "SoftmaxRegression",
    "Ridge",
    "RidgeClassifier",
    "LinearRegression",
    "Lasso",
    "ElasticNet",
    "SGDClassifier",
    "SGDRegressor",
    "Perceptron",
]


@pytest.mark.parametrize("name", NAMES)
def test_ml_linear_model_tags_are_sklearns(name):
    ours = getattr(gk, name)().__sklearn_tags__()
    ref = getattr(sk_lm, "LogisticRegression" if name == "SoftmaxRegression" else name)()
    ref = ref.__sklearn_tags__()
    assert ours.input_tags.sparse is ref.input_tags.sparse is True
    assert ours.target_tags.multi_output is ref.target_tags.multi_output
    assert ours.estimator_type == ref.estimator_type


@pytest.mark.parametrize("name", NAMES)
def test_ml_linear_model_params_round_trip(name):
    """Every constructor argument is stored as given and read back by get_params (what
    clone and grid searches rely on): scikit-learn's estimator contract."""
    cls = getattr(gk, name)
    keys = list(cls().get_params())
    given = {k: object() for k in keys}
    est = cls(**given)
    got = est.get_params()
    assert set(got) == set(keys)
    for k in keys:
        assert got[k] is given[k], (name, k)
