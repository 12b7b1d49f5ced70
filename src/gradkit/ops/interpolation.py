"""Resizing by interpolation, as ``torch.nn.functional.interpolate``: nearest,
nearest-exact, (bi/tri)linear, bicubic and area, for 1, 2 or 3 spatial axes.

Every mode but "area" is separable: each spatial axis of size n → m is a product with a
constant (m, n) matrix A whose row o holds the weights output o gives its source inputs,

    y = x ×_1 A_1 ×_2 A_2 ...        (one matmul per resized axis)

so the backward is the product with the transposes (each input collects every weight it
got) and gradients of any order follow. The matrices follow PyTorch's CPU kernels
index for index, including their arithmetic in float32 for float32 input:

    scale s = (n − 1)/(m − 1) with ``align_corners`` (0 if m = 1), else 1/scale_factor
              when a scale factor is given (and not recomputed), else n/m
    source  r(o) = s·o with ``align_corners``, else s·(o + ½) − ½ (clamped at 0 except
              for bicubic)
    nearest        src = min(⌊s·o⌋, n − 1); for 4-d input always in float32, and
                   src = o when m = n, o // 2 when m = 2n, as PyTorch's 2-d kernel
    nearest-exact  src = min(⌊r(o) + ½⌋, n − 1) (4-d: ⌊(o + ½)·s⌋ in float32)
    linear         i = min(⌊r⌋, n − 1), λ = clip(r − i, 0, 1): weights 1 − λ at i and
                   λ at min(i + 1, n − 1); the identity when m = n
    bicubic        i = min(⌊r⌋, n − 1), t = clip(r − i, 0, 1): Keys' cubic convolution
                   (a = −0.75) weights at i − 1 … i + 2, indices clamped to [0, n − 1]
"""

from __future__ import annotations

import math

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops.linalg import matmul
from gradkit.ops.resample import adaptive_avg_pool1d, adaptive_avg_pool2d
from gradkit.ops.shape import swapaxes

MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic", "area")
_LINEAR_NDIM = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
_CUBIC_A = -0.75


def _floorf(r):
    """⌊r⌋ after rounding r to float32, as PyTorch's ``floorf`` does for every dtype."""
    return xp.floor(r.astype(xp.float32)).astype(xp.int64)


def _scale(n: int, m: int, align_corners: bool, scale, dt):
    """PyTorch's ``area_pixel_compute_scale`` in the kernel's dtype ``dt``."""
    if align_corners:
        return dt(n - 1) / dt(m - 1) if m > 1 else dt(0)
    return dt(1.0 / scale) if scale is not None and scale > 0 else dt(n) / dt(m)


def _source(s, m: int, align_corners: bool, cubic: bool, dt):
    """r(o) for o < m (``area_pixel_compute_source_index``), rounded once to ``dt`` as the
    kernel's fused multiply-add does."""
    o = xp.arange(m, dtype=xp.float64)
    if align_corners:
        return (float(s) * o).astype(dt)
    r = (float(s) * (o + 0.5) - 0.5).astype(dt)
    return r if cubic else xp.maximum(r, dt(0))


def _cubic_weights(t):
    """Keys' cubic convolution weights of the taps at offsets −1, 0, 1, 2 from ⌊r⌋."""
    a = _CUBIC_A

    def near(x):  # |x| ≤ 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _nearest_2d(mode: str, n: int, m: int, scale):
    """Source indices of PyTorch's 2-d nearest kernels (``nearest_idx``): float32
    arithmetic whatever the dtype, and for "nearest" the shortcuts m = n (identity) and
    m = 2n (o // 2) taken even when a scale factor says otherwise."""
    o = xp.arange(m)
    if mode == "nearest" and m in (n, 2 * n):
        return o if m == n else o // 2
    s = _scale(n, m, False, scale, xp.float32)
    if mode == "nearest":
        return xp.minimum(_floorf(o.astype(xp.float32) * s), n - 1)
    return xp.minimum(_floorf((o + 0.5) * float(s)), n - 1)


def _matrix(mode: str, n: int, m: int, align_corners: bool, scale, dtype, planar: bool):
    """The (m, n) weight matrix of one axis (module docstring); ``planar``: the axis of a
    4-d input, whose nearest modes follow :func:`_nearest_2d`."""
    dt = xp.float32 if dtype != xp.float64 else xp.float64
    a = xp.zeros((m, n), dtype=dtype)
    rows = xp.arange(m)
    if planar and mode in ("nearest", "nearest-exact"):
        a[rows, _nearest_2d(mode, n, m, scale)] = 1
        return a
    s = _scale(n, m, align_corners, scale, dt)
    if mode == "nearest":
        src = _floorf(xp.arange(m, dtype=dt) * s)
        a[rows, xp.minimum(src, n - 1)] = 1
        return a
    if mode == "nearest-exact":
        r = _source(s, m, False, False, dt)
        a[rows, xp.minimum(_floorf(r.astype(xp.float64) + 0.5), n - 1)] = 1
        return a
    if mode != "bicubic" and m == n:
        a[rows, rows] = 1
        return a
    r = _source(s, m, align_corners, mode == "bicubic", dt)
    i = xp.minimum(_floorf(r), n - 1)
    lam = xp.clip(r - i.astype(dt), 0, 1)
    if mode == "bicubic":
        for k, w in zip(range(-1, 3), _cubic_weights(lam)):
            xp.add.at(a, (rows, xp.clip(i + k, 0, n - 1)), w.astype(dtype))
        return a
    xp.add.at(a, (rows, i), (1 - lam).astype(dtype))
    xp.add.at(a, (rows, xp.minimum(i + 1, n - 1)), lam.astype(dtype))
    return a


