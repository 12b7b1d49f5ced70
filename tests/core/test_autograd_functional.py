"""T-AUTODIFF, O-NEWTON: ``gk.autograd.functional`` (jacobian, hessian, vjp, jvp, vhp,
hvp) against ``torch.autograd.functional`` on the same float64 inputs, and against closed
forms (the logistic loss's Hessian XᵀSX) without PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import functional as AF
from parity import requires_torch, torch

ATOL = 1e-10


# ---------------------------------------------------------------- cases (either library)
# Each case maker takes the library (gradkit or torch) and returns the function; the
# constants are built from the same NumPy arrays on both sides.
_A = np.random.default_rng(7).standard_normal((4, 3))


def _elementwise(lib):
    return lambda x: x.sin() * x.exp() + x**3


def _matrix(lib):
    A = lib.tensor(_A)
    return lambda W: (A @ W).tanh()  # (4, 3) @ (3, 2): J has shape (4, 2, 3, 2)


def _two_in_two_out(lib):
    return lambda x, W: ((W @ x).sigmoid(), (x * x).sum(dim=0, keepdim=True) * W)


def _scalar(lib):
    A = lib.tensor(_A)
    return lambda x: ((A @ x).tanh() ** 2).sum() + (x.sin() * x).sum()


def _scalar_two_inputs(lib):
    return lambda x, W: ((W @ x).sigmoid().log()).sum() + (W * W * x).sum()


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


JAC_CASES = {
    "elementwise": (_elementwise, [(5,)]),
    "matrix": (_matrix, [(3, 2)]),
    "two_in_two_out": (_two_in_two_out, [(3,), (2, 3)]),
}
SCALAR_CASES = {
    "scalar": (_scalar, [(3,)]),
    "scalar_two_inputs": (_scalar_two_inputs, [(3,), (2, 3)]),
}


def _inputs(lib, arrays, as_tuple, requires_grad=False):
    ts = tuple(lib.tensor(a, requires_grad=requires_grad) for a in arrays)
    return ts if as_tuple or len(ts) > 1 else ts[0]


def _assert_same(ours, ref, path="result"):
    """Same nesting (tuple or Tensor), shapes and values."""
    if isinstance(ref, tuple):
        assert isinstance(ours, tuple), f"{path}: expected a tuple, got {type(ours).__name__}"
        assert len(ours) == len(ref), f"{path}: {len(ours)} entries, expected {len(ref)}"
        for i, (o, r) in enumerate(zip(ours, ref)):
            _assert_same(o, r, f"{path}[{i}]")
        return
    assert isinstance(ours, gk.Tensor), f"{path}: expected a Tensor, got {type(ours).__name__}"
    assert ours.shape == tuple(ref.shape), f"{path}: shape {ours.shape} != {tuple(ref.shape)}"
    np.testing.assert_allclose(ours.numpy(), ref.detach().numpy(), atol=ATOL, rtol=0, err_msg=path)


# ---------------------------------------------------------------- parity with PyTorch
@requires_torch
@pytest.mark.parametrize("as_tuple", [False, True])
@pytest.mark.parametrize("case", sorted(JAC_CASES))
def test_jacobian_matches_torch(case, as_tuple):
    make, shapes = JAC_CASES[case]
    arrays = _arrays(shapes)
    ours = AF.jacobian(make(gk), _inputs(gk, arrays, as_tuple))
    ref = torch.autograd.functional.jacobian(make(torch), _inputs(torch, arrays, as_tuple))
    _assert_same(ours, ref)


@requires_torch
@pytest.mark.parametrize("as_tuple", [False, True])
@pytest.mark.parametrize("case", sorted(SCALAR_CASES))
def test_hessian_matches_torch(case, as_tuple):
    make, shapes = SCALAR_CASES[case]
    arrays = _arrays(shapes)
    ours = AF.hessian(make(gk), _inputs(gk, arrays, as_tuple))
    ref = torch.autograd.functional.hessian(make(torch), _inputs(torch, arrays, as_tuple))
    _assert_same(ours, ref)


@requires_torch
@pytest.mark.parametrize("case", sorted(JAC_CASES))
def test_vjp_and_jvp_match_torch(case):
    make, shapes = JAC_CASES[case]
    arrays = _arrays(shapes)
    out_ref = make(torch)(*(torch.tensor(a) for a in arrays))
    out_shapes = [o.shape for o in (out_ref if isinstance(out_ref, tuple) else (out_ref,))]
    vo = _arrays(out_shapes, seed=3)
    vi = _arrays(shapes, seed=4)
    for name, v in [("vjp", vo), ("jvp", vi)]:
        ours = getattr(AF, name)(make(gk), _inputs(gk, arrays, False), _inputs(gk, v, False))
        ref = getattr(torch.autograd.functional, name)(
            make(torch), _inputs(torch, arrays, False), _inputs(torch, v, False)
        )
        _assert_same(ours, ref, name)


@requires_torch
@pytest.mark.parametrize("name", ["vhp", "hvp"])
@pytest.mark.parametrize("case", sorted(SCALAR_CASES))
def test_vhp_and_hvp_match_torch(case, name):
    make, shapes = SCALAR_CASES[case]
    arrays, v = _arrays(shapes), _arrays(shapes, seed=5)
    ours = getattr(AF, name)(make(gk), _inputs(gk, arrays, False), _inputs(gk, v, False))
    ref = getattr(torch.autograd.functional, name)(
        make(torch), _inputs(torch, arrays, False), _inputs(torch, v, False)
    )
    _assert_same(ours, ref, name)


@requires_torch
@pytest.mark.parametrize("name", ["jacobian", "hessian"])
def test_create_graph_results_differentiate_like_torch(name):
    """With create_graph=True the Jacobian/Hessian is itself differentiable: the gradient
    of Σ R ⊙ J with respect to the inputs matches PyTorch's (third derivatives for H)."""
    make, shapes = (JAC_CASES["two_in_two_out"] if name == "jacobian" else
                    SCALAR_CASES["scalar_two_inputs"])  # fmt: skip
    arrays = _arrays(shapes)
    grads = []
    for lib, fn in [(gk, getattr(AF, name)), (torch, getattr(torch.autograd.functional, name))]:
        inputs = _inputs(lib, arrays, True, requires_grad=True)
        blocks = fn(make(lib), inputs, create_graph=True)
        flat = [b for row in blocks for b in row]
        weights = _arrays([tuple(b.shape) for b in flat], seed=9)
        total = sum((b * lib.tensor(w)).sum() for b, w in zip(flat, weights))
        grads.append(lib.autograd.grad(total, inputs))
    _assert_same(grads[0], grads[1])


