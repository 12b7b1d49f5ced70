"""NumPy interop (issue 24; T-GRAPH, T-AUTODIFF): every NumPy ufunc and function that
gradkit maps to one of its ops, applied to a tensor, gives the value NumPy gives on the
array and the gradient PyTorch gives for the same op; unmapped ones run on plain arrays
or refuse a tensor that requires grad.

The dispatch tables are built on first use and cached; each test clears the cache so the
tables are built again as in a fresh process."""

import numpy as np
import pytest

import gradkit as gk
from gradkit.ops import interop

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)
A = RNG.uniform(0.5, 2.0, size=(2, 3))
B = RNG.uniform(0.5, 2.0, size=(2, 3))


@pytest.fixture(autouse=True)
def fresh_tables(monkeypatch):
    monkeypatch.setattr(interop, "_UFUNCS", None)
    monkeypatch.setattr(interop, "_FUNCTIONS", None)


def check(np_fn, torch_fn, *arrays, grads=True, tol=1e-12):
    xs = [gk.tensor(a, requires_grad=grads) for a in arrays]
    y = np_fn(*xs)
    assert isinstance(y, gk.Tensor)
    np.testing.assert_allclose(
        np.asarray(y.detach().numpy(), float), np.asarray(np_fn(*arrays), float), rtol=tol
    )
    if not grads:
        return
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    u = torch_fn(*ts)
    w = RNG.normal(size=tuple(u.shape))
    y.backward(gk.tensor(w))
    u.backward(torch.tensor(w))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=1e-14)


BINARY = [
    (np.add, torch.add), (np.subtract, torch.sub), (np.multiply, torch.mul),
    (np.true_divide, torch.div), (np.power, torch.pow), (np.float_power, torch.pow),
    (np.maximum, torch.maximum), (np.minimum, torch.minimum),
    (np.remainder, torch.remainder),
]  # fmt: skip
UNARY = [
    (np.negative, torch.neg), (np.positive, lambda t: t), (np.exp, torch.exp),
    (np.log, torch.log), (np.log1p, torch.log1p), (np.sqrt, torch.sqrt),
    (np.absolute, torch.abs), (np.sin, torch.sin), (np.cos, torch.cos),
    (np.tanh, torch.tanh), (np.square, torch.square), (np.reciprocal, torch.reciprocal),
    (np.sign, torch.sign), (np.floor, torch.floor), (np.ceil, torch.ceil),
]  # fmt: skip


@pytest.mark.parametrize("np_fn, torch_fn", BINARY, ids=lambda f: getattr(f, "__name__", ""))
def test_binary_ufuncs_record_the_graph(np_fn, torch_fn):
    check(np_fn, torch_fn, A, B)
    # an ndarray on the left reaches the tensor's __array_ufunc__ too
    x = gk.tensor(B, requires_grad=True)
    y = np_fn(A, x)
    assert isinstance(y, gk.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.detach().numpy(), np_fn(A, B), rtol=1e-12)


@pytest.mark.parametrize("np_fn, torch_fn", UNARY, ids=lambda f: getattr(f, "__name__", ""))
def test_unary_ufuncs_record_the_graph(np_fn, torch_fn):
    check(np_fn, torch_fn, A if np_fn in (np.log, np.log1p, np.sqrt) else A - 1.2)


def test_floor_divide_and_matmul_ufuncs():
    check(np.floor_divide, torch.floor_divide, A * 5, B, grads=False)
    check(np.matmul, torch.matmul, A, B.T)


@pytest.mark.parametrize(
    "np_fn, torch_fn",
    [(np.equal, torch.eq), (np.not_equal, torch.ne), (np.less, torch.lt),
     (np.less_equal, torch.le), (np.greater, torch.gt), (np.greater_equal, torch.ge)],
)  # fmt: skip
def test_comparison_ufuncs_give_bool_tensors(np_fn, torch_fn):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    y = np_fn(gk.tensor(a), gk.tensor(b))
    assert y.dtype == gk.bool
    np.testing.assert_array_equal(y.numpy(), torch_fn(torch.tensor(a), torch.tensor(b)).numpy())


