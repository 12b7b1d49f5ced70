"""NumPy functions on tensors (concept T-TENSOR): the keyword options the interop table
maps (``keepdims``, ``axes``, ``axis``), ``np.split``'s default axis and unequal
division, functions without a gradkit counterpart (refused when a nested tensor needs
grad, run on the arrays otherwise), and ``out=`` with two outputs — against NumPy and
PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops import interop

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _fresh_tables():
    """Rebuild the interop tables in each test (they are built once and cached), so a
    fault in building them shows here too."""
    interop._UFUNCS = interop._FUNCTIONS = None
    yield


A = np.random.default_rng(61).standard_normal((2, 3, 4))


@pytest.mark.parametrize(
    "np_fn, torch_fn",
    [
        (
            lambda x: np.std(x, axis=1, keepdims=True),
            lambda t: t.std(1, correction=0, keepdim=True),
        ),
        (
            lambda x: np.var(x, axis=2, keepdims=True),
            lambda t: t.var(2, correction=0, keepdim=True),
        ),
        (lambda x: np.transpose(x, (0, 2, 1)), lambda t: t.permute(0, 2, 1)),
        (lambda x: np.squeeze(x[:1, :, None], axis=2), lambda t: t[:1, :, None].squeeze(2)),
        (
            lambda x: np.stack([x, np.ones((2, 3, 4))], axis=1),
            lambda t: torch.stack([t, torch.ones(2, 3, 4, dtype=t.dtype)], 1),
        ),
    ],
)
def test_t_tensor_numpy_function_options_record_the_graph(np_fn, torch_fn):
    x, t = gk.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    y, u = np_fn(x), torch_fn(t)
    assert isinstance(y, gk.Tensor) and y.shape == tuple(u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-13)
    w = np.random.default_rng(1).standard_normal(y.shape)
    (y * gk.tensor(w)).sum().backward()
    (u * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-13)


def test_t_tensor_numpy_split_default_axis_and_unequal_division():
    a = A.reshape(6, 4)
    parts = np.split(gk.tensor(a), 3)
    want = np.split(a, 3)
    assert [p.shape for p in parts] == [q.shape for q in want]
    for p, q in zip(parts, want):
        np.testing.assert_array_equal(p.numpy(), q)
    with pytest.raises(ValueError):
        np.split(a, 4)
    with pytest.raises((ValueError, RuntimeError)):
        np.split(gk.tensor(a), 4)


def test_t_tensor_where_needs_both_values_or_neither():
    c = gk.tensor(A > 0)
    with pytest.raises((ValueError, TypeError)):
        np.where(A > 0, A)
    with pytest.raises((ValueError, TypeError, AttributeError)):
        np.where(c, gk.tensor(A))
    with pytest.raises((ValueError, TypeError, AttributeError)):
        np.where(c, None, gk.tensor(A))


def test_t_tensor_functions_without_counterpart():
    """Refused when a tensor needing grad sits in a list argument; run on the plain
    arrays otherwise (the result is NumPy's)."""
    x = gk.tensor(A[0], requires_grad=True)
    with pytest.raises(TypeError, match="numpy.vstack on a tensor that requires grad"):
        np.vstack([gk.tensor(A[1]), x])
    out = np.vstack([gk.tensor(A[0]), gk.tensor(A[1])])
    np.testing.assert_array_equal(np.asarray(out), np.vstack([A[0], A[1]]))
    out = np.vstack((gk.tensor(A[0]), A[1]))
    np.testing.assert_array_equal(np.asarray(out), np.vstack([A[0], A[1]]))


def test_t_tensor_ufunc_with_two_outputs_into_tensors():
    a, b = gk.tensor(A * 5), gk.tensor(np.abs(A) + 1)
    q, r = gk.tensor(np.zeros(A.shape)), gk.tensor(np.zeros(A.shape))
    res = np.divmod(a, b, out=(q, r))
    assert isinstance(res, tuple) and res[0] is q and res[1] is r
    want = np.divmod(A * 5, np.abs(A) + 1)
    np.testing.assert_allclose(q.numpy(), want[0])
    np.testing.assert_allclose(r.numpy(), want[1])
