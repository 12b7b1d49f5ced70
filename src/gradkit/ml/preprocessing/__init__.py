"""Preprocessing: feature scaling (NN-NORM-DATA) and categorical encoders."""

from ._data import MinMaxScaler, Normalizer, StandardScaler, minmax_scale, normalize, scale
from ._encoders import LabelEncoder, OneHotEncoder

__all__ = [
    "LabelEncoder",
    "MinMaxScaler",
    "Normalizer",
    "OneHotEncoder",
    "StandardScaler",
    "minmax_scale",
    "normalize",
    "scale",
]
