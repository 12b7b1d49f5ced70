"""Vector and matrix norms: ``linalg.vector_norm``, ``linalg.matrix_norm``,
``linalg.norm`` and ``Tensor.norm`` (``torch.norm``), with PyTorch's arguments, results
and errors. The vector norm's op and its gradients (PyTorch's subgradients where a norm
is not differentiable, e.g. the 2-norm at x = 0) are :class:`gradkit.ops.pnorm.VectorNorm`.
"""

from __future__ import annotations

import math

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import shape as sh
from gradkit.ops.decomp import svdvals
from gradkit.ops.pnorm import VectorNorm
from gradkit.ops.reduce import MaxMin, Sum


def _float_input(x: Tensor, op: str, dtype=None) -> Tensor:
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got {x.dtype}"
        )
    return x


def _ord_number(ord, op: str) -> float:  # noqa: A002
    if isinstance(ord, str) or isinstance(ord, bool):
        raise TypeError(f"{op}(): argument 'ord' must be a number, not {ord!r}")
    return float(ord)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """‖x‖_ord over ``dim`` (all elements when None, the tensor seen as one vector).

    ord: any real p, ``inf`` (max |x|), ``-inf`` (min |x|), 0 (count of non-zeros).
    """
    x = _float_input(x, "linalg.vector_norm", dtype)
    p = _ord_number(ord, "linalg.vector_norm")
    axes = tuple(range(x.ndim)) if dim is None else tuple(sorted(sh.normalize_dims(dim, x.ndim)))
    if x.ndim == 0:
        axes = ()
    if abs(p) == math.inf and any(x.shape[a] == 0 for a in axes):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
            "operation does not have an identity"
        )
    return VectorNorm.apply(x, p=p, axes=axes, keepdims=bool(keepdim))


def _two_dims(dim, ndim: int, op: str) -> tuple[int, int]:
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    d0, d1 = (sh.normalize_dim(d, ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def _reduce_extreme(x: Tensor, axis: int, largest: bool) -> Tensor:
    return MaxMin.apply(x, axes=(axis,), keepdims=True, largest=largest)


def matrix_norm(a: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):  # noqa: A002
    """Norm of the matrices in dims ``dim`` of ``a``.

    ord: "fro" (√Σ a²), "nuc" (Σ σ), 2 / −2 (largest / smallest singular value),
    1 / −1 (max / min column sum of |a|), inf / −inf (max / min row sum of |a|).
    """
    op = "linalg.matrix_norm"
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    a = _float_input(a, op, dtype)
    d0, d1 = _two_dims(dim, a.ndim, op)
    if ord == "fro":
        return vector_norm(a, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        if a.dtype == xp.float16:  # NumPy's SVD has no half precision; PyTorch's words
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")
        s = svdvals(sh.movedim(a, (d0, d1), (-2, -1)))
        if ord == "nuc":
            out = Sum.apply(s, axes=(s.ndim - 1,), keepdims=False)
        else:
            out = sh.squeeze(_reduce_extreme(s, s.ndim - 1, ord == 2), -1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = sh.unsqueeze(out, d)
        return out
    if ord in (1, -1, math.inf, -math.inf):
        summed, extreme = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = vector_norm(a, 1, summed, True)
        out = _reduce_extreme(sums, extreme, ord > 0)
        return out if keepdim else sh.squeeze(out, (d0, d1))
    raise RuntimeError(f"{op}: Order {ord} not supported.")


def norm(a: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """``torch.linalg.norm``: a vector norm when ``dim`` is an int (or ``ord`` is None
    and ``dim`` is None: all elements), a matrix norm when ``dim`` is a 2-tuple or
    ``ord`` is given for a 2-D input."""
    if isinstance(dim, (int, xp.integer)):
        dim = (int(dim),)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 1:
            return vector_norm(a, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(a, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(a, 2, None, keepdim, dtype=dtype)
    if a.ndim == 1:
        return vector_norm(a, ord, None, keepdim, dtype=dtype)
    if a.ndim == 2:
        return matrix_norm(a, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
        f"{a.ndim}D."
    )


def tensor_norm(x: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """``torch.norm`` / ``Tensor.norm``: p = "fro" is the 2-norm of the elements over
    ``dim`` (all when None), p = "nuc" the nuclear norm of a matrix, a number p the
    vector p-norm over ``dim`` (one or several dims)."""
    if p == "fro":
        if dim is not None and not isinstance(dim, int) and len(tuple(dim)) > 2:
            raise RuntimeError(
                "linalg.matrix_norm: dim must be a 2-tuple. Got " + " ".join(map(str, tuple(dim)))
            )
        return vector_norm(x, 2, dim, keepdim, dtype=dtype)
    if p == "nuc":
        if dim is None:
            if x.ndim != 2:
                raise RuntimeError(
                    "linalg.matrix_norm: dim must be a 2-tuple. Got "
                    + " ".join(map(str, range(x.ndim)))
                )
            dim = (0, 1)
        return matrix_norm(x, "nuc", dim, keepdim, dtype=dtype)
    if p is None:
        p = 2
    return vector_norm(x, p, dim, keepdim, dtype=dtype)
