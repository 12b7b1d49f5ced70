"""Ready sequence models: an echo state network (concept RNN-ESN), a character-level
recurrent language model and a small causal transformer language model (NLP-GEN,
ATT-TRANSFORMER), sampling with temperature, an RNN text classifier (NLP-SENT) and an
attentional encoder-decoder (NLP-SEQ2SEQ)."""

from __future__ import annotations

import numpy as np

from gradkit.nn.embedding import Embedding
from gradkit.nn.functional import causal_mask, scaled_dot_product_attention
from gradkit.nn.linear import Linear
from gradkit.nn.module import Module
from gradkit.nn.normalization import LayerNorm
from gradkit.nn.rnn import GRU, LSTM, RNN
from gradkit.nn.transformer import (
    LearnedPositionalEncoding,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from gradkit.ops.elementwise import tanh
from gradkit.ops.shape import concatenate, getitem
from gradkit.tensor import Tensor, no_grad

_CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}


# ---------------------------------------------------------------------- echo state network
class EchoStateNetwork:
    """Echo state network (concept RNN-ESN): a fixed random reservoir and a trained
    linear readout.

    State update (leaky-integrator form) and readout::

        x_t = (1 − a) x_{t−1} + a · tanh(W_in [1; u_t] + W x_{t−1})
        ŷ_t = W_out [1; u_t; x_t]

    W is sparse random, rescaled so its spectral radius (largest |eigenvalue|) is
    ``spectral_radius`` (< 1 gives the echo-state property: the state forgets its
    start). Only W_out is trained, by ridge regression on the states after ``washout``:
    W_out = Y Xᵀ (X Xᵀ + αI)⁻¹.

    Parameters
    ----------
    n_reservoir : int
        Reservoir size N.
    spectral_radius : float
    input_scaling : float
        W_in ~ U(−s, s).
    leak_rate : float
        a in (0, 1].
    density : float
        Fraction of nonzero reservoir weights.
    alpha : float
        Ridge penalty.
    washout : int
        Initial steps whose states are discarded when fitting.
    random_state : int or Generator, optional

    Attributes
    ----------
    W_in_ (N, 1 + n_in), W_ (N, N), W_out_ (n_out, 1 + n_in + N), state_ (N,) the
    reservoir state after the last input seen.

    Shape: u (T, n_in) or (T,); y (T, n_out) or (T,).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(600) * 0.1
    >>> esn = EchoStateNetwork(n_reservoir=100, random_state=0).fit(np.sin(t[:-1]), np.sin(t[1:]))
    >>> float(np.abs(esn.predict(np.sin(t[:5]), reset=True)[-1] - np.sin(t[5]))) < 0.05
    True
    """

    def __init__(
        self,
        n_reservoir: int = 300,
        spectral_radius: float = 0.9,
        input_scaling: float = 0.5,
        leak_rate: float = 1.0,
        density: float = 0.1,
        alpha: float = 1e-6,
        washout: int = 100,
        random_state=None,
    ) -> None:
        self.n_reservoir, self.spectral_radius = n_reservoir, spectral_radius
        self.input_scaling, self.leak_rate, self.density = input_scaling, leak_rate, density
        self.alpha, self.washout, self.random_state = alpha, washout, random_state

    @staticmethod
    def _2d(a, name: str) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        a = a[:, None] if a.ndim == 1 else a
        if a.ndim != 2 or not np.isfinite(a).all():
            raise ValueError(f"{name} must be a finite (T,) or (T, features) array")
        return a

    def _init_reservoir(self, n_in: int) -> None:
        rng = np.random.default_rng(self.random_state)
        N = self.n_reservoir
        self.W_in_ = rng.uniform(-self.input_scaling, self.input_scaling, (N, 1 + n_in))
        W = rng.uniform(-1, 1, (N, N)) * (rng.random((N, N)) < self.density)
        radius = np.abs(np.linalg.eigvals(W)).max()
        self.W_ = W * (self.spectral_radius / radius)
        self.state_ = np.zeros(N)

    def _run(self, u: np.ndarray) -> np.ndarray:
        a = self.leak_rate
        x = self.state_
        states = np.empty((u.shape[0], self.n_reservoir))
        drive = u @ self.W_in_[:, 1:].T + self.W_in_[:, 0]
        for t in range(u.shape[0]):
            x = (1 - a) * x + a * np.tanh(drive[t] + self.W_ @ x)
            states[t] = x
        self.state_ = x
        return states

    def _features(self, u, states):
        return np.hstack([np.ones((u.shape[0], 1)), u, states])

    def fit(self, u, y) -> EchoStateNetwork:
        """Drive the reservoir with u from a zero state and fit the ridge readout to y."""
        u, y = self._2d(u, "u"), self._2d(y, "y")
        if u.shape[0] != y.shape[0] or u.shape[0] <= self.washout:
            raise ValueError(
                f"u and y need the same length T > washout={self.washout}, got {u.shape[0]} "
                f"and {y.shape[0]}"
            )
        self._init_reservoir(u.shape[1])
        X = self._features(u, self._run(u))[self.washout :]
        Y = y[self.washout :]
        gram = X.T @ X + self.alpha * np.eye(X.shape[1])
        self.W_out_ = np.linalg.solve(gram, X.T @ Y).T
        self.n_outputs_ = y.shape[1]
        return self

    def predict(self, u, reset: bool = False) -> np.ndarray:
        """Readout for inputs u, continuing from the last state (or from zero with
        ``reset``); (T,) when fitted on a 1-D target, else (T, n_out)."""
        u = self._2d(u, "u")
        if reset:
            self.state_ = np.zeros(self.n_reservoir)
        y = self._features(u, self._run(u)) @ self.W_out_.T
        return y[:, 0] if self.n_outputs_ == 1 else y


