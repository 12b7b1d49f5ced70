"""Tour experiments EVAL-SPLIT, EVAL-KFOLD, EVAL-FIT, EVAL-METRICS (quick mode)."""

import pytest
from tourml_support import Findings, assert_all_supported, draw

IDS = ["EVAL-SPLIT", "EVAL-KFOLD", "EVAL-FIT", "EVAL-METRICS"]


@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_eval_split_selection_is_optimistic(findings):
    f = findings["EVAL-SPLIT"]
    assert_all_supported(f)
    assert f.numbers["sizes"] == [360, 120, 120]
    assert f.numbers["best_val"] - f.numbers["best_test"] > 0.05


def test_eval_kfold_less_variable_than_holdout(findings):
    f = findings["EVAL-KFOLD"]
    assert_all_supported(f)
    assert f.numbers["std_cv"] < 0.5 * f.numbers["std_holdout"]


def test_eval_fit_under_and_over_fitting_network(findings):
    f = findings["EVAL-FIT"]
    assert_all_supported(f)
    n = f.numbers
    assert n["linear_train"] > 0.27 and n["wide_train"] < 0.045
    assert n["wide_val"] > 1.2 * n["wide_val_best"]
    gaps = [v - t for t, v in zip(n["curve_train"], n["curve_val"])]
    assert gaps[-1] < 0.25 * gaps[0]


def test_eval_metrics_match_definitions(findings):
    f = findings["EVAL-METRICS"]
    assert_all_supported(f)
    assert max(f.numbers["gaps"].values()) < 1e-12


@pytest.mark.parametrize("concept", IDS)
def test_eval_figures_draw(findings, concept):
    draw(findings[concept])
