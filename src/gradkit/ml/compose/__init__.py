"""Composite transformers: ``ColumnTransformer`` and ``make_column_transformer``."""

from ._column_transformer import ColumnTransformer, make_column_transformer

__all__ = ["ColumnTransformer", "make_column_transformer"]
