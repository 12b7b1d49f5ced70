"""T-TENSOR, T-AUTODIFF: ``ops/products.py`` against PyTorch where its option tests were
silent (issue 24): the named products (outer/ger, mm, bmm, mv) refuse operands of the wrong
rank naming the op and the argument; bmm and tensordot at their shape boundaries;
tensordot promotes mixed dtypes in either order; einsum with an ellipsis next to early
letters, an upper-case letter summed inside one operand, float32 gradients (the identity
and ones factors of the backward) and second derivatives through a size-1 letter."""

import numpy as np
import pytest

import gradkit as gk
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "op, shapes, message",
    [
        ("outer", [(2, 2), (2,)], "outer: Expected 1-D argument self, but got 2-D"),
        ("outer", [(2,), (2, 2)], "outer: Expected 1-D argument vec2, but got 2-D"),
        ("ger", [(), (2,)], "outer: Expected 1-D argument self, but got 0-D"),
        ("mm", [(2,), (2, 2)], "mm: Expected 2-D argument self, but got 1-D"),
        ("mm", [(2, 2), (2, 2, 2)], "mm: Expected 2-D argument mat2, but got 3-D"),
        ("bmm", [(2, 2), (2, 2, 2)], "bmm: Expected 3-D argument batch1, but got 2-D"),
        ("bmm", [(2, 2, 2), (2, 2)], "bmm: Expected 3-D argument batch2, but got 2-D"),
        ("mv", [(2,), (2,)], "mv: Expected 2-D argument self, but got 1-D"),
        ("mv", [(2, 2), (2, 2)], "mv: Expected 1-D argument vec, but got 2-D"),
    ],
)
def test_products_refuse_wrong_ranks_naming_the_argument(op, shapes, message):
    with pytest.raises(RuntimeError):  # PyTorch refuses them too (in its own words)
        getattr(torch, op)(*[torch.ones(s) for s in shapes])
    with pytest.raises(RuntimeError, match="^" + message.replace("(", r"\(")):
        getattr(gk, op)(*[gk.ones(s) for s in shapes])


def test_bmm_refuses_different_batch_sizes():
    with pytest.raises(RuntimeError):
        torch.bmm(torch.ones(2, 2, 3), torch.ones(3, 3, 2))
    with pytest.raises(RuntimeError, match=r"^bmm: batch sizes differ"):
        gk.bmm(gk.ones(2, 2, 3), gk.ones(3, 3, 2))


@pytest.mark.parametrize(
    "da, db, want",
    [
        (np.float32, np.float64, np.float64),
        (np.float64, np.float32, np.float64),
        (np.int64, np.float32, np.float32),
        (np.float32, np.int64, np.float32),
        (np.int64, np.int64, np.int64),
    ],
)
def test_tensordot_promotes_either_operand_like_torch_promotion(da, db, want):
    """PyTorch's tensordot wants one dtype; gradkit promotes with PyTorch's rules and
    matches tensordot of the operands cast by hand. Gradients keep each input's dtype."""
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2, 3)).astype(da), rng.normal(size=(3, 4)).astype(db)
    if da == np.int64:
        a = np.arange(6).reshape(2, 3)
    if db == np.int64:
        b = np.arange(12).reshape(3, 4)
    ours = gk.tensordot(gk.tensor(a), gk.tensor(b), dims=1)
    theirs = torch.tensordot(
        torch.tensor(a).to(getattr(torch, np.dtype(want).name)),
        torch.tensor(b).to(getattr(torch, np.dtype(want).name)),
        dims=1,
    )
    assert ours.dtype == want
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    if want != np.int64:
        xs = [gk.tensor(v, requires_grad=v.dtype.kind == "f") for v in (a, b)]
        gk.tensordot(*xs, dims=1).backward(gk.ones(2, 4, dtype=want))
        for x, v in zip(xs, (a, b)):
            if v.dtype.kind == "f":
                assert x.grad.dtype == v.dtype


def test_bmm_and_tensordot_shape_boundaries_match_torch():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 5))
    assert_parity_order2(gk.bmm, torch.bmm, [a, b], order2=False)
    for sa, sb, dims in [((2, 3), (2, 3), 2), ((3,), (3,), 1), ((2, 3), (3, 2), 0)]:
        x, y = rng.normal(size=sa), rng.normal(size=sb)
        assert_parity_order2(
            lambda p, q, d=dims: gk.tensordot(p, q, d),
            lambda p, q, d=dims: torch.tensordot(p, q, d),
            [x, y],
            order2=False,
        )
    with pytest.raises(RuntimeError, match="exceeds"):
        gk.tensordot(gk.ones(2, 3), gk.ones(2, 3), 3)


@pytest.mark.parametrize(
    "eq, shapes",
    [
        ("a...,a...->...", [(3, 2), (3, 2)]),  # the ellipsis letters must avoid 'a'
        ("ab...,b...->a...", [(2, 3, 4), (3, 4)]),
        ("iX,i->i", [(2, 3), (2,)]),  # 'X' summed only inside the first operand
        ("Xi,Xj->ij", [(2, 3), (2, 4)]),
    ],
)
def test_einsum_letters_and_ellipsis_match_torch(eq, shapes):
    rng = np.random.default_rng(6)
    arrays = [rng.normal(size=s) for s in shapes]
    assert_parity_order2(lambda *t: gk.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), arrays)


@pytest.mark.parametrize(
    "eq, shapes",
    [("ii->i", [(3, 3)]), ("ij->j", [(3, 4)]), ("ii", [(3, 3)]), ("ij,jk->ik", [(2, 3), (3, 4)])],
)
def test_einsum_float32_gradients_stay_float32(eq, shapes):
    """The identity (repeated letter) and ones (letter summed inside one operand) factors
    of the backward are built in the gradient's dtype, as PyTorch's gradients are."""
    rng = np.random.default_rng(8)
    xs = [gk.tensor(rng.normal(size=s).astype(np.float32), requires_grad=True) for s in shapes]
    ys = [x * 1 for x in xs]
    seen = []
    for y in ys:
        y.register_hook(lambda g: seen.append(str(g.dtype)))
    out = gk.einsum(eq, *ys)
    out.backward(gk.ones(out.shape, dtype=gk.float32))
    assert seen == ["float32"] * len(xs)
    assert all(x.grad.dtype == np.float32 for x in xs)


@pytest.mark.parametrize(
    "eq, shapes",
    [("ij,j->i", [(2, 3), (1,)]), ("ij,jk->ik", [(2, 1), (3, 4)]), ("i,i->i", [(3,), (1,)])],
)
def test_einsum_second_order_through_size_one_letters_matches_torch(eq, shapes):
    """A letter of size 1 in one operand broadcasts against the other; the gradient of the
    full-size operand is broadcast back, on Tensors when create_graph is on."""
    rng = np.random.default_rng(9)
    arrays = [rng.normal(size=s) for s in shapes]
    assert_parity_order2(lambda *t: gk.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), arrays)
