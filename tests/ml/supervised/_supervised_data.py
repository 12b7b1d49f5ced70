"""Fixed train/test splits of scikit-learn's bundled datasets for the parity tests."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

CLASSIFICATION = ("iris", "wine", "breast_cancer", "digits")


@cache
def split(name: str, scale: bool = False):
    """(X_train, X_test, y_train, y_test), 25% stratified test split, seed 0."""
    datasets = pytest.importorskip("sklearn.datasets")
    from sklearn.model_selection import train_test_split

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    if scale:
        X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    stratify = None if name == "diabetes" else y
    return tuple(train_test_split(X, y, test_size=0.25, random_state=0, stratify=stratify))
