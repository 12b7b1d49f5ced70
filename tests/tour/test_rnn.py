"""The evidence tour's RNN experiments (RNN-CELL … RNN-EMBED) in quick mode: every claim
the measurement supports is asserted, with its key numbers and margins."""

import pytest

from gradkit.data import load_mnist, load_tiny_shakespeare
from gradkit.tour.registry import EXPERIMENTS

try:
    load_mnist("test", download=False)
    load_tiny_shakespeare(download=False)
    from gradkit.data import load_mnist1d

    load_mnist1d()
except FileNotFoundError:
    pytest.skip(
        "MNIST, MNIST-1D or Tiny Shakespeare not found: set GRADKIT_DATA to the folder "
        "holding mnist/, mnist1d/ and tinyshakespeare/",
        allow_module_level=True,
    )

import gradkit.tour.experiments.rnn  # noqa: E402, F401  (registers the experiments)
import gradkit.tour.experiments.rnn_units  # noqa: E402, F401

pytestmark = pytest.mark.slow

IDS = ["RNN-CELL", "RNN-SHAPES", "RNN-BPTT", "RNN-LSTM", "RNN-GRU", "RNN-BI", "RNN-ESN",
       "RNN-SOFTSIGN", "RNN-EMBED"]  # fmt: skip


@pytest.fixture(scope="module")
def found():
    return {id_: EXPERIMENTS[id_](quick=True) for id_ in IDS}


@pytest.mark.parametrize("id_", IDS)
def test_every_claim_supported(found, id_):
    for check in found[id_].checks:
        assert check.supported, f"{id_}: {check.claim}: {check.measured}"


@pytest.mark.parametrize("id_", IDS)
def test_figure_draws(found, id_):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    found[id_].draw(fig)
    assert fig.axes


def test_rnn_cell_state_carries_the_past(found):
    n = found["RNN-CELL"].numbers
    assert n["loop_error"] < 1e-5
    assert n["accuracy_recurrent"] > 0.95 and n["accuracy_feedforward"] < 0.6


def test_rnn_shapes(found):
    n = found["RNN-SHAPES"].numbers
    assert n["shapes"] == {
        "many-to-one": [[28, 28], [10]],
        "many-to-many": [[39, 1], [39, 1]],
        "one-to-many": [[10], [12, 1]],
    }
    assert n["many_to_one_accuracy"] > 0.6
    assert n["many_to_many_mse_ratio"] < 0.8 and n["one_to_many_mse_ratio"] < 0.1


def test_rnn_bptt_vanishing_and_truncation(found):
    n = found["RNN-BPTT"].numbers
    assert n["grad_decay_lag30"] < 1e-3
    assert n["grad_beyond_truncation"] == 0.0 and n["grad_within_truncation"] > 0
    assert n["accuracy_full"] > 0.95 and n["accuracy_truncated_long"] > 0.95
    assert n["accuracy_truncated_short"] < 0.7


def test_rnn_lstm_forget_gate_and_long_lag(found):
    n = found["RNN-LSTM"].numbers
    keep = n["grad_keep_lag30_fresh"]
    assert keep["LSTM b_f=4"] > 1e-2 and keep["tanh RNN"] < 1e-6
    assert keep["LSTM b_f=0"] < keep["LSTM b_f=2"] < keep["LSTM b_f=4"]
    assert min(n["accuracy_lstm"]) > 0.9 and n["accuracy_rnn"][-1] < 0.6


def test_rnn_gru_against_lstm(found):
    n = found["RNN-GRU"].numbers
    assert 4 * n["params_gru"] == 3 * n["params_lstm"]
    assert 4 * n["macs_per_step_gru"] == 3 * n["macs_per_step_lstm"]
    assert abs(n["val_accuracy_gru"] - n["val_accuracy_lstm"]) < 0.05
    # the measured time ratio is a timing (not asserted beyond the supported check above)


def test_rnn_bi_esn_softsign_embed(found):
    bi = found["RNN-BI"].numbers
    assert bi["two_rnn_error"] < 1e-5
    assert bi["accuracy_bidirectional"] > 0.95 and bi["accuracy_unidirectional"] < 0.6
    esn = found["RNN-ESN"].numbers
    assert esn["reservoir_fixed"] and abs(esn["spectral_radius"] - 0.9) < 1e-6
    assert esn["nrmse"] < 0.05 and esn["nrmse"] < esn["nrmse_persistence"] / 3
    soft = found["RNN-SOFTSIGN"].numbers
    assert soft["threshold_softsign"] > 2.5 * soft["threshold_tanh"]
    assert soft["saturated_softsign"] < soft["saturated_tanh"] / 2
    emb = found["RNN-EMBED"].numbers
    assert emb["lookup_error"] < 1e-6 and emb["grad_rows"] == [1, 3, 7]
    assert emb["vowel_purity_after"] >= 0.8 and emb["consonant_purity_after"] >= 0.8
