"""``interpolate`` boundary inputs and refusals against PyTorch (CNN-UPSAMPLE): sizes as
lists and NumPy ints, an output of length 1 with align_corners, a scale factor that keeps
the size but moves the samples, integer nearest resizing, and each refused combination
with the message naming the problem."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


CASES = [
    ("bilinear", (1, 2, 4, 6), dict(size=[3, np.int64(5)])),
    ("linear", (1, 2, 6), dict(size=1, align_corners=True)),
    ("bilinear", (1, 1, 5, 6), dict(size=(1, 4), align_corners=True)),
    ("nearest", (1, 2, 5), dict(scale_factor=1.1)),  # 5 → 5 outputs, samples at o / 1.1
    ("nearest-exact", (1, 2, 6), dict(scale_factor=1.1)),
    ("bicubic", (1, 1, 5, 6), dict(scale_factor=1.1)),
    ("bicubic", (1, 1, 4, 5), dict(size=(6, 3), align_corners=True)),
    ("nearest", (1, 1, 3, 4, 5), dict(scale_factor=1.1)),
    ("area", (1, 2, 7), dict(size=3)),
    ("area", (1, 2, 5, 7), dict(scale_factor=0.5)),
    ("trilinear", (1, 1, 2, 3, 4), dict(size=(3, 3, 2), align_corners=True)),
]


@pytest.mark.parametrize(("mode", "shape", "kw"), CASES)
def test_interpolate_edges_match_torch(mode, shape, kw):
    """CNN-UPSAMPLE: values and the gradient of a weighted sum equal PyTorch's."""
    x, tkw = _x(shape), dict(kw)
    if "size" in tkw and isinstance(tkw["size"], list):
        tkw["size"] = [int(s) for s in tkw["size"]]
    t = torch.tensor(x, requires_grad=True)
    want = TF.interpolate(t, mode=mode, **tkw)
    g = gk.tensor(x, requires_grad=True)
    got = F.interpolate(g, mode=mode, **kw)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-12)
    if kw.get("scale_factor") == 1.1 and mode in ("nearest", "bicubic"):
        # the size is kept: PyTorch's backward there is not its forward's adjoint (see
        # test_functional_pad_interpolate), so the adjoint is checked by finite differences
        assert gradcheck(lambda v: F.interpolate(v, mode=mode, **kw), g)
        return
    w = _x(tuple(want.shape), 1)
    (want * torch.tensor(w)).sum().backward()
    (got * gk.tensor(w)).sum().backward()
    np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_interpolate_integer_nearest():
    """CNN-UPSAMPLE: nearest and nearest-exact resize integer input, keeping its dtype."""
    x = np.arange(12, dtype=np.uint8).reshape(1, 1, 3, 4)
    for mode in ("nearest", "nearest-exact"):
        want = TF.interpolate(torch.tensor(x), size=(5, 3), mode=mode).numpy()
        got = F.interpolate(gk.tensor(x), size=(5, 3), mode=mode)
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize(
    ("shape", "kw", "err", "match"),
    [
        ((1, 1, 4), dict(size=2, scale_factor=2.0), ValueError, "only one of size"),
        ((1, 1, 4), dict(), ValueError, "either size or scale_factor"),
        ((1, 1, 4), dict(size=2, recompute_scale_factor=True), ValueError, "recompute_scale"),
        ((1, 1, 4), dict(size=2.0), TypeError, "size must be an int"),
        ((1, 1, 4, 4), dict(size=(2, 2, 2)), ValueError, "and size must have the same"),
        ((1, 1, 4, 4), dict(scale_factor=(2.0,)), ValueError, "and scale_factor must have"),
        ((1, 1, 4), dict(scale_factor=0.2), ValueError, "greater than 0"),
        ((1, 1, 4), dict(size=2, align_corners=False), ValueError, "align_corners option"),
        ((1, 1, 4), dict(size=2, mode="area", align_corners=True), ValueError, "align_corners"),
        ((1, 1, 4), dict(size=2, mode="nearest-exact", align_corners=False), ValueError, "align_"),
        ((1, 1, 4), dict(size=2, mode="linear", antialias=True), NotImplementedError, "antiali"),
        ((1, 4), dict(size=2), ValueError, "3-D, 4-D or 5-D"),
        ((1, 1, 4, 4), dict(size=2, mode="linear"), NotImplementedError, "linear mode needs 3D"),
        ((1, 1, 4), dict(size=2, mode="bilinear"), NotImplementedError, "needs 4D"),
        ((1, 1, 2, 2, 4), dict(size=2, mode="area"), NotImplementedError, "3-D and 4-D"),
        ((1, 1, 4), dict(size=2, mode="cubic"), NotImplementedError, "unknown mode 'cubic'"),
    ],
)
def test_interpolate_refusals(shape, kw, err, match):
    """CNN-UPSAMPLE: each combination PyTorch refuses is refused with a message naming it."""
    with pytest.raises(err, match=match):
        F.interpolate(gk.tensor(_x(shape)), **kw)


def test_interpolate_integer_input_needs_nearest():
    """CNN-UPSAMPLE: interpolating modes refuse integer input, naming the dtype."""
    with pytest.raises(TypeError, match="needs a floating-point input, got int64"):
        F.interpolate(gk.tensor(np.arange(4).reshape(1, 1, 4)), size=3, mode="linear")
