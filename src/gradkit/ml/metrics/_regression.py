"""Regression metrics: mean squared error, mean absolute error, R²."""

from __future__ import annotations

import numpy as np

from ..base import check_consistent_length, check_option

_MULTIOUTPUT = ("raw_values", "uniform_average", "variance_weighted")


def _check_reg_targets(y_true, y_pred, sample_weight):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    check_consistent_length(y_true, y_pred)
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(
            f"y_true and y_pred have different numbers of outputs ({y_true.shape[1]} != "
            f"{y_pred.shape[1]})."
        )
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.isfinite(a).all():
            raise ValueError(f"Input {name} contains NaN or infinity.")
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w is not None:
        check_consistent_length(y_true, w)
    return y_true, y_pred, w


def _aggregate(errors: np.ndarray, multioutput):
    if isinstance(multioutput, str):
        check_option("multioutput", multioutput, ("raw_values", "uniform_average"))
        return errors if multioutput == "raw_values" else float(np.average(errors))
    return float(np.average(errors, weights=np.asarray(multioutput, dtype=float)))


def mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MSE = Σ w_i (y_i − ŷ_i)² / Σ w_i, per output then averaged (EVAL-METRICS).

    Examples
    --------
    >>> mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.375
    """
    y_true, y_pred, w = _check_reg_targets(y_true, y_pred, sample_weight)
    return _aggregate(np.average((y_true - y_pred) ** 2, axis=0, weights=w), multioutput)


def mean_absolute_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MAE = Σ w_i |y_i − ŷ_i| / Σ w_i, per output then averaged.

    Examples
    --------
    >>> mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.5
    """
    y_true, y_pred, w = _check_reg_targets(y_true, y_pred, sample_weight)
    return _aggregate(np.average(np.abs(y_true - y_pred), axis=0, weights=w), multioutput)


def r2_score(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """Coefficient of determination R² = 1 − Σ w(y − ŷ)² / Σ w(y − ȳ)².

    A constant y_true gives 1.0 for a perfect prediction and 0.0 otherwise (scikit-learn's
    ``force_finite``). 'variance_weighted' averages outputs weighted by Σ w(y − ȳ)² (the
    plain mean when every output is constant).

    Examples
    --------
    >>> r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.9486081370449679
    """
    y_true, y_pred, w = _check_reg_targets(y_true, y_pred, sample_weight)
    if y_true.shape[0] < 2:
        raise ValueError("R^2 score is not well-defined with less than two samples.")
    ww = np.ones((y_true.shape[0], 1)) if w is None else w[:, None]
    num = (ww * (y_true - y_pred) ** 2).sum(axis=0)
    den = (ww * (y_true - np.average(y_true, axis=0, weights=ww[:, 0])) ** 2).sum(axis=0)
    nonzero_den, nonzero_num = den != 0, num != 0
    valid = nonzero_den & nonzero_num
    scores = np.ones(y_true.shape[1])
    scores[valid] = 1 - num[valid] / den[valid]
    scores[nonzero_num & ~nonzero_den] = 0.0
    if isinstance(multioutput, str) and multioutput == "variance_weighted":
        if not nonzero_den.any():  # every output constant: no weights, the plain mean
            return float(np.mean(scores))
        return float(np.average(scores, weights=den))
    if isinstance(multioutput, str):
        check_option("multioutput", multioutput, _MULTIOUTPUT)
    return _aggregate(scores, multioutput)
