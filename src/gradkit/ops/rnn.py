"""Fused recurrent layers: one op runs a whole sequence of an Elman RNN, an LSTM or a GRU
layer (one direction) with a hand-written backpropagation through time.

Per-op Python overhead, not FLOPs, sets RNN speed on a CPU (DESIGN.md), so each op

* projects the inputs of all T steps in one matmul before the time loop,
* runs one fused gate matmul ``h_{t-1} @ W_hhᵀ`` per step and updates the gates in place,
* computes the weight gradients after the backward loop as one matmul over T·B rows.

Weights use PyTorch's layout (``W_ih`` (G·H, I), ``W_hh`` (G·H, H), gate order i, f, g, o
for the LSTM and r, z, n for the GRU), so parameters copy across 1:1. Logistic gates are
evaluated as σ(z) = ½·tanh(z/2) + ½, which lets one ``tanh`` call cover every gate.

Sequences are time-major: ``x`` is (T, B, I). ``reverse=True`` runs the recurrence from
t = T−1 down to 0 (the backward half of a bidirectional layer); outputs stay aligned with
the input's time axis.
"""

from __future__ import annotations

from gradkit.backend import scratch, xp
from gradkit.tensor import Function, Tensor

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


def _weight_grads(ctx, dz, dz_h, x, h_prev, w_idx):
    """Gradients of x, W_ih, W_hh, b_ih, b_hh from the pre-activation gradients.

    ``dz`` (T, B, G·H) is ∂L/∂(x W_ihᵀ + b_ih) and ``dz_h`` the same for the recurrent
    term h W_hhᵀ + b_hh, both in processing order; each weight gradient is one matmul.
    ``w_idx`` is the position of W_ih among the op's inputs (then W_hh, b_ih, b_hh).
    """
    T, B, gh = dz.shape
    needs = ctx.needs_input_grad
    need_x = needs[0]
    need_ih = (needs[w_idx], needs[w_idx + 2])
    need_hh = (needs[w_idx + 1], needs[w_idx + 3])
    dz2 = dz.reshape(T * B, gh)
    dx = dw_ih = dw_hh = db_ih = db_hh = None
    if need_x:
        dx = _time_order((dz2 @ ctx.w_ih).reshape(T, B, -1), ctx.reverse)
    if need_ih[0]:
        x_proc = xp.ascontiguousarray(_time_order(x, ctx.reverse)).reshape(T * B, -1)
        dw_ih = dz2.T @ x_proc
    if need_ih[1]:
        db_ih = dz2.sum(axis=0)
    dzh2 = dz_h.reshape(T * B, gh)
    if need_hh[0]:
        dw_hh = dzh2.T @ h_prev.reshape(T * B, -1)
    if need_hh[1]:
        db_hh = dzh2.sum(axis=0)
    return dx, dw_ih, dw_hh, db_ih, db_hh


