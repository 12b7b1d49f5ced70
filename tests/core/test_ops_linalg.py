"""T-AUTODIFF for products and linear algebra: einsum (any equation), the named products
(tensordot, outer, kron, inner, dot, mm, bmm, mv) and ``gradkit.linalg`` (inv, det,
slogdet, solve, cholesky, qr, eigh, svd, pinv, matrix_power, norms), each against
float64 finite differences and PyTorch (value, gradient under a random upstream gradient,
output dtype); batched inputs; errors naming the problem; double backward.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit import linalg
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->i", [(2, 3)]),
    ("ij->ji", [(2, 3)]),
    ("...ij,...jk", [(2, 2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,j->ij", [(3,), (4,)]),
    ("iij->ji", [(3, 3, 2)]),
    ("ij,ij->i", [(2, 1), (2, 4)]),
    ("i...,i...", [(2, 3, 1), (2, 1, 4)]),
    ("ab,bC", [(2, 3), (3, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("i,i,i->", [(4,), (4,), (4,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    (" i j -> j i ", [(2, 3)]),
]


@pytest.mark.parametrize("eq, shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_gradcheck_and_double_backward(eq, shapes):
    """The gradient of einsum is an einsum (repeated subscripts through an identity, a
    subscript summed inside one operand through ones), so it differentiates again."""
    xs = [gk.tensor(a) for a in random_inputs(shapes, seed=3)]
    assert gradcheck(lambda *t: gk.einsum(eq, *t), *xs)
    assert gradgradcheck(lambda *t: gk.einsum(eq, *t), *xs)


@requires_torch
@pytest.mark.parametrize("eq, shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_torch_parity(eq, shapes):
    arrays = random_inputs(shapes, seed=5)
    assert_parity(lambda *t: gk.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), arrays)
    ints = [(a * 3).astype(np.int64) for a in arrays]
    ours = gk.einsum(eq, [gk.tensor(a) for a in ints])  # the list form
    theirs = torch.einsum(eq, [torch.tensor(a) for a in ints])
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _spd(a):
    """A symmetric positive-definite matrix built from ``a`` (..., n, n)."""
    n = a.shape[-1]
    return a @ a.mT + n * (gk if isinstance(a, gk.Tensor) else torch).eye(n, dtype=a.dtype)


def _sym(a):
    return a + a.mT


# (id, gradkit fn, torch fn, input shapes, grad, double backward)
CASES = [
    ("tensordot-2", lambda a, b: gk.tensordot(a, b), lambda a, b: torch.tensordot(a, b),
     [(2, 3, 4), (3, 4, 2)], True, True),
    ("tensordot-pairs", lambda a, b: gk.tensordot(a, b, ([1, 2], [1, 0])),
     lambda a, b: torch.tensordot(a, b, ([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 2)], True, False),
    ("tensordot-0", lambda a, b: gk.tensordot(a, b, 0), lambda a, b: torch.tensordot(a, b, 0),
     [(2,), (3, 2)], True, False),
    ("outer", gk.outer, lambda a, b: torch.outer(a, b), [(3,), (4,)], True, False),
    ("ger", lambda a, b: a.ger(b), lambda a, b: a.ger(b), [(3,), (2,)], True, False),
    ("kron-2d", gk.kron, lambda a, b: torch.kron(a, b), [(2, 3), (2, 2)], True, True),
    ("kron-mixed", gk.kron, lambda a, b: torch.kron(a, b), [(2, 1, 3), (2, 2)], True, False),
    ("inner", gk.inner, lambda a, b: torch.inner(a, b), [(2, 3), (4, 3)], True, False),
    ("inner-0d", gk.inner, lambda a, b: torch.inner(a, b), [(), (2, 3)], True, False),
    ("dot", gk.dot, lambda a, b: torch.dot(a, b), [(4,), (4,)], True, False),
    ("vdot", lambda a, b: a.vdot(b), lambda a, b: a.vdot(b), [(4,), (4,)], True, False),
    ("mm", gk.mm, lambda a, b: torch.mm(a, b), [(2, 3), (3, 4)], True, False),
    ("bmm", lambda a, b: a.bmm(b), lambda a, b: a.bmm(b), [(2, 2, 3), (2, 3, 4)], True, False),
    ("mv", gk.mv, lambda a, b: torch.mv(a, b), [(2, 3), (3,)], True, False),
    ("inv", linalg.inv, lambda a: torch.linalg.inv(a), [(3, 3)], True, True),
    ("inv-batched", lambda a: a.inverse(), lambda a: a.inverse(), [(2, 3, 3)], True, False),
    ("det", linalg.det, lambda a: torch.linalg.det(a), [(3, 3)], True, True),
    ("det-batched", lambda a: a.det(), lambda a: a.det(), [(2, 2, 3, 3)], True, False),
    ("slogdet", lambda a: linalg.slogdet(a).logabsdet,
     lambda a: torch.linalg.slogdet(a).logabsdet, [(2, 3, 3)], True, True),
    ("slogdet-sign", lambda a: linalg.slogdet(a)[0] * 1.0,
     lambda a: torch.linalg.slogdet(a)[0] * 1.0, [(4, 3, 3)], False, False),
    ("logdet", lambda a: gk.logdet(_spd(a)), lambda a: torch.logdet(_spd(a)), [(3, 3)],
     True, False),
    ("solve", linalg.solve, lambda a, b: torch.linalg.solve(a, b), [(3, 3), (3, 2)], True, True),
    ("solve-vector", linalg.solve, lambda a, b: torch.linalg.solve(a, b), [(3, 3), (3,)],
     True, False),
    ("solve-batch-vectors", linalg.solve, lambda a, b: torch.linalg.solve(a, b),
     [(2, 3, 3), (2, 3)], True, False),
    ("solve-broadcast", linalg.solve, lambda a, b: torch.linalg.solve(a, b),
     [(2, 3, 3), (3, 4)], True, False),
    ("solve-right", lambda a, b: linalg.solve(a, b, left=False),
     lambda a, b: torch.linalg.solve(a, b, left=False), [(3, 3), (2, 3)], True, False),
    ("solve_triangular", lambda a, b: linalg.solve_triangular(a + 3 * gk.eye(3, dtype=a.dtype),
     b, upper=True), lambda a, b: torch.linalg.solve_triangular(a + 3 * torch.eye(3, dtype=a.dtype),
     b, upper=True), [(3, 3), (3, 2)], True, True),
    ("solve_triangular-unit-right", lambda a, b: linalg.solve_triangular(a, b, upper=False,
     left=False, unitriangular=True), lambda a, b: torch.linalg.solve_triangular(a, b,
     upper=False, left=False, unitriangular=True), [(2, 3, 3), (2, 3)], True, False),
    ("cholesky", lambda a: linalg.cholesky(_spd(a)),
     lambda a: torch.linalg.cholesky(_spd(a)), [(2, 3, 3)], True, True),
    ("cholesky-upper", lambda a: linalg.cholesky(_spd(a), upper=True),
     lambda a: torch.linalg.cholesky(_spd(a), upper=True), [(3, 3)], True, False),
    ("cholesky-lower-triangle", lambda a: linalg.cholesky(_spd(a) + gk.triu(a, 1)),
     lambda a: torch.linalg.cholesky(_spd(a) + torch.triu(a, 1)), [(3, 3)], True, False),
    ("qr-Q", lambda a: linalg.qr(a).Q, lambda a: torch.linalg.qr(a).Q, [(4, 3)], True, False),
    ("qr-R", lambda a: linalg.qr(a)[1], lambda a: torch.linalg.qr(a)[1], [(2, 4, 3)],
     True, False),
    ("qr-wide", lambda a: linalg.qr(a).Q * 2 + linalg.qr(a).R.sum(),
     lambda a: torch.linalg.qr(a).Q * 2 + torch.linalg.qr(a).R.sum(), [(3, 5)], True, False),
    ("qr-complete-square", lambda a: linalg.qr(a, "complete").R,
     lambda a: torch.linalg.qr(a, "complete").R, [(3, 3)], True, False),
    ("eigh-values", lambda a: linalg.eigh(_sym(a)).eigenvalues,
     lambda a: torch.linalg.eigh(_sym(a)).eigenvalues, [(2, 4, 4)], True, False),
    ("eigh-vectors", lambda a: linalg.eigh(_sym(a))[1] ** 2,
     lambda a: torch.linalg.eigh(_sym(a))[1] ** 2, [(4, 4)], True, False),
    ("eigh-raw", lambda a: linalg.eigh(a).eigenvalues * 1.0,
     lambda a: torch.linalg.eigh(a).eigenvalues * 1.0, [(3, 3)], True, False),
    ("eigvalsh", linalg.eigvalsh, lambda a: torch.linalg.eigvalsh(a), [(3, 3)], True, False),
    ("svd-S", lambda a: linalg.svd(a).S, lambda a: torch.linalg.svd(a).S, [(4, 3)], True, False),
    ("svd-U", lambda a: linalg.svd(a, full_matrices=False).U ** 2,
     lambda a: torch.linalg.svd(a, full_matrices=False).U ** 2, [(4, 3)], True, False),
    ("svd-Vh", lambda a: linalg.svd(a, full_matrices=False).Vh ** 2,
     lambda a: torch.linalg.svd(a, full_matrices=False).Vh ** 2, [(2, 3, 5)], True, False),
    ("svd-full", lambda a: linalg.svd(a)[0][:, :3] ** 2 * linalg.svd(a)[2].pow(2).sum(0),
     lambda a: torch.linalg.svd(a)[0][:, :3] ** 2 * torch.linalg.svd(a)[2].pow(2).sum(0),
     [(4, 3)], True, False),
    ("svdvals", linalg.svdvals, lambda a: torch.linalg.svdvals(a), [(2, 3, 4)], True, False),
    ("pinv-tall", linalg.pinv, lambda a: torch.linalg.pinv(a), [(4, 3)], True, True),
    ("pinv-wide", lambda a: a.pinverse(), lambda a: a.pinverse(), [(2, 2, 4)], True, False),
    ("matrix_power-3", lambda a: linalg.matrix_power(a, 3),
     lambda a: torch.linalg.matrix_power(a, 3), [(2, 3, 3)], True, True),
    ("matrix_power-neg", lambda a: a.matrix_power(-2), lambda a: a.matrix_power(-2),
     [(3, 3)], True, False),
    ("matrix_power-0", lambda a: gk.matrix_power(a, 0), lambda a: torch.matrix_power(a, 0),
     [(2, 3, 3)], False, False),
    ("vector_norm", linalg.vector_norm, lambda a: torch.linalg.vector_norm(a), [(3, 4)],
     True, True),
    ("vector_norm-1-dim", lambda a: linalg.vector_norm(a, 1, dim=1),
     lambda a: torch.linalg.vector_norm(a, 1, dim=1), [(3, 4)], True, False),
    ("vector_norm-inf", lambda a: linalg.vector_norm(a, math.inf, (0, 2), True),
     lambda a: torch.linalg.vector_norm(a, math.inf, (0, 2), True), [(2, 3, 4)], True, False),
    ("vector_norm-neginf", lambda a: linalg.vector_norm(a, -math.inf, -1),
     lambda a: torch.linalg.vector_norm(a, -math.inf, -1), [(3, 4)], True, False),
    ("vector_norm-0", lambda a: linalg.vector_norm(a, 0, 0),
     lambda a: torch.linalg.vector_norm(a, 0, 0), [(3, 4)], True, False),
    ("vector_norm-3", lambda a: linalg.vector_norm(a, 3, 1),
     lambda a: torch.linalg.vector_norm(a, 3, 1), [(3, 4)], True, True),
    ("vector_norm-half", lambda a: linalg.vector_norm(a, 0.5),
     lambda a: torch.linalg.vector_norm(a, 0.5), [(5,)], True, False),
    ("vector_norm-neg1", lambda a: linalg.vector_norm(a, -1, 1),
     lambda a: torch.linalg.vector_norm(a, -1, 1), [(2, 5)], True, False),
    ("matrix_norm-fro", linalg.matrix_norm, lambda a: torch.linalg.matrix_norm(a),
     [(2, 3, 4)], True, False),
    ("matrix_norm-nuc", lambda a: linalg.matrix_norm(a, "nuc"),
     lambda a: torch.linalg.matrix_norm(a, "nuc"), [(3, 4)], True, False),
    ("matrix_norm-2-keepdim", lambda a: linalg.matrix_norm(a, 2, (0, 2), True),
     lambda a: torch.linalg.matrix_norm(a, 2, (0, 2), True), [(3, 2, 4)], True, False),
    ("matrix_norm-neg2", lambda a: linalg.matrix_norm(a, -2),
     lambda a: torch.linalg.matrix_norm(a, -2), [(3, 4)], True, False),
    ("matrix_norm-1", lambda a: linalg.matrix_norm(a, 1), lambda a: torch.linalg.matrix_norm(a, 1),
     [(2, 3, 4)], True, False),
    ("matrix_norm-neg1", lambda a: linalg.matrix_norm(a, -1, keepdim=True),
     lambda a: torch.linalg.matrix_norm(a, -1, keepdim=True), [(3, 4)], True, False),
    ("matrix_norm-inf", lambda a: linalg.matrix_norm(a, math.inf, (1, 0)),
     lambda a: torch.linalg.matrix_norm(a, math.inf, (1, 0)), [(3, 4)], True, False),
    ("matrix_norm-neginf", lambda a: linalg.matrix_norm(a, -math.inf),
     lambda a: torch.linalg.matrix_norm(a, -math.inf), [(3, 4)], True, False),
    ("norm-default", linalg.norm, lambda a: torch.linalg.norm(a), [(2, 3, 4)], True, False),
    ("norm-ord-2d", lambda a: linalg.norm(a, 1), lambda a: torch.linalg.norm(a, 1), [(3, 4)],
     True, False),
    ("norm-ord-1d", lambda a: linalg.norm(a, 3), lambda a: torch.linalg.norm(a, 3), [(4,)],
     True, False),
    ("norm-dim", lambda a: linalg.norm(a, dim=1, keepdim=True),
     lambda a: torch.linalg.norm(a, dim=1, keepdim=True), [(3, 4)], True, False),
    ("norm-dims", lambda a: linalg.norm(a, "nuc", (0, 1)),
     lambda a: torch.linalg.norm(a, "nuc", (0, 1)), [(3, 4, 2)], True, False),
    ("Tensor.norm", lambda a: a.norm(), lambda a: a.norm(), [(3, 4)], True, False),
    ("Tensor.norm-p-dim", lambda a: a.norm(1, dim=0), lambda a: a.norm(1, dim=0), [(3, 4)],
     True, False),
    ("Tensor.norm-fro-dims", lambda a: a.norm(p="fro", dim=(0, 1)),
     lambda a: a.norm(p="fro", dim=(0, 1)), [(3, 4, 2)], True, False),
    ("Tensor.norm-p-dims", lambda a: a.norm(p=3, dim=(0, 1)), lambda a: a.norm(p=3, dim=(0, 1)),
     [(3, 4, 2)], True, False),
    ("torch.norm-nuc", lambda a: gk.norm(a, "nuc"), lambda a: torch.norm(a, "nuc"), [(3, 4)],
     True, False),
    ("linalg.diagonal", lambda a: linalg.diagonal(a, offset=1),
     lambda a: torch.linalg.diagonal(a, offset=1), [(2, 3, 4)], True, False),
    ("vecdot", lambda a, b: linalg.vecdot(a, b, dim=0),
     lambda a, b: torch.linalg.vecdot(a, b, dim=0), [(3, 4), (3, 1)], True, False),
    ("multi_dot", lambda a, b, c: linalg.multi_dot([a, b, c]),
     lambda a, b, c: torch.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4,)], True, False),
]  # fmt: skip
IDS = [c[0] for c in CASES]
#: ops that read only the lower triangle of a non-symmetric input: their gradient is the
#: symmetric one PyTorch returns, which finite differences of one triangle cannot see
ONE_TRIANGLE = {"cholesky-lower-triangle", "eigh-raw", "eigvalsh"}


@pytest.mark.parametrize("name, gk_fn, torch_fn, shapes, grad, double", CASES, ids=IDS)
def test_linalg_gradcheck(name, gk_fn, torch_fn, shapes, grad, double):
    """T-AUTODIFF: the adjoint formulas against float64 central differences, and
    double backward where the backward is written with differentiable ops."""
    if not grad:
        pytest.skip("piecewise-constant output: no gradient to check")
    if name in ONE_TRIANGLE:
        pytest.skip("reads one triangle; the gradient is PyTorch's symmetric one (parity)")
    xs = [gk.tensor(a) for a in random_inputs(shapes, seed=3)]
    assert gradcheck(gk_fn, *xs, atol=1e-6, rtol=1e-4)
    if double:
        assert gradgradcheck(gk_fn, *xs, atol=1e-6, rtol=1e-4)


@requires_torch
@pytest.mark.parametrize("name, gk_fn, torch_fn, shapes, grad, double", CASES, ids=IDS)
def test_linalg_torch_parity(name, gk_fn, torch_fn, shapes, grad, double):
    """Value and gradients equal PyTorch's in float64; float32 in gives float32 out."""
    arrays = random_inputs(shapes, seed=5)
    assert_parity(gk_fn, torch_fn, arrays, grad=grad)
    ins = [a.astype(np.float32) for a in arrays]
    ours = gk_fn(*[gk.tensor(a) for a in ins])
    theirs = torch_fn(*[torch.tensor(a) for a in ins])
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-4, atol=2e-5)


