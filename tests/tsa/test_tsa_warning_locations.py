"""TS-ARIMA / TS-FORECAST: every warning gradkit.tsa gives a user points at the user's
own line (the ``stacklevel`` of ``warnings.warn``), as statsmodels' warnings do: the
index warnings at model construction, the starting-value and convergence warnings of
``fit``, the dynamic-prediction warnings and the covariance warnings of ``bse``
(issue 24: a wrong stacklevel blames gradkit's internals or pytest for the user's call).

The calls are made straight from the test functions: one frame too many lands in
pytest, one too few in gradkit."""

import warnings

import numpy as np
import pytest

from gradkit.tsa import ARIMA, ConvergenceWarning, EstimationWarning, ValueWarning

pd = pytest.importorskip("pandas")

Y = np.cumsum(np.random.default_rng(0).standard_normal(40))
DAYS = pd.date_range("2000-01-01", periods=41, freq="D").to_numpy()


def _here(got, category, words):
    """The warnings of ``category`` in ``got``: one names ``words``, all point at this
    file."""
    found = [w for w in got if issubclass(w.category, category)]
    assert any(words in str(w.message) for w in found), [str(w.message) for w in got]
    for w in found:
        assert w.filename == __file__, (str(w.message), w.filename)


def test_ts_forecast_dynamic_warnings_point_at_the_caller():
    """TS-FORECAST: dynamic starts past the predictions or inside the forecasts warn at
    the get_prediction call."""
    res = ARIMA(Y, order=(1, 0, 1)).filter([0.0, 0.5, 0.2, 1.0])
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        res.get_prediction(0, 39, dynamic=41)
    _here(got, ValueWarning, "after the end of prediction")
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        res.get_prediction(30, 45, dynamic=11)
    _here(got, ValueWarning, "during out-of-sample")


@pytest.mark.parametrize(
    "index,words",
    [
        (pd.Index(np.arange(40) * 2 + 1), "unsupported index"),
        (pd.DatetimeIndex(DAYS[:40]), "inferred frequency"),
        (pd.DatetimeIndex(DAYS[:40][::-1]), "not monotonic"),
        (pd.DatetimeIndex(np.r_[DAYS[:20], DAYS[21:]]), "no associated frequency"),
    ],
    ids=["unsupported", "inferred", "not-monotonic", "no-freq"],
)
def test_ts_arima_index_warnings_point_at_the_constructor_call(index, words):
    """TS-FORECAST: the index warnings (unsupported, inferred frequency, not monotonic,
    no frequency) point at the ARIMA(...) line."""
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        ARIMA(pd.Series(Y, index=index), order=(1, 0, 0))
    _here(got, ValueWarning, words)


@pytest.mark.parametrize(
    "y,order,seasonal,words",
    [
        (np.arange(20.0) ** 2, (0, 0, 1), (0, 0, 0, 0), "Non-invertible starting MA"),
        (np.arange(40.0) ** 2, (0, 0, 0), (1, 0, 0, 4), "seasonal autoregressive"),
        (np.arange(20.0) ** 2, (2, 0, 0), (0, 0, 0, 0), "Non-stationary starting auto"),
        (Y[:5], (3, 0, 2), (0, 0, 0, 0), "Too few observations"),
    ],
    ids=["ma", "seasonal-ar", "ar", "too-few"],
)
def test_ts_arima_start_warnings_point_at_the_fit_call(y, order, seasonal, words):
    """TS-ARIMA: the starting-value warnings of fit() point at the fit() line."""
    model = ARIMA(y, order=order, seasonal_order=seasonal, trend="n")
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        model.fit()
    _here(got, EstimationWarning, words)


def test_ts_arima_convergence_warning_points_at_the_fit_call():
    """TS-ARIMA: statsmodels' 'failed to converge' warning points at the fit() line."""
    model = ARIMA(Y, order=(2, 0, 2))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        model.fit(method_kwargs={"maxiter": 1})
    _here(got, ConvergenceWarning, "failed to converge")


def test_ts_arima_covariance_warnings_point_at_the_bse_access():
    """TS-ARIMA: bse NaN warnings (AR at the stationarity boundary under cov_type
    'approx'; a singular information matrix) point at the line reading bse."""
    near = ARIMA(Y, order=(1, 0, 0)).filter([0.0, 0.99999, 1.0], cov_type="approx")
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        _ = near.bse
    _here(got, RuntimeWarning, "stationarity boundary")
    zero = ARIMA(Y, exog=np.zeros(40), order=(1, 0, 0))
    singular = zero.filter([0.0, 0.0, 0.5, 1.0], cov_type="opg")
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        _ = singular.bse
    _here(got, RuntimeWarning, "singular")
