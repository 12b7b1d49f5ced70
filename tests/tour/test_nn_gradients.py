"""Tour experiments NN-VANISH, NN-EXPLODE, NN-DYING-RELU, NN-INIT: each canon claim is
measured and asserted (quick mode)."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.tour.experiments import nn_gradients
from needs_data import require_files

pytestmark = pytest.mark.slow
IDS = ["NN-VANISH", "NN-EXPLODE", "NN-DYING-RELU", "NN-INIT"]


@pytest.fixture(scope="module")
def found():
    require_files("mnist/t10k-images-idx3-ubyte.gz")
    return {
        "NN-VANISH": nn_gradients.nn_vanish(True),
        "NN-EXPLODE": nn_gradients.nn_explode(True),
        "NN-DYING-RELU": nn_gradients.nn_dying_relu(True),
        "NN-INIT": nn_gradients.nn_init(True),
    }


@pytest.mark.parametrize("cid", IDS)
def test_every_claim_is_supported(found, cid):
    failed = [c for c in found[cid].checks if not c.supported]
    assert not failed, failed


def test_nn_vanish_sigmoid_vs_relu_vs_batchnorm(found):
    n = found["NN-VANISH"].numbers
    r = n["ratio_first_last"]
    assert r["sigmoid"] < 1e-3
    assert 0.1 < r["ReLU"] < 10 and 0.1 < r["sigmoid + BN"] < 10
    assert n["first_layer_moved"]["ReLU"] > 100 * n["first_layer_moved"]["sigmoid"]
    t = n["through_time"]
    assert t["tanh RNN"][-1] < 1e-6
    assert t["LSTM (forget bias 1)"][-1] > 1e3 * t["tanh RNN"][-1]


def test_nn_explode_clipping_rescues(found):
    n = found["NN-EXPLODE"].numbers
    assert max(n["grad_norm_plain"]) > 1e6 and n["acc_plain"] < 0.2
    assert n["acc_clipped"] > 0.75


def test_nn_explode_is_deterministic(found):
    """A second run gives the same numbers: the outcome cannot flip between runs."""
    again = nn_gradients.nn_explode(True)
    np.testing.assert_equal(again.numbers, found["NN-EXPLODE"].numbers)


def test_nn_dying_relu_fractions(found):
    n = found["NN-DYING-RELU"].numbers
    lo, hi = n["ReLU|bias=0|lr=0.01"], n["ReLU|bias=0|lr=0.1"]
    leaky = n["leaky ReLU|bias=0|lr=0.1"]
    assert hi["dead"] > 0.5 and hi["dead"] > 3 * lo["dead"]
    assert leaky["dead"] == 0.0
    rb, lb = n["ReLU|bias=-3|lr=0.01"], n["leaky ReLU|bias=-3|lr=0.01"]
    assert rb["dead"] > 0.99 and rb["weights_unchanged"]
    assert lb["negative"] < 0.6 and lb["acc"] > rb["acc"] + 0.4


def test_nn_init_symmetry_and_scales(found):
    n = found["NN-INIT"].numbers
    assert n["symmetric"]["zeros"]["distinct_units"] == 1
    assert n["symmetric"]["constant 0.05"]["distinct_units"] == 1
    assert n["symmetric"]["zeros"]["acc"] <= n["linear_acc"]
    g = n["first_layer_grad_at_init"]
    assert g["small"] < 1e-6 * g["he"] and g["large"] > 1e6 * g["he"]
    a = n["acc_by_scheme"]
    assert min(a["xavier"], a["he"]) > 0.8 > 0.3 > max(a["zeros"], a["small"])


@pytest.mark.parametrize("cid", IDS)
def test_draws_on_a_figure(found, cid):
    from matplotlib.figure import Figure

    fig = Figure()
    found[cid].draw(fig)
    assert fig.axes and all(ax.has_data() for ax in fig.axes)
