"""T-NOGRAD and PyTorch's process-level calls: ``inference_mode`` (context manager and
decorator, with or without parentheses, nested, ``mode=False``), ``set_printoptions``
(every option and profile, against torch's own printing), ``compile``,
``use_deterministic_algorithms``, ``is_tensor``, ``numel``. Oracle: the same calls in
torch."""

import numpy as np
import pytest

import gradkit as gk

torch = pytest.importorskip("torch")


def _grad_states(lib):
    x = lib.ones(2, requires_grad=True)
    out = []
    with lib.inference_mode():
        out.append(((x * 2).requires_grad, lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
        with lib.inference_mode(False):
            out.append(((x * 2).requires_grad, lib.is_inference_mode_enabled()))
        with lib.enable_grad():
            out.append(lib.is_grad_enabled())
    out.append(((x * 2).requires_grad, lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
    with lib.no_grad(), lib.inference_mode(mode=False):
        out.append(((x * 2).requires_grad, lib.is_inference_mode_enabled()))

    @lib.inference_mode()
    def called(t):
        return (t * 2).requires_grad, lib.is_inference_mode_enabled()

    @lib.inference_mode
    def bare(t):
        return (t * 2).requires_grad

    @lib.autograd.inference_mode(False)
    def off(t):
        return (t * 2).requires_grad

    out += [called(x), bare(x), off(x), called.__name__, bare.__name__]
    try:
        with lib.inference_mode():
            raise KeyError("inside")
    except KeyError:
        pass
    out.append((lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
    return out


def test_inference_mode_matches_torch():
    assert _grad_states(gk) == _grad_states(torch)


def test_inference_mode_outputs_equal_no_grad_values():
    model = gk.nn.Linear(3, 2)
    x = gk.randn(4, 3)
    with gk.inference_mode():
        y = model(x)
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.numpy(), model(x).detach().numpy())


OPTIONS = [
    dict(precision=2),
    dict(precision=0),
    dict(threshold=5),
    dict(edgeitems=1, threshold=3),
    dict(linewidth=30),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="default"),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(precision=6, sci_mode=True),
    dict(precision=1, linewidth=40, threshold=8, edgeitems=2),
]
VALUES = [
    [1.12345, 2.5, -3.75],
    list(range(12)),
    [1e-6, 1.0, 123.456],
    [[1.5, 2.25], [3.125, 4.0]],
    [i / 7 for i in range(1100)],
    [1e10, 2.0],
    [[float(i * j) for i in range(9)] for j in range(9)],
    [0.0, 0.0],
    3.25,
    [float("nan"), 1.5, float("inf")],
]


@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items())
)
def test_set_printoptions_prints_as_torch(options):
    try:
        for lib in (torch, gk):
            lib.set_printoptions(**options)
        for v in VALUES:
            assert repr(gk.tensor(v)) == repr(torch.tensor(v))
    finally:
        for lib in (torch, gk):
            lib.set_printoptions(profile="default")
    assert repr(gk.tensor([1.12345])) == "tensor([1.1235])"


def test_set_printoptions_sci_mode_resets_when_not_passed():
    try:
        gk.set_printoptions(sci_mode=True)
        gk.set_printoptions(precision=4)  # sci_mode not passed: back to per-tensor choice
        assert repr(gk.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
    finally:
        gk.set_printoptions(profile="default")
    with pytest.raises(ValueError, match="unknown profile 'long'.*short"):
        gk.set_printoptions(profile="long")


def test_compile_returns_the_model_and_computes_the_same():
    model = gk.nn.Sequential(gk.nn.Linear(3, 4), gk.nn.ReLU())
    assert gk.compile(model) is model
    assert gk.compile(model, mode="reduce-overhead", fullgraph=True) is model

    @gk.compile(dynamic=True)
    def double(t):
        return t * 2

    np.testing.assert_array_equal(double(gk.ones(2)).numpy(), [2.0, 2.0])
    with pytest.raises(TypeError, match="Module or a function"):
        gk.compile(3)


def test_deterministic_switch_reads_back_like_torch():
    try:
        for lib in (torch, gk):
            lib.use_deterministic_algorithms(True, warn_only=True)
        assert (
            gk.are_deterministic_algorithms_enabled()
            is torch.are_deterministic_algorithms_enabled()
        )
        assert (
            gk.is_deterministic_algorithms_warn_only_enabled()
            is torch.is_deterministic_algorithms_warn_only_enabled()
        )
    finally:
        for lib in (torch, gk):
            lib.use_deterministic_algorithms(False)
    assert gk.are_deterministic_algorithms_enabled() is False
    assert gk.is_deterministic_algorithms_warn_only_enabled() is False
    with pytest.raises(TypeError, match="bool"):
        gk.use_deterministic_algorithms("yes")


def test_is_tensor_and_numel_match_torch():
    for obj in ([1.0], np.ones(2), 3.0):
        assert gk.is_tensor(obj) is torch.is_tensor(obj) is False
    assert gk.is_tensor(gk.ones(2)) and gk.is_tensor(gk.nn.Parameter(gk.ones(1)))
    assert gk.numel(gk.ones(2, 3, 4)) == torch.numel(torch.ones(2, 3, 4)) == 24
    assert gk.numel(gk.tensor(5.0)) == 1
    with pytest.raises(TypeError, match="must be Tensor"):
        gk.numel(np.ones(2))


def _grad_mode_trace(lib):
    out = [lib.is_grad_enabled()]

    @lib.no_grad()
    def off():
        return lib.is_grad_enabled()

    @lib.enable_grad()
    def on():
        return lib.is_grad_enabled()

    out += [off(), on()]
    with lib.no_grad():
        out += [on(), lib.is_grad_enabled()]
        with lib.set_grad_enabled(True):
            out.append(lib.is_grad_enabled())
        out.append(lib.is_grad_enabled())
    lib.set_grad_enabled(False)  # as a plain call: stays off
    out.append(lib.is_grad_enabled())
    lib.set_grad_enabled(True)
    out.append(lib.is_grad_enabled())
    with lib.set_grad_enabled(False):
        out.append(lib.is_grad_enabled())
    out.append(lib.is_grad_enabled())
    return out


def test_grad_mode_switches_match_torch_exactly():
    """Each state is compared with ``is``: True/False, never a falsy stand-in."""
    got, want = _grad_mode_trace(gk), _grad_mode_trace(torch)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g is w