def nrmse(y_true, y_pred) -> float:
    """Root-mean-square error divided by the standard deviation of y_true."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)) / np.std(y_true))


def mackey_glass(n: int, tau: int = 17, beta: float = 0.2, gamma: float = 0.1, p: int = 10,
                 dt: float = 1.0, substeps: int = 10, x0: float = 1.2) -> np.ndarray:  # fmt: skip
    """The Mackey–Glass delay series dx/dt = β x(t−τ) / (1 + x(t−τ)^p) − γ x(t),
    integrated with Euler steps of dt/substeps and sampled every dt; (n,)."""
    h = dt / substeps
    delay = int(round(tau / h))
    hist = np.full(delay + 1, x0)
    out = np.empty(n)
    x = x0
    total = n * substeps
    buf = np.concatenate([hist, np.empty(total)])
    for k in range(total):
        x_tau = buf[k]
        x = x + h * (beta * x_tau / (1 + x_tau**p) - gamma * x)
        buf[delay + 1 + k] = x
        if (k + 1) % substeps == 0:
            out[(k + 1) // substeps - 1] = x
    return out


# ---------------------------------------------------------------------- language models
class CharRNNLM(Module):
    """Character language model (concepts NLP-GEN, RNN-EMBED): embedding → recurrent
    layers → linear head over the vocabulary, predicting the next character.

    Shape: ids (B, T) int → logits (B, T, V), plus the recurrent state for the next
    chunk (truncated BPTT, or one step at a time when sampling).
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 64,
        hidden_size: int = 128,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}")
        self.embed = Embedding(vocab_size, embedding_dim)
        self.rnn = _CELLS[cell](embedding_dim, hidden_size, num_layers=num_layers,
                                batch_first=True, dropout=dropout)  # fmt: skip
        self.head = Linear(hidden_size, vocab_size)

    def forward(self, ids, state=None):
        out, state = self.rnn(self.embed(ids), state)
        return self.head(out), state


