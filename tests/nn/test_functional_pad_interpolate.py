"""F.pad in PyTorch's argument order and F.interpolate with every mode, against PyTorch
(forward, gradient under a random upstream gradient, output dtype) and float64 finite
differences; the padding and upsampling layers and their reprs (concepts CNN-PAD,
GEN-CAE's upsampling, T-TENSOR)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit import nn
from gradkit.autograd import gradcheck, gradgradcheck
from parity import assert_parity, random_inputs, requires_torch, torch

TF = None if torch is None else torch.nn.functional

MODES = ("constant", "reflect", "replicate", "circular")
# (input shape, pads from the last axis backwards): 1, 2 and 3 padded axes, batched and not,
# asymmetric amounts and negative (cropping) ones
PAD_CASES = [
    ((2, 3, 6), (2, 1)),
    ((3, 6), (0, 3)),
    ((2, 3, 6), (-1, 2)),
    ((2, 2, 5, 6), (1, 2, 3, 0)),
    ((2, 5, 6), (2, 2, 1, 1)),
    ((2, 2, 5, 6), (-2, 1, 2, -1)),
    ((1, 2, 4, 5, 6), (1, 2, 0, 3, 2, 1)),
    ((2, 4, 5, 6), (3, 0, -1, 2, 1, 1)),
]


def _case_id(case):
    return f"{'x'.join(map(str, case[0]))}-pad{'_'.join(map(str, case[1]))}"


@requires_torch
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", PAD_CASES, ids=_case_id)
def test_pad_parity(mode, case):
    """CNN-PAD: every mode of F.pad, PyTorch's (last axis first) order, equals PyTorch."""
    shape, pads = case
    kw = {"value": 1.5} if mode == "constant" else {}
    assert_parity(
        lambda x: F.pad(x, pads, mode=mode, **kw),
        lambda x: TF.pad(x, pads, mode=mode, **kw),
        random_inputs([shape]),
    )


@pytest.mark.parametrize("mode", MODES)
def test_pad_gradcheck_and_double_backward(mode):
    """CNN-PAD: the padding's backward is its exact adjoint, and differentiates again."""
    x = gk.tensor(random_inputs([(2, 3, 4, 5)])[0], requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 3), mode=mode), x)
    assert gradgradcheck(lambda t: F.pad(t, (2, 1, 1, 3), mode=mode) ** 2, x)


def test_pad_values_by_hand():
    """CNN-PAD: reflection leaves the edge out, replication repeats it, circular wraps."""
    x = gk.tensor([[[0.0, 1.0, 2.0, 3.0]]])
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[[2, 1, 0, 1, 2, 3, 2]]]
    assert F.pad(x, (2, 1), mode="replicate").tolist() == [[[0, 0, 0, 1, 2, 3, 3]]]
    assert F.pad(x, (2, 1), mode="circular").tolist() == [[[2, 3, 0, 1, 2, 3, 0]]]
    assert F.pad(x, (1, -2), value=-1.0).tolist() == [[[-1, 0, 1]]]
    # the fill value takes the input's dtype, as in PyTorch (int: truncated)
    ints = F.pad(gk.tensor([[1, 2]]), (1, 0), value=2.7)
    assert ints.dtype == np.int64 and ints.tolist() == [[2, 1, 2]]


