"""NN-NORM-DATA (issue 18): scale, minmax_scale, normalize and Normalizer equal
scikit-learn's to 1e-10, dense and sparse, and leave their input alone."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import gradkit.ml.preprocessing as gp

skp = pytest.importorskip("sklearn.preprocessing")
from sklearn.datasets import load_digits, load_wine  # noqa: E402

DATA = {
    "digits": load_digits(return_X_y=True)[0],
    "wine": load_wine(return_X_y=True)[0],
}


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize("axis", [0, 1])
def test_nn_norm_data_scale_and_minmax_scale(name, axis):
    X = DATA[name]
    before = X.copy()
    for kw in (dict(), dict(with_mean=False), dict(with_std=False)):
        np.testing.assert_allclose(
            gp.scale(X, axis=axis, **kw), skp.scale(X, axis=axis, **kw), rtol=0, atol=1e-10
        )
    for rng in ((0, 1), (-1, 2)):
        np.testing.assert_allclose(
            gp.minmax_scale(X, rng, axis=axis), skp.minmax_scale(X, rng, axis=axis), atol=1e-10
        )
    np.testing.assert_array_equal(X, before)


def test_nn_norm_data_scale_1d_nan_and_sparse():
    x = np.array([1.0, 2.0, np.nan, 4.0])
    np.testing.assert_allclose(gp.scale(x), skp.scale(x), atol=1e-12)
    S = sp.csr_matrix(DATA["digits"])
    assert abs(gp.scale(S, with_mean=False) - skp.scale(S, with_mean=False)).max() < 1e-10
    with pytest.raises(ValueError, match="Cannot center sparse matrices"):
        gp.scale(S)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("axis", [0, 1])
def test_nn_norm_data_normalize_dense_and_sparse(norm, axis):
    X = DATA["wine"] - DATA["wine"].mean(axis=0)
    X[3] = 0.0  # a zero row stays zero
    a, na = gp.normalize(X, norm, axis=axis, return_norm=True)
    b, nb = skp.normalize(X, norm, axis=axis, return_norm=True)
    np.testing.assert_allclose(a, b, atol=1e-10)
    np.testing.assert_allclose(na, nb, atol=1e-10)
    S = sp.csr_matrix(X)
    before = S.data.copy()
    ours = gp.normalize(S, norm, axis=axis)
    assert sp.issparse(ours) and abs(ours - skp.normalize(S, norm, axis=axis)).max() < 1e-10
    np.testing.assert_array_equal(S.data, before)


def test_nn_norm_data_normalizer_estimator():
    X = DATA["digits"]
    for norm in ("l1", "l2", "max"):
        ours = gp.Normalizer(norm).fit(X)
        np.testing.assert_allclose(
            ours.transform(X), skp.Normalizer(norm).fit(X).transform(X), atol=1e-10
        )
    with pytest.raises(ValueError, match="norm"):
        gp.Normalizer("l3").fit(X)
