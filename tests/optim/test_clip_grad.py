"""Gradient clipping equals torch.nn.utils' (concept NN-EXPLODE)."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.optim import clip_grad_norm_, clip_grad_value_
from parity import requires_torch, torch


def with_grads(seed, scale, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 2, 2)]
    grads = [scale * rng.standard_normal(s).astype(dtype) for s in shapes]
    gk_params = [gk.zeros(*s, dtype=dtype, requires_grad=True) for s in shapes]
    th_params = [
        torch.zeros(s, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
        for s in shapes
    ]
    for p, q, g in zip(gk_params, th_params, grads):
        p.grad = gk.tensor(g.copy())
        q.grad = torch.tensor(g.copy())
    return gk_params, th_params


@requires_torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("scale", [0.01, 10.0])
def test_clip_grad_norm_matches_torch(norm_type, scale):
    """NN-EXPLODE: same total norm returned and same clipped gradients as torch."""
    ours, theirs = with_grads(0, scale)
    total = clip_grad_norm_(ours, max_norm=1.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.5, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12, atol=0)
    if scale == 10.0:  # clipped: the new joint norm is max_norm
        new = clip_grad_norm_(ours, max_norm=1e9, norm_type=norm_type).item()
        assert new == pytest.approx(1.5, rel=1e-5)


@requires_torch
def test_clip_grad_norm_float32_and_skips_missing_grads():
    ours, theirs = with_grads(1, 5.0, np.float32)
    ours.append(gk.zeros(2, requires_grad=True))  # no gradient: skipped
    total = clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.item() == pytest.approx(expected.item(), rel=1e-6)
    for p, q in zip(ours, theirs):
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-6)
    assert clip_grad_norm_([gk.zeros(1, requires_grad=True)], 1.0).item() == 0.0


@requires_torch
def test_clip_grad_norm_infinite_max_norm_only_measures():
    """NN-EXPLODE: max_norm=inf (PyTorch's idiom for logging the norm) returns the joint
    norm and leaves the gradients as they are; NaN and negative limits are refused."""
    ours, theirs = with_grads(2, 10.0)
    before = [p.grad.numpy().copy() for p in ours]
    total = clip_grad_norm_(ours, float("inf"))
    expected = torch.nn.utils.clip_grad_norm_(theirs, float("inf"))
    assert total.item() == pytest.approx(expected.item(), rel=1e-6)
    for p, b in zip(ours, before):
        np.testing.assert_array_equal(p.grad.numpy(), b)
    for bad in (float("nan"), -1.0, -float("inf")):
        with pytest.raises(ValueError, match="max_norm"):
            clip_grad_norm_(ours, bad)


def test_clip_grad_norm_nonfinite():
    p = gk.zeros(2, requires_grad=True)
    p.grad = gk.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


@requires_torch
def test_clip_grad_value_matches_torch():
    """NN-EXPLODE: elementwise clamping of gradients equals torch's."""
    ours, theirs = with_grads(2, 3.0)
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, q.grad.numpy())
    assert max(np.abs(p.grad.data).max() for p in ours) == 0.7