@requires_torch
def test_pad_output_dtypes_match_torch():
    for dtype in (np.float32, np.float64, np.int64, np.bool_):
        x = np.ones((1, 2, 3), dtype=dtype)
        ours, theirs = F.pad(gk.tensor(x), (1, 1)), TF.pad(torch.tensor(x), (1, 1))
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_pad_errors_are_pytorchs():
    x = gk.zeros(1, 2, 3)
    with pytest.raises(RuntimeError, match="less than the corresponding input dimension"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="wrap around more than once"):
        F.pad(x, (4, 0), mode="circular")
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="two times the input dimension"):
        F.pad(x, (1,) * 8)
    with pytest.raises(NotImplementedError, match="padding size 6 is not supported for 3D"):
        F.pad(x, (1,) * 6, mode="replicate")
    with pytest.raises(NotImplementedError, match="unrecognised padding mode 'wrap'"):
        F.pad(x, (1, 1), mode="wrap")
    with pytest.raises(RuntimeError, match="doesn't take in value"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
    with pytest.raises(RuntimeError, match="negative size"):
        F.pad(x, (-2, -2))
    with pytest.raises(TypeError, match="sequence of ints"):
        F.pad(x, (1.5, 1))


PAD_LAYERS = [
    ("ZeroPad1d", (2,), (2, 3, 5)),
    ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ConstantPad1d", ((1, 3), 2.5), (2, 3, 5)),
    ("ConstantPad2d", (1, -1.0), (3, 4, 5)),
    ("ConstantPad3d", ((1, 0, 2, 0, 0, 1), 0.5), (1, 2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 5)),
    ("ReflectionPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ReplicationPad1d", ((3, 1),), (3, 5)),
    ("ReplicationPad2d", (2,), (2, 3, 4, 5)),
    ("ReplicationPad3d", ((1, 0, 2, 1, 0, 2),), (1, 2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 5)),
    ("CircularPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 5)),
]


@requires_torch
@pytest.mark.parametrize("name, args, shape", PAD_LAYERS, ids=[c[0] for c in PAD_LAYERS])
def test_padding_layers_match_torch(name, args, shape):
    """CNN-PAD: each padding layer computes F.pad and prints as PyTorch's does."""
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert_parity(ours, theirs, random_inputs([shape]))


def test_padding_layer_rejects_wrong_amounts():
    with pytest.raises(ValueError, match=r"padding must be an int or 4 ints"):
        nn.ReflectionPad2d((1, 2))


# ------------------------------------------------------------------ interpolate
def _interp_cases():
    sizes = {3: [(7,), (4,)], 4: [(5, 7), (3, 4)], 5: [(3, 4, 5)]}
    modes = {
        3: ["nearest", "nearest-exact", "linear", "area"],
        4: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
        5: ["nearest", "nearest-exact", "trilinear"],
    }
    # (kind, value): output sizes, integer and non-integer scale factors, downsampling
    # 2.1 and 1.05 resize some axes to exactly 2n and n, where the kernels take shortcuts
    how = [("size", 11), ("size", 3), ("scale_factor", 2.0), ("scale_factor", 1.7),
           ("scale_factor", 0.6), ("scale_factor", 3.0), ("scale_factor", 2.1),
           ("scale_factor", 1.05)]  # fmt: skip
    cases = []
    for ndim in (3, 4, 5):
        for mode, spatial, (kind, value) in itertools.product(modes[ndim], sizes[ndim], how):
            corners = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
            for align in corners:
                cases.append((mode, (2, 2, *spatial), kind, value, align))
    return cases


def _interp_id(case):
    mode, shape, kind, value, align = case
    corner = "" if align is None else f"-ac{int(align)}"
    return f"{mode}-{'x'.join(map(str, shape))}-{kind}{value}{corner}"


# Shapes whose scale factor PyTorch's own backward does not invert (see the test below):
# its 1-d/3-d nearest backward and bicubic backward take shortcuts its forward does not.
def _torch_backward_is_its_adjoint(mode, shape, kind, value):
    if kind != "scale_factor":
        return True
    out = [int(n * value) for n in shape[2:]]
    if mode == "nearest" and len(shape) != 4:
        return all(m not in (n, 2 * n) or value in (1.0, 2.0) for n, m in zip(shape[2:], out))
    if mode == "bicubic":
        return all(m != n or value == 1.0 for n, m in zip(shape[2:], out))
    return True


@requires_torch
@pytest.mark.parametrize("case", _interp_cases(), ids=_interp_id)
def test_interpolate_parity(case):
    """F.interpolate equals PyTorch index for index (non-integer scale factors use
    1/scale_factor, not in/out) in value, gradient and dtype."""
    mode, shape, kind, value, align = case
    kw = {kind: value if kind == "scale_factor" else (value,) * (len(shape) - 2)}
    if align is not None:
        kw["align_corners"] = align
    grad = _torch_backward_is_its_adjoint(mode, shape, kind, value)
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 2e-6)):
        arrays = random_inputs([shape], dtype=dtype)
        assert_parity(
            lambda x: F.interpolate(x, mode=mode, **kw),
            lambda x: TF.interpolate(x, mode=mode, **kw),
            arrays,
            atol=tol,
            rtol=tol,
            grad=grad,
        )
        ours = F.interpolate(gk.tensor(arrays[0]), mode=mode, **kw)
        assert ours.dtype == dtype


