"""Fused losses with hand-written backward: cross-entropy on logits (log-softmax + NLL,
concept L-CCE), negative log-likelihood, and binary cross-entropy from probabilities or,
stably, from logits (concept L-XENT).

Class scores have the class axis at position 1 (``(N, C)`` or ``(N, C, d1, ...)``) or
are a single ``(C,)`` vector, as in PyTorch. Inside, they are laid out as rows
``(M, C)``. ``reduction`` is ``"none"``, ``"sum"`` or ``"mean"`` (concept L-COST).

Double backward (``create_graph=True``): each backward has a second branch, taken when
the upstream gradient is a Tensor, that recomputes what the forward derived from the
inputs (softmax, softplus, logarithms) from the saved inputs with gradkit ops and builds
the gradient without in-place writes, so the engine can differentiate it again.
"""

from __future__ import annotations

from gradkit.autograd.function import Function, TensorBase
from gradkit.backend import row_sums, xp
from gradkit.ops.elementwise import _sigmoid, sigmoid
from gradkit.ops.nn import LogSoftmax, Softmax

_BCE_EPS = 9.999999960041972e-13  # float32(1e-12): PyTorch's binary_cross_entropy clamp


def _rows(x):
    """(C,) → (1, C); (N, C) as is; (N, C, d...) → (N·Πd, C)."""
    if x.ndim == 1:
        return x[None, :]
    if x.ndim == 2:
        return x
    return xp.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(g2, shape):
    """Inverse of :func:`_rows`."""
    if len(shape) <= 2:
        return g2.reshape(shape)
    moved = (shape[0], *shape[2:], shape[1])
    return xp.moveaxis(g2.reshape(moved), -1, 1)


def _per_row(s):
    """The upstream scale as a column when it is per row ("none"), else as it is."""
    return s[:, None] if s.ndim else s


def _one_hot_rows(t, values, shape, dtype):
    """A constant (M, C) array holding ``values[i]`` at column ``t[i]`` of row i."""
    out = xp.zeros(shape, dtype=dtype)
    out[xp.arange(shape[0]), t] = values
    return out


def _log_softmax_rows(x2):
    shifted = x2 - x2.max(axis=1, keepdims=True)
    shifted -= xp.log(row_sums(xp.exp(shifted)))[:, None]
    return shifted


def _reduce(losses, reduction: str, denom, shape):
    """Per-element losses → the requested reduction (a 0-d array unless "none")."""
    if reduction == "none":
        return losses.reshape(shape)
    total = losses.sum()
    if reduction == "sum":
        return xp.asarray(total)
    with xp.errstate(invalid="ignore", divide="ignore"):
        return xp.asarray(total / denom)


def _scale(g, reduction: str, denom):
    """Upstream gradient per element, flat: g itself ("none") or a scalar."""
    if reduction == "none":
        return g.reshape(-1)
    if reduction == "sum":
        return g
    if denom == 0:
        # every target ignored (or weighted 0): the mean is 0/0 = nan, but no input
        # reaches it, so the gradient is 0, as in PyTorch (not 0 · ∞ = nan)
        return g * 0
    return g / denom


