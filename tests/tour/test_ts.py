"""Tour experiments TS-ARIMA, TS-ORDER (quick mode)."""

import pytest
from tourml_support import Findings, assert_all_supported, draw

IDS = ["TS-ARIMA", "TS-ORDER"]


@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_ts_arima_interval_coverage_and_seasonality(findings):
    f = findings["TS-ARIMA"]
    assert_all_supported(f)
    n = f.numbers
    assert abs(n["coverage"] - 0.95) < 0.056
    assert n["resid_acf12"]["seasonal"] < 0.13 < n["resid_acf12"]["plain"]
    assert n["smoothing_leftover"] < 0.1


def test_ts_order_adf_and_bic(findings):
    f = findings["TS-ORDER"]
    assert_all_supported(f)
    assert f.numbers["adf_p_level"] > 0.1 and f.numbers["adf_p_diff"] < 0.01
    assert f.numbers["hits"] == f.numbers["n_series"]


@pytest.mark.parametrize("concept", IDS)
def test_ts_figures_draw(findings, concept):
    draw(findings[concept])