@requires_torch
def test_interpolate_special_index_rules():
    """The index rules that differ between PyTorch's kernels: a 4-d nearest resize to
    exactly 2n (or n) outputs copies by o // 2 (or o) whatever the scale factor, 1-d and
    3-d ones use ⌊o / scale_factor⌋; linear is the identity when the size is unchanged."""
    x = np.arange(10.0)
    cases = (((1, 1, 7), 2.1), ((1, 1, 1, 7), 2.1), ((1, 1, 10), 1.05), ((1, 1, 1, 10), 1.05))
    for shape, sf in cases:
        for mode in ("nearest", "nearest-exact", "linear" if len(shape) == 3 else "bilinear"):
            a = x[: shape[-1]].reshape(shape)
            ours = F.interpolate(gk.tensor(a), scale_factor=sf, mode=mode)
            theirs = TF.interpolate(torch.tensor(a), scale_factor=sf, mode=mode)
            np.testing.assert_allclose(
                ours.data, theirs.numpy(), rtol=1e-15, atol=0, err_msg=f"{shape} {mode}"
            )
    x7 = x[:7]
    assert F.interpolate(gk.tensor(x7.reshape(1, 1, 7)), scale_factor=2.1).tolist()[0][0][:4] == [
        0.0, 0.0, 0.0, 1.0,
    ]  # fmt: skip
    assert F.interpolate(gk.tensor(x7.reshape(1, 1, 1, 7)), scale_factor=2.1).tolist()[0][0][0][
        :4
    ] == [0.0, 0.0, 1.0, 1.0]


@requires_torch
def test_torch_backward_is_not_its_forwards_adjoint_in_two_cases():
    """Where PyTorch's backward differs from gradkit's, PyTorch's fails its own gradcheck
    (its backward is not the adjoint of its forward) and gradkit's passes: 1-d nearest
    resizing 7 → 14 by a 2.1 scale factor, bicubic 4 → 4 by 1.1."""
    for shape, kw in (((1, 1, 7), dict(scale_factor=2.1)),
                      ((1, 1, 4, 5), dict(scale_factor=1.1, mode="bicubic"))):  # fmt: skip
        t = torch.rand(*shape, dtype=torch.float64, requires_grad=True)
        assert not torch.autograd.gradcheck(
            lambda a, kw=kw: TF.interpolate(a, **kw), (t,), raise_exception=False
        )
        x = gk.tensor(t.detach().numpy(), requires_grad=True)
        assert gradcheck(lambda a, kw=kw: F.interpolate(a, **kw), x)


@pytest.mark.parametrize(
    "mode, shape",
    [("linear", (2, 2, 5)), ("bilinear", (1, 2, 4, 5)), ("bicubic", (1, 2, 4, 5)),
     ("trilinear", (1, 1, 3, 3, 4)), ("nearest", (1, 2, 4, 5)), ("area", (1, 2, 7, 5))],
)  # fmt: skip
def test_interpolate_gradcheck_and_double_backward(mode, shape):
    x = gk.tensor(random_inputs([shape])[0], requires_grad=True)
    kw = {"scale_factor": 1.5} if mode != "area" else {"size": (3, 2)}
    if mode not in ("nearest", "area"):
        kw["align_corners"] = mode == "bilinear"
    assert gradcheck(lambda t: F.interpolate(t, mode=mode, **kw), x)
    assert gradgradcheck(lambda t: F.interpolate(t, mode=mode, **kw) ** 2, x)


def test_interpolate_errors_are_pytorchs():
    x = gk.zeros(1, 2, 5, 4)
    with pytest.raises(NotImplementedError, match="but linear mode needs 3D input"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(3, 3, 3))
    with pytest.raises(ValueError, match="greater than 0"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        F.interpolate(x, size=3, recompute_scale_factor=True)
    with pytest.raises(NotImplementedError, match="unknown mode 'lanczos'"):
        F.interpolate(x, scale_factor=2, mode="lanczos")
    with pytest.raises(TypeError, match="floating-point"):
        F.interpolate(gk.zeros(1, 1, 2, 2, dtype=gk.int64), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="3-D, 4-D or 5-D"):
        F.interpolate(gk.zeros(2, 2), scale_factor=2)


@requires_torch
def test_upsample_layers_match_torch():
    layers = [
        ((), dict(scale_factor=2)),
        ((), dict(size=(3, 7), mode="bilinear", align_corners=True)),
        ((), dict(scale_factor=(2, 1.5), mode="bicubic")),
        ((), dict(scale_factor=2.5, mode="nearest-exact")),
    ]
    x = random_inputs([(2, 3, 4, 5)])
    for args, kw in layers:
        ours, theirs = nn.Upsample(*args, **kw), torch.nn.Upsample(*args, **kw)
        assert repr(ours) == repr(theirs)
        assert_parity(ours, theirs, x)
    for name in ("UpsamplingNearest2d", "UpsamplingBilinear2d"):
        ours, theirs = getattr(nn, name)(scale_factor=2), getattr(torch.nn, name)(scale_factor=2)
        assert repr(ours) == repr(theirs)
        assert_parity(ours, theirs, x)


def test_integer_nearest_resize_keeps_dtype():
    x = gk.tensor([[[1, 2], [3, 4]]]).reshape(1, 1, 2, 2)
    y = F.interpolate(x, scale_factor=2)
    assert y.dtype == np.int64 and y.tolist()[0][0][0] == [1, 1, 2, 2]
