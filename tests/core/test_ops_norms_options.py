"""T-TENSOR, T-AUTODIFF: vector and matrix norms (``ops/norms.py``, ``ops/pnorm.py``)
against PyTorch (issue 24): every ``ord``, ``dim`` as an int, a tuple or negative,
``keepdim``, ``dtype=``, 0-d inputs, zero vectors and ∞-norm ties (PyTorch's
subgradients), second derivatives, ``linalg.norm``/``Tensor.norm`` dispatch, and the
errors PyTorch raises."""

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit import linalg
from gradkit.ops import pnorm
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(3)

# rows: generic, a zero row, ∞-norm ties (|−2| = |2|), a row with zeros
X = np.array(
    [[1.0, -2.0, 2.0, 0.5], [0.0, 0.0, 0.0, 0.0], [-3.0, 3.0, 1.0, -3.0], [0.0, 1.5, -0.7, 0.0]]
)
ORDS = [2, 1, math.inf, -math.inf, 0, 3, 0.5, -1, 1.5]


@pytest.mark.parametrize("ord", ORDS, ids=str)
@pytest.mark.parametrize("dim, keepdim", [(-1, True), ((0, 1), False), (None, True), (0, False)])
def test_vector_norm_values_gradients_second_order_match_torch(ord, dim, keepdim):
    """First order on zero rows and ties (PyTorch's subgradients); second order where the
    norm is smooth (PyTorch's Hessian is nan at a zero vector, gradkit's 0)."""
    x = X[[0, 2]] if ord in (0.5, -1) else X  # p < 1: the gradient is infinite at x_i = 0
    assert_parity_order2(
        lambda t: linalg.vector_norm(t, ord, dim=dim, keepdim=keepdim),
        lambda t: torch.linalg.vector_norm(t, ord, dim=dim, keepdim=keepdim),
        [x],
        order2=False,
    )
    smooth = RNG.uniform(0.5, 2.0, size=(3, 4)) * np.sign(RNG.normal(size=(3, 4)))
    assert_parity_order2(
        lambda t: linalg.vector_norm(t, ord, dim=dim, keepdim=keepdim),
        lambda t: torch.linalg.vector_norm(t, ord, dim=dim, keepdim=keepdim),
        [smooth],
        rtol=1e-9,
        atol=1e-11,
    )


@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_pnorm_vector_norm_matches_torch(ord):
    """``ops.pnorm.vector_norm`` (behind ``F.normalize`` and the distances): same values
    and gradients, ``dim``/``keepdim`` honoured."""
    x = X[[0, 2]] if ord in (0.5, -1) else X
    for dim, keepdim in [(1, False), (0, True), (None, False), ((0, 1), True)]:
        assert_parity_order2(
            lambda t, d=dim, k=keepdim: pnorm.vector_norm(t, ord, d, k),
            lambda t, d=dim, k=keepdim: torch.linalg.vector_norm(t, ord, d, k),
            [x],
            order2=False,
        )


def test_pnorm_vector_norm_dtype_and_errors():
    x = np.array([[3, 4], [0, 1]])
    out = pnorm.vector_norm(gk.tensor(x), dim=1, dtype=gk.float64)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), [5.0, 1.0])
    with pytest.raises(TypeError, match="floating-point"):
        pnorm.vector_norm(gk.tensor(x))
    with pytest.raises(ValueError, match="-inf norm of an empty"):
        pnorm.vector_norm(gk.tensor(np.ones((0, 2))), -math.inf, 0)
    # an empty axis elsewhere is fine
    np.testing.assert_array_equal(
        pnorm.vector_norm(gk.tensor(np.ones((0, 2))), -math.inf, 1).shape, (0,)
    )


def test_vector_norm_default_is_two_over_everything_and_zero_d_input():
    y = linalg.vector_norm(gk.tensor(X))
    np.testing.assert_allclose(y.numpy(), torch.linalg.vector_norm(torch.tensor(X)).numpy())
    assert y.shape == ()
    for ord in (2, 1, math.inf, 0, 3):
        ours = linalg.vector_norm(gk.tensor(-2.5), ord)
        theirs = torch.linalg.vector_norm(torch.tensor(-2.5, dtype=torch.float64), ord)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())
        assert ours.shape == ()


