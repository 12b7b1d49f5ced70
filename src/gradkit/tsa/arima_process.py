"""ARMA processes from their lag polynomials: simulation, roots, impulse response
(statsmodels' ``ArmaProcess`` and ``arma_generate_sample``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradkit.tsa._checks import check_int, values_of

__all__ = ["ArmaProcess", "arma_generate_sample"]


def arma_generate_sample(
    ar: Any,
    ma: Any,
    nsample: int | tuple[int, ...],
    scale: float = 1.0,
    distrvs: Callable | None = None,
    axis: int = 0,
    burnin: int = 0,
) -> np.ndarray:
    """Simulate ``ar(L) y_t = ma(L) e_t`` with ``e_t = scale * distrvs()``.

    ``ar`` and ``ma`` include the zero lag, in signal-processing signs:
    ``ar = [1, -phi_1, ...]``, ``ma = [1, theta_1, ...]``. Innovations are drawn from
    ``distrvs(size=...)`` (default NumPy's global ``np.random.standard_normal``, so
    ``np.random.seed`` makes a run reproducible), ``burnin`` extra draws along ``axis``
    are discarded from the start, and ``y = lfilter(ma, ar, e)``.
    """
    from scipy.signal import lfilter

    distrvs = np.random.standard_normal if distrvs is None else distrvs
    shape = [check_int(nsample, "nsample", 1)] if np.ndim(nsample) == 0 else list(nsample)
    burnin = check_int(burnin, "burnin")
    shape[axis] += burnin
    eta = scale * distrvs(size=tuple(shape))
    keep = [slice(None)] * len(shape)
    keep[axis] = slice(burnin, None)
    return lfilter(values_of(ma), values_of(ar), eta, axis=axis)[tuple(keep)]


class ArmaProcess:
    """The ARMA process ``ar(L) y_t = ma(L) e_t``.

    Parameters
    ----------
    ar, ma : array_like
        Lag-polynomial coefficients including the zero lag (``ar = [1, -phi_1, ...]``,
        ``ma = [1, theta_1, ...]``); default ``[1]``.
    nobs : int
        Default sample size.

    Examples
    --------
    >>> proc = ArmaProcess([1, -0.5], [1, 0.4])              # y_t = 0.5 y_{t-1} + e_t + 0.4 e_{t-1}
    >>> proc.isstationary, proc.isinvertible
    (True, True)
    >>> proc.impulse_response(4).round(4).tolist()
    [1.0, 0.9, 0.45, 0.225]
    """

    def __init__(self, ar: Any = None, ma: Any = None, nobs: int = 100) -> None:
        self.ar = np.array([1.0]) if ar is None else values_of(ar).ravel().copy()
        self.ma = np.array([1.0]) if ma is None else values_of(ma).ravel().copy()
        if self.ar.size == 0 or self.ar[0] == 0 or self.ma.size == 0:
            raise ValueError("ar and ma need a non-zero zero-lag coefficient (usually 1)")
        self.arcoefs = -self.ar[1:]
        self.macoefs = self.ma[1:]
        self.arpoly = np.polynomial.Polynomial(self.ar)
        self.mapoly = np.polynomial.Polynomial(self.ma)
        self.nobs = nobs

    @classmethod
    def from_coeffs(cls, arcoefs: Any = None, macoefs: Any = None, nobs: int = 100):
        """From ``phi`` and ``theta`` (no zero lag, statistical signs)."""
        ar = np.r_[1.0, -values_of([] if arcoefs is None else arcoefs).ravel()]
        ma = np.r_[1.0, values_of([] if macoefs is None else macoefs).ravel()]
        return cls(ar, ma, nobs)

    def __repr__(self) -> str:
        return f"ArmaProcess({self.ar.tolist()}, {self.ma.tolist()}, nobs={self.nobs})"

    @property
    def arroots(self) -> np.ndarray:
        """Roots of the AR lag polynomial."""
        return self.arpoly.roots()

    @property
    def maroots(self) -> np.ndarray:
        """Roots of the MA lag polynomial."""
        return self.mapoly.roots()

    @property
    def isstationary(self) -> bool:
        """True when every AR root lies outside the unit circle."""
        return bool(np.all(np.abs(self.arroots) > 1.0))

    @property
    def isinvertible(self) -> bool:
        """True when every MA root lies outside the unit circle."""
        return bool(np.all(np.abs(self.maroots) > 1.0))

    def impulse_response(self, leads: int | None = None) -> np.ndarray:
        """The first ``leads`` MA(infinity) weights ``psi_j`` of ``ma(L) / ar(L)``."""
        from scipy.signal import lfilter

        leads = check_int(leads or self.nobs, "leads", 1)
        impulse = np.zeros(leads)
        impulse[0] = 1.0
        return lfilter(self.ma, self.ar, impulse)

    arma2ma = impulse_response

    def generate_sample(
        self,
        nsample: int | tuple[int, ...] = 100,
        scale: float = 1.0,
        distrvs: Callable | None = None,
        axis: int = 0,
        burnin: int = 0,
    ) -> np.ndarray:
        """Simulate the process (:func:`arma_generate_sample`)."""
        return arma_generate_sample(self.ar, self.ma, nsample, scale, distrvs, axis, burnin)
