"""Utilities with scikit-learn's names: class weights, ``density``, ``shuffle``,
``Bunch``, estimator discovery."""

import numpy as np

from ..base import check_legacy_random_state as check_random_state
from ._bunch import Bunch
from .class_weight import compute_class_weight, compute_sample_weight
from .discovery import all_estimators
from .extmath import density


def shuffle(*arrays, random_state=None, n_samples=None):
    """The arrays' rows in one random order (the same for all), scikit-learn's draws:
    ``RandomState.shuffle`` of 0 … n−1 (then the first ``n_samples``).

    Examples
    --------
    >>> shuffle([1, 2, 3], random_state=0)
    [3, 2, 1]
    """
    from ._indexing import _index, _num_samples

    if not arrays:
        return None
    n = _num_samples(arrays[0])
    for a in arrays[1:]:
        if _num_samples(a) != n:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"{[_num_samples(a) for a in arrays]}"
            )
    order = np.arange(n)
    check_random_state(random_state).shuffle(order)
    order = order[: n if n_samples is None else n_samples]
    out = [_index(a, order) for a in arrays]
    return out[0] if len(out) == 1 else out


__all__ = [
    "Bunch",
    "all_estimators",
    "check_random_state",
    "compute_class_weight",
    "compute_sample_weight",
    "density",
    "shuffle",
]
