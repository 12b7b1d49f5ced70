"""GEN-RBM, GEN-DBN: the RBM against scikit-learn's BernoulliRBM (free energy,
pseudo-likelihood, the PCD update) and on binarized MNIST; the DBN's fine-tuning."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.models.rbm import DBN, RBM

pytest.importorskip("sklearn")
from sklearn.neural_network import BernoulliRBM  # noqa: E402


def _copy_weights(sk: BernoulliRBM, n_features: int) -> RBM:
    ours = RBM(n_components=sk.n_components).fit(np.zeros((2, n_features)))
    ours.components_ = sk.components_.copy()
    ours.intercept_hidden_ = sk.intercept_hidden_.copy()
    ours.intercept_visible_ = sk.intercept_visible_.copy()
    return ours


def _binary(n=40, d=12, seed=0):
    return (np.random.default_rng(seed).random((n, d)) < 0.3).astype(np.float64)


def test_free_energy_transform_and_pll_match_sklearn():
    """F(v), p(h|v) and the pseudo-log-likelihood (same flipped bits) equal sklearn's."""
    X = _binary()
    sk = BernoulliRBM(n_components=5, n_iter=3, random_state=0).fit(X)
    ours = _copy_weights(sk, X.shape[1])
    np.testing.assert_allclose(ours.free_energy(X), sk._free_energy(X), rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X), sk.transform(X), rtol=1e-12)
    flip = np.random.RandomState(0).randint(0, X.shape[1], X.shape[0])
    sk.random_state = 0  # sklearn draws the flipped bits from RandomState(random_state)
    np.testing.assert_allclose(ours.score_samples(X, flip=flip), sk.score_samples(X), rtol=1e-12)


def test_free_energy_matches_enumeration():
    """F(v) = −log Σ_h exp(−E(v, h)) by summing over all 2^H hidden states."""
    X = _binary(n=5, d=4)
    rbm = RBM(n_components=3, n_iter=2, random_state=1).fit(X)
    W, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    H = np.array([[(k >> j) & 1 for j in range(3)] for k in range(8)], dtype=float)
    energy = -(X @ b)[:, None] - (H @ c)[None, :] - X @ W.T @ H.T
    expected = -np.log(np.exp(-energy).sum(axis=1))
    np.testing.assert_allclose(rbm.free_energy(X), expected, rtol=1e-10)


def test_pcd_update_matches_sklearn_step():
    """One PCD-1 step with the same weights, chains and sampled visibles gives sklearn's
    update: W += η/B (h⁺ᵀ v⁺ − h⁻ᵀ v⁻), and the same for the biases."""
    X = _binary(n=10, d=8)
    sk = BernoulliRBM(n_components=4, batch_size=10, learning_rate=0.1, random_state=0)
    sk.partial_fit(X)  # initializes, one step
    ours = _copy_weights(sk, 8)
    ours.set_params(persistent=True, learning_rate=0.1, batch_size=10)
    ours.h_samples_ = sk.h_samples_.copy()
    v_neg = (np.random.default_rng(3).random((10, 8)) < 0.5).astype(float)
    h_pos = ours._mean_hiddens(X)
    h_neg = ours._mean_hiddens(v_neg)
    W0 = ours.components_.copy()
    ours._negative_phase = lambda v, h: (v_neg, h_neg)  # fix the sampled chain state
    ours._velocity = [
        np.zeros_like(p) for p in (W0, ours.intercept_hidden_, ours.intercept_visible_)
    ]
    ours._update(X)
    np.testing.assert_allclose(ours.components_ - W0, 0.01 * (h_pos.T @ X - h_neg.T @ v_neg))


def test_gibbs_and_sample_shapes_and_validation():
    X = _binary()
    rbm = RBM(n_components=4, n_iter=2, random_state=0).fit(X)
    assert rbm.gibbs(X[:3], n_steps=2, random_state=0).shape == (3, 12)
    assert set(np.unique(rbm.sample(5, n_steps=3, random_state=0))) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="features"):
        rbm.transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        RBM().fit(X * 3)


def test_fit_is_deterministic():
    X = _binary()
    a = RBM(n_components=4, n_iter=3, random_state=7).fit(X).components_
    b = RBM(n_components=4, n_iter=3, random_state=7).fit(X).components_
    np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_rbm_mnist_pll_improves_and_matches_sklearn(mnist_binary):
    """CD-1, 256 hidden on 5,000 binarized MNIST digits, 4 epochs: the monitored PLL rises
    every epoch, and the test PLL (same flipped bits for both) is no worse than that of
    sklearn's BernoulliRBM with the same hyperparameters trained on the same data."""
    X, _, Xt, _ = mnist_binary
    X, Xt = X[:5000].astype(np.float64), Xt[:2000].astype(np.float64)
    params = dict(n_components=256, learning_rate=0.05, batch_size=20, n_iter=4, random_state=0)
    ours = RBM(**params).fit(X)
    pll = ours.history_["pseudo_log_likelihood"]
    assert all(b > a for a, b in zip(pll, pll[1:])), pll
    sk = BernoulliRBM(**params).fit(X)
    flip = np.random.default_rng(1).integers(0, 784, len(Xt))
    ours_pll = ours.score_samples(Xt, flip=flip).mean()
    sk_pll = _copy_weights(sk, 784).score_samples(Xt, flip=flip).mean()
    print(f"test PLL: gradkit CD-1 {ours_pll:.2f}, sklearn BernoulliRBM {sk_pll:.2f}")
    assert ours_pll >= sk_pll


@pytest.mark.slow
def test_dbn_finetuning_beats_pretrained_features(mnist_binary):
    """A small DBN (784-128-64) pre-trained and fine-tuned on 10,000 digits reaches ≥ 90%
    test accuracy (the full-size 784-500-500 run is examples/rbm_dbn_mnist.py)."""
    X, y, Xt, yt = mnist_binary
    dbn = DBN(
        hidden_layer_sizes=(128, 64),
        rbm_learning_rate=0.05,
        rbm_batch_size=20,
        rbm_n_iter=2,
        finetune_epochs=8,
        finetune_lr=0.1,
        random_state=0,
    ).fit(X[:10000], y[:10000])
    acc = (dbn.predict(Xt[:2000]) == yt[:2000]).mean()
    print(f"DBN 784-128-64-10 on 10k digits: test accuracy {acc:.4f}")
    assert acc >= 0.90
    assert dbn.transform(Xt[:3]).shape == (3, 64)
