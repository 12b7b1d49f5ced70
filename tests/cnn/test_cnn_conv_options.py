"""Convolution options no other test reaches (concepts CNN-CONV, CNN-PAD, CNN-SIZE,
CNN-STRIDE, T-FFT): ``conv1d``'s defaults, 1-tuple spellings, unbatched input and
``algorithm``; ``conv_transpose2d``'s double backward with ``output_padding`` above the
padding. Oracles: PyTorch (float64, forward and gradients) and central differences."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.autograd import gradgradcheck
from gradkit.ops import fft_conv
from gradkit.ops.conv import conv1d, conv2d, conv_output_size, conv_transpose2d
from parity import assert_parity, random_inputs, requires_torch, torch

F = None if torch is None else torch.nn.functional


@requires_torch
def test_conv1d_defaults_match_torch():
    """CNN-CONV: conv1d(x, w, b) with every option left at its default."""
    assert_parity(
        lambda x, w, b: conv1d(x, w, b),
        lambda x, w, b: F.conv1d(x, w, b),
        random_inputs([(2, 3, 9), (4, 3, 3), (4,)], seed=11),
    )


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        dict(stride=(2,), padding=(2,), dilation=(2,)),
        dict(stride=(1,), padding=(1,), dilation=(3,)),
        dict(stride=3, padding=(3,)),
    ],
    ids=str,
)
def test_conv1d_one_tuple_options_match_torch(kw):
    """CNN-PAD / CNN-STRIDE: 1-tuples spell the same options as ints."""
    assert_parity(
        lambda x, w: conv1d(x, w, **kw),
        lambda x, w: F.conv1d(x, w, **kw),
        random_inputs([(2, 2, 11), (3, 2, 3)], seed=12),
    )


@requires_torch
@pytest.mark.parametrize("c_out", [1, 3])
def test_conv1d_unbatched_matches_torch(c_out):
    """An unbatched (C, L) input gives a (C_out, L_out) output, even with one output
    channel or one output position (only the added batch axis is removed)."""
    assert_parity(
        lambda x, w: conv1d(x, w, stride=2),
        lambda x, w: F.conv1d(x, w, stride=2),
        random_inputs([(2, 7), (c_out, 2, 5)], seed=13),
    )
    x, w = random_inputs([(2, 4), (c_out, 2, 4)], seed=14)
    out = conv1d(gk.tensor(x), gk.tensor(w))
    assert out.shape == tuple(F.conv1d(torch.tensor(x), torch.tensor(w)).shape) == (c_out, 1)


@requires_torch
def test_conv1d_algorithm_reaches_conv2d(monkeypatch):
    """T-FFT: conv1d(..., algorithm="fft") runs the FFT convolution, "direct" does not."""
    calls = []
    real = fft_conv.Conv2dFFT.apply

    def spy(*args, **kw):
        calls.append(kw)
        return real(*args, **kw)

    monkeypatch.setattr(fft_conv.Conv2dFFT, "apply", spy)
    x, w = random_inputs([(1, 2, 12), (3, 2, 4)], seed=15)
    fft = conv1d(gk.tensor(x), gk.tensor(w), padding=1, algorithm="fft")
    assert len(calls) == 1
    direct = conv1d(gk.tensor(x), gk.tensor(w), padding=1, algorithm="direct")
    assert len(calls) == 1
    expected = F.conv1d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    np.testing.assert_allclose(fft.data, expected, atol=1e-10)
    np.testing.assert_allclose(direct.data, expected, atol=1e-12)


def test_conv1d_rejects_a_weight_of_the_wrong_rank():
    x = gk.zeros(1, 2, 8)
    with pytest.raises(ValueError, match="conv1d: expected input"):
        conv1d(x, gk.zeros(3, 2, 1, 3))


def test_conv_output_size_defaults_and_pair_padding():
    """CNN-SIZE: stride 1, no padding and dilation 1 by default; a (before, after)
    padding pair adds its sum."""
    assert conv_output_size(10, 3) == 8
    assert conv_output_size(10, 3, 2, (1, 2)) == (10 + 3 - 3) // 2 + 1
    assert conv_output_size(10, 3, dilation=2) == 6


def test_conv2d_rejects_zero_stride_and_dilation():
    x, w = gk.zeros(1, 1, 5, 5), gk.zeros(1, 1, 3, 3)
    with pytest.raises(ValueError, match="stride, dilation and kernel size must be >= 1"):
        conv2d(x, w, stride=(1, 0))
    with pytest.raises(ValueError, match="stride, dilation and kernel size must be >= 1"):
        conv2d(x, w, dilation=(0, 1))


@requires_torch
@pytest.mark.parametrize(
    "kw",
    [
        dict(stride=2, padding=0, output_padding=1),  # the output grows past the full span
        dict(stride=(3, 2), padding=(1, 0), output_padding=(2, 1)),
        dict(stride=1, output_padding=2, dilation=3),  # output_padding reaches the stride
    ],
    ids=str,
)
def test_conv_transpose2d_double_backward_with_output_padding(kw):
    """CNN-CONV: second derivatives of a transposed convolution whose output_padding
    exceeds its padding (the gradient's convolution must keep exactly H × W windows)."""
    x, w, b = random_inputs([(2, 2, 3, 3), (2, 3, 2, 3), (3,)], seed=16)

    def fn(x, w, b):
        y = conv_transpose2d(x, w, b, **kw)
        return y * y

    assert gradgradcheck(fn, gk.tensor(x), gk.tensor(w), gk.tensor(b), atol=1e-6, rtol=1e-4)
    # the recorded first gradients equal PyTorch's
    gx = [gk.tensor(a, requires_grad=True) for a in (x, w, b)]
    tx = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ggk = gk.autograd.grad(fn(*gx).sum(), gx, create_graph=True)
    tfn = F.conv_transpose2d(*tx, **kw)
    gth = torch.autograd.grad((tfn * tfn).sum(), tx, create_graph=True)
    for a, t in zip(ggk, gth):
        np.testing.assert_allclose(a.data, t.detach().numpy(), atol=1e-10)
    sum((g * g).sum() for g in ggk).backward()
    sum((g * g).sum() for g in gth).backward()
    for a, t in zip(gx, tx):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), atol=1e-9)


