"""Matrix decompositions: PCA (U-PCA) and factor analysis (U-FA)."""

from ._factor_analysis import FactorAnalysis
from ._pca import PCA

__all__ = ["PCA", "FactorAnalysis"]
