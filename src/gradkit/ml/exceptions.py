"""Exceptions and warnings of the classical estimators (``sklearn.exceptions``' names)."""

from __future__ import annotations


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before ``fit``.

    A subclass of both ``ValueError`` and ``AttributeError``, as in scikit-learn, so
    ``hasattr(estimator, "classes_")``-style probes and ``except ValueError`` both work.

    Examples
    --------
    >>> from gradkit.ml.linear_model import LogisticRegression
    >>> try:
    ...     LogisticRegression().predict([[1.0, 2.0]])
    ... except NotFittedError as exc:
    ...     print(str(exc)[:46])
    This LogisticRegression instance is not fitted
    """


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before meeting its tolerance."""


class DataConversionWarning(UserWarning):
    """Input data was converted (e.g. a column-vector y was raveled)."""


class FitFailedWarning(RuntimeWarning):
    """A fit inside a cross-validation or search failed; its score is ``error_score``."""


class UndefinedMetricWarning(UserWarning):
    """A metric is 0/0 for some label; the value reported is ``zero_division``'s."""


__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "FitFailedWarning",
    "NotFittedError",
    "UndefinedMetricWarning",
]
