"""Sequential minimal optimisation for the soft-margin SVM dual (ML-SVM, O-LAGRANGE).

The Lagrangian of min ½‖w‖² + Σ C_i ξ_i s.t. y_i(wᵀφ(x_i) + b) ≥ 1 − ξ_i, ξ_i ≥ 0 gives
the dual

    min_α ½ αᵀQα − eᵀα   s.t.  0 ≤ α_i ≤ C_i,  yᵀα = 0,   Q_ij = y_i y_j K(x_i, x_j).

SMO changes two multipliers at a time, which keeps yᵀα = 0 and has a closed-form
solution. The pair is chosen as in LIBSVM (Fan, Chen & Lin 2005, "WSS2"): i is the
maximal violator of the KKT conditions and j maximises the second-order decrease
b_ij²/a_ij. It stops when m(α) − M(α) < tol, the KKT gap.
"""

from __future__ import annotations

import numpy as np

_TAU = 1e-12


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
    alpha = np.zeros(n)
    yg = y.astype(np.float64, copy=True)  # −y_i G_i with G = Qα − e the dual gradient
    diag = K.diagonal().copy()
    diags = diag.tolist()
    pos = y > 0
    C = np.asarray(C, dtype=np.float64)
    # Penalties that hide the samples outside I_up (−inf) and I_low (+inf); only the two
    # updated entries change per step, so they are maintained incrementally.
    up_pen = np.where(pos & (C > 0), 0.0, -np.inf)
    low_pen = np.where(~pos & (C > 0), 0.0, np.inf)
    ys, cs, is_pos = y.tolist(), C.tolist(), pos.tolist()
    alphas = [0.0] * n
    # 1/√a_it for the rows i picked so far, a_it = K_ii + K_tt − 2K_it the curvature along
    # the pair (i, t): argmax_t b_it²/a_it over b_it < 0 is argmin_t b_it/√a_it.
    inv_sqrt_quad = {}
    b = np.empty(n)
    diff = np.empty(n)
    it = 0
    while max_iter < 0 or it < max_iter:
        it += 1
        np.add(yg, up_pen, out=b)
        i = int(b.argmax())
        g_max = float(b[i])
        np.add(yg, low_pen, out=b)
        b -= g_max  # −b_it, b_it = m(α) − (−y_tG_t) positive for candidates t ∈ I_low
        if float(b[b.argmin()]) > -tol:
            break
        row = inv_sqrt_quad.get(i)
        if row is None:
            row = diag + diags[i]
            row -= 2.0 * K[i]
            np.maximum(row, _TAU, out=row)
            np.sqrt(row, out=row)
            np.divide(1.0, row, out=row)
            inv_sqrt_quad[i] = row
        b *= row
        j = int(b.argmin())  # maximises the second-order decrease b_ij² / a_ij
        yi, yj = ys[i], ys[j]
        ai_old, aj_old = alphas[i], alphas[j]
        ai, aj = _update_pair(
            ai_old,
            aj_old,
            yi,
            yj,
            -yi * float(yg[i]),
            -yj * float(yg[j]),
            cs[i],
            cs[j],
            max(diags[i] + diags[j] - 2.0 * float(K[i, j]), _TAU),
        )
        alphas[i], alphas[j] = ai, aj
        # y_i Δα_i = −y_j Δα_j (yᵀα stays 0), so −yG changes by y_iΔα_i (K_i − K_j)
        np.subtract(K[i], K[j], out=diff)
        diff *= yi * (ai - ai_old)
        yg -= diff
        for t, at in ((i, ai), (j, aj)):
            upper, lower = at >= cs[t], at <= 0.0
            if is_pos[t]:
                up_pen[t], low_pen[t] = (-np.inf if upper else 0.0), (np.inf if lower else 0.0)
            else:
                up_pen[t], low_pen[t] = (-np.inf if lower else 0.0), (np.inf if upper else 0.0)
    alpha = np.array(alphas)
    return alpha, _rho(alpha, y, -y * yg, C), it


def _update_pair(ai, aj, yi, yj, gi, gj, ci, cj, quad):
    """LIBSVM's analytic two-variable step, clipped to the box and to yᵀα = const."""
    quad = quad if quad > 0 else _TAU
    if yi != yj:
        delta = (-gi - gj) / quad
        diff = ai - aj
        ai += delta
        aj += delta
        if diff > 0:
            if aj < 0:
                aj, ai = 0.0, diff
        elif ai < 0:
            ai, aj = 0.0, -diff
        if diff > ci - cj:
            if ai > ci:
                ai, aj = ci, ci - diff
        elif aj > cj:
            aj, ai = cj, cj + diff
    else:
        delta = (gi - gj) / quad
        total = ai + aj
        ai -= delta
        aj += delta
        if total > ci:
            if ai > ci:
                ai, aj = ci, total - ci
        elif aj < 0:
            aj, ai = 0.0, total
        if total > cj:
            if aj > cj:
                aj, ai = cj, total - cj
        elif ai < 0:
            ai, aj = 0.0, total
    return ai, aj


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