@requires_torch
def test_conv_transpose2d_defaults_match_torch():
    """CNN-CONV: conv_transpose2d(x, w, b) with stride 1, no padding, no output_padding,
    one group and dilation 1 by default."""
    assert_parity(
        lambda x, w, b: conv_transpose2d(x, w, b),
        lambda x, w, b: F.conv_transpose2d(x, w, b),
        random_inputs([(2, 2, 3, 4), (2, 3, 2, 3), (3,)], seed=17),
    )


def test_conv_transpose2d_errors_name_the_op():
    x = gk.zeros(1, 2, 3, 3)
    with pytest.raises(ValueError, match="conv_transpose2d: input has 2 channels"):
        conv_transpose2d(x, gk.zeros(3, 2, 2, 2))
    with pytest.raises(ValueError, match=r"conv_transpose2d: bias must have shape \(4,\)"):
        conv_transpose2d(x, gk.zeros(2, 4, 2, 2), gk.zeros(2))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose2d(x, gk.zeros(2, 4, 2, 2), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose2d(x, gk.zeros(2, 4, 2, 2), output_padding=(0, -1))
    with pytest.raises(ValueError, match="use less padding"):
        conv_transpose2d(gk.zeros(1, 2, 1, 1), gk.zeros(2, 4, 1, 1), padding=1)


@pytest.mark.parametrize("name", ["stride", "padding", "output_padding", "dilation"])
def test_conv_transpose2d_bad_pairs_are_named(name):
    with pytest.raises(ValueError, match=f"^`{name}` must be an int or 2 ints"):
        conv_transpose2d(gk.zeros(1, 2, 3, 3), gk.zeros(2, 4, 2, 2), **{name: (1, 1, 1)})


# CNN-SIZE of a transposed convolution, H_out = (H − 1)·S − 2P + D·(k − 1) + output_padding
# + 1, on the edge: height (2 − 1)·3 − 2·3 + 1·(3 − 1) + op + 1 is 1 with op = 1 and 0
# with op = 0; the width (kernel 5, stride 1, no padding) is fine either way.
EDGE = dict(stride=(3, 1), padding=(3, 0))


@requires_torch
def test_conv_transpose2d_smallest_output_matches_torch():
    assert_parity(
        lambda x, w: conv_transpose2d(x, w, **EDGE, output_padding=(1, 0)),
        lambda x, w: F.conv_transpose2d(x, w, **EDGE, output_padding=(1, 0)),
        random_inputs([(1, 2, 2, 4), (2, 4, 3, 5)], seed=18),
    )


def test_conv_transpose2d_empty_output_is_refused():
    with pytest.raises(ValueError, match="use less padding"):
        conv_transpose2d(gk.zeros(1, 2, 2, 4), gk.zeros(2, 4, 3, 5), **EDGE)


@requires_torch
@pytest.mark.parametrize("c_out", [1, 3])
def test_conv_transpose2d_unbatched_matches_torch(c_out):
    kw = dict(stride=2, padding=1)
    assert_parity(
        lambda x, w: conv_transpose2d(x, w, **kw),
        lambda x, w: F.conv_transpose2d(x, w, **kw),
        random_inputs([(2, 3, 2), (2, c_out, 3, 2)], seed=19),
    )


@pytest.mark.parametrize(
    "x_shape, w_shape, kw, error, match",
    [
        ((1, 4, 6, 6), (2, 4, 3, 3), dict(padding="full"), ValueError, "'valid' or 'same'"),
        ((1, 4, 6, 6), (2, 4, 3, 3), dict(padding=(1, -1)), ValueError, "non-negative"),
        (
            (1, 4, 6, 6),
            (2, 4, 3, 3),
            dict(groups=0),
            ValueError,
            "conv2d: 4 input channels are not divisible by 0",
        ),
        (
            (1, 4, 6, 6),
            (2, 4, 3, 3),
            dict(groups=3),
            ValueError,
            "conv2d: 4 input channels are not divisible by 3",
        ),
        ((1, 4, 6, 6), (3, 2, 3, 3), dict(groups=2), ValueError, "conv2d: 3 output channels"),
        ((1, 4, 6, 6), (2, 4, 3), {}, ValueError, r"conv2d: expected input \(N, C, H, W\)"),
        ((4, 6), (2, 4, 3, 3), {}, ValueError, r"conv2d: expected input \(N, C, H, W\)"),
        (
            (1, 4, 6, 6),
            (2, 4, 3, 3),
            dict(bias=(3,)),
            ValueError,
            r"conv2d: bias must have shape \(2,\)",
        ),
        ((1, 4, 6, 6), (2, 4, 3, 3), dict(stride=(1, 1, 1)), ValueError, "`stride`"),
        ((1, 4, 6, 6), (2, 4, 3, 3), dict(dilation=(1, 1, 1)), ValueError, "`dilation`"),
        ((1, 4, 6, 6), (2, 4, 3, 3), dict(padding=(1, 1, 1)), ValueError, "`padding`"),
    ],
)
def test_conv2d_bad_arguments_are_named(x_shape, w_shape, kw, error, match):
    kw = dict(kw)
    if "bias" in kw:
        kw["bias"] = gk.zeros(*kw["bias"])
    with pytest.raises(error, match=match):
        conv2d(gk.zeros(*x_shape), gk.zeros(*w_shape), **kw)


@requires_torch
@pytest.mark.parametrize("size", [4, 5, 6])
def test_conv2d_window_that_just_fits(size):
    """CNN-SIZE on the edge: (W − D·(F − 1) − 1 + 2P)/S + 1 is 1 for W = 4, 5, 6 with
    F = 3, D = 2, P = 0, S = 3; W = 4 gives no window."""
    kw = dict(stride=3, dilation=2)
    if size == 4:
        with pytest.raises(ValueError, match="too small"):
            conv2d(gk.zeros(1, 1, size, 5), gk.zeros(1, 1, 3, 3), **kw)
        return
    assert_parity(
        lambda x, w: conv2d(x, w, **kw),
        lambda x, w: F.conv2d(x, w, **kw),
        random_inputs([(1, 2, size, 8), (2, 2, 3, 3)], seed=20),
    )


def _penalty_matches_torch(gk_fn, th_fn, arrays, needs=None):
    """First gradients recorded with create_graph, then the gradient of their squared
    norm, both against PyTorch; ``needs`` marks the inputs that require a gradient."""
    needs = needs or [True] * len(arrays)
    gx = [gk.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    tx = [torch.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    g_out, t_out = gk_fn(*gx), th_fn(*tx)
    g_in = [a for a, n in zip(gx, needs) if n]
    t_in = [a for a, n in zip(tx, needs) if n]
    g1 = gk.autograd.grad((g_out * g_out).sum(), g_in, create_graph=True)
    t1 = torch.autograd.grad((t_out * t_out).sum(), t_in, create_graph=True)
    for a, t in zip(g1, t1):
        np.testing.assert_allclose(a.data, t.detach().numpy(), atol=1e-10)
    sum((g * g).sum() for g in g1).backward()
    sum((g * g).sum() for g in t1).backward()
    for a, t in zip(g_in, t_in):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), atol=1e-9)


CONV_DOUBLE = [
    dict(stride=2, padding=1, groups=2),
    dict(padding="same", dilation=2),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
]


@requires_torch
@pytest.mark.parametrize("kw", CONV_DOUBLE, ids=str)
@pytest.mark.parametrize("needs", [(True, True, True), (True, False, True), (False, True, False)])
def test_conv2d_double_backward_matches_torch(kw, needs):
    """CNN-CONV second derivatives: ConvInputGrad and ConvWeightGrad recorded by
    create_graph, and their own gradients, with some inputs frozen."""
    arrays = random_inputs([(2, 4, 5, 6), (4, 4 // kw.get("groups", 1), 3, 2), (4,)], seed=21)
    _penalty_matches_torch(
        lambda x, w, b: conv2d(x, w, b, **kw), lambda x, w, b: F.conv2d(x, w, b, **kw), arrays,
        needs,
    )  # fmt: skip


@pytest.mark.parametrize("kw", CONV_DOUBLE[::2], ids=str)
def test_conv2d_third_derivatives(kw):
    """gradgradcheck of the squared norm of recorded first gradients: the recorded
    backward of ConvInputGrad and ConvWeightGrad must itself be differentiable."""
    x, w = random_inputs([(1, 2, 4, 5), (2, 2 // kw.get("groups", 1), 2, 2)], seed=22)

    def grad_norm(x, w):
        with gk.enable_grad():
            y = conv2d(x, w, **kw)
            gx, gw = gk.autograd.grad((y * y).sum(), [x, w], create_graph=True)
            return (gx * gx).sum() + (gw * gw).sum()

    assert gradgradcheck(grad_norm, gk.tensor(x), gk.tensor(w), atol=1e-6, rtol=1e-4)


@requires_torch
@pytest.mark.parametrize("needs", [(True, True, True), (True, False, False), (False, True, True)])
def test_conv_transpose2d_double_backward_frozen_inputs(needs):
    kw = dict(stride=2, padding=1, output_padding=1, groups=2, dilation=(1, 2))
    arrays = random_inputs([(2, 4, 3, 3), (4, 2, 2, 3), (4,)], seed=23)
    _penalty_matches_torch(
        lambda x, w, b: conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        arrays,
        needs,
    )


def test_conv_transpose2d_float32_gradients_stay_float32():
    x = gk.tensor(np.ones((1, 2, 3, 3), np.float32), requires_grad=True)
    w = gk.tensor(np.ones((2, 3, 2, 2), np.float32), requires_grad=True)
    y = conv_transpose2d(x, w, stride=2)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == x.grad.dtype == w.grad.dtype == np.float32


@requires_torch
def test_conv_transpose2d_double_backward_without_bias():
    kw = dict(stride=2, output_padding=1, dilation=2)
    _penalty_matches_torch(
        lambda x, w: conv_transpose2d(x, w, **kw),
        lambda x, w: F.conv_transpose2d(x, w, **kw),
        random_inputs([(1, 2, 3, 4), (2, 3, 2, 2)], seed=24),
    )


def test_conv_transpose2d_third_derivatives_with_output_padding():
    """The recorded backward of the recorded gradients of a transposed convolution whose
    output_padding reaches past the stride (dilation 3): its output holds more windows
    than the input has positions."""
    x, w = random_inputs([(1, 2, 3, 3), (2, 2, 2, 2)], seed=25)

    def grad_norm(x, w):
        with gk.enable_grad():
            y = conv_transpose2d(x, w, stride=(1, 2), output_padding=(2, 1), dilation=(3, 1))
            gx, gw = gk.autograd.grad((y * y).sum(), [x, w], create_graph=True)
            return (gx * gx).sum() + (gw * gw).sum()

    assert gradgradcheck(grad_norm, gk.tensor(x), gk.tensor(w), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d", "conv1d"])
def test_float32_gradients_flow_as_float32(op):
    """No float64 leaks into the backward: the gradient reaching an intermediate float32
    tensor (seen by a hook, before any cast at the leaf) is float32."""
    x = gk.tensor(np.ones((1, 2, 5, 5), np.float32), requires_grad=True)
    w = gk.tensor(np.ones((2, 2, 3, 3), np.float32), requires_grad=True)
    seen = []
    h = x * 1.0
    h.register_hook(lambda g: seen.append(g.dtype))
    v = w * 1.0
    v.register_hook(lambda g: seen.append(g.dtype))
    if op == "conv2d":
        y = conv2d(h, v, stride=2, padding=1)
    elif op == "conv_transpose2d":
        y = conv_transpose2d(h, v, stride=2, padding=1)
    else:
        y = conv1d(h[:, :, 0], v[:, :, 0], padding=1)
    y.backward(np.ones(y.shape, np.float32))
    assert seen == [np.float32, np.float32]


@requires_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kernel", [(1, 2), (2, 1), (1, 4), (2, 2)])
def test_same_padding_on_one_side_only(kernel):
    """CNN-PAD: "same" with an even kernel pads D·(k − 1) in total, the odd zero after;
    a kernel of height 1 pads only the width (and the converse)."""
    assert_parity(
        lambda x, w: conv2d(x, w, padding="same"),
        lambda x, w: F.conv2d(x, w, padding="same"),
        random_inputs([(1, 2, 4, 5), (3, 2, *kernel)], seed=26),
    )
    assert_parity(
        lambda x, w: conv1d(x, w, padding="same"),
        lambda x, w: F.conv1d(x, w, padding="same"),
        random_inputs([(1, 2, 6), (3, 2, kernel[1])], seed=27),
    )


def test_checked_output_size_quotes_the_padding():
    """CNN-SIZE's error names P: an int, or (before+after)/2 for an uneven pair."""
    from gradkit.ops.conv import checked_output_size

    assert checked_output_size("op", "height", 5, 3, 2, 1, 1) == 3
    assert checked_output_size("op", "height", 5, 3, 2, (0, 1), 1) == 2
    with pytest.raises(ValueError, match=r"\(2 − 5 \+ 2·1\)/1 \+ 1 = 0"):
        checked_output_size("op", "height", 2, 5, 1, 1, 1)
    with pytest.raises(ValueError, match=r"\(2 − 5 \+ 2·\(1\+0\)/2\)/1 \+ 1 = -1"):
        checked_output_size("op", "width", 2, 5, 1, (1, 0), 1)
    with pytest.raises(ValueError, match=r"\(2 − 5 \+ 2·1\)/1 \+ 1 = 0"):
        checked_output_size("op", "width", 2, 5, 1, (1, 1), 1)


def test_conv2d_too_small_width_is_named():
    with pytest.raises(ValueError, match="conv2d: the width axis is too small"):
        conv2d(gk.zeros(1, 1, 5, 2), gk.zeros(1, 1, 3, 3))


@requires_torch
@pytest.mark.parametrize("c_out", [1, 3])
def test_conv2d_unbatched_one_channel_matches_torch(c_out):
    """An unbatched (C, H, W) input keeps its output's size-1 axes, only the added
    batch axis is removed."""
    assert_parity(
        lambda x, w: conv2d(x, w),
        lambda x, w: F.conv2d(x, w),
        random_inputs([(2, 3, 1), (c_out, 2, 3, 1)], seed=28),
    )


def test_pair_spellings():
    """Every spelling of a per-axis option gives a tuple of two Python ints: an int, a
    2-tuple, a list, NumPy integers, integral floats; a fractional entry is refused."""
    from gradkit.ops.conv import pair

    assert pair(3, "kernel_size") == (3, 3)
    for value in ([2, 3], (np.int64(2), 3), (2, np.int64(3)), np.array([2, 3]), (2, 3.0), (2.0, 3)):
        out = pair(value, "stride")
        assert out == (2, 3) and type(out) is tuple
        assert all(type(v) is int for v in out)
    assert pair([-1, 0], "padding") == (-1, 0)  # the caller checks the range
    with pytest.raises(TypeError, match="`stride` must be an int"):
        pair((2.5, 3), "stride")


@requires_torch
def test_conv2d_list_options_match_torch():
    kw = dict(stride=[2, 1], padding=[0, 1], dilation=[1, 2])
    assert_parity(
        lambda x, w: conv2d(x, w, **kw),
        lambda x, w: F.conv2d(x, w, **kw),
        random_inputs([(1, 2, 6, 7), (2, 2, 3, 3)], seed=29),
    )
