"""Tensor products: einsum, tensordot, outer, kron, inner, dot, mm, bmm, mv.

``einsum`` is the general one: any equation, with repeated subscripts (``'ii->i'``),
ellipsis and size-1 broadcasting as in PyTorch. Its gradient with respect to each
operand is another einsum (so it differentiates to any order); the rest are built from
``einsum``, ``matmul`` and element-wise ops.
"""

from __future__ import annotations

import string

from gradkit.autograd.function import Function, new_tensor
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import xp
from gradkit.ops import shape as sh
from gradkit.ops.elementwise import mul
from gradkit.ops.linalg import matmul

_LETTERS = string.ascii_letters


# ---------------------------------------------------------------- einsum
def _parse(equation: str, shapes) -> tuple[list[str], str, dict]:
    """Explicit subscripts (ellipsis spelled out as letters) for each operand and the
    output, and each letter's size (the largest; others must be equal or 1)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(
            f"einsum(): {len(terms)} operands in the equation {equation!r} but "
            f"{len(shapes)} tensors were given"
        )
    for ch in eq:
        if ch not in _LETTERS and ch not in ".,->":
            raise RuntimeError(f"einsum(): invalid subscript {ch!r} in {equation!r}")
    used = set(ch for ch in eq if ch in _LETTERS)
    spare = [ch for ch in _LETTERS if ch not in used]
    n_ell = 0
    for term, shape in zip(terms, shapes):
        letters = len(term.replace("...", ""))
        if "..." in term:
            n_ell = max(n_ell, len(shape) - letters)
    ell = "".join(spare[:n_ell])
    subs = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        plain = term.replace("...", "")
        if "." in plain:
            raise RuntimeError(f"einsum(): '.' must appear as '...' in {equation!r}")
        k = len(shape) - len(plain)
        if "..." in term:
            if k < 0:
                raise RuntimeError(
                    f"einsum(): operand {i} has {len(shape)} dims (shape {tuple(shape)}), fewer "
                    f"than the {len(plain)} subscripts in {term!r}"
                )
            term = term.replace("...", ell[n_ell - k :] if k else "")
        elif k != 0:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(plain)}) does not "
                f"match the number of dimensions ({len(shape)}) for operand {i} (shape "
                f"{tuple(shape)}) and no ellipsis was given"
            )
        subs.append(term)
    sizes: dict = {}
    for i, (term, shape) in enumerate(zip(subs, shapes)):
        for ch, n in zip(term, shape):
            seen = sizes.get(ch)
            if seen is None or seen == 1:
                sizes[ch] = n
            elif n not in (1, seen):
                raise RuntimeError(
                    f"einsum(): subscript {ch} has size {n} for operand {i} (shape "
                    f"{tuple(shape)}) which does not broadcast with previously seen size {seen}"
                )
    if arrow:
        if "..." in rhs:
            rhs = rhs.replace("...", ell)
        bad = [ch for ch in rhs if ch not in sizes]
        if bad or len(set(rhs)) != len(rhs):
            raise RuntimeError(
                f"einsum(): output subscripts {rhs!r} must be distinct and appear in the inputs"
            )
    else:
        counts: dict = {}
        for term in subs:
            for ch in term:
                counts[ch] = counts.get(ch, 0) + 1
        rhs = ell + "".join(sorted(ch for ch, c in counts.items() if c == 1 and ch not in ell))
    return subs, rhs, sizes


def _letter_sizes(subs, shapes) -> dict:
    """Each letter's size: 0 if any operand has 0 there, else the largest (broadcast)."""
    sizes: dict = {}
    for term, shape in zip(subs, shapes):
        for ch, n in zip(term, shape):
            seen = sizes.get(ch, 1)
            sizes[ch] = 0 if 0 in (seen, n) else max(seen, n)
    return sizes


def _einsum_arrays(subs, rhs, arrays):
    """``numpy.einsum`` (optimize=True) after broadcasting size-1 dims explicitly."""
    sizes = _letter_sizes(subs, [a.shape for a in arrays])
    full = []
    for term, a in zip(subs, arrays):
        want = tuple(sizes[c] for c in term)
        full.append(a if a.shape == want else xp.broadcast_to(a, want))
    return xp.einsum(",".join(subs) + "->" + rhs, *full, optimize=True)


