"""k-nearest neighbours against scikit-learn (ML-KNN)."""

from __future__ import annotations

import numpy as np
import pytest
from _supervised_data import CLASSIFICATION, split

from gradkit.ml.neighbors import KNeighborsClassifier, KNeighborsRegressor

sk_nb = pytest.importorskip("sklearn.neighbors")


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_ml_knn_classifier_parity(name, weights, algorithm):
    Xtr, Xte, ytr, _ = split(name)
    ours = KNeighborsClassifier(5, weights=weights, algorithm=algorithm).fit(Xtr, ytr)
    ref = sk_nb.KNeighborsClassifier(5, weights=weights).fit(Xtr, ytr)
    assert np.mean(ours.predict(Xte) == ref.predict(Xte)) >= 0.99
    d_ours, _ = ours.kneighbors(Xte)
    d_ref, _ = ref.kneighbors(Xte)
    np.testing.assert_allclose(d_ours, d_ref, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_ml_knn_regressor_parity(weights):
    Xtr, Xte, ytr, _ = split("diabetes")
    ours = KNeighborsRegressor(7, weights=weights).fit(Xtr, ytr)
    ref = sk_nb.KNeighborsRegressor(7, weights=weights).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), rtol=1e-9)


def test_ml_knn_bias_variance_in_k():
    """ML-KNN: k = 1 memorises the training set (low bias); large k smooths it."""
    Xtr, _, ytr, _ = split("digits")
    assert KNeighborsClassifier(1).fit(Xtr, ytr).score(Xtr, ytr) == 1.0
    assert KNeighborsClassifier(50).fit(Xtr, ytr).score(Xtr, ytr) < 1.0


def test_knn_bad_input():
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        KNeighborsClassifier(5).fit([[0.0], [1.0]], [0, 1]).predict([[0.5]])
    with pytest.raises(ValueError, match="weights.*valid choices"):
        KNeighborsClassifier(weights="gaussian").fit([[0.0], [1.0]], [0, 1])