def test_unmapped_ufuncs_run_on_arrays_or_refuse_a_graph():
    x = gk.tensor(A)
    y = np.arctan(x)
    assert isinstance(y, gk.Tensor)
    np.testing.assert_allclose(y.numpy(), np.arctan(A))
    assert isinstance(np.add.reduce(x, axis=0), gk.Tensor)
    np.testing.assert_allclose(np.add.reduce(x, axis=0).numpy(), A.sum(0))
    with pytest.raises(TypeError, match="arctan"):
        np.arctan(gk.tensor(A, requires_grad=True))
    with pytest.raises(TypeError, match="reduce"):
        np.add.reduce(gk.tensor(A, requires_grad=True))
    out = gk.tensor(np.zeros((2, 3)))
    r = np.add(x, x, out=(out,))
    assert r is out
    np.testing.assert_allclose(out.numpy(), 2 * A)
    with pytest.raises(TypeError, match="requires grad"):
        np.add(x, x, out=(gk.tensor(np.zeros((2, 3)), requires_grad=True),))
    q, rem = np.divmod(gk.tensor(A * 5), gk.tensor(B))
    np.testing.assert_allclose(q.numpy(), np.divmod(A * 5, B)[0])
    np.testing.assert_allclose(rem.numpy(), np.divmod(A * 5, B)[1])


@pytest.mark.parametrize(
    "np_fn, torch_fn",
    [
        (lambda x: np.sum(x), torch.sum),
        (lambda x: np.sum(x, axis=1, keepdims=True), lambda t: torch.sum(t, 1, keepdim=True)),
        (lambda x: np.mean(x, axis=0), lambda t: torch.mean(t, 0)),
        (lambda x: np.max(x, axis=1), lambda t: torch.amax(t, 1)),
        (lambda x: np.amax(x), torch.amax),
        (lambda x: np.min(x, axis=0), lambda t: torch.amin(t, 0)),
        (lambda x: np.amin(x, axis=1), lambda t: torch.amin(t, 1)),
        (lambda x: np.var(x, axis=1), lambda t: torch.var(t, 1, correction=0)),
        (
            lambda x: np.var(x, axis=1, ddof=1, keepdims=True),
            lambda t: torch.var(t, 1, correction=1, keepdim=True),
        ),
        (lambda x: np.std(x), lambda t: torch.std(t, correction=0)),
        (lambda x: np.std(x, axis=0, ddof=1), lambda t: torch.std(t, 0, correction=1)),
        (lambda x: np.reshape(x, (3, 2)), lambda t: torch.reshape(t, (3, 2))),
        (lambda x: np.transpose(x), lambda t: t.T),
        (lambda x: np.transpose(x, (1, 0)), lambda t: t.permute(1, 0)),
        (lambda x: np.swapaxes(x, 0, 1), lambda t: torch.swapaxes(t, 0, 1)),
        (lambda x: np.moveaxis(x, 0, 1), lambda t: torch.movedim(t, 0, 1)),
        (lambda x: np.broadcast_to(x, (4, 2, 3)), lambda t: torch.broadcast_to(t, (4, 2, 3))),
        (lambda x: np.expand_dims(x, 1), lambda t: torch.unsqueeze(t, 1)),
        (lambda x: np.squeeze(np.expand_dims(x, 0)), lambda t: t),
        (lambda x: np.squeeze(np.expand_dims(x, 2), axis=2), lambda t: t),
        (lambda x: np.clip(x, 0.8, 1.5), lambda t: torch.clip(t, 0.8, 1.5)),
        (lambda x: np.clip(x, 0.8, None), lambda t: torch.clip(t, min=0.8)),
        (lambda x: np.where(x > 1.0, x, 0.0), lambda t: torch.where(t > 1.0, t, 0.0)),
        (lambda x: np.concatenate([x, x], axis=1), lambda t: torch.cat([t, t], 1)),
        (
            lambda x: np.concatenate([x, np.ones((1, 3))]),
            lambda t: torch.cat([t, torch.ones(1, 3, dtype=t.dtype)]),
        ),
        (lambda x: np.stack([x, x]), lambda t: torch.stack([t, t])),
        (lambda x: np.stack([x, x], axis=2), lambda t: torch.stack([t, t], 2)),
        (lambda x: np.dot(x, np.ones(3)), lambda t: t @ torch.ones(3, dtype=t.dtype)),
        (lambda x: np.matmul(x, x.T), lambda t: t @ t.T),
    ],
)
def test_numpy_functions_record_the_graph(np_fn, torch_fn):
    check(np_fn, torch_fn, A)


