"""Fused recurrent layers: one op runs a whole sequence of an Elman RNN, an LSTM or a GRU
layer (one direction) with a hand-written backpropagation through time.

Per-op Python overhead, not FLOPs, sets RNN speed on a CPU (DESIGN.md), so each op

* projects the inputs of all T steps in one matmul before the time loop,
* runs one gate matmul ``h_{t-1} @ W_hhᵀ`` per step (for the LSTM one batched product,
  a (B, H) × (H, H) block per gate) and updates the gates in place,
* computes the weight gradients after the backward loop as one matmul over T·B rows.

Weights use PyTorch's layout (``W_ih`` (G·H, I), ``W_hh`` (G·H, H), gate order i, f, g, o
for the LSTM and r, z, n for the GRU), so parameters copy across 1:1. Logistic gates are
evaluated as σ(z) = ½·tanh(z/2) + ½, which lets one ``tanh`` call cover every gate.

Sequences are time-major: ``x`` is (T, B, I). ``reverse=True`` runs the recurrence from
t = T−1 down to 0 (the backward half of a bidirectional layer); outputs stay aligned with
the input's time axis.

Each op has several outputs, PyTorch's ``(output, h_n)`` (``(output, h_n, c_n)`` for the
LSTM): the final states are outputs of their own, so a loss on them feeds the last step's
gradient directly and the backward gets ``None`` (nothing to add, nothing allocated) for
an output no loss reached. Forward saves only what the inputs that need a gradient use,
and nothing under ``no_grad``. The backward is fused NumPy code, so double backward
(``create_graph=True``) is refused.
"""

from __future__ import annotations

from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.backend import column_sums, scratch, xp

ACTIVATIONS = ("tanh", "relu", "softsign")


def _activate_(z, name: str):
    """Apply the activation in place and return ``z``."""
    if name == "tanh":
        xp.tanh(z, out=z)
    elif name == "relu":
        xp.maximum(z, 0, out=z)
    else:  # softsign z / (1 + |z|)
        z /= xp.abs(z) + 1
    return z


def _derivative(y, name: str):
    """f'(z) written with the output y = f(z): tanh 1 − y², relu [y > 0], softsign (1 − |y|)²."""
    if name == "tanh":
        return 1 - y * y
    if name == "relu":
        return (y > 0).astype(y.dtype)
    d = 1 - xp.abs(y)
    return d * d


def _time_order(a, reverse: bool):
    return a[::-1] if reverse else a


def _weight_grads(ctx, dz, dz_h, h_prev):
    """Gradients of x, W_ih, W_hh, b_ih, b_hh from the pre-activation gradients.

    ``dz`` (T, B, G·H) is ∂L/∂(x W_ihᵀ + b_ih) and ``dz_h`` the same for the recurrent
    term h W_hhᵀ + b_hh, both in processing order; each weight gradient is one matmul.
    The inputs are (x, h0, W_ih, W_hh, b_ih, b_hh); ``ctx.x`` and ``ctx.w_ih`` exist only
    when a gradient needs them (see :func:`_save_inputs`).
    """
    T, B, gh = dz.shape
    need_x, _, need_w_ih, need_w_hh, need_b_ih, need_b_hh = ctx.needs_input_grad
    dz2 = dz.reshape(T * B, gh)
    dx = dw_ih = dw_hh = db_ih = db_hh = None
    if need_x:
        dx = _time_order((dz2 @ ctx.w_ih).reshape(T, B, -1), ctx.reverse)
    if need_w_ih:
        x_proc = xp.ascontiguousarray(_time_order(ctx.x, ctx.reverse)).reshape(T * B, -1)
        dw_ih = dz2.T @ x_proc
    if need_b_ih:
        db_ih = column_sums(dz2)
    dzh2 = dz_h.reshape(T * B, gh)
    if need_w_hh:
        dw_hh = dzh2.T @ h_prev.reshape(T * B, -1)
    if need_b_hh:
        db_hh = column_sums(dzh2)
    return dx, dw_ih, dw_hh, db_ih, db_hh


def _save_inputs(ctx, x, w_ih) -> None:
    """Keep x only for ∂L/∂W_ih and W_ih only for ∂L/∂x (inputs x, h0, W_ih, ...)."""
    needs = ctx.needs_input_grad
    if needs[2]:
        ctx.x = x
    if needs[0]:
        ctx.w_ih = w_ih