def _run(subs, rhs, operands):
    """:func:`_einsum_arrays` on arrays; the recorded :class:`Einsum` when any operand
    is a Tensor (a backward being recorded for double backward)."""
    if any(isinstance(a, Tensor) for a in operands):
        ops = [a if isinstance(a, Tensor) else new_tensor(xp.asarray(a)) for a in operands]
        return Einsum.apply(*ops, subs=tuple(subs), rhs=rhs)
    return _einsum_arrays(subs, rhs, operands)


class Einsum(Function):
    """out = einsum(subs → rhs, *operands) in explicit form (no ellipsis).

    The gradient of operand i contracts the output gradient with the other operands to
    operand i's subscripts. A subscript repeated within operand i ('ii') gets a fresh
    letter tied to the first by an identity matrix δ, so the gradient lands on the
    diagonal; a subscript summed only inside operand i is restored by a ones vector.
    Size-1 (broadcast) dims come back at full size and the engine sums them.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, *operands, subs=(), rhs=""):
        ctx.subs, ctx.rhs = subs, rhs
        ctx.sizes = _letter_sizes(subs, [a.shape for a in operands])
        if any(ctx.needs_input_grad):
            ctx.operands = operands
        return _einsum_arrays(subs, rhs, operands)

    @staticmethod
    def backward(ctx, g):
        subs, sizes = ctx.subs, ctx.sizes
        grads = []
        for i, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            terms = [ctx.rhs] + [t for j, t in enumerate(subs) if j != i]
            ops = [g] + [a for j, a in enumerate(ctx.operands) if j != i]
            taken = set("".join(subs) + ctx.rhs)
            fresh = (ch for ch in _LETTERS if ch not in taken)
            target = ""
            for ch in subs[i]:
                if ch in target:  # repeated subscript: a new letter on the diagonal
                    new = next(fresh)
                    terms.append(ch + new)
                    ops.append(xp.eye(sizes[ch], dtype=g.dtype))
                    target += new
                else:
                    target += ch
            present = set("".join(terms))
            for ch in dict.fromkeys(target):
                if ch not in present:  # summed only inside operand i
                    terms.append(ch)
                    ops.append(xp.ones(sizes[ch], dtype=g.dtype))
            grad = _run(terms, target, ops)
            want = tuple(sizes[c] for c in subs[i])
            if grad.shape != want:  # a letter seen only at size 1 outside operand i
                grad = (
                    sh.broadcast_to(grad, want)
                    if isinstance(grad, Tensor)
                    else (xp.broadcast_to(grad, want))
                )
            grads.append(grad)
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, as ``torch.einsum``: ``einsum('ij,jk->ik', a, b)`` is a @ b.

    Subscripts are letters; ``...`` stands for broadcast leading dims; without ``->``
    the output takes the subscripts that appear once, in alphabetical order (ellipsis
    dims first). A subscript repeated in one operand takes its diagonal ('ii->i'), one
    missing from the output is summed. Operands may be given as one list. All operands
    must share a dtype.

    Examples
    --------
    >>> import gradkit as gk
    >>> a = gk.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> gk.einsum("ii->i", a)
    tensor([1., 4.])
    >>> gk.einsum("ij,j->i", a, gk.tensor([1.0, -1.0]))
    tensor([-1., -1.])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError("einsum(): the sublist format is not supported; pass an equation string")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    operands = [a if isinstance(a, Tensor) else new_tensor(xp.asarray(a)) for a in operands]
    dtypes = {a.dtype for a in operands}
    if len(dtypes) > 1:
        raise RuntimeError(
            "einsum(): expected all operands to have the same dtype, got "
            f"{sorted(map(str, dtypes))}"
        )
    subs, rhs, _ = _parse(equation, [a.shape for a in operands])
    return Einsum.apply(*operands, subs=tuple(subs), rhs=rhs)


# ---------------------------------------------------------------- named products
def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first ``dims`` of ``b``, or the
    listed pairs ``dims=([a dims], [b dims])``. Result: a's free dims then b's."""
    if isinstance(dims, (int, xp.integer)) or (isinstance(dims, Tensor) and dims.ndim == 0):
        k = int(dims)
        if k < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={k}")
        if k > min(a.ndim, b.ndim):
            raise RuntimeError(
                f"tensordot: dims={k} exceeds the dims of shapes {a.shape} and {b.shape}"
            )
        da, db = list(range(a.ndim - k, a.ndim)), list(range(k))
    else:
        da, db = ([int(d) for d in xp.atleast_1d(xp.asarray(x))] for x in dims)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length, got {da} and {db}")
    da = [sh.normalize_dim(d, a.ndim) for d in da]
    db = [sh.normalize_dim(d, b.ndim) for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[x]} in dim "
                f"{x} and second has size {b.shape[y]} in dim {y} (shapes {a.shape} and "
                f"{b.shape})"
            )
    la = _LETTERS[: a.ndim]
    lb = list(_LETTERS[a.ndim : a.ndim + b.ndim])
    for x, y in zip(da, db):
        lb[y] = la[x]
    lb = "".join(lb)
    out = "".join(c for i, c in enumerate(la) if i not in da)
    out += "".join(c for i, c in enumerate(lb) if i not in db)
    a, b = _same_dtype(a, b)
    return Einsum.apply(a, b, subs=(la, lb), rhs=out)


