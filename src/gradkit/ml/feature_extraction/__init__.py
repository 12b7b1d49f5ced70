"""Feature extraction: text features in :mod:`gradkit.ml.feature_extraction.text`."""

from . import text

__all__ = ["text"]
