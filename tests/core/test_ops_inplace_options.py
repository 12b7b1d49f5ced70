"""T-GRAPH (issue 24): every in-place op of ``gradkit.ops.inplace`` against PyTorch 2.13 in
float64 — the new value, the gradient through a non-leaf and through a view of one
(written back into the base), each keyword option (``alpha``, ``value``, ``min``/``max``,
``weight``, the random fills' parameters), the plain path without a graph, and the version
counter: a tensor saved for backward and then changed in place, recorded or not, is
refused at backward exactly where PyTorch refuses it."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(2024)
A = RNG.uniform(0.3, 1.7, (2, 3))  # positive, away from rounding ties
B = RNG.uniform(0.5, 1.5, (2, 3))
C = RNG.uniform(0.5, 1.5, (2, 3))
G = RNG.normal(size=(2, 3))
MASK = np.array([[True, False, True], [False, False, True]])


def _t(lib, a, grad=False):
    return lib.tensor(a.copy(), requires_grad=grad)


# name: op(lib, h, b, c) applying the in-place op to h; b, c: leaves requiring grad
BINARY = {
    "add_": lambda lib, h, b, c: h.add_(b),
    "add_alpha": lambda lib, h, b, c: h.add_(b, alpha=-2.5),
    "add_scalar": lambda lib, h, b, c: h.add_(3.0),
    "sub_": lambda lib, h, b, c: h.sub_(b),
    "sub_alpha": lambda lib, h, b, c: h.sub_(b, alpha=0.75),
    "mul_": lambda lib, h, b, c: h.mul_(b),
    "mul_scalar": lambda lib, h, b, c: h.mul_(-1.5),
    "div_": lambda lib, h, b, c: h.div_(b),
    "div_scalar": lambda lib, h, b, c: h.div_(4.0),
    "pow_": lambda lib, h, b, c: h.pow_(b),
    "pow_scalar": lambda lib, h, b, c: h.pow_(3.0),
    "iadd": lambda lib, h, b, c: h.__iadd__(b),
    "isub": lambda lib, h, b, c: h.__isub__(b),
    "imul": lambda lib, h, b, c: h.__imul__(b),
    "itruediv": lambda lib, h, b, c: h.__itruediv__(b),
    "ipow": lambda lib, h, b, c: h.__ipow__(2.0),
    "addcmul_": lambda lib, h, b, c: h.addcmul_(b, c),
    "addcmul_value": lambda lib, h, b, c: h.addcmul_(b, c, value=-0.5),
    "addcdiv_": lambda lib, h, b, c: h.addcdiv_(b, c),
    "addcdiv_value": lambda lib, h, b, c: h.addcdiv_(b, c, value=3.0),
    "lerp_scalar": lambda lib, h, b, c: h.lerp_(b, 0.3),
    "lerp_tensor": lambda lib, h, b, c: h.lerp_(b, c),
    "clamp_min": lambda lib, h, b, c: h.clamp_(min=0.9),
    "clamp_max": lambda lib, h, b, c: h.clamp_(max=1.1),
    "clamp_both": lambda lib, h, b, c: h.clamp_(0.8, 1.2),
    "clip_": lambda lib, h, b, c: h.clip_(0.8, 1.2),
    "zero_": lambda lib, h, b, c: h.zero_(),
    "fill_": lambda lib, h, b, c: h.fill_(2.5),
    "fill_tensor": lambda lib, h, b, c: h.fill_(b[1, 2]),
    "copy_": lambda lib, h, b, c: h.copy_(b),
    "copy_broadcast": lambda lib, h, b, c: h.copy_(b[0]),
    "masked_fill_": lambda lib, h, b, c: h.masked_fill_(lib.tensor(MASK), -7.0),
    "setitem_slice": lambda lib, h, b, c: h.__setitem__((slice(None), 1), b[0, :2]),
    "setitem_int": lambda lib, h, b, c: h.__setitem__(1, 4.0),
    "setitem_mask": lambda lib, h, b, c: h.__setitem__(lib.tensor(MASK), b[lib.tensor(MASK)]),
    "setitem_tensor": lambda lib, h, b, c: h.__setitem__((0, slice(0, 3)), b[1]),
}
UNARY = [
    "neg_", "abs_", "exp_", "log_", "log1p_", "sqrt_", "sin_", "cos_", "tanh_", "sigmoid_",
    "relu_", "reciprocal_", "floor_", "ceil_", "round_", "trunc_", "sign_",
]  # fmt: skip
OPS = {**BINARY, **{n: (lambda name: lambda lib, h, b, c: getattr(h, name)())(n) for n in UNARY}}


def _run(lib, op, view: bool):
    """h = 0.5·x + x² (a non-leaf), the op applied to h or to its view h[1] (shape (3,))
    by a copy of the op's arguments cut the same way; loss = Σ G ⊙ h."""
    x, b, c = _t(lib, A, True), _t(lib, B, True), _t(lib, C, True)
    h = 0.5 * x + x * x
    if view:
        v = h[1]
        out = op(lib, v, b[0], c[0])
        assert out is v
    else:
        out = op(lib, h, b, c)
        assert out is h or out is None  # __setitem__ returns None
    loss = (h * lib.tensor(G)).sum()
    loss.backward()
    grads = [None if t.grad is None else t.grad.numpy().copy() for t in (x, b, c)]
    return h.detach().numpy().copy(), grads


