"""Tour experiments ML-TREE, ML-FOREST, ML-BAGGING, ML-ADABOOST, ML-GBM (quick mode)."""

import pytest
from tourml_support import Findings, assert_all_supported, draw, needs, require

IDS = ["ML-TREE", "ML-FOREST", "ML-BAGGING", "ML-ADABOOST", "ML-GBM"]


@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_ml_tree_overfits_when_unlimited(findings):
    f = findings["ML-TREE"]
    assert_all_supported(f)
    n = f.numbers
    assert n["train_accuracy"][-1] == 1.0
    assert max(n["test_accuracy"]) > n["test_accuracy"][-1] + 0.02


@needs("mnist")
def test_ml_forest_beats_one_tree(findings):
    f = findings["ML-FOREST"]
    assert_all_supported(f)
    assert f.numbers["forest_accuracy"] > f.numbers["tree_accuracy"] + 0.1


def test_ml_bagging_reduces_variance(findings):
    f = findings["ML-BAGGING"]
    assert_all_supported(f)
    assert f.numbers["variance_bagged"] < 0.5 * f.numbers["variance_tree"]


def test_ml_adaboost_reweights_errors(findings):
    """ML-ADABOOST: misclassified samples gain weight; the seed text's 'forces the model to
    produce the wrong output' is the opposite of what the measurement shows."""
    f = findings["ML-ADABOOST"]
    assert_all_supported(f)
    n = f.numbers
    assert n["upweight_ratio_round1"] > 1
    assert n["reweighted_previous_error"] == pytest.approx(0.5, abs=1e-12)
    assert n["train_error"][-1] < 0.5 * n["train_error"][0]


def test_ml_gbm_fits_residuals(findings):
    f = findings["ML-GBM"]
    assert_all_supported(f)
    assert f.numbers["residual_fit_gap"] < 1e-10
    assert f.numbers["loss_last"] < 0.5 * f.numbers["loss_first"]


@pytest.mark.parametrize("concept", IDS)
def test_ml_trees_figures_draw(findings, concept):
    if concept == "ML-FOREST":
        require("mnist")
    draw(findings[concept])
