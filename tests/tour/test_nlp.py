"""Tour experiments NLP-TFIDF, NLP-SPAM, NLP-SENT, NLP-GEN, NLP-SEQ2SEQ (quick mode):
every claim supported, with its key numbers and margins."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit.tour.experiments import nlp as ex


def _sms():
    from gradkit.data.sms_spam import load_sms_spam

    try:
        load_sms_spam(download=False)
    except FileNotFoundError:
        pytest.skip(
            "SMS Spam Collection not found: set GRADKIT_DATA to the folder holding sms-spam/"
        )


def _draws(finding, uses_plot=False):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    if uses_plot:
        pytest.importorskip("gradkit.plot")
    from matplotlib.figure import Figure

    fig = Figure()
    finding.draw(fig)
    assert fig.axes


def _supported(finding):
    assert finding.checks and finding.supported, [c for c in finding.checks if not c.supported]


def test_nlp_tfidf_worked_example():
    """NLP-TFIDF: 3/100 × log10(10⁴) = 0.12 exactly; ln gives 0.12 · ln 10; the
    vectorizer equals the hand computation and gives a word in every document idf 0."""
    f = ex.nlp_tfidf(True)
    _supported(f)
    n = f.numbers
    assert n["worked_example"] == pytest.approx(0.12, abs=1e-12)
    assert n["worked_example_ln"] == pytest.approx(0.12 * np.log(10), abs=1e-12)
    assert n["hand_gap"] < 1e-12
    assert n["idf_the"] == 0 and n["idf_bird"] > n["idf_cat"] > 0
    assert n["sklearn_default_idf_the"] == pytest.approx(1.0)  # ln(5/5) + 1, never zero
    _draws(f)


def test_nlp_spam_naive_bayes():
    _sms()
    f = ex.nlp_spam(True)
    _supported(f)
    n = f.numbers
    assert n["accuracy"] > n["majority"] + 0.08 and n["f1"] > 0.85
    (tn, fp), (fn, tp) = n["confusion"]
    assert tn + fp + fn + tp == 1115 and fp <= 0.01 * (tn + fp)
    _draws(f, uses_plot=True)


def test_nlp_sent_many_to_one_gru():
    """NLP-SENT (on SMS spam, no sentiment corpus offline): accuracy ≥ majority + 0.07."""
    _sms()
    f = ex.nlp_sent(True)
    _supported(f)
    n = f.numbers
    assert n["accuracy"][-1] > n["majority"] + 0.07 and n["f1"] > 0.8
    _draws(f)


def test_nlp_gen_char_lstm():
    from gradkit.data.text import load_tiny_shakespeare

    try:
        load_tiny_shakespeare(download=False)
    except FileNotFoundError:
        pytest.skip(
            "Tiny Shakespeare not found: set GRADKIT_DATA to the folder holding tinyshakespeare/"
        )
    f = ex.nlp_gen(True)
    _supported(f)
    n = f.numbers
    assert n["val_loss"][-1] < n["unigram"] - 0.8
    assert n["val_loss"][-1] < n["bigram"] - 0.2
    assert n["sample"].startswith("ROMEO:") and len(n["sample"]) == 166
    _draws(f)


def test_nlp_seq2seq_reverses_unseen_strings():
    f = ex.nlp_seq2seq(True)
    _supported(f)
    n = f.numbers
    assert n["exact_match"] > 0.9 and n["copy_baseline"] < 0.01
    _draws(f)
