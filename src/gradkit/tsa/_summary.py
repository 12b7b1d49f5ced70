"""The text of :meth:`ARIMAResults.summary`, laid out as statsmodels prints it, with the
residual diagnostics statsmodels shows under the parameter table.

Diagnostics, on the standardized one-step errors ``e_t = v_t / sqrt(F_t)`` after the
first ``d + sD`` (diffuse) periods, ``m`` of them:

- Ljung-Box at lag 1: ``Q = m (m + 2) r_1^2 / (m - 1)`` (``r_1`` the lag-1
  autocorrelation), p-value ``P(chi2_1 > Q)``;
- heteroskedasticity: ``H = sum_{last h} e_t^2 / sum_{first h} e_t^2``,
  ``h = round(m / 3)``, two-sided p-value ``2 min(F(H), 1 - F(H))`` under ``F(h, h)``;
- Jarque-Bera: ``JB = m / 6 (S^2 + (K - 3)^2 / 4)`` with skew ``S`` and (Pearson)
  kurtosis ``K``, p-value ``P(chi2_2 > JB)``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gradkit.tsa._results import ARIMAResults

_COV_NOTES = {
    "opg": "Covariance matrix calculated using the outer product of gradients (complex-step).",
    "approx": "Covariance matrix calculated using numerical (complex-step) differentiation.",
    "none": "Covariance matrix not calculated.",
}


def residual_diagnostics(res: ARIMAResults) -> dict[str, float]:
    """Ljung-Box (lag 1), heteroskedasticity and Jarque-Bera statistics of the
    standardized residuals (module docstring)."""
    from scipy import stats

    e = res.standardized_forecasts_error[res.loglikelihood_burn :]
    m = e.size
    ed = e - e.mean()
    r1 = (ed[1:] @ ed[:-1]) / (ed @ ed)
    q = m * (m + 2.0) * r1**2 / (m - 1.0)
    h = int(np.round(m / 3))
    e2 = e * e
    H = e2[-h:].sum() / e2[:h].sum()
    p_h = 2.0 * min(stats.f.cdf(H, h, h), stats.f.sf(H, h, h))
    skew = float(stats.skew(e))
    kurt = float(stats.kurtosis(e, fisher=False))
    jb = m / 6.0 * (skew**2 + (kurt - 3.0) ** 2 / 4.0)
    return {
        "lb": q,
        "p_lb": float(stats.chi2.sf(q, 1)),
        "het": float(H),
        "p_het": float(p_h),
        "jb": jb,
        "p_jb": float(stats.chi2.sf(jb, 2)),
        "skew": skew,
        "kurtosis": kurt,
    }


def _forg(x: float, prec: int = 3) -> str:
    """statsmodels' number format: fixed decimals, or significant digits when
    ``|x| >= 1e4`` or ``|x| < 1e-4``."""
    width = 9 if prec == 3 else 10
    if abs(x) >= 1e4 or abs(x) < 1e-4:
        return f"{x:{width}.{prec}g}"
    return f"{x:{width}.{prec}f}"


def _two_columns(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> list[str]:
    """Rows ``label value   label value``: labels left-aligned, values right-aligned,
    the value columns at least 21 wide (wider for longer values; not for long parameter
    names, which widen only the parameter table, as in statsmodels)."""
    wl = max(len(k) for k, _ in left)
    wr = max(len(k) for k, _ in right)
    vr = max(21, *(len(v) + 3 for _, v in right))
    vl = max(21, *(len(v) + 3 for _, v in left))
    return [
        f"{kl:<{wl}}{vl_:>{vl}}   {kr:<{wr}}{vr_:>{vr}}"
        for (kl, vl_), (kr, vr_) in zip(left, right)
    ]


def _model_name(res: ARIMAResults) -> str:
    """statsmodels' model name: ``ARIMA(p, d, q)x(P, D, Q, s)``, the non-seasonal part
    only when it has a term; the seasonal MA order printed as the list of its lags
    (``[]``, ``[1]``, ``[1, 2]``) unless it equals q (statsmodels' summary compares the
    seasonal MA count with the non-seasonal one)."""
    p, d, q = res.order
    P, D, Q, s = res.seasonal_order
    name = "ARIMA" + (f"({p}, {d}, {q})" if p or d or q else "")
    if s:
        sma = Q if Q == q else list(range(1, Q + 1))
        name += ("x" if p or d or q else "") + f"({P}, {D}, {sma}, {s})"
    return name


def _sample(res: ARIMAResults) -> tuple[str, str]:
    ix = res.model._index
    if ix.dated:
        first, last = ix.index[0], ix.index[-1]
        return (
            f"{first.month:02d}-{first.day:02d}-{first.year:02d}",
            f"- {last.month:02d}-{last.day:02d}-{last.year:02d}",
        )
    return "0", f"- {res.nobs}"


class Summary:
    """The summary text; ``print()`` it or call :meth:`as_text`."""

    def __init__(self, text: str) -> None:
        self._text = text

    def as_text(self) -> str:
        return self._text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text


def arima_summary(res: ARIMAResults, alpha: float, title: str | None) -> Summary:
    from scipy.stats import norm

    z = norm.ppf(1.0 - alpha / 2.0)
    names = res.param_names
    params, bse = res._params, res._bse
    zval = params / bse
    pval = res._pvalues
    lo, hi = params - z * bse, params + z * bse
    stub = max(10, *(len(n) for n in names))
    width = stub + 68
    cov_type = "Not computed" if res.cov_type == "none" else res.cov_type
    first, last = _sample(res)
    now = time.localtime()
    left = [
        ("Dep. Variable:", res.model.endog_names),
        ("Model:", _model_name(res)),
        ("Date:", time.strftime("%a, %d %b %Y", now)),
        ("Time:", time.strftime("%H:%M:%S", now)),
        ("Sample:", first),
        ("", last),
        ("Covariance Type:", cov_type),
    ]
    right = [
        ("No. Observations:", str(res.nobs)),
        ("Log Likelihood", f"{res.llf:#5.3f}"),
        ("AIC", f"{res.aic:#5.3f}"),
        ("BIC", f"{res.bic:#5.3f}"),
        ("HQIC", f"{res.hqic:#5.3f}"),
        ("", ""),
        ("", ""),
    ]
    top = _two_columns(left, right)
    top_width = len(top[0])
    title = "SARIMAX Results" if title is None else title
    lines = [title.center(top_width), "=" * top_width, *top, "=" * width]
    lo_head, hi_head = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    lines.append(
        f"{'':{stub}} {'coef':>10} {'std err':>10} {'z':>10} {'P>|z|':>10} "
        f"{lo_head:>11} {hi_head:>11}"
    )
    lines.append("-" * width)
    for i, name in enumerate(names):
        lines.append(
            f"{name:<{stub}} {_forg(params[i], 4):>10} {_forg(bse[i]):>10} "
            f"{_forg(zval[i]):>10} {pval[i]:>#10.3f} {_forg(lo[i]):>11} {_forg(hi[i]):>11}"
        )
    diag = residual_diagnostics(res)
    dl = [
        ("Ljung-Box (L1) (Q):", f"{diag['lb']:.2f}"),
        ("Prob(Q):", f"{diag['p_lb']:.2f}"),
        ("Heteroskedasticity (H):", f"{diag['het']:.2f}"),
        ("Prob(H) (two-sided):", f"{diag['p_het']:.2f}"),
    ]
    dr = [
        ("Jarque-Bera (JB):", f"{diag['jb']:.2f}"),
        ("Prob(JB):", f"{diag['p_jb']:.2f}"),
        ("Skew:", f"{diag['skew']:.2f}"),
        ("Kurtosis:", f"{diag['kurtosis']:.2f}"),
    ]
    bottom = [f"{k:<23}{v:>19}   {kr:<17}{vr:>21}" for (k, v), (kr, vr) in zip(dl, dr)]
    rule = "=" * len(bottom[0])
    lines += [rule, *bottom, rule]
    if res.cov_type in _COV_NOTES:
        lines += ["", "Warnings:", f"[1] {_COV_NOTES[res.cov_type]}"]
    return Summary("\n".join(lines))
