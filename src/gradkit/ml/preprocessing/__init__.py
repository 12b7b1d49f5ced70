"""Preprocessing: feature scaling (NN-NORM-DATA) and categorical encoders."""

from ._data import MinMaxScaler, StandardScaler
from ._encoders import LabelEncoder, OneHotEncoder

__all__ = ["LabelEncoder", "MinMaxScaler", "OneHotEncoder", "StandardScaler"]
