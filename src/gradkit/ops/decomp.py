"""Differentiable linear algebra on (batches of) matrices: inv, det, slogdet, solve,
cholesky, qr, eigh, svd/svdvals, pinv, matrix_power. ``gradkit.linalg`` exposes them
under PyTorch's names.

Every op takes ``(..., m, n)`` inputs, the leading dims being a batch; gradients are
the textbook adjoints (Giles 2008, "Extended collection of matrix derivative results";
Murray 2016 for Cholesky), written with differentiable ops so that double backward
works wherever the formula allows it. Bad input (not floating point, not square,
singular, not positive-definite) raises :class:`LinAlgError` or ``RuntimeError``
naming the op and the shape, in PyTorch's words.
"""

from __future__ import annotations

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.grad_mode import no_grad
from gradkit.backend import xp
from gradkit.ops import return_types
from gradkit.ops import shape as sh
from gradkit.ops.diagonals import tril, triu
from gradkit.ops.linalg import matmul


class LinAlgError(RuntimeError):
    """A matrix is singular or not positive-definite (``torch.linalg.LinAlgError``)."""


SlogdetResult = return_types.linalg_slogdet
QRResult = return_types.linalg_qr
EighResult = return_types.linalg_eigh
SVDResult = return_types.linalg_svd


# ---------------------------------------------------------------- helpers
def _mT(a):
    """Transpose of the last two dims (arrays or Tensors)."""
    return sh.swapaxes(a, -1, -2) if isinstance(a, Tensor) else xp.swapaxes(a, -1, -2)


def _check(a: Tensor, op: str, square: bool = True) -> None:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(a).__name__}")
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got {a.dtype}"
        )
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices (shape {a.shape})"
        )


def _batch_element(a, bad) -> str:
    """``(Batch element k): `` for the first failing matrix of a batch, as PyTorch says."""
    if a.ndim == 2:
        return ""
    k = int(xp.flatnonzero(bad.reshape(-1))[0]) if bad.any() else 0
    return f"(Batch element {k}): "


def _singular(op: str, a, what: str) -> LinAlgError:
    with xp.errstate(all="ignore"):
        bad = xp.linalg.matrix_rank(a) < a.shape[-1] if a.size else xp.zeros(1, bool)
    return LinAlgError(
        f"{op}: {_batch_element(a, xp.asarray(bad))}{what} (input of shape {a.shape})"
    )


def _solve_arrays(a, b, op: str):
    try:
        return xp.linalg.solve(a, b)
    except xp.linalg.LinAlgError:
        raise _singular(op, a, "The solver failed because the input matrix is singular.") from None


def _lift(*values):
    return [v if isinstance(v, Tensor) else new_tensor(xp.asarray(v)) for v in values]


def _solve_any(a, b):
    """X with A X = B (B of shape (..., n, k)); recorded when either is a Tensor."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Solve.apply(*_lift(a, b))
    return _solve_arrays(a, b, "linalg.solve")


# ---------------------------------------------------------------- inverse and solve
class Inv(Function):
    """Y = A⁻¹; ∂L/∂A = −Yᵀ G Yᵀ."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        try:
            y = xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise _singular(
                "linalg.inv",
                a,
                "the inversion could not be completed because the input matrix is singular.",
            ) from None
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, g):
        yt = _mT(ctx.y)
        return -(yt @ g @ yt)


def inv(a: Tensor) -> Tensor:
    """The inverse A⁻¹ of each square matrix in ``a`` (..., n, n)."""
    _check(a, "linalg.inv")
    return Inv.apply(a)


inverse = inv