class CrossEntropy(Function):
    """Cross-entropy of logits against class indices (concept L-CCE).

    With log-probabilities ℓ = log_softmax(x), smoothing ε, class weights w and C classes,
    each row i whose target y_i is not ``ignore_index`` puts the target weights

        q_ic = (1 − ε) w_{y_i} [c = y_i] + (ε / C) w_c,   loss_i = −Σ_c q_ic ℓ_ic

    and ∂loss_i/∂x_ic = softmax(x_i)_c Σ_c' q_ic' − q_ic (the form the double backward
    uses, with softmax recomputed from x as a graph). "mean" divides by
    Σ_i w_{y_i} over rows not ignored (PyTorch's convention). Without weights and
    smoothing (q one-hot) the forward keeps only e = exp(x − max x) and its row sums:
    loss_i = ln Σ_c e_ic − (x − max x)_{i y_i}, ∂loss_i/∂x_i = e_i / Σ_c e_ic − [c = y_i].
    """

    differentiable_backward = True

    @staticmethod
    def forward(
        ctx, x, target=None, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"
    ):
        x2 = _rows(x)
        m, c = x2.shape
        t = target.reshape(-1)
        valid = t != ignore_index
        t_safe = xp.where(valid, t, 0)
        rows = xp.arange(m)
        shifted = x2 - x2.max(axis=1, keepdims=True)
        if weight is None and label_smoothing == 0:
            q = None
            picked = shifted[rows, t_safe]
            e = xp.exp(shifted, out=shifted)
            sums = row_sums(e)
            losses = (xp.log(sums) - picked) * valid
            denom = int(valid.sum())
        else:
            e = xp.exp(shifted)
            sums = row_sums(e)
            logp = shifted - xp.log(sums)[:, None]
            w = xp.ones(c, dtype=x.dtype) if weight is None else weight
            w_t = w[t_safe] * valid
            q = xp.broadcast_to(w * (label_smoothing / c), (m, c)) * valid[:, None]
            q[rows, t_safe] += (1 - label_smoothing) * w_t
            losses = -(q * logp).sum(axis=1)
            denom = w_t.sum() if weight is not None else int(valid.sum())
        ctx.x, ctx.e, ctx.sums, ctx.q, ctx.t, ctx.valid = x, e, sums, q, t_safe, valid
        ctx.shape, ctx.reduction, ctx.denom = x.shape, reduction, denom
        return _reduce(losses, reduction, denom, target.shape)

    @staticmethod
    def backward(ctx, g):
        s = _scale(g, ctx.reduction, ctx.denom)
        if isinstance(g, TensorBase):  # create_graph: softmax recomputed from x, as a graph
            p = Softmax.apply(_rows(ctx.x), axis=1)
            q = ctx.q
            if q is None:
                q = _one_hot_rows(ctx.t, ctx.valid, p.shape, p.dtype)
            grad = (p * q.sum(axis=1, keepdims=True) - q) * _per_row(s)
            return _unrows(grad, ctx.shape), None
        if ctx.q is None:
            s = s * ctx.valid  # per-row scale, 0 on ignored rows
            grad = ctx.e * (s / ctx.sums)[:, None]
            grad[xp.arange(grad.shape[0]), ctx.t] -= s
        else:
            grad = ctx.e * (ctx.q.sum(axis=1) / ctx.sums)[:, None]
            grad -= ctx.q
            grad *= s[:, None] if s.ndim else s
        return _unrows(grad, ctx.shape), None


