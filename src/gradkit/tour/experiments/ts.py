"""Evidence tour, group TS: ARIMA forecasting and order selection, on simulated series whose
true model is known (so interval coverage and order recovery can be checked).

TS-ARIMA and TS-ORDER.
"""

from __future__ import annotations

import warnings

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_ts.py"


def _arima_110(n: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """ARIMA(1, 1, 0): the differences follow w_t = φ w_{t−1} + e_t, e ~ N(0, 1)."""
    e = rng.normal(size=n)
    w = np.zeros(n)
    for t in range(n):
        w[t] = (phi * w[t - 1] if t else 0.0) + e[t]
    return np.cumsum(w)


def _airline(n: int, theta: float, big_theta: float, rng: np.random.Generator) -> np.ndarray:
    """Seasonal ARIMA(0, 1, 1)(0, 1, 1, 12): (1 − B)(1 − B¹²) y_t = (1 + θB)(1 + ΘB¹²) e_t."""
    e = rng.normal(size=n + 13)
    w = e[13:] + theta * e[12:-1] + big_theta * e[1:-12] + theta * big_theta * e[:-13]
    z = np.zeros(n)
    for t in range(n):
        z[t] = (z[t - 12] if t >= 12 else 0.0) + w[t]
    return np.cumsum(z)


def _arima_111(n: int, phi: float, theta: float, rng: np.random.Generator) -> np.ndarray:
    e = rng.normal(size=n)
    x = np.zeros(n)
    for t in range(n):
        x[t] = (phi * x[t - 1] + theta * e[t - 1] if t else 0.0) + e[t]
    return np.cumsum(x)


@experiment(
    "TS-ARIMA",
    group="TS",
    title="ARIMA forecasts with intervals, seasonality and moving-average smoothing",
    claim="ARIMA(p, d, q) forecasts come with intervals that cover held-out data at their "
    "stated rate; a seasonal order (P, D, Q, s) captures seasonality; a centred moving "
    "average smooths a seasonal cycle away.",
    formula="φ(B)Φ(B^s)(1 − B)^d(1 − B^s)^D y_t = θ(B)Θ(B^s) e_t",
    code=("gradkit.tsa", "ARIMA"),
    test=TEST,
    note="'Moving average' names two things: the MA(q) part of ARIMA (a regression on past "
    "shocks) and the moving average that smooths a series; both appear here.",
)
def ts_arima(quick: bool) -> Finding:
    from gradkit.tsa import ARIMA, acf

    rng = np.random.default_rng(0)
    # (1) coverage of the 95% forecast interval on held-out data
    series, n, h = (20, 200, 12) if quick else (200, 200, 12)
    inside = np.zeros((series, h), dtype=bool)
    for k in range(series):
        y = _arima_110(n + h, 0.6, rng)
        res = ARIMA(y[:n], order=(1, 1, 0)).fit()
        ci = res.get_forecast(h).conf_int(alpha=0.05)
        inside[k] = (ci[:, 0] <= y[n:]) & (y[n:] <= ci[:, 1])
        if k == 0:
            example = (y, res.forecast(h), ci)
    coverage = float(inside.mean())
    se = np.sqrt(0.95 * 0.05 / inside.size)
    # (2) a seasonal series: seasonal order vs none
    n_s, h_s = (240, 24)
    errs = {"seasonal": [], "plain": []}
    lag12 = {"seasonal": [], "plain": []}
    params = []
    for k in range(3 if quick else 20):
        y = _airline(n_s + h_s, -0.4, -0.6, np.random.default_rng(100 + k))
        seasonal = ARIMA(y[:n_s], order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plain = ARIMA(y[:n_s], order=(2, 1, 1)).fit()
        params.append(np.asarray(seasonal.params)[:2])
        errs["seasonal"].append(np.sqrt(np.mean((seasonal.forecast(h_s) - y[n_s:]) ** 2)))
        errs["plain"].append(np.sqrt(np.mean((plain.forecast(h_s) - y[n_s:]) ** 2)))
        for name, fit in (("seasonal", seasonal), ("plain", plain)):
            lag12[name].append(abs(acf(np.asarray(fit.resid)[13:], nlags=12)[12]))
        if k == 0:
            seasonal_example = (y, seasonal.forecast(h_s), plain.forecast(h_s))
    rmse = {k: float(np.mean(v)) for k, v in errs.items()}
    r12 = {k: float(np.mean(v)) for k, v in lag12.items()}
    band = 2 / np.sqrt(n_s - 13)  # ±2/√n: the white-noise band of a sample autocorrelation
    est = np.mean(params, axis=0)
    # (3) the moving average as a smoother: a 2x12 centred MA removes a 12-month cycle
    t = np.arange(240)
    trend = 0.05 * t
    season = 3.0 * np.sin(2 * np.pi * t / 12)
    x = trend + season + rng.normal(scale=0.3, size=t.size)
    weights = np.r_[0.5, np.ones(11), 0.5] / 12
    smooth = np.convolve(x, weights, mode="valid")
    left_over = float(np.std(smooth - trend[6:-6]))
    checks = [
        Check(
            "the 95% forecast interval covers held-out values about 95% of the time",
            f"ARIMA(1, 1, 0), {series} series × {h} steps ahead: coverage {coverage:.3f} "
            f"(±{se:.3f})",
            abs(coverage - 0.95) < max(4 * se, 0.03),
        ),
        Check(
            "a seasonal order (0, 1, 1)(0, 1, 1, 12) captures the seasonality: it recovers θ "
            "and Θ and leaves no lag-12 autocorrelation in its residuals, unlike a "
            "non-seasonal ARIMA; it forecasts better",
            f"θ̂ = {est[0]:.2f} (true −0.4), Θ̂ = {est[1]:.2f} (true −0.6); |residual ACF at "
            f"lag 12|: seasonal {r12['seasonal']:.2f}, ARIMA(2, 1, 1) {r12['plain']:.2f} "
            f"(noise band {band:.2f}); {h_s}-month forecast RMSE {rmse['seasonal']:.2f} vs "
            f"{rmse['plain']:.2f}",
            abs(est[0] + 0.4) < 0.15
            and abs(est[1] + 0.6) < 0.2
            and r12["seasonal"] < band < r12["plain"]
            and rmse["seasonal"] < rmse["plain"],
        ),
        Check(
            "a 2×12 centred moving average smooths a 12-month cycle away, leaving the trend",
            f"seasonal amplitude 3.0 (std {np.std(season):.2f}); after smoothing the "
            f"deviation from the trend has std {left_over:.3f}",
            left_over < 0.05 * np.std(season),
        ),
    ]

    def draw(fig):
        from gradkit.plot import forecast

        y, mean, ci = example
        forecast(y[n - 60 : n], mean, conf_int=ci, actual=y[n:], ax=fig.add_subplot(1, 3, 1))
        ax = fig.add_subplot(1, 3, 2)
        ys, fs, fp = seasonal_example
        ax.plot(np.arange(n_s + h_s), ys, color="0.5", label="series")
        ax.plot(np.arange(n_s, n_s + h_s), fs, label="seasonal ARIMA")
        ax.plot(np.arange(n_s, n_s + h_s), fp, label="ARIMA(2, 1, 1)")
        ax.set_xlim(n_s - 60, n_s + h_s)
        ax.legend(fontsize="small")
        ax = fig.add_subplot(1, 3, 3)
        ax.plot(t, x, color="0.6", label="series")
        ax.plot(t[6:-6], smooth, label="2×12 moving average")
        ax.legend(fontsize="small")

    return Finding(
        checks,
        {
            "coverage": coverage,
            "coverage_se": float(se),
            "rmse_seasonal": rmse["seasonal"],
            "rmse_plain": rmse["plain"],
            "resid_acf12": r12,
            "theta": float(est[0]),
            "seasonal_theta": float(est[1]),
            "smoothing_leftover": left_over,
        },
        draw,
    )


@experiment(
    "TS-ORDER",
    group="TS",
    title="Choosing d by the ADF test and (p, q) by AIC/BIC",
    claim="The augmented Dickey–Fuller test finds the unit root in a random walk and none in "
    "its differences; minimising BIC over (p, q) recovers the true order.",
    formula="Δy_t = α + γ y_{t−1} + Σ δ_i Δy_{t−i} + e_t, H₀: γ = 0;  BIC = −2 ln L + k ln n",
    code=("gradkit.tsa", "auto_arima"),
    test=TEST,
)
def ts_order(quick: bool) -> Finding:
    from gradkit.tsa import adfuller, auto_arima

    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=500))
    p_level = float(adfuller(walk, result_object=True).pvalue)
    p_diff = float(adfuller(np.diff(walk), result_object=True).pvalue)
    n_series = 2 if quick else 20
    picks = []
    for k in range(n_series):
        y = _arima_111(500, 0.7, 0.4, np.random.default_rng(10 + k))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sel = auto_arima(y, max_p=2, max_q=2, ic="bic")
        picks.append(sel.order)
        if k == 0:
            table, adf = sel.table, sel.adf
    hits = sum(order == (1, 1, 1) for order in picks)
    checks = [
        Check(
            "ADF keeps the unit-root hypothesis for a random walk and rejects it after one "
            "difference",
            f"p-value {p_level:.3f} on the walk, {p_diff:.1e} on its differences",
            p_level > 0.1 and p_diff < 0.01,
        ),
        Check(
            "auto_arima (ADF for d, BIC over p, q ≤ 2) recovers ARIMA(1, 1, 1) from simulated data",
            f"{hits} of {n_series} series → (1, 1, 1); chosen d by ADF p-values "
            + ", ".join(f"{r.pvalue:.2g}" for r in adf)
            + f"; orders {sorted(set(picks))}",
            hits >= 0.8 * n_series,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(walk, label=f"random walk (ADF p = {p_level:.2f})")
        ax.plot(np.diff(walk), label=f"differences (ADF p = {p_diff:.0e})")
        ax.legend(fontsize="small")
        ax = fig.add_subplot(1, 2, 2)
        grid = np.array([[table[(p, q)] for q in range(3)] for p in range(3)])
        ax.imshow(grid, cmap="viridis")
        for p in range(3):
            for q in range(3):
                ax.text(q, p, f"{grid[p, q]:.0f}", ha="center", va="center", color="w")
        ax.set_xlabel("q")
        ax.set_ylabel("p")
        ax.set_title("BIC by (p, q), d = 1")

    return Finding(
        checks,
        {
            "adf_p_level": p_level,
            "adf_p_diff": p_diff,
            "hits": hits,
            "n_series": n_series,
            "orders": [list(o) for o in picks],
        },
        draw,
    )
