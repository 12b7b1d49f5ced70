"""The evidence tour's CNN experiments (CNN-CONV … CNN-INVARIANCE) in quick mode: every
claim the measurement supports is asserted, with its key numbers and margins."""

import numpy as np
import pytest

from gradkit.data import load_mnist
from gradkit.tour.registry import EXPERIMENTS

try:
    load_mnist("test", download=False)
except FileNotFoundError:
    pytest.skip(
        "MNIST not found: set GRADKIT_DATA to the folder holding mnist/", allow_module_level=True
    )

import gradkit.tour.experiments.cnn  # noqa: E402, F401  (registers the experiments)
import gradkit.tour.experiments.cnn_arch  # noqa: E402, F401

pytestmark = pytest.mark.slow

IDS = ["CNN-CONV", "CNN-PAD", "CNN-SIZE", "CNN-STRIDE", "CNN-POOL", "CNN-FC", "CNN-ARCH",
       "CNN-RESNET", "CNN-INVARIANCE"]  # fmt: skip


@pytest.fixture(scope="module")
def found():
    return {id_: EXPERIMENTS[id_](quick=True) for id_ in IDS}


@pytest.mark.parametrize("id_", IDS)
def test_every_claim_supported(found, id_):
    for check in found[id_].checks:
        assert check.supported, f"{id_}: {check.claim}: {check.measured}"


@pytest.mark.parametrize("id_", IDS)
def test_figure_draws(found, id_):
    matplotlib = pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    assert matplotlib is not None
    fig = Figure()
    found[id_].draw(fig)
    assert fig.axes


def test_cnn_conv_edges_blur_sharpen_and_parameter_sharing(found):
    n = found["CNN-CONV"].numbers
    assert n["flat_response_max"] < 1e-5 and n["edge_share"] > 0.9
    assert n["vertical_bar_ratio"] > 2 and n["horizontal_bar_ratio"] > 2
    assert n["blur_tv_ratio"] < 0.8 and n["sharpen_tv_ratio"] > 1.2
    assert n["resharpened_error"] < n["blur_error"]
    assert n["conv_params"] == 80 and n["dense_params"] == 784 * 6272 + 6272


def test_cnn_pad_size_stride_pool_formulas(found):
    pad = found["CNN-PAD"].numbers
    assert pad["valid_mismatches"] == 0 and pad["same_mismatches"] == 0
    assert pad["digit_valid"] == [24, 24] and pad["digit_same"] == [28, 28]
    size = found["CNN-SIZE"].numbers
    assert size["mismatches"] == 0 and size["pool_mismatches"] == 0
    assert size["rounded_down"] > 0 and size["error_quotes_formula"]
    stride = found["CNN-STRIDE"].numbers
    assert stride["sides"] == [28, 14, 10, 7] and stride["max_subsample_diff"] < 1e-5
    pool = found["CNN-POOL"].numbers
    blocks = np.array(pool["example"]).reshape(3, 2, 3, 2)
    assert np.array_equal(pool["max_pooled"], blocks.max(axis=(1, 3)))  # 6×6 → 3×3
    assert np.allclose(pool["avg_pooled"], blocks.mean(axis=(1, 3)))
    assert np.array_equal(pool["min_pooled"], blocks.min(axis=(1, 3)))
    assert pool["digit_pooled_shape"] == [14, 14] and pool["all_halved"]


def test_cnn_fc_and_arch(found):
    fc = found["CNN-FC"].numbers
    assert fc["flat_size"] == 400 and fc["flatten_order_ok"]
    assert fc["head_params"] > 10 * fc["feature_params"]
    arch = found["CNN-ARCH"].numbers
    assert arch["vgg16_params"] == 138_357_544
    assert arch["vgg16_conv_params"] == 14_714_688
    assert arch["lenet_accuracy"] > 0.8


def test_cnn_resnet_gradient_flow(found):
    n = found["CNN-RESNET"].numbers
    assert n["identity_error"] < 1e-6
    assert n["grad_spread_residual"] * 2 < n["grad_spread_plain"]
    assert n["final_loss_residual"] < n["final_loss_plain"] - 0.15


def test_cnn_invariance_shift_not_rotation(found):
    n = found["CNN-INVARIANCE"].numbers
    shift, rot = n["shift_change"], n["rotation_change"]
    assert all(a > b for a, b in zip(shift, shift[1:]))  # larger window, more invariant
    assert shift[-1] < 0.05 * shift[0]  # global pooling: a 1-pixel shift changes nothing
    assert all(r > 1.5 * s for r, s in zip(rot[:4], shift[:4]))
    assert 3 * (n["accuracy"] - n["accuracy_shift1"]) < n["accuracy"] - n["accuracy_rot30"]