# ---------------------------------------------------------------------- Elman RNN
class RNNLayer(Function):
    """h_t = f(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh) for t = 1..T, f ∈ {tanh, relu,
    softsign}; returns (all h_t (T, B, H), h_T (B, H)).

    Backward: δ_t = (∂L/∂h_t + δ_{t+1} W_hh) ⊙ f'(z_t), where ∂L/∂h_T also takes the
    gradient of the h_T output; then ∂L/∂W_hh = Σ_t δ_tᵀ h_{t−1}, ∂L/∂W_ih = Σ_t δ_tᵀ x_t,
    ∂L/∂x_t = δ_t W_ih, ∂L/∂h_0 = δ_1 W_hh.
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh", reverse=False):
        T, B, _ = x.shape
        H = w_hh.shape[0]
        xw = (x.reshape(T * B, -1) @ w_ih.T).reshape(T, B, H)
        xw += b_ih + b_hh
        xw = _time_order(xw, reverse)
        hs = xp.empty((T + 1, B, H), dtype=xw.dtype)
        hs[0] = h0
        w_hh_t = xp.ascontiguousarray(w_hh.T)
        for t in range(T):
            h = hs[t + 1]
            xp.matmul(hs[t], w_hh_t, out=h)
            h += xw[t]
            _activate_(h, nonlinearity)
        out = _time_order(hs[1:], reverse)
        if True in ctx.needs_input_grad:
            _save_inputs(ctx, x, w_ih)
            ctx.hs, ctx.w_hh = hs, w_hh
            ctx.nonlinearity, ctx.reverse = nonlinearity, reverse
        return out, hs[T].copy()

    @staticmethod
    def backward(ctx, g_out, g_h):
        hs, w_hh = ctx.hs, ctx.w_hh
        T = hs.shape[0] - 1
        dy = None if g_out is None else _time_order(g_out, ctx.reverse)
        dz = _derivative(hs[1:], ctx.nonlinearity)  # f'(z_t), overwritten by δ_t below
        dh = None if g_h is None else g_h.astype(dz.dtype)  # ∂L/∂h_t, owned: added to in place
        for t in range(T - 1, -1, -1):
            d = dz[t]
            if dh is None:
                d *= dy[t]
            else:
                if dy is not None:
                    dh += dy[t]
                d *= dh
            dh = d @ w_hh
        dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(ctx, dz, dz, hs[:-1])
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh


# ---------------------------------------------------------------------- LSTM
def _lstm_permutation(H: int):
    """Rows of PyTorch's (i, f, g, o) gate blocks in the internal order (o, i, f, g):
    the three logistic gates are contiguous, and so are the three gates fed by ∂L/∂c."""
    return xp.r_[xp.arange(3 * H, 4 * H), xp.arange(0, 3 * H)]


class LSTMLayer(Function):
    """One LSTM layer over a sequence (PyTorch's equations and gate order i, f, g, o)::

        i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)      input gate
        f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)      forget gate
        g_t = φ(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)      candidate
        o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)      output gate
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
        h_t = o_t ⊙ φ(c_t)

    with φ = tanh (or softsign, concept RNN-SOFTSIGN). Returns (all h_t (T, B, H),
    h_T (B, H), c_T (B, H)).

    Backward, per step from t = T down to 1 (δ = ∂L/∂pre-activation), starting from
    the gradients of the outputs h_T and c_T (zero where none arrived)::

        ∂h_t = ∂L/∂h_t + δ_{t+1} W_hh                       (∂h_T = ∂L/∂h_T + ∂L/∂out_T)
        ∂c_t = ∂h_t ⊙ o_t ⊙ φ'(c_t) + ∂c_{t+1} ⊙ f_{t+1}    (∂c_{T+1} ⊙ f_{T+1} = ∂L/∂c_T)
        δo = ∂h_t ⊙ φ(c_t) ⊙ σ',  δi = ∂c_t ⊙ g_t ⊙ σ',  δf = ∂c_t ⊙ c_{t−1} ⊙ σ',
        δg = ∂c_t ⊙ i_t ⊙ φ'

    Internally the gates are gate-major, a (4, T, B, H) buffer in the order (o, i, f, g):
    at every step each gate is a contiguous (B, H) block, the states are (B, H) like the
    output, and each gate's slice over the sequence is a plain (T·B, H) matrix, so the
    input projection (bias folded in) and every weight gradient are GEMMs over T·B rows
    with no transposed copies, and a step is one batched (B, H) × (H, H) product per gate.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, activation="tanh", reverse=False):
        H = w_hh.shape[1]
        perm = _lstm_permutation(H)
        scale = xp.ones((4, 1, H), dtype=x.dtype)
        scale[:3] = 0.5  # σ(z) = ½ tanh(z/2) + ½
        w_ih4, w_hh4 = w_ih[perm].reshape(4, H, -1), w_hh[perm].reshape(4, H, H)
        xa, gates = _lstm_input_projection(_time_order(x, reverse), w_ih4, b_ih + b_hh, perm, scale)
        w_hh_t = xp.ascontiguousarray((w_hh4 * scale.transpose(0, 2, 1)).transpose(0, 2, 1))
        hs, cs, tcs = _lstm_recurrence(gates, h0, c0, w_hh_t, activation)
        out = _time_order(hs[1:], reverse)
        needs = ctx.needs_input_grad
        if True in needs:
            ctx.hs, ctx.cs, ctx.tcs, ctx.gates = hs, cs, tcs, gates
            ctx.w_hh, ctx.perm = w_hh4, perm
            ctx.activation, ctx.reverse = activation, reverse
            if needs[0]:
                ctx.w_ih = w_ih4
            if needs[3] or needs[5] or needs[6]:
                ctx.xa = xa
        return out, hs[-1].copy(), cs[-1].copy()

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        dz, dh0, dc0 = _lstm_bptt(ctx, g_out, g_h, g_c)
        dx, dw_ih, dw_hh, db_ih, db_hh = _lstm_param_grads(ctx, dz)
        return dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh


