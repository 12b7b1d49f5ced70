"""Recurrent layers with PyTorch's semantics and parameter layout: ``RNN``, ``LSTM``,
``GRU`` (multi-layer, bidirectional, batch_first, inter-layer dropout) and the one-step
cells ``RNNCell``, ``LSTMCell``, ``GRUCell`` (concepts RNN-CELL, RNN-LSTM, RNN-GRU,
RNN-BI, RNN-SOFTSIGN).

Each layer-direction runs as one fused op (:mod:`gradkit.ops.rnn`): the input projection
of all T steps is one matmul, each step is one gate matmul, and backpropagation through
time is hand-written. The op returns the final states as outputs of their own
(``h_n``, and ``c_n`` for the LSTM), so they carry their gradients straight into the last
step. A cell is the same op with T = 1, whose state outputs are the cell's results.

Recipes for the three sequence shapes (concept RNN-SHAPES)::

    out, h_n = rnn(x)                 # many-to-many: out holds h_t for every step
    logits = head(out[:, -1])         # many-to-one (batch_first): the last step only
    h = None                          # one-to-many: feed each output back as input
    for _ in range(n):
        h = cell(x, h); x = embed(head(h).argmax(-1))

Truncated BPTT (concept RNN-BPTT): run chunks of k steps and cut the graph between
them with :func:`detach_state`::

    state = None
    for chunk in x.split(k, axis=1):
        out, state = lstm(chunk, state)
        loss = ...; loss.backward(); clip_grad_norm_(...); opt.step(); opt.zero_grad()
        state = detach_state(state)
"""

from __future__ import annotations

import math