class TransformerLM(Module):
    """Small GPT-style causal language model (concepts ATT-TRANSFORMER, NLP-GEN):
    token embedding + learned positions → pre-norm ``TransformerEncoder`` with a causal
    mask → layer norm → linear head.

    ``forward(ids, context)`` prepends the ids of an earlier call (the "state" returned,
    cropped to ``max_len``), so :func:`generate` drives it like a recurrent model.

    Shape: ids (B, T) int → logits (B, T, V) for the new positions, and the context ids.
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 128,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int = 512,
        max_len: int = 256,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.max_len = max_len
        self.embed = Embedding(vocab_size, d_model)
        self.pos = LearnedPositionalEncoding(d_model, max_len, dropout, batch_first=True)
        layer = TransformerEncoderLayer(
            d_model, nhead, dim_feedforward, dropout, activation="gelu", batch_first=True,
            norm_first=True,
        )  # fmt: skip
        self.encoder = TransformerEncoder(layer, num_layers)
        self.norm = LayerNorm(d_model)
        self.head = Linear(d_model, vocab_size)

    def forward(self, ids, context=None):
        ids = np.asarray(ids._data if isinstance(ids, Tensor) else ids)
        new = ids.shape[1]
        if context is not None:
            ids = np.concatenate([context, ids], axis=1)
        ids = ids[:, -self.max_len :]
        T = ids.shape[1]
        h = self.encoder(self.pos(self.embed(ids)), mask=causal_mask(T))
        logits = self.head(self.norm(h))
        if new < T:
            logits = getitem(logits, (slice(None), slice(T - new, None)))
        return logits, ids


def generate(
    model: Module,
    prompt_ids,
    length: int,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Sample ``length`` ids after ``prompt_ids`` (concept NLP-GEN).

    Each id is drawn from softmax(logits / temperature) of the last position; lower
    temperatures sharpen the distribution, ``temperature=0`` takes the argmax. ``model``
    maps (ids (1, T), state) → (logits (1, T, V), state), like :class:`CharRNNLM` and
    :class:`TransformerLM`.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    rng = rng if rng is not None else np.random.default_rng()
    was_training = model.training
    model.eval()
    out = []
    with no_grad():
        logits, state = model(np.asarray(prompt_ids, dtype=np.int64)[None], None)
        for _ in range(length):
            last = logits._data[0, -1].astype(np.float64)
            if temperature == 0:
                nxt = int(last.argmax())
            else:
                z = last / temperature
                p = np.exp(z - z.max())
                nxt = int(rng.choice(p.size, p=p / p.sum()))
            out.append(nxt)
            logits, state = model(np.array([[nxt]]), state)
    model.train(was_training)
    return np.asarray(out, dtype=np.int64)


def sample_text(model: Module, vocab, prompt: str, length: int, temperature: float = 1.0,
                rng: np.random.Generator | None = None) -> str:  # fmt: skip
    """``prompt`` followed by ``length`` sampled characters (see :func:`generate`)."""
    return prompt + vocab.decode(generate(model, vocab.encode(prompt), length, temperature, rng))


# ---------------------------------------------------------------------- classification
class RNNClassifier(Module):
    """Many-to-one text classifier (concepts NLP-SENT, RNN-SHAPES): embedding →
    recurrent layer → the last step's output → linear head.

    Left-pad the id sequences (``WordVocab.encode(pad_left=True)``) so the last step is
    the last real token. Shape: ids (B, T) → logits (B, num_classes).
    """

    def __init__(self, vocab_size: int, num_classes: int, embedding_dim: int = 64,
                 hidden_size: int = 64, cell: str = "gru") -> None:  # fmt: skip
        super().__init__()
        self.embed = Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = _CELLS[cell](embedding_dim, hidden_size, batch_first=True)
        self.head = Linear(hidden_size, num_classes)

    def forward(self, ids):
        out, _ = self.rnn(self.embed(ids))
        return self.head(getitem(out, (slice(None), -1)))


# ---------------------------------------------------------------------- seq2seq
class Seq2Seq(Module):
    """Attentional encoder-decoder (concept NLP-SEQ2SEQ, many-to-many with different
    input and output steps).

    A bidirectional GRU encodes the source into E (B, S, 2H); its final states, through
    ``bridge`` and tanh, start a GRU decoder fed the shifted target (teacher forcing).
    Each decoder output d_t attends over the encoder outputs (scaled dot-product
    attention with keys K = E W_k) and the head reads [d_t; context_t]::

        context_t = softmax(d_t Kᵀ / √H) E,    logits_t = W_o [d_t; context_t] + b_o

    Shape: src (B, S) int, tgt_in (B, T) int → logits (B, T, tgt_vocab).
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, embedding_dim: int = 32,
                 hidden_size: int = 128) -> None:  # fmt: skip
        super().__init__()
        H = hidden_size
        self.src_embed = Embedding(src_vocab, embedding_dim)
        self.encoder = GRU(embedding_dim, H, batch_first=True, bidirectional=True)
        self.bridge = Linear(2 * H, H)
        self.keys = Linear(2 * H, H)
        self.tgt_embed = Embedding(tgt_vocab, embedding_dim)
        self.decoder = GRU(embedding_dim, H, batch_first=True)
        self.head = Linear(3 * H, tgt_vocab)

    def encode(self, src):
        enc, h_n = self.encoder(self.src_embed(src))
        h0 = tanh(self.bridge(concatenate([getitem(h_n, 0), getitem(h_n, 1)], axis=-1)))
        return enc, self.keys(enc), h0.reshape(1, *h0.shape)

    def decode(self, tgt_in, enc, keys, state):
        dec, state = self.decoder(self.tgt_embed(tgt_in), state)
        context = scaled_dot_product_attention(dec, keys, enc)
        return self.head(concatenate([dec, context], axis=-1)), state

    def forward(self, src, tgt_in):
        enc, keys, h0 = self.encode(src)
        return self.decode(tgt_in, enc, keys, h0)[0]

    def greedy_decode(self, src, length: int, bos: int) -> np.ndarray:
        """Decode ``length`` tokens one step at a time, feeding back the argmax; (B, length)."""
        with no_grad():
            enc, keys, state = self.encode(src)
            tok = np.full((enc.shape[0], 1), bos, dtype=np.int64)
            out = []
            for _ in range(length):
                logits, state = self.decode(tok, enc, keys, state)
                tok = logits._data.argmax(-1)
                out.append(tok[:, 0])
        return np.stack(out, axis=1)
