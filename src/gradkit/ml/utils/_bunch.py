"""``Bunch``: a dict whose keys are also attributes (scikit-learn's return container)."""

from __future__ import annotations


class Bunch(dict):
    """Dictionary with attribute access: ``b["X"] is b.X``.

    Examples
    --------
    >>> b = Bunch(X=[1, 2], y=[0, 1])
    >>> b.X, sorted(b)
    ([1, 2], ['X', 'y'])
    """

    def __init__(self, **kwargs):
        super().__init__(kwargs)

    def __setattr__(self, key, value):
        self[key] = value

    def __dir__(self):
        return list(self.keys())

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc
