"""Module hooks against PyTorch: forward pre-hooks, forward hooks, full backward pre-hooks
and full backward hooks. The same hooks go on the same float64 model in both libraries;
the calls (order, which module, the arguments' values) and the effect of the values the
hooks return (on the output and on every gradient) must agree."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

ATOL = 1e-12
LIBS = (gk, torch)


def as_np(t):
    return None if t is None else np.array(t.detach().numpy(), dtype=np.float64)


def is_tensor(v) -> bool:
    return isinstance(v, (gk.Tensor, torch.Tensor))


def arrays(values) -> list:
    """Tensors as arrays, anything else (None, floats) as it is."""
    return [as_np(v) if is_tensor(v) else v for v in values]


def assert_same_log(ours: list, theirs: list) -> None:
    """Two logs of ``(event, module, values)``: same events in the same order, values
    equal to ATOL."""
    assert [e[:2] for e in ours] == [e[:2] for e in theirs]
    for a, b in zip(ours, theirs):
        assert len(a[2]) == len(b[2]), (a[:2], a[2], b[2])
        for x, y in zip(a[2], b[2]):
            if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
                assert x is not None and y is not None, (a[:2], x, y)
                np.testing.assert_allclose(x, y, rtol=0, atol=ATOL, err_msg=str(a[:2]))
            else:
                assert x == y, (a[:2], x, y)


def state(rng, model) -> dict:
    """Random float64 weights for every entry of ``model``'s state dict."""
    return {k: rng.standard_normal(tuple(v.shape)) for k, v in model.state_dict().items()}


def load(model, lib, weights: dict):
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    return model


def mlp(lib, weights=None):
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3)).double()
    return model if weights is None else load(model, lib, weights)


def two_input(lib, weights=None):
    """A module with two tensor inputs (and an optional positional scale), two outputs."""

    class TwoInput(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = lib.nn.Linear(3, 3)

        def forward(self, a, b, scale=1.0, *, shift=0.0):
            return self.proj(a) * b * scale + shift, a - 2.0 * b

    model = TwoInput().double()
    return model if weights is None else load(model, lib, weights)


def recording_hooks(log: list, name: str) -> dict:
    """One hook of each kind that records its call and returns None."""

    def forward_pre(m, args):
        log.append(("forward_pre", name, arrays(args)))

    def forward(m, args, out):
        outs = out if isinstance(out, tuple) else (out,)
        log.append(("forward", name, arrays(args) + arrays(outs)))

    def backward_pre(m, grad_output):
        log.append(("backward_pre", name, arrays(grad_output)))

    def backward(m, grad_input, grad_output):
        log.append(("backward", name, arrays(grad_input) + ["|"] + arrays(grad_output)))

    return {
        "forward_pre": forward_pre,
        "forward": forward,
        "backward_pre": backward_pre,
        "backward": backward,
    }


def register(module, hooks: dict) -> list:
    handles = []
    if "forward_pre" in hooks:
        handles.append(module.register_forward_pre_hook(hooks["forward_pre"]))
    if "forward" in hooks:
        handles.append(module.register_forward_hook(hooks["forward"]))
    if "backward_pre" in hooks:
        handles.append(module.register_full_backward_pre_hook(hooks["backward_pre"]))
    if "backward" in hooks:
        handles.append(module.register_full_backward_hook(hooks["backward"]))
    return handles


def grads(model, *inputs) -> list:
    return [as_np(p.grad) for p in model.parameters()] + [as_np(x.grad) for x in inputs]


def assert_same_grads(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert (a is None) == (b is None), f"gradient {i}: {a} vs {b}"
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=0, atol=ATOL, err_msg=f"gradient {i}")


# ---------------------------------------------------------------------- call order, args
def run_mlp_with_recorders(lib, weights, x, upstream, calls: int = 1):
    model = mlp(lib, weights)
    log = []
    for name, module in model.named_modules():
        register(module, recording_hooks(log, name or "model"))
    xt = lib.tensor(x, requires_grad=True)
    loss = 0
    for _ in range(calls):
        loss = loss + (model(xt) * lib.tensor(upstream)).sum()
    loss.backward()
    return log, grads(model, xt)


@pytest.mark.parametrize("calls", [1, 2])
def test_mlp_hooks_fire_in_torch_order_with_torch_arguments(calls):
    """Linear-ReLU-Linear with every hook on every module (the Sequential too), called
    once or twice in one graph: the same calls in the same order, with the same inputs,
    outputs, grad_output and grad_input; gradients unchanged by recording hooks."""
    rng = np.random.default_rng(0)
    weights = state(rng, mlp(torch))
    x, upstream = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    ours, our_grads = run_mlp_with_recorders(gk, weights, x, upstream, calls)
    theirs, their_grads = run_mlp_with_recorders(torch, weights, x, upstream, calls)
    assert_same_log(ours, theirs)
    events = [e[0] for e in ours]
    assert events.count("backward") == 4 * calls and events.count("forward_pre") == 4 * calls
    assert_same_grads(our_grads, their_grads)


def run_two_input(lib, weights, a, b, upstream, *, b_grad=True, scale=None, use_second=True):
    model = two_input(lib, weights)
    log = []
    register(model, recording_hooks(log, "two"))
    register(model.proj, recording_hooks(log, "proj"))
    at = lib.tensor(a, requires_grad=True)
    bt = lib.tensor(b, requires_grad=b_grad)
    y, z = model(at, bt) if scale is None else model(at, bt, scale)
    loss = (y * lib.tensor(upstream)).sum()
    if use_second:
        loss = loss + (z * z).sum()
    loss.backward()
    return log, grads(model, at, bt)


@pytest.mark.parametrize(
    "case",
    [
        {},
        {"b_grad": False},  # grad_input for b: zeros, as torch
        {"scale": 0.5},  # a non-tensor positional argument: None in grad_input
        {"use_second": False},  # an output without gradient: None in grad_output
    ],
    ids=["both-inputs", "b-no-grad", "float-arg", "unused-output"],
)
def test_two_input_module_hooks_match_torch(case):
    rng = np.random.default_rng(1)
    weights = state(rng, two_input(torch))
    a, b, up = (rng.standard_normal((2, 3)) for _ in range(3))
    ours, our_grads = run_two_input(gk, weights, a, b, up, **case)
    theirs, their_grads = run_two_input(torch, weights, a, b, up, **case)
    assert_same_log(ours, theirs)
    assert_same_grads(our_grads, their_grads)


def test_full_backward_hook_when_no_input_requires_grad_matches_torch():
    """No input requires grad: the hook fires on the output gradients with grad_input
    (None,), with PyTorch's warning."""
    rng = np.random.default_rng(2)
    weights = state(rng, mlp(torch))
    x = rng.standard_normal((3, 4))
    logs, all_grads = [], []
    for lib in LIBS:
        model, log = mlp(lib, weights), []
        register(model[0], recording_hooks(log, "first"))
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            model(lib.tensor(x)).sum().backward()
        logs.append(log)
        all_grads.append(grads(model))
    assert_same_log(*logs)
    assert [e[:2] for e in logs[0]][2:] == [("backward_pre", "first"), ("backward", "first")]
    assert logs[0][-1][2][0] is None
    assert_same_grads(*all_grads)


# ---------------------------------------------------------------------- replacements
def replacing_hooks(lib) -> dict:
    """Hooks that return replacements: each one changes what flows on."""
    return {
        "forward_pre": lambda m, args: args[0] * 2.0,  # a single value becomes (value,)
        "forward": lambda m, args, out: out * 3.0 - 0.5,
        "backward_pre": lambda m, grad_output: (grad_output[0] * 3.0,),
        "backward": lambda m, grad_input, grad_output: (grad_input[0] * 0.25 + 1.0,),
    }


@pytest.mark.parametrize("where", ["0", "1", "2", ""])
@pytest.mark.parametrize("kind", ["forward_pre", "forward", "backward_pre", "backward"])
def test_returned_replacements_change_outputs_and_gradients_like_torch(kind, where):
    rng = np.random.default_rng(3)
    weights = state(rng, mlp(torch))
    x, up = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    results, logs = [], []
    for lib in LIBS:
        model, log = mlp(lib, weights), []
        module = model.get_submodule(where)
        register(module, {kind: replacing_hooks(lib)[kind]})
        register(module, recording_hooks(log, "hooked"))  # sees what the first one returned
        xt = lib.tensor(x, requires_grad=True)
        out = model(xt)
        (out * lib.tensor(up)).sum().backward()
        results.append([as_np(out)] + grads(model, xt))
        logs.append(log)
    assert_same_log(*logs)
    plain = mlp(gk, weights)
    xt = gk.tensor(x, requires_grad=True)
    (plain(xt) * gk.tensor(up)).sum().backward()
    unhooked = [as_np(plain(xt))] + grads(plain, xt)
    assert_same_grads(results[0], results[1])
    assert any(not np.allclose(a, b) for a, b in zip(results[0], unhooked)), "no effect"


def test_two_input_replacements_with_none_and_kwargs_like_torch():
    """A full backward hook returning (None, g): no gradient reaches ``a``; a backward
    pre-hook replacing one of two grad_outputs; a with_kwargs pre-hook changing kwargs;
    a with_kwargs forward hook seeing them."""
    rng = np.random.default_rng(4)
    weights = state(rng, two_input(torch))
    a, b, up = (rng.standard_normal((2, 3)) for _ in range(3))
    results, logs = [], []
    for lib in LIBS:
        model, log = two_input(lib, weights), []
        model.register_forward_pre_hook(
            lambda m, args, kwargs: (args, {**kwargs, "shift": 0.75}), with_kwargs=True
        )
        model.register_forward_hook(
            lambda m, args, kwargs, out, log=log: log.append(("fwd", "two", [kwargs["shift"]])),
            with_kwargs=True,
        )
        model.register_full_backward_pre_hook(lambda m, go: (go[0], go[1] * -1.0))
        model.register_full_backward_hook(lambda m, gi, go: (None, gi[1] * 2.0))
        at, bt = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        y, z = model(at, bt, shift=0.0)
        ((y * lib.tensor(up)).sum() + (z * z).sum()).backward()
        results.append([as_np(y)] + grads(model, at, bt))
        logs.append(log)
    assert results[0][-2] is None  # a's gradient was replaced by None
    assert_same_grads(results[0], results[1])
    assert_same_log(*logs)


def test_replacement_checks():
    lin = gk.nn.Linear(3, 2).double()
    x = gk.tensor(np.ones((1, 3)), requires_grad=True)
    with lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0])):
        with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2"):
            lin(x).sum().backward()
    with lin.register_full_backward_hook(lambda m, gi, go: (gk.ones(5),)):
        with pytest.raises(RuntimeError, match=r"shape \(5,\) at index 0; expected \(1, 3\)"):
            lin(x).sum().backward()
    with lin.register_full_backward_pre_hook(lambda m, go: go[0]):
        with pytest.raises(TypeError, match="must return None or a tuple of 1"):
            lin(x).sum().backward()
    with lin.register_forward_pre_hook(lambda m, a, k: a, with_kwargs=True):
        with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\)"):
            lin(x)
    with pytest.raises(TypeError, match="must be callable"):
        lin.register_forward_hook(None)
    assert lin(x).grad_fn is not None  # every hook above was removed on exit