class Solve(Function):
    """X = A⁻¹ B for A (..., n, n) and B (..., n, k), batch dims broadcast.
    ∂L/∂B = A⁻ᵀ G, ∂L/∂A = −(∂L/∂B) Xᵀ."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        x = _solve_arrays(a, b, "torch.linalg.solve")
        ctx.a, ctx.x = a, x
        return x

    @staticmethod
    def backward(ctx, g):
        gb = _solve_any(_mT(ctx.a), g)
        ga = -(gb @ _mT(ctx.x)) if ctx.needs_input_grad[0] else None
        return ga, gb


def solve(a: Tensor, b: Tensor, *, left: bool = True) -> Tensor:
    """The solution X of A X = B (or X A = B with ``left=False``).

    Shape: A (*, n, n); B (*, n) — a batch of vectors, when B is 1-D or its shape is
    A's without the last dim — or (*, n, k); X has B's shape (batch dims broadcast).
    """
    _check(a, "linalg.solve")
    b = b if isinstance(b, Tensor) else new_tensor(xp.asarray(b, dtype=a.dtype))
    if b.dtype != a.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{a.dtype} and B of type {b.dtype} instead."
        )
    if not left:
        return _mT(solve(_mT(a), _mT(b)))
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else (b.shape[-2] if b.ndim >= 2 else -1)
    if rows != n:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({a.shape[-2]}x{n} and {'x'.join(map(str, b.shape[-2:]))}; shapes {a.shape} "
            f"and {b.shape})"
        )
    if vector:
        return sh.squeeze(Solve.apply(a, sh.unsqueeze(b, -1)), -1)
    try:
        xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"linalg.solve: the batch dims of A {a.shape} and B {b.shape} do not broadcast"
        ) from None
    return Solve.apply(a, b)


def solve_triangular(
    a: Tensor, b: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with A X = B (X A = B when ``left=False``) reading only A's upper or lower
    triangle (and taking its diagonal as 1 when ``unitriangular``). The gradient with
    respect to A stays in that triangle.

    Shape: A (*, n, n), B (*, n, k) (or (*, k, n) when ``left=False``), batch dims
    broadcast."""
    _check(a, "linalg.solve_triangular")
    if b.ndim < 2:
        raise RuntimeError(
            "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."
        )
    n = a.shape[-1]
    t = triu(a, 1 if unitriangular else 0) if upper else tril(a, -1 if unitriangular else 0)
    if unitriangular:
        t = t + new_tensor(xp.eye(n, dtype=a.dtype))
    return solve(t, b, left=left)


# ---------------------------------------------------------------- determinants
class Det(Function):
    """d = det A; ∂L/∂A = g · d · A⁻ᵀ. At an exactly singular matrix (d = 0) the
    gradient is 0, as PyTorch gives it."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        d = xp.linalg.det(a)
        ctx.a, ctx.d = a, xp.asarray(d)
        return ctx.d

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        dead = _data(d) == 0
        a = _invertible(ctx.a, dead)
        scale = g * d
        return scale[..., None, None] * _mT(_inv_any(a))


def _data(v):
    return v._data if isinstance(v, Tensor) else v


def _invertible(a, dead):
    """``a`` with its singular matrices (``dead``) replaced by the identity."""
    if not dead.any():
        return a
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    return xp.where(dead[..., None, None], eye, a)


def _inv_any(a):
    return Inv.apply(a) if isinstance(a, Tensor) else xp.linalg.inv(a)


def det(a: Tensor) -> Tensor:
    """The determinant of each square matrix in ``a`` (..., n, n) → (...)."""
    _check(a, "linalg.det")
    return Det.apply(a)


class Slogdet(Function):
    """(sign, log|det A|); ∂L/∂A = g_logabsdet · A⁻ᵀ (the sign is piecewise constant)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        sign, logabs = xp.linalg.slogdet(a)
        ctx.a = a
        return xp.asarray(sign), xp.asarray(logabs)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        if g_logabs is None:
            return None
        a = ctx.a
        try:
            inv_t = _mT(_inv_any(a))
        except xp.linalg.LinAlgError:
            raise _singular(
                "linalg.slogdet backward", a, "the matrix is singular, so log|det| has no gradient."
            ) from None
        return g_logabs[..., None, None] * inv_t


def slogdet(a: Tensor) -> SlogdetResult:
    """``(sign, logabsdet)`` with det A = sign · exp(logabsdet), stable where det
    under- or overflows; a singular matrix gives (0, −inf)."""
    _check(a, "linalg.slogdet")
    sign, logabs = Slogdet.apply(a)
    return SlogdetResult(sign, logabs)


