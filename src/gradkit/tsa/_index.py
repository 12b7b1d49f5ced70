"""The time index of a model's data: pandas in and out, statsmodels' rules.

A model remembers whether its ``endog`` came as a pandas object. If it did, every
per-parameter result is a Series indexed by the parameter names, every per-period
result a Series on the data's index, and predictions past the sample carry the index
extended by its frequency. With arrays in, results are arrays (pandas is never imported
then, unless ``dates=`` asks for it).

Supported indexes (the ones that can be extended for forecasting), as in statsmodels:
``RangeIndex``, an integer index ``0, 1, ..., n - 1``, and a ``DatetimeIndex`` or
``PeriodIndex`` with a frequency (inferred with a :class:`ValueWarning` when missing).
Other indexes are kept as row labels for in-sample results; forecasting with them
raises.

Keys for ``start`` / ``end`` / ``dynamic``: an integer is a *location* (negative counts
from the end, past ``n - 1`` is out of sample); anything else (a date string, a
``Timestamp``, a ``Period``) is an index *value*, located in the index extended as far
as needed.
"""

from __future__ import annotations

import re
import sys
import warnings
from typing import Any

import numpy as np

from gradkit.tsa._checks import ValueWarning

_QUARTER = re.compile(r"[0-9]*Q[1-4]")