def _lstm_input_projection(x, w_ih4, bias, perm, scale):
    """x_t W_ihᵀ + b for every step and gate, (4, T, B, H), as one batched GEMM over T·B
    rows with the bias folded in as a column of ones; each gate scaled by ``scale``.
    Returns the ones-augmented input (T·B, I + 1) too (reused for the weight gradient)."""
    T, B, I = x.shape
    H = w_ih4.shape[1]
    xa = scratch((T * B, I + 1), x.dtype)
    xa[:, :I].reshape(T, B, I)[...] = x
    xa[:, I] = 1
    wa = xp.empty((4, I + 1, H), dtype=x.dtype)
    xp.multiply(w_ih4.transpose(0, 2, 1), scale, out=wa[:, :I])
    xp.multiply(bias[perm].reshape(4, 1, H), scale, out=wa[:, I:])
    gates = scratch((4, T * B, H), x.dtype)
    xp.matmul(xa, wa, out=gates)
    return xa, gates.reshape(4, T, B, H)


def _lstm_recurrence(gates, h0, c0, w_hh_t, activation: str):
    """Run the steps over the input projections ``gates`` (4, T, B, H), gates (o, i, f, g)
    pre-scaled by ½ on the logistic ones; the gates are overwritten by their activations.
    ``w_hh_t`` (4, H, H) holds each gate's scaled W_hhᵀ. Returns h (T+1, B, H),
    c (T+1, B, H) and φ(c_t) (T, B, H)."""
    _, T, B, H = gates.shape
    hs = scratch((T + 1, B, H), gates.dtype)
    cs = scratch((T + 1, B, H), gates.dtype)
    tcs = scratch((T, B, H), gates.dtype)
    hs[0], cs[0] = h0, c0
    rec = xp.empty((4, B, H), dtype=gates.dtype)
    ig = xp.empty((B, H), dtype=gates.dtype)
    tanh_all = activation == "tanh"
    for t in range(T):
        a = gates[:, t]  # (o, i, f, g), each a contiguous (B, H) block
        xp.matmul(hs[t], w_hh_t, out=rec)
        a += rec
        if tanh_all:
            xp.tanh(a, out=a)
        else:
            xp.tanh(a[:3], out=a[:3])
            _activate_(a[3], activation)
        sig = a[:3]
        sig *= 0.5
        sig += 0.5
        c = cs[t + 1]
        xp.multiply(a[2], cs[t], out=c)
        xp.multiply(a[1], a[3], out=ig)
        c += ig
        tc = tcs[t]
        if tanh_all:
            xp.tanh(c, out=tc)
        else:
            xp.copyto(tc, c)
            _activate_(tc, activation)
        xp.multiply(a[0], tc, out=hs[t + 1])
    return hs, cs, tcs


