"""Time-series analysis with statsmodels' interface: seasonal ARIMA by exact maximum
likelihood (Kalman filter) with standard errors, predictions and forecasts, unit-root
tests, ACF/PACF, ARMA processes.

Imports NumPy only; SciPy and pandas are imported inside the functions that need them
(pandas only for pandas data).
"""

from gradkit.tsa import datetools
from gradkit.tsa._checks import ConvergenceWarning, EstimationWarning, ValueWarning
from gradkit.tsa.adf import ADFullerResult, adfuller
from gradkit.tsa.arima import ARIMA, ARIMAResults, PredictionResults
from gradkit.tsa.arima_process import ArmaProcess, arma_generate_sample
from gradkit.tsa.kalman import StateSpace, kalman_filter, kalman_loglike
from gradkit.tsa.order import OrderSelection, auto_arima, select_d
from gradkit.tsa.stattools import (
    AcfResult,
    PacfResult,
    QStatResult,
    acf,
    acovf,
    durbin_watson,
    pacf,
    q_stat,
)

__all__ = [
    "ARIMA",
    "ADFullerResult",
    "ARIMAResults",
    "AcfResult",
    "ArmaProcess",
    "ConvergenceWarning",
    "EstimationWarning",
    "OrderSelection",
    "PacfResult",
    "PredictionResults",
    "QStatResult",
    "StateSpace",
    "ValueWarning",
    "acf",
    "acovf",
    "adfuller",
    "arma_generate_sample",
    "auto_arima",
    "datetools",
    "durbin_watson",
    "kalman_filter",
    "kalman_loglike",
    "pacf",
    "q_stat",
    "select_d",
]
