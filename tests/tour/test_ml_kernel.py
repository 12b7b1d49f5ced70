"""Tour experiments ML-SVM, ML-KERNEL, ML-KNN (quick mode)."""

import pytest
from tourml_support import Findings, assert_all_supported, draw

IDS = ["ML-SVM", "ML-KERNEL", "ML-KNN"]


@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_ml_svm_margin_and_support_vectors(findings):
    f = findings["ML-SVM"]
    assert_all_supported(f)
    n = f.numbers
    assert n["n_support"] <= 5 and n["min_functional_margin"] > 1 - 1e-3
    assert n["refit_on_support_vectors_gap"] < 1e-3
    w = n["soft_margin_widths"]
    assert w[0] > w[1] > w[2]


def test_ml_kernel_trick_and_boundaries(findings):
    f = findings["ML-KERNEL"]
    assert_all_supported(f)
    acc = f.numbers["accuracy"]
    assert acc["rbf"] > acc["linear"] + 0.05 and acc["poly"] > acc["linear"] + 0.03
    assert f.numbers["poly_kernel_gap"] < 1e-12 and f.numbers["rbf_kernel_gap"] < 1e-12


def test_ml_knn_bias_variance(findings):
    f = findings["ML-KNN"]
    assert_all_supported(f)
    v, b = f.numbers["variance"], f.numbers["bias2"]
    assert v[0] > 4 * v[-1] and b[-1] > 5 * b[0]
    assert f.numbers["train_error"][0] == 0.0
    assert 1 < f.numbers["best_k"] < f.numbers["k_classification"][-1]


@pytest.mark.parametrize("concept", IDS)
def test_ml_kernel_figures_draw(findings, concept):
    draw(findings[concept])
