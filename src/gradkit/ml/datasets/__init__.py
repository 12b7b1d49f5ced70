"""Dataset generators with scikit-learn's names, parameters and draws
(``sklearn.datasets.make_*``).

No bundled loaders: scikit-learn ships its small datasets (digits, iris, ...) inside its
own package; gradkit's real datasets (MNIST, SMS spam, ...) load through
:mod:`gradkit.data`.
"""

from ._samples_generator import (
    make_blobs,
    make_circles,
    make_classification,
    make_low_rank_matrix,
    make_moons,
    make_regression,
)

__all__ = [
    "make_blobs",
    "make_circles",
    "make_classification",
    "make_low_rank_matrix",
    "make_moons",
    "make_regression",
]
