"""Sequence models on real tasks: echo state network on Mackey–Glass (RNN-ESN), a
character LM that learns Tiny Shakespeare (NLP-GEN, RNN-EMBED), an SMS spam classifier
(NLP-SENT, many-to-one) and a digit-reversal encoder-decoder (NLP-SEQ2SEQ,
many-to-many); plus the text utilities and sampling with temperature."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit.data.text import CharDataset, CharVocab, WordVocab, load_tiny_shakespeare
from gradkit.models.seq import (
    CharRNNLM,
    EchoStateNetwork,
    RNNClassifier,
    Seq2Seq,
    TransformerLM,
    generate,
    mackey_glass,
    nrmse,
    sample_text,
)
from gradkit.nn import functional as F
from gradkit.optim import Adam, clip_grad_norm_


def _train_step(model, opt, loss):
    opt.zero_grad()
    loss.backward()
    clip_grad_norm_(model.parameters(), 1.0)  # gradient clipping in the loop
    opt.step()
    return loss.item()


# ---------------------------------------------------------------------- RNN-ESN
def test_esn_mackey_glass_one_step_nrmse():
    """RNN-ESN: one-step prediction of Mackey–Glass (τ = 17); NRMSE ≈ 5e-4, far below
    the persistence forecast ŷ_t = u_t (≈ 0.15)."""
    s = mackey_glass(3001)
    u, y = s[:-1], s[1:]
    esn = EchoStateNetwork(n_reservoir=200, alpha=1e-7, random_state=0).fit(u[:2000], y[:2000])
    err = nrmse(y[2000:], esn.predict(u[2000:]))
    assert err < 2e-3
    assert err < nrmse(y[2000:], u[2000:]) / 50


def test_esn_reservoir_spectral_radius_and_echo_property():
    """RNN-ESN: W is rescaled to the requested spectral radius; two different starting
    states driven by the same input converge (the echo-state property)."""
    esn = EchoStateNetwork(n_reservoir=80, spectral_radius=0.8, washout=10, random_state=1)
    esn.fit(np.sin(np.arange(50)), np.cos(np.arange(50)))
    assert np.abs(np.linalg.eigvals(esn.W_)).max() == pytest.approx(0.8)
    u = np.sin(0.3 * np.arange(300))[:, None]
    esn.state_ = np.ones(80)
    a = esn._run(u)
    esn.state_ = -np.ones(80)
    b = esn._run(u)
    assert np.abs(a[0] - b[0]).max() > 0.1
    assert np.abs(a[-1] - b[-1]).max() < 1e-6
    with pytest.raises(ValueError, match="washout"):
        EchoStateNetwork(washout=100).fit(np.zeros(50), np.zeros(50))


# ---------------------------------------------------------------------- text utilities
def test_char_vocab_and_dataset():
    """RNN-EMBED: char ids round-trip; windows are shifted by one (next-char targets)."""
    text = load_tiny_shakespeare()
    vocab = CharVocab(text)
    assert len(vocab) == 65
    ids = vocab.encode(text[:1000])
    assert vocab.decode(ids) == text[:1000]
    ds = CharDataset(ids, seq_len=10)
    x, y = ds[3]
    np.testing.assert_array_equal(x[1:], y[:-1])
    assert len(ds) == (1000 - 11) // 10 + 1
    bx, by = ds.random_batch(4, np.random.default_rng(0))
    assert bx.shape == by.shape == (4, 10)
    np.testing.assert_array_equal(bx[:, 1:], by[:, :-1])
    with pytest.raises(KeyError, match="not in the vocabulary"):
        vocab.encode("é")


def test_word_vocab_left_padding():
    vocab = WordVocab(["Free prize, call now!", "call me"], min_freq=1)
    ids = vocab.encode(["call now", "unknownword"], max_len=3)
    assert ids[0, 0] == 0 and ids[0, 1] == vocab.stoi["call"]
    assert ids[1].tolist() == [0, 0, WordVocab.UNK]


def test_generate_temperature():
    """NLP-GEN: temperature 0 is greedy (deterministic); high temperature spreads the
    samples; the transformer LM and the char RNN share the sampling interface."""
    gk.manual_seed(0)
    model = CharRNNLM(5, 8, 16)
    greedy = [generate(model, [1, 2], 20, temperature=0).tolist() for _ in range(2)]
    assert greedy[0] == greedy[1]
    hot = generate(model, [1, 2], 400, temperature=5.0, rng=np.random.default_rng(0))
    cold = generate(model, [1, 2], 400, temperature=0.05, rng=np.random.default_rng(0))
    assert len(set(hot.tolist())) == 5
    assert np.bincount(cold, minlength=5).max() > np.bincount(hot, minlength=5).max()
    tlm = TransformerLM(5, d_model=16, nhead=2, num_layers=1, dim_feedforward=32, max_len=8)
    out = generate(tlm, [1, 2, 3], 12, temperature=1.0, rng=np.random.default_rng(0))
    assert out.shape == (12,) and out.max() < 5  # context longer than max_len is cropped
    vocab = CharVocab("abcde")
    assert sample_text(model, vocab, "ab", 5, temperature=0).startswith("ab")


# ---------------------------------------------------------------------- slow training
def _unigram_entropy(ids):
    p = np.bincount(ids) / ids.size
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["lstm", "transformer"])
def test_char_lm_learns_tiny_shakespeare(kind):
    """NLP-GEN / RNN-BPTT: a short run of a character LSTM (or causal transformer) brings
    the validation loss well below the unigram entropy (≈ 3.3 nats), i.e. it uses the
    context. The full run to ≤ 1.7 nats is ``benchmarks/bench_seq.py --train-char-lstm``."""
    text = load_tiny_shakespeare()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    split = int(0.9 * ids.size)
    train, val = CharDataset(ids[:split], 48), CharDataset(ids[split:], 48)
    vx, vy = val.random_batch(64, np.random.default_rng(1))
    rng = np.random.default_rng(0)
    gk.manual_seed(0)
    if kind == "lstm":
        model = CharRNNLM(len(vocab), 32, 128)
    else:
        model = TransformerLM(len(vocab), 64, 4, 2, 128, max_len=48)
    opt = Adam(model.parameters(), lr=1e-2 if kind == "lstm" else 3e-3)
    for _ in range(150):
        x, y = train.random_batch(32, rng)
        logits, _ = model(x)
        _train_step(model, opt, F.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1)))
    with gk.no_grad():
        logits, _ = model(vx)
        val_loss = F.cross_entropy(logits.reshape(-1, len(vocab)), vy.reshape(-1)).item()
    assert val_loss < _unigram_entropy(ids[:split]) - 0.6


@pytest.mark.slow
def test_sms_spam_gru_classifier():
    """NLP-SENT / RNN-SHAPES (many-to-one): a GRU over left-padded word ids, the last
    step's output classifies ham/spam; ≥ 97% test accuracy (majority class: 86.6%)."""
    from needs_data import load_sms_spam_or_skip

    texts, labels = load_sms_spam_or_skip()
    y = (labels == "spam").astype(np.int64)
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(texts))
    test, train = perm[: len(texts) // 5], perm[len(texts) // 5 :]
    vocab = WordVocab([texts[i] for i in train], min_freq=2)
    X = vocab.encode(texts, max_len=40)
    gk.manual_seed(0)
    model = RNNClassifier(len(vocab), 2, embedding_dim=32, hidden_size=32, cell="gru")
    opt = Adam(model.parameters(), lr=5e-3)
    for _ in range(3):
        order = rng.permutation(train)
        for s in range(0, order.size, 64):
            b = order[s : s + 64]
            _train_step(model, opt, F.cross_entropy(model(X[b]), y[b]))
    model.eval()
    with gk.no_grad():
        accuracy = (model(X[test]).detach().numpy().argmax(-1) == y[test]).mean()
    assert accuracy >= 0.97


@pytest.mark.slow
def test_seq2seq_reverses_digit_strings():
    """NLP-SEQ2SEQ / RNN-SHAPES (many-to-many): an attentional GRU encoder-decoder
    trained with teacher forcing reverses 7-digit strings; greedy decoding is exactly
    right on ≥ 95% of 1000 held-out strings (never seen in training)."""
    L, BOS = 7, 10
    rng = np.random.default_rng(0)
    test = rng.integers(0, 10, (1000, L))
    held = {t.tobytes() for t in test}
    gk.manual_seed(0)
    model = Seq2Seq(10, 11, embedding_dim=32, hidden_size=64)
    opt = Adam(model.parameters(), lr=3e-3)
    for _ in range(300):
        src = rng.integers(0, 10, (64, L))
        src = src[[s.tobytes() not in held for s in src]]
        tgt = src[:, ::-1]
        tgt_in = np.concatenate([np.full((len(src), 1), BOS), tgt[:, :-1]], axis=1)
        logits = model(src, tgt_in)
        _train_step(model, opt, F.cross_entropy(logits.reshape(-1, 11), tgt.reshape(-1)))
    exact = (model.greedy_decode(test, L, BOS) == test[:, ::-1]).all(axis=1).mean()
    assert exact >= 0.95