@requires_torch
@pytest.mark.parametrize("op", ["mm", "outer", "kron", "tensordot", "inner", "dot"])
def test_integer_products_stay_integer(op):
    a = np.arange(6).reshape(2, 3) if op in ("mm", "kron", "tensordot", "inner") else np.arange(3)
    b = a.T.copy() if op in ("mm",) else a
    if op == "tensordot":
        fn = lambda m, x, y: m.tensordot(x, y, 1)  # noqa: E731
        b = a.T.copy()
    else:
        fn = lambda m, x, y: getattr(m, op)(x, y)  # noqa: E731
    ours = fn(gk, gk.tensor(a), gk.tensor(b))
    theirs = fn(torch, torch.tensor(a), torch.tensor(b))
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@requires_torch
def test_det_gradient_at_a_singular_matrix_is_torchs():
    """At an exactly singular matrix PyTorch's det gradient is 0; so is ours."""
    for m in ([[1.0, 2.0], [2.0, 4.0]], [[0.0, 0, 0], [0, 1, 0], [0, 0, 2]]):
        assert_parity(linalg.det, lambda a: torch.linalg.det(a), [np.array(m)])
    batch = np.stack([np.eye(2), [[1.0, 2.0], [2.0, 4.0]]])
    assert_parity(linalg.det, lambda a: torch.linalg.det(a), [batch])