# ---------------------------------------------------------------------- Elman RNN
class RNNLayer(Function):
    """h_t = f(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh) for t = 1..T, f ∈ {tanh, relu,
    softsign}; returns all h_t, shape (T, B, H).

    Backward: δ_t = (∂L/∂h_t + δ_{t+1} W_hh) ⊙ f'(z_t), then ∂L/∂W_hh = Σ_t δ_tᵀ h_{t−1},
    ∂L/∂W_ih = Σ_t δ_tᵀ x_t, ∂L/∂x_t = δ_t W_ih, ∂L/∂h_0 = δ_1 W_hh.
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
        ctx.x, ctx.hs, ctx.w_ih, ctx.w_hh = x, hs, w_ih, w_hh
        ctx.nonlinearity, ctx.reverse = nonlinearity, reverse
        return _time_order(hs[1:], reverse)

    @staticmethod
    def backward(ctx, g):
        hs, w_hh = ctx.hs, ctx.w_hh
        T = hs.shape[0] - 1
        dy = _time_order(g, ctx.reverse)
        dz = _derivative(hs[1:], ctx.nonlinearity)  # f'(z_t), overwritten by δ_t below
        dh = None
        for t in range(T - 1, -1, -1):
            d = dz[t]
            if dh is None:
                d *= dy[t]
            else:
                dh += dy[t]
                d *= dh
            dh = d @ w_hh
        dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(ctx, dz, dz, ctx.x, hs[:-1], 2)
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh


# ---------------------------------------------------------------------- LSTM
class _CellState:
    """Carries c_T out of :class:`LSTMLayer` and ∂L/∂c_T back into it (a second output)."""

    __slots__ = ("value", "grad")

    def __init__(self) -> None:
        self.value = None
        self.grad = None


class LSTMFinalCell(Function):
    """The LSTM's final cell state c_T as a tensor that depends on the layer's output.

    Its input is the layer's output sequence only so that the engine orders this node
    before the layer: backward parks ∂L/∂c_T in the shared :class:`_CellState` (where the
    layer's backward reads it) and passes a zero gradient to the sequence.
    """

    @staticmethod
    def forward(ctx, seq, state=None):
        ctx.state, ctx.shape = state, seq.shape
        return state.value

    @staticmethod
    def backward(ctx, g):
        state = ctx.state
        state.grad = g if state.grad is None else state.grad + g
        return xp.broadcast_to(xp.zeros((), dtype=g.dtype), ctx.shape)


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

    with φ = tanh (or softsign, concept RNN-SOFTSIGN). Returns all h_t, shape (T, B, H);
    c_T is handed to ``state`` (see :func:`lstm_layer`).

    Backward, per step from t = T down to 1 (δ = ∂L/∂pre-activation)::

        ∂h_t = ∂L/∂h_t + δ_{t+1} W_hh
        ∂c_t = ∂h_t ⊙ o_t ⊙ φ'(c_t) + ∂c_{t+1} ⊙ f_{t+1}
        δo = ∂h_t ⊙ φ(c_t) ⊙ σ',  δi = ∂c_t ⊙ g_t ⊙ σ',  δf = ∂c_t ⊙ c_{t−1} ⊙ σ',
        δg = ∂c_t ⊙ i_t ⊙ φ'

    Internally the recurrence runs feature-major: gates are a (T, 4H, B) buffer and the
    state (H, B), so each gate block is a contiguous (H, B) slab and every per-step
    update is a whole-array op; callers still see time-major (T, B, ·) arrays.
    """

    @staticmethod
    def forward(
        ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, activation="tanh", reverse=False, state=None
    ):
        T, B, _ = x.shape
        H = w_hh.shape[1]
        perm = _lstm_permutation(H)
        scale = xp.ones(4 * H, dtype=x.dtype)
        scale[: 3 * H] = 0.5  # σ(z) = ½ tanh(z/2) + ½
        w_ih_p, w_hh_p = w_ih[perm], w_hh[perm]
        x_proc = _time_order(x, reverse)
        # (T, 4H, B): the input projection of every step, feature-major, plus both biases.
        gates = scratch((T, 4 * H, B), x.dtype)
        xp.matmul(w_ih_p * scale[:, None], x_proc.transpose(0, 2, 1), out=gates)
        gates += (((b_ih + b_hh)[perm]) * scale)[:, None]
        w_hh_s = w_hh_p * scale[:, None]
        hs = scratch((T + 1, H, B), gates.dtype)
        cs = scratch((T + 1, H, B), gates.dtype)
        tcs = scratch((T, H, B), gates.dtype)  # φ(c_t)
        hs[0], cs[0] = h0.T, c0.T
        rec = xp.empty((4 * H, B), dtype=gates.dtype)
        ig = xp.empty((H, B), dtype=gates.dtype)
        tanh_all = activation == "tanh"
        for t in range(T):
            a = gates[t]  # rows (o, i, f, g), each a contiguous (H, B) slab
            xp.matmul(w_hh_s, hs[t], out=rec)
            a += rec
            if tanh_all:
                xp.tanh(a, out=a)
            else:
                xp.tanh(a[: 3 * H], out=a[: 3 * H])
                _activate_(a[3 * H :], activation)
            sig = a[: 3 * H]
            sig *= 0.5
            sig += 0.5
            c = cs[t + 1]
            xp.multiply(a[2 * H : 3 * H], cs[t], out=c)
            xp.multiply(a[H : 2 * H], a[3 * H :], out=ig)
            c += ig
            tc = tcs[t]
            if tanh_all:
                xp.tanh(c, out=tc)
            else:
                xp.copyto(tc, c)
                _activate_(tc, activation)
            xp.multiply(a[:H], tc, out=hs[t + 1])
        state.value = xp.ascontiguousarray(cs[T].T)
        ctx.x, ctx.hs, ctx.cs, ctx.tcs, ctx.gates = x, hs, cs, tcs, gates
        ctx.w_ih, ctx.w_hh, ctx.perm = w_ih_p, w_hh_p, perm
        ctx.activation, ctx.reverse, ctx.state = activation, reverse, state
        out = xp.ascontiguousarray(hs[1:].transpose(0, 2, 1))
        return _time_order(out, reverse)

    @staticmethod
    def backward(ctx, g):
        hs, cs, tcs, gates, w_hh = ctx.hs, ctx.cs, ctx.tcs, ctx.gates, ctx.w_hh
        T, H4, B = gates.shape
        H = H4 // 4
        dt = gates.dtype
        dy = scratch((T, H, B), dt)  # ∂L/∂h_t feature-major
        xp.copyto(dy, _time_order(g, ctx.reverse).transpose(0, 2, 1))
        # Everything that depends only on the forward pass, vectorized over T:
        # P holds the factors that turn (∂h, ∂c, ∂c, ∂c) into (δo, δi, δf, δg).
        g4 = gates.reshape(T, 4, H, B)
        o, i, f, cand = g4[:, 0], g4[:, 1], g4[:, 2], g4[:, 3]
        p, k = scratch((T, 4, H, B), dt), scratch((T, H, B), dt)
        dsig = scratch((T, 3, H, B), dt)
        sig = g4[:, :3]
        xp.subtract(1, sig, out=dsig)  # σ' = σ(1 − σ)
        dsig *= sig
        xp.multiply(dsig[:, 0], tcs, out=p[:, 0])
        xp.multiply(dsig[:, 1], cand, out=p[:, 1])
        xp.multiply(dsig[:, 2], cs[:-1], out=p[:, 2])
        if ctx.activation == "tanh":  # φ'(g_t) ⊙ i_t and o_t ⊙ φ'(c_t), in place
            xp.multiply(cand, cand, out=p[:, 3])
            xp.subtract(1, p[:, 3], out=p[:, 3])
            p[:, 3] *= i
            xp.multiply(tcs, tcs, out=k)
            xp.subtract(1, k, out=k)
            k *= o  # ∂h_t → ∂c_t
        else:
            xp.multiply(_derivative(cand, ctx.activation), i, out=p[:, 3])
            xp.multiply(_derivative(tcs, ctx.activation), o, out=k)
        dz4 = scratch((T, 4, H, B), dt)
        dz = dz4.reshape(T, H4, B)
        w_hh_t = xp.ascontiguousarray(w_hh.T)  # (H, 4H)
        state = ctx.state
        dc_in = state.grad
        state.grad = None
        dc_next = xp.zeros((H, B), dtype=dt)
        if dc_in is not None:
            dc_next[...] = dc_in.T
        dh = xp.empty((H, B), dtype=dt)
        dc = xp.empty((H, B), dtype=dt)
        first = True
        for t in range(T - 1, -1, -1):
            if first:
                dh[...] = dy[t]
                first = False
            else:
                dh += dy[t]
            xp.multiply(dh, k[t], out=dc)
            dc += dc_next
            xp.multiply(dh, p[t, 0], out=dz4[t, 0])
            xp.multiply(dc, p[t, 1:], out=dz4[t, 1:])
            xp.matmul(w_hh_t, dz[t], out=dh)
            xp.multiply(dc, f[t], out=dc_next)
        # Weight gradients: one GEMM each over all T·B columns of δ, (4H, T·B).
        dz2 = scratch((H4, T * B), dt).reshape(H4, T, B)
        xp.copyto(dz2, dz.transpose(1, 0, 2))
        dz2 = dz2.reshape(H4, T * B)
        needs = ctx.needs_input_grad
        dx = dw_ih = dw_hh = db_ih = db_hh = None
        if needs[0]:
            dx = _time_order((dz2.T @ ctx.w_ih).reshape(T, B, -1), ctx.reverse)
        if needs[3]:
            x_proc = xp.ascontiguousarray(_time_order(ctx.x, ctx.reverse))
            dw_ih = dz2 @ x_proc.reshape(T * B, -1)
        if needs[4]:
            h_prev = scratch((H, T * B), dt).reshape(H, T, B)
            xp.copyto(h_prev, hs[:-1].transpose(1, 0, 2))
            dw_hh = dz2 @ h_prev.reshape(H, T * B).T
        if needs[5] or needs[6]:
            db = dz2.sum(axis=1)
            db_ih = db if needs[5] else None
            db_hh = db.copy() if needs[6] else None
        inv = xp.argsort(ctx.perm)
        dw_ih, dw_hh, db_ih, db_hh = (
            None if a is None else a[inv] for a in (dw_ih, dw_hh, db_ih, db_hh)
        )
        dh0 = xp.ascontiguousarray(dh.T)
        dc0 = xp.ascontiguousarray(dc_next.T)
        return dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh


# ---------------------------------------------------------------------- GRU
class GRULayer(Function):
    """One GRU layer over a sequence (PyTorch's equations and gate order r, z, n)::

        r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)      reset gate
        z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)      update gate
        n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

    Returns all h_t, shape (T, B, H). Backward per step::

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
        ctx.x, ctx.hs, ctx.gates, ctx.hn, ctx.w_ih, ctx.w_hh = x, hs, gates, hn, w_ih, w_hh
        ctx.reverse = reverse
        return _time_order(hs[1:], reverse)

    @staticmethod
    def backward(ctx, g):
        hs, gates, hn, w_hh = ctx.hs, ctx.gates, ctx.hn, ctx.w_hh
        T, B, H3 = gates.shape
        H = H3 // 3
        dy = _time_order(g, ctx.reverse)
        g3 = gates.reshape(T, B, 3, H)
        r, z, n = g3[:, :, 0], g3[:, :, 1], g3[:, :, 2]
        qn = (1 - z) * (1 - n * n)
        qz = (hs[:-1] - n) * z * (1 - z)
        qr = hn * r * (1 - r)
        dh4 = xp.empty((T, B, 3, H), dtype=gates.dtype)  # [δr, δz, δn ⊙ r] (recurrent side)
        dh_pre = dh4.reshape(T, B, H3)
        dn = xp.empty((T, B, H), dtype=gates.dtype)  # δn (input side)
        dh = None
        for t in range(T - 1, -1, -1):
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
        dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(ctx, dx_pre, dh_pre, ctx.x, hs[:-1], 2)
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
) -> Tensor:
    """Elman RNN over a time-major sequence; see :class:`RNNLayer`.

    Shape: x (T, B, I), h0 (B, H), w_ih (H, I), w_hh (H, H), biases (H,) → (T, B, H).
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
) -> tuple[Tensor, Tensor]:
    """LSTM over a time-major sequence; see :class:`LSTMLayer`.

    Shape: x (T, B, I), h0 and c0 (B, H), w_ih (4H, I), w_hh (4H, H), biases (4H,) →
    (output (T, B, H), c_T (B, H)); h_T is ``output[-1]`` (``output[0]`` when reversed).
    """
    if activation not in ("tanh", "softsign"):
        raise ValueError(f"LSTM activation must be 'tanh' or 'softsign', got {activation!r}")
    G = w_hh.shape[0]
    state = _CellState()
    out = LSTMLayer.apply(
        x, h0, c0, w_ih, w_hh, _bias(b_ih, G, x), _bias(b_hh, G, x),
        activation=activation, reverse=reverse, state=state,
    )  # fmt: skip
    return out, LSTMFinalCell.apply(out, state=state)


def gru_layer(
    x: Tensor,
    h0: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    reverse: bool = False,
) -> Tensor:
    """GRU over a time-major sequence; see :class:`GRULayer`.

    Shape: x (T, B, I), h0 (B, H), w_ih (3H, I), w_hh (3H, H), biases (3H,) → (T, B, H).
    """
    G = w_hh.shape[0]
    return GRULayer.apply(x, h0, w_ih, w_hh, _bias(b_ih, G, x), _bias(b_hh, G, x), reverse=reverse)
