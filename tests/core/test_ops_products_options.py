"""Tensor products (issue 24; T-AUTODIFF): einsum (explicit and implicit outputs,
ellipsis, repeated subscripts, size-1 broadcasting, list operands, spaces), tensordot
(int, list and 0-d tensor dims, negative dims), outer/ger, kron, inner, dot/vdot, mm, bmm,
mv, against PyTorch in float64: values, gradients and second derivatives."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")
TOL = dict(rtol=1e-11, atol=1e-12)
RNG = np.random.default_rng(0)


def check(fn, tfn, *arrays, second=True):
    xs = [gk.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, u = fn(*xs), tfn(*ts)
    assert tuple(y.shape) == tuple(u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **TOL)
    w = np.asarray(RNG.normal(size=tuple(u.shape)))
    xs2 = [gk.tensor(a, requires_grad=True) for a in arrays]
    fn(*xs2).backward(gk.tensor(w))
    gt = torch.autograd.grad(u, ts, torch.tensor(w), create_graph=True)
    for a, b in zip(xs2, gt):
        np.testing.assert_allclose(a.grad.numpy(), b.detach().numpy(), **TOL)
    if not second or len(arrays) < 2:
        return
    gs = gk.autograd.grad(y, xs, gk.tensor(w), create_graph=True)
    vs = [RNG.normal(size=a.shape) for a in arrays]
    s = sum((g * gk.tensor(v)).sum() for g, v in zip(gs, vs))
    st = sum((g * torch.tensor(v)).sum() for g, v in zip(gt, vs))
    h = gk.autograd.grad(s, xs, allow_unused=True, materialize_grads=True)
    ht = torch.autograd.grad(st, ts, allow_unused=True, materialize_grads=True)
    for a, b in zip(h, ht):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)


def r(*shape):
    return RNG.normal(size=shape)


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),  # implicit output: letters seen once, sorted
    ("ba,ac", [(2, 3), (3, 4)]),  # implicit output sorted: 'bc'
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),  # trace
    ("iij->j", [(3, 3, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 4)]),
    ("...ij,jk->...ik", [(5, 2, 3), (3, 4)]),
    ("b...i,bi->b...", [(2, 3, 4), (2, 4)]),
    ("...,...->...", [(2, 3), (3,)]),
    ("bij,bjk->bik", [(1, 2, 3), (4, 3, 2)]),  # size-1 batch broadcast
    ("ij,ij->ij", [(1, 3), (2, 1)]),
    ("ij -> ji", [(2, 3)]),  # spaces
    ("ijk->", [(2, 3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("i...,i...->...", [(3,), (3, 2)]),
]


@pytest.mark.parametrize("eq, shapes", EINSUM)
def test_einsum_matches_torch(eq, shapes):
    arrays = [r(*s) for s in shapes]
    check(lambda *xs: gk.einsum(eq, *xs), lambda *ts: torch.einsum(eq, *ts), *arrays)


def test_einsum_operands_as_one_list_match_torch():
    a, b = r(2, 3), r(3, 4)
    check(
        lambda x, y: gk.einsum("ij,jk->ik", [x, y]),
        lambda x, y: torch.einsum("ij,jk->ik", [x, y]),
        a,
        b,
    )


def test_einsum_of_plain_arrays_and_a_constant_operand():
    a, b = r(2, 3), r(3, 4)
    y = gk.einsum("ij,jk->ik", a, b)
    np.testing.assert_allclose(y.numpy(), a @ b, **TOL)
    x = gk.tensor(a, requires_grad=True)
    gk.einsum("ij,jk->ik", x, gk.tensor(b)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((2, 4)) @ b.T, **TOL)


def test_einsum_size_one_letter_only_outside_the_operand():
    # 'j' has size 1 in b only: a's gradient comes back at a's full size
    a, b = r(2, 3), r(1, 4)
    check(
        lambda x, y: gk.einsum("ij,jk->ik", x, y),
        lambda x, y: torch.einsum("ij,jk->ik", x, y),
        a,
        r(3, 4),
    )
    check(
        lambda x, y: gk.einsum("ij,kj->ik", x, y),
        lambda x, y: torch.einsum("ij,kj->ik", x, y),
        a,
        r(4, 1),
    )
    check(
        lambda x, y: gk.einsum("ij,jk->ijk", x, y),
        lambda x, y: torch.einsum("ij,jk->ijk", x, y),
        r(2, 1),
        b,
    )


def test_einsum_zero_sized_letter():
    a, b = np.zeros((2, 0)), np.zeros((0, 3))
    y = gk.einsum("ij,jk->ik", gk.tensor(a), gk.tensor(b))
    assert y.shape == (2, 3) and not y.numpy().any()


@pytest.mark.parametrize(
    "eq, shapes, match",
    [
        ("ij,jk->ik", [(2, 3)], "operands"),
        ("ij->ik", [(2, 3)], "output subscripts"),
        ("ij->ii", [(2, 2)], "output subscripts"),
        ("ij,jk->ik", [(2, 3), (4, 5)], "subscript j"),
        ("ijk->i", [(2, 3)], "number of subscripts"),
        ("...ijk->i", [(2, 3)], "fewer"),
        ("i.j->i", [(2, 3)], "'...'"),
        ("i1->i", [(2, 3)], "invalid subscript"),
    ],
)
def test_einsum_errors(eq, shapes, match):
    with pytest.raises(RuntimeError, match=match):
        gk.einsum(eq, *[gk.tensor(r(*s)) for s in shapes])


def test_einsum_needs_same_dtype_and_operands():
    with pytest.raises(RuntimeError, match="same dtype"):
        gk.einsum("i,i->", gk.tensor([1.0, 2.0]), gk.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="at least one operand"):
        gk.einsum("i->i")
    with pytest.raises(TypeError, match="sublist"):
        gk.einsum(gk.tensor([1.0]), [0])


@pytest.mark.parametrize(
    "sa, sb, dims",
    [
        ((2, 3, 4), (3, 4, 5), 2),
        ((2, 3), (3, 4), 1),
        ((2, 3), (4, 5), 0),
        ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
        ((2, 3, 4), (4, 5), ([-1], [0])),
        ((2, 3, 4), (5, 3), ([1], [-1])),
        ((3, 4), (4, 3), ([0, 1], [1, 0])),
    ],
)
def test_tensordot_dims_match_torch(sa, sb, dims):
    check(
        lambda x, y: gk.tensordot(x, y, dims=dims),
        lambda x, y: torch.tensordot(x, y, dims=dims),
        r(*sa),
        r(*sb),
    )


def test_tensordot_single_ints_as_dim_lists():
    # NumPy's spelling dims=(1, 0); PyTorch wants ([1], [0])
    check(
        lambda x, y: gk.tensordot(x, y, (1, 0)),
        lambda x, y: torch.tensordot(x, y, ([1], [0])),
        r(2, 3),
        r(3, 2),
    )


def test_tensordot_default_and_tensor_dims_match_torch():
    a, b = r(2, 3, 4), r(3, 4, 2)
    check(lambda x, y: gk.tensordot(x, y), lambda x, y: torch.tensordot(x, y), a, b)
    check(
        lambda x, y: gk.tensordot(x, y, gk.tensor(1)),
        lambda x, y: torch.tensordot(x, y, torch.tensor(1)),
        r(2, 3),
        r(3, 2),
    )
    check(
        lambda x, y: gk.tensordot(x, y, np.int64(1)),
        lambda x, y: torch.tensordot(x, y, 1),
        r(2, 3),
        r(3, 2),
    )


def test_tensordot_promotes_mixed_dtypes_like_torch():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6).reshape(3, 2)
    y = gk.tensordot(gk.tensor(a, dtype=gk.float32), gk.tensor(b), dims=1)
    u = torch.tensordot(
        torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32), dims=1
    )
    assert y.dtype == gk.float32
    np.testing.assert_allclose(y.numpy(), u.numpy())


@pytest.mark.parametrize(
    "sa, sb, dims, match",
    [
        ((2, 3), (3, 2), -1, "dims >= 0"),
        ((2, 3), (3, 2), 3, "exceeds"),
        ((2, 3), (3, 2), ([0, 1], [0]), "same length"),
        ((2, 3), (4, 2), ([1], [0]), "contracted dimensions"),
    ],
)
def test_tensordot_errors(sa, sb, dims, match):
    with pytest.raises(RuntimeError, match=match):
        gk.tensordot(gk.tensor(r(*sa)), gk.tensor(r(*sb)), dims=dims)


@pytest.mark.parametrize("name", ["outer", "ger"])
def test_outer_matches_torch(name):
    check(lambda x, y: getattr(gk, name)(x, y), lambda x, y: torch.outer(x, y), r(3), r(4))
    with pytest.raises(RuntimeError, match="1-D"):
        getattr(gk, name)(gk.tensor(r(2, 2)), gk.tensor(r(3)))
    with pytest.raises(RuntimeError, match="1-D"):
        getattr(gk, name)(gk.tensor(r(3)), gk.tensor(r(2, 2)))


@pytest.mark.parametrize(
    "sa, sb", [((2, 3), (4, 5)), ((2,), (3, 2)), ((2, 2, 1), (3,)), ((3,), (2,))]
)
def test_kron_matches_torch(sa, sb):
    check(gk.kron, torch.kron, r(*sa), r(*sb))


@pytest.mark.parametrize(
    "sa, sb", [((3,), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (3,)), ((), (2, 3)), ((2, 3), ())]
)
def test_inner_matches_torch(sa, sb):
    check(gk.inner, torch.inner, np.asarray(r(*sa)), np.asarray(r(*sb)))


def test_inner_needs_matching_last_dims():
    with pytest.raises(RuntimeError, match="last dimension"):
        gk.inner(gk.tensor(r(2, 3)), gk.tensor(r(2, 4)))


@pytest.mark.parametrize("name", ["dot", "vdot"])
def test_dot_matches_torch(name):
    check(getattr(gk, name), getattr(torch, name), r(5), r(5))
    with pytest.raises(RuntimeError, match="1D"):
        getattr(gk, name)(gk.tensor(r(2, 2)), gk.tensor(r(4)))
    with pytest.raises(RuntimeError, match="same number"):
        getattr(gk, name)(gk.tensor(r(3)), gk.tensor(r(4)))


def test_mm_bmm_mv_match_torch():
    check(gk.mm, torch.mm, r(2, 3), r(3, 4))
    check(gk.bmm, torch.bmm, r(2, 2, 3), r(2, 3, 4))
    check(gk.mv, torch.mv, r(2, 3), r(3))
    for fn, args, match in [
        (gk.mm, (r(2, 3, 1), r(3, 4)), "2-D argument self"),
        (
            gk.mm,
            (
                r(2, 3),
                r(
                    3,
                ),
            ),
            "2-D argument mat2",
        ),
        (gk.bmm, (r(2, 3), r(2, 3, 4)), "3-D argument batch1"),
        (gk.bmm, (r(2, 2, 3), r(3, 4)), "3-D argument batch2"),
        (gk.bmm, (r(2, 2, 3), r(3, 3, 4)), "batch sizes"),
        (
            gk.mv,
            (
                r(
                    3,
                ),
                r(3),
            ),
            "2-D argument self",
        ),
        (gk.mv, (r(2, 3), r(3, 1)), "1-D argument vec"),
    ]:
        with pytest.raises(RuntimeError, match=match):
            fn(*(gk.tensor(a) for a in args))