def test_vector_norm_dtype_option_matches_torch():
    """``dtype=`` computes in that dtype (PyTorch wants a float input for it; gradkit also
    takes an integer one, checked against the closed form)."""
    x = np.array([[1.0, -2.0, 2.0], [0.5, 3.0, 4.0]], dtype=np.float32)
    for fn, tfn in [
        (lambda t: linalg.vector_norm(t, 3, dim=1, dtype=gk.float64),
         lambda t: torch.linalg.vector_norm(t, 3, dim=1, dtype=torch.float64)),
        (lambda t: linalg.norm(t, dim=1, dtype=gk.float64),
         lambda t: torch.linalg.norm(t, dim=1, dtype=torch.float64)),
        (lambda t: linalg.norm(t, 1, dtype=gk.float64),
         lambda t: torch.linalg.norm(t, 1, dtype=torch.float64)),
        (lambda t: gk.norm(t, 3, dim=1, dtype=gk.float64),
         lambda t: torch.norm(t, 3, dim=1, dtype=torch.float64)),
        (lambda t: t.norm(dtype=gk.float64), lambda t: t.norm(dtype=torch.float64)),
        (lambda t: linalg.matrix_norm(t, 1, dtype=gk.float64),
         lambda t: torch.linalg.matrix_norm(t, 1, dtype=torch.float64)),
    ]:  # fmt: skip
        ours, theirs = fn(gk.tensor(x)), tfn(torch.tensor(x))
        assert ours.dtype == np.float64 and theirs.dtype == torch.float64
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15)
    ours = linalg.vector_norm(gk.tensor(np.array([[3, 4], [0, 1]])), dim=1, dtype=gk.float64)
    assert ours.dtype == np.float64
    np.testing.assert_array_equal(ours.numpy(), [5.0, 1.0])


def test_vector_norm_errors_match_torch():
    with pytest.raises(RuntimeError, match="floating point"):
        linalg.vector_norm(gk.tensor(np.array([1, 2])))
    with pytest.raises(TypeError, match="'ord' must be a number"):
        linalg.vector_norm(gk.tensor(X), "fro")
    with pytest.raises(TypeError, match="'ord' must be a number"):
        linalg.vector_norm(gk.tensor(X), True)
    for ord in (math.inf, -math.inf):
        with pytest.raises(RuntimeError, match="empty tensor"):
            linalg.vector_norm(gk.tensor(np.ones((0, 3))), ord, dim=0)
    # reducing only the non-empty axis is fine, as in PyTorch
    ours = linalg.vector_norm(gk.tensor(np.ones((0, 3))), math.inf, dim=1)
    assert ours.shape == (0,)
    ours = linalg.vector_norm(gk.tensor(np.ones((0, 3))), 2, dim=0)
    np.testing.assert_array_equal(ours.numpy(), [0.0, 0.0, 0.0])


MATRIX_ORDS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
@pytest.mark.parametrize("dim, keepdim", [((-2, -1), False), ((0, 2), True), ((2, 0), False),
                                          ((-1, 1), True)])  # fmt: skip
def test_matrix_norm_every_ord_dim_keepdim_matches_torch(ord, dim, keepdim):
    a = RNG.normal(size=(3, 4, 5))
    assert_parity_order2(
        lambda x: linalg.matrix_norm(x, ord, dim, keepdim),
        lambda x: torch.linalg.matrix_norm(x, ord, dim, keepdim),
        [a],
        order2=ord == "fro",
        rtol=1e-8,
        atol=1e-10,
    )


def test_matrix_norm_dtype_and_errors_match_torch():
    a = np.arange(6).reshape(2, 3)
    x = gk.tensor(np.ones((2, 3, 4)))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        linalg.matrix_norm(gk.tensor(np.ones(3)))
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        linalg.matrix_norm(x, dim=(0, 1, 2))
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        linalg.matrix_norm(x, dim=1)
    with pytest.raises(RuntimeError, match="dims must be different"):
        linalg.matrix_norm(x, dim=(1, -2))
    with pytest.raises(RuntimeError, match="Order 3 not supported"):
        linalg.matrix_norm(x, 3)
    with pytest.raises(RuntimeError, match="floating point"):
        linalg.matrix_norm(gk.tensor(a))


@pytest.mark.parametrize(
    "kw",
    [{}, {"ord": 1}, {"ord": math.inf}, {"ord": "fro"}, {"ord": "nuc"}, {"ord": -2},
     {"dim": 1}, {"dim": -1, "ord": 3}, {"dim": (1,), "ord": 0}, {"dim": (0, 1)},
     {"dim": (1, 0), "ord": 1}, {"dim": np.int64(0)}, {"keepdim": True},
     {"ord": 2, "keepdim": True}, {"dim": (0, 1), "ord": "nuc", "keepdim": True}],
    ids=str,
)  # fmt: skip
def test_linalg_norm_dispatch_matches_torch_on_matrices(kw):
    a = RNG.normal(size=(3, 4))
    tkw = {k: (int(v) if isinstance(v, np.integer) else v) for k, v in kw.items()}
    assert_parity_order2(
        lambda x: linalg.norm(x, **kw),
        lambda x: torch.linalg.norm(x, **tkw),
        [a],
        order2=False,
        rtol=1e-8,
        atol=1e-10,
    )


