"""Support vector machines: SMO for the dual, kernels, linear SVM."""

from ._classes import SVC
from ._kernels import kernel_matrix
from ._linear_svc import LinearSVC
from ._smo import smo, smo_many

__all__ = ["SVC", "LinearSVC", "kernel_matrix", "smo", "smo_many"]