@pytest.mark.parametrize("name", list(OPS))
def test_t_graph_inplace_value_and_gradient_match_torch(name):
    """T-GRAPH: on a non-leaf the in-place op is recorded: the value and the gradients of
    the tensor's sources and of the op's tensor arguments are PyTorch's."""
    ours = _run(gk, OPS[name], view=False)
    theirs = _run(torch, OPS[name], view=False)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    for g, tg in zip(ours[1], theirs[1]):
        assert (g is None) == (tg is None)
        if g is not None:
            np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-12)


VIEW_OPS = {
    name: op
    for name, op in OPS.items()
    if not name.startswith(("setitem", "masked_fill", "copy_broadcast", "fill_tensor"))
}


@pytest.mark.parametrize("name", list(VIEW_OPS))
def test_t_graph_inplace_through_a_view_rewrites_the_base(name):
    """T-GRAPH: changing a view h[1] in place changes h, and the gradient through h sees
    the change (PyTorch's CopySlices)."""

    ours = _run(gk, VIEW_OPS[name], view=True)
    theirs = _run(torch, VIEW_OPS[name], view=True)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    for g, tg in zip(ours[1], theirs[1]):
        assert (g is None) == (tg is None)
        if g is not None:
            np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-12)


def _plain(lib, name):
    h, b, c = _t(lib, A), _t(lib, B), _t(lib, C)
    v0 = h._version
    out = OPS[name](lib, h, b, c)
    return out is h or out is None, h.numpy().copy(), h._version - v0


@pytest.mark.parametrize("name", list(OPS))
def test_t_graph_inplace_without_a_graph_changes_the_storage(name):
    """T-GRAPH: with nothing requiring grad the storage changes in place (a view made
    before sees it) and the version counter moves by one, as in PyTorch."""
    same, value, bumps = _plain(gk, name)
    tsame, tvalue, tbumps = _plain(torch, name)
    assert same and tsame
    np.testing.assert_allclose(value, tvalue, rtol=1e-12, atol=1e-12)
    assert bumps == tbumps == 1


def _saved_then_changed(lib, name, recorded: bool):
    """s = sin(h) saves h; h is then changed in place (recorded, or under no_grad)."""
    x, b, c = _t(lib, A, True), _t(lib, B), _t(lib, C)
    h = x * 1.0
    s = h.sin()
    if recorded:
        OPS[name](lib, h, b, c)
    else:
        with lib.no_grad():
            OPS[name](lib, h, b, c)
    return lambda: s.sum().backward()


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "no_grad"])
@pytest.mark.parametrize("name", list(OPS))
def test_t_graph_changed_saved_tensor_is_refused_at_backward(name, recorded):
    """T-GRAPH: sin saved h; any in-place change of h (recorded or under no_grad) makes
    backward refuse, as PyTorch does, instead of using the new value silently."""
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _saved_then_changed(torch, name, recorded)()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _saved_then_changed(gk, name, recorded)()


