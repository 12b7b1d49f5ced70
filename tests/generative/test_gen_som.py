"""GEN-SOM: the self-organizing map against the minisom package (identical trajectory with
a deterministic initialization and order; quantization error within 5% with random ones)."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.models.som import SelfOrganizingMap

pytest.importorskip("minisom")
pytest.importorskip("sklearn")
from minisom import MiniSom  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402


@pytest.fixture(scope="module")
def iris():
    X = load_iris().data
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.mark.parametrize("decay", ["asymptotic", "linear", "inverse"])
def test_same_trajectory_as_minisom(iris, decay):
    """PCA init + sequential order: weights, errors and U-matrix equal minisom's."""
    mini_decay = {
        "asymptotic": ("asymptotic_decay", "asymptotic_decay"),
        "linear": ("linear_decay_to_zero", "linear_decay_to_one"),
        "inverse": ("inverse_decay_to_zero", "inverse_decay_to_one"),
    }[decay]
    m = MiniSom(
        7, 6, 4, sigma=1.5, learning_rate=0.5, decay_function=mini_decay[0],
        sigma_decay_function=mini_decay[1], random_seed=0,
    )  # fmt: skip
    m.pca_weights_init(iris)
    m.train(iris, 600, random_order=False)
    s = SelfOrganizingMap(
        7, 6, sigma=1.5, learning_rate=0.5, n_iter=600, decay=decay, sigma_decay=decay,
        init="pca", random_order=False,
    ).fit(iris)  # fmt: skip
    np.testing.assert_allclose(s.weights_, m.get_weights(), atol=1e-10)
    assert s.quantization_error(iris) == pytest.approx(m.quantization_error(iris), rel=1e-10)
    assert s.topographic_error(iris) == pytest.approx(m.topographic_error(iris))
    np.testing.assert_allclose(s.u_matrix(), m.distance_map(), atol=1e-12)
    np.testing.assert_allclose(s.u_matrix("mean"), m.distance_map("mean"), atol=1e-12)
    np.testing.assert_array_equal(s.activation_response(iris), m.activation_response(iris))


def test_quantization_error_within_5_percent_of_minisom(iris):
    """Random init and order (different generators): mean quantization error over 5 seeds
    within 5% of minisom's, 7×7 map, σ = 1.5, η = 0.5, asymptotic decay, 1,500 updates."""
    ours, theirs = [], []
    for seed in range(5):
        m = MiniSom(7, 7, 4, sigma=1.5, learning_rate=0.5, random_seed=seed)
        m.train(iris, 1500, random_order=True)
        theirs.append(m.quantization_error(iris))
        s = SelfOrganizingMap(7, 7, sigma=1.5, learning_rate=0.5, n_iter=1500, random_state=seed)
        ours.append(s.fit(iris).quantization_error(iris))
    print(f"quantization error: gradkit {np.mean(ours):.4f}, minisom {np.mean(theirs):.4f}")
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.05 * np.mean(theirs)
    assert s.quantization_errors_[-1] < s.quantization_errors_[0]


def test_predict_quantize_and_validation(iris):
    s = SelfOrganizingMap(4, 5, n_iter=300, random_state=0).fit(iris)
    pos = s.predict(iris)
    assert pos.shape == (150, 2) and pos[:, 0].max() < 4 and pos[:, 1].max() < 5
    np.testing.assert_allclose(s.quantize(iris), s.weights_[pos[:, 0], pos[:, 1]])
    assert s.transform(iris).shape == (150, 20)
    with pytest.raises(ValueError, match="decay"):
        SelfOrganizingMap(decay="exp").fit(iris)
    with pytest.raises(ValueError, match="features"):
        s.predict(iris[:, :2])