def _along(x: Tensor, a, axis: int) -> Tensor:
    """x with axis ``axis`` multiplied by the constant matrix a (m, n): n → m."""
    if axis == x.ndim - 1:
        return matmul(x, Tensor(xp.ascontiguousarray(a.T)))
    if axis == x.ndim - 2:
        return matmul(Tensor(a), x)
    return swapaxes(matmul(swapaxes(x, axis, -1), Tensor(xp.ascontiguousarray(a.T))), axis, -1)


def _per_axis(value, k: int, name: str) -> tuple:
    if isinstance(value, (tuple, list)):
        if len(value) != k:
            raise ValueError(
                f"interpolate: input and {name} must have the same number of spatial "
                f"dimensions, but got {k} spatial dimensions and {name}={tuple(value)!r}; pass "
                f"the input as (N, C, d1, ..., dK) and {name} as (s1, ..., sK)"
            )
        return tuple(value)
    return (value,) * k


def _output_size(x: Tensor, size, scale_factor, recompute: bool | None):
    """(output sizes, scale factors the kernel sees or Nones), PyTorch's rules."""
    k = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if size is not None:
        if recompute:
            raise ValueError(
                "interpolate: recompute_scale_factor is not meaningful with an explicit size."
            )
        sizes = _per_axis(size, k, "size")
        if not all(isinstance(s, (int, xp.integer)) for s in sizes):
            raise TypeError(f"interpolate: size must be an int or a tuple of ints, got {size!r}")
        out, scales = tuple(int(s) for s in sizes), (None,) * k
    else:
        scales = tuple(float(s) for s in _per_axis(scale_factor, k, "scale_factor"))
        out = tuple(math.floor(n * s) for n, s in zip(x.shape[2:], scales))
        if recompute:
            scales = (None,) * k
    if min(out) < 1:
        raise ValueError(
            f"interpolate: input and output sizes should be greater than 0, but got input "
            f"{tuple(x.shape[2:])} and output {out}"
        )
    return out, scales


def interpolate(
    input: Tensor,  # noqa: A002 - PyTorch's name
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes, as ``torch.nn.functional.interpolate``.

    Parameters
    ----------
    input : Tensor
        (N, C, L), (N, C, H, W) or (N, C, D, H, W).
    size : int or tuple of int, optional
        Output spatial size; exactly one of ``size`` and ``scale_factor``.
    scale_factor : float or tuple of float, optional
        Output size ⌊n · scale_factor⌋; the sampling positions use 1/scale_factor unless
        ``recompute_scale_factor`` (then n/m, as for ``size``).
    mode : str
        "nearest", "nearest-exact", "linear" (3-D), "bilinear" (4-D), "bicubic" (4-D),
        "trilinear" (5-D) or "area" (adaptive average pooling; 3-D or 4-D).
    align_corners : bool, optional
        Only for the interpolating modes (default False): the corner pixels' centres
        of input and output coincide.

    Shape
    -----
    Input (N, C, *spatial), output (N, C, *size).

    Examples
    --------
    >>> import gradkit as gk
    >>> interpolate(gk.tensor([[[0.0, 1.0]]]), scale_factor=2, mode="linear")
    tensor([[[0.0000, 0.2500, 0.7500, 1.0000]]])
    """
    if mode not in MODES:
        raise NotImplementedError(
            f"interpolate: unknown mode {mode!r}; choose one of {', '.join(MODES)}"
        )
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError(
                "interpolate: align_corners option can only be set with the interpolating "
                "modes: linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if input.ndim not in (3, 4, 5):
        raise ValueError(
            f"interpolate: expected a 3-D, 4-D or 5-D input (N, C, *spatial), got shape "
            f"{tuple(input.shape)}"
        )
    if mode in _LINEAR_NDIM and input.ndim != _LINEAR_NDIM[mode]:
        raise NotImplementedError(
            f"interpolate: got {input.ndim}D input, but {mode} mode needs "
            f"{_LINEAR_NDIM[mode]}D input"
        )
    kind = input.dtype.kind
    if kind != "f" and not (kind in "iu" and mode in ("nearest", "nearest-exact")):
        raise TypeError(
            f"interpolate: mode {mode!r} needs a floating-point input, got {input.dtype}"
        )
    out_size, scales = _output_size(input, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        return _area(input, out_size)
    kernel = "linear" if mode in ("bilinear", "trilinear") else mode
    y = input
    for axis, (n, m, s) in enumerate(zip(input.shape[2:], out_size, scales), start=2):
        if m != n or (kernel != "linear" and s is not None and s != 1.0):
            a = _matrix(kernel, n, m, bool(align_corners), s, input.dtype, input.ndim == 4)
            y = _along(y, a, axis)
    return y


def _area(x: Tensor, out_size) -> Tensor:
    if x.ndim == 3:
        return adaptive_avg_pool1d(x, out_size)
    if x.ndim == 4:
        return adaptive_avg_pool2d(x, out_size)
    raise NotImplementedError("interpolate: mode 'area' supports 3-D and 4-D input")