@pytest.mark.parametrize("name", ["add_", "mul_", "exp_", "clamp_both", "copy_", "fill_"])
def test_t_graph_leaf_and_view_of_leaf_are_refused(name):
    """T-GRAPH: a leaf that requires grad (or a view of it) cannot change in place while
    recording; under no_grad it can."""
    for lib in (torch, gk):
        x, b, c = _t(lib, A, True), _t(lib, B), _t(lib, C)
        with pytest.raises(RuntimeError, match="leaf"):
            OPS[name](lib, x, b, c)
        with pytest.raises(RuntimeError, match="leaf"):
            OPS[name](lib, x[0], b[0], c[0])
        with lib.no_grad():
            OPS[name](lib, x, b, c)
    ours = _t(gk, A, True)
    theirs = _t(torch, A, True)
    with gk.no_grad():
        OPS[name](gk, ours, _t(gk, B), _t(gk, C))
    with torch.no_grad():
        OPS[name](torch, theirs, _t(torch, B), _t(torch, C))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)


def test_t_graph_inplace_on_a_requires_grad_argument_records_it():
    """T-GRAPH: a plain tensor changed by a tensor that requires grad becomes part of the
    graph (its grad_fn is the op), so the gradient reaches the argument."""
    for lib in (torch, gk):
        h, b = _t(lib, A), _t(lib, B, True)
        h.mul_(b)
        assert h.requires_grad and h.grad_fn is not None
        (h * lib.tensor(G)).sum().backward()
        np.testing.assert_allclose(b.grad.numpy(), A * G, rtol=1e-12)


def test_t_graph_inplace_errors_are_clear():
    h = gk.tensor(A.copy())
    with pytest.raises(ValueError, match="clamp_ needs at least one of min and max"):
        h.clamp_()
    with pytest.raises(NotImplementedError, match="rounding_mode"):
        h.div_(2.0, rounding_mode="floor")
    with pytest.raises(RuntimeError, match=r"copy_: source of shape \(4,\) does not broadcast"):
        h.copy_(gk.ones(4))
    with pytest.raises(RuntimeError, match=r"copy_: source of shape \(2, 1, 3\)"):
        h.copy_(gk.ones(2, 1, 3))
    with pytest.raises(RuntimeError, match="broadcast view"):
        gk.ones(3).expand(2, 3).add_(1.0)
    with pytest.raises(
        RuntimeError, match="^mul_: the result cannot be stored in a tensor of dtype int64"
    ):
        gk.tensor([1, 2, 3]).mul_(0.5)
    # recording: a result of another shape or dtype is refused, never broadcast or truncated
    x = gk.tensor(A.copy(), requires_grad=True)
    row = (x * 1.0)[0]
    with pytest.raises(RuntimeError, match="does not match the tensor's shape"):
        row.add_(x)
    ints = gk.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast to the tensor's dtype int64"):
        ints.add_(gk.tensor([0.5, 0.5, 0.5], requires_grad=True))
    with pytest.raises(IndexError, match=r"is invalid for a tensor of shape \(2, 3\)"):
        gk.tensor(A.copy())[5] = 1.0


def test_t_graph_float32_tensor_keeps_its_dtype_under_a_float64_argument():
    """T-GRAPH: the result is cast back to the tensor's dtype (PyTorch's in-place rule)."""
    for lib in (torch, gk):
        x = lib.tensor(A.astype(np.float32), requires_grad=True)
        b = lib.tensor(B, requires_grad=True)  # float64
        h = x * 1.0
        h.add_(b)
        assert str(h.dtype).endswith("float32")
        h.sum().backward()
        assert str(x.grad.dtype).endswith("float32") and str(b.grad.dtype).endswith("float64")


