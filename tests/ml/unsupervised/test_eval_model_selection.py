"""Splits (EVAL-SPLIT), k-fold CV (EVAL-KFOLD), learning curves (EVAL-FIT), search (NN-SEARCH),
scalers (NN-NORM-DATA), encoders and Pipeline, against scikit-learn."""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.stats

from gradkit.ml.cluster import KMeans
from gradkit.ml.decomposition import PCA
from gradkit.ml.mixture import GaussianMixture
from gradkit.ml.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
    learning_curve,
    train_test_split,
)
from gradkit.ml.pipeline import Pipeline, make_pipeline
from gradkit.ml.preprocessing import LabelEncoder, MinMaxScaler, OneHotEncoder, StandardScaler

pytest.importorskip("sklearn")
import sklearn.model_selection as skms  # noqa: E402
import sklearn.preprocessing as skp  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.naive_bayes import GaussianNB as SkGaussianNB  # noqa: E402

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def test_eval_kfold_splits_identical_to_sklearn():
    y = np.r_[np.zeros(17), np.ones(9), np.full(7, 2)].astype(int)
    X = np.zeros((len(y), 1))
    for ours, ref in [
        (KFold(4), skms.KFold(4)),
        (StratifiedKFold(3), skms.StratifiedKFold(3)),
        (StratifiedKFold(5), skms.StratifiedKFold(5)),
    ]:
        for (a_tr, a_te), (b_tr, b_te) in zip(ours.split(X, y), ref.split(X, y), strict=True):
            assert np.array_equal(a_tr, b_tr) and np.array_equal(a_te, b_te)


def test_eval_kfold_shuffle_partitions_and_stratifies(rng):
    y = rng.integers(0, 3, 100)
    tests = [te for _, te in StratifiedKFold(5, shuffle=True, random_state=0).split(y, y)]
    assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(100))
    for te in tests:
        assert np.all(np.abs(np.bincount(y[te], minlength=3) - np.bincount(y) / 5) <= 1)
    with pytest.raises(ValueError, match="n_splits=3 cannot be greater"):
        list(StratifiedKFold(3).split(np.zeros(3), [0, 1, 1]))


def test_eval_split_sizes_and_stratification():
    Xtr, Xte, ytr, yte = train_test_split(
        X_IRIS, Y_IRIS, test_size=0.2, random_state=0, stratify=Y_IRIS
    )
    ref = skms.train_test_split(X_IRIS, Y_IRIS, test_size=0.2, random_state=0, stratify=Y_IRIS)
    assert Xtr.shape == ref[0].shape and Xte.shape == ref[1].shape
    assert np.array_equal(np.bincount(yte), np.bincount(ref[3]))
    assert np.array_equal(np.bincount(ytr), np.bincount(ref[2]))
    rows = {tuple(r) for r in np.r_[Xtr, Xte]}
    assert len(rows) == len({tuple(r) for r in X_IRIS})  # a partition of the data
    a, b = train_test_split(list(range(10)), test_size=3, shuffle=False)
    assert a == list(range(7)) and b == [7, 8, 9]
    with pytest.raises(ValueError, match="test_size=1.5"):
        train_test_split(X_IRIS, test_size=1.5)


def test_eval_kfold_cross_val_score_equals_sklearn_with_sklearn_estimator():
    """EVAL-KFOLD: our CV loop on a scikit-learn estimator gives scikit-learn's scores."""
    ours = cross_val_score(SkGaussianNB(), X_IRIS, Y_IRIS, cv=5)
    ref = skms.cross_val_score(SkGaussianNB(), X_IRIS, Y_IRIS, cv=5)
    np.testing.assert_allclose(ours, ref, atol=1e-12)
    scores = cross_val_score(KMeans(3, random_state=0), X_IRIS, cv=KFold(3))
    assert scores.shape == (3,) and np.all(scores < 0)


def test_eval_fit_learning_curve_gap_shrinks():
    sizes, tr, te = learning_curve(
        GaussianMixture(2, random_state=0),
        X_IRIS,
        Y_IRIS,
        train_sizes=[10, 40, 120],
        cv=KFold(5, shuffle=True, random_state=0),
    )
    assert list(sizes) == [10, 40, 120]
    gap = tr.mean(axis=1) - te.mean(axis=1)
    assert gap[0] > gap[-1]  # overfitting on small training sets fades with more data


def test_nn_search_grid_matches_sklearn_grid():
    grid = {"n_components": [1, 2, 3], "covariance_type": ["full", "diag"]}
    ours = GridSearchCV(GaussianMixture(random_state=0), grid, cv=KFold(3)).fit(X_IRIS)
    assert len(ParameterGrid(grid)) == 6 == len(ours.cv_results_["params"])
    best = max(range(6), key=lambda i: ours.cv_results_["mean_test_score"][i])
    assert ours.best_index_ == best
    assert ours.cv_results_["rank_test_score"][best] == 1
    assert ours.best_estimator_.n_components == ours.best_params_["n_components"]
    assert ours.score(X_IRIS) == pytest.approx(ours.best_estimator_.score(X_IRIS))


