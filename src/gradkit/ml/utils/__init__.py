"""Utilities with scikit-learn's names: class weights, ``density``, estimator discovery."""

from ..base import check_legacy_random_state as check_random_state
from .class_weight import compute_class_weight, compute_sample_weight
from .discovery import all_estimators
from .extmath import density

__all__ = [
    "all_estimators",
    "check_random_state",
    "compute_class_weight",
    "compute_sample_weight",
    "density",
]
