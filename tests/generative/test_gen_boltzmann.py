"""GEN-BM: the Boltzmann machine's exact gradient against finite differences of the exact
log-likelihood, its Gibbs sampler against the enumerated distribution, and KL(data ‖ model)
falling during training on a distribution with known structure."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.models.boltzmann import BoltzmannMachine, all_states


def _two_mode_data(n=400, seed=0):
    """A known distribution over 4 bits: an equal mixture of two product Bernoullis,
    p = (0.9, 0.9, 0.1, 0.1) and (0.1, 0.1, 0.9, 0.9). Needs a hidden unit for the mode."""
    rng = np.random.default_rng(seed)
    mode = rng.random(n) < 0.5
    p = np.where(mode[:, None], [0.9, 0.9, 0.1, 0.1], [0.1, 0.1, 0.9, 0.9])
    return (rng.random((n, 4)) < p).astype(float)


def test_exact_gradient_matches_finite_differences():
    """∂⟨log p(v)⟩/∂W_ij = ⟨s_i s_j⟩_clamped − ⟨s_i s_j⟩_free, checked by central
    differences of the enumerated log-likelihood."""
    X = _two_mode_data(50)
    bm = BoltzmannMachine(n_hidden=2, n_iter=3, random_state=0).fit(X)
    gW, gb = bm.gradient(X)
    eps = 1e-6
    n = len(bm.bias_)
    for i, j in [(0, 1), (0, 5), (3, 4), (4, 5)]:
        W0 = bm.weights_.copy()
        for sign in (1, -1):
            bm.weights_ = W0.copy()
            bm.weights_[i, j] += sign * eps
            bm.weights_[j, i] += sign * eps
            if sign == 1:
                up = bm.log_likelihood(X)
            else:
                down = bm.log_likelihood(X)
        bm.weights_ = W0
        # W_ij and W_ji move together: dL = (g_ij + g_ji)·ε and E = −½ sᵀWs counts each pair once
        np.testing.assert_allclose((up - down) / (2 * eps), gW[i, j], rtol=1e-5, atol=1e-8)
    for i in range(n):
        b0 = bm.bias_.copy()
        bm.bias_[i] += eps
        up = bm.log_likelihood(X)
        bm.bias_[i] -= 2 * eps
        down = bm.log_likelihood(X)
        bm.bias_ = b0
        np.testing.assert_allclose((up - down) / (2 * eps), gb[i], rtol=1e-5, atol=1e-8)


def test_energy_and_visible_marginal_by_enumeration():
    bm = BoltzmannMachine(n_hidden=1, n_iter=1, random_state=0).fit(_two_mode_data(20)[:, :3])
    S = all_states(4)
    e = -0.5 * np.einsum("ni,ij,nj->n", S, bm.weights_, S) - S @ bm.bias_
    np.testing.assert_allclose(bm.energy(S), e)
    p = np.exp(-e) / np.exp(-e).sum()
    np.testing.assert_allclose(np.exp(bm.visible_log_probs()), p.reshape(8, 2).sum(axis=1))


def _kl_to_truth(X):
    """KL(empirical ‖ true mixture): the fit of the generating distribution itself."""
    S = all_states(4)
    a, b = [0.9, 0.9, 0.1, 0.1], [0.1, 0.1, 0.9, 0.9]
    p = 0.5 * np.prod(np.where(S == 1, a, b), 1) + 0.5 * np.prod(np.where(S == 1, b, a), 1)
    idx = (X @ [8, 4, 2, 1]).astype(int)
    emp = np.bincount(idx, minlength=16) / len(X)
    m = emp > 0
    return float((emp[m] * np.log(emp[m] / p[m])).sum())


def test_exact_training_lowers_kl():
    """KL(data ‖ model) falls at every step of exact gradient ascent, to within 30% of
    the true generating distribution's own KL to the sample."""
    X = _two_mode_data()
    bm = BoltzmannMachine(n_hidden=2, method="exact", n_iter=300, random_state=0).fit(X)
    kl = bm.history_["kl"]
    truth = _kl_to_truth(X)
    print(f"exact BM: KL {kl[0]:.4f} -> {kl[-1]:.4f} (true distribution: {truth:.4f})")
    assert np.all(np.diff(kl) <= 1e-12)
    assert kl[-1] < 1.3 * truth


def test_gibbs_training_with_annealing_lowers_kl():
    """The same with statistics from Gibbs sampling after simulated annealing."""
    X = _two_mode_data()
    bm = BoltzmannMachine(
        n_hidden=2, method="gibbs", n_iter=150, n_chains=200, n_sweeps=10, random_state=0
    ).fit(X)
    kl = bm.history_["kl"]
    print(f"Gibbs BM: KL {kl[0]:.4f} -> {kl[-1]:.4f}")
    assert np.mean(kl[-10:]) < 0.3 * kl[0]


def test_sampler_matches_enumerated_distribution():
    """Visible samples of annealed Gibbs chains follow the exact marginal p(v): total
    variation distance below 0.05 with 20,000 samples."""
    bm = BoltzmannMachine(n_hidden=2, n_iter=100, random_state=0).fit(_two_mode_data())
    samples = bm.sample(20000, n_sweeps=30, random_state=1)
    emp = np.bincount(bm._index(samples), minlength=16) / len(samples)
    tv = 0.5 * np.abs(emp - np.exp(bm.visible_log_probs())).sum()
    assert tv < 0.05, tv


def test_validation():
    with pytest.raises(ValueError, match="binary"):
        BoltzmannMachine().fit(np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="method"):
        BoltzmannMachine(method="mcmc").fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="gibbs"):
        BoltzmannMachine(n_hidden=20).fit(np.ones((3, 2)))
