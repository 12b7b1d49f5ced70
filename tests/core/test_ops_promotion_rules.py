"""PyTorch's type promotion for the operands of binary ops (concept T-TENSOR): Python and
NumPy scalars take the tensor's category, 0-d tensors only lift the category, integer
scalars wrap into narrow integer dtypes, and gradients come back in each input's own
dtype (T-AUTODIFF). Result dtypes and values against PyTorch.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


def _t(lib, spec):
    """A tensor from (values, dtype name), or the scalar itself."""
    if isinstance(spec, tuple):
        values, dtype = spec
        return lib.tensor(np.asarray(values, dtype=dtype), dtype=getattr(lib, dtype))
    return spec


PAIRS = [
    (([1.5, -2.0], "float32"), 2.0),
    (([1.5, -2.0], "float32"), 3),
    (([1.5, -2.0], "float32"), True),
    (([1.5, -2.0], "float32"), np.float64(0.5)),
    (([1.5, -2.0], "float32"), np.int64(2)),
    (([3, -2], "int64"), 2.5),
    (([3, -2], "int64"), 2),
    (([3, -2], "int32"), 2),
    (([3, -2], "int32"), np.int64(3)),
    (([3, 2], "int8"), 300),
    (([True, False], "bool"), 2),
    (([True, False], "bool"), 1.5),
    (([1.5, -2.0], "float32"), (2.0, "float64")),  # a 0-d tensor keeps the category
    (([1.5, -2.0], "float32"), ([2.0, 3.0], "float64")),
    (([3, -2], "int64"), (2.5, "float64")),
    (([3, 2], "int32"), ([1, 4], "int64")),
    (([3, 2], "uint8"), ([1, -4], "int8")),
    (([1.5, -2.0], "float64"), ([1, 4], "int32")),
]


CASES = [
    pytest.param(op, left, right, id=f"{op.__name__}-{i}-{'ab' if k == 0 else 'ba'}")
    for op in OPS
    for i, (a, b) in enumerate(PAIRS)
    for k, (left, right) in enumerate(((a, b), (b, a)))
]


@pytest.mark.parametrize("op, left, right", CASES)
def test_t_tensor_binary_op_promotion_matches_torch(op, left, right):
    """Both orders (a scalar on the left runs the reflected operator); where PyTorch
    refuses (bool subtraction), so does gradkit."""
    try:
        want = op(_t(torch, left), _t(torch, right))
    except RuntimeError:
        with pytest.raises((RuntimeError, TypeError, ValueError, OverflowError)):
            op(_t(gk, left), _t(gk, right))
        return
    got = op(_t(gk, left), _t(gk, right))
    assert str(got.dtype) == str(want.dtype)[6:], (left, right)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_t_autodiff_mixed_dtype_gradients_come_back_in_each_dtype():
    """T-AUTODIFF: float32 op float64 records a cast; each gradient has its input's dtype,
    also at second order."""
    a, b = np.array([1.5, -2.0, 0.5]), np.array([0.25, 3.0, -1.0])
    res = {}
    for lib in (gk, torch):
        x = lib.tensor(a.astype(np.float32), requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        z = x * y + y
        assert str(z.dtype).endswith("float64")
        (gx,) = lib.autograd.grad((z * z).sum(), [x], create_graph=True)
        assert str(gx.dtype).endswith("float32")
        gx.sum().backward()
        res[lib] = (z.detach().numpy(), gx.detach().numpy(), x.grad.numpy(), y.grad.numpy())
        assert str(x.grad.dtype).endswith("float32") and str(y.grad.dtype).endswith("float64")
    for p, q in zip(res[gk], res[torch]):
        assert p.dtype == q.dtype
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_t_tensor_integer_inputs_of_float_ops_give_the_default_float():
    for lib in (gk, torch):
        i = lib.tensor([1, 2])
        assert str(i.exp().dtype).endswith("float32")
        assert str((i / 2).dtype).endswith("float32")
    gk.set_default_dtype(gk.float64)
    try:
        assert gk.tensor([1, 2]).exp().dtype == np.float64
    finally:
        gk.set_default_dtype(gk.float32)


def test_t_tensor_constant_operand_of_a_grad_tensor():
    """A constant operand needs no gradient: the cast is not recorded for it."""
    x = gk.tensor([1.0, 2.0], dtype=gk.float32, requires_grad=True)
    c = gk.tensor([3.0, 4.0], dtype=gk.float64)
    (x * c).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 4.0]
    assert c.grad is None


def test_t_tensor_scalar_against_a_0d_tensor_keeps_the_tensor_dtype():
    """A Python scalar is weaker than a 0-d tensor of its category: 0-d int32 + 5 stays
    int32 (a 0-d int64 tensor would make it int64)."""
    for lib in (gk, torch):
        for left, right in (
            (lib.tensor(3, dtype=lib.int32), 5),
            (5, lib.tensor(3, dtype=lib.int32)),
        ):
            out = left + right
            assert str(out.dtype).split(".")[-1] == "int32" and out.item() == 8
        out = lib.tensor(3, dtype=lib.int32) * 2.5
        assert str(out.dtype).split(".")[-1] == "float32"


def test_t_tensor_numpy_array_operand_on_the_left():
    """ndarray (int32) op tensor (float32) promotes like two tensors: float32."""
    a = np.array([1, 2], dtype=np.int32)
    got = a + gk.tensor([0.5, 1.5])
    want = torch.tensor(a) + torch.tensor([0.5, 1.5])
    assert got.dtype == np.float32 and got.tolist() == want.tolist()


def test_t_autodiff_cast_of_a_half_tensor_that_requires_grad():
    """T-AUTODIFF: float16 (requires grad) * float32 records a cast to float32; the
    gradient comes back as float16 (PyTorch)."""
    res = []
    for lib in (gk, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float16, requires_grad=True)
        z = x * lib.tensor([3.0, 4.5])
        assert str(z.dtype).split(".")[-1] == "float32"
        (z * z).sum().backward()
        assert str(x.grad.dtype).split(".")[-1] == "float16"
        res.append(x.grad.numpy().tolist())
    assert res[0] == res[1]
