"""Tour experiments ML-DISC-GEN, ML-BAYES, ML-LINREG, ML-LOGREG, ML-SOFTMAX, ML-GDA, ML-NB
(quick mode): every claim supported, key numbers within their margins."""

import pytest
from tourml_support import Findings, assert_all_supported, draw, needs, require

IDS = ["ML-DISC-GEN", "ML-BAYES", "ML-LINREG", "ML-LOGREG", "ML-SOFTMAX", "ML-GDA", "ML-NB"]
DATASETS = {"ML-DISC-GEN": ("sms-spam",), "ML-NB": ("sms-spam",)}


@pytest.fixture(scope="module")
def findings():
    return Findings()


@needs("sms-spam")
def test_ml_disc_gen_generative_wins_small_loses_large(findings):
    f = findings["ML-DISC-GEN"]
    assert_all_supported(f)
    n = f.numbers
    assert n["nb_gain_small"] > 0.003 and n["nb_loss_large"] > 0.001  # error-rate points
    assert n["gda_gain_small"] > 0.003 and n["gda_loss_large"] > 0.002


def test_ml_bayes_screening_and_naive_bayes_posterior(findings):
    f = findings["ML-BAYES"]
    assert_all_supported(f)
    assert f.numbers["posterior_exact"] == pytest.approx(1 / 6, abs=1e-4)
    assert abs(f.numbers["posterior_simulated"] - 1 / 6) < 0.015
    assert f.numbers["nb_rule_gap"] < 1e-10


def test_ml_linreg_solvers_agree(findings):
    f = findings["ML-LINREG"]
    assert_all_supported(f)
    assert f.numbers["gd_gap"] < 1e-6 and f.numbers["lms_gap"] < 0.02


def test_ml_logreg_worked_example(findings):
    f = findings["ML-LOGREG"]
    assert_all_supported(f)
    assert f.numbers["theta"] == pytest.approx([-4.0777, 1.5046], abs=1e-4)
    assert round(f.numbers["p_pass_2h"], 2) == 0.26
    assert f.numbers["iterations_newton"] * 50 < f.numbers["iterations_gd"]


def test_ml_softmax_reference_class(findings):
    f = findings["ML-SOFTMAX"]
    assert_all_supported(f)
    assert f.numbers["same_as_free_fit"] < 1e-6
    assert abs(f.numbers["accuracy"] - f.numbers["bayes_accuracy"]) < 0.02


def test_ml_gda_mle_and_logistic_posterior(findings):
    f = findings["ML-GDA"]
    assert_all_supported(f)
    assert f.numbers["logistic_gap"] < 1e-10
    assert f.numbers["parameter_error"]["5000"] < 0.15


@needs("sms-spam")
def test_ml_nb_spam_filter(findings):
    f = findings["ML-NB"]
    assert_all_supported(f)
    assert f.numbers["accuracy"] > 0.97 > f.numbers["majority"] + 0.1
    assert f.numbers["gap"] < 1e-8


@pytest.mark.parametrize("concept", IDS)
def test_ml_linear_figures_draw(findings, concept):
    require(*DATASETS.get(concept, ()))
    draw(findings[concept])
