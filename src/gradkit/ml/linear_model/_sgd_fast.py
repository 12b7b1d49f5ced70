"""The stochastic gradient descent loop of ``SGDClassifier`` / ``SGDRegressor`` (O-SGD).

One sample at a time, in scikit-learn's order and with its arithmetic, so a fit with
the same ``random_state`` takes the same steps:

    p = wᵀx + b,    η_t from the schedule,
    w ← (1 − (1 − ρ) η_t α) w − η_t s_i c_{y_i} ℓ'(y_i, p) x,    b ← b − η_t s_i c_{y_i} ℓ'(y_i, p)

(ρ = l1_ratio; the L1 part is applied by Tsuruoka et al.'s cumulative truncation).
Schedules: constant η = η0; optimal η = 1 / (α (t0 + t − 1)) with t0 = 1 / (η̂ α),
η̂ = √(1/√α) / max(1, ℓ'(1, −√(1/√α))) (Bottou's heuristic); invscaling η = η0 / t^power_t;
adaptive η = η0, divided by 5 whenever ``n_iter_no_change`` epochs fail to improve.
w is stored as a scale times a vector (w = a·v) so that the L2 shrinkage costs O(1) per
sample; averaged SGD keeps Bottou's lazy running average the same way.
"""

from __future__ import annotations

import math

import numpy as np

# ---------------------------------------------------------------------------- losses
# Each loss is a pair of scalar functions of (y, p): value ℓ(y, p) and derivative
# ∂ℓ/∂p, with y in {−1, +1} for the margin losses, {0, 1} for log_loss.


class Hinge:
    """ℓ = max(0, θ − y p) (θ = 1: SVM; θ = 0: the perceptron criterion)."""

    def __init__(self, threshold: float = 1.0):
        self.threshold = threshold

    def loss(self, y, p):
        z = p * y
        return self.threshold - z if z <= self.threshold else 0.0

    def dloss(self, y, p):
        return -y if p * y <= self.threshold else 0.0


class SquaredHinge:
    """ℓ = max(0, θ − y p)²."""

    def __init__(self, threshold: float = 1.0):
        self.threshold = threshold

    def loss(self, y, p):
        z = self.threshold - p * y
        return z * z if z > 0 else 0.0

    def dloss(self, y, p):
        z = self.threshold - p * y
        return -2 * y * z if z > 0 else 0.0


class ModifiedHuber:
    """ℓ = max(0, 1 − y p)² for y p ≥ −1, else −4 y p (a smoothed hinge)."""

    def loss(self, y, p):
        z = p * y
        if z >= 1.0:
            return 0.0
        if z >= -1.0:
            return (1.0 - z) * (1.0 - z)
        return -4.0 * z

    def dloss(self, y, p):
        z = p * y
        if z >= 1.0:
            return 0.0
        if z >= -1.0:
            return 2.0 * (1.0 - z) * -y
        return -4.0 * y


class HalfBinomial:
    """Log loss with y in {0, 1}: ℓ = log(1 + e^p) − y p, ∂ℓ/∂p = σ(p) − y."""

    def loss(self, y, p):
        if p <= -37:
            lg = math.exp(p)
        elif p <= -2:
            lg = math.log1p(math.exp(p))
        elif p <= 18:
            lg = math.log(1.0 + math.exp(p))
        elif p <= 33.3:
            lg = p + math.exp(-p)
        else:
            lg = p
        return lg - y * p

    def dloss(self, y, p):
        if p > -37:
            e = math.exp(-p)
            return ((1 - y) - y * e) / (1 + e)
        return math.exp(p) - y


class HalfSquaredError:
    """ℓ = ½ (p − y)²."""

    def loss(self, y, p):
        return 0.5 * (p - y) * (p - y)

    def dloss(self, y, p):
        return p - y


class Huber:
    """ℓ = ½ r² for |r| ≤ δ, else δ(|r| − ½δ), r = p − y."""

    def __init__(self, delta: float):
        self.delta = delta

    def loss(self, y, p):
        r = abs(y - p)
        return 0.5 * r * r if r <= self.delta else self.delta * (r - 0.5 * self.delta)

    def dloss(self, y, p):
        r = p - y
        if abs(r) <= self.delta:
            return r
        return self.delta if r > 0 else -self.delta