# ---------------------------------------------------------------------- order, removal
@pytest.mark.parametrize("kind", ["forward_pre", "forward", "backward_pre", "backward"])
def test_hooks_run_in_registration_order_prepend_first_like_torch(kind):
    orders = []
    for lib in LIBS:
        lin = lib.nn.Linear(3, 2).double()
        order = []

        def hook(tag, order=order):
            def record(*args):
                order.append(tag)

            return record

        method = {
            "forward_pre": lin.register_forward_pre_hook,
            "forward": lin.register_forward_hook,
            "backward_pre": lin.register_full_backward_pre_hook,
            "backward": lin.register_full_backward_hook,
        }[kind]
        method(hook("a"))
        removed = method(hook("gone"))
        method(hook("b"))
        method(hook("first"), prepend=True)
        removed.remove()
        removed.remove()  # removing twice is harmless
        x = lib.tensor(np.ones((1, 3)), requires_grad=True)
        lin(x).sum().backward()
        with method(hook("ctx")):
            lin(x).sum().backward()
        lin(x).sum().backward()
        orders.append(order)
    assert orders[0] == orders[1]
    assert orders[0] == ["first", "a", "b", "first", "a", "b", "ctx", "first", "a", "b"]


def test_always_call_forward_hook_runs_when_forward_raises_like_torch():
    records = []
    for lib in LIBS:

        class Fails(lib.nn.Module):
            def forward(self, x):
                if x.shape[0] == 0:
                    raise ValueError("empty batch")
                return x * 2.0

        module, seen = Fails(), []
        module.register_forward_hook(lambda m, args, out, seen=seen: seen.append("normal"))
        module.register_forward_hook(
            lambda m, args, out, seen=seen: seen.append(("always", out is None)), always_call=True
        )
        with pytest.raises(ValueError, match="empty batch"):
            module(lib.tensor(np.ones((0, 3))))
        module(lib.tensor(np.ones((1, 3))))
        records.append(seen)
    assert records[0] == records[1] == [("always", True), "normal", ("always", False)]


