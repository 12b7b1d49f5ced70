"""EVAL-SPLIT / EVAL-KFOLD / EVAL-FIT (issue 18): the splitters, cross_validate,
cross_val_predict, learning_curve, validation_curve, make_pipeline, ColumnTransformer and
FunctionTransformer against scikit-learn's.

The CV machinery is compared on a scikit-learn estimator (so any difference is the
machinery's), and the deterministic splitters split exactly as scikit-learn's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from gradkit.ml import model_selection as ms
from gradkit.ml.compose import ColumnTransformer, make_column_transformer
from gradkit.ml.linear_model import LogisticRegression
from gradkit.ml.pipeline import make_pipeline
from gradkit.ml.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

skms = pytest.importorskip("sklearn.model_selection")
import sklearn.compose as skc  # noqa: E402
import sklearn.pipeline as skpipe  # noqa: E402
import sklearn.preprocessing as skp  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
GROUPS = np.repeat(np.arange(30), 5)[np.random.default_rng(0).permutation(150)]

SPLITTERS = [
    ("KFold", dict(n_splits=4)),
    ("KFold", dict(n_splits=4, shuffle=True, random_state=3)),
    ("StratifiedKFold", dict(n_splits=5)),
    ("StratifiedKFold", dict(n_splits=5, shuffle=True, random_state=1)),
    ("GroupKFold", dict(n_splits=4)),
    ("GroupKFold", dict(n_splits=4, shuffle=True, random_state=2)),
    ("RepeatedKFold", dict(n_splits=3, n_repeats=2, random_state=0)),
    ("RepeatedStratifiedKFold", dict(n_splits=3, n_repeats=2, random_state=0)),
    ("ShuffleSplit", dict(n_splits=3, test_size=0.3, random_state=0)),
    ("ShuffleSplit", dict(n_splits=2, train_size=40, test_size=20, random_state=7)),
    ("StratifiedShuffleSplit", dict(n_splits=3, test_size=0.33, random_state=0)),
]


@pytest.mark.parametrize("name,kw", SPLITTERS, ids=[f"{n}{kw}" for n, kw in SPLITTERS])
def test_eval_kfold_splitters_split_as_sklearn(name, kw):
    ours, ref = getattr(ms, name)(**kw), getattr(skms, name)(**kw)
    assert repr(ours) == repr(ref)
    assert ours.get_n_splits(X_IRIS, Y_IRIS, GROUPS) == ref.get_n_splits(X_IRIS, Y_IRIS, GROUPS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn: "groups parameter is ignored"
        pairs = zip(
            ours.split(X_IRIS, Y_IRIS, GROUPS), ref.split(X_IRIS, Y_IRIS, GROUPS), strict=True
        )
        for (a_tr, a_te), (b_tr, b_te) in pairs:
            np.testing.assert_array_equal(a_tr, b_tr)
            np.testing.assert_array_equal(a_te, b_te)


def test_eval_kfold_splitter_errors():
    with pytest.raises(ValueError, match="n_splits=2 or more"):
        ms.KFold(1)
    with pytest.raises(ValueError, match="groups"):
        next(ms.GroupKFold(2).split(X_IRIS))
    with pytest.raises(ValueError, match="greater than the number of groups"):
        next(ms.GroupKFold(40).split(X_IRIS, groups=GROUPS))
    with pytest.warns(UserWarning, match="least populated class"):
        list(ms.StratifiedKFold(3).split(np.zeros(7), [0, 0, 0, 0, 0, 1, 1]))


def test_eval_kfold_cross_validate_matches_sklearn():
    cv = skms.StratifiedKFold(4, shuffle=True, random_state=0)
    kw = dict(cv=cv, return_train_score=True, return_indices=True)
    ours = ms.cross_validate(GaussianNB(), X_IRIS, Y_IRIS, scoring=["accuracy", "f1_macro"], **kw)
    ref = skms.cross_validate(GaussianNB(), X_IRIS, Y_IRIS, scoring=["accuracy", "f1_macro"], **kw)
    assert set(ours) == set(ref)
    for key in ("test_accuracy", "train_accuracy", "test_f1_macro", "train_f1_macro"):
        np.testing.assert_allclose(ours[key], ref[key], atol=1e-12)
    for a, b in zip(ours["indices"]["test"], ref["indices"]["test"], strict=True):
        np.testing.assert_array_equal(a, b)
    single = ms.cross_validate(DecisionTreeClassifier(random_state=0), X_IRIS, Y_IRIS, cv=3)
    assert set(single) == {"fit_time", "score_time", "test_score"}


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_eval_kfold_cross_val_predict_matches_sklearn(method):
    ours = ms.cross_val_predict(GaussianNB(), X_IRIS, Y_IRIS, cv=5, method=method)
    ref = skms.cross_val_predict(GaussianNB(), X_IRIS, Y_IRIS, cv=5, method=method)
    np.testing.assert_allclose(ours, ref, atol=1e-12)
    # a fold without class 2: its probability column is 0 there (log: the lowest float)
    y = Y_IRIS.copy()
    cv = [(np.arange(100), np.arange(100, 150)), (np.arange(50, 150), np.arange(50))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="only works for partitions"):
            ms.cross_val_predict(GaussianNB(), X_IRIS, y, cv=cv, method=method)


def test_eval_fit_learning_curve_matches_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    for kw in (
        dict(train_sizes=[0.1, 0.5, 1.0], cv=5),
        dict(train_sizes=[30, 100, 200], cv=4, shuffle=True, random_state=3),
        dict(cv=3, return_times=True),
    ):
        ours = ms.learning_curve(GaussianNB(), X, y, **kw)
        ref = skms.learning_curve(GaussianNB(), X, y, **kw)
        np.testing.assert_array_equal(ours[0], ref[0])
        np.testing.assert_allclose(ours[1], ref[1], atol=1e-12)
        np.testing.assert_allclose(ours[2], ref[2], atol=1e-12)
        assert len(ours) == len(ref)
    with pytest.raises(ValueError, match="within"):
        ms.learning_curve(GaussianNB(), X, y, train_sizes=[0.0, 0.5])


def test_eval_fit_validation_curve_matches_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    depths = [1, 2, 4, 8]
    est = DecisionTreeClassifier(random_state=0)
    ours = ms.validation_curve(est, X, y, param_name="max_depth", param_range=depths, cv=4)
    ref = skms.validation_curve(est, X, y, param_name="max_depth", param_range=depths, cv=4)
    np.testing.assert_allclose(ours[0], ref[0], atol=1e-12)
    np.testing.assert_allclose(ours[1], ref[1], atol=1e-12)
    assert ours[0].shape == (4, 4)


def test_eval_fit_learning_curve_with_gradkit_estimator():
    """EVAL-FIT: the training score falls and the validation score rises with more data."""
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    sizes, tr, te = ms.learning_curve(
        pipe, X, y, train_sizes=[20, 80, 400], cv=5, shuffle=True, random_state=0
    )
    assert tr.mean(axis=1)[0] >= tr.mean(axis=1)[-1]
    assert te.mean(axis=1)[0] < te.mean(axis=1)[-1]


def test_make_pipeline_names_like_sklearn():
    ours = make_pipeline(StandardScaler(), MinMaxScaler(), StandardScaler())
    ref = skpipe.make_pipeline(skp.StandardScaler(), skp.MinMaxScaler(), skp.StandardScaler())
    assert [n for n, _ in ours.steps] == [n for n, _ in ref.steps]


def test_column_transformer_matches_sklearn():
    X = np.random.default_rng(0).normal(size=(30, 5))
    X[:, 4] = np.abs(X[:, 4])
    ours = ColumnTransformer(
        [
            ("scale", StandardScaler(), [0, 1]),
            ("log", FunctionTransformer(np.log1p, feature_names_out="one-to-one"), [4]),
            ("gone", "drop", [2]),
        ],
        remainder="passthrough",
    ).fit(X)
    ref = skc.ColumnTransformer(
        [
            ("scale", skp.StandardScaler(), [0, 1]),
            ("log", skp.FunctionTransformer(np.log1p, feature_names_out="one-to-one"), [4]),
            ("gone", "drop", [2]),
        ],
        remainder="passthrough",
    ).fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), atol=1e-12)
    assert ours.output_indices_ == ref.output_indices_
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    assert list(ours.named_transformers_) == list(ref.named_transformers_)
    # sparse stacking follows the density threshold
    S = sp.csr_matrix(np.eye(30)[:, :5])
    both = [("a", "passthrough", [0, 1, 2]), ("b", FunctionTransformer(), [3, 4])]
    assert ColumnTransformer(both, sparse_threshold=0.9).fit(S).sparse_output_ is True
    assert ColumnTransformer(both, sparse_threshold=0.01).fit(S).sparse_output_ is False  # 1/30
    Z = ColumnTransformer(both).fit_transform(S)
    ref_ct = skc.ColumnTransformer([("a", "passthrough", [0, 1, 2]), ("b", "passthrough", [3, 4])])
    assert abs(Z - ref_ct.fit_transform(S)).max() == 0
    ct = make_column_transformer((StandardScaler(), [0]), (StandardScaler(), [1]))
    assert [t[0] for t in ct.transformers] == ["standardscaler-1", "standardscaler-2"]
    ct.set_params(**{"standardscaler-1__with_mean": False})
    assert ct.transformers[0][1].with_mean is False
    with pytest.raises(ValueError, match="strings is only supported for dataframes"):
        ColumnTransformer([("s", StandardScaler(), ["a"])]).fit(X)


def test_column_transformer_on_dataframe():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"city": ["a", "b", "a", "c"] * 5, "n": np.arange(20.0)})
    from gradkit.ml.preprocessing import OneHotEncoder

    ours = ColumnTransformer([("oh", OneHotEncoder(), ["city"]), ("sc", StandardScaler(), ["n"])])
    ref = skc.ColumnTransformer(
        [("oh", skp.OneHotEncoder(), ["city"]), ("sc", skp.StandardScaler(), ["n"])]
    )
    np.testing.assert_allclose(ours.fit_transform(df), ref.fit_transform(df), atol=1e-12)
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    with pytest.raises(ValueError, match="columns are missing"):
        ours.transform(df[["n"]])


def test_function_transformer_matches_sklearn():
    X = np.abs(np.random.default_rng(1).normal(size=(10, 3)))
    for kw in (
        dict(func=np.log1p, inverse_func=np.expm1),
        dict(),
        dict(func=np.sqrt, validate=True),
    ):
        ours, ref = FunctionTransformer(**kw).fit(X), skp.FunctionTransformer(**kw).fit(X)
        np.testing.assert_allclose(ours.transform(X), ref.transform(X))
        np.testing.assert_allclose(
            ours.inverse_transform(ours.transform(X)), ref.inverse_transform(ref.transform(X))
        )
    with pytest.warns(UserWarning, match="not strictly inverse"):
        FunctionTransformer(np.sqrt, inverse_func=np.log).fit(X)
    assert not hasattr(FunctionTransformer(), "get_feature_names_out")
