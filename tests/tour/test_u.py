"""Tour experiments U-KMEANS, U-EM-GMM, U-FA, U-HIER, U-SIL, U-PCA (quick mode)."""

import numpy as np
import pytest
from tourml_support import Findings, assert_all_supported, draw, needs, require

IDS = ["U-KMEANS", "U-EM-GMM", "U-FA", "U-HIER", "U-SIL", "U-PCA"]
DATASETS = {"U-KMEANS": ("mnist",), "U-PCA": ("mnist",)}


@pytest.fixture(scope="module")
def findings():
    return Findings()


@needs("mnist")
def test_u_kmeans_distortion_non_increasing_and_elbow(findings):
    f = findings["U-KMEANS"]
    assert_all_supported(f)
    J_iter = np.array(f.numbers["distortion_by_iteration"])
    assert np.all(np.diff(J_iter) <= 1e-9 * J_iter[0])
    J = f.numbers["distortion_by_k"]
    assert J[2] / J[3] > 3 and J[3] / J[4] < 1.5


def test_u_em_gmm_log_likelihood_rises(findings):
    f = findings["U-EM-GMM"]
    assert_all_supported(f)
    assert np.all(np.diff(f.numbers["log_likelihood"]) >= -1e-12)
    assert f.numbers["mean_error"] < 0.3


def test_u_fa_recovers_noise(findings):
    f = findings["U-FA"]
    assert_all_supported(f)
    assert f.numbers["noise_relative_error"] < 0.25


def test_u_hier_linkages(findings):
    f = findings["U-HIER"]
    assert_all_supported(f)
    assert f.numbers["ari_moons"]["single"] > 0.99 > 0.7 > f.numbers["ari_moons"]["ward"]


def test_u_sil_formula_and_best_k(findings):
    f = findings["U-SIL"]
    assert_all_supported(f)
    assert f.numbers["formula_gap"] < 1e-12 and f.numbers["best_k"] == 4


@needs("mnist")
def test_u_pca_explained_variance(findings):
    f = findings["U-PCA"]
    assert_all_supported(f)
    assert f.numbers["components_for_90"] < 150
    assert f.numbers["reconstruction_mse"] == pytest.approx(f.numbers["dropped_eigenvalues"])


@pytest.mark.parametrize("concept", IDS)
def test_u_figures_draw(findings, concept):
    require(*DATASETS.get(concept, ()))
    draw(findings[concept])
