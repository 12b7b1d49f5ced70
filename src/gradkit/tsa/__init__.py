"""Time-series analysis: ARIMA by exact maximum likelihood with standard errors, unit-root
tests, ACF/PACF.

Imports NumPy only; SciPy (optimizers, ``lfilter``, the normal distribution) is imported
inside the functions that need it.
"""

from gradkit.tsa.adf import ADFResult, adfuller
from gradkit.tsa.arima import ARIMA, ARIMAResults, Forecast
from gradkit.tsa.kalman import StateSpace, kalman_filter, kalman_loglike
from gradkit.tsa.order import OrderSelection, auto_arima, select_d
from gradkit.tsa.stattools import acf, acovf, pacf

__all__ = [
    "ARIMA",
    "ADFResult",
    "ARIMAResults",
    "Forecast",
    "OrderSelection",
    "StateSpace",
    "acf",
    "acovf",
    "adfuller",
    "auto_arima",
    "kalman_filter",
    "kalman_loglike",
    "pacf",
    "select_d",
]
