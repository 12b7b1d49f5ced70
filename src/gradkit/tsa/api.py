"""statsmodels' ``statsmodels.api`` layout for what gradkit has: ``import gradkit.tsa.api
as sm`` gives ``sm.tsa.ARIMA``, ``sm.tsa.acf``, ``sm.tsa.pacf``, ``sm.tsa.adfuller``,
``sm.tsa.ArmaProcess``, ``sm.tsa.datetools.dates_from_range`` and
``sm.stats.durbin_watson``. Datasets are not included: load them with pandas (or
``statsmodels.api.datasets``)."""

from __future__ import annotations

from types import SimpleNamespace

import gradkit.tsa as tsa
from gradkit.tsa.stattools import durbin_watson

__all__ = ["stats", "tsa"]

stats = SimpleNamespace(durbin_watson=durbin_watson)


def __getattr__(name: str):
    raise AttributeError(
        f"gradkit.tsa.api has no {name!r}; it provides {__all__} (statsmodels' datasets, "
        "graphics and other modules have no gradkit counterpart)"
    )