def test_numpy_split_records_the_graph():
    a = RNG.normal(size=(6, 2))
    for sections, axis in [(3, 0), ([1, 4], 0), (2, 1)]:
        x, t = gk.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        parts = np.split(x, sections, axis=axis)
        want = np.split(a, sections, axis=axis)
        assert len(parts) == len(want)
        for p, q in zip(parts, want):
            np.testing.assert_allclose(p.detach().numpy(), q)
        sum((p * (i + 1)).sum() for i, p in enumerate(parts)).backward()
        idx = np.cumsum([q.shape[axis] for q in want])[:-1]
        sum(
            (p * (i + 1)).sum() for i, p in enumerate(torch.tensor_split(t, list(idx), dim=axis))
        ).backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


def test_numpy_creation_and_shape_functions():
    x = gk.tensor(A.astype(np.float32))
    for fn, want in [(np.zeros_like, np.zeros), (np.ones_like, np.ones)]:
        y = fn(x)
        assert isinstance(y, gk.Tensor) and y.dtype == gk.float32 and y.shape == (2, 3)
        np.testing.assert_array_equal(y.numpy(), want((2, 3)))
        assert fn(x, dtype=np.float64).dtype == gk.float64
    y = np.full_like(x, 2.5)
    assert y.dtype == gk.float32
    np.testing.assert_array_equal(y.numpy(), np.full((2, 3), 2.5))
    assert np.full_like(x, 2, dtype=np.int64).dtype == gk.int64
    assert np.shape(x) == (2, 3) and np.ndim(x) == 2
    assert np.size(x) == 6 and np.size(x, 1) == 3
    assert np.result_type(x, np.float64) == np.float64
    assert np.result_type(x) == np.float32
    i, j = np.where(gk.tensor([[True, False], [False, True]]))
    np.testing.assert_array_equal(i.numpy(), [0, 1])
    np.testing.assert_array_equal(j.numpy(), [0, 1])


def test_numpy_functions_on_a_plain_first_argument_lift_it():
    # np.where/concatenate take arrays first; the other mapped functions lift an array
    y = np.clip(A, gk.tensor(0.8), 1.5)
    assert isinstance(y, gk.Tensor)
    np.testing.assert_allclose(y.numpy(), np.clip(A, 0.8, 1.5))


def test_unmapped_numpy_functions_run_on_arrays_or_refuse_a_graph():
    y = np.cumsum(gk.tensor(A), axis=1)
    np.testing.assert_allclose(np.asarray(y), np.cumsum(A, axis=1))
    with pytest.raises(TypeError, match="cumsum"):
        np.cumsum(gk.tensor(A, requires_grad=True))
    with pytest.raises(TypeError, match="requires grad"):
        np.linalg.norm(gk.tensor(A, requires_grad=True))
    with pytest.raises(TypeError, match="requires grad"):
        np.cumsum(A, out=gk.tensor(np.zeros_like(A), requires_grad=True))