def test_vector_norm_at_zero_has_zero_gradient():
    """The 2-norm's subgradient at 0 is 0 (not NaN), as in PyTorch; p < 1 too."""
    for p in (2, 3, 0.5, -1):
        x = gk.zeros(3, dtype=np.float64, requires_grad=True)
        linalg.vector_norm(x, p).backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))
    x = gk.tensor([1.0, 0.0, -3.0], requires_grad=True)
    linalg.vector_norm(x, 0.5).backward()
    assert np.isfinite(x.grad.numpy()).all() and x.grad.numpy()[1] == 0


@pytest.mark.parametrize(
    "fn, error, message",
    [
        (lambda: linalg.inv(gk.zeros(2, 3, 3)), linalg.LinAlgError,
         r"Batch element 0.*singular.*\(2, 3, 3\)"),
        (lambda: linalg.inv(gk.zeros(3, 4)), RuntimeError, "square matrices.*3 by 4"),
        (lambda: linalg.inv(gk.zeros(3)), RuntimeError, "at least 2 dimensions"),
        (lambda: linalg.det(gk.tensor(np.eye(2, dtype=np.int64))), RuntimeError,
         "floating point"),
        (lambda: linalg.solve(gk.zeros(3, 3), gk.ones(3)), linalg.LinAlgError, "singular"),
        (lambda: linalg.solve(gk.eye(3), gk.ones(2, 3)), RuntimeError, "Incompatible shapes"),
        (lambda: linalg.cholesky(-gk.eye(2)), linalg.LinAlgError, "not positive-definite"),
        (lambda: linalg.qr(gk.eye(2), mode="x"), RuntimeError, "unrecognized mode"),
        (lambda: linalg.vector_norm(gk.zeros(3), "fro"), TypeError, "must be a number"),
        (lambda: linalg.matrix_norm(gk.zeros(3, 3), 3), RuntimeError, "Order 3 not supported"),
        (lambda: linalg.norm(gk.zeros(2, 2, 2), 2), RuntimeError, "must be 1D or 2D"),
        (lambda: linalg.vector_norm(gk.zeros(0), math.inf), RuntimeError, "empty tensor"),
        (lambda: gk.einsum("ij,jk", gk.zeros(2, 3), gk.zeros(4, 4)), RuntimeError,
         "subscript j has size 4"),
        (lambda: gk.einsum("ij", gk.zeros(4)), RuntimeError, "number of subscripts"),
        (lambda: gk.einsum("ij,jk", gk.zeros(2, 3), gk.zeros(3, 2, dtype=np.float64)),
         RuntimeError, "same dtype"),
        (lambda: gk.einsum("i->ii", gk.zeros(2)), RuntimeError, "must be distinct"),
        (lambda: gk.mm(gk.zeros(2), gk.zeros(2, 2)), RuntimeError, "Expected 2-D"),
        (lambda: gk.bmm(gk.zeros(2, 2, 2), gk.zeros(3, 2, 2)), RuntimeError, "batch sizes"),
        (lambda: gk.dot(gk.zeros(2), gk.zeros(3)), RuntimeError, "inconsistent tensor size"),
        (lambda: gk.tensordot(gk.zeros(2, 3), gk.zeros(2, 3), 1), RuntimeError,
         "contracted dimensions need to match"),
        (lambda: gk.outer(gk.zeros(2, 2), gk.zeros(2)), RuntimeError, "Expected 1-D"),
    ],
    ids=["inv-singular", "inv-nonsquare", "inv-1d", "det-int", "solve-singular",
         "solve-shapes", "cholesky-not-pd", "qr-mode", "vector_norm-str", "matrix_norm-ord",
         "norm-3d", "norm-empty-inf", "einsum-size", "einsum-ndim", "einsum-dtype",
         "einsum-repeat-out", "mm-1d", "bmm-batch", "dot-length", "tensordot-sizes",
         "outer-2d"],
)  # fmt: skip
def test_errors_name_the_problem(fn, error, message):
    with pytest.raises(error, match=message):
        fn()