@requires_torch
def test_unused_input_zeros_or_strict_error_like_torch():
    arrays = _arrays([(3,), (2,)])
    for lib, F in [(gk, AF), (torch, torch.autograd.functional)]:
        x, y = _inputs(lib, arrays, True)
        jac = F.jacobian(lambda a, b: a.exp(), (x, y))
        np.testing.assert_array_equal(jac[1].detach().numpy(), np.zeros((3, 2)))
        with pytest.raises(RuntimeError, match="independent of input 1"):
            F.jacobian(lambda a, b: a.exp(), (x, y), strict=True)
        with pytest.raises(RuntimeError, match="independent of input 1"):
            F.vjp(lambda a, b: a.exp().sum(), (x, y), strict=True)
        h = F.hessian(lambda a, b: (a * a).sum() + b.sum(), (x, y))
        np.testing.assert_array_equal(h[1][1].detach().numpy(), np.zeros((2, 2)))
        with pytest.raises(RuntimeError, match="strict mode"):
            F.hessian(lambda a, b: (a * a).sum() + b.sum(), (x, y), strict=True)


@requires_torch
def test_zero_dim_intermediates_keep_second_derivatives():
    """Reductions and integer indexing give 0-d values; a second derivative through an op
    that saved one (x.sum()**2, x[0]*x[1]) must not be lost (it was: NumPy returns those as
    scalars, not arrays, and the engine did not see them as saved tensors)."""
    x = np.array([1.0, 3.0, -2.0])
    for fn in [
        lambda t: t.sum() ** 2,
        lambda t: (t[0] ** 2) * t[1] + t[2].sin(),
        lambda t: t.sum().sigmoid() * (t * t).sum(),
        lambda t: (t.sum() * t).sum(),
    ]:
        ours = AF.hessian(fn, gk.tensor(x))
        ref = torch.autograd.functional.hessian(fn, torch.tensor(x))
        _assert_same(ours, ref)


# ---------------------------------------------------------------- closed forms (no torch)
def _logistic_data(seed=0, n=40, d=3):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.standard_normal((n, d - 1)), np.ones((n, 1))])
    y = (rng.random(n) < 0.5).astype(np.float64)
    return X, y, rng.standard_normal(d)


def _logistic_loss(X, y):
    Xt, yt = gk.tensor(X), gk.tensor(y)

    def loss(theta):  # ℓ(θ) = −Σ [y log p + (1 − y) log(1 − p)], p = σ(Xθ)
        p = (Xt @ theta).sigmoid()
        return -(yt * p.log() + (1 - yt) * (1 - p).log()).sum()

    return loss


