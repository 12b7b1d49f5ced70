"""Preprocessing: feature scaling (NN-NORM-DATA) and categorical encoders."""

from ._data import MinMaxScaler, Normalizer, StandardScaler, minmax_scale, normalize, scale
from ._encoders import LabelEncoder, OneHotEncoder
from ._function_transformer import FunctionTransformer

__all__ = [
    "FunctionTransformer",
    "LabelEncoder",
    "MinMaxScaler",
    "Normalizer",
    "OneHotEncoder",
    "StandardScaler",
    "minmax_scale",
    "normalize",
    "scale",
]
