"""TS-ARIMA: the Kalman filter of gradkit.tsa.kalman against the exact Gaussian
density of the observations (a closed form): for a time-invariant system the joint law
of y_1..y_n is N(mu, Sigma) with mu_t = Z' T^(t-1) a_1 and Sigma built from the state
covariances; its LDL' factorization gives the innovations v_t and their variances F_t
(the prediction-error decomposition). Also the steady-state shortcut, the batched
filters, burn-in, the Lyapunov solver (scipy) and the characteristic polynomial (numpy)."""

import warnings

import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov
from scipy.stats import multivariate_normal

from gradkit.tsa.kalman import (
    StateSpace,
    _charpoly,
    kalman_filter,
    kalman_loglike,
    kalman_loglike_batch,
    kalman_loglike_obs_batch,
    solve_lyapunov,
)

RNG = np.random.default_rng(11)


def _system(m=3, H=0.3, seed=0, stable=True):
    rng = np.random.default_rng(seed)
    T = rng.standard_normal((m, m)) * 0.4
    if stable:
        T *= 0.8 / max(1e-12, np.abs(np.linalg.eigvals(T)).max())
    R = rng.standard_normal((m, 2))
    RQR = R @ np.diag([0.7, 0.2]) @ R.T
    P1 = solve_discrete_lyapunov(T, RQR) if stable else np.eye(m) * 5.0
    return StateSpace(
        design=rng.standard_normal(m),
        transition=T,
        state_cov=RQR,
        initial_state=rng.standard_normal(m),
        initial_cov=P1,
        obs_cov=H,
    )


def _joint(ss, n):
    """Mean (n,) and covariance (n, n) of y_1..y_n."""
    m = ss.design.size
    means, covs = [], []
    a, P = ss.initial_state.copy(), ss.initial_cov.copy()
    for _ in range(n):
        means.append(ss.design @ a)
        covs.append(P)
        a, P = ss.transition @ a, ss.transition @ P @ ss.transition.T + ss.state_cov
    S = np.empty((n, n))
    for t in range(n):
        C = covs[t]  # Cov(alpha_t, alpha_s) = Var(alpha_t) (T')^(s - t) for s >= t
        for s in range(t, n):
            S[t, s] = S[s, t] = ss.design @ C @ ss.design
            C = C @ ss.transition.T
        S[t, t] += ss.obs_cov
    assert m == ss.transition.shape[0]
    return np.array(means), S


def _innovations(mu, S, y):
    """Prediction-error decomposition from Sigma = L D L' (L unit lower triangular)."""
    C = np.linalg.cholesky(S)
    d = np.diag(C)
    L = C / d
    v = np.linalg.solve(L, y - mu)
    return v, d**2


