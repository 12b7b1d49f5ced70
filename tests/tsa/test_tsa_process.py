"""ARMA processes, period labels and the statsmodels.api-shaped namespace against
statsmodels (TS-ARIMA)."""

import numpy as np
import pytest

import gradkit.tsa.api as gsm
from gradkit.tsa import ArmaProcess, arma_generate_sample, datetools

sm = pytest.importorskip("statsmodels.api")
from statsmodels.tsa.arima_process import ArmaProcess as SMArmaProcess  # noqa: E402
from statsmodels.tsa.arima_process import arma_generate_sample as sm_generate  # noqa: E402

PROCESSES = [
    ([1, 0.75, -0.65, -0.55, 0.9], [1, 0.65]),
    ([1, 0.35, -0.15, 0.55, 0.1], [1, 0.65]),
    ([1, -0.5], [1, 1.5]),
    ([1.0], [1, 0.2, 0.3]),
]


@pytest.mark.parametrize("ar,ma", PROCESSES)
def test_ts_arma_process_matches_statsmodels(ar, ma):
    """Roots, stationarity, invertibility, impulse response and simulated samples from
    the same seed (np.random's global generator, as statsmodels draws)."""
    ours, ref = ArmaProcess(ar, ma), SMArmaProcess(ar, ma)
    assert ours.isstationary == ref.isstationary
    assert ours.isinvertible == ref.isinvertible
    np.testing.assert_allclose(np.sort_complex(ours.arroots), np.sort_complex(ref.arroots))
    np.testing.assert_allclose(ours.impulse_response(20), ref.impulse_response(20), rtol=1e-12)
    for kw in (dict(nsample=50), dict(nsample=300, burnin=100, scale=2.5), dict(nsample=(40, 3))):
        state = np.random.get_state()
        np.random.seed(1234)
        a = ours.generate_sample(**kw)
        np.random.seed(1234)
        b = ref.generate_sample(**kw)
        np.random.set_state(state)
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(0)
    a = arma_generate_sample(ar, ma, 30, distrvs=np.random.default_rng(0).standard_normal)
    b = sm_generate(ar, ma, 30, distrvs=rng.standard_normal)
    np.testing.assert_array_equal(a, b)
    coeffs = ArmaProcess.from_coeffs(-np.asarray(ar[1:]), ma[1:])
    np.testing.assert_array_equal(coeffs.ar, ar)


def test_ts_dates_from_range_matches_statsmodels():
    """Period-end dates of annual and quarterly ranges, as statsmodels' datetools."""
    for args in (("1700", "2008"), ("1959Q1", "2009Q3"), ("1959Q3", None, 6)):
        assert datetools.dates_from_range(*args) == sm.tsa.datetools.dates_from_range(*args)
    months = datetools.dates_from_range("1999m11", "2000m2")
    assert [d.strftime("%Y-%m-%d") for d in months] == [
        "1999-11-30",
        "1999-12-31",
        "2000-01-31",
        "2000-02-29",
    ]
    with pytest.raises(ValueError, match="cannot parse"):
        datetools.dates_from_range("1959-01", "1960-01")
    with pytest.raises(ValueError, match="different frequencies"):
        datetools.dates_from_range("1959Q1", "1960")
    with pytest.raises(ValueError, match="exactly one"):
        datetools.dates_from_range("1959")


def test_ts_api_namespace():
    """``import gradkit.tsa.api as sm`` reaches what the statsmodels examples use, and
    says clearly what it does not have."""
    assert gsm.tsa.acf is not None and gsm.tsa.ARIMA is not None and gsm.tsa.adfuller
    assert gsm.tsa.datetools.dates_from_range("2000", "2001")[1].year == 2001
    e = np.array([1.0, -1.0, 1.0, -1.0])
    assert gsm.stats.durbin_watson(e) == pytest.approx(sm.stats.durbin_watson(e))
    with pytest.raises(AttributeError, match="no 'datasets'"):
        gsm.datasets  # noqa: B018
