"""Period labels to dates: statsmodels' ``datetools.dates_from_range``."""

from __future__ import annotations

import calendar
import datetime as dt
import re

__all__ = ["date_parser", "dates_from_range"]

_LABEL = re.compile(r"^(\d{4})(?:([QqMm])(\d{1,2}))?$")


def _parse(label: str) -> tuple[int, int, int]:
    """``'1959'`` -> (1959, 1, 1); ``'1959Q2'`` -> (1959, 4, 2); ``'1959m11'`` ->
    (1959, 12, 11): (year, periods per year, period)."""
    match = _LABEL.match(str(label).strip())
    if not match:
        raise ValueError(
            f"cannot parse {label!r}: expected a year ('1959'), a quarter ('1959Q1') or a "
            "month ('1959m1')"
        )
    year, kind, period = match.groups()
    freq = {None: 1, "q": 4, "m": 12}[kind.lower() if kind else None]
    period = int(period) if period else 1
    if not 1 <= period <= freq:
        raise ValueError(f"{label!r}: period {period} is out of range 1..{freq}")
    return int(year), freq, period


def _period_end(year: int, freq: int, period: int) -> dt.datetime:
    month = period * 12 // freq
    return dt.datetime(year, month, calendar.monthrange(year, month)[1])


def date_parser(label: str) -> dt.datetime:
    """The last day of the period ``label`` (``'1959'``, ``'1959Q1'``, ``'1959m1'``)."""
    return _period_end(*_parse(label))


def dates_from_range(start: str, end: str | None = None, length: int | None = None) -> list:
    """Datetimes at the end of each period from ``start`` to ``end`` (inclusive), or
    ``length`` periods from ``start``; annual, quarterly or monthly labels.

    Examples
    --------
    >>> [d.date().isoformat() for d in dates_from_range("1959Q3", "1960Q1")]
    ['1959-09-30', '1959-12-31', '1960-03-31']
    """
    year, freq, period = _parse(start)
    first = year * freq + period - 1
    if (end is None) == (length is None):
        raise ValueError("give exactly one of end and length")
    if end is not None:
        year2, freq2, period2 = _parse(end)
        if freq2 != freq:
            raise ValueError(f"start {start!r} and end {end!r} have different frequencies")
        count = year2 * freq + period2 - first
    else:
        count = int(length)
    if count < 1:
        raise ValueError("the range is empty: end lies before start (or length < 1)")
    return [_period_end(i // freq, freq, i % freq + 1) for i in range(first, first + count)]
