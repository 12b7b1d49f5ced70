"""Covariance of ARIMA estimates: inverse observed information (Hessian) or inverse OPG.

With ``l(theta) = log L`` in the natural parameters (trend, AR, MA, sigma2; sigma2
included, as in statsmodels)::

    'approx':  Cov = [-d^2 l / d theta d theta']^{-1}         (observed information)
    'opg':     Cov = [sum_t s_t s_t']^{-1},  s_t = d l_t / d theta   (outer product of
               the per-observation scores; statsmodels' default for ``ARIMA.fit``)

statsmodels' 'approx' takes the Hessian of ``l`` by second-order complex-step
differences; here it is the central difference of the complex-step gradient
(:func:`hessian`), all of it in one batched Kalman pass. Everything is computed on
``y / s`` (the scaling of the estimation, parameters of order one) and mapped back:
with ``theta = D theta_s`` (``D`` from :func:`param_scale`) the information becomes
``D^{-1} I_s D^{-1}`` because ``l(y; theta) = l(y / s; D^{-1} theta) - n log s``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from gradkit.tsa._estimation import (
    complex_step,
    css_loglike_obs_batch,
    loglike_batch,
    loglike_obs_batch,
    param_scale,
    scale_of,
)
from gradkit.tsa._transforms import is_stationary

if TYPE_CHECKING:  # annotations only: arima.py imports this module
    from gradkit.tsa.arima import ARIMA

# Central-difference step, relative to max(|theta_j|, 0.1) (to sigma2 itself): the truncation error
# h^2 g''' / 6 and the rounding error ~ eps |g| / h of the complex-step gradient balance
# near h ~ eps^(1/3) ~ 6e-6 (scaled parameters are of order one).
_HESSIAN_STEP = 1e-5


def hessian(
    fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """Hessian of a batched scalar function by central differences of its complex-step
    gradient ``g`` (:func:`~gradkit.tsa._estimation.complex_step`)::

        H[:, j] = (g(x + h_j e_j) - g(x - h_j e_j)) / (2 h_j),   then  H <- (H + H') / 2

    error O(h^2) with no cancellation inside ``g``; the 2k gradients (2k^2 evaluations of
    ``fun``) take one call. Shape: x, steps (k,); fun maps (B, k) → (B,); returns (k, k).
    """
    E = np.diag(steps)
    _, g = complex_step(fun, np.r_[x + E, x - E])
    k = x.size
    H = ((g[:k] - g[k:]) / (2.0 * steps[:, None])).T
    return 0.5 * (H + H.T)


def information(model: ARIMA, params: np.ndarray, method: str, cov_type: str) -> np.ndarray:
    """The information matrix (``'approx'``: ``-Hessian``; ``'opg'``: ``sum s_t s_t'``) of
    the exact log-likelihood (``method`` 'mle' or 'fixed') or the conditional one
    (``'css'``: ``l_c = -1/2 sum_t [log(2 pi sigma2) + e_t^2 / sigma2]``) at ``params``.
    NaN with a warning where a difference step would leave the stationary AR region.
    Shape: (k_params, k_params).
    """
    s = scale_of(model)
    D = param_scale(model, s)
    theta, ys = params / D, model.y / s
    if method == "css":

        def obs(P: np.ndarray) -> np.ndarray:
            return css_loglike_obs_batch(model, ys, P)

        def total(P: np.ndarray) -> np.ndarray:
            return obs(P).sum(axis=1)
    else:
        diffuse = model.diffuse_variance / s**2

        def obs(P: np.ndarray) -> np.ndarray:
            return loglike_obs_batch(model, ys, diffuse, P)

        def total(P: np.ndarray) -> np.ndarray:
            return loglike_batch(model, ys, diffuse, P)

    if cov_type == "opg":
        _, scores = complex_step(obs, theta[None])
        info = scores[0] @ scores[0].T
    else:
        steps = _HESSIAN_STEP * np.maximum(np.abs(theta), 0.1)
        # sigma2 is positive but not of order one when the innovations are small next
        # to the series' spread (a trend, an explosive AR): step relative to itself
        steps[-1] = _HESSIAN_STEP * theta[-1]
        ar_blocks = [model._slices["ar"], model._slices["sar"]]
        if method != "css" and not all(_stationary_within(theta[b], steps[b]) for b in ar_blocks):
            warnings.warn(
                "the AR estimates lie within a difference step of the stationarity "
                "boundary; the Hessian, and so bse, is not available (NaN); "
                "try cov_type='opg'",
                RuntimeWarning,
                stacklevel=6,  # user -> bse -> _bse -> cached_property -> _cov -> here
            )
            return np.full((theta.size, theta.size), np.nan)
        info = -hessian(total, theta, steps)
    return info / np.outer(D, D)


def _stationary_within(ar: np.ndarray, steps: np.ndarray) -> bool:
    return ar.size == 0 or all(
        is_stationary(ar + sign * h) for h in np.diag(steps) for sign in (1, -1)
    )


def cov_from_information(info: np.ndarray) -> np.ndarray:
    """``info^{-1}``; NaN with a warning when it is singular."""
    if not np.all(np.isfinite(info)):
        return np.full_like(info, np.nan)
    try:
        return np.linalg.inv(info)
    except np.linalg.LinAlgError:
        warnings.warn(
            "the information matrix is singular; covariance not available (NaN)",
            RuntimeWarning,
            stacklevel=6,  # user -> bse -> _bse -> cached_property -> _cov -> here
        )
        return np.full_like(info, np.nan)