@pytest.mark.parametrize("H", [0.0, 0.3])
@pytest.mark.parametrize("stable", [True, False])
def test_ts_kalman_filter_is_the_exact_gaussian_density(H, stable):
    """TS-ARIMA: innovations, their variances, the per-observation and total
    log-likelihood, and the predicted states equal the closed-form Gaussian ones."""
    ss = _system(H=H, stable=stable, seed=1)
    n = 25
    y = RNG.standard_normal(n)
    mu, S = _joint(ss, n)
    out = kalman_filter(ss, y)
    v, F = _innovations(mu, S, y)
    np.testing.assert_allclose(out.innovations, v, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(out.innovation_var, F, rtol=1e-8)
    exact = multivariate_normal(mu, S).logpdf(y)
    assert out.llf == pytest.approx(exact, rel=1e-10)
    np.testing.assert_allclose(
        out.loglike_obs, -0.5 * (np.log(2 * np.pi) + np.log(F) + v * v / F), rtol=1e-8
    )
    assert out.predicted_state.shape == (n + 1, 3) and out.predicted_cov.shape == (n + 1, 3, 3)
    np.testing.assert_allclose(out.predicted_state[0], ss.initial_state)
    np.testing.assert_allclose(out.next_state, out.predicted_state[-1])
    np.testing.assert_allclose(out.next_cov, out.predicted_cov[-1])
    # one step past the sample: the predictive law of y_{n+1} given y_1..y_n
    mu1, S1 = _joint(ss, n + 1)
    w = np.linalg.solve(S1[:n, :n], S1[:n, n])
    mean_next = mu1[n] + w @ (y - mu1[:n])
    var_next = S1[n, n] - S1[:n, n] @ w
    assert ss.design @ out.next_state == pytest.approx(mean_next, rel=1e-8, abs=1e-10)
    assert ss.design @ out.next_cov @ ss.design + H == pytest.approx(var_next, rel=1e-8)


@pytest.mark.parametrize("burn", [0, 2, 9])
def test_ts_kalman_burn_and_steady_state_shortcut(burn):
    """TS-ARIMA: burn drops the first terms; the steady-state shortcut (lfilter) and the
    batched versions give the full recursion's log-likelihood for each system of a
    batch, whatever step each reaches its steady state at."""
    n = 60
    systems = [_system(H=h, seed=s) for s, h in ((2, 0.0), (3, 0.5), (4, 0.1))]
    ys = RNG.standard_normal((3, n))
    full = [kalman_filter(ss, y, burn) for ss, y in zip(systems, ys)]
    for out, ss, y in zip(full, systems, ys):
        assert np.all(out.loglike_obs[:burn] == 0.0)
        mu, S = _joint(ss, n)
        v, F = _innovations(mu, S, y)
        ref = -0.5 * (np.log(2 * np.pi) + np.log(F) + v * v / F)
        assert out.llf == pytest.approx(ref[burn:].sum(), rel=1e-9)
        for tol in (1e-13, 1e-9):
            assert kalman_loglike(ss, y, burn, tol) == pytest.approx(
                out.llf, rel=1e-7 if tol > 1e-13 else 1e-10
            )
        assert kalman_loglike(ss, y, burn) == pytest.approx(out.llf, rel=1e-11)
    batch = StateSpace(
        systems[0].design,
        np.stack([s.transition for s in systems]),
        np.stack([s.state_cov for s in systems]),
        np.stack([s.initial_state for s in systems]),
        np.stack([s.initial_cov for s in systems]),
        np.array([s.obs_cov for s in systems]),
    )
    # the design is shared in a batch: use the first system's for all three
    same = [
        StateSpace(systems[0].design, s.transition, s.state_cov, s.initial_state,
                   s.initial_cov, s.obs_cov)
        for s in systems
    ]  # fmt: skip
    want = np.array([kalman_filter(s, y, burn).llf for s, y in zip(same, ys)])
    np.testing.assert_allclose(kalman_loglike_batch(batch, ys, burn), want, rtol=1e-10)
    obs = kalman_loglike_obs_batch(batch, ys, burn)
    assert obs.shape == (3, n)
    np.testing.assert_allclose(obs.sum(axis=1), want, rtol=1e-12)
    assert np.all(obs[:, :burn] == 0.0)
    for b, (s, y) in enumerate(zip(same, ys)):
        np.testing.assert_allclose(obs[b], kalman_filter(s, y, burn).loglike_obs, rtol=1e-12)


def test_ts_kalman_short_series_and_every_check_block():
    """TS-ARIMA: the steady-state test runs every few steps; series that end inside a
    block, right after one, or before any give the full log-likelihood."""
    ss = _system(H=0.2, seed=5)
    for n in (1, 3, 8, 9, 15, 16, 17, 33):
        y = RNG.standard_normal(n)
        ref = kalman_filter(ss, y).llf
        mu, S = _joint(ss, n)
        assert ref == pytest.approx(multivariate_normal(mu, S).logpdf(y), rel=1e-10)
        for burn in (0, 1):
            want = kalman_filter(ss, y, burn).llf
            assert kalman_loglike(ss, y, burn, 1e-9) == pytest.approx(want, rel=1e-7)


def test_ts_kalman_complex_step_derivative():
    """TS-ARIMA: the batched log-likelihood is analytic: its complex-step derivative in a
    transition entry equals a central finite difference (with the shortcut on)."""
    ss = _system(H=0.1, seed=6)
    y = RNG.standard_normal(80)
    h = 1e-20

    def llf(T):
        sys = StateSpace(ss.design, T[None], ss.state_cov[None], ss.initial_state[None],
                         ss.initial_cov[None], np.array([ss.obs_cov]))  # fmt: skip
        return kalman_loglike_batch(sys, y[None])[0]

    E = np.zeros_like(ss.transition)
    E[0, 1] = 1.0
    d_cs = llf(ss.transition + 1j * h * E).imag / h
    e = 1e-6
    d_fd = (llf(ss.transition + e * E).real - llf(ss.transition - e * E).real) / (2 * e)
    assert d_cs == pytest.approx(d_fd, rel=1e-5)


def test_ts_kalman_lyapunov_and_characteristic_polynomial():
    """TS-ARIMA: solve_lyapunov equals scipy's solve_discrete_lyapunov (batched too, and
    symmetric); _charpoly equals numpy's poly (det(zI - A))."""
    Ts = [_system(m=m, seed=s).transition for m, s in ((1, 1), (2, 2), (4, 3))]
    for T in Ts:
        m = T.shape[0]
        A = RNG.standard_normal((m, m))
        Q = A @ A.T
        P = solve_lyapunov(T, Q)
        np.testing.assert_allclose(P, solve_discrete_lyapunov(T, Q), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(P, P.T, rtol=0, atol=0)
        np.testing.assert_allclose(_charpoly(T), np.poly(T), rtol=1e-10, atol=1e-12)
    T2 = np.stack([Ts[1], 0.5 * Ts[1]])
    Q2 = np.stack([np.eye(2), 2 * np.eye(2)])
    P2 = solve_lyapunov(T2, Q2)
    for k in range(2):
        np.testing.assert_allclose(P2[k], solve_discrete_lyapunov(T2[k], Q2[k]), rtol=1e-10)


def _batch1(ss):
    """One system as a batch of one."""
    return StateSpace(
        ss.design,
        ss.transition[None],
        ss.state_cov[None],
        ss.initial_state[None],
        ss.initial_cov[None],
        np.array([ss.obs_cov]),
    )


def _scaled(ss, c):
    """The same system for y scaled by c (variances times c^2)."""
    return StateSpace(ss.design, ss.transition, ss.state_cov * c * c, ss.initial_state * c,
                      ss.initial_cov * c * c, ss.obs_cov * c * c)  # fmt: skip


@pytest.mark.parametrize("c", [1e-4, 1e4])
def test_ts_kalman_steady_state_test_is_relative_to_F(c):
    """TS-ARIMA: the steady-state test |P_{t+1} - P_t| <= tol F_t scales with the data:
    series of tiny or huge scale give the full recursion's log-likelihood (to 1e-12
    relative, a scale-free statement: log L(c y) = log L(y) - n log c)."""
    ss = _system(H=0.2, seed=9)
    y = RNG.standard_normal(120)
    base = kalman_filter(ss, y).llf
    scaled = _scaled(ss, c)
    full = kalman_filter(scaled, c * y).llf
    assert full == pytest.approx(base - y.size * np.log(c), rel=1e-12)
    for burn in (0, 3):
        want = kalman_filter(scaled, c * y, burn).llf
        assert kalman_loglike(scaled, c * y, burn) == pytest.approx(want, rel=1e-12)


def test_ts_kalman_defaults_initial_covariance_and_integer_systems():
    """TS-ARIMA: burn defaults to 0 everywhere; the first predicted covariance is P_1;
    an integer-valued system and series are computed in floating point."""
    ss = _system(H=0.3, seed=10)
    y = RNG.standard_normal(30)
    out = kalman_filter(ss, y)
    np.testing.assert_array_equal(out.predicted_cov[0], ss.initial_cov)
    assert kalman_loglike(ss, y) == pytest.approx(out.llf, rel=1e-11)
    batch = _batch1(ss)
    assert kalman_loglike_batch(batch, y[None])[0] == pytest.approx(out.llf, rel=1e-11)
    np.testing.assert_allclose(kalman_loglike_obs_batch(batch, y[None])[0], out.loglike_obs)
    # a random walk observed with noise, all integers: alpha_1 ~ N(0, 1), y = alpha + eps,
    # so Cov(y_s, y_t) = min(s, t) + [s = t]; the gains (1/2, ...) are not integers
    ints = StateSpace(
        np.array([1]), np.array([[1]]), np.array([[1]]), np.array([0]), np.array([[1]]), 1
    )
    yi = np.array([2, -1, 0, 3, 1])
    t = np.arange(1, 6)
    want = multivariate_normal(np.zeros(5), np.minimum.outer(t, t) + np.eye(5)).logpdf(yi)
    assert kalman_filter(ints, yi).llf == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("which", ["y", "initial_cov", "state_cov"])
def test_ts_kalman_complex_step_through_every_input(which):
    """TS-ARIMA: a complex perturbation of the data, of P_1 or of R Q R' alone carries
    through the batched filter (its derivative equals a central difference)."""
    ss = _system(H=0.1, seed=12)
    y = RNG.standard_normal(40)

    def llf(eps):
        yy, P1, RQR = (
            y.astype(complex),
            ss.initial_cov.astype(complex),
            ss.state_cov.astype(complex),
        )
        if which == "y":
            yy = yy + eps * (np.arange(40) == 5)
        elif which == "initial_cov":
            P1 = P1 + eps * np.eye(3)
        else:
            RQR = RQR + eps * np.eye(3)
        sys = StateSpace(ss.design, ss.transition[None],
                         (RQR if which == "state_cov" else ss.state_cov)[None],
                         ss.initial_state[None],
                         (P1 if which == "initial_cov" else ss.initial_cov)[None],
                         np.array([ss.obs_cov]))  # fmt: skip
        data = yy if which == "y" else y
        return kalman_loglike_batch(sys, data[None])[0]

    h, e = 1e-20, 1e-6
    d_cs = llf(1j * h).imag / h
    d_fd = (llf(e).real - llf(-e).real) / (2 * e)
    assert d_cs == pytest.approx(d_fd, rel=1e-5, abs=1e-8)
    assert d_cs != 0.0


def test_ts_kalman_degenerate_systems_are_quiet():
    """TS-ARIMA: a zero-variance system or overflowing data give a non-finite
    log-likelihood without floating-point warnings (the optimizers probe such points)."""
    m = 2
    zero = StateSpace(np.ones(m), np.zeros((1, m, m)), np.zeros((1, m, m)), np.zeros((1, m)),
                      np.zeros((1, m, m)), np.zeros(1))  # fmt: skip
    ss = _system(m=m, H=0.1, seed=13)
    normal = StateSpace(ss.design, ss.transition[None], ss.state_cov[None],
                        ss.initial_state[None], ss.initial_cov[None], np.array([0.1]))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = kalman_loglike_batch(zero, np.zeros((1, 20)))
        b = kalman_loglike_batch(zero, np.ones((1, 20)))
        c = kalman_loglike_batch(normal, np.full((1, 20), 1e200))
    assert not np.isfinite(a[0]) and not np.isfinite(b[0]) and not np.isfinite(c[0])


def test_ts_kalman_batched_lyapunov_is_symmetric():
    """TS-ARIMA: each matrix of a batched Lyapunov solution is exactly symmetric."""
    T = np.stack([_system(m=3, seed=s).transition for s in (20, 21)])
    A = RNG.standard_normal((2, 3, 3))
    Q = A @ np.swapaxes(A, 1, 2)
    P = solve_lyapunov(T, Q)
    for k in range(2):
        np.testing.assert_array_equal(P[k], P[k].T)
        np.testing.assert_allclose(P[k], solve_discrete_lyapunov(T[k], Q[k]), rtol=1e-10)


def test_ts_kalman_loglike_passes_its_tolerance_on():
    """TS-ARIMA: kalman_loglike(ss, y, burn, tol) is entry 0 of kalman_loglike_batch with
    the same tol, whatever the tol (a loose one moves both the same way)."""
    ss = _system(H=0.2, seed=14)
    y = RNG.standard_normal(90)
    batch = _batch1(ss)
    for tol in (1e-13, 1e-3, 0.5):
        for burn in (0, 2):
            assert (
                kalman_loglike(ss, y, burn, tol)
                == kalman_loglike_batch(batch, y[None], burn, tol)[0]
            )
    assert kalman_loglike(ss, y, 0, 0.5) != kalman_loglike(ss, y, 0, 1e-13)
