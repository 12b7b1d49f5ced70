"""``available_if``: a method that exists only when a condition on the instance holds.

scikit-learn's meta-estimators (``Pipeline``, ``GridSearchCV``) expose ``predict``,
``transform``, ... only when the estimator they wrap has them, so ``hasattr`` answers
truthfully; this is the same descriptor.
"""

from __future__ import annotations

from functools import update_wrapper
from types import MethodType


class _AvailableIf:
    def __init__(self, fn, check):
        self.fn, self.check = fn, check
        update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn
        if not self.check(obj):
            raise AttributeError(
                f"This {type(obj).__name__} has no attribute {self.fn.__name__!r}: the "
                "estimator it wraps does not have it."
            )
        return MethodType(self.fn, obj)


def available_if(check):
    """Decorator: the method is an attribute of an instance only when ``check(instance)``.

    Examples
    --------
    >>> class Wrapper:
    ...     def __init__(self, inner):
    ...         self.inner = inner
    ...     @available_if(lambda self: hasattr(self.inner, "upper"))
    ...     def upper(self):
    ...         return self.inner.upper()
    >>> hasattr(Wrapper("a"), "upper"), hasattr(Wrapper(1), "upper")
    (True, False)
    """
    return lambda fn: _AvailableIf(fn, check)