def is_pandas(x: Any) -> bool:
    """True for a pandas Series or DataFrame, the labelled data statsmodels wraps its
    results for (not for pandas' extension arrays). pandas is not imported here: a
    pandas object can exist only once pandas is."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, (pd.Series, pd.DataFrame))


def _pd():
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is in the test extras
        raise ImportError("this needs pandas (pip install pandas)") from None
    return pandas


def _inferred_freq(pd, index):
    """``index.inferred_freq`` (a string or an offset, by pandas version), quietly."""
    try:
        with pd.option_context("future.infer_freq_returns_offset", True):
            return index.inferred_freq
    except (KeyError, pd.errors.OptionError):  # pandas without the option
        return index.inferred_freq


def _is_int_index(index) -> bool:
    return index.dtype.kind in "iu"


class TimeIndex:
    """Index bookkeeping for one model.

    Attributes
    ----------
    nobs : int
    wrap : bool
        Whether results are pandas objects (``endog`` was).
    name : str
        The series' name (``'y'`` when it has none), used in interval column labels.
    row_labels : pandas.Index or None
        The data's own index (pandas input only).
    index : pandas.Index or None
        The supported index predictions are located in; None for array input without
        ``dates`` (then keys must be integer locations).
    generated : bool
        True when the data's index is unsupported (forecasts cannot be labelled).
    """

    def __init__(self, endog: Any, nobs: int, dates: Any = None, freq: Any = None) -> None:
        self.nobs = nobs
        self.wrap = is_pandas(endog)
        self.name = "y"
        self.row_labels = None
        if self.wrap:
            name = getattr(endog, "name", None)
            if getattr(endog, "ndim", 1) == 2:
                name = endog.columns[0]
            self.name = "y" if name is None else str(name)
            self.row_labels = endog.index
        index = dates if dates is not None else self.row_labels
        self.index, self.generated, self.dated = None, False, False
        if index is None:
            if freq is not None:
                raise ValueError("Frequency provided without associated index.")
            return
        self.index, self.generated = self._supported(index, freq, dates is not None)
        pd = _pd()
        self.dated = isinstance(self.index, (pd.DatetimeIndex, pd.PeriodIndex))

    def _supported(self, index: Any, freq: Any, given: bool):
        """statsmodels' ``_init_dates``: coerce to dates where possible, make sure of a
        frequency, and fall back to a generated ``0..n-1`` index when unsupported."""
        pd = _pd()
        if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            arr = np.asarray(index)
            if arr.dtype.kind not in "iufcb":
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        coerced = pd.to_datetime(getattr(index, "values", index))
                    if isinstance(coerced, pd.Index):
                        index = coerced
                except (TypeError, ValueError, OverflowError):
                    if given:
                        raise ValueError("Non-date index provided to `dates` argument.") from None
            elif given:
                raise ValueError("Non-date index provided to `dates` argument.")
            if not isinstance(index, pd.Index):
                index = pd.Index(index)
        dated = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
        if dated:
            inferred = False
            if freq is None and index.freq is None:
                freq = _inferred_freq(pd, index)
                if freq is not None:
                    inferred = True
                    freq = pd.tseries.frequencies.to_offset(freq)
                    warnings.warn(
                        f"No frequency information was provided, so inferred frequency "
                        f"{freq.freqstr} will be used.",
                        ValueWarning,
                        stacklevel=4,  # user -> ARIMA.__init__ -> TimeIndex.__init__ -> here
                    )
            if freq is not None:
                freq = pd.tseries.frequencies.to_offset(freq)
            if freq is None and index.freq is None:
                if given:
                    raise ValueError(
                        "No frequency information was provided with date index and no "
                        "frequency could be inferred."
                    )
            elif freq is not None and index.freq is None:
                resampled = pd.date_range(start=index[0], end=index[-1], freq=freq)
                if not inferred and not (
                    len(resampled) == len(index) and (resampled == index).all()
                ):
                    raise ValueError(
                        "The given frequency argument could not be matched to the given index."
                    )
                index = resampled
            elif freq is not None and not inferred and index.freq != freq:
                raise ValueError(
                    "The given frequency argument is incompatible with the given index."
                )
        elif freq is not None:
            raise ValueError(
                "Given index could not be coerced to dates but `freq` argument was provided."
            )
        if len(index) != self.nobs:
            raise ValueError(f"the index has {len(index)} entries for {self.nobs} observations")
        ranged = isinstance(index, pd.RangeIndex)
        increment = (
            not dated and _is_int_index(index) and bool((index == np.arange(self.nobs)).all())
        )
        if not (dated or ranged or increment):
            warnings.warn(
                "An unsupported index was provided. As a result, forecasts cannot be "
                "generated. To use the model for forecasting, use one of the supported "
                "classes of index.",
                ValueWarning,
                stacklevel=4,  # user -> ARIMA.__init__ -> TimeIndex.__init__ -> here
            )
        has_freq = dated and index.freq is not None
        monotonic = dated and index.is_monotonic_increasing
        if dated and not has_freq:
            warnings.warn(
                "A date index has been provided, but it has no associated frequency "
                "information and so will be ignored when e.g. forecasting.",
                ValueWarning,
                stacklevel=4,  # user -> ARIMA.__init__ -> TimeIndex.__init__ -> here
            )
        if dated and not monotonic:
            warnings.warn(
                "A date index has been provided, but it is not monotonic and so will be "
                "ignored when e.g. forecasting.",
                ValueWarning,
                stacklevel=4,  # user -> ARIMA.__init__ -> TimeIndex.__init__ -> here
            )
        if (dated and has_freq and monotonic) or ranged or increment:
            return index, False
        return pd.RangeIndex(self.nobs), True

    # -- keys -> locations ---------------------------------------------------------
    def _loc(self, key: Any) -> tuple[int, Any]:
        """Location of ``key`` and the index through it (extended past the sample when
        needed; None without an index)."""
        n = self.nobs
        integer = isinstance(key, (int, np.integer)) and not isinstance(key, bool)
        if self.index is None:
            if not integer:
                raise KeyError(
                    f"{key!r}: the data has no date index (pass a pandas object or dates=), "
                    "so start/end must be integer locations"
                )
            loc = n + int(key) if key < 0 and -key <= n else int(key)
            if loc < 0:
                raise KeyError(f"location {key} lies before the first observation")
            return loc, None
        pd = _pd()
        index = self.index
        if not self.dated:  # RangeIndex or 0..n-1
            if integer:
                loc = n + int(key) if key < 0 and -key <= n else int(key)
                if loc < 0:
                    raise KeyError(f"location {key} lies before the first observation")
                if loc > n - 1 and isinstance(index, pd.RangeIndex):
                    stop = index.start + (loc + 1) * index.step
                    index = pd.RangeIndex(index.start, stop, index.step)
                elif loc > n - 1:
                    index = pd.Index(np.arange(loc + 1))
                return loc, index[: loc + 1]
            loc = self._label_loc(key)
            return loc, index[: loc + 1]
        make = pd.date_range if isinstance(index, pd.DatetimeIndex) else pd.period_range
        if integer:
            loc = n + int(key) if key < 0 and -key <= n else int(key)
            if loc < 0:
                raise KeyError(f"location {key} lies before the first observation")
            if loc > n - 1:
                index = make(start=index[0], periods=loc + 1, freq=index.freq)
            return loc, index[: loc + 1]
        if isinstance(index, pd.PeriodIndex):
            date = pd.Period(key, freq=index.freq)
        elif isinstance(key, str) and _QUARTER.fullmatch(key):
            date = pd.Period(key).to_timestamp()
        else:
            date = pd.Timestamp(key)
        if date > index[-1]:
            index = make(start=index[0], end=date, freq=index.freq)
            if index[-1] != date:
                index = make(start=index[0], periods=len(index) + 1, freq=self.index.freq)
            date = index[-1]
        try:
            loc = index.get_loc(date)
        except KeyError:
            loc = self._label_loc(key)
        if isinstance(loc, slice):
            loc = loc.start
        elif isinstance(loc, np.ndarray):
            loc = int(np.argmax(loc)) if loc.dtype == bool else int(loc[0])
        return int(loc), index[: int(loc) + 1]

    def _label_loc(self, key: Any) -> int:
        """Location of ``key`` among the row labels (an unsupported index)."""
        if self.row_labels is None:
            raise KeyError(f"{key!r} is not in the index")
        loc = self.row_labels.get_loc(key)
        if isinstance(loc, slice):
            loc = loc.start
        elif isinstance(loc, np.ndarray):
            loc = int(np.argmax(loc)) if loc.dtype == bool else int(loc[0])
        return int(loc)

    def location(self, key: Any) -> int:
        """The integer location of ``key`` (possibly past the sample)."""
        try:
            return self._loc(key)[0]
        except KeyError:
            raise KeyError(
                f"{key!r} could not be matched to a location in the data's index"
            ) from None

    def prediction_range(self, start: Any, end: Any) -> tuple[int, int, int, Any]:
        """``(start, end, out_of_sample, labels)``: locations of the first prediction and
        of the last in-sample one (at most ``n - 1``), the number of forecasts past the
        sample, and the index of the predictions (None for array output)."""
        try:
            start_loc, _ = self._loc(0 if start is None else start)
        except KeyError as exc:
            raise KeyError(
                "The `start` argument could not be matched to a location related to the "
                f"index of the data: {exc}"
            ) from None
        if end is None:
            end = max(start_loc, self.nobs - 1)
        try:
            end_loc, end_index = self._loc(end)
        except KeyError as exc:
            raise KeyError(
                "The `end` argument could not be matched to a location related to the "
                f"index of the data: {exc}"
            ) from None
        if end_loc < start_loc:
            raise ValueError("Prediction must have `end` after `start`.")
        oos = max(end_loc - (self.nobs - 1), 0)
        labels = None
        if self.wrap:
            if self.generated:
                if oos:
                    raise ValueError(
                        "No supported index is available: the data's index cannot be "
                        "extended past the sample (use a RangeIndex, or a date index "
                        "with a frequency)."
                    )
                labels = self.row_labels[start_loc : end_loc + 1]
            else:
                labels = end_index[start_loc:]
        return start_loc, end_loc - oos, oos, labels

    # -- wrapping ------------------------------------------------------------------
    def series(self, values: np.ndarray, labels: Any, name: Any = None):
        """``values`` as a Series on ``labels`` when the input was pandas, else as is."""
        if not self.wrap:
            return values
        return _pd().Series(values, index=labels, name=name)

    def frame(self, values: np.ndarray, labels: Any, columns: list):
        if not self.wrap:
            return values
        return _pd().DataFrame(values, index=labels, columns=columns)


def dataframe(values: np.ndarray, index: Any, columns: list, columns_name: Any = None):
    """A DataFrame (pandas is required, as for statsmodels' ``summary_frame``)."""
    frame = _pd().DataFrame(values, index=index, columns=columns)
    frame.columns.name = columns_name
    return frame