def _lstm_bptt(ctx, g_out, g_h, g_c):
    """Backpropagation through time of :class:`LSTMLayer` from the gradients of its three
    outputs (each may be None): the pre-activation gradients δ (4, T, B, H) in processing
    order, ∂L/∂h_0 and ∂L/∂c_0 (B, H)."""
    cs, tcs, gates, w_hh = ctx.cs, ctx.tcs, ctx.gates, ctx.w_hh
    _, T, B, H = gates.shape
    dt = gates.dtype
    dy = None if g_out is None else _time_order(g_out, ctx.reverse)
    dz = scratch((4, T, B, H), dt)
    dc = xp.zeros((B, H), dtype=dt)  # ∂c_{t+1} ⊙ f_{t+1}, then ∂c_t
    if g_c is not None:
        dc += g_c
    dh = xp.zeros((B, H), dtype=dt)  # δ_{t+1} W_hh, then ∂h_t
    if g_h is not None:
        dh += g_h
    tmp = xp.empty((4, B, H), dtype=dt)
    for t in range(T - 1, -1, -1):
        if dy is not None:
            dh += dy[t]
        _lstm_step_backward(dh, dc, gates[:, t], cs[t], tcs[t], dz[:, t], ctx.activation, tmp)
        xp.add.reduce(xp.matmul(dz[:, t], w_hh, out=tmp), axis=0, out=dh)
    return dz, dh, dc


def _lstm_param_grads(ctx, dz):
    """∂L/∂x, ∂L/∂W_ih, ∂L/∂W_hh, ∂L/∂b_ih, ∂L/∂b_hh from δ (4, T, B, H): per gate one GEMM
    over all T·B rows (the bias gradient from the ones column of the augmented input),
    then the rows put back in PyTorch's gate order."""
    _, T, B, H = dz.shape
    dz3 = dz.reshape(4, T * B, H)
    dzt = dz3.transpose(0, 2, 1)  # (4, H, T·B)
    needs = ctx.needs_input_grad
    dx = dw_ih = dw_hh = db_ih = db_hh = None
    if needs[0]:
        per_gate = xp.matmul(dz3, ctx.w_ih, out=scratch((4, T * B, ctx.w_ih.shape[2]), dz.dtype))
        dx = per_gate.sum(axis=0).reshape(T, B, -1)
        dx = _time_order(dx, ctx.reverse)
    inv = xp.argsort(ctx.perm)
    if needs[3] or needs[5] or needs[6]:
        dwa = xp.matmul(dzt, ctx.xa).reshape(4 * H, -1)[inv]  # [∂W_ih | ∂b]
        dw_ih = dwa[:, :-1] if needs[3] else None
        db_ih = dwa[:, -1].copy() if needs[5] else None
        db_hh = dwa[:, -1].copy() if needs[6] else None
    if needs[4]:
        dw_hh = xp.matmul(dzt, ctx.hs[:-1].reshape(T * B, H)).reshape(4 * H, H)[inv]
    return dx, dw_ih, dw_hh, db_ih, db_hh


def _times_dphi(a, ay, y, activation: str, out):
    """out = a ⊙ φ'(z) from y = φ(z) and ay = a ⊙ y: tanh a − ay ⊙ y (φ' = 1 − y²),
    softsign a ⊙ (1 − |y|)²."""
    if activation == "tanh":
        xp.multiply(ay, y, out=out)
        xp.subtract(a, out, out=out)
    else:
        xp.abs(y, out=out)
        xp.subtract(1, out, out=out)
        out *= out
        out *= a
    return out