@pytest.mark.parametrize("kw", [{}, {"ord": 1}, {"ord": 3}, {"ord": math.inf}, {"ord": 0}],
                         ids=str)  # fmt: skip
def test_linalg_norm_of_vectors_and_3d_match_torch(kw):
    v = RNG.normal(size=5)
    assert_parity_order2(lambda x: linalg.norm(x, **kw), lambda x: torch.linalg.norm(x, **kw),
                         [v], order2=False)  # fmt: skip
    t = RNG.normal(size=(2, 3, 4))
    if not kw:
        assert_parity_order2(linalg.norm, torch.linalg.norm, [t], order2=False)
    else:
        with pytest.raises(RuntimeError, match="must be 1D or 2D"):
            linalg.norm(gk.tensor(t), **kw)


@pytest.mark.parametrize(
    "args, kw",
    [((), {}), (("fro",), {}), (("fro",), {"dim": (0, 2)}), (("fro",), {"dim": 1}),
     (("nuc",), {"dim": (0, 2)}), ((3,), {"dim": 1}), ((1,), {}), ((None,), {"dim": 2}),
     ((math.inf,), {"dim": (0, 1), "keepdim": True}), ((0.5,), {"dim": -1}),
     ((2,), {"keepdim": True})],
    ids=str,
)  # fmt: skip
def test_tensor_norm_matches_torch_norm(args, kw):
    a = RNG.normal(size=(3, 4, 2))
    assert_parity_order2(lambda x: x.norm(*args, **kw), lambda x: x.norm(*args, **kw), [a],
                         order2=False, rtol=1e-8, atol=1e-10)  # fmt: skip
    assert_parity_order2(lambda x: gk.norm(x, *args, **kw), lambda x: torch.norm(x, *args, **kw),
                         [a], order2=False, rtol=1e-8, atol=1e-10)  # fmt: skip


def test_tensor_norm_nuc_and_errors():
    m = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(
        gk.tensor(m).norm("nuc").numpy(), torch.tensor(m).norm("nuc").numpy(), rtol=1e-12
    )
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        gk.tensor(RNG.normal(size=(2, 3, 4))).norm("nuc")
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        gk.tensor(RNG.normal(size=(2, 3, 4))).norm("fro", dim=(0, 1, 2))
    y = gk.tensor(np.array([[3, 4]])).norm(dtype=gk.float64)
    np.testing.assert_allclose(y.numpy(), 5.0)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, t: m.linalg.vector_norm(t, 3, dim=1, dtype=m.float32),
        lambda m, t: m.linalg.matrix_norm(t.float(), "nuc", dtype=m.float64),
        lambda m, t: m.linalg.norm(t, dtype=m.float64),
        lambda m, t: m.linalg.norm(t, "fro", dim=(0, 1), dtype=m.float64),
        lambda m, t: m.linalg.norm(t, 1, dtype=m.float64),
        lambda m, t: m.linalg.norm(t[0], 3, keepdim=True, dtype=m.float64),
        lambda m, t: m.linalg.norm(t[0], keepdim=True),
        lambda m, t: t.float().norm("nuc", dtype=m.float64),
        lambda m, t: t.float().norm("nuc", keepdim=True),
        lambda m, t: t.norm("fro", dim=1, keepdim=True),
        lambda m, t: t.norm(dim=(0, 1), keepdim=True),
    ],
)
def test_dtype_and_keepdim_reach_every_path_like_torch(fn):
    """``dtype=`` and ``keepdim=`` through linalg.norm's and Tensor.norm's dispatch (a
    half input widened to float32 or float64; float32 for the nuclear norm, which PyTorch
    refuses in half precision)."""
    x = RNG.normal(size=(2, 3)).astype(np.float16)
    ours, theirs = fn(gk, gk.tensor(x)), fn(torch, torch.tensor(x))
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.shape == tuple(theirs.shape)
    # a half result is compared to one half-precision step (both accumulate in float32)
    rtol = 1e-3 if ours.dtype == np.float16 else 1e-6
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol)


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf], ids=str)
def test_matrix_norm_keeps_size_one_batch_dims_like_torch(ord):
    a = RNG.normal(size=(1, 3, 4, 1))
    for dim in [(1, 2), (-3, -2)]:
        ours = linalg.matrix_norm(gk.tensor(a), ord, dim)
        theirs = torch.linalg.matrix_norm(torch.tensor(a), ord, dim)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)


