"""PyTorch's named-tuple results (``torch.return_types``; ``gradkit.return_types``):
``values, indices = x.max(1)``.

Each is a :func:`collections.namedtuple`, so it unpacks, indexes (``r[0]``) and has
attributes (``r.values``, ``r.indices``), as PyTorch's structseq types do.
"""

from __future__ import annotations

from collections import namedtuple

_VALUES_INDICES = ("values", "indices")


def _make(name: str, fields=_VALUES_INDICES):
    cls = namedtuple(name, fields)
    cls.__module__ = __name__
    cls.__qualname__ = name
    return cls


max = _make("max")  # noqa: A001 - the names are PyTorch's
min = _make("min")  # noqa: A001
sort = _make("sort")
topk = _make("topk")
kthvalue = _make("kthvalue")
median = _make("median")
nanmedian = _make("nanmedian")
mode = _make("mode")
aminmax = _make("aminmax", ("min", "max"))

__all__ = ["aminmax", "kthvalue", "max", "median", "min", "mode", "nanmedian", "sort", "topk"]

# issue 16 slice B: linear algebra
linalg_slogdet = _make("linalg_slogdet", ("sign", "logabsdet"))
linalg_qr = _make("linalg_qr", ("Q", "R"))
linalg_eigh = _make("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _make("linalg_svd", ("U", "S", "Vh"))

__all__ += ["linalg_eigh", "linalg_qr", "linalg_slogdet", "linalg_svd"]
