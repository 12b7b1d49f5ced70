"""Sequential minimal optimisation for the soft-margin SVM dual (ML-SVM, O-LAGRANGE).

The Lagrangian of min ½‖w‖² + Σ C_i ξ_i s.t. y_i(wᵀφ(x_i) + b) ≥ 1 − ξ_i, ξ_i ≥ 0 gives
the dual

    min_α ½ αᵀQα − eᵀα   s.t.  0 ≤ α_i ≤ C_i,  yᵀα = 0,   Q_ij = y_i y_j K(x_i, x_j).

SMO changes two multipliers at a time, which keeps yᵀα = 0 and has a closed-form
solution. The pair is chosen as in LIBSVM (Fan, Chen & Lin 2005, "WSS2"): i is the
maximal violator of the KKT conditions and j maximises the second-order decrease
b_ij²/a_ij. Along the pair, α_i += y_i t and α_j −= y_j t with t = min(b_ij/a_ij, the
room left in the box for α_i, for α_j): the exact minimiser on the feasible segment. It
stops when m(α) − M(α) < tol, the KKT gap.

``smo`` solves one dual with scalar bookkeeping in Python floats; ``smo_many`` runs many
independent duals in lockstep (one step of each per pass, vectorised across them), which
is what one-vs-one SVC with many classes needs. Both take the same steps in the same
floating-point arithmetic, so they return identical solutions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_TAU = 1e-12
LOCKSTEP_MIN = 10  # problems from which smo_many beats a loop of smo (measured)


def smo(
    K: np.ndarray, y: np.ndarray, C: np.ndarray, tol: float = 1e-3, max_iter: int = -1
) -> tuple[np.ndarray, float, int]:
    """Solve the SVM dual with SMO.

    Parameters
    ----------
    K : ndarray of shape (n, n)
        Kernel (Gram) matrix.
    y : ndarray of shape (n,)
        Labels in {−1, +1}.
    C : ndarray of shape (n,)
        Per-sample box bounds C_i (C times the sample weight).
    tol : float
        Stop when the KKT gap max_{I_up} −y_iG_i − min_{I_low} −y_iG_i < tol.
    max_iter : int
        Maximum number of pair updates (−1: no limit).

    Returns
    -------
    alpha : ndarray of shape (n,)
        Lagrange multipliers.
    rho : float
        Offset, so that f(x) = Σ_i α_i y_i K(x_i, x) − ρ.
    n_iter : int
    """
    n = len(y)
    y = np.asarray(y, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    up, low = _initial_gradients(y, C)
    grads = np.stack([up, low])
    up, low = grads
    in_up, in_low = np.isfinite(up).tolist(), np.isfinite(low).tolist()
    diags = K.diagonal().tolist()
    diag = np.array(diags)
    ys, cs = y.tolist(), C.tolist()
    alphas = [0.0] * n
    sqrt_quad = [None] * n  # √a_it of the rows i picked so far (see _sqrt_curvature)
    b = np.empty(n)
    diff = np.empty(n)
    it = 0
    while max_iter < 0 or it < max_iter:
        it += 1
        i = int(up.argmax())
        g_i = up.item(i)
        np.subtract(low, g_i, out=b)  # −b_it: negative for the candidates t ∈ I_low
        if b[b.argmin()] > -tol:
            break
        row = sqrt_quad[i]
        if row is None:
            row = sqrt_quad[i] = _sqrt_curvature(K[i], diag, diags[i])
        b /= row
        j = int(b.argmin())  # maximises the second-order decrease b_ij² / a_ij
        k_i, k_j = K[i], K[j]
        yi, yj, ci, cj, ai, aj = ys[i], ys[j], cs[i], cs[j], alphas[i], alphas[j]
        room_i = ci - ai if yi > 0 else ai
        room_j = aj if yj > 0 else cj - aj
        quad = max(diags[i] + diags[j] - 2.0 * k_i.item(j), _TAU)
        step = min((g_i - low.item(j)) / quad, room_i, room_j)
        alphas[i] = (ci if yi > 0 else 0.0) if step >= room_i else ai + yi * step
        alphas[j] = (0.0 if yj > 0 else cj) if step >= room_j else aj - yj * step
        # y_i Δα_i = −y_j Δα_j (yᵀα stays 0), so −yG changes by y_iΔα_i (K_i − K_j)
        np.subtract(k_i, k_j, out=diff)
        diff *= yi * (alphas[i] - ai)
        grads -= diff
        for t in (i, j):
            a_t, c_t = alphas[t], cs[t]
            t_up, t_low = (a_t < c_t, a_t > 0.0) if ys[t] > 0 else (a_t > 0.0, a_t < c_t)
            if t_up != in_up[t] or t_low != in_low[t]:
                g_t = up.item(t) if in_up[t] else low.item(t)
                up[t] = g_t if t_up else -np.inf
                low[t] = g_t if t_low else np.inf
                in_up[t], in_low[t] = t_up, t_low
    alpha = np.array(alphas)
    return alpha, _rho(alpha, y, _final_gradient(K.__getitem__, y, C, alpha, up, low), C), it


def smo_many(
    kernel_rows: Callable[[np.ndarray, np.ndarray], np.ndarray],
    diag: np.ndarray,
    y: np.ndarray,
    C: np.ndarray,
    tol: float = 1e-3,
    max_iter: int = -1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve P independent SVM duals with SMO in lockstep, vectorised across the problems.

    Every pass takes one step of :func:`smo` in each problem not yet converged, so the
    Python overhead of a step is shared by all of them. Problems of different sizes are
    padded to a common n with C_t = 0 (such samples never move). The kernel matrices are
    only read a row at a time, so they need not be stored as a (P, n, n) stack.

    Parameters
    ----------
    kernel_rows : callable
        ``kernel_rows(p, t)``, with p and t integer arrays of shape (m,), returns the
        (m, n) array whose row k is row t[k] of problem p[k]'s kernel matrix.
    diag : ndarray of shape (P, n)
        The kernel matrices' diagonals.
    y : ndarray of shape (P, n)
        Labels in {−1, +1}.
    C : ndarray of shape (P, n)
        Box bounds; 0 on padding.
    tol, max_iter : as in :func:`smo`, per problem.

    Returns
    -------
    alpha : ndarray of shape (P, n)
    rho : ndarray of shape (P,)
    n_iter : ndarray of shape (P,)

    Examples
    --------
    >>> K = np.array([[[1.0, 0.0], [0.0, 1.0]], [[2.0, 1.0], [1.0, 2.0]]])
    >>> alpha, rho, _ = smo_many(lambda p, t: K[p, t], K[:, [0, 1], [0, 1]],
    ...                          np.array([[1.0, -1.0], [1.0, -1.0]]), np.ones((2, 2)))
    >>> alpha
    array([[1., 1.],
           [1., 1.]])
    """
    y = np.asarray(y, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    n_problems, n = y.shape
    alpha_out, rho_out = np.zeros((n_problems, n)), np.zeros(n_problems)
    n_iter_out = np.zeros(n_problems, dtype=int)
    grads = np.stack(_initial_gradients(y, C))
    up, low = grads
    alpha = np.zeros((n_problems, n))
    ids, rows = np.arange(n_problems), np.arange(n_problems)
    it = 0
    while len(ids):
        it += 1
        i = up.argmax(axis=1)
        g_i = up[rows, i]
        b = low - g_i[:, None]
        done = b[rows, b.argmin(axis=1)] > -tol
        if 0 <= max_iter < it:
            done[:] = True
        if done.any():
            for k in np.flatnonzero(done):
                p = ids[k]
                alpha_out[p] = alpha[k]
                g = _final_gradient(
                    lambda t, p=p: kernel_rows(np.full(len(t), p), t),
                    y[k],
                    C[k],
                    alpha[k],
                    up[k],
                    low[k],
                )
                rho_out[p] = _rho(alpha[k], y[k], g, C[k])
                n_iter_out[p] = min(it, max_iter) if max_iter >= 0 else it
            keep = ~done
            ids, grads, alpha, y, C, diag = (
                a[..., keep, :] if a.ndim > 1 else a[keep] for a in (ids, grads, alpha, y, C, diag)
            )
            up, low = grads
            i, g_i, b, rows = i[keep], g_i[keep], b[keep], rows[: len(ids)]
            if not len(ids):
                break
        k_i = kernel_rows(ids, i)
        d_i = diag[rows, i]
        b /= _sqrt_curvature(k_i, diag, d_i[:, None])
        j = b.argmin(axis=1)
        k_j = kernel_rows(ids, j)
        both, pair = np.concatenate((rows, rows)), np.concatenate((i, j))
        y2, c2, a2 = y[both, pair], C[both, pair], alpha[both, pair]
        sign = np.concatenate((y2[: len(rows)], -y2[len(rows) :]))  # α_i += y_i t, α_j −= y_j t
        room = np.where(sign > 0, c2 - a2, a2)
        quad = np.maximum(d_i + diag[rows, j] - 2.0 * k_i[rows, j], _TAU)
        step = np.minimum(
            (g_i - low[rows, j]) / quad, np.minimum(room[: len(rows)], room[len(rows) :])
        )
        step = np.concatenate((step, step))
        a_new = np.where(step >= room, np.where(sign > 0, c2, 0.0), a2 + sign * step)
        alpha[both, pair] = a_new
        diff = k_i - k_j
        diff *= (y2[: len(rows)] * (a_new[: len(rows)] - a2[: len(rows)]))[:, None]
        grads -= diff
        g2 = np.where(up[both, pair] > -np.inf, up[both, pair], low[both, pair])
        t_up = np.where(y2 > 0, a_new < c2, a_new > 0.0)
        t_low = np.where(y2 > 0, a_new > 0.0, a_new < c2)
        up[both, pair] = np.where(t_up, g2, -np.inf)
        low[both, pair] = np.where(t_low, g2, np.inf)
    return alpha_out, rho_out, n_iter_out


def _initial_gradients(y: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """−y_tG_t at α = 0 (G = Qα − e, so −y_tG_t = y_t) with −inf outside I_up and +inf
    outside I_low: the pair is then one argmax and one argmin, and one subtraction updates
    both. Every t with C_t > 0 lies in I_up or I_low, so its value is always in one of them.
    I_up = {y_t = +1, α_t < C_t} ∪ {y_t = −1, α_t > 0}, I_low the other way round."""
    movable = C > 0
    up = np.where((y > 0) & movable, y, -np.inf)
    low = np.where((y < 0) & movable, y, np.inf)
    return up, low


def _final_gradient(kernel_rows, y, C, alpha, up, low) -> np.ndarray:
    """G = Qα − e from the maintained −y_tG_t; samples with C_t = 0 (in neither set) are
    recomputed as −y_tG_t = y_t − Σ_s α_s y_s K_ts, ``kernel_rows(t)`` giving rows K_t."""
    yg = np.where(up > -np.inf, up, low)
    idle = np.flatnonzero(C <= 0)
    if len(idle):
        yg[idle] = y[idle] - kernel_rows(idle) @ (alpha * y)
    return -y * yg


def _sqrt_curvature(k_i: np.ndarray, diag: np.ndarray, k_ii) -> np.ndarray:
    """√a_it for every t, a_it = K_ii + K_tt − 2K_it clipped below at τ: the curvature of
    the dual along the pair (i, t). argmax_t b_it²/a_it over b_it > 0 is argmin_t −b_it/√a_it."""
    row = diag + k_ii
    row -= 2.0 * k_i
    np.maximum(row, _TAU, out=row)
    return np.sqrt(row, out=row)


def _rho(alpha, y, grad, C) -> float:
    """ρ = mean of y_iG_i over free multipliers (0 < α_i < C_i), else the bounds' midpoint."""
    yg = y * grad
    free = (alpha > 0) & (alpha < C)
    if free.any():
        return float(yg[free].mean())
    at_upper = alpha >= C
    pos = y > 0
    ub_mask = np.where(pos, ~at_upper, at_upper)  # (α = C, y = −1) or (α = 0, y = +1)
    lb_mask = ~ub_mask
    ub = yg[ub_mask].min() if ub_mask.any() else np.inf
    lb = yg[lb_mask].max() if lb_mask.any() else -np.inf
    if not np.isfinite(ub) or not np.isfinite(lb):
        return float(ub if np.isfinite(ub) else lb)
    return float((ub + lb) / 2)