def test_t_graph_retain_grad_follows_the_tensor_through_an_inplace_op():
    out = {}
    for lib in (torch, gk):
        x = _t(lib, A, True)
        h = x * 2.0
        h.retain_grad()
        h.mul_(3.0)
        (h * lib.tensor(G)).sum().backward()
        out[lib.__name__] = (h.grad.numpy().copy(), x.grad.numpy().copy())
    for a, b in zip(out["gradkit"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_t_graph_zero_dim_numpy_scalar_result_changes_in_place():
    for recorded in (False, True):
        x = gk.tensor(A.copy(), requires_grad=recorded)
        s = x.sum() if recorded else gk.tensor(A.copy()).sum()
        s.add_(1.0)
        assert s.item() == pytest.approx(A.sum() + 1.0, rel=1e-12)
        if recorded:
            s.backward()
            np.testing.assert_allclose(x.grad.numpy(), np.ones_like(A))


FILLS = [
    ("uniform_", (2.0, 3.0),
     lambda a: a.min() >= 2.0 and a.max() < 3.0 and abs(a.mean() - 2.5) < 0.02),
    ("normal_", (5.0, 0.1), lambda a: abs(a.mean() - 5.0) < 0.01 and abs(a.std() - 0.1) < 0.01),
    ("bernoulli_", (0.2,),
     lambda a: set(np.unique(a)) <= {0.0, 1.0} and abs(a.mean() - 0.2) < 0.02),
    ("exponential_", (4.0,), lambda a: a.min() >= 0 and abs(a.mean() - 0.25) < 0.01),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "check"), FILLS, ids=[f[0] for f in FILLS])
def test_t_graph_random_fills_use_their_parameters(name, args, check):
    """T-GRAPH: each random fill draws from the distribution its arguments name (PyTorch's
    positional order), from the generator passed, and bumps the version."""
    t = gk.zeros(20000, dtype=gk.float64)
    getattr(t, name)(*args, generator=gk.Generator().manual_seed(3))
    assert t._version == 1
    assert check(t.numpy())
    again = gk.zeros(20000, dtype=gk.float64)
    getattr(again, name)(*args, generator=gk.Generator().manual_seed(3))
    np.testing.assert_array_equal(t.numpy(), again.numpy())
    # recorded: a fill cuts the gradient to what it overwrote (PyTorch: zero)
    x = gk.tensor(np.ones(4), requires_grad=True)
    h = x * 2.0
    getattr(h, name)(*args)
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(4))


VIEWS = {
    "row": lambda h: h[1],
    "column": lambda h: h[:, 2],
    "reshape": lambda h: h.reshape(3, 2),
    "view": lambda h: h.view(-1),
    "transpose": lambda h: h.t(),
    "permute": lambda h: h.permute(1, 0),
    "nested": lambda h: h.t()[1:],
    "unsqueeze": lambda h: h.unsqueeze(0),
}


