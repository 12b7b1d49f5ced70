"""Support vector machines: SMO for the dual, kernels, linear hinge-loss SVM."""

from ._classes import SVC, LinearSVC
from ._kernels import kernel_matrix
from ._smo import smo

__all__ = ["SVC", "LinearSVC", "kernel_matrix", "smo"]
