"""Convolutions against PyTorch and finite differences: CNN-CONV, CNN-PAD, CNN-SIZE,
CNN-STRIDE and T-FFT (the FFT path gives the direct path's results, forward and
gradients)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradcheck
from gradkit.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from gradkit.ops.conv import conv1d, conv2d, conv_output_size, conv_transpose2d, scratch
from parity import assert_parity, random_inputs, requires_torch, torch

F = None if torch is None else torch.nn.functional

# stride × padding × dilation × groups × bias × (odd, even) input × batch 1 and > 1
GRID = [
    (s, p, d, g, b, hw, n)
    for s, p, d, g, b, hw, n in itertools.product(
        (1, 2), ("valid", "same", 1), (1, 2), (1, 2), (True, False), ((7, 7), (8, 6)), (1, 3)
    )
    if not (p == "same" and s == 2)  # PyTorch allows "same" only at stride 1
]


def _grid_id(case):
    s, p, d, g, b, hw, n = case
    return f"s{s}-p{p}-d{d}-g{g}-{'bias' if b else 'nobias'}-{hw[0]}x{hw[1]}-n{n}"


@requires_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("algorithm", ["direct", "fft"])
@pytest.mark.parametrize("case", GRID, ids=_grid_id)
def test_conv2d_parity_grid(case, algorithm):
    """CNN-CONV / CNN-PAD / CNN-STRIDE / T-FFT: forward and every gradient equal PyTorch's."""
    s, p, d, g, b, hw, n = case
    shapes = [(n, 4, *hw), (6, 4 // g, 3, 2)] + ([(6,)] if b else [])
    kw = dict(stride=s, padding=p, dilation=d, groups=g)
    assert_parity(
        lambda x, w, *bias: conv2d(x, w, *bias, **kw, algorithm=algorithm),
        lambda x, w, *bias: F.conv2d(x, w, *bias, **kw),
        random_inputs(shapes),
    )


@requires_torch
@pytest.mark.parametrize("case", GRID[::3], ids=_grid_id)
def test_conv1d_parity_grid(case):
    s, p, d, g, b, hw, n = case
    shapes = [(n, 4, hw[1] + 3), (6, 4 // g, 3)] + ([(6,)] if b else [])
    kw = dict(stride=s, padding=p, dilation=d, groups=g)
    assert_parity(
        lambda x, w, *bias: conv1d(x, w, *bias, **kw),
        lambda x, w, *bias: F.conv1d(x, w, *bias, **kw),
        random_inputs(shapes),
    )


@requires_torch
@pytest.mark.parametrize(
    "stride,padding,output_padding,dilation,groups,bias,hw,n",
    [
        (1, 0, 0, 1, 1, True, (5, 5), 1),
        (2, 1, 1, 1, 2, True, (4, 5), 2),
        (2, 0, 0, 2, 1, False, (5, 4), 3),
        ((2, 3), (1, 0), (1, 2), 1, 1, True, (3, 4), 2),
        (1, 1, 0, 2, 2, False, (6, 6), 1),
        (3, 2, 2, 1, 1, True, (4, 4), 2),
    ],
)
def test_conv_transpose2d_parity(stride, padding, output_padding, dilation, groups, bias, hw, n):
    shapes = [(n, 4, *hw), (4, 6 // groups, 3, 3)] + ([(6,)] if bias else [])
    kw = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=groups,
        dilation=dilation,
    )
    assert_parity(
        lambda x, w, *b: conv_transpose2d(x, w, *b, **kw),
        lambda x, w, *b: F.conv_transpose2d(x, w, *b, **kw),
        random_inputs(shapes),
    )


GRADCHECK = [
    dict(stride=1, padding="valid", dilation=1, groups=1),
    dict(stride=2, padding=1, dilation=1, groups=1),
    dict(stride=1, padding="same", dilation=2, groups=2),
    dict(stride=2, padding=(1, 0), dilation=(2, 1), groups=2),
]


@pytest.mark.parametrize("algorithm", ["direct", "fft"])
@pytest.mark.parametrize("kw", GRADCHECK, ids=str)
def test_conv2d_gradcheck(kw, algorithm):
    """T-AUTODIFF on tiny shapes: input, weight and bias gradients by central differences."""
    x, w, b = random_inputs([(2, 2, 5, 4), (2, 2 // kw["groups"], 2, 3), (2,)], seed=3)
    assert gradcheck(
        lambda x, w, b: conv2d(x, w, b, **kw, algorithm=algorithm),
        gk.tensor(x, requires_grad=True),
        gk.tensor(w, requires_grad=True),
        gk.tensor(b, requires_grad=True),
    )


@pytest.mark.parametrize(
    "kw",
    [dict(stride=2, padding=1, output_padding=1, groups=2), dict(dilation=2, padding=1)],
    ids=str,
)
def test_conv_transpose2d_gradcheck(kw):
    x, w, b = random_inputs([(2, 2, 3, 4), (2, 2 // kw.get("groups", 1), 2, 3), (2,)], seed=4)
    w = w if kw.get("groups", 1) == 2 else random_inputs([(2, 2, 2, 3)], seed=5)[0]
    assert gradcheck(
        lambda x, w, b: conv_transpose2d(x, w, b, **kw),
        gk.tensor(x, requires_grad=True),
        gk.tensor(w, requires_grad=True),
        gk.tensor(b[: w.shape[1] * kw.get("groups", 1)], requires_grad=True),
    )


def test_conv1d_gradcheck():
    x, w, b = random_inputs([(2, 2, 7), (4, 1, 3), (4,)], seed=6)
    assert gradcheck(
        lambda x, w, b: conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
        gk.tensor(x, requires_grad=True),
        gk.tensor(w, requires_grad=True),
        gk.tensor(b, requires_grad=True),
    )


def test_fft_matches_direct_on_large_kernel():
    """T-FFT: float32 FFT and im2col convolutions agree to float32 rounding on an 11×11
    kernel (the regime where "auto" picks the FFT), forward and gradients."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
    w = (rng.standard_normal((8, 3, 11, 11)) / 11).astype(np.float32)
    up = rng.standard_normal((4, 8, 32, 32)).astype(np.float32)
    results = []
    for algorithm in ("direct", "fft"):
        xt, wt = gk.tensor(x, requires_grad=True), gk.tensor(w, requires_grad=True)
        out = conv2d(xt, wt, padding="same", algorithm=algorithm)
        out.backward(up)
        assert out.dtype == xt.grad.dtype == wt.grad.dtype == np.float32
        results.append((out.detach().numpy(), xt.grad.detach().numpy(), wt.grad.detach().numpy()))
    for direct, fft in zip(*results):
        scale = np.abs(direct).max()
        np.testing.assert_allclose(fft, direct, atol=2e-5 * scale, rtol=0)


def test_auto_algorithm_picks_fft_for_large_kernels():
    from gradkit.ops.conv import FFT_MIN_KERNEL

    x = gk.randn(1, 1, 20, 20, requires_grad=True)
    big = conv2d(x, gk.randn(1, 1, FFT_MIN_KERNEL, FFT_MIN_KERNEL))
    small = conv2d(x, gk.randn(1, 1, 3, 3))
    assert big.grad_fn.name == "Conv2dFFTBackward"
    assert small.grad_fn.name == "Conv2dBackward"


# ---------------------------------------------------------------- sizes and padding
@pytest.mark.parametrize(
    "w,f,p,s,d,expected",
    [(32, 5, 0, 1, 1, 28), (28, 5, 2, 1, 1, 28), (7, 3, 0, 2, 1, 3), (28, 3, 1, 2, 1, 14),
     (10, 3, 0, 1, 2, 6), (6, 2, 0, 2, 1, 3), (5, 3, (0, 1), 1, 1, 4)],
)  # fmt: skip
def test_output_size_formula(w, f, p, s, d, expected):
    """CNN-SIZE: N = (W − F + 2P)/S + 1 (floored; F → D(F − 1) + 1 with dilation), and it
    is the shape the layer produces (checked against PyTorch where it is installed)."""
    assert conv_output_size(w, f, s, p, d) == expected
    if isinstance(p, int) and torch is not None:
        out = F.conv2d(torch.zeros(1, 1, w, w), torch.zeros(1, 1, f, f), None, s, p, d)
        assert out.shape[-1] == expected


def test_output_size_error_quotes_formula():
    """CNN-SIZE: a kernel that does not fit names the formula with the actual numbers."""
    with pytest.raises(ValueError, match="height axis is too small") as err:
        conv2d(gk.ones(1, 1, 5, 5), gk.ones(1, 1, 9, 9), padding=1, stride=2)
    assert "(W − F + 2P)/S + 1" in str(err.value)
    assert "(5 − 9 + 2·1)/2 + 1 = 0" in str(err.value)


def test_valid_and_same_padding():
    """CNN-PAD: valid gives n − f + 1, same keeps n (odd and even kernels, dilation)."""
    x = gk.randn(2, 3, 11, 10)
    assert conv2d(x, gk.randn(4, 3, 5, 4), padding="valid").shape == (2, 4, 7, 7)
    for k, d in [(3, 1), (4, 1), (3, 2), (2, 3)]:
        assert conv2d(x, gk.randn(4, 3, k, k), padding="same", dilation=d).shape == (2, 4, 11, 10)


def test_stride_downsamples():
    """CNN-STRIDE: stride 2 with padding 1 halves a 28×28 map."""
    assert conv2d(gk.randn(1, 1, 28, 28), gk.randn(2, 1, 3, 3), stride=2, padding=1).shape == (
        1,
        2,
        14,
        14,
    )


def test_bad_arguments_are_named():
    x = gk.randn(1, 4, 8, 8)
    with pytest.raises(ValueError, match="channels"):
        conv2d(x, gk.randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match="stride 1"):
        conv2d(x, gk.randn(2, 4, 3, 3), padding="same", stride=2)
    with pytest.raises(ValueError, match="algorithm"):
        conv2d(x, gk.randn(2, 4, 3, 3), algorithm="winograd")
    with pytest.raises(TypeError, match="dtypes differ"):
        conv2d(x, gk.randn(2, 4, 3, 3).double())
    with pytest.raises(ValueError, match="groups"):
        Conv2d(4, 6, 3, groups=4)


def test_float32_stays_float32():
    """No float64 promotion anywhere in forward or backward."""
    conv = Conv2d(3, 4, 3, padding=1)
    x = gk.randn(2, 3, 6, 6, requires_grad=True)
    out = conv(x)
    out.backward(np.ones(out.shape, np.float32))
    for t in (out, x.grad, conv.weight.grad, conv.bias.grad):
        assert t.dtype == np.float32


def test_unbatched_input():
    conv = Conv2d(2, 3, 3)
    x = gk.randn(2, 5, 5)
    np.testing.assert_allclose(
        conv(x).detach().numpy(), conv(x.reshape(1, 2, 5, 5)).detach().numpy()[0]
    )


# ---------------------------------------------------------------- layers
def _copy_params(gk_layer, torch_layer):
    with torch.no_grad():
        for name, p in gk_layer.named_parameters():
            getattr(torch_layer, name).copy_(torch.tensor(p.detach().numpy()))


LAYERS = {
    "conv2d-s2-g2": (lambda m: m.Conv2d(4, 6, 3, 2, 1, groups=2), (2, 4, 9, 8)),
    "conv2d-same-d2": (
        lambda m: m.Conv2d(4, 6, (3, 2), padding="same", dilation=2, bias=False),
        (1, 4, 7, 7),
    ),
    "conv1d-s2-g2": (lambda m: m.Conv1d(4, 6, 3, 2, 1, groups=2), (3, 4, 10)),
    "convT-s2": (lambda m: m.ConvTranspose2d(4, 6, 3, 2, 1, 1), (2, 4, 5, 5)),
}


@requires_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name", list(LAYERS))
def test_layers_match_torch_modules(name):
    """CNN-CONV: a layer with PyTorch's weights gives PyTorch's output and gradients."""
    make, shape = LAYERS[name]
    layer, ref = make(gk.nn.conv).double(), make(torch.nn).double()
    _copy_params(layer, ref)
    x = np.random.default_rng(0).standard_normal(shape)
    xg, xt = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = layer(xg), ref(xt)
    up = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(up)
    expected.backward(torch.tensor(up))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(xg.grad.detach().numpy(), xt.grad.numpy(), atol=1e-10)
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(
            p.grad.detach().numpy(), getattr(ref, name).grad.numpy(), atol=1e-10
        )


@requires_torch
@pytest.mark.parametrize(
    "layer",
    [lambda: Conv2d(8, 16, 5), lambda: Conv1d(6, 4, 7, groups=2), lambda: ConvTranspose2d(8, 4, 3)],
)
def test_default_init_matches_pytorch(layer):
    """kaiming_uniform(a=√5) weights and U(±1/√fan_in) bias: the bounds are those of
    PyTorch's layer and the samples fill them (uniform: variance bound²/3)."""
    gk.manual_seed(0)
    m = layer()
    ref = {
        "Conv2d": lambda: torch.nn.Conv2d(8, 16, 5),
        "Conv1d": lambda: torch.nn.Conv1d(6, 4, 7, groups=2),
        "ConvTranspose2d": lambda: torch.nn.ConvTranspose2d(8, 4, 3),
    }[type(m).__name__]()
    assert m.weight.shape == tuple(ref.weight.shape) and m.bias.shape == tuple(ref.bias.shape)
    fan_in = math.prod(ref.weight.shape[1:])
    bound = 1 / math.sqrt(fan_in)  # gain √(2/(1+5)) · √(3/fan_in) = 1/√fan_in
    for p in (m.weight.detach().numpy(), m.bias.detach().numpy()):
        assert p.dtype == np.float32
        assert np.abs(p).max() <= bound
    assert np.abs(m.weight.detach().numpy()).max() > 0.9 * bound
    np.testing.assert_allclose(m.weight.detach().numpy().var(), bound**2 / 3, rtol=0.2)


def test_repr_reads_like_pytorch():
    assert (
        repr(Conv2d(1, 6, 5, padding=2))
        == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    )
    assert "bias=False" in repr(Conv2d(1, 6, 3, bias=False))
    assert "groups=2" in repr(Conv1d(2, 4, 3, groups=2))


def test_scratch_buffers_are_reused_only_when_unreferenced():
    first = scratch((3, 5), np.float32)
    view, address = first.T[1:], first.ctypes.data
    del first
    assert scratch((3, 5), np.float32).ctypes.data != address  # a view keeps it alive
    del view
    assert scratch((3, 5), np.float32).ctypes.data == address


def test_kept_results_survive_later_calls():
    """Outputs and gradients held by the caller are never overwritten by the next call."""
    rng = np.random.default_rng(0)
    x = gk.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    w = gk.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    out = conv2d(x, w, padding=1)
    out.sum().backward()
    kept = out.detach().numpy().copy(), x.grad.detach().numpy().copy()
    x2 = gk.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    conv2d(x2, w, padding=1).sum().backward()
    for held, copy in zip((out.detach().numpy(), x.grad.detach().numpy()), kept):
        np.testing.assert_array_equal(held, copy)