def _lstm_step_backward(dh, dc, gate, c_prev, tc, dz, activation: str, tmp) -> None:
    """One step of LSTM backpropagation, each factor formed on the fly from the saved
    activations (σ' = σ(1 − σ) written as σ − σ·σ)::

        u = ∂h ⊙ o,  w = u ⊙ φ(c)
        δo = w (1 − o)                  ∂c = u ⊙ φ'(c) + ∂c_{t+1} ⊙ f_{t+1}
        δi = ∂c g i (1 − i)             δg = ∂c ⊙ i ⊙ φ'(g)
        δf = ∂c c_{t−1} f (1 − f)       ∂c ← ∂c ⊙ f  (for step t − 1)

    ``gate`` (4, B, H) holds (o, i, f, g) after activation, ``dz`` (4, B, H) receives
    (δo, δi, δf, δg); ``dc`` carries ∂c_{t+1} ⊙ f_{t+1} in and ∂c_t ⊙ f_t out; ``tmp``
    is (≥ 3, B, H) scratch.
    """
    o, i, f, g = gate
    d_o, d_i, d_f, d_g = dz
    u, w, p = tmp[0], tmp[1], tmp[2]
    xp.multiply(dh, o, out=u)
    xp.multiply(u, tc, out=w)
    xp.multiply(w, o, out=d_o)
    xp.subtract(w, d_o, out=d_o)
    dc += _times_dphi(u, w, tc, activation, out=p)
    xp.multiply(dc, i, out=u)  # ∂c ⊙ i
    xp.multiply(u, g, out=w)  # ∂c ⊙ i ⊙ g
    xp.multiply(w, i, out=d_i)
    xp.subtract(w, d_i, out=d_i)
    _times_dphi(u, w, g, activation, out=d_g)
    dc *= f
    xp.multiply(dc, c_prev, out=d_f)
    xp.multiply(d_f, f, out=p)
    xp.subtract(d_f, p, out=d_f)