def test_hooks_leave_repr_state_dict_and_no_grad_alone():
    rng = np.random.default_rng(5)
    weights = state(rng, mlp(torch))
    model, reference = mlp(gk, weights), mlp(torch, weights)
    before, keys = repr(model), list(model.state_dict())
    log = []
    for name, module in model.named_modules():
        register(module, recording_hooks(log, name or "model"))
    assert repr(model) == before == repr(reference)
    assert list(model.state_dict()) == keys == list(reference.state_dict())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(as_np(v), weights[k])
    with gk.no_grad():  # no graph: forward hooks run, backward hooks are not set up
        out = model(gk.tensor(np.ones((1, 4)), requires_grad=True))
    assert out.grad_fn is None and not out.requires_grad
    assert {e[0] for e in log} == {"forward_pre", "forward"}


def elementwise(lib, n: int | None):
    """``x * w + b`` (``n`` features) or, with ``n=None``, ``x^3``: modules built from ops
    that gradkit can differentiate twice."""

    class Scale(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = lib.nn.Parameter(lib.zeros(n, dtype=lib.float64))
            self.bias = lib.nn.Parameter(lib.zeros(n, dtype=lib.float64))

        def forward(self, x):
            return x * self.weight + self.bias

    class Cube(lib.nn.Module):
        def forward(self, x):
            return x * x * x

    return Cube() if n is None else Scale()


def test_hooks_see_tensors_under_create_graph_like_torch():
    """Double backward through hooked modules (scale-cube-scale): the hooks receive
    Tensors, fire as in torch (the second backward passes the first module's identity
    nodes again) and the second-order gradients match torch."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4))
    weights, logs, results = None, [], []
    for lib in LIBS:
        model = lib.nn.Sequential(elementwise(lib, 4), elementwise(lib, None), elementwise(lib, 4))
        weights = weights or state(rng, model)
        load(model, lib, weights)
        log = []
        for i, module in enumerate(model):
            hooks = recording_hooks(log, str(i))
            register(module, {"backward_pre": hooks["backward_pre"], "backward": hooks["backward"]})
            module.register_full_backward_hook(
                lambda m, gi, go, log=log: log.append(
                    ("tensors", "", [all(is_tensor(g) for g in gi + go)])
                )
            )
        xt = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad(model(xt).sum(), xt, create_graph=True)
        (g * g).sum().backward()
        logs.append(log)
        results.append(grads(model, xt))
    assert_same_log(*logs)
    assert [e[2] for e in logs[0] if e[0] == "tensors"] == [[True]] * 4
    assert_same_grads(*results)


def test_module_output_that_is_its_input_like_torch():
    """An identity module (output is the input tensor): its hooks see the same grads."""
    logs = []
    for lib in LIBS:
        model, log = lib.nn.Identity(), []
        register(model, recording_hooks(log, "id"))
        x = lib.tensor(np.arange(3.0), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (model(x) * 2.0).sum().backward()
        log.append(("grad", "x", [as_np(x.grad)]))
        logs.append(log)
    assert_same_log(*logs)


@pytest.mark.parametrize("layer", ["ReLU", "Sigmoid", "Linear"])
def test_in_place_change_of_a_hooked_output_is_never_silently_wrong(layer):
    """The identity's output shares its input's storage and version counter: doubling it
    in place is refused in backward where an op saved that storage (ReLU and Sigmoid save
    their output; torch refuses at once), and gives the unhooked gradient where none did
    (Linear)."""
    x = np.random.default_rng(7).standard_normal((2, 3))
    module = getattr(gk.nn, layer)(*((3, 3) if layer == "Linear" else ())).double()

    def grad_of_doubled_output(hooked: bool):
        xt = gk.tensor(x, requires_grad=True)
        if not hooked:
            (module(xt * 1.0) * 2.0).sum().backward()
            return as_np(xt.grad)
        with module.register_full_backward_hook(lambda m, gi, go: None):
            module(xt * 1.0).mul_(2.0).sum().backward()
        return as_np(xt.grad)

    if layer == "Linear":
        np.testing.assert_allclose(
            grad_of_doubled_output(True), grad_of_doubled_output(False), rtol=0, atol=ATOL
        )
    else:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            grad_of_doubled_output(True)
