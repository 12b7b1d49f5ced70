"""``gradkit.linalg``: PyTorch's ``torch.linalg`` on gradkit tensors.

Every function takes batches of matrices (leading dims) and is differentiable; the ops
and their gradient formulas live in :mod:`gradkit.ops.decomp` and
:mod:`gradkit.ops.norms`.

Examples
--------
>>> import gradkit as gk
>>> a = gk.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
>>> gk.linalg.det(a).backward()
>>> a.grad
tensor([[ 3., -1.],
        [-1.,  2.]])
"""

from __future__ import annotations

from gradkit.autograd.function import TensorBase as _Tensor
from gradkit.backend import xp as _xp
from gradkit.ops import shape as _sh
from gradkit.ops.decomp import (
    LinAlgError,
    _check,
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    matrix_power,
    pinv,
    qr,
    slogdet,
    solve,
    solve_triangular,
    svd,
    svdvals,
)
from gradkit.ops.diagonals import diagonal as _diagonal
from gradkit.ops.elementwise import mul as _mul
from gradkit.ops.linalg import matmul
from gradkit.ops.norms import matrix_norm, norm, vector_norm
from gradkit.ops.reduce import sum as _sum


def diagonal(a: _Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> _Tensor:
    """The diagonals of the matrices in the last two dims (a view)."""
    return _diagonal(a, offset, dim1, dim2)


def vecdot(x: _Tensor, y: _Tensor, *, dim: int = -1) -> _Tensor:
    """Σ_i x_i y_i along ``dim`` (after broadcasting x and y)."""
    prod = _mul(x, y)
    return _sum(prod, dim=_sh.normalize_dim(dim, prod.ndim))


def multi_dot(tensors) -> _Tensor:
    """A₁ A₂ ⋯ A_k; the first may be 1-D (a row) and the last 1-D (a column)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        edge = i in (0, len(tensors) - 1)
        if t.ndim != 2 and not (edge and t.ndim == 1):
            raise RuntimeError(
                f"multi_dot(): tensor {i} must be 2D{' or 1D' if edge else ''} but got "
                f"{t.ndim}D (shape {t.shape})"
            )
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def matrix_rank(a: _Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> _Tensor:
    """The number of singular values above max(atol, rtol·σ_max) (int64, no gradient);
    by default rtol = max(m, n)·eps."""
    _check(a, "linalg.matrix_rank", square=hermitian)
    s = _xp.linalg.svd(a._data, compute_uv=False)
    if rtol is None:
        rtol = 0.0 if atol else max(a.shape[-2:]) * _xp.finfo(a.dtype).eps
    smax = s[..., :1] if s.shape[-1] else _xp.zeros(s.shape[:-1] + (1,), s.dtype)
    cutoff = _xp.maximum(atol or 0.0, rtol * smax)
    return _Tensor((s > cutoff).sum(axis=-1).astype(_xp.int64))


__all__ = [
    "LinAlgError", "cholesky", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul",
    "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
    "slogdet", "solve", "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm",
]  # fmt: skip