class EpsilonInsensitive:
    """ℓ = max(0, |y − p| − ε)."""

    def __init__(self, epsilon: float):
        self.epsilon = epsilon

    def loss(self, y, p):
        r = abs(y - p) - self.epsilon
        return r if r > 0 else 0.0

    def dloss(self, y, p):
        if y - p > self.epsilon:
            return -1.0
        if p - y > self.epsilon:
            return 1.0
        return 0.0


class SquaredEpsilonInsensitive:
    """ℓ = max(0, |y − p| − ε)²."""

    def __init__(self, epsilon: float):
        self.epsilon = epsilon

    def loss(self, y, p):
        r = abs(y - p) - self.epsilon
        return r * r if r > 0 else 0.0

    def dloss(self, y, p):
        z = y - p
        if z > self.epsilon:
            return -2 * (z - self.epsilon)
        if z < -self.epsilon:
            return 2 * (-z - self.epsilon)
        return 0.0


# ---------------------------------------------------------------------------- order

_RAND_R_MAX = 0x7FFFFFFF
_MASK32 = 0xFFFFFFFF


def shuffle_permutation(n: int, seed: int) -> np.ndarray:
    """The permutation scikit-learn's sequential dataset applies each epoch.

    Fisher–Yates: for i = 0 … n−2 swap i with i + r mod (n − i), r from a 32-bit
    xorshift generator (s ^= s≪13, s ^= s≫17, s ^= s≪5; r = s mod 2³¹) started at
    ``seed``. The same seed each epoch: epoch k visits order_{k−1}[σ].
    """
    s = int(seed) & _MASK32 or 1
    perm = list(range(n))
    for i in range(n - 1):
        s ^= (s << 13) & _MASK32
        s ^= s >> 17
        s ^= (s << 5) & _MASK32
        j = i + (s % (_RAND_R_MAX + 1)) % (n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return np.asarray(perm, dtype=np.int64)


# ---------------------------------------------------------------------------- the loop

PENALTIES = {None: 0, "l1": 1, "l2": 2, "elasticnet": 3}
SCHEDULES = {"constant": 1, "optimal": 2, "invscaling": 3, "adaptive": 4}
_MAX_DLOSS = 1e12


def plain_sgd(
    w: np.ndarray,
    b: float,
    aw: np.ndarray | None,
    ab: float,
    loss,
    penalty: int,
    alpha: float,
    l1_ratio: float,
    X,
    y: np.ndarray,
    sample_weight: np.ndarray,
    validation_mask: np.ndarray,
    score_cb,
    n_iter_no_change: int,
    max_iter: int,
    tol: float,
    fit_intercept: bool,
    shuffle: bool,
    seed: int,
    weight_pos: float,
    weight_neg: float,
    schedule: int,
    eta0: float,
    power_t: float,
    t: float = 1.0,
    intercept_decay: float = 1.0,
    average: int = 0,
):
    """Run up to ``max_iter`` epochs of SGD on (X, y); returns (w, b, aw, ab, n_epochs).

    Stops when ``n_iter_no_change`` epochs in a row fail to lower the epoch's mean
    objective (1/n_train) Σ_i [ℓ(y_i, p_i) + α((1 − ρ)½‖w‖² + ρ‖w‖₁)], each term taken
    before sample i's step, by ``tol`` (or, with ``score_cb``, to raise the validation
    score by ``tol``). As in scikit-learn, ‖w‖² and ‖w‖₁ are tracked incrementally: a
    step recomputes them over the sample's features, shrinkage rescales them, the L1
    truncation leaves them.
    X is a dense C-contiguous array or a CSR matrix; for CSR only the stored entries of a
    sample are touched (shrinkage and L1 truncation included), as in scikit-learn.
    ``w`` / ``aw`` are updated in place.

    Shapes: w, aw (d,); X (n, d); y, sample_weight, validation_mask (n,).
    """
    from scipy.linalg.blas import dasum, daxpy, ddot  # BLAS level 1: ~0.1 µs a call

    sparse = hasattr(X, "indptr")
    n = X.shape[0]
    if sparse:
        data, indices, indptr = X.data, X.indices, X.indptr.tolist()
    train_count = n - int(np.count_nonzero(validation_mask))
    skip = validation_mask.tolist()
    ys, sws = y.tolist(), sample_weight.tolist()
    if penalty == 2:
        l1_ratio = 0.0
    elif penalty == 1:
        l1_ratio = 1.0
    one_minus_l1 = 1.0 - l1_ratio
    use_l1 = penalty in (1, 3)
    q = np.zeros_like(w) if use_l1 else None
    u = 0.0
    wscale = 1.0
    # the norms enter only the stopping objective, and only for the parts penalised
    track_sq = score_cb is None and penalty != 0 and one_minus_l1 > 0
    track_l1 = score_cb is None and penalty != 0 and l1_ratio > 0
    sq_norm, l1_norm = float(w @ w), float(np.abs(w).sum())
    avg_a, avg_b = 0.0, 1.0
    eta = eta0
    optimal_init = 0.0
    if schedule == 2:
        typw = math.sqrt(1.0 / math.sqrt(alpha))
        optimal_init = 1.0 / (typw / max(1.0, loss.dloss(1.0, -typw)) * alpha)
    order = np.arange(n)
    perm = shuffle_permutation(n, seed) if shuffle and n > 1 else None
    best_objective, best_score, no_improve = math.inf, -math.inf, 0
    loss_value, loss_grad = loss.loss, loss.dloss
    # Unpenalised hinge / perceptron on dense X: a sample inside the margin changes
    # nothing (zero gradient, zero loss, no shrinkage), so margins are scanned a block at
    # a time with the current w and the loop only stops at the samples that update it.
    scan = isinstance(loss, Hinge) and penalty == 0 and not sparse and average == 0
    train_rows = None
    epoch = 0
    for epoch in range(max_iter):
        objective = 0.0
        if perm is not None:
            order = order[perm]
        if scan:
            if train_rows is None or perm is not None:
                train_rows = order[~validation_mask[order]]
            b, t, objective = _scan_epoch(
                w,
                b,
                t,
                X,
                y,
                sample_weight,
                train_rows,
                loss,
                schedule,
                eta,
                eta0,
                alpha,
                optimal_init,
                power_t,
                weight_pos,
                weight_neg,
                fit_intercept,
                intercept_decay,
                score_cb is None,
            )
            order_list = ()
        else:
            order_list = order.tolist()
        for i in order_list:
            if skip[i]:
                continue
            if sparse:
                lo, hi = indptr[i], indptr[i + 1]
                idx, x = indices[lo:hi], data[lo:hi]
                p = ddot(w[idx], x) * wscale + b if hi > lo else b
            else:
                idx = None
                x = X[i]
                p = ddot(w, x) * wscale + b
            if schedule == 2:
                eta = 1.0 / (alpha * (optimal_init + t - 1))
            elif schedule == 3:
                eta = eta0 / math.pow(t, power_t)
            yi = ys[i]
            if score_cb is None:
                objective += loss_value(yi, p)
                if penalty:
                    objective += alpha * (one_minus_l1 * 0.5 * sq_norm + l1_ratio * l1_norm)
            dloss = loss_grad(yi, p)
            if dloss < -_MAX_DLOSS:
                dloss = -_MAX_DLOSS
            elif dloss > _MAX_DLOSS:
                dloss = _MAX_DLOSS
            update = -eta * dloss
            update *= (weight_pos if yi > 0.0 else weight_neg) * sws[i]
            if penalty >= 2:
                c = max(0.0, 1.0 - (one_minus_l1 * eta * alpha))
                wscale *= c
                sq_norm *= c * c
                l1_norm *= c
                if wscale < 1e-9:
                    if aw is not None:
                        aw += avg_a * w
                        aw /= avg_b
                        avg_a, avg_b = 0.0, 1.0
                    w *= wscale
                    wscale = 1.0
            if update != 0.0:
                if sparse:
                    w[idx] += x * (update / wscale)
                    touched = w[idx]
                else:
                    daxpy(x, w, a=update / wscale)
                    touched = w
                if track_sq:
                    sq_norm = ddot(touched, touched) * (wscale * wscale) if len(touched) else 0.0
                if track_l1:
                    l1_norm = dasum(touched) * wscale if len(touched) else 0.0
                if fit_intercept:
                    b += update * intercept_decay
            if 0 < average <= t:
                k = t - average + 1
                if update != 0.0:
                    if sparse:
                        aw[idx] += x * (avg_a * (-update / wscale))
                    else:
                        daxpy(x, aw, a=avg_a * (-update / wscale))
                mu = 1.0 / k
                if k > 1:
                    avg_b /= 1.0 - mu
                avg_a += mu * avg_b * wscale
                ab += (b - ab) / k
            if use_l1:
                u += l1_ratio * eta * alpha
                _l1_truncate(w, q, idx, u, wscale)
            t += 1
        if not math.isfinite(b) or not np.isfinite(w).all():
            raise ValueError(
                f"Floating-point under-/overflow occurred at epoch #{epoch + 1}. Scaling "
                "input data with StandardScaler or MinMaxScaler might help."
            )
        if score_cb is not None:
            # scikit-learn scores the stored weights without their scale factor
            # (``weights.base``), so the stopping epoch is the same only if we do too
            score = score_cb(w, b)
            no_improve = no_improve + 1 if score < best_score + tol else 0
            best_score = max(best_score, score)
        else:
            mean_objective = objective / train_count
            no_improve = no_improve + 1 if mean_objective > best_objective - tol else 0
            best_objective = min(best_objective, mean_objective)
        if no_improve >= n_iter_no_change:
            if schedule == 4 and eta > 1e-6:
                eta /= 5
                no_improve = 0
            else:
                break
    if aw is not None:
        aw += avg_a * w
        aw /= avg_b
    w *= wscale
    return w, b, aw, ab, epoch + 1


def _scan_epoch(
    w,
    b,
    t,
    X,
    y,
    sw,
    rows,
    loss,
    schedule,
    eta,
    eta0,
    alpha,
    optimal_init,
    power_t,
    weight_pos,
    weight_neg,
    fit_intercept,
    intercept_decay,
    want_loss,
):
    """One epoch of unpenalised hinge-type SGD visiting ``rows`` in order; the same steps
    as the sample loop. Margins of the rows ahead are computed with one matrix-vector
    product and are valid up to the first row that updates w; the scan resumes after it
    with a block sized by the spacing of recent updates. Returns (b, t, Σ losses)."""
    threshold = loss.threshold
    objective = 0.0
    n, start, size = len(rows), 0, 64
    while start < n:
        block = rows[start : start + size]
        margins = X[block] @ w
        margins += b
        hits = margins * y[block] <= threshold
        k = int(hits.argmax())
        if not hits[k]:
            t += len(block)
            start += len(block)
            size = min(2 * size, 512)
            continue
        t += k
        i = int(block[k])
        p, yi = float(margins[k]), float(y[i])
        if schedule == 2:
            eta = 1.0 / (alpha * (optimal_init + t - 1))
        elif schedule == 3:
            eta = eta0 / math.pow(t, power_t)
        if want_loss:
            objective += loss.loss(yi, p)
        update = -eta * loss.dloss(yi, p)
        update *= (weight_pos if yi > 0.0 else weight_neg) * float(sw[i])
        if update != 0.0:
            w += X[i] * update
            if fit_intercept:
                b += update * intercept_decay
        t += 1
        start += k + 1
        size = max(32, 2 * (k + 1))
    return b, t, objective


def _l1_truncate(w, q, idx, u, wscale) -> None:
    """Cumulative L1 penalty (Tsuruoka, Tsujii & Ananiadou 2009) on the touched weights:
    each moves toward 0 by its share u − q_j of the total penalty, never across 0:
    v_j ← sign(v_j) max(0, |v_j| − (u + sign(v_j) q_j)/a), q_j += a (v_j,new − v_j)."""
    z = w if idx is None else w[idx]
    qj = q if idx is None else q[idx]
    sign = np.sign(z)
    shrunk = np.abs(z)
    shrunk -= (u + sign * qj) / wscale
    np.maximum(shrunk, 0.0, out=shrunk)
    shrunk *= sign
    change = (shrunk - z) * wscale
    if idx is None:
        w[:] = shrunk
        q += change
    else:
        w[idx] = shrunk
        q[idx] = qj + change
