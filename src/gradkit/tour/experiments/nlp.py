"""Tour experiments for text: NLP-TFIDF (the worked example and a small corpus),
NLP-SPAM (naive Bayes on SMS spam), NLP-SENT (a many-to-one GRU classifier), NLP-GEN
(a character LSTM on Tiny Shakespeare) and NLP-SEQ2SEQ (an encoder–decoder reversing
digit strings)."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import scipy.sparse as sp

import gradkit as gk
from gradkit.data.sms_spam import load_sms_spam
from gradkit.data.text import CharDataset, CharVocab, WordVocab, load_tiny_shakespeare
from gradkit.ml.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from gradkit.ml.metrics import accuracy_score, confusion_matrix, f1_score
from gradkit.ml.model_selection import train_test_split
from gradkit.ml.naive_bayes import MultinomialNB
from gradkit.models import CharRNNLM, RNNClassifier, Seq2Seq, sample_text
from gradkit.nn import functional as F
from gradkit.optim import Adam, clip_grad_norm_
from gradkit.tour.registry import Check, Finding, experiment

CORPUS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "the cat chased the dog",
    "a bird sang in the tree",
]


def _worked_example(idf_base: float) -> float:
    """tf-idf of a term seen 3 times in a 100-word document and in 10 of 10⁵ documents
    (N/df = 10⁴, the ratio of the canon's 10⁷/10³), through TfidfTransformer."""
    n_docs, df = 100_000, 10
    rows = np.r_[np.arange(df), np.arange(n_docs)]
    cols = np.r_[np.zeros(df, int), np.ones(n_docs, int)]
    counts = np.r_[3, np.ones(df - 1), 97, np.ones(n_docs - 1)]  # document 0: 3 + 97 words
    X = sp.csr_matrix((counts, (rows, cols)), shape=(n_docs, 2))
    weights = TfidfTransformer(tf="frequency", idf_base=idf_base, norm=None).fit_transform(X)
    return float(weights[0, 0])


@experiment(
    "NLP-TFIDF",
    group="NLP",
    title="TF-IDF: term frequency × inverse document frequency",
    claim="tf-idf weighs a term by its frequency in a document times log(N/df): the worked "
    "example gives 3/100 × log10(10⁷/10³) = 0.12, the base of the log is a choice, and a "
    "word in every document weighs nothing.",
    formula="tf = count / length;  idf = log_b(N / df);  tf-idf = tf · idf",
    code=("gradkit.ml.feature_extraction.text", "TfidfVectorizer"),
    test="tests/tour/test_nlp.py",
)
def nlp_tfidf(quick: bool) -> Finding:
    base10, base_e = _worked_example(10), _worked_example(np.e)
    tv = TfidfVectorizer(tf="frequency", idf_base=10, norm=None)
    W = tv.fit_transform(CORPUS).toarray()
    terms = tv.get_feature_names_out()
    # the same weights from the formula, counted by hand
    docs = [re.findall(r"(?u)\b\w\w+\b", d.lower()) for d in CORPUS]
    df = {t: sum(t in d for d in docs) for t in terms}
    by_hand = np.array(
        [[d.count(t) / len(d) * np.log10(len(docs) / df[t]) for t in terms] for d in docs]
    )
    gap = float(np.abs(W - by_hand).max())
    idf = dict(zip(terms, tv.idf_))
    default_idf = dict(zip(terms, TfidfVectorizer().fit(CORPUS).idf_))
    checks = [
        Check(
            "the worked example: 3/100 × log10(10⁷/10³) = 0.12",
            f"TfidfTransformer(tf='frequency', idf_base=10) on 10⁵ documents, df = 10 (same "
            f"N/df = 10⁴): {base10:.6f}",
            abs(base10 - 0.12) < 1e-12,
        ),
        Check(
            "the log base is selectable: it rescales every weight by the same factor",
            f"natural log: {base_e:.6f} = 0.12 × ln 10 ({0.12 * np.log(10):.6f})",
            abs(base_e - 0.12 * np.log(10)) < 1e-12,
        ),
        Check(
            "on a corpus the vectorizer's weights are count/length × log10(N/df), and a word "
            "in every document weighs 0",
            f"largest gap to the hand computation on {len(CORPUS)} documents: {gap:.1e}; idf "
            f"'the' {idf['the']:.3f}, 'cat' {idf['cat']:.3f}, 'bird' {idf['bird']:.3f}",
            gap < 1e-12 and idf["the"] == 0 and idf["bird"] > idf["cat"] > 0,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        im = ax.imshow(W, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(terms)), terms, rotation=90)
        ax.set_yticks(range(len(CORPUS)), CORPUS)
        fig.colorbar(im, ax=ax, label="tf-idf (log10)")

    numbers = dict(
        worked_example=base10,
        worked_example_ln=base_e,
        hand_gap=gap,
        idf_the=float(idf["the"]),
        idf_cat=float(idf["cat"]),
        idf_bird=float(idf["bird"]),
        sklearn_default_idf_the=float(default_idf["the"]),
    )
    return Finding(checks, numbers, draw)


def _sms_split():
    """SMS spam texts, 0/1 labels (1 = spam) and a stratified 80/20 split of indices."""
    texts, labels = load_sms_spam()
    y = (labels == "spam").astype(np.int64)
    train, test = train_test_split(np.arange(len(texts)), test_size=0.2, random_state=0, stratify=y)
    return texts, y, train, test


@experiment(
    "NLP-SPAM",
    group="NLP",
    title="Naive Bayes spam detection on the SMS Spam Collection",
    claim="Multinomial naive Bayes on word counts detects spam SMS accurately.",
    formula="ŷ = argmax_c log P(c) + Σ_w count_w log P(w | c)",
    code=("gradkit.ml.naive_bayes", "MultinomialNB"),
    test="tests/tour/test_nlp.py",
)
def nlp_spam(quick: bool) -> Finding:
    texts, y, train, test = _sms_split()
    vec = CountVectorizer()
    X_train = vec.fit_transform([texts[i] for i in train])
    X_test = vec.transform([texts[i] for i in test])
    nb = MultinomialNB().fit(X_train, y[train])
    pred = nb.predict(X_test)
    acc, f1 = accuracy_score(y[test], pred), f1_score(y[test], pred)
    cm = confusion_matrix(y[test], pred)
    majority = float((y[test] == 0).mean())
    ratio = nb.feature_log_prob_[1] - nb.feature_log_prob_[0]
    words = vec.get_feature_names_out()
    top = [str(words[i]) for i in np.argsort(-ratio)[:8]]
    checks = [
        Check(
            "naive Bayes detects spam far better than always answering 'ham'",
            f"{len(test)} held-out SMS: accuracy {acc:.3f} (majority class {majority:.3f}), "
            f"spam F1 {f1:.3f}",
            acc > majority + 0.08 and f1 > 0.85,
        ),
        Check(
            "few false alarms: legitimate messages are rarely flagged",
            f"confusion matrix [[ham→ham, ham→spam], [spam→ham, spam→spam]] = {cm.tolist()}",
            cm[0, 1] <= 0.01 * cm[0].sum(),
        ),
    ]

    def draw(fig):
        from gradkit import plot

        plot.confusion_matrix(y[test], pred, labels=[0, 1], ax=fig.add_subplot(1, 1, 1))

    numbers = dict(
        accuracy=float(acc),
        f1=float(f1),
        majority=majority,
        confusion=cm.tolist(),
        top_spam_words=top,
    )
    return Finding(checks, numbers, draw)


def _step(model, opt, loss) -> float:
    opt.zero_grad()
    loss.backward()
    clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


@experiment(
    "NLP-SENT",
    group="NLP",
    title="Text classification with a many-to-one RNN (SMS spam as the task)",
    claim="A recurrent network reads a message word by word and classifies it from its last "
    "state (many-to-one). No sentiment corpus ships offline, so the task is ham/spam.",
    formula="h_t = GRU(embed(w_t), h_{t−1});  ŷ = softmax(W h_T + b)",
    code=("gradkit.models.seq", "RNNClassifier"),
    test="tests/tour/test_nlp.py",
)
def nlp_sent(quick: bool) -> Finding:
    texts, y, train, test = _sms_split()
    vocab = WordVocab([texts[i] for i in train], min_freq=2)
    ids = vocab.encode(texts, max_len=30 if quick else 50)  # left-padded
    gk.manual_seed(0)
    model = RNNClassifier(len(vocab), 2, embedding_dim=32, hidden_size=32, cell="gru")
    opt = Adam(model.parameters(), lr=5e-3)
    rng = np.random.default_rng(0)
    accuracy = []
    for _ in range(3 if quick else 8):
        model.train()
        order = rng.permutation(train)
        for start in range(0, order.size, 64):
            batch = order[start : start + 64]
            _step(model, opt, F.cross_entropy(model(ids[batch]), y[batch]))
        model.eval()
        with gk.no_grad():
            logits = model(ids[test]).detach().numpy()
        accuracy.append(float(accuracy_score(y[test], logits.argmax(-1))))
    pred = logits.argmax(-1)
    f1 = float(f1_score(y[test], pred))
    majority = float((y[test] == 0).mean())
    checks = [
        Check(
            "many-to-one: a sequence of word ids in, one class out, better than the majority",
            f"input {ids[test].shape} ids → logits {logits.shape}; held-out accuracy "
            f"{accuracy[-1]:.3f} (majority class {majority:.3f}), spam F1 {f1:.3f}",
            logits.shape == (len(test), 2) and accuracy[-1] > majority + 0.07 and f1 > 0.8,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(range(1, len(accuracy) + 1), accuracy, marker="o", label="GRU")
        ax.axhline(majority, color="grey", ls=":", label="majority class")
        ax.set_xlabel("epoch")
        ax.set_ylabel("held-out accuracy")
        ax.legend()

    return Finding(checks, dict(accuracy=accuracy, f1=f1, majority=majority), draw)


@experiment(
    "NLP-GEN",
    group="NLP",
    title="Text generation with a character-level LSTM (Tiny Shakespeare)",
    claim="A character LSTM trained to predict the next character learns to use context "
    "and generates text in the style of its corpus.",
    formula="p(c_{t+1} | c_≤t) = softmax(W h_t);  loss = −mean log p(c_{t+1})",
    code=("gradkit.models.seq", "CharRNNLM"),
    test="tests/tour/test_nlp.py",
)
def nlp_gen(quick: bool) -> Finding:
    text = load_tiny_shakespeare()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    split = int(0.9 * ids.size)
    train = CharDataset(ids[:split], 32 if quick else 64)
    val_x, val_y = CharDataset(ids[split:], 64).random_batch(64, np.random.default_rng(1))
    n_vocab = len(vocab)
    # baselines: unigram entropy, and a bigram model (add-one) scored on the validation text
    p = np.bincount(ids[:split], minlength=n_vocab) / split
    unigram = float(-(p[p > 0] * np.log(p[p > 0])).sum())
    pairs = np.ones((n_vocab, n_vocab))
    np.add.at(pairs, (ids[: split - 1], ids[1:split]), 1)
    pairs /= pairs.sum(axis=1, keepdims=True)
    bigram = float(-np.log(pairs[val_x, val_y]).mean())

    gk.manual_seed(0)
    model = CharRNNLM(n_vocab, 32, 96 if quick else 128)
    opt = Adam(model.parameters(), lr=1e-2 if quick else 5e-3)

    def val_loss() -> float:
        with gk.no_grad():
            logits, _ = model(val_x)
            return F.cross_entropy(logits.reshape(-1, n_vocab), val_y.reshape(-1)).item()

    rng = np.random.default_rng(0)
    steps = 150 if quick else 600
    curve = [(0, val_loss())]
    for step in range(1, steps + 1):
        x, y = train.random_batch(32, rng)
        logits, _ = model(x)
        _step(model, opt, F.cross_entropy(logits.reshape(-1, n_vocab), y.reshape(-1)))
        if step % (steps // 10) == 0:
            curve.append((step, val_loss()))
    final = curve[-1][1]
    sample = sample_text(model, vocab, "ROMEO:", 160, temperature=0.8, rng=np.random.default_rng(0))
    checks = [
        Check(
            "training lowers the next-character loss below what ignoring context can reach",
            f"validation loss {curve[0][1]:.2f} → {final:.2f} nats in {steps} steps; "
            f"unigram entropy {unigram:.2f}",
            final < unigram - 0.8,
        ),
        Check(
            "it uses more than the previous character",
            f"validation loss {final:.2f} vs a bigram model's {bigram:.2f} nats",
            final < bigram - 0.2,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(2, 1, 1)
        ax.plot(*zip(*curve), marker="o", label="char LSTM")
        ax.axhline(unigram, color="grey", ls=":", label="unigram")
        ax.axhline(bigram, color="grey", ls="--", label="bigram")
        ax.set_xlabel("step")
        ax.set_ylabel("validation loss (nats)")
        ax.legend()
        ax2 = fig.add_subplot(2, 1, 2)
        ax2.axis("off")
        wrapped = "\n".join(textwrap.fill(line, 70) for line in sample.split("\n"))
        ax2.text(0, 1, wrapped, va="top", family="monospace", fontsize=7)

    numbers = dict(val_loss=[v for _, v in curve], unigram=unigram, bigram=bigram, sample=sample)
    return Finding(checks, numbers, draw)


@experiment(
    "NLP-SEQ2SEQ",
    group="NLP",
    title="Sequence to sequence: an encoder–decoder reversing digit strings",
    claim="An encoder–decoder maps an input sequence to an output sequence (many-to-many), "
    "here reversing digit strings it never saw.",
    formula="encoder states E = BiGRU(src); decoder d_t = GRU(y_{t−1}, d_{t−1}); "
    "p(y_t) = softmax(W [d_t; attention(d_t, E)])",
    code=("gradkit.models.seq", "Seq2Seq"),
    test="tests/tour/test_nlp.py",
)
def nlp_seq2seq(quick: bool) -> Finding:
    length, bos = 7, 10
    rng = np.random.default_rng(0)
    test = rng.integers(0, 10, (500, length))
    held_out = {row.tobytes() for row in test}
    gk.manual_seed(0)
    model = Seq2Seq(10, 11, embedding_dim=16, hidden_size=48 if quick else 96)
    opt = Adam(model.parameters(), lr=5e-3)
    steps = 300 if quick else 1000
    losses = []
    for _ in range(steps):
        src = rng.integers(0, 10, (64, length))
        src = src[[row.tobytes() not in held_out for row in src]]
        tgt = src[:, ::-1]
        tgt_in = np.concatenate([np.full((len(src), 1), bos), tgt[:, :-1]], axis=1)  # teacher
        loss = F.cross_entropy(model(src, tgt_in).reshape(-1, 11), tgt.reshape(-1))
        losses.append(_step(model, opt, loss))
    out = model.greedy_decode(test, length, bos)
    exact = float((out == test[:, ::-1]).all(axis=1).mean())
    per_digit = float((out == test[:, ::-1]).mean())
    copy = float((test == test[:, ::-1]).all(axis=1).mean())
    checks = [
        Check(
            "it maps unseen input sequences to the right output sequences",
            f"greedy decoding of {len(test)} held-out 7-digit strings: {exact:.1%} reversed "
            f"exactly ({per_digit:.1%} of digits); copying the input: {copy:.1%}",
            exact > 0.9,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(losses)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("training cross-entropy")
        shown = "\n".join(
            f"{''.join(map(str, s))} → {''.join(map(str, o))}" for s, o in zip(test[:4], out[:4])
        )
        ax.text(0.6, 0.9, shown, transform=ax.transAxes, va="top", family="monospace")

    numbers = dict(
        exact_match=exact,
        per_digit=per_digit,
        copy_baseline=copy,
        final_loss=float(np.mean(losses[-10:])),
    )
    return Finding(checks, numbers, draw)
