"""``interpolate`` options no other test reaches (concepts CNN-UPSAMPLE, T-AUTODIFF):
``recompute_scale_factor``, per-axis scale factors and sizes given as one int. Oracle:
PyTorch in float64, forward and gradients."""

from __future__ import annotations

import pytest

import gradkit.nn.functional as F
from parity import assert_parity, random_inputs, requires_torch, torch

TF = None if torch is None else torch.nn.functional

CASES = [
    ("nearest", (1, 2, 5, 7), dict(scale_factor=1.7, recompute_scale_factor=True)),
    ("nearest", (1, 2, 5, 7), dict(scale_factor=1.7, recompute_scale_factor=False)),
    ("bilinear", (1, 2, 5, 7), dict(scale_factor=(1.7, 0.6), recompute_scale_factor=True)),
    ("bicubic", (1, 2, 5, 7), dict(scale_factor=(2.5, 1.3), recompute_scale_factor=True)),
    ("nearest-exact", (1, 2, 9), dict(scale_factor=0.7, recompute_scale_factor=True)),
    ("linear", (1, 2, 9), dict(scale_factor=(1.5,), align_corners=True)),
    ("bilinear", (1, 2, 4, 6), dict(size=5)),
    ("trilinear", (1, 1, 3, 4, 5), dict(scale_factor=(2.0, 1.5, 0.8))),
    ("nearest", (1, 1, 3, 4, 5), dict(size=(4, 2, 7))),
]


@requires_torch
@pytest.mark.parametrize("mode, shape, kw", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_interpolate_options_match_torch(mode, shape, kw):
    """With recompute_scale_factor=True the sampling positions use in/out, not
    1/scale_factor; tuples give one scale factor per spatial axis."""
    assert_parity(
        lambda x: F.interpolate(x, mode=mode, **kw),
        lambda x: TF.interpolate(x, mode=mode, **kw),
        random_inputs([shape], seed=len(shape)),
        atol=1e-12,
        rtol=1e-12,
    )