from gradkit import random as _random
from gradkit.backend import check_device, get_default_dtype, xp
from gradkit.nn.module import Module
from gradkit.nn.parameter import Parameter
from gradkit.ops.elementwise import sigmoid, tanh
from gradkit.ops.rnn import ACTIVATIONS, gru_layer, lstm_layer, rnn_layer
from gradkit.ops.shape import concatenate, getitem, reshape, stack, swapaxes, unsqueeze
from gradkit.tensor import Tensor

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def detach_state(state):
    """Cut a recurrent state (a tensor or an LSTM ``(h, c)`` tuple) from the graph, so
    the next chunk's backward stops here (truncated BPTT)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def _uniform_init(module: Module, hidden_size: int) -> None:
    """U(−1/√H, 1/√H) for every weight and bias, as in PyTorch."""
    bound = 1.0 / math.sqrt(hidden_size)
    gen = _random.default_generator()
    for p in module.parameters():
        p._data[...] = gen.uniform(-bound, bound, p.shape)


def _zeros(shape, like: Tensor) -> Tensor:
    return Tensor(xp.zeros(shape, dtype=like.dtype))


def _lstm_projected(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, activation, reverse):
    r"""One direction of an LSTM with a projection (PyTorch's ``proj_size``), composed
    from autograd ops one step at a time::

        z_t = W_ih x_t + b_ih + W_hh r_{t−1} + b_hh          gates i, f, g, o (4H)
        c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ φ(g)                   (H)
        r_t = W_hr (σ(o) ⊙ φ(c_t))                           (P): output and next state

    Shapes: x (T, B, I), h0 (B, P), c0 (B, H), W_hh (4H, P), W_hr (P, H); returns
    (output (T, B, P), r_T, c_T).
    """
    H = c0.shape[-1]
    phi = tanh if activation == "tanh" else _softsign
    z_in = x @ w_ih.T
    if b_ih is not None:
        z_in = z_in + (b_ih + b_hh)
    h, c = h0, c0
    outs = [None] * x.shape[0]
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        z = getitem(z_in, t) + h @ w_hh.T
        i, f = sigmoid(z[:, :H]), sigmoid(z[:, H : 2 * H])
        g, o = phi(z[:, 2 * H : 3 * H]), sigmoid(z[:, 3 * H :])
        c = f * c + i * g
        h = (o * phi(c)) @ w_hr.T
        outs[t] = h
    return stack(outs), h, c


def _softsign(z: Tensor) -> Tensor:
    return z / (1 + z.abs())


def _run_direction(mode, x, h0, c0, weights, nonlinearity, reverse):
    """One layer-direction, one fused op: returns (output (T, B, H), h_T, c_T or None)."""
    if len(weights) == 5:  # an LSTM with proj_size > 0
        return _lstm_projected(x, h0, c0, *weights, nonlinearity, reverse)
    if mode == "LSTM":
        return lstm_layer(x, h0, c0, *weights, activation=nonlinearity, reverse=reverse)
    if mode == "GRU":
        return (*gru_layer(x, h0, *weights, reverse=reverse), None)
    return (*rnn_layer(x, h0, *weights, nonlinearity=nonlinearity, reverse=reverse), None)


class RNNBase(Module):
    """Shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    Parameters ``weight_ih_l{k}`` (G·H, I_k), ``weight_hh_l{k}`` (G·H, H),
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (G·H,) for layer k, with the suffix ``_reverse``
    for the backward direction; G = 1 (RNN), 4 (LSTM, gates i, f, g, o) or 3 (GRU, gates
    r, z, n); I_0 = ``input_size`` and I_k = H·(2 if bidirectional else 1) above. An
    LSTM with ``proj_size`` P > 0 also has ``weight_hr_l{k}`` (P, H), its ``weight_hh``
    is (4H, P), its outputs and h states have P features and I_k = P·D above.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        nonlinearity: str = "tanh",
        dtype=None,
        proj_size: int = 0,
        device=None,
    ) -> None:
        super().__init__()
        if device is not None:
            check_device(device)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError(f"proj_size must be a non-negative integer, got {proj_size!r}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size is only supported by LSTM, not by RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError(
                f"proj_size ({proj_size}) must be smaller than hidden_size ({hidden_size})"
            )
        self.mode, self.proj_size = mode, proj_size
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.nonlinearity = bidirectional, nonlinearity
        dtype = dtype or get_default_dtype()
        gates = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        out_size = proj_size or hidden_size
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else out_size * directions
            for suffix in ("", "_reverse")[:directions]:
                tag = f"l{layer}{suffix}"
                setattr(self, f"weight_ih_{tag}", Parameter(xp.empty((gates, in_size), dtype)))
                setattr(self, f"weight_hh_{tag}", Parameter(xp.empty((gates, out_size), dtype)))
                if bias:
                    setattr(self, f"bias_ih_{tag}", Parameter(xp.empty(gates, dtype)))
                    setattr(self, f"bias_hh_{tag}", Parameter(xp.empty(gates, dtype)))
                if proj_size:
                    shape = (proj_size, hidden_size)
                    setattr(self, f"weight_hr_{tag}", Parameter(xp.empty(shape, dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_init(self, self.hidden_size)

    def _weights(self, tag: str):
        get = self._parameters.get
        weights = (
            get(f"weight_ih_{tag}"),
            get(f"weight_hh_{tag}"),
            get(f"bias_ih_{tag}"),
            get(f"bias_hh_{tag}"),
        )
        return (*weights, get(f"weight_hr_{tag}")) if self.proj_size else weights

    def _check_input(self, x: Tensor, hx) -> tuple[Tensor, bool]:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        if x.ndim not in (2, 3):
            raise ValueError(
                f"{self._get_name()}: expected input of 2 (unbatched) or 3 dims, got shape "
                f"{tuple(x.shape)}"
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"{self._get_name()}: input has {x.shape[-1]} features (shape "
                f"{tuple(x.shape)}) but input_size is {self.input_size}"
            )
        return x, x.ndim == 3

    def _state_shape(self, batch: int, size: int) -> tuple[int, int, int]:
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _prepare_state(self, state, batched: bool, batch: int, size: int) -> Tensor | None:
        if state is None:
            return None
        if not batched:
            state = unsqueeze(state, 1)
        expected = self._state_shape(batch, size)
        if tuple(state.shape) != expected:
            raise ValueError(
                f"{self._get_name()}: initial state has shape {tuple(state.shape)}, expected "
                f"{expected} (num_layers·directions, batch, features)"
            )
        return state

    def forward(self, input: Tensor, hx=None):  # noqa: A002 - PyTorch's argument name
        x, batched = self._check_input(input, hx)
        if not batched:
            x = unsqueeze(x, 1)
        elif self.batch_first:
            x = swapaxes(x, 0, 1)
        T, B, _ = x.shape
        is_lstm = self.mode == "LSTM"
        h0_all, c0_all = (hx if hx is not None else (None, None)) if is_lstm else (hx, None)
        out_size = self.proj_size or self.hidden_size
        h0_all = self._prepare_state(h0_all, batched, B, out_size)
        c0_all = self._prepare_state(c0_all, batched, B, self.hidden_size)
        zeros = _zeros((B, self.hidden_size), x)
        h_zeros = _zeros((B, out_size), x) if self.proj_size else zeros
        directions = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                h0 = h_zeros if h0_all is None else getitem(h0_all, k)
                c0 = zeros if c0_all is None else getitem(c0_all, k)
                tag = f"l{layer}{'_reverse' if d else ''}"
                out, h, c = _run_direction(
                    self.mode, layer_in, h0, c0, self._weights(tag), self.nonlinearity, d == 1
                )
                outs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_in = outs[0] if directions == 1 else concatenate(outs, axis=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                from gradkit.nn.functional import dropout

                layer_in = dropout(layer_in, self.dropout, training=True)
        output = layer_in
        h_n = stack(h_n)
        c_n = stack(c_n) if is_lstm else None
        if not batched:
            output = reshape(output, (T, -1))
            h_n = reshape(h_n, (h_n.shape[0], -1))
            c_n = reshape(c_n, (c_n.shape[0], -1)) if is_lstm else None
        elif self.batch_first:
            output = swapaxes(output, 0, 1)
        return output, ((h_n, c_n) if is_lstm else h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN" and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        if self.mode == "LSTM" and self.nonlinearity != "tanh":
            s += f", activation={self.nonlinearity!r}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN (concept RNN-CELL): h_t = f(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh),
    f = tanh, relu or softsign (concept RNN-SOFTSIGN; softsign is a gradkit extension).

    Parameters
    ----------
    input_size, hidden_size : int
        Features of x_t and of h_t.
    num_layers : int
        Stacked layers; layer k+1 reads the outputs of layer k.
    nonlinearity : {'tanh', 'relu', 'softsign'}
    bias : bool
        Use b_ih and b_hh.
    batch_first : bool
        Input and output are (N, L, ·) instead of (L, N, ·).
    dropout : float
        Dropout on the outputs of every layer but the last (training only).
    bidirectional : bool
        Add a layer that reads the sequence backwards; outputs are concatenated
        [forward, backward] on the feature axis (concept RNN-BI).
    device : None or 'cpu'
        PyTorch's argument; only the CPU is available.
    dtype : dtype
        Of the parameters (default: the default dtype).

    Returns
    -------
    output : Tensor
        h_t of the last layer for every t, (L, N, D·H) (or (N, L, D·H) with
        ``batch_first``).
    h_n : Tensor
        Final state of every layer and direction, (num_layers·D, N, H).

    Shape
    -----
    input (L, N, H_in), (N, L, H_in) if batch_first, or unbatched (L, H_in);
    hx (num_layers·D, N, H) or unbatched (num_layers·D, H), zeros when omitted.

    Examples
    --------
    >>> import gradkit as gk
    >>> rnn = gk.nn.RNN(3, 5, num_layers=2, batch_first=True)
    >>> out, h_n = rnn(gk.randn(4, 7, 3))
    >>> out.shape, h_n.shape
    ((4, 7, 5), (2, 4, 5))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ACTIVATIONS:
            raise ValueError(f"nonlinearity must be one of {ACTIVATIONS}, got {nonlinearity!r}")
        super().__init__(
            "RNN", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, nonlinearity, dtype, device=device,
        )  # fmt: skip


class LSTM(RNNBase):
    """Long short-term memory (concept RNN-LSTM), PyTorch's equations and gate order::

        i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)     input gate
        f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)     forget gate
        g_t = φ(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)     candidate
        o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)     output gate
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                    forget, then update
        h_t = o_t ⊙ φ(c_t)                                 output

    φ = tanh, or softsign with ``activation='softsign'`` (concept RNN-SOFTSIGN, a
    keyword-only gradkit extension). Parameters and shapes as in :class:`RNN`; ``hx`` and
    the returned state are ``(h, c)`` pairs, each (num_layers·D, N, H).

    ``proj_size`` P > 0 (PyTorch's LSTM with projections, Sak et al. 2014) replaces the
    output by ``h_t = W_hr (o_t ⊙ φ(c_t))`` with ``weight_hr_l{k}`` (P, H): outputs are
    (L, N, D·P), ``h`` states (num_layers·D, N, P), ``c`` states stay H wide. That path
    runs step by step through composed ops (slower than the fused one).

    Examples
    --------
    >>> import gradkit as gk
    >>> lstm = gk.nn.LSTM(3, 5, bidirectional=True)
    >>> out, (h_n, c_n) = lstm(gk.randn(7, 4, 3))
    >>> out.shape, h_n.shape, c_n.shape
    ((7, 4, 10), (2, 4, 5), (2, 4, 5))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
        *,
        activation: str = "tanh",
    ) -> None:
        if activation not in ("tanh", "softsign"):
            raise ValueError(f"activation must be 'tanh' or 'softsign', got {activation!r}")
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, activation, dtype, proj_size=proj_size, device=device,
        )  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit (concept RNN-GRU), PyTorch's equations and gate order::

        r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)     reset gate
        z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)     update gate
        n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

    Parameters, returns and shapes as in :class:`RNN`.

    Examples
    --------
    >>> import gradkit as gk
    >>> out, h_n = gk.nn.GRU(3, 5)(gk.randn(7, 4, 3))
    >>> out.shape, h_n.shape
    ((7, 4, 5), (1, 4, 5))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, "tanh", dtype, device=device,
        )  # fmt: skip


# ---------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One time step; parameters ``weight_ih`` (G·H, I), ``weight_hh`` (G·H, H),
    ``bias_ih``, ``bias_hh`` (G·H,), the layout of one layer of :class:`RNNBase`."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        bias: bool,
        nonlinearity: str,
        dtype,
        device=None,
    ) -> None:
        super().__init__()
        if device is not None:
            check_device(device)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.bias, self.nonlinearity = bias, nonlinearity
        dtype = dtype or get_default_dtype()
        gates = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(xp.empty((gates, input_size), dtype))
        self.weight_hh = Parameter(xp.empty((gates, hidden_size), dtype))
        self.bias_ih = Parameter(xp.empty(gates, dtype)) if bias else None
        self.bias_hh = Parameter(xp.empty(gates, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_init(self, self.hidden_size)

    def forward(self, input: Tensor, hx=None):  # noqa: A002 - PyTorch's argument name
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{self._get_name()}: expected input (N, {self.input_size}) or "
                f"({self.input_size},), got {tuple(x.shape)}"
            )
        batched = x.ndim == 2
        B = x.shape[0] if batched else 1
        is_lstm = self.mode == "LSTM"
        h, c = (hx if hx is not None else (None, None)) if is_lstm else (hx, None)
        zeros = _zeros((B, self.hidden_size), x)
        h = zeros if h is None else reshape(h, (B, self.hidden_size))
        c = zeros if c is None else reshape(c, (B, self.hidden_size))
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        _, h_new, c_new = _run_direction(
            self.mode, reshape(x, (1, B, self.input_size)), h, c, weights, self.nonlinearity, False
        )
        if not batched:
            h_new = reshape(h_new, (self.hidden_size,))
            c_new = reshape(c_new, (self.hidden_size,)) if is_lstm else None
        return (h_new, c_new) if is_lstm else h_new

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN" and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        return s


class RNNCell(RNNCellBase):
    """h' = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), f ∈ {tanh, relu, softsign}.

    Shape: input (N, H_in) or (H_in,); hx (N, H) or (H,), zeros when omitted → h' of
    hx's shape.

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.nn.RNNCell(3, 5)(gk.randn(4, 3)).shape
    (4, 5)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ACTIVATIONS:
            raise ValueError(f"nonlinearity must be one of {ACTIVATIONS}, got {nonlinearity!r}")
        super().__init__("RNN", input_size, hidden_size, bias, nonlinearity, dtype, device)


class LSTMCell(RNNCellBase):
    """One LSTM step (equations in :class:`LSTM`); ``hx`` is ``(h, c)``, returns
    ``(h', c')``, each (N, H) or (H,).

    Examples
    --------
    >>> import gradkit as gk
    >>> h, c = gk.nn.LSTMCell(3, 5)(gk.randn(4, 3))
    >>> h.shape, c.shape
    ((4, 5), (4, 5))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, "tanh", dtype, device)


class GRUCell(RNNCellBase):
    """One GRU step (equations in :class:`GRU`); returns h' of shape (N, H) or (H,).

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.nn.GRUCell(3, 5)(gk.randn(4, 3)).shape
    (4, 5)
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, "tanh", dtype, device)
