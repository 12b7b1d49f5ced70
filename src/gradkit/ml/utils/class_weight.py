"""Class weights for unbalanced classification (``sklearn.utils.class_weight``)."""

from __future__ import annotations

import numpy as np


def compute_class_weight(class_weight, *, classes, y, sample_weight=None) -> np.ndarray:
    """Weight of each class in ``classes``.

    ``"balanced"``: w_k = Σ_i s_i / (K · Σ_{i: y_i = k} s_i) (s = ``sample_weight``, ones
    by default), i.e. n / (K · n_k) unweighted; a dict: its value for a class listed,
    1 for the others; None: ones.

    Shape: classes (K,), y (n,) → (K,).

    Examples
    --------
    >>> compute_class_weight("balanced", classes=np.array([0, 1]), y=[1, 1, 1, 1, 0, 0])
    array([1.5 , 0.75])
    """
    classes = np.asarray(classes)
    y = np.asarray(y)
    if set(np.unique(y).tolist()) - set(classes.tolist()):
        raise ValueError("classes should include all valid labels that can be in y")
    if class_weight is None or (isinstance(class_weight, dict) and not class_weight):
        return np.ones(len(classes))
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight={class_weight!r}; valid are 'balanced', a dict or None."
            )
        if not np.isin(classes, y).all():
            raise ValueError("classes should have valid labels that are in y")
        s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        uniq, y_ind = np.unique(y, return_inverse=True)
        counts = np.bincount(y_ind.ravel(), weights=s, minlength=len(uniq))
        recip = counts.sum() / (len(uniq) * counts)
        return recip[np.searchsorted(uniq, classes)]
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"class_weight must be 'balanced', a dict or None, got {type(class_weight).__name__}."
        )
    weight = np.ones(len(classes))
    missing = []
    for i, c in enumerate(classes.tolist()):
        if c in class_weight:
            weight[i] = class_weight[c]
        else:
            missing.append(c)
    if missing and len(classes) - len(missing) != len(class_weight):
        raise ValueError(f"The classes, {missing}, are not in class_weight")
    return weight


def compute_sample_weight(class_weight, y) -> np.ndarray:
    """Per-sample weights w_i = class weight of y_i (see :func:`compute_class_weight`).

    Shape: y (n,) → (n,).
    """
    y = np.asarray(y)
    classes, y_ind = np.unique(y, return_inverse=True)
    return compute_class_weight(class_weight, classes=classes, y=y)[y_ind.ravel()]