def test_norm_errors_name_the_op():
    with pytest.raises(RuntimeError, match=r"^linalg.vector_norm: Expected a floating point"):
        linalg.vector_norm(gk.tensor(np.array([1, 2])))
    with pytest.raises(TypeError, match=r"^linalg.vector_norm\(\): argument 'ord'"):
        linalg.vector_norm(gk.tensor(X), "fro")
    with pytest.raises(RuntimeError, match=r"^linalg.matrix_norm: Expected a floating point"):
        linalg.matrix_norm(gk.tensor(np.ones((2, 2), dtype=np.int64)))
    with pytest.raises(RuntimeError, match=r"^linalg.matrix_norm: dim must be a 2-tuple"):
        linalg.matrix_norm(gk.tensor(np.ones((2, 3, 4))), dim=(0, 1, 2))


@pytest.mark.parametrize("ord", ["nuc", 2, -2], ids=str)
def test_singular_value_norms_refuse_half_precision_like_torch(ord):
    x = np.ones((2, 3), dtype=np.float16)
    with pytest.raises(RuntimeError, match="Low precision dtypes not supported. Got Half"):
        torch.linalg.matrix_norm(torch.tensor(x), ord)
    with pytest.raises(RuntimeError, match=r"^linalg.matrix_norm: Low precision dtypes not"):
        linalg.matrix_norm(gk.tensor(x), ord)
    with pytest.raises(RuntimeError, match=r"^linalg.matrix_norm: Low precision dtypes not"):
        gk.tensor(x).norm("nuc")
    # 'fro' and the column/row sums work in half precision, as in PyTorch
    for o in ("fro", 1, -math.inf):
        ours = linalg.matrix_norm(gk.tensor(x), o)
        theirs = torch.linalg.matrix_norm(torch.tensor(x), o)
        assert ours.dtype == np.float16
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-3)


@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_float32_norms_and_their_gradients_stay_float32(ord):
    """Value and gradient (as a hook on a float32 intermediate sees it) in float32, as
    PyTorch keeps them, for every ord (the count of p = 0 and the tie shares of ±∞)."""
    x = gk.tensor(X[[0, 2]].astype(np.float32), requires_grad=True)
    for fn in (pnorm.vector_norm, linalg.vector_norm):
        xs = x * 1
        seen = []
        xs.register_hook(lambda g, s=seen: s.append(str(g.dtype)))
        y = fn(xs, ord, 1)
        assert y.dtype == np.float32
        y.backward(gk.ones(2, dtype=gk.float32))
        assert seen == ["float32"]


def test_pnorm_inf_norm_of_an_empty_axis_is_zero():
    """max |x| over no elements: 0, the identity of the ∞-norm (``ops.pnorm`` is
    lenient here; ``linalg.vector_norm`` refuses as PyTorch does)."""
    out = pnorm.vector_norm(gk.tensor(np.ones((0, 3))), math.inf, 0)
    np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("ord", [2, 3, 1, math.inf, 0.5, 0], ids=str)
def test_half_norms_accumulate_in_float32_like_torch(ord):
    """300² overflows float16: PyTorch sums half inputs in float32, and so does gradkit
    (values and gradients), instead of returning inf."""
    x = np.array([[300.0, -400.0, 0.5], [1.0, 2.0, -2.0]], dtype=np.float16)
    for fn, tfn in [
        (lambda t: linalg.vector_norm(t, ord, 1), lambda t: torch.linalg.vector_norm(t, ord, 1)),
        (lambda t: pnorm.vector_norm(t, ord, 1), lambda t: torch.linalg.vector_norm(t, ord, 1)),
    ]:
        ours = gk.tensor(x, requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        y, u = fn(ours), tfn(theirs)
        assert y.dtype == np.float16 and np.isfinite(y.detach().numpy()).all()
        np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-3)
        v = np.array([1.0, -0.5], dtype=np.float16)
        y.backward(gk.tensor(v))
        u.backward(torch.tensor(v))
        assert ours.grad.dtype == np.float16 and np.isfinite(ours.grad.numpy()).all()
        want = np.zeros(x.shape) if theirs.grad is None else theirs.grad.numpy()
        ok = np.isfinite(want)  # PyTorch's own p = 3 backward overflows half (nan)
        np.testing.assert_allclose(ours.grad.numpy()[ok], want[ok], rtol=2e-3, atol=1e-4)


def test_half_norm_gradients_stay_half():
    """The float32 working precision of a half norm stays inside: the gradient reaching a
    half intermediate (a hook) is half, as in PyTorch."""
    x = gk.tensor(np.array([[300.0, -400.0], [1.0, 2.0]], dtype=np.float16), requires_grad=True)
    for ord in (2, 3, math.inf):
        xs = x * 1
        seen = []
        xs.register_hook(lambda g, s=seen: s.append(str(g.dtype)))
        linalg.vector_norm(xs, ord, 1).backward(gk.ones(2, dtype=gk.float16))
        assert seen == ["float16"]