def test_nn_search_randomized_search_end_to_end():
    """NN-SEARCH: random search over a gradkit pipeline with a continuous distribution."""
    pipe = Pipeline([("scale", StandardScaler()), ("gmm", GaussianMixture(random_state=0))])
    dists = {
        "gmm__n_components": [1, 2, 3, 4],
        "gmm__reg_covar": scipy.stats.loguniform(1e-6, 1e-1),
    }
    search = RandomizedSearchCV(
        pipe, dists, n_iter=8, cv=3, random_state=0, return_train_score=True
    ).fit(X_IRIS)
    params = search.cv_results_["params"]
    assert len(params) == 8
    regs = [p["gmm__reg_covar"] for p in params]
    assert all(1e-6 <= r <= 1e-1 for r in regs) and len(set(regs)) == 8
    again = RandomizedSearchCV(pipe, dists, n_iter=8, cv=3, random_state=0).fit(X_IRIS)
    assert [p["gmm__reg_covar"] for p in again.cv_results_["params"]] == regs
    best = int(np.argmax(search.cv_results_["mean_test_score"]))
    assert search.best_params_ == params[best]
    manual = cross_val_score(
        Pipeline(
            [("scale", StandardScaler()), ("gmm", GaussianMixture(random_state=0))]
        ).set_params(**params[best]),
        X_IRIS,
        cv=3,
    )
    assert search.best_score_ == pytest.approx(manual.mean(), abs=1e-12)
    assert (
        search.best_estimator_.named_steps["gmm"].n_components == params[best]["gmm__n_components"]
    )
    assert np.all(search.cv_results_["mean_train_score"] > -10)
    # lists only: sampled without replacement from the grid
    grid_only = RandomizedSearchCV(
        pipe, {"gmm__n_components": [1, 2, 3]}, n_iter=10, cv=3, random_state=1
    ).fit(X_IRIS)
    assert sorted(p["gmm__n_components"] for p in grid_only.cv_results_["params"]) == [1, 2, 3]


@pytest.mark.parametrize(
    "ours,ref",
    [
        (StandardScaler(), skp.StandardScaler()),
        (MinMaxScaler((-1, 2)), skp.MinMaxScaler((-1, 2))),
        (StandardScaler(with_mean=False), skp.StandardScaler(with_mean=False)),
    ],
)
def test_nn_norm_data_scalers_match_sklearn(ours, ref, rng):
    X = rng.normal(3, 5, size=(50, 4))
    X[:, 2] = 7.0  # constant feature: ε-safe division
    np.testing.assert_allclose(ours.fit_transform(X), ref.fit_transform(X), atol=1e-12)
    Xn = rng.normal(size=(5, 4))
    np.testing.assert_allclose(ours.transform(Xn), ref.transform(Xn), atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(Xn)), Xn, atol=1e-12)
    with pytest.raises(ValueError, match="X has 3 features"):
        ours.transform(X[:, :3])


def test_encoders_match_sklearn():
    X = np.array([["a", "x"], ["b", "y"], ["a", "z"], ["c", "y"]], dtype=object)
    for kw in [{}, {"drop": "first"}, {"drop": "if_binary"}]:
        ours = OneHotEncoder(**kw).fit(X)
        ref = skp.OneHotEncoder(**kw).fit(X)
        A, B = ours.transform(X), ref.transform(X)
        assert sp.issparse(A)
        np.testing.assert_array_equal(A.toarray(), B.toarray())
        np.testing.assert_array_equal(ours.inverse_transform(A), ref.inverse_transform(B))
        assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    with pytest.raises(ValueError, match="unknown categories"):
        OneHotEncoder().fit(X).transform([["d", "x"]])
    ign = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(X)
    assert ign.transform([["d", "x"]]).tolist() == [[0, 0, 0, 1, 0, 0]]
    le = LabelEncoder().fit(["spam", "ham", "spam", "eggs"])
    ref = skp.LabelEncoder().fit(["spam", "ham", "spam", "eggs"])
    assert le.transform(["ham", "spam"]).tolist() == ref.transform(["ham", "spam"]).tolist()
    assert le.inverse_transform([0, 2]).tolist() == ["eggs", "spam"]
    with pytest.raises(ValueError, match="unseen labels"):
        le.transform(["bacon"])


def test_pipeline_params_fit_and_errors():
    pipe = make_pipeline(StandardScaler(), PCA(2))
    Z = pipe.fit_transform(X_IRIS)
    ref = PCA(2).fit_transform(StandardScaler().fit_transform(X_IRIS))
    np.testing.assert_allclose(Z, ref, atol=1e-12)
    assert pipe.get_params()["pca__n_components"] == 2
    pipe.set_params(pca__whiten=True)
    assert pipe.named_steps["pca"].whiten
    np.testing.assert_allclose(pipe.fit(X_IRIS).transform(X_IRIS).std(axis=0, ddof=1), 1.0)
    np.testing.assert_allclose(
        pipe.inverse_transform(pipe.transform(X_IRIS)),
        make_pipeline(StandardScaler(), PCA(2)).fit(X_IRIS).inverse_transform(Z),
        atol=1e-10,
    )
    with pytest.raises(ValueError, match="Invalid parameter"):
        pipe.set_params(nope__x=1)
    with pytest.raises(ValueError, match="not unique"):
        Pipeline([("a", StandardScaler()), ("a", PCA())]).fit(X_IRIS)