def test_linalg_error_is_a_runtime_error():
    """PyTorch programs catch ``RuntimeError`` (torch.linalg.LinAlgError subclasses it)."""
    assert issubclass(linalg.LinAlgError, RuntimeError)


@pytest.mark.parametrize(
    "fn",
    [lambda a: linalg.qr(a).Q, lambda a: linalg.eigh(a).eigenvalues, linalg.svdvals],
    ids=["qr", "eigh", "svdvals"],
)
def test_decompositions_refuse_double_backward_clearly(fn):
    a = gk.tensor(random_inputs([(3, 3)])[0], requires_grad=True)
    with pytest.raises(RuntimeError, match="does not support double backward"):
        gk.autograd.grad((fn(a) ** 2).sum(), [a], create_graph=True)


def test_gk_linalg_namespace():
    import gradkit.linalg as namespace

    assert gk.linalg is namespace is linalg
    assert gk.det is linalg.det and gk.inverse is linalg.inv
    assert callable(gk.norm) and gk.norm(gk.tensor([3.0, 4.0])).item() == 5.0


def test_matrix_rank():
    a = gk.tensor(np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]]))
    assert linalg.matrix_rank(a).item() == 2
    assert linalg.matrix_rank(gk.zeros(2, 3, 3)).tolist() == [0, 0]


