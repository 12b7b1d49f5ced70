"""Time-series pictures: correlograms hold statsmodels' ACF / PACF and bands (TS-ORDER),
the forecast plot holds the ARIMA forecast, its interval and the held-out data (TS-ARIMA)."""

import numpy as np
import pytest

from gradkit import plot

stattools = pytest.importorskip("statsmodels.tsa.stattools")


def _ar1(n=200, phi=0.7, seed=0):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def _band(ax):
    vertices = ax.collections[-1].get_paths()[0].vertices
    return vertices


def test_acf_markers_stems_and_band_are_statsmodels(ax):
    x = _ar1()
    plot.acf(x, nlags=15, ax=ax)
    ref, confint = stattools.acf(x, nlags=15, alpha=0.05, result_object=False)
    markers = ax.lines[0]
    np.testing.assert_array_equal(markers.get_xdata(), np.arange(16))
    np.testing.assert_allclose(markers.get_ydata(), ref, rtol=0, atol=1e-12)
    stems = ax.collections[0].get_segments()
    np.testing.assert_allclose([s[1, 1] for s in stems], ref, atol=1e-12)
    # band: ±(confint − acf) around zero from lag 1, as statsmodels' plot_acf
    half = confint[1:, 1] - ref[1:]
    upper = _band(ax)[:, 1].max()
    np.testing.assert_allclose(upper, half.max(), rtol=1e-12)
    np.testing.assert_allclose(_band(ax)[:, 1].min(), -half.max(), rtol=1e-12)
    assert _band(ax)[:, 0].min() == 1.0  # no band at lag 0


def test_pacf_uses_ywm_like_plot_pacf_and_no_band_without_alpha():
    x = _ar1(seed=1)
    ax = plot.pacf(x, nlags=10)
    ref, confint = stattools.pacf(x, nlags=10, method="ywm", alpha=0.05)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_band(ax)[:, 1].max(), 1.959963984540054 / np.sqrt(200), rtol=1e-9)
    ax = plot.pacf(x, nlags=10, alpha=None, method="ols")
    np.testing.assert_allclose(
        ax.lines[0].get_ydata(), stattools.pacf(x, nlags=10, method="ols"), atol=1e-12
    )
    assert len(ax.collections) == 1  # the stems only
    with pytest.raises(ValueError, match="method"):
        plot.pacf(x, method="nope")
    with pytest.raises(ValueError, match="nlags"):
        plot.pacf(x[:10], nlags=8)


def test_forecast_of_an_arima_result_against_held_out_data(ax):
    from gradkit.tsa import ARIMA

    y = _ar1(230, seed=2)
    train, test = y[:200], y[200:]
    res = ARIMA(train, order=(1, 0, 0)).fit()
    fc = res.get_forecast(30)
    plot.forecast(res, fc, actual=test, ax=ax, alpha=0.1)
    observed, mean, actual = ax.lines[:3]
    np.testing.assert_array_equal(observed.get_xdata(), np.arange(200))
    np.testing.assert_array_equal(observed.get_ydata(), train)
    np.testing.assert_array_equal(mean.get_xdata(), np.arange(200, 230))
    np.testing.assert_array_equal(mean.get_ydata(), fc.predicted_mean)
    np.testing.assert_array_equal(actual.get_ydata(), test)
    ci = fc.conf_int(alpha=0.1)
    band = ax.collections[0].get_paths()[0].vertices
    np.testing.assert_allclose(band[:, 1].min(), ci[:, 0].min())
    np.testing.assert_allclose(band[:, 1].max(), ci[:, 1].max())
    assert "90% interval" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_forecast_with_pandas_dates_and_errors():
    pd = pytest.importorskip("pandas")
    from gradkit.tsa import ARIMA

    index = pd.date_range("2020-01-01", periods=120, freq="D")
    y = pd.Series(_ar1(120, seed=3), index=index)
    fc = ARIMA(y, order=(1, 0, 0)).fit().get_forecast(10)
    ax = plot.forecast(y, fc)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), np.asarray(fc.predicted_mean.index))
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.asarray(index))
    with pytest.raises(ValueError, match=r"conf_int must have shape \(2, 2\)"):
        plot.forecast([1.0, 2.0], [3.0, 4.0], conf_int=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="actual has 1 values but the forecast 2 steps"):
        plot.forecast([1.0, 2.0], [3.0, 4.0], actual=[1.0])
    with pytest.raises(ValueError, match="`history` must be 1-D"):
        plot.forecast(np.zeros((3, 2)), [1.0])