def _same_dtype(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    dtype = sh.result_dtype([a.dtype, b.dtype])
    return (a if a.dtype == dtype else a.astype(dtype)), (
        b if b.dtype == dtype else b.astype(dtype)
    )


def _need(t: Tensor, ndim: int, op: str, name: str) -> None:
    if t.ndim != ndim:
        raise RuntimeError(
            f"{op}: Expected {ndim}-D argument {name}, but got {t.ndim}-D (shape {t.shape})"
        )


def outer(a: Tensor, b: Tensor) -> Tensor:
    """out[i, j] = a[i] · b[j] for vectors a (n,) and b (m,) → (n, m)."""
    _need(a, 1, "outer", "self")
    _need(b, 1, "outer", "vec2")
    return mul(sh.reshape(a, -1, 1), b)


ger = outer


def kron(a: Tensor, b: Tensor) -> Tensor:
    """Kronecker product: blocks a[i…] · b. Shapes are left-padded with 1s to the same
    length k; result shape (a_0·b_0, ..., a_k·b_k)."""
    k = max(a.ndim, b.ndim)
    sa = (1,) * (k - a.ndim) + a.shape
    sb = (1,) * (k - b.ndim) + b.shape
    inter_a = [n for s in sa for n in (s, 1)]
    inter_b = [n for s in sb for n in (1, s)]
    out = mul(sh.reshape(a, inter_a), sh.reshape(b, inter_b))
    return sh.reshape(out, tuple(x * y for x, y in zip(sa, sb)))


def inner(a: Tensor, b: Tensor) -> Tensor:
    """Sum over the last dims: out[i…, j…] = Σ_k a[i…, k] b[j…, k]; a 0-d operand
    multiplies instead."""
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(a.shape)} and {list(b.shape)}"
        )
    return tensordot(a, b, ([-1], [-1]))


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Σ_i a_i b_i for two 1-D tensors of the same length (a 0-d result)."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors (shapes {a.shape} "
            f"and {b.shape})"
        )
    if a.shape != b.shape:
        raise RuntimeError(
            f"inconsistent tensor size: dot of shapes {a.shape} and {b.shape} (both vectors "
            "must have the same number of elements)"
        )
    return matmul(a, b)


vdot = dot


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product of (n, k) and (k, m) → (n, m); no broadcasting (see ``matmul``)."""
    _need(a, 2, "mm", "self")
    _need(b, 2, "mm", "mat2")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product of (B, n, k) and (B, k, m) → (B, n, m); no broadcasting."""
    _need(a, 3, "bmm", "batch1")
    _need(b, 3, "bmm", "batch2")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"bmm: batch sizes differ: shapes {a.shape} and {b.shape} (bmm does not broadcast)"
        )
    return matmul(a, b)


def mv(a: Tensor, v: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,) → (n,)."""
    _need(a, 2, "mv", "self")
    _need(v, 1, "mv", "vec")
    return matmul(a, v)