def logdet(a: Tensor) -> Tensor:
    """log det A: nan where det A < 0, −inf where it is 0 (``torch.logdet``)."""
    _check(a, "logdet")
    sign, logabs = Slogdet.apply(a)
    s = sign._data
    shift = xp.where(s > 0, 0.0, xp.where(s < 0, xp.nan, -xp.inf)).astype(a.dtype)
    return logabs + new_tensor(shift)


# ---------------------------------------------------------------- factorizations
class Cholesky(Function):
    """A = L Lᵀ with L lower triangular. ∂L/∂A = L⁻ᵀ Φ L⁻¹ with
    Φ = ½ (T + tril(T, −1)ᵀ), T = tril(Lᵀ G) (Murray 2016; symmetric, as PyTorch)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        try:
            chol = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            bad = xp.zeros(a.shape[:-2], dtype=bool)
            if a.ndim > 2:
                flat = a.reshape(-1, *a.shape[-2:])
                for k, m in enumerate(flat):
                    try:
                        xp.linalg.cholesky(m)
                    except xp.linalg.LinAlgError:
                        bad.reshape(-1)[k] = True
                        break
            raise LinAlgError(
                f"linalg.cholesky: {_batch_element(a, bad)}The factorization could not be "
                f"completed because the input is not positive-definite (input of shape "
                f"{a.shape})."
            ) from None
        ctx.chol = chol
        return chol

    @staticmethod
    def backward(ctx, g):
        chol = ctx.chol
        t = _tril_any(_mT(chol) @ g, 0)
        phi = 0.5 * (t + _mT(_tril_any(t, -1)))
        x = _solve_any(_mT(chol), phi)  # L⁻ᵀ Φ
        return _mT(_solve_any(_mT(chol), _mT(x)))  # (L⁻ᵀ (L⁻ᵀ Φ)ᵀ)ᵀ = L⁻ᵀ Φ L⁻¹


def _tril_any(a, k):
    if isinstance(a, Tensor):
        return tril(a, k)
    return a * xp.tri(a.shape[-2], a.shape[-1], k, dtype=bool)


def cholesky(a: Tensor, *, upper: bool = False) -> Tensor:
    """L with A = L Lᵀ for symmetric positive-definite A (only its lower triangle is
    read); ``upper=True`` returns U = Lᵀ with A = Uᵀ U."""
    _check(a, "linalg.cholesky")
    chol = Cholesky.apply(a)
    return _mT(chol) if upper else chol


class QR(Function):
    """A = Q R (reduced: Q (m, k), R (k, n), k = min(m, n); complete: Q (m, m)).

    For m ≥ n: M = R G_Rᵀ − G_Qᵀ Q and ∂L/∂A = (G_Q + Q copyltu(M)) R⁻ᵀ with
    copyltu(M) = tril(M) + tril(M, −1)ᵀ. For m < n, A = [X | Y] with X square, Q and
    R_X come from X alone and R_Y = Qᵀ Y: ∂L/∂Y = Q G_RY, and ∂L/∂X is the square case
    with G_Q + Y G_RYᵀ.
    """

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        q, r = xp.linalg.qr(a, mode=mode)
        ctx.q, ctx.r, ctx.a = q, r, a
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.q, ctx.r
        m, n = ctx.a.shape[-2:]
        if q.shape[-1] > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > "
                f"ncols (input of shape {ctx.a.shape})."
            )
        gq = xp.zeros_like(q) if gq is None else gq
        gr = xp.zeros_like(r) if gr is None else gr
        if m >= n:
            return _qr_square_grad(q, r, gq, gr)
        y, gr_y = ctx.a[..., m:], gr[..., m:]
        gx = _qr_square_grad(q, r[..., :m], gq + y @ _mT(gr_y), gr[..., :m])
        return xp.concatenate([gx, q @ gr_y], axis=-1)


def _qr_square_grad(q, r, gq, gr):
    mm = r @ _mT(gr) - _mT(gq) @ q
    copyltu = xp.tril(mm) + _mT(xp.tril(mm, -1))
    rhs = gq + q @ copyltu  # ∂L/∂A = rhs R⁻ᵀ = (R⁻¹ rhsᵀ)ᵀ
    return _mT(_solve_arrays(r, _mT(rhs), "linalg.qr backward (R is singular)"))


def qr(a: Tensor, mode: str = "reduced") -> QRResult:
    """``(Q, R)`` with A = Q R, Q with orthonormal columns and R upper triangular.
    ``mode``: "reduced" (k = min(m, n) columns), "complete" (Q square) or "r" (R only;
    Q is an empty tensor, as in PyTorch)."""
    _check(a, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    if mode == "r":
        with no_grad():
            _, r = QR.apply(a, mode="reduced")
        if a.requires_grad:
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr."
            )
        return QRResult(new_tensor(xp.zeros(0, dtype=a.dtype)), r)
    return QRResult(*QR.apply(a, mode=mode))


# ---------------------------------------------------------------- spectral
def _eigen_gap(values):
    """F_ij = 1 / (v_j − v_i) off the diagonal, 0 on it. Repeated values give inf: the
    gradient of their vectors is undefined (PyTorch gives inf/nan as well)."""
    diff = values[..., None, :] - values[..., :, None]
    n = values.shape[-1]
    with xp.errstate(divide="ignore"):
        f = 1.0 / xp.where(xp.eye(n, dtype=bool), 1.0, diff)
    return xp.where(xp.eye(n, dtype=bool), 0.0, f).astype(values.dtype)


class Eigh(Function):
    """A = V diag(λ) Vᵀ for symmetric A (lower triangle read), λ ascending.
    ∂L/∂A = V (diag(g_λ) + sym(F ∘ Vᵀ G_V)) Vᵀ with F_ij = 1/(λ_j − λ_i),
    sym(X) = (X + Xᵀ)/2 (the symmetric gradient PyTorch returns)."""

    @staticmethod
    def forward(ctx, a, uplo="L"):
        w, v = xp.linalg.eigh(a, UPLO=uplo)
        ctx.w, ctx.v = w, v
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.w, ctx.v
        inner = xp.zeros(v.shape, dtype=v.dtype)
        if gv is not None:
            inner = _eigen_gap(w) * (_mT(v) @ gv)
            inner = 0.5 * (inner + _mT(inner))
        if gw is not None:
            inner = inner + gw[..., None] * xp.eye(w.shape[-1], dtype=w.dtype)
        return v @ inner @ _mT(v)


def eigh(a: Tensor, UPLO: str = "L") -> EighResult:  # noqa: N803 - PyTorch's keyword
    """``(eigenvalues, eigenvectors)`` of symmetric matrices: eigenvalues ascending,
    eigenvectors as columns. Only the ``UPLO`` ("L" or "U") triangle is read."""
    _check(a, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return EighResult(*Eigh.apply(a, uplo=UPLO))


def eigvalsh(a: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """Eigenvalues (ascending) of symmetric matrices; gradient V diag(g) Vᵀ."""
    return eigh(a, UPLO).eigenvalues


class SVD(Function):
    """A = U diag(S) Vᵀ (reduced, k = min(m, n)); Townsend (2016):
    ∂L/∂A = U [(F∘(UᵀG_U − G_UᵀU)) S + diag(G_S) + S (F∘(VᵀG_V − G_VᵀV))] Vᵀ
            + (I − UUᵀ) G_U S⁻¹ Vᵀ + U S⁻¹ G_Vᵀ (I − VVᵀ),  F_ij = 1/(s_j² − s_i²).
    Defined when the singular values are distinct and non-zero (for the vector terms)
    and the loss does not depend on the signs of singular-vector pairs."""

    @staticmethod
    def forward(ctx, a, full_matrices=False):
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.u, ctx.s, ctx.vh = u, s, vh
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.u, ctx.s, ctx.vh
        k = s.shape[-1]
        u, vh = u[..., :k], vh[..., :k, :]  # full_matrices: the extra columns are arbitrary
        v = _mT(vh)
        inner = xp.zeros(u.shape[:-2] + (k, k), dtype=s.dtype)
        if gs is not None:
            inner = inner + gs[..., None] * xp.eye(k, dtype=s.dtype)
        ga = 0
        if gu is not None or gvh is not None:
            f = _eigen_gap(s * s)
            s_inv = 1.0 / s
        if gu is not None:
            gu = gu[..., :k]
            x = _mT(u) @ gu
            inner = inner + f * (x - _mT(x)) * s[..., None, :]
            if u.shape[-2] > k:
                ga = ga + (gu - u @ (_mT(u) @ gu)) * s_inv[..., None, :] @ vh
        if gvh is not None:
            gv = _mT(gvh[..., :k, :])
            x = vh @ gv
            inner = inner + s[..., :, None] * (f * (x - _mT(x)))
            if v.shape[-2] > k:
                ga = ga + (u * s_inv[..., None, :]) @ _mT(gv - v @ (vh @ gv))
        return u @ inner @ vh + ga


def svd(a: Tensor, full_matrices: bool = True) -> SVDResult:
    """``(U, S, Vh)`` with A = U diag(S) Vh, S descending. ``full_matrices=True`` (the
    PyTorch default) makes U and Vh square; gradients use their first min(m, n)
    columns/rows."""
    _check(a, "linalg.svd", square=False)
    return SVDResult(*SVD.apply(a, full_matrices=bool(full_matrices)))


class SVDVals(Function):
    """S, the singular values (descending); ∂L/∂A = U diag(g) Vᵀ."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        ctx.u, ctx.vh = u, vh
        return s

    @staticmethod
    def backward(ctx, g):
        return (ctx.u * g[..., None, :]) @ ctx.vh


