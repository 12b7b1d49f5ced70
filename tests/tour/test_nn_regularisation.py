"""Tour experiments NN-DROPOUT, NN-L1L2, NN-EARLYSTOP, NN-CAPACITY: each canon claim is
measured and asserted (quick mode)."""

from __future__ import annotations

import pytest

from gradkit.tour.experiments import nn_regularisation
from needs_data import require_files

pytestmark = pytest.mark.slow
IDS = ["NN-DROPOUT", "NN-L1L2", "NN-EARLYSTOP", "NN-CAPACITY"]


@pytest.fixture(scope="module")
def found():
    require_files("mnist/t10k-images-idx3-ubyte.gz")
    require_files("mnist1d/mnist1d_data.npz")
    return {
        "NN-DROPOUT": nn_regularisation.nn_dropout(True),
        "NN-L1L2": nn_regularisation.nn_l1l2(True),
        "NN-EARLYSTOP": nn_regularisation.nn_earlystop(True),
        "NN-CAPACITY": nn_regularisation.nn_capacity(True),
    }


@pytest.mark.parametrize("cid", IDS)
def test_every_claim_is_supported(found, cid):
    failed = [c for c in found[cid].checks if not c.supported]
    assert not failed, failed


def test_nn_dropout_gap_dose_response_and_mechanism(found):
    n = found["NN-DROPOUT"].numbers
    r = n["runs"]
    assert r["0.5"]["gap"] < 0.8 * r["0.0"]["gap"]
    assert abs(r["0.1"]["test_acc"] - r["0.0"]["test_acc"]) < 0.015
    assert r["0.9"]["train_acc"] < r["0.5"]["train_acc"] - 0.05
    # p is the DROP probability: Dropout(0.8) zeroes 80 %, keeps the rest ×5.
    assert n["dropped_fraction"] == pytest.approx(0.8, abs=0.01)
    assert n["kept_value"] == pytest.approx(5.0)
    assert n["agreement"] > 0.95 and n["ensemble_acc"] > n["single_mask_acc"]


def test_nn_l1l2_shrinkage_grows_with_lambda(found):
    n = found["NN-L1L2"].numbers
    l2 = [n["l2"][str(lam)]["norm"] for lam in n["lams_l2"]]
    l1 = [n["l1"][str(lam)]["norm"] for lam in n["lams_l1"]]
    assert all(b < a for a, b in zip(l2, l2[1:]))
    assert all(b < a for a, b in zip(l1, l1[1:]))
    assert n["decay_step"] == pytest.approx([0.95] * 3)


def test_nn_earlystop_stop_epoch_and_restored_best(found):
    n = found["NN-EARLYSTOP"].numbers
    assert n["epochs_run"] == n["best_epoch"] + n["patience"]
    assert n["restored_val_loss"] == pytest.approx(min(n["val_loss"]), abs=1e-4)
    assert n["val_loss"][-1] > min(n["val_loss"])
    assert n["test_selection_optimism"] > 0


def test_nn_capacity_deep_beats_shallow_with_fewer_parameters(found):
    n = found["NN-CAPACITY"].numbers
    r = n["results"]
    shallow = [v for v in r.values() if v["kind"] == "shallow"]
    assert n["deep_min"] is not None and n["shallow_min"] is None  # no shallow net gets there
    assert max(v["params"] for v in shallow) > 3 * n["deep_min"][0]
    assert r[n["deep_min"][1]]["acc"] >= n["target"] > max(v["acc"] for v in shallow)
    assert all(v["summary_ok"] for v in r.values())


@pytest.mark.parametrize("cid", IDS)
def test_draws_on_a_figure(found, cid):
    from matplotlib.figure import Figure

    fig = Figure()
    found[cid].draw(fig)
    assert fig.axes and all(ax.has_data() for ax in fig.axes)
