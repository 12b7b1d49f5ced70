"""Mixture models: the Gaussian mixture fitted by EM (U-EM-GMM)."""

from ._gaussian_mixture import GaussianMixture

__all__ = ["GaussianMixture"]