# ---------------------------------------------------------------------- GRU
class GRULayer(Function):
    """One GRU layer over a sequence (PyTorch's equations and gate order r, z, n)::

        r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)      reset gate
        z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)      update gate
        n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

    Returns (all h_t (T, B, H), h_T (B, H)). Backward per step, starting from the
    gradient of the h_T output::

        ∂h_t = ∂L/∂h_t + ∂h_t→h_{t−1} of step t+1
        δn = ∂h_t ⊙ (1 − z_t) ⊙ (1 − n_t²),   δz = ∂h_t ⊙ (h_{t−1} − n_t) ⊙ z_t(1 − z_t)
        δr = δn ⊙ (W_hn h_{t−1} + b_hn) ⊙ r_t(1 − r_t)
        ∂h_{t−1} = [δr, δz, δn ⊙ r_t] W_hh + ∂h_t ⊙ z_t
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse=False):
        T, B, _ = x.shape
        H = w_hh.shape[1]
        scale = xp.ones(3 * H, dtype=x.dtype)
        scale[: 2 * H] = 0.5
        bias = b_ih.copy()
        bias[: 2 * H] += b_hh[: 2 * H]
        xw = (x.reshape(T * B, -1) @ (w_ih * scale[:, None]).T).reshape(T, B, 3 * H)
        xw += bias * scale
        xw = _time_order(xw, reverse)
        w_hh_t = xp.ascontiguousarray((w_hh * scale[:, None]).T)
        b_hn = b_hh[2 * H :]
        gates = xp.empty((T, B, 3 * H), dtype=xw.dtype)  # (r, z, n) after activation
        hn = xp.empty((T, B, H), dtype=xw.dtype)  # W_hn h_{t−1} + b_hn
        hs = xp.empty((T + 1, B, H), dtype=xw.dtype)
        hs[0] = h0
        gh = xp.empty((B, 3 * H), dtype=xw.dtype)
        for t in range(T):
            a = gates[t]
            xp.matmul(hs[t], w_hh_t, out=gh)
            rz = a[:, : 2 * H]
            xp.add(gh[:, : 2 * H], xw[t, :, : 2 * H], out=rz)
            xp.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            xp.add(gh[:, 2 * H :], b_hn, out=hn[t])
            n = a[:, 2 * H :]
            xp.multiply(a[:, :H], hn[t], out=n)
            n += xw[t, :, 2 * H :]
            xp.tanh(n, out=n)
            h = hs[t + 1]
            xp.subtract(hs[t], n, out=h)
            h *= a[:, H : 2 * H]
            h += n
        out = _time_order(hs[1:], reverse)
        if True in ctx.needs_input_grad:
            _save_inputs(ctx, x, w_ih)
            ctx.hs, ctx.gates, ctx.hn, ctx.w_hh = hs, gates, hn, w_hh
            ctx.reverse = reverse
        return out, hs[T].copy()

    @staticmethod
    def backward(ctx, g_out, g_h):
        hs, gates, hn, w_hh = ctx.hs, ctx.gates, ctx.hn, ctx.w_hh
        T, B, H3 = gates.shape
        H = H3 // 3
        dy = None if g_out is None else _time_order(g_out, ctx.reverse)
        g3 = gates.reshape(T, B, 3, H)
        r, z, n = g3[:, :, 0], g3[:, :, 1], g3[:, :, 2]
        qn = (1 - z) * (1 - n * n)
        qz = (hs[:-1] - n) * z * (1 - z)
        qr = hn * r * (1 - r)
        dh4 = xp.empty((T, B, 3, H), dtype=gates.dtype)  # [δr, δz, δn ⊙ r] (recurrent side)
        dh_pre = dh4.reshape(T, B, H3)
        dn = xp.empty((T, B, H), dtype=gates.dtype)  # δn (input side)
        dh = g_h  # ∂L/∂h_t; never written in place
        for t in range(T - 1, -1, -1):
            if dy is not None:
                dh = dy[t] if dh is None else dh + dy[t]
            xp.multiply(dh, qn[t], out=dn[t])
            xp.multiply(dh, qz[t], out=dh4[t, :, 1])
            xp.multiply(dn[t], qr[t], out=dh4[t, :, 0])
            xp.multiply(dn[t], r[t], out=dh4[t, :, 2])
            dh_prev = dh_pre[t] @ w_hh
            dh_prev += dh * z[t]
            dh = dh_prev
        dx_pre = dh_pre.copy()
        dx_pre.reshape(T, B, 3, H)[:, :, 2] = dn
        dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(ctx, dx_pre, dh_pre, hs[:-1])
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh


# ---------------------------------------------------------------------- functional forms
def _bias(b: Tensor | None, n: int, like: Tensor) -> Tensor:
    return b if b is not None else Tensor(xp.zeros(n, dtype=like.dtype))


def rnn_layer(
    x: Tensor,
    h0: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    """Elman RNN over a time-major sequence; see :class:`RNNLayer`.

    Shape: x (T, B, I), h0 (B, H), w_ih (H, I), w_hh (H, H), biases (H,) →
    (output (T, B, H), h_T (B, H)).
    """
    if nonlinearity not in ACTIVATIONS:
        raise ValueError(f"nonlinearity must be one of {ACTIVATIONS}, got {nonlinearity!r}")
    H = w_hh.shape[0]
    return RNNLayer.apply(
        x, h0, w_ih, w_hh, _bias(b_ih, H, x), _bias(b_hh, H, x),
        nonlinearity=nonlinearity, reverse=reverse,
    )  # fmt: skip


def lstm_layer(
    x: Tensor,
    h0: Tensor,
    c0: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    activation: str = "tanh",
    reverse: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """LSTM over a time-major sequence; see :class:`LSTMLayer`.

    Shape: x (T, B, I), h0 and c0 (B, H), w_ih (4H, I), w_hh (4H, H), biases (4H,) →
    (output (T, B, H), h_T (B, H), c_T (B, H)); h_T equals ``output[-1]``
    (``output[0]`` when reversed).
    """
    if activation not in ("tanh", "softsign"):
        raise ValueError(f"LSTM activation must be 'tanh' or 'softsign', got {activation!r}")
    G = w_hh.shape[0]
    return LSTMLayer.apply(
        x, h0, c0, w_ih, w_hh, _bias(b_ih, G, x), _bias(b_hh, G, x),
        activation=activation, reverse=reverse,
    )  # fmt: skip


def gru_layer(
    x: Tensor,
    h0: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    """GRU over a time-major sequence; see :class:`GRULayer`.

    Shape: x (T, B, I), h0 (B, H), w_ih (3H, I), w_hh (3H, H), biases (3H,) →
    (output (T, B, H), h_T (B, H)).
    """
    G = w_hh.shape[0]
    return GRULayer.apply(x, h0, w_ih, w_hh, _bias(b_ih, G, x), _bias(b_hh, G, x), reverse=reverse)