@pytest.mark.parametrize("kind", list(VIEWS))
@pytest.mark.parametrize("op", ["mul_", "exp_", "fill_", "zero_", "setitem"])
def test_t_graph_inplace_through_every_view_kind(kind, op):
    """T-GRAPH: an in-place change through a getitem, reshape/view or permute view reaches
    the base, and both the base's and the view's later gradients are PyTorch's."""

    def prog(lib):
        x = _t(lib, A, True)
        s = _t(lib, np.array(1.7), True)
        h = x * x
        v = VIEWS[kind](h)
        if op == "mul_":
            v.mul_(s)
        elif op == "exp_":
            v.exp_()
        elif op == "fill_":
            v.fill_(s)
        elif op == "zero_":
            v.zero_()
        else:
            v[0] = s * 3.0
        w = lib.tensor(np.random.default_rng(1).normal(size=tuple(v.shape)))
        loss = (h * lib.tensor(G)).sum() + (v * w).sum()
        loss.backward()
        sg = np.zeros(()) if s.grad is None else s.grad.numpy()
        return [h.detach().numpy(), v.detach().numpy(), x.grad.numpy(), sg]

    for a, b in zip(prog(gk), prog(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


SELF_SAVING = [
    (lambda h: h.mul_(h), lambda h: h * h),
    (lambda h: h.__imul__(h), lambda h: h * h),
    (lambda h: h.pow_(2.0), lambda h: h**2.0),
    (lambda h: h.div_(h + 1.0), lambda h: h / (h + 1.0)),
    (lambda h: h.sigmoid_(), lambda h: h.sigmoid()),
    (lambda h: h.tanh_(), lambda h: h.tanh()),
    (lambda h: h.exp_(), lambda h: h.exp()),
    (lambda h: h.sqrt_(), lambda h: h.sqrt()),
    (lambda h: h.add_(h, alpha=2.0), lambda h: h + 2.0 * h),
    (lambda h: h.lerp_(h * 2.0, 0.25), lambda h: h + 0.25 * (h * 2.0 - h)),
]


@pytest.mark.parametrize("k", range(len(SELF_SAVING)))
def test_t_graph_inplace_on_a_tensor_the_op_itself_saves(k):
    """T-GRAPH: ``h.pow_(2)``, ``h.mul_(h)``... save h's old value for their own backward;
    the in-place write must not change what that backward sees. The oracle is PyTorch's
    gradient of the same program written out of place (PyTorch itself refuses
    ``h.mul_(h)``; gradkit keeps a copy of the saved value and answers exactly)."""
    inplace_fn, pure_fn = SELF_SAVING[k]
    x = _t(gk, A, True)
    h = x * 1.5
    assert inplace_fn(h) is h
    (h * gk.tensor(G)).sum().backward()
    xt = _t(torch, A, True)
    ht = pure_fn(xt * 1.5)
    (ht * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(h.detach().numpy(), ht.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_t_graph_multi_output_views_refuse_inplace_while_recording():
    """T-GRAPH: pieces of split/unbind/chunk are views PyTorch does not let you change in
    place while recording; under no_grad, or with nothing requiring grad, they change."""
    for lib in (torch, gk):
        x = _t(lib, A, True)
        for pieces in (x.mul(1.0).split(1), x.mul(1.0).unbind(1), x.mul(1.0).chunk(2)):
            with pytest.raises(RuntimeError):
                pieces[0].add_(1.0)
        base = _t(lib, A)
        piece = base.unbind(0)[1]
        piece.add_(1.0)
        np.testing.assert_allclose(base.numpy()[1], A[1] + 1.0)


@pytest.mark.parametrize("name", list(OPS))
def test_t_graph_inplace_on_a_leaf_names_the_op(name):
    """T-GRAPH: refusing a leaf that requires grad names the in-place op (``add_``,
    ``__setitem__``, ...), as PyTorch's message names it."""
    x, b, c = _t(gk, A, True), _t(gk, B), _t(gk, C)
    want = {"iadd": "add_", "isub": "sub_", "imul": "mul_", "itruediv": "div_", "ipow": "pow_"}
    op = name if name in UNARY else want.get(name, name.split("_")[0] + "_")
    if name.startswith("setitem"):
        op = "__setitem__"
    elif name.startswith(("clamp", "clip")):
        op = "clamp_"
    elif name.startswith("masked_fill"):
        op = "masked_fill_"
    with pytest.raises(RuntimeError, match=rf"^{re_escape(op)}: In-place operation on a leaf"):
        OPS[name](gk, x, b, c)


def re_escape(text):
    import re

    return re.escape(text)


@pytest.mark.parametrize(
    "name",
    [n for n in BINARY if not n.endswith(("scalar", "_value")) and n not in
     ("zero_", "fill_", "clamp_min", "clamp_max", "clamp_both", "clip_", "setitem_int",
      "masked_fill_", "ipow")],
)  # fmt: skip
def test_t_graph_plain_tensor_changed_by_an_argument_that_requires_grad(name):
    """T-GRAPH: a plain tensor changed in place by tensors that require grad joins the
    graph, and the gradient reaches every argument (PyTorch)."""
    out = []
    for lib in (gk, torch):
        h, b, c = _t(lib, A), _t(lib, B, True), _t(lib, C, True)
        OPS[name](lib, h, b, c)
        assert h.requires_grad
        (h * lib.tensor(G)).sum().backward()
        out.append([np.zeros(()) if t.grad is None else t.grad.numpy() for t in (b, c)])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_t_graph_inplace_error_messages_are_complete():
    with pytest.raises(ValueError, match=r"^add_: .*broadcast.* \(tensor shape \(2, 3\)\)$"):
        gk.tensor(A.copy()).add_(gk.ones(4))
    with pytest.raises(RuntimeError, match=r"share memory; write into a clone\(\) instead\.$"):
        gk.ones(3).expand(2, 3).mul_(2.0)


X3 = np.random.default_rng(3).normal(size=(2, 3, 4))


@pytest.mark.parametrize(
    "view",
    [lambda h: h.permute(1, 2, 0), lambda h: h.permute(0, 2, 1)[1], lambda h: h.transpose(0, 1),
     lambda h: h.reshape(6, 4).t(), lambda h: h[:, 1:].permute(2, 0, 1)],
)  # fmt: skip
def test_t_graph_inplace_through_a_3d_permute_view(view):
    """T-GRAPH: permutations that are not a reversal of all axes (3-d) are replayed with
    their own order when the base is rewritten."""

    def prog(lib):
        x = lib.tensor(X3.copy(), requires_grad=True)
        h = x * x
        v = view(h)
        v.mul_(lib.tensor(np.arange(v.numel(), dtype=np.float64).reshape(tuple(v.shape))))
        w = lib.tensor(np.random.default_rng(4).normal(size=tuple(v.shape)))
        g3 = lib.tensor(np.random.default_rng(5).normal(size=X3.shape))
        ((h * g3).sum() + (v * w).sum()).backward()
        return h.detach().numpy(), x.grad.numpy()

    for a, b in zip(prog(gk), prog(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_t_graph_setitem_with_an_int_apart_from_a_tensor_index():
    """T-GRAPH: ``h[0, :, idx] = v`` (an int and a tensor index apart: PyTorch's rule, not
    NumPy's) writes the same cells and passes the same gradients."""
    idx = np.array([0, 2])

    def prog(lib):
        x = lib.tensor(X3.copy(), requires_grad=True)
        s = lib.tensor(np.ones((3, 2)) * 0.5, requires_grad=True)
        h = x * 2.0
        h[0, :, lib.tensor(idx)] = s * 3.0
        (h * lib.tensor(np.random.default_rng(6).normal(size=X3.shape))).sum().backward()
        plain = lib.tensor(X3.copy())
        plain[1, :, lib.tensor(idx)] = 7.0
        return h.detach().numpy(), x.grad.numpy(), s.grad.numpy(), plain.numpy()

    for a, b in zip(prog(gk), prog(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_t_graph_copy_from_arrays_lists_and_other_dtypes():
    """T-GRAPH: copy_ takes arrays and lists (broadcast), and casts like PyTorch (float
    into an integer tensor truncates)."""
    t = gk.tensor(A.copy())
    t.copy_([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t.numpy(), np.broadcast_to([1.0, 2.0, 3.0], (2, 3)))
    t.copy_(np.full((2, 1), 4.0))
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), 4.0))
    ints, tints = gk.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    ints.copy_(gk.tensor([1.7, -2.7, 3.2]))
    tints.copy_(torch.tensor([1.7, -2.7, 3.2]))
    np.testing.assert_array_equal(ints.numpy(), tints.numpy())
    x = gk.tensor(A.copy(), requires_grad=True)
    h = x * 2.0
    h.copy_(np.arange(6.0).reshape(2, 3))
    (h * gk.tensor(G)).sum().backward()
    np.testing.assert_array_equal(h.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


@pytest.mark.parametrize(
    ("name", "check"),
    [("uniform_", lambda a: a.min() >= 0.0 and a.max() < 1.0 and abs(a.mean() - 0.5) < 0.02),
     ("normal_", lambda a: abs(a.mean()) < 0.03 and abs(a.std() - 1.0) < 0.03),
     ("bernoulli_", lambda a: set(np.unique(a)) == {0.0, 1.0} and abs(a.mean() - 0.5) < 0.02),
     ("exponential_", lambda a: a.min() >= 0 and abs(a.mean() - 1.0) < 0.03)],
)  # fmt: skip
def test_t_graph_random_fill_defaults_and_dtype(name, check):
    """T-GRAPH: PyTorch's defaults (U(0, 1), N(0, 1), p = 0.5, λ = 1); a float32 tensor
    stays float32; keywords work as in PyTorch."""
    t = gk.zeros(20000, dtype=gk.float32)
    assert getattr(t, name)(generator=gk.Generator().manual_seed(8)) is t
    assert t.dtype == np.float32 and check(t.numpy().astype(np.float64))
    kw = {"uniform_": {"a": -1.0, "b": -0.5}, "normal_": {"mean": -3.0, "std": 0.5},
          "bernoulli_": {"p": 1.0}, "exponential_": {"lambd": 10.0}}[name]  # fmt: skip
    u = gk.zeros(5000, dtype=gk.float64)
    getattr(u, name)(**kw)
    a = u.numpy()
    if name == "uniform_":
        assert a.min() >= -1.0 and a.max() < -0.5
    elif name == "normal_":
        assert abs(a.mean() + 3.0) < 0.05 and abs(a.std() - 0.5) < 0.05
    elif name == "bernoulli_":
        assert (a == 1.0).all()
    else:
        assert abs(a.mean() - 0.1) < 0.01


@pytest.mark.parametrize("first", ["exp_", "sigmoid_", "tanh_", "sqrt_", "pow_scalar", "relu_"])
@pytest.mark.parametrize("second", ["add_scalar", "mul_scalar", "zero_", "recorded_sin"])
def test_t_graph_a_saved_result_changed_again_is_refused(first, second):
    """T-GRAPH: after ``h.exp_()`` h holds exp's saved result; changing h again in place
    makes backward refuse (PyTorch), instead of using a stale or a changed value."""

    def prog(lib):
        x, b, c = _t(lib, A, True), _t(lib, B), _t(lib, C)
        h = x * 1.0
        OPS[first](lib, h, b, c)
        if second == "recorded_sin":
            h.sin_()
        else:
            OPS[second](lib, h, b, c)
        try:
            (h * lib.tensor(G)).sum().backward()
        except RuntimeError as exc:
            assert "modified by an inplace operation" in str(exc)
            return None
        return h.detach().numpy(), x.grad.numpy()

    ours, theirs = prog(gk), prog(torch)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["max", "min", "sort", "topk"])
def test_t_graph_inplace_on_one_output_of_a_multi_output_op(op):
    """T-GRAPH: changing the values output of max/min/sort/topk in place keeps the
    gradient PyTorch gives through it."""

    def prog(lib):
        x = lib.tensor(X3.copy(), requires_grad=True)
        h = x * 2.0
        if op == "topk":
            v, i = h.topk(2, dim=1)
        else:
            v, i = getattr(h, op)(dim=1)
        v.mul_(lib.tensor(np.arange(1.0, v.numel() + 1).reshape(tuple(v.shape))))
        v.add_(1.0)
        w = lib.tensor(np.random.default_rng(7).normal(size=tuple(v.shape)))
        (v * w).sum().backward()
        return v.detach().numpy(), i.numpy(), x.grad.numpy()

    for a, b in zip(prog(gk), prog(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_t_graph_multi_output_view_of_a_plain_base_with_a_grad_argument():
    """T-GRAPH: a piece of unbind() of a plain tensor, changed in place by an argument
    that requires grad, is refused while recording (PyTorch's rule), not a raw error."""
    for lib in (torch, gk):
        base = _t(lib, A)
        piece = base.unbind(0)[1]
        with pytest.raises(RuntimeError):
            piece.add_(_t(lib, B[0], True))


SIGNED = np.array([[-1.6, -0.5, -0.2], [0.3, 1.5, 2.7]])


@pytest.mark.parametrize(
    "name",
    ["neg_", "abs_", "exp_", "sin_", "cos_", "tanh_", "sigmoid_", "relu_", "floor_", "ceil_",
     "round_", "trunc_", "sign_", "reciprocal_"],
)  # fmt: skip
def test_t_graph_unary_inplace_on_signed_values(name):
    """T-GRAPH: the in-place unary ops on negative and positive values, with and without a
    graph, equal PyTorch's."""
    for recorded in (False, True):
        out = []
        for lib in (gk, torch):
            x = lib.tensor(SIGNED.copy(), requires_grad=recorded)
            h = x * 1.0 if recorded else x
            assert getattr(h, name)() is h
            if recorded:
                (h * lib.tensor(G)).sum().backward()
                out.append((h.detach().numpy(), x.grad.numpy()))
            else:
                out.append((h.numpy(),))
        for a, b in zip(*out):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_t_graph_masked_fill_with_a_value_that_requires_grad():
    out = []
    for lib in (gk, torch):
        x = _t(lib, A, True)
        v = lib.tensor(2.5, dtype=lib.float64, requires_grad=True)
        plain = _t(lib, A)
        plain.masked_fill_(lib.tensor(MASK), v)
        h = x * 1.0
        h.masked_fill_(lib.tensor(MASK), v * 2.0)
        ((h + plain) * lib.tensor(G)).sum().backward()
        out.append((h.detach().numpy(), plain.detach().numpy(), x.grad.numpy(), v.grad.numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["uniform_", "normal_", "bernoulli_", "exponential_"])
def test_t_graph_random_fill_of_a_leaf_names_the_op(name):
    with pytest.raises(RuntimeError, match=rf"^{name}: In-place operation on a leaf"):
        getattr(gk.tensor(A.copy(), requires_grad=True), name)()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(torch.tensor(A.copy(), requires_grad=True), name)()


SECOND = {
    "exp_": lambda L, h, b: h.exp_(),
    "sigmoid_": lambda L, h, b: h.sigmoid_(),
    "tanh_": lambda L, h, b: h.tanh_(),
    "sqrt_": lambda L, h, b: h.sqrt_(),
    "pow_": lambda L, h, b: h.pow_(3.0),
    "mul_": lambda L, h, b: h.mul_(b),
    "mul_self": lambda L, h, b: h.mul_(h),
    "div_": lambda L, h, b: h.div_(b),
    "addcmul_": lambda L, h, b: h.addcmul_(b, b, value=0.5),
    "view_mul_": lambda L, h, b: h[1].mul_(b[0]),
    "view_exp_": lambda L, h, b: h.t()[1:].exp_(),
    "setitem": lambda L, h, b: h.__setitem__((0, slice(1, 3)), b[1, :2] ** 2),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_t_graph_second_order_through_inplace_ops_matches_torch(name):
    """T-GRAPH: ``create_graph`` through in-place ops: the recorded op's saved inputs and
    outputs (now living in the changed tensor's storage) rebuild the same second-order
    gradients as PyTorch's (for ``h.mul_(h)``: the out-of-place program, which PyTorch
    accepts there)."""

    def prog(lib, pure=False):
        x, b = _t(lib, A, True), _t(lib, B, True)
        h = x * 1.5
        if pure:  # PyTorch refuses h.mul_(h) at backward: its out-of-place twin
            h = h * h
        else:
            SECOND[name](lib, h, b)
        gx, gb = lib.autograd.grad((h * h * lib.tensor(G)).sum(), [x, b], create_graph=True,
                                   allow_unused=True)  # fmt: skip
        total = (gx * lib.tensor(C)).sum()
        if gb is not None:
            total = total + (gb * lib.tensor(C)).sum()
        total.backward()
        return [gx.detach().numpy(), x.grad.numpy()] + ([] if b.grad is None else [b.grad.numpy()])

    ours = prog(gk)
    theirs = prog(torch, pure=name == "mul_self")
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)
