"""Bad input to the data pipeline and the time-series models gets a clear error (issue
#19): DataLoader and samplers with PyTorch's messages, ARIMA/acf/pacf/adfuller with
statsmodels-style argument checks naming the argument and the value."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Subset,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
)

DS = TensorDataset(gk.randn(10, 2))

DATA_CASES = [
    (lambda: DataLoader(DS, batch_size=0), ValueError, r"batch_size should be a positive integer value, but got batch_size=0"),
    (lambda: DataLoader(DS, batch_size=2.5), ValueError, r"batch_size should be a positive integer value, but got batch_size=2.5"),
    (lambda: DataLoader(DS, num_workers=-1), ValueError, r"num_workers option should be non-negative"),
    (lambda: DataLoader(DS, shuffle=True, sampler=range(10)), ValueError, r"sampler option is mutually exclusive with shuffle"),
    (lambda: DataLoader(DS, batch_size=3, batch_sampler=[[0, 1]]), ValueError, r"batch_sampler option is mutually exclusive"),
    (lambda: DataLoader(DS, prefetch_factor=2), ValueError, r"prefetch_factor option could only be specified in multiprocessing"),
    (lambda: DataLoader(DS, persistent_workers=True), ValueError, r"persistent_workers option needs num_workers > 0"),
    (lambda: DataLoader(DS, timeout=-1), ValueError, r"timeout option should be non-negative"),
    (lambda: random_split(DS, [5, 6]), ValueError, r"lengths \[5, 6\] sum to 11 but the dataset has 10 samples"),
    (lambda: random_split(DS, [0.5, 0.6]), ValueError, r"fractions summing to 1, got \[0.5, 0.6\]"),
    (lambda: TensorDataset(gk.randn(3), gk.randn(4)), ValueError, r"same first dimension; got shapes \(3,\), \(4,\)"),
    (lambda: Subset(DS, [20])[0], IndexError, r"index 20 is out of bounds for axis 0 with size 10"),
    (lambda: DS[10], IndexError, r"index 10 is out of bounds"),
    (lambda: RandomSampler(DS, num_samples=0), ValueError, r"num_samples should be a positive integer value, but got num_samples=0"),
    (lambda: list(WeightedRandomSampler([-1.0, 1.0], 2)), ValueError, r"weights must be finite and non-negative"),
    (lambda: BatchSampler(range(3), 0, False), ValueError, r"batch_size should be a positive integer value, but got batch_size=0"),
    (lambda: default_collate([gk.ones(2), gk.ones(3)]), RuntimeError, r"stack expects each tensor to be equal size, but the batch has shapes \[\(2,\), \(3,\)\]"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", DATA_CASES, ids=range(len(DATA_CASES)))
def test_data_pipeline_arguments_are_checked(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def _tsa():
    return pytest.importorskip("gradkit.tsa")


Y = np.random.default_rng(0).standard_normal(100).cumsum()

TSA_CASES = [
    (lambda t: t.ARIMA(Y, order=(-1, 0, 0)), r"order must be 3 non-negative integers \(p, d, q\); got \(-1, 0, 0\)"),
    (lambda t: t.ARIMA(Y, order=(1, 0)), r"order must be 3 non-negative integers"),
    (lambda t: t.ARIMA(Y, order=(1.5, 0, 0)), r"order must be 3 non-negative integers .* got \(1.5, 0, 0\)"),
    (lambda t: t.ARIMA(np.r_[Y[:50], np.nan, Y[51:]], order=(1, 0, 0)), r"endog contains 1 NaN value\(s\) \(first at index 50\)"),
    (lambda t: t.ARIMA(np.r_[Y[:50], np.inf, Y[51:]], order=(1, 0, 0)), r"endog contains inf values"),
    (lambda t: t.ARIMA(np.ones((10, 3)), order=(1, 0, 0)), r"endog must be a 1-D series; got shape \(10, 3\)"),
    (lambda t: t.ARIMA(np.ones(2), order=(3, 0, 0)).fit(), r"endog needs at least 3 observations; got 2"),
    (lambda t: t.ARIMA(Y, order=(1, 0, 0), trend="x"), r"unknown trend 'x'; valid choices: n, c, t, ct"),
    (lambda t: t.ARIMA(Y, order=(1, 0, 0), seasonal_order=(1, 0, 0, 1)), r"seasonal_order needs a period s >= 2"),
    (lambda t: t.acf(Y, nlags=200), r"nlags must be at most nobs - 1 = 99; got 200"),
    (lambda t: t.acf(Y, alpha=1.5), r"alpha must lie in \(0, 1\); got 1.5"),
    (lambda t: t.acf(np.r_[Y[:5], np.nan, Y[6:]]), r"x contains 1 NaN value\(s\).*missing='drop'"),
    (lambda t: t.pacf(Y, method="nope"), r"unknown method 'nope'; valid choices: yw"),
    (lambda t: t.adfuller(Y, regression="x"), r"unknown regression 'x'; valid choices: c, ct, ctt, n"),
    (lambda t: t.adfuller(Y, autolag="x"), r"unknown autolag 'x'; valid choices: aic, bic, t-stat"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", TSA_CASES, ids=range(len(TSA_CASES)))
def test_time_series_arguments_are_checked(call, message):
    with pytest.raises(ValueError, match=message):
        call(_tsa())


def test_forecast_steps_are_checked():
    result = _tsa().ARIMA(Y, order=(1, 0, 0)).fit()
    with pytest.raises(ValueError, match=r"steps must be a positive integer; got -1"):
        result.forecast(-1)