# Inner size 1 (a batch-1 weight gradient, Linear(1, n), a one-output head) takes the
# BLAS route of backend.matmul2d; its values and gradients must not change.
INNER_ONE = [
    ("matmul (3,1)@(1,4)", lambda a, b: a @ b, [(3, 1), (1, 4)]),
    ("matmul (1,3)@(3,4)", lambda a, b: a @ b, [(1, 3), (3, 4)]),
    ("matmul (4,3)@(3,1)", lambda a, b: a @ b, [(4, 3), (3, 1)]),
    ("matmul vec@(1,4)", lambda a, b: a @ b, [(1,), (1, 4)]),
    ("linear batch 1", lambda x, w, b: gk.nn.functional.linear(x, w, b), [(1, 5), (3, 5), (3,)]),
    ("linear in 1", lambda x, w, b: gk.nn.functional.linear(x, w, b), [(4, 1), (3, 1), (3,)]),
    ("linear out 1", lambda x, w, b: gk.nn.functional.linear(x, w, b), [(4, 5), (1, 5), (1,)]),
]


@requires_torch
@pytest.mark.parametrize("name, fn, shapes", INNER_ONE, ids=[c[0] for c in INNER_ONE])
def test_inner_size_one_products_match_pytorch(name, fn, shapes):
    """T-AUTODIFF: products whose inner size is 1 agree with PyTorch in value and grads."""
    tfn = fn if "linear" not in name else torch.nn.functional.linear
    assert_parity(fn, tfn, random_inputs(shapes, seed=3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inner_size_one_linear_grad_is_outer_product(dtype):
    """T-AUTODIFF: for one sample, ∂L/∂W = g xᵀ exactly (closed form), in the input dtype."""
    rng = np.random.default_rng(0)
    x = gk.tensor(rng.standard_normal((1, 7)).astype(dtype))
    w = gk.tensor(rng.standard_normal((4, 7)).astype(dtype), requires_grad=True)
    g = rng.standard_normal((1, 4)).astype(dtype)
    gk.nn.functional.linear(x, w).backward(gk.tensor(g))
    assert w.grad.dtype == w.dtype
    np.testing.assert_array_equal(w.grad.numpy(), np.outer(g[0], x.numpy()[0]).astype(dtype))