def svdvals(a: Tensor) -> Tensor:
    """Singular values of each matrix, descending: (..., m, n) → (..., min(m, n))."""
    _check(a, "linalg.svdvals", square=False)
    return SVDVals.apply(a)


class Pinv(Function):
    """P = A⁺ (Moore–Penrose, singular values ≤ max(atol, rtol·σ_max) dropped).
    ∂L/∂A = −Pᵀ G Pᵀ + (I − A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P A) (Golub & Pereyra 1973;
    valid where the rank does not change)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, atol=0.0, rtol=None):
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        if rtol is None:
            rtol = max(a.shape[-2:]) * xp.finfo(a.dtype).eps if not atol else 0.0
        cutoff = xp.maximum(atol, rtol * (s[..., :1] if s.shape[-1] else 0.0))
        with xp.errstate(divide="ignore"):
            s_inv = xp.where(s > cutoff, 1.0 / s, 0.0).astype(a.dtype)
        p = (_mT(vh) * s_inv[..., None, :]) @ _mT(u)
        ctx.a, ctx.p = a, p
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.a, ctx.p
        m, n = a.shape[-2:]
        pt, gt = _mT(p), _mT(g)
        ga = -(pt @ g @ pt)
        ga = ga + (xp.eye(m, dtype=g.dtype) - a @ p) @ gt @ p @ pt
        return ga + pt @ p @ gt @ (xp.eye(n, dtype=g.dtype) - p @ a)


def pinv(a: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore–Penrose pseudo-inverse (..., m, n) → (..., n, m). Singular values at
    or below max(atol, rtol·σ_max) count as zero; by default rtol = max(m, n)·eps."""
    _check(a, "linalg.pinv", square=hermitian)
    return Pinv.apply(a, atol=float(atol or 0.0), rtol=None if rtol is None else float(rtol))


# ---------------------------------------------------------------- powers
def matrix_power(a: Tensor, n: int) -> Tensor:
    """A^n by repeated squaring (n = 0 gives the identity, n < 0 powers of A⁻¹)."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, got shape {a.shape}"
        )
    n = int(n)
    if n == 0:
        eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return new_tensor(eye.copy())
    if n < 0:
        _check(a, "linalg.matrix_power")
        a, n = inv(a), -n
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result
