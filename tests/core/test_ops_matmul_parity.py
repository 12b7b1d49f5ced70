"""T-TENSOR, T-AUTODIFF: ``matmul`` (``ops/linalg.py``) against PyTorch for every
combination of operand ranks (1-D promoted on either side, batches broadcast, a shared
2-D right operand folded into one GEMM), with either operand constant, float32 and
integer dtypes, second derivatives, ``@`` from the right, and the errors (issue 24)."""

import numpy as np
import pytest

import gradkit as gk
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(5)

SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 5, 3), (3,)),
    ((2, 5, 3), (3, 4)),
    ((5, 3), (2, 3, 4)),
    ((2, 1, 5, 3), (4, 3, 2)),
    ((2, 5, 3), (2, 3, 4)),
    ((1, 3), (2, 3, 4)),
    ((2, 1, 3), (3, 4)),
    ((4, 3), (3, 1)),
    ((2, 1, 3), (2, 3, 1)),
]


@pytest.mark.parametrize("frozen", [(), (0,), (1,)], ids=["both", "b-only", "a-only"])
@pytest.mark.parametrize(
    "sa, sb", SHAPES, ids=["x".join(map(str, a)) + "@" + "x".join(map(str, b)) for a, b in SHAPES]
)
def test_matmul_every_rank_combination_matches_torch(sa, sb, frozen):
    a, b = RNG.normal(size=sa), RNG.normal(size=sb)
    assert_parity_order2(gk.matmul, torch.matmul, [a, b], frozen=frozen, rtol=1e-10,
                         atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("sa, sb", [((2, 3), (3, 4)), ((2, 5, 3), (3, 4)), ((3,), (3, 2))])
def test_matmul_float32_stays_float32(sa, sb):
    a, b = RNG.normal(size=sa).astype(np.float32), RNG.normal(size=sb).astype(np.float32)
    assert_parity_order2(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], rtol=1e-5, atol=1e-5)


def test_matmul_of_integers_and_of_plain_arrays():
    a, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    ours = gk.matmul(gk.tensor(a), gk.tensor(b))
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.numpy(), torch.tensor(a) @ torch.tensor(b))
    # a NumPy operand on either side of ``@`` is lifted
    x = gk.tensor(b.astype(float), requires_grad=True)
    y = a.astype(float) @ x
    np.testing.assert_array_equal(y.detach().numpy(), a @ b)
    w = RNG.normal(size=(2, 4))
    y.backward(gk.tensor(w))
    np.testing.assert_allclose(x.grad.numpy(), a.T @ w)
    np.testing.assert_array_equal(gk.matmul(a.astype(float), b.astype(float)).numpy(), a @ b)


@pytest.mark.parametrize(
    "sa, sb, match",
    [((), (3,), "at least 1D"), ((3,), (), "at least 1D"), ((2, 3), (4, 2), "cannot be multiplied"),
     ((3,), (4,), "cannot be multiplied"), ((2, 2, 3), (3, 3, 4), "not broadcastable")],
)  # fmt: skip
def test_matmul_errors_name_both_shapes_like_torch(sa, sb, match):
    a, b = gk.tensor(np.ones(sa)), gk.tensor(np.ones(sb))
    with pytest.raises(RuntimeError):
        torch.matmul(torch.ones(sa), torch.ones(sb))
    with pytest.raises(RuntimeError, match=match):
        gk.matmul(a, b)


def test_numpy_left_operands_and_lists_use_rmatmul():
    """``list @ Tensor`` reaches Tensor.__rmatmul__ (PyTorch refuses a list there; gradkit
    lifts it, as ``numpy.matmul`` would)."""
    b = np.arange(12.0).reshape(3, 4)
    x = gk.tensor(b, requires_grad=True)
    y = [[1.0, 2.0, 3.0]] @ x
    np.testing.assert_array_equal(y.detach().numpy(), np.array([[1.0, 2.0, 3.0]]) @ b)
    y.backward(gk.ones(1, 4, dtype=gk.float64))
    np.testing.assert_array_equal(x.grad.numpy(), np.array([[1.0], [2.0], [3.0]]) @ np.ones((1, 4)))