def test_ml_logreg_hessian_is_xt_s_x():
    """ML-LOGREG / O-NEWTON: ∇ℓ = Xᵀ(p − y) and ∇²ℓ = XᵀSX with S = diag(p(1 − p))."""
    X, y, theta = _logistic_data()
    loss = _logistic_loss(X, y)
    p = 1 / (1 + np.exp(-X @ theta))
    H = AF.hessian(loss, gk.tensor(theta))
    assert H.shape == (3, 3) and not H.requires_grad
    np.testing.assert_allclose(H.numpy(), X.T @ (X * (p * (1 - p))[:, None]), atol=ATOL, rtol=0)
    g = AF.jacobian(loss, gk.tensor(theta))
    np.testing.assert_allclose(g.numpy(), X.T @ (p - y), atol=ATOL, rtol=0)
    v = np.array([0.5, -1.0, 2.0])
    hv = X.T @ ((p * (1 - p)) * (X @ v))
    for name in ("vhp", "hvp"):
        value, prod = getattr(AF, name)(loss, gk.tensor(theta), gk.tensor(v))
        np.testing.assert_allclose(prod.numpy(), hv, atol=ATOL, rtol=0)
        assert value.shape == ()


def test_jacobian_of_affine_map_is_its_matrix_and_products_agree():
    """J of x ↦ Ax is A (shape out + in); vᵀJ = Aᵀv and Ju = Au by vjp and jvp."""
    A = gk.tensor(_A)
    x = gk.tensor(np.arange(3.0))
    J = AF.jacobian(lambda t: A @ t, x)
    np.testing.assert_allclose(J.numpy(), _A, atol=ATOL, rtol=0)
    v, u = np.arange(4.0), np.array([1.0, -2.0, 0.5])
    out, vj = AF.vjp(lambda t: A @ t, x, gk.tensor(v))
    np.testing.assert_allclose(out.numpy(), _A @ np.arange(3.0), atol=ATOL)
    np.testing.assert_allclose(vj.numpy(), _A.T @ v, atol=ATOL, rtol=0)
    _, ju = AF.jvp(lambda t: A @ t, x, gk.tensor(u))
    np.testing.assert_allclose(ju.numpy(), _A @ u, atol=ATOL, rtol=0)


def test_return_structure_follows_the_inputs():
    x, y = gk.tensor([1.0, 2.0]), gk.tensor([3.0])
    single = AF.jacobian(lambda a: a * 2, x)
    assert isinstance(single, gk.Tensor) and single.shape == (2, 2)
    (one,) = AF.jacobian(lambda a: a * 2, (x,))
    assert one.shape == (2, 2)
    per_output = AF.jacobian(lambda a: (a * 2, a.sum()), x)
    assert [t.shape for t in per_output] == [(2, 2), (2,)]
    per_input = AF.jacobian(lambda a, b: a * b, (x, y))
    assert [t.shape for t in per_input] == [(2, 2), (2, 1)]
    both = AF.jacobian(lambda a, b: (a * b, b), (x, y))
    assert [[t.shape for t in row] for row in both] == [[(2, 2), (2, 1)], [(1, 2), (1, 1)]]
    H = AF.hessian(lambda a, b: (a * a * b).sum(), (x, y))
    assert [[t.shape for t in row] for row in H] == [[(2, 2), (2, 1)], [(1, 2), (1, 1)]]
    np.testing.assert_allclose(H[0][1].numpy(), [[2.0], [4.0]])  # ∂²/∂a∂b of Σ a²b = 2a


def test_inputs_are_not_modified_and_grad_mode_is_respected():
    x = gk.tensor([1.0, 2.0], requires_grad=True)
    with gk.no_grad():  # the functions turn grad mode on for their own work
        H = AF.hessian(lambda a: (a**3).sum(), x)
    np.testing.assert_allclose(H.numpy(), np.diag([6.0, 12.0]))
    assert x.grad is None and not H.requires_grad
    J = AF.jacobian(lambda a: a**3, x, create_graph=True)
    assert J.requires_grad  # differentiable with respect to x
    (g,) = gk.autograd.grad(J.sum(), x)
    np.testing.assert_allclose(g.numpy(), [6.0, 12.0])


def test_bad_arguments_raise_clear_errors():
    x = gk.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="reverse-mode"):
        AF.jacobian(lambda a: a, x, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="reverse-mode"):
        AF.hessian(lambda a: a.sum(), x, outer_jacobian_strategy="forward-mode")
    with pytest.raises(ValueError, match="valid choices"):
        AF.jacobian(lambda a: a, x, strategy="sideways")
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        AF.jacobian(lambda a: a, [1.0, 2.0])
    with pytest.raises(TypeError, match="index 1"):
        AF.jacobian(lambda a, b: a, (x, 3.0))
    with pytest.raises(RuntimeError, match="single element"):
        AF.hessian(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="single Tensor"):
        AF.vhp(lambda a: (a.sum(), a.sum()), x, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="invalid size"):
        AF.jvp(lambda a: a * 2, x, gk.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="not supported together"):
        AF.jacobian(lambda a: a, x, strict=True, vectorize=True)
    # vectorize is a speed hint PyTorch answers with vmap: same values here
    np.testing.assert_array_equal(
        AF.jacobian(lambda a: a**2, x, vectorize=True).numpy(), np.diag([2.0, 4.0])
    )