class SoftCrossEntropy(Function):
    """Cross-entropy of logits against class probabilities p (same shape as x).

    With p' = (1 − ε) p + ε / C and q = w ⊙ p': loss_i = −Σ_c q_ic ℓ_ic,
    ∂loss_i/∂x_i = softmax(x_i) Σ_c q_ic − q_i, ∂loss_i/∂p_ic = −(1 − ε) w_c ℓ_ic;
    "mean" divides by the number of rows.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, target, weight=None, label_smoothing=0.0, reduction="mean"):
        x2, p2 = _rows(x), _rows(target)
        m, c = x2.shape
        logp = _log_softmax_rows(x2)
        q = p2 * (1 - label_smoothing) + label_smoothing / c if label_smoothing else p2
        if weight is not None:
            q = q * weight
        ctx.x, ctx.target, ctx.logp, ctx.q = x, target, logp, q
        ctx.weight, ctx.eps, ctx.shape, ctx.reduction, ctx.denom = (
            weight, label_smoothing, x.shape, reduction, m,
        )  # fmt: skip
        out_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
        return _reduce(-(q * logp).sum(axis=1), reduction, m, out_shape)

    @staticmethod
    def backward(ctx, g):
        s = _per_row(_scale(g, ctx.reduction, ctx.denom))
        logp, q, eps = ctx.logp, ctx.q, ctx.eps
        if isinstance(g, TensorBase):  # create_graph: ℓ and q recomputed from x and p
            logp = LogSoftmax.apply(_rows(ctx.x), axis=1)
            q = _rows(ctx.target)
            if eps:
                q = q * (1 - eps) + eps / logp.shape[1]
            if ctx.weight is not None:
                q = q * ctx.weight
        gx = gp = None
        if ctx.needs_input_grad[0]:
            gx = xp.exp(logp) * q.sum(axis=1, keepdims=True) - q
            gx = _unrows(gx * s, ctx.shape)
        if ctx.needs_input_grad[1]:
            gp = -(1 - eps) * logp * s
            if ctx.weight is not None:
                gp = gp * ctx.weight
            gp = _unrows(gp, ctx.shape)
        return gx, gp


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities ℓ: loss_i = −w_{y_i} ℓ_{i, y_i} for
    rows whose target is not ``ignore_index``; "mean" divides by Σ_i w_{y_i}."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, target=None, weight=None, ignore_index=-100, reduction="mean"):
        x2 = _rows(x)
        t = target.reshape(-1)
        valid = t != ignore_index
        t_safe = xp.where(valid, t, 0)
        w_t = valid.astype(x.dtype) if weight is None else weight[t_safe] * valid
        losses = -x2[xp.arange(x2.shape[0]), t_safe] * w_t
        denom = w_t.sum() if weight is not None else int(valid.sum())
        ctx.t, ctx.w_t, ctx.shape2, ctx.shape = t_safe, w_t, x2.shape, x.shape
        ctx.reduction, ctx.denom = reduction, denom
        return _reduce(losses, reduction, denom, target.shape)

    @staticmethod
    def backward(ctx, g):
        s = _scale(g, ctx.reduction, ctx.denom)
        if isinstance(g, TensorBase):  # create_graph: a constant pattern times g
            grad = _one_hot_rows(ctx.t, -ctx.w_t, ctx.shape2, g.dtype) * _per_row(s)
            return _unrows(grad, ctx.shape), None
        grad = xp.zeros(ctx.shape2, dtype=g.dtype)
        grad[xp.arange(grad.shape[0]), ctx.t] = -ctx.w_t * s
        return _unrows(grad, ctx.shape), None


class BCEWithLogits(Function):
    """Binary cross-entropy from logits x and targets y, never overflowing (L-XENT):

        loss = w [(1 − y) x + (1 + (p_w − 1) y) softplus(−x)]

    (p_w = ``pos_weight``, 1 when absent), softplus(−x) = max(−x, 0) + ln(1 + e^{−|x|});
    ∂loss/∂x = w [(1 − y) − (1 + (p_w − 1) y) σ(−x)], ∂loss/∂y = w [−x + (p_w − 1)
    softplus(−x)]. "mean" divides by the number of elements.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, y, weight=None, pos_weight=None, reduction="mean"):
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        log_weight = None if pos_weight is None else 1 + (pos_weight - 1) * y
        losses = (1 - y) * x + (sp if log_weight is None else log_weight * sp)
        if weight is not None:
            losses = losses * weight
        ctx.x, ctx.y, ctx.sp, ctx.log_weight = x, y, sp, log_weight
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        ctx.denom = losses.size
        return _reduce(losses, reduction, losses.size, losses.shape)

    @staticmethod
    def backward(ctx, g):
        s = _scale(g, ctx.reduction, ctx.denom).reshape(g.shape if g.ndim else ())
        if ctx.weight is not None:
            s = s * ctx.weight
        x, y, sp, log_weight, sig = ctx.x, ctx.y, ctx.sp, ctx.log_weight, _sigmoid
        if isinstance(g, TensorBase):  # create_graph: softplus and 1 + (p_w − 1) y as graphs
            sig = sigmoid
            if ctx.pos_weight is not None:
                sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
                log_weight = 1 + (ctx.pos_weight - 1) * y
        gx = gy = None
        if ctx.needs_input_grad[0]:
            if log_weight is None:
                gx = (sig(x) - y) * s
            else:
                gx = ((1 - y) - log_weight * sig(-x)) * s
        if ctx.needs_input_grad[1]:
            gy = -x if ctx.pos_weight is None else (ctx.pos_weight - 1) * sp - x
            gy = gy * s
        return gx, gy


class BinaryCrossEntropy(Function):
    """Binary cross-entropy of probabilities x ∈ [0, 1] (PyTorch's clamping):

        loss = −w [y max(ln x, −100) + (1 − y) max(ln(1 − x), −100)]

    ∂loss/∂x = w (x − y) / max(x (1 − x), ε), ∂loss/∂y = w [max(ln(1 − x), −100) −
    max(ln x, −100)]. "mean" divides by the number of elements. ε is PyTorch's 10⁻¹² as
    its kernel has it, rounded to float32 (so the clamped gradient at x = 0 or 1 matches).
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, y, weight=None, reduction="mean"):
        with xp.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        losses = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            losses = losses * weight
        ctx.x, ctx.y, ctx.log_x, ctx.log_1mx = x, y, log_x, log_1mx
        ctx.weight, ctx.reduction, ctx.denom = weight, reduction, losses.size
        return _reduce(losses, reduction, losses.size, losses.shape)

    @staticmethod
    def backward(ctx, g):
        s = _scale(g, ctx.reduction, ctx.denom).reshape(g.shape if g.ndim else ())
        if ctx.weight is not None:
            s = s * ctx.weight
        x = ctx.x
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = (x - ctx.y) / xp.maximum(x * (1 - x), _BCE_EPS) * s
        if ctx.needs_input_grad[1]:
            log_x, log_1mx = ctx.log_x, ctx.log_1mx
            if isinstance(g, TensorBase):  # create_graph: the logarithms as graphs of x
                log_x = xp.maximum(xp.log(x), -100)
                log_1mx = xp.maximum(xp.log1p(-x), -100)
            gy = (log_1mx - log_x) * s
        return gx, gy
